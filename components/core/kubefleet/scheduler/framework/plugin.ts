import { MemberCluster, ScheduleOptions } from "../types";
import { DefaultedPolicy } from "../policy";
import { PluginStatus } from "./status";
import { Score } from "./score";
import { CallMemo } from "./memo";

/** What one scheduling cycle shares between the framework and its plugins (upstream `CycleState`). */
export interface CycleState {
  /** Every cluster of the fleet, ineligible ones included. */
  readonly clusters: readonly MemberCluster[];
  readonly policy: DefaultedPolicy;
  /** The current policy's identity: bindings with another hash are obsolete. */
  readonly policyHash: string;
  readonly now: Date;
  readonly options: Required<ScheduleOptions>;
  /** Clusters holding a Scheduled or Bound binding of the current policy. */
  readonly selectedClusters: ReadonlySet<string>;
  /** Clusters holding a binding of an older policy. */
  readonly obsoleteClusters: ReadonlySet<string>;
  readonly skippedFilterPlugins: Set<string>;
  readonly skippedScorePlugins: Set<string>;
  /** Per-plugin data prepared at PreFilter / PreScore. */
  readonly pluginData: Map<string, unknown>;
  /** Shared by every cycle of one schedule() call. */
  readonly memo: CallMemo;
}

/** A scheduler plugin; each optional method is one extension point of KubeFleet's framework. */
export interface Plugin {
  readonly name: string;
  /**
   * Filter and Score depend only on the cluster, the policy and the clock, never on the bindings, so
   * the framework computes them once per cluster per schedule() call.
   */
  readonly bindingIndependent?: boolean;
  /** Returns a batch size limit, or undefined to skip. */
  postBatch?(state: CycleState): number | undefined;
  preFilter?(state: CycleState): PluginStatus;
  /** `position` is the cluster's index in `state.clusters`, for plugins that keep per-cluster arrays. */
  filter?(state: CycleState, cluster: MemberCluster, position: number): PluginStatus;
  preScore?(state: CycleState): PluginStatus;
  /** Returns every component (zeros for the ones the plugin does not score): one object shape for all plugins. */
  score?(state: CycleState, cluster: MemberCluster, position: number): Score;
}

/** The plugins run at each extension point, in order. */
export interface Profile {
  readonly postBatch: readonly Plugin[];
  readonly preFilter: readonly Plugin[];
  readonly filter: readonly Plugin[];
  readonly preScore: readonly Plugin[];
  readonly score: readonly Plugin[];
}
