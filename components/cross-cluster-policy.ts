import * as pulumi from "@pulumi/pulumi";
import { privateState } from "./runtime/private-state";
import { checkArgs } from "./runtime/check-args";
import * as k8s from "@pulumi/kubernetes";
import {
  CiliumClusterNaming,
  PolicyDirection,
  PolicyMemberFacts,
  PolicyPeer,
  PolicyPort,
  crossClusterPolicies,
  crossClusterPolicyViolations,
} from "./core/services/network-policy";
import { refuse } from "./errors";
import { Fleet } from "./fleet";
import { FleetRef, requireFleet } from "./fleet-ref";
import { Member } from "./member";
import type { ClusterMesh } from "./cluster-mesh";

/** Traffic allowed from some pods of some members to other pods of the same or other members. */
export interface CrossClusterPolicyArgs {
  /** The fleet the members belong to. */
  readonly fleet: FleetRef;
  /** The pods allowed to connect: their member (or members), namespace and labels. */
  readonly from: PolicyPeer;
  /** The pods they may connect to: their member (or members), namespace and labels. */
  readonly to: PolicyPeer;
  /**
   * Destination ports (`protocol` TCP, UDP, SCTP or ANY; default TCP).
   * @default every port and protocol of the destination pods
   */
  readonly ports?: PolicyPort[];
  /**
   * Also let the source pods resolve names with their own member's kube-dns (port 53, any
   * protocol, every name): the egress policy otherwise blocks DNS.
   * @default true: the source pods may query their own member's kube-dns
   */
  readonly allowDns?: boolean;
  /**
   * Base name of the policies: `<policyName>-egress` and `<policyName>-ingress`.
   * @default the component's name
   */
  readonly policyName?: string;
  /**
   * The policies' `spec.description`.
   * @default no description on the policies
   */
  readonly description?: string;
}

/**
 * Allows pods with `from.labels` in `from.member` (or `from.members`) to reach pods with `to.labels`
 * in `to.member` (or `to.members`), as CiliumNetworkPolicies on every member that must enforce it
 * (policies are not synced across a mesh): the egress side, with DNS, on each source member and the ingress side on each destination
 * member. Every selector names its cluster (`io.cilium.k8s.policy.cluster`), so the policy means
 * the same whatever `policyDefaultLocalCluster` says; the fleet pins that too. So it is refused on
 * members whose Cilium fleetmesh does not install (AKS-managed Cilium, a Fleet-managed mesh): their
 * Cilium cluster is not named after the member. `dependsOn` in the
 * options is passed to every policy (e.g. the component that creates the namespaces).
 */
export class CrossClusterPolicy extends pulumi.ComponentResource {
  /** The members that enforce a side of the policy, sorted. */
  public readonly enforcedOn: string[];
  /** The names of the policies: `<policyName>-egress` and `<policyName>-ingress`. */
  public readonly policyNames: string[];
  /** The name of the Fleet component it belongs to. */
  public readonly fleetName: string;

  // Handles are getters over `internals`, not fields (runtime/private-state.ts says why).

  /** `<member>-egress` / `<member>-ingress` → the policy on that member. */
  public get policies(): Record<string, k8s.apiextensions.CustomResource> {
    return internals.of(this);
  }

  constructor(name: string, args: CrossClusterPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
    const component = `CrossClusterPolicy "${name}"`;
    // Structure first (types, required and unknown fields): every rule below assumes it.
    checkArgs(component, "CrossClusterPolicyArgs", args);
    const fleet = requireFleet(component, args.fleet);
    const input = {
      name: args.policyName ?? name,
      from: args.from,
      to: args.to,
      ports: args.ports,
      allowDns: args.allowDns,
      description: args.description,
    };
    refuse(component, crossClusterPolicyViolations(input, policyMembers(fleet)));
    super("fleetmesh:index:CrossClusterPolicy", name, {}, opts);
    this.fleetName = fleet.componentName;
    const policies: Record<string, k8s.apiextensions.CustomResource> = {};
    internals.set(this, policies);
    const placed = crossClusterPolicies(input);
    for (const { member, direction, manifest } of placed) {
      policies[key(member, direction)] = new k8s.apiextensions.CustomResource(
        `${name}-${member}-${direction}`,
        { ...manifest },
        // CiliumNetworkPolicy is a Cilium CRD: it exists once Cilium is installed on the member.
        {
          parent: this,
          provider: fleet.members[member].provider,
          dependsOn: ciliumFirst(fleet.members[member], opts?.dependsOn),
        },
      );
    }
    this.enforcedOn = [...new Set(placed.map((p) => p.member))].sort();
    this.policyNames = [...new Set(placed.map((p) => p.manifest.metadata.name))].sort();
    this.registerOutputs({ enforcedOn: this.enforcedOn, policyNames: this.policyNames, fleetName: this.fleetName });
  }
}

/** Each policy's `<member>-<direction>` → the policy (kept off the class: runtime/private-state.ts). */
const internals = privateState<CrossClusterPolicy, Record<string, k8s.apiextensions.CustomResource>>("CrossClusterPolicy");

/** Each member's mesh and who names its Cilium cluster. */
function policyMembers(fleet: Fleet): PolicyMemberFacts[] {
  const meshes = Object.values(fleet.meshes);
  return Object.values(fleet.members).map((member) => {
    const mesh = meshes.find((m) => m.members.includes(member.memberName));
    return { name: member.memberName, mesh: mesh?.meshName, clusterNaming: clusterNaming(member, mesh) };
  });
}

function clusterNaming(member: Member, mesh: ClusterMesh | undefined): CiliumClusterNaming {
  if (member.ciliumOwner === "fleetmesh") return "fleetmesh";
  return mesh?.backend === "azure-fleet" ? "azure-fleet-mesh" : "aks";
}

/** Cilium's release on the member, then whatever the options' `dependsOn` names. */
function ciliumFirst(
  member: Member,
  dependsOn: pulumi.ComponentResourceOptions["dependsOn"],
): pulumi.Input<pulumi.Input<pulumi.Resource>[]> {
  const given = (dependsOn === undefined ? [] : Array.isArray(dependsOn) ? dependsOn : [dependsOn]) as pulumi.Input<pulumi.Resource>[];
  return afterCilium(member, given);
}

async function afterCilium(member: Member, given: pulumi.Input<pulumi.Resource>[]): Promise<pulumi.Input<pulumi.Resource>[]> {
  return [...(await member.ciliumInstalled), ...given];
}

function key(member: string, direction: PolicyDirection): string {
  return `${member}-${direction}`;
}
