// What a placement carries from one run to the next, and the stack output it is read back from.
// Pure: no Pulumi import.

import { Binding } from "../scheduler/types";
import { HubPlacementSpec } from "./hub-update";
import { camelCaseName } from "../../fleet/state-output";

/**
 * What a placement carries from one run to the next: its bindings make it sticky, as a
 * ClusterResourcePlacement's ClusterResourceBindings do (kubefleet-dev/kubefleet
 * apis/placement/v1beta1/binding_types.go).
 */
export interface PlacementState {
  /** The state's format: 1 (the only one a placement reads back). */
  version: number;
  /** The previous run's bindings, one per cluster that held or was to hold the objects. */
  bindings: Binding[];
  /** A hash of the placed objects (objectsHash): a change makes the rollout go batch by batch. */
  objectsHash: string;
  /**
   * Hub mode: the policy and strategy handed to the hub's ClusterResourcePlacement, so the next run
   * can tell an update the hub would refuse before `up`. Absent in direct mode and in older states.
   */
  hubSpec?: HubPlacementSpec;
}

/** The one format of PlacementState a placement reads back. */
export const PLACEMENT_STATE_VERSION = 1;

/** A stack output that is a PlacementState (and not some other export under that name). */
export function isPlacementState(value: unknown): value is PlacementState {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as PlacementState).version === PLACEMENT_STATE_VERSION &&
    Array.isArray((value as PlacementState).bindings)
  );
}

/**
 * The stack output a Placement reads its previous bindings from by default: the placement's name in
 * camelCase plus "PlacementState" ("pick-all-production" → "pickAllProductionPlacementState"), the
 * name a TypeScript program can export (`export const pickAllProductionPlacementState = p.state`).
 */
export function placementStateOutputName(placementName: string): string {
  return `${camelCaseName(placementName)}PlacementState`;
}
