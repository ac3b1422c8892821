import { ClusterSelectorTerm, MemberCluster, PreferredClusterSelector, PropertySelectorRequirement } from "../types";
import { Quantity, compareQuantities, isInfiniteFloat64, quantityToFloat64, tryParseQuantity } from "../../../k8s/quantity";
import { LabelSelectorError, labelSelectorMatches as matchesSelector } from "../../../k8s/labels";
import { LabelSelector } from "../types";
import { goRound, toInt32 } from "../go-format";
import { CycleState, Plugin } from "../framework/plugin";
import { SKIP, SUCCESS, SchedulingCycleError, unschedulable } from "../framework/status";
import { scorePart } from "../framework/score";
import { PropertyLookupError, lookupProperty } from "./property-lookup";

// KubeFleet clusteraffinity plugin: required terms filter (OR-ed terms, AND-ed selectors),
// preferred terms score (PickN only; PickAll never runs the Score stage).

const NAME = "ClusterAffinity";
const NO_MATCH_REASON = "cluster does not match with any of the required cluster affinity terms";

type PropertyReading = { value: Quantity | undefined } | { error: string };
const PROPERTY_READINGS = Symbol("property readings");

/** Upstream fails the cycle on a selector it cannot parse ("failed to parse label selector"). */
function labelSelectorMatches(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  try {
    return matchesSelector(selector, labels);
  } catch (error) {
    if (error instanceof LabelSelectorError) throw new SchedulingCycleError(NAME, `failed to parse label selector: ${error.message}`);
    throw error;
  }
}

function readOnce(cluster: MemberCluster, name: string): PropertyReading {
  try {
    return { value: lookupProperty(cluster, name) };
  } catch (error) {
    if (error instanceof PropertyLookupError) return { error: error.message };
    throw error;
  }
}

/** A cluster's property, read once per schedule() call; a malformed one aborts the cycle every time it is read. */
function readProperty(state: CycleState, cluster: MemberCluster, name: string): Quantity | undefined {
  const readings = state.memo.once(PROPERTY_READINGS, () => new Map<string, Map<MemberCluster, PropertyReading>>());
  let byCluster = readings.get(name);
  if (!byCluster) readings.set(name, (byCluster = new Map()));
  let reading = byCluster.get(cluster);
  if (!reading) byCluster.set(cluster, (reading = readOnce(cluster, name)));
  if ("error" in reading) throw new SchedulingCycleError(NAME, reading.error);
  return reading.value;
}

function expressionHolds(observed: Quantity, expression: PropertySelectorRequirement): boolean {
  if (expression.values.length !== 1) {
    throw new SchedulingCycleError(NAME, "more than one value in the property selector expression");
  }
  const expected = tryParseQuantity(expression.values[0]);
  if (!expected) {
    throw new SchedulingCycleError(NAME, `value specified in property selector ${expression.values[0]} is not a valid resource quantity`);
  }
  const order = compareQuantities(observed, expected);
  switch (expression.operator) {
    case "Eq":
      return order === 0;
    case "Ne":
      return order !== 0;
    case "Gt":
      return order > 0;
    case "Ge":
      return order >= 0;
    case "Lt":
      return order < 0;
    case "Le":
      return order <= 0;
    default:
      throw new SchedulingCycleError(NAME, `invalid operator: ${String(expression.operator)}`);
  }
}

/** A required term matches when its label selector (if any) and every property expression hold. */
export function termMatches(state: CycleState, term: ClusterSelectorTerm, cluster: MemberCluster): boolean {
  if (term.labelSelector && !labelSelectorMatches(term.labelSelector, cluster.metadata.labels)) return false;
  for (const expression of term.propertySelector?.matchExpressions ?? []) {
    const observed = readProperty(state, cluster, expression.name);
    // A cluster that does not report the property does not satisfy the expression.
    if (observed === undefined || !expressionHolds(observed, expression)) return false;
  }
  return true;
}

function requiredTerms(state: CycleState): ClusterSelectorTerm[] {
  return state.policy.affinity?.clusterAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.clusterSelectorTerms ?? [];
}

