import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import type { FleetArgs } from "../fleet";
import { KubeloginOptions, kubeloginOptionProblems } from "../core/azure/kubeconfig-login";
import { AksAddressFacts, allocatedPodCidrViolations, azurePreflightViolations } from "../core/azure/preflight";
import { FieldViolation } from "../core/k8s/field-errors";
import { MemberAllocation } from "../core/fleet/types";
import { kubeloginOptions } from "./azure-hub";
import { VnetWriteQueue } from "./azure-subnets";
import type { FleetMembership } from "./azure-fleet-member";

/** A plain string, or undefined for a Pulumi Input known only later. */
const plain = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** Each AKS member's address facts, as far as the arguments give them as plain values. */
export function aksAddressFacts(args: FleetArgs): AksAddressFacts[] {
  return Object.entries(args.members ?? {}).flatMap(([member, declaration]): AksAddressFacts[] => {
    const aks = declaration?.aks;
    if (aks === undefined || aks === null || typeof aks !== "object") return [];
    const prefixes = aks.virtualNetwork?.addressPrefixes;
    return [
      {
        member,
        location: plain(aks.location),
        addressPrefixes: Array.isArray(prefixes) ? prefixes : undefined,
        nodeSubnetCidr: plain(aks.nodeSubnetCidr),
        podCidr: plain(declaration.podCidr),
        podSubnetInVnet: aks.networkPlugin !== "none",
      },
    ];
  });
}

/**
 * What Azure would refuse about the fleet's Azure parts, knowable from the arguments: the Azure Fleet's
 * name and location, the AKS members' locations and subnets against their VNet's address prefixes
 * (core/azure/preflight.ts), and the login options (core/azure/kubeconfig-login.ts).
 */
export function azureArgumentViolations(componentName: string, args: FleetArgs): FieldViolation[] {
  const azure = args.azureFleet;
  const fleet =
    azure === undefined || azure === null
      ? undefined
      : {
          name: plain(azure.fleetName) ?? componentName,
          nameGiven: azure.fleetName !== undefined,
          hub: azure.hub !== false,
          location: plain(azure.location),
        };
  const login = (args.azureLogin ? kubeloginOptionProblems(args.azureLogin) : []).map((p) => ({
    path: `azureLogin.${p.field}`,
    message: p.field === "mode" ? `Unsupported value: ${p.message}` : p.message,
  }));
  const waitSeconds = azure?.hubAccess?.waitSeconds;
  const wait =
    waitSeconds === undefined || (Number.isInteger(waitSeconds) && waitSeconds > 0)
      ? []
      : [
          {
            path: "azureFleet.hubAccess.waitSeconds",
            message: `Invalid value: ${waitSeconds}: must be a positive whole number of seconds`,
          },
        ];
  const hubless =
    azure?.hubAccess !== undefined && azure.hub === false
      ? [{ path: "azureFleet.hubAccess", message: "is set on a fleet without a hub (hub: false): there is no hub to reach" }]
      : [];
  return [...azurePreflightViolations(fleet, aksAddressFacts(args)), ...login, ...wait, ...hubless];
}

/** Allocated pod CIDRs outside their VNet's address prefixes: refused once the allocation is known. */
export function azureAllocationViolations(args: FleetArgs, allocations: Record<string, MemberAllocation>): FieldViolation[] {
  const podCidrs = Object.fromEntries(Object.entries(allocations).map(([member, a]) => [member, a.podCidr]));
  return allocatedPodCidrViolations(aksAddressFacts(args), podCidrs);
}

/** What an Azure Fleet hands its AKS members: where to join (and in which subscription). */
export function azureFleetMembership(
  fleetName: pulumi.Input<string>,
  resourceGroupName: pulumi.Input<string>,
  retireArmFleetMember: boolean,
  parent: pulumi.Resource,
): Omit<FleetMembership, "labels"> {
  // The subscription the azure-native provider creates the fleet in: the members' `az` calls name it.
  const subscriptionId = authorization.getClientConfigOutput({ parent }).subscriptionId;
  return { fleetName, resourceGroupName, subscriptionId, retireArmFleetMember };
}

/** The Azure wiring every AKS member of one fleet shares. */
export function aksWiring(args: FleetArgs): { login: KubeloginOptions; subnets: VnetWriteQueue } {
  return { login: kubeloginOptions(args.azureLogin), subnets: new VnetWriteQueue() };
}
