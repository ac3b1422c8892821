// One owner per namespace on a member: a namespace a hub placement carries must not also be created
// there by a fleetmesh component (a mesh's global namespace, a service's namespace). KubeFleet's work
// applier takes over an object that already exists on a member unless told not to (ApplyStrategy
// `whenToTakeOver`, default Always: kubefleet-dev/kubefleet apis/placement/v1beta1/clusterresourceplacement_types.go),
// and then deletes it with the placement or when the placement leaves the member: a namespace goes with
// every object inside, the ones Pulumi manages included. `IfNoDiff` takes over a Namespace whose placed
// manifest matches (a bare Namespace always does, compared on the fields it sets), and `Never` leaves the
// placement failing to apply it ("NotTakenOver", pkg/controllers/workapplier/process.go); whichever of
// Fleet and fleetmesh gets to a new member first owns it. So the combination is refused. Pure: no Pulumi import.

import { FieldViolation } from "../../k8s/field-errors";
import { show } from "../../fleet/validation/findings";
import { KubernetesObject, ResourceSelectorTerm, namespacesSelectedBy } from "./resource-selection";
import { PlacementMode } from "./status";

export interface NamespaceOwnershipInput {
  placement: string;
  mode?: PlacementMode;
  resources: readonly KubernetesObject[];
  resourceSelectors: readonly ResourceSelectorTerm[];
  /** The fleet's members, in its order. */
  members: readonly string[];
  /** The fleetmesh component that creates `namespace` on `member`, if one does. */
  creatorOf: (member: string, namespace: string) => string | undefined;
}

/** One violation per selector and namespace a hub placement carries that a fleetmesh component also creates on some member. */
export function takenOverNamespaceViolations(input: NamespaceOwnershipInput): FieldViolation[] {
  if (input.mode !== "hub") return [];
  return namespacesSelectedBy(input.resources, input.resourceSelectors).flatMap(({ index, namespace }) => {
    const created = creators(input, namespace);
    if (created.size === 0) return [];
    const by = [...created].map(([owner, members]) => `${owner} on ${members.map(show).join(", ")}`).join("; ");
    return [
      {
        path: `resourceSelectors[${index}]`,
        message:
          `selects namespace ${show(namespace)}, which fleetmesh also creates on members (${by}): the hub would take that namespace over ` +
          "(whenToTakeOver Always, the default; IfNoDiff too, since the placed Namespace matches) and delete it, with every object inside, " +
          "when the placement is deleted or leaves the member, while Never leaves the placement failing to apply it; give the namespace one owner: " +
          "leave it out of the mesh's globalNamespaces (or set the service's createNamespace: false) and place it from the hub, with the " +
          '`clustermesh.cilium.io/global: "true"` annotation where the mesh should share it',
      },
    ];
  });
}

/** Owner → the members it creates the namespace on, in the fleet's order. */
function creators(input: NamespaceOwnershipInput, namespace: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const member of input.members) {
    const owner = input.creatorOf(member, namespace);
    if (owner !== undefined) out.set(owner, [...(out.get(owner) ?? []), member]);
  }
  return out;
}
