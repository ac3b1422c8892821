// What a placement would do silently, said during preview: a resource selector that carries no
// object of the inventory, and a placement whose objects go to no member. Neither is an error
// upstream (a ClusterResourcePlacement may select nothing, and a policy may match no cluster),
// so they are warnings, not refusals. Also: in hub mode, taints fleetmesh cannot write to the
// hub (members outside the Azure Fleet), and an option that only hub mode uses. Pure: no Pulumi import.

import { render } from "../../k8s/field-errors";
import { Condition } from "../scheduler/types";
import { KubernetesObject, ResourceSelectorTerm, selectorsSelectingNothing } from "./resource-selection";
import { PlacementMode } from "./status";

export interface PlacementWarningInput {
  placement: string;
  resources: readonly KubernetesObject[];
  resourceSelectors: readonly ResourceSelectorTerm[];
  mode?: PlacementMode;
  /** The members that hold the objects after this run (predicted in hub mode). */
  targets: readonly string[];
  /** The placement's Scheduled condition. */
  condition: Condition;
  /** Hub mode: tainted members whose taints are not written to the hub. @default none */
  unwrittenTaints?: readonly string[];
  /** @default false */
  replaceOnPolicyChange?: boolean;
}

/** One line per silent no-op, each naming the placement and what matched nothing. */
export function placementWarnings(input: PlacementWarningInput): string[] {
  const unmatched = selectorsSelectingNothing(input.resources, input.resourceSelectors).map(
    (i) =>
      `Placement "${input.placement}": resourceSelectors[${i}] ${render(input.resourceSelectors[i])} selects no object of resources, so it places nothing`,
  );
  const scheduling = input.targets.length > 0 ? [] : [noTargetWarning(input)];
  return [...unmatched, ...scheduling, ...hubWarnings(input)];
}

function hubWarnings(input: PlacementWarningInput): string[] {
  const out = (input.unwrittenTaints ?? []).map(
    (member) =>
      `Placement "${input.placement}": member "${member}"'s taints are not written to the hub (it joins no Azure Fleet): ` +
      `the hub schedules by the taints of its own MemberCluster "${member}", which the prediction may not match`,
  );
  if (input.replaceOnPolicyChange === true && input.mode !== "hub")
    out.push(
      `Placement "${input.placement}": replaceOnPolicyChange does nothing in direct mode (there is no ClusterResourcePlacement to replace)`,
    );
  return out;
}

function noTargetWarning(input: PlacementWarningInput): string {
  const verb = input.mode === "hub" ? "is predicted to place" : "places";
  const { status, reason, message } = input.condition;
  return `Placement "${input.placement}" ${verb} its objects on no member (Scheduled=${status} ${reason}: ${message})`;
}