function preferredTerms(state: CycleState): PreferredClusterSelector[] {
  return state.policy.affinity?.clusterAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
}

interface Extremes {
  min?: Quantity;
  max?: Quantity;
}

/** Sorter extremes are taken over *every* cluster that reports the property, eligible or not. */
function observedExtremes(state: CycleState, property: string): Extremes {
  const extremes: Extremes = {};
  for (const cluster of state.clusters) {
    const value = readProperty(state, cluster, property);
    if (value === undefined) continue;
    if (!extremes.min || compareQuantities(value, extremes.min) < 0) extremes.min = value;
    if (!extremes.max || compareQuantities(value, extremes.max) > 0) extremes.max = value;
  }
  return extremes;
}

type ExtremesByProperty = Map<string, Extremes>;

/** Upstream interpolateWeightFor: a linear share of the weight by the value's position in [min, max], Go-rounded. */
export function interpolateWeight(value: Quantity, extremes: Extremes, sortOrder: string, weight: number, context: string): number {
  if (!extremes.min || !extremes.max) {
    throw new SchedulingCycleError(NAME, `extremums for property are not available, yet a reading can be found from cluster ${context}`);
  }
  const f = quantityToFloat64(value);
  const minF = quantityToFloat64(extremes.min);
  const maxF = quantityToFloat64(extremes.max);
  // Go's math.IsInf: a NaN reading passes this check upstream too (and then scores 0 here).
  if (isInfiniteFloat64(minF) || isInfiniteFloat64(maxF) || minF > maxF || f < minF || f > maxF) {
    throw new SchedulingCycleError(NAME, `cannot interpolate weight, observed value ${f}, observed min ${minF}, observed max ${maxF}`);
  }
  if (minF === maxF) return 0; // the same value everywhere: no preference
  const share = (f - minF) / (maxF - minF);
  if (sortOrder === "Descending") return toInt32(goRound(share * weight));
  if (sortOrder === "Ascending") return toInt32(goRound((1 - share) * weight));
  throw new SchedulingCycleError(NAME, `cannot interpolate weight as sort order ${sortOrder} is invalid`);
}

function preferenceScore(state: CycleState, term: PreferredClusterSelector, cluster: MemberCluster, extremes: ExtremesByProperty): number {
  const { labelSelector, propertySorter } = term.preference;
  if (labelSelector && !labelSelectorMatches(labelSelector, cluster.metadata.labels)) return 0;
  // Neither selector nor sorter: the full weight for every cluster.
  if (!propertySorter) return term.weight;
  const value = readProperty(state, cluster, propertySorter.name);
  if (value === undefined) return 0;
  const range = extremes.get(propertySorter.name) ?? {};
  return interpolateWeight(value, range, propertySorter.sortOrder, term.weight, cluster.metadata.name);
}

export const clusterAffinity: Plugin = {
  name: NAME,
  bindingIndependent: true,
  preFilter(state) {
    return requiredTerms(state).length === 0 ? SKIP : SUCCESS;
  },
  filter(state, cluster) {
    return requiredTerms(state).some((term) => termMatches(state, term, cluster)) ? SUCCESS : unschedulable(NAME, NO_MATCH_REASON);
  },
  preScore(state) {
    const terms = preferredTerms(state);
    if (terms.length === 0) return SKIP;
    // The extremes depend on cluster data only: every cycle of the call sees the same ones.
    const extremes = state.memo.once(`${NAME}/extremes`, () => {
      const byProperty: ExtremesByProperty = new Map();
      for (const term of terms) {
        const sorter = term.preference.propertySorter;
        if (sorter && !byProperty.has(sorter.name)) byProperty.set(sorter.name, observedExtremes(state, sorter.name));
      }
      return byProperty;
    });
    state.pluginData.set(NAME, extremes);
    return SUCCESS;
  },
  score(state, cluster) {
    const extremes = (state.pluginData.get(NAME) as ExtremesByProperty | undefined) ?? new Map();
    let affinityScore = 0;
    for (const term of preferredTerms(state)) {
      if (term.weight !== 0) affinityScore += preferenceScore(state, term, cluster, extremes);
    }
    return scorePart({ affinityScore });
  },
};
