import { MemberCluster } from "../types";
import { CycleState, Plugin, Profile } from "./plugin";
import { PluginStatus, SUCCESS } from "./status";
import { Score, ScoredCluster, compareNames } from "./score";

export interface FilteredCluster {
  cluster: MemberCluster;
  status: PluginStatus;
}

export interface FilterOutcome {
  /** Positions (in the cycle's cluster list) of the clusters that passed. */
  passed: number[];
  /** Filtered by the binding-independent plugins: the same list in every cycle of a call. */
  filteredAlways: readonly FilteredCluster[];
  /** Filtered by the binding-dependent plugins in this cycle. */
  filteredNow: FilteredCluster[];
}

/** PostBatch: the smallest non-negative limit any plugin imposes, capped by the desired batch size. */
export function runPostBatch(profile: Profile, state: CycleState, desiredBatchSize: number): number {
  let limit = desiredBatchSize;
  for (const plugin of profile.postBatch) {
    const pluginLimit = plugin.postBatch?.(state);
    if (pluginLimit !== undefined && pluginLimit >= 0 && pluginLimit < limit) limit = pluginLimit;
  }
  return limit;
}

export function runPreFilter(profile: Profile, state: CycleState): void {
  for (const plugin of profile.preFilter) {
    if (plugin.preFilter?.(state).code === "Skip") state.skippedFilterPlugins.add(plugin.name);
  }
}

type Filtering = Plugin & Required<Pick<Plugin, "filter">>;

function runFilters(plugins: readonly Filtering[], state: CycleState, cluster: MemberCluster, position: number): PluginStatus {
  for (const plugin of plugins) {
    const status = plugin.filter(state, cluster, position);
    if (status.code !== "Success") return status;
  }
  return SUCCESS;
}

/**
 * The chain split where the first binding-dependent plugin stands: the leading part's outcome per
 * cluster is the same in every cycle of a call, so it is computed once.
 */
function splitChain(profile: Profile): { stable: Filtering[]; varying: Filtering[] } {
  const filtering = profile.filter.filter((plugin): plugin is Filtering => plugin.filter !== undefined);
  const firstVarying = filtering.findIndex((plugin) => !plugin.bindingIndependent);
  const at = firstVarying < 0 ? filtering.length : firstVarying;
  return { stable: filtering.slice(0, at), varying: filtering.slice(at) };
}

/** Filter: a cluster another binding of this policy already holds is neither passed nor filtered. */
export function runFilter(profile: Profile, state: CycleState): FilterOutcome {
  const chain = state.memo.once(profile.filter, () => splitChain(profile));
  const notSkipped = (plugin: Plugin) => !state.skippedFilterPlugins.has(plugin.name);
  const stable = chain.stable.filter(notSkipped);
  const varying = chain.varying.filter(notSkipped);
  // Per position: undefined when the stable part passes, else the (reusable) filtered entry.
  const stableOutcomes = state.memo.once(chain, () =>
    state.clusters.map((cluster, position): FilteredCluster | undefined => {
      const status = runFilters(stable, state, cluster, position);
      return status.code === "Success" ? undefined : { cluster, status };
    }),
  );
  const filteredAlways = state.memo.once(stableOutcomes, () =>
    stableOutcomes.filter((o): o is FilteredCluster => o !== undefined && o.status.code === "ClusterUnschedulable"),
  );
  const outcome: FilterOutcome = { passed: [], filteredAlways, filteredNow: [] };
  for (let position = 0; position < state.clusters.length; position++) {
    if (stableOutcomes[position]) continue;
    const cluster = state.clusters[position];
    const status = runFilters(varying, state, cluster, position);
    if (status.code === "Success") outcome.passed.push(position);
    else if (status.code === "ClusterUnschedulable") outcome.filteredNow.push({ cluster, status });
  }
  return outcome;
}

/** Every filtered cluster as decisions list them: by name, ascending (built only when a cycle reports). */
export function filteredByName({ filteredAlways, filteredNow }: FilterOutcome): FilteredCluster[] {
  return [...filteredAlways, ...filteredNow].sort((a, b) => compareNames(a.cluster.metadata.name, b.cluster.metadata.name));
}

export function runPreScore(profile: Profile, state: CycleState): void {
  for (const plugin of profile.preScore) {
    if (plugin.preScore?.(state).code === "Skip") state.skippedScorePlugins.add(plugin.name);
  }
}

/** Scores of the passing clusters, one column per component (no object per cluster per cycle). */
export interface ScoreTable {
  positions: readonly number[];
  topologySpread: Int32Array;
  affinity: Int32Array;
  obsoletePlacement: Int32Array;
}

/** Score: every plugin's part added up (upstream needs no normalisation), plugin by plugin. */
export function runScore(profile: Profile, state: CycleState, positions: readonly number[]): ScoreTable {
  const size = positions.length;
  const table: ScoreTable = {
    positions,
    topologySpread: new Int32Array(size),
    affinity: new Int32Array(size),
    obsoletePlacement: new Int32Array(size),
  };
  for (const plugin of profile.score) {
    if (!plugin.score || state.skippedScorePlugins.has(plugin.name)) continue;
    // A binding-independent plugin's part is computed once per cluster per call.
    const cached = plugin.bindingIndependent ? state.memo.perPosition<Score>(plugin) : undefined;
    for (let row = 0; row < size; row++) {
      const position = positions[row];
      const part = cached
        ? (cached[position] ??= plugin.score(state, state.clusters[position], position))
        : plugin.score(state, state.clusters[position], position);
      table.topologySpread[row] += part.topologySpreadScore;
      table.affinity[row] += part.affinityScore;
      table.obsoletePlacement[row] += part.obsoletePlacementAffinityScore;
    }
  }
  return table;
}

export function scoreAt(table: ScoreTable, row: number): Score {
  return {
    topologySpreadScore: table.topologySpread[row],
    affinityScore: table.affinity[row],
    obsoletePlacementAffinityScore: table.obsoletePlacement[row],
  };
}

/** Every scored cluster as an object, for the cycle that reports its decisions. */
export function scoredClusters(state: CycleState, table: ScoreTable): ScoredCluster[] {
  return table.positions.map((position, row) => ({ cluster: state.clusters[position], score: scoreAt(table, row) }));
}
