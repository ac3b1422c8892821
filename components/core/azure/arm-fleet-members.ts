// Handing AKS members' Azure Fleet membership over from the ARM FleetMember resources of earlier
// fleetmesh versions to the `az fleet member` Commands (fleet-member-script.ts). Pure: no Pulumi import.
//
// The two are different resource types, so the engine sees a new Command and a removed ARM resource.
// It runs deletes of removed resources last (pulumi/pulumi pkg/resource/deploy/step_generator.go,
// GenerateDeletes after every create and update): the Command joins the member (a PUT, which
// converges on the existing membership), and then the ARM resource's delete takes the member out of
// the fleet again, and out of its mesh. Pulumi's own way out is a resource that is still registered
// with `retainOnDelete` in one run and dropped in the next: the engine then removes it from the state
// without calling the provider (pkg/resource/deploy/step.go, DeleteStep.Apply). Which run is the
// first under the Commands is known from the fleet's state: state written since then records
// `azureFleetMembership`.

import { FleetState } from "../fleet/types";
import { FieldViolation } from "../k8s/field-errors";
import { hasOwn } from "../fleet/own";

/** What the fleet's state records once AKS members' membership is kept by `az fleet member` Commands. */
export const AZ_FLEET_MEMBERSHIP = "az-fleet-member" as const;

export interface ArmFleetMemberInput {
  /** The fleet is an Azure Fleet, so its AKS members join it. */
  azureFleet: boolean;
  /** The AKS members of this run. */
  aksMembers: readonly string[];
  /** The previous run's state. */
  previous: FleetState | undefined;
  /** `azureFleet.retireArmFleetMembers`. */
  retiring: boolean;
}

/** The refusal or warnings of the hand-over, for this run. */
export interface ArmFleetMemberOutcome {
  violations: FieldViolation[];
  warnings: string[];
}

const PATH = "azureFleet.retireArmFleetMembers";

/**
 * A run whose previous state predates the Commands, with AKS members that were in it, is refused
 * unless `retireArmFleetMembers` keeps their ARM FleetMember resources (retained) for this run. Once
 * the state records the Commands, the setting is only a reminder to remove it.
 */
export function armFleetMemberHandover(input: ArmFleetMemberInput): ArmFleetMemberOutcome {
  const previous = input.previous;
  if (!input.azureFleet || previous === undefined) return { violations: [], warnings: [] };
  if (previous.azureFleetMembership === AZ_FLEET_MEMBERSHIP) {
    const warnings = input.retiring
      ? [
          `${PATH} is set, but the previous run already kept the Fleet memberships with az fleet member: remove it, ` +
            "and the next run drops the retained ARM FleetMember resources from the state without deleting the memberships",
        ]
      : [];
    return { violations: [], warnings };
  }
  const joinedBefore = input.aksMembers.filter((name) => hasOwn(previous.members, name));
  if (joinedBefore.length === 0 || input.retiring) return { violations: [], warnings: [] };
  const names = joinedBefore.map((name) => JSON.stringify(name)).join(", ");
  return {
    violations: [
      {
        path: PATH,
        message:
          `AKS ${joinedBefore.length === 1 ? "member" : "members"} ${names} joined the Azure Fleet in an earlier run through ARM ` +
          "FleetMember resources, which this version replaces with az fleet member commands: a plain run would create the new " +
          "membership and then delete the old resource, taking the member out of the fleet and its mesh. Set " +
          `${PATH}: true for one run (it keeps the old resources this run, marked retainOnDelete), then remove it: the run ` +
          "after drops them from the state and leaves the memberships in place",
      },
    ],
    warnings: [],
  };
}
