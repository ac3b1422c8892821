// planFleet: every fact about a fleet, decided once from its declaration as plain values: each
// member's provisioner, who owns its Cilium, its mesh, how its clustermesh-apiserver is reached,
// its kind cluster name, and what it asks the allocator for; each mesh's members and backend; and
// every problem the arguments alone reveal. allocateFleet then adds what needs the previous run's
// state: the allocation. The Pulumi components only register what these plans say.
// Pure: no Pulumi import.

import { FLEET_STATE_VERSION } from "./validation/previous-state";
import { allocate } from "./allocation";
import { needsNodePort, validateFleet } from "./validate-fleet";
import {
  ExistingCiliumDeclaration,
  FleetSpec,
  FleetState,
  MemberAllocation,
  MemberSpec,
  MemberTaint,
  MeshEndpointDeclaration,
  Provisioner,
  AllocationPools,
  AllocationRequest,
} from "./types";
import { kindClusterName, kindClusterNameViolations, kindControlPlane, OWNER_STACK_LABEL } from "./kind-names";
import { memberPath } from "./validation/findings";
import { AZ_FLEET_MEMBERSHIP } from "../azure/arm-fleet-members";
import { FieldViolation } from "../k8s/field-errors";
import { LabelSelector } from "../kubefleet/scheduler/types";
import { DEFAULT_CILIUM_VERSION, normalizeCiliumVersion, policyScopeFinding, tryParseCiliumVersion } from "../cilium/cilium-version";
import { globalNamespaceViolations } from "../cilium/global-namespaces";
import { DEFAULT_LOAD_BALANCER_POOL, loadBalancerPoolViolations } from "../cilium/load-balancer-pool";
import { MeshPlan, azureByLabel, meshPath, planMeshes } from "../cilium/mesh-plan";
import { hasOwn } from "./own";
import { DEFAULT_NODE_PORT_RANGE } from "./validation/fleet-settings";
import { NodePortRiskMember, sharedNodePortWarnings } from "../cilium/shared-nodeport-risk";

/** Where Cilium on a member comes from: fleetmesh's Helm release, or AKS itself (managed Cilium). */
export type CiliumOwner = "fleetmesh" | "aks";

export type { MeshEndpointDeclaration } from "./types";

/** One member as declared, reduced to plain values (a kubeconfig's text is not needed: only whether one was given). */
export interface MemberDeclarationFacts {
  name: string;
  kind?: { workers?: number; nodeImage?: string; clusterName?: string };
  aks?: {
    kubernetesVersion?: string;
    networkPlugin?: "azure" | "none";
    nodeSubnetCidr?: string;
    nodeCount?: number;
    clusterName?: string;
  };
  hasKubeconfig: boolean;
  labels?: Record<string, string>;
  taints?: MemberTaint[];
  clusterId?: number;
  podCidr?: string;
  serviceCidr?: string;
  nodePort?: number;
  meshEndpoint?: MeshEndpointDeclaration;
  /** The Cilium the (kubeconfig) member's cluster already runs, taken over instead of installed. */
  existingCilium?: ExistingCiliumDeclaration;
}

/** One mesh as declared. */
export interface MeshDeclarationFacts {
  name: string;
  memberSelector: LabelSelector;
  defaultGlobalNamespace?: boolean;
  globalNamespaces?: string[];
}

/** A fleet as declared, reduced to plain values. */
export interface FleetDeclaration {
  name: string;
  members: MemberDeclarationFacts[];
  meshes: MeshDeclarationFacts[];
  cilium?: { version?: string; kubeProxyReplacement?: boolean; routingMode?: "tunnel" | "native"; policyDefaultLocalCluster?: boolean };
  maxConnectedClusters?: 255 | 511;
  pools?: Partial<AllocationPools>;
  loadBalancerPool?: string;
  /** The fleet creates an Azure Fleet that AKS members join. */
  azureFleet: boolean;
  /** The label value that marks this stack as the owner of the kind clusters it creates. */
  ownerStack: string;
}

/** Fleet-wide Cilium settings every member shares. */
export interface FleetCiliumSettings {
  version: string;
  maxConnectedClusters: 255 | 511;
  kubeProxyReplacement: boolean;
  routingMode: "tunnel" | "native";
  /** With native routing: the fleet's pod CIDR pool, which every member's pod CIDR lies in. */
  nativeRoutingCidr: string;
  policyDefaultLocalCluster: boolean;
}

/** How a member's clustermesh-apiserver is exposed, and where peers dial it. */
export type ApiserverExposure =
  /** On the member's NodePort; `ips` as declared, or the kind node's address when undefined. */
  { type: "NodePort"; ips?: string[] } | { type: "LoadBalancer"; loadBalancerIP?: string; annotations?: Record<string, string> };

/** A kind member's cluster. */
export interface PlannedKindCluster {
  clusterName: string;
  /** `<clusterName>-control-plane`: the container `docker inspect` reads, and Cilium's `k8sServiceHost`. */
  controlPlane: string;
  workers: number;
  nodeImage?: string;
  nodeLabels: Record<string, string>;
}

/** Everything decided about one member. */
export interface PlannedMember {
  name: string;
  provisioner: Provisioner;
  labels: Record<string, string>;
  taints: MemberTaint[];
  ciliumOwner: CiliumOwner;
  /** The mesh this member belongs to (at most one). */
  mesh?: string;
  /**
   * Present for every member whose Cilium fleetmesh installs and whose endpoint is known (every kind
   * member; kubeconfig and AKS BYOCNI members with a `meshEndpoint`): it runs a clustermesh-apiserver
   * whether or not it is in a mesh, so joining one later changes no Helm values, not even its own.
   */
  apiserver?: ApiserverExposure;
  /** Present for kind members. */
  kind?: PlannedKindCluster;
  /** Cilium replaces kube-proxy (kind members, unless the fleet turns it off). */
  kubeProxyReplacement: boolean;
  /** Cilium answers ARP for LoadBalancer addresses (kind members with kube-proxy replacement). */
  l2Announcements: boolean;
  /**
   * The Cilium the member's cluster already runs (kubeconfig members that declared it): fleetmesh
   * takes that Helm release over (import, then upgrade with the mesh settings) and never uninstalls it.
   */
  existingCilium?: ExistingCiliumDeclaration;
  allocationRequest: AllocationRequest;
}

/** One mesh: its members (sorted) and backend, with what it creates on them. */
export interface PlannedMesh extends MeshPlan {
  /** As declared; always false on an Azure Fleet mesh, whose AKS-managed Cilium shares only annotated namespaces. */
  defaultGlobalNamespace: boolean;
  globalNamespaces: string[];
  /** Azure Fleet meshes: the selector as Azure's `memberSelector.byLabel`. */
  byLabel?: string;
}

/** Everything decided about a fleet from its arguments. */
export interface FleetPlan {
  name: string;
  cilium: FleetCiliumSettings;
  pools: AllocationPools;
  loadBalancerPool: string;
  /** In name order. */
  members: PlannedMember[];
  /** In name order. */
  meshes: PlannedMesh[];
  /** Refused before anything is registered when not empty. */
  violations: FieldViolation[];
  /** Shown in the preview. */
  warnings: string[];
}

/** Pools for 255 members; for 511 every slot is one bit smaller so 511 fit. */
export function defaultPools(maxConnectedClusters: 255 | 511): AllocationPools {
  const extraBit = maxConnectedClusters === 511 ? 1 : 0;
  return {
    podCidrPool: "10.0.0.0/9",
    podCidrPrefixLength: 17 + extraBit,
    serviceCidrPool: "10.128.0.0/12",
    serviceCidrPrefixLength: 20 + extraBit,
    // The whole Kubernetes NodePort range: new NodePorts are handed out lowest first, so they land in the
    // band Kubernetes keeps for static NodePorts (staticNodePortBand), while NodePorts allocated before
    // (when the default range was 32000-32767) stay where they are.
    nodePortRange: { ...DEFAULT_NODE_PORT_RANGE },
  };
}

function provisionersOf(member: MemberDeclarationFacts): Provisioner[] {
  const given: Provisioner[] = [];
  if (member.kind) given.push("kind");
  if (member.aks) given.push("aks");
  if (member.hasKubeconfig) given.push("kubeconfig");
  return given;
}

function ciliumOwnerOf(member: MemberDeclarationFacts): CiliumOwner {
  return member.aks && member.aks.networkPlugin !== "none" ? "aks" : "fleetmesh";
}

function exposureOf(member: MemberDeclarationFacts): ApiserverExposure | undefined {
  if (member.kind) return { type: "NodePort" };
  const endpoint = member.meshEndpoint;
  if (!endpoint) return undefined;
  if (endpoint.serviceType === "NodePort")
    return (endpoint.ips?.length ?? 0) > 0 ? { type: "NodePort", ips: [...endpoint.ips!] } : undefined;
  if (endpoint.loadBalancerIP === undefined) return undefined;
  return {
    type: "LoadBalancer",
    loadBalancerIP: endpoint.loadBalancerIP,
    ...(endpoint.annotations && { annotations: { ...endpoint.annotations } }),
  };
}

/** What the member pins (an existing Cilium's id is one); the allocator fills in the rest. */
function pinsOf(member: MemberDeclarationFacts): MemberSpec["pins"] {
  const clusterId = member.clusterId ?? member.existingCilium?.clusterId;
  return { clusterId, podCidr: member.podCidr, serviceCidr: member.serviceCidr, nodePort: member.nodePort };
}

/** A cluster fleetmesh does not create (kubeconfig alone): its declared CIDRs are facts, not allocations. */
function isExistingCluster(member: MemberDeclarationFacts): boolean {
  const given = provisionersOf(member);
  return given.length === 1 && given[0] === "kubeconfig";
}

function memberSpec(member: MemberDeclarationFacts): MemberSpec {
  return {
    name: member.name,
    provisioners: provisionersOf(member),
    labels: member.labels ?? {},
    taints: member.taints ?? [],
    // As declared: an existing Cilium's id is checked under existingCilium.clusterId.
    pins: { ...pinsOf(member), clusterId: member.clusterId },
    kubernetesVersion: member.aks?.kubernetesVersion,
    aksNetworkPlugin: member.aks ? (member.aks.networkPlugin ?? "azure") : undefined,
    kindWorkers: member.kind?.workers,
    kindNodeImage: member.kind?.nodeImage,
    ...(member.aks && {
      aks: { nodeSubnetCidr: member.aks.nodeSubnetCidr, nodeCount: member.aks.nodeCount, clusterName: member.aks.clusterName },
    }),
    ...(member.meshEndpoint !== undefined && { meshEndpoint: member.meshEndpoint }),
    ...(member.existingCilium !== undefined && { existingCilium: member.existingCilium }),
  };
}

function fleetSpec(declaration: FleetDeclaration, cilium: FleetCiliumSettings, pools: AllocationPools): FleetSpec {
  return {
    name: declaration.name,
    // As written: a refusal quotes the user's text, not its normalised form.
    ciliumVersion: declaration.cilium?.version ?? cilium.version,
    cilium: {
      kubeProxyReplacement: declaration.cilium?.kubeProxyReplacement,
      routingMode: declaration.cilium?.routingMode,
      policyDefaultLocalCluster: declaration.cilium?.policyDefaultLocalCluster,
    },
    maxConnectedClusters: cilium.maxConnectedClusters,
    pools,
    members: declaration.members.map(memberSpec),
  };
}

/**
 * The chart spelling of the version (`v1.18.12` → `1.18.12`), which Helm, the values, the peer config
 * and the what-if all read; a malformed version is kept as written, for validation to refuse.
 */
function chartVersion(text: string | undefined): string {
  if (text === undefined) return DEFAULT_CILIUM_VERSION;
  return typeof text === "string" && tryParseCiliumVersion(text) ? normalizeCiliumVersion(text) : text;
}

function ciliumSettings(declaration: FleetDeclaration, pools: AllocationPools): FleetCiliumSettings {
  return {
    version: chartVersion(declaration.cilium?.version),
    maxConnectedClusters: declaration.maxConnectedClusters ?? 255,
    kubeProxyReplacement: declaration.cilium?.kubeProxyReplacement ?? true,
    routingMode: declaration.cilium?.routingMode ?? "tunnel",
    nativeRoutingCidr: pools.podCidrPool,
    policyDefaultLocalCluster: declaration.cilium?.policyDefaultLocalCluster ?? true,
  };
}

function plannedKind(fleet: FleetDeclaration, member: MemberDeclarationFacts): PlannedKindCluster | undefined {
  if (!member.kind) return undefined;
  const clusterName = kindClusterName(fleet.name, member.name, member.kind.clusterName);
  return {
    clusterName,
    controlPlane: kindControlPlane(clusterName),
    workers: member.kind.workers ?? 0,
    ...(member.kind.nodeImage !== undefined && { nodeImage: member.kind.nodeImage }),
    nodeLabels: { [OWNER_STACK_LABEL]: fleet.ownerStack },
  };
}

function plannedMember(
  fleet: FleetDeclaration,
  member: MemberDeclarationFacts,
  meshOf: Map<string, PlannedMesh>,
  cilium: FleetCiliumSettings,
): PlannedMember {
  const provisioner = provisionersOf(member)[0] ?? "kubeconfig";
  const ciliumOwner = ciliumOwnerOf(member);
  const mesh = meshOf.get(member.name);
  const apiserver = ciliumOwner === "fleetmesh" ? exposureOf(member) : undefined;
  const kubeProxyReplacement = provisioner === "kind" && cilium.kubeProxyReplacement;
  const pins = pinsOf(member);
  return {
    name: member.name,
    provisioner,
    labels: { ...(member.labels ?? {}) },
    taints: [...(member.taints ?? [])],
    ciliumOwner,
    ...(mesh && { mesh: mesh.name }),
    ...(apiserver && { apiserver }),
    ...(member.kind && { kind: plannedKind(fleet, member) }),
    kubeProxyReplacement,
    l2Announcements: kubeProxyReplacement,
    ...(member.existingCilium && { existingCilium: { ...member.existingCilium, version: chartVersion(member.existingCilium.version) } }),
    // kind members, and members exposing their clustermesh-apiserver as a NodePort, get a NodePort.
    allocationRequest: {
      name: member.name,
      needsNodePort: needsNodePort({ provisioners: provisionersOf(member), meshEndpoint: member.meshEndpoint }),
      ...(isExistingCluster(member) && { cidrsAreFacts: true }),
      pins,
    },
  };
}

function plannedMeshes(
  declaration: FleetDeclaration,
  cilium: FleetCiliumSettings,
): { meshes: PlannedMesh[]; violations: FieldViolation[]; warnings: string[] } {
  const facts = declaration.members.map((member) => ({
    name: member.name,
    labels: member.labels ?? {},
    provisioner: provisionersOf(member)[0] ?? "kubeconfig",
    ciliumOwner: ciliumOwnerOf(member),
    kubernetesVersion: member.aks?.kubernetesVersion,
    hasMeshEndpoint: exposureOf(member) !== undefined,
  }));
  const specs = declaration.meshes.map((mesh) => ({ name: mesh.name, memberSelector: mesh.memberSelector }));
  const result = planMeshes(specs, facts, cilium.maxConnectedClusters);
  const byName = new Map(declaration.meshes.map((mesh) => [mesh.name, mesh]));
  const meshes = result.plans.map((plan): PlannedMesh => {
    const declared = byName.get(plan.name)!;
    const azure = plan.backend === "azure-fleet";
    const byLabel = azure ? azureByLabel(declared.memberSelector) : undefined;
    return {
      ...plan,
      defaultGlobalNamespace: azure ? false : (declared.defaultGlobalNamespace ?? true),
      globalNamespaces: Array.isArray(declared.globalNamespaces) ? [...declared.globalNamespaces] : [],
      ...(byLabel !== undefined && { byLabel }),
    };
  });
  const violations = [...result.violations];
  for (const name of new Set(meshes.map((mesh) => mesh.name))) {
    violations.push(...globalNamespaceViolations(`${meshPath(name)}.globalNamespaces`, byName.get(name)!.globalNamespaces));
  }
  for (const mesh of meshes) {
    if (mesh.backend === "azure-fleet" && !declaration.azureFleet) {
      violations.push({
        path: `meshes.${mesh.name}`,
        message: `mesh "${mesh.name}" joins AKS members with AKS-managed Cilium, which only an Azure Fleet ClusterMeshProfile can mesh: set azureFleet`,
      });
    }
  }
  return { meshes, violations, warnings: result.warnings };
}

function kindNameViolations(fleet: FleetDeclaration, members: readonly PlannedMember[]): FieldViolation[] {
  const declared = new Map(fleet.members.map((m) => [m.name, m]));
  const byCluster = new Map<string, string[]>();
  const violations: FieldViolation[] = [];
  for (const member of members) {
    if (!member.kind) continue;
    const derived = declared.get(member.name)?.kind?.clusterName === undefined;
    violations.push(...kindClusterNameViolations(`${memberPath(member.name)}.kind.clusterName`, member.kind.clusterName, derived));
    byCluster.set(member.kind.clusterName, [...(byCluster.get(member.kind.clusterName) ?? []), member.name]);
  }
  for (const [cluster, owners] of byCluster) {
    if (owners.length < 2) continue;
    violations.push({
      path: `${memberPath(owners[1])}.kind.clusterName`,
      message: `kind cluster name "${cluster}" is used by members ${owners.map((o) => `"${o}"`).join(", ")}: one kind cluster per member`,
    });
  }
  return violations;
}

/** Every fact about the fleet that its arguments decide, and every problem with them. */
export function planFleet(declaration: FleetDeclaration): FleetPlan {
  const maxConnectedClusters = declaration.maxConnectedClusters ?? 255;
  const pools = { ...defaultPools(maxConnectedClusters === 511 ? 511 : 255), ...definedEntries(declaration.pools) };
  const cilium = ciliumSettings(declaration, pools);
  const { meshes, violations: meshViolations, warnings: meshWarnings } = plannedMeshes(declaration, cilium);
  const meshOf = new Map(meshes.flatMap((mesh) => mesh.members.map((member) => [member, mesh] as const)));
  const members = [...declaration.members]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((member) => plannedMember(declaration, member, meshOf, cilium));
  const loadBalancerPool = declaration.loadBalancerPool ?? DEFAULT_LOAD_BALANCER_POOL;
  const policyScope = policyScopeFinding(cilium.version, declaration.cilium?.policyDefaultLocalCluster);
  const argumentViolations = [
    ...validateFleet(fleetSpec(declaration, cilium, pools)),
    ...meshViolations,
    ...loadBalancerPoolViolations(loadBalancerPool, { podCidrPool: pools.podCidrPool, serviceCidrPool: pools.serviceCidrPool }),
    ...(policyScope.violation ? [policyScope.violation] : []),
    ...kindNameViolations(declaration, members),
  ];
  // Pins, pools and capacity are checked now; only renumbering needs the previous run's state.
  const violations = argumentViolations.length > 0 ? argumentViolations : allocate(allocationInput(members, pools, cilium)).violations;
  const warnings = [
    ...(policyScope.warning && meshes.length > 0 ? [policyScope.warning] : []),
    ...meshWarnings,
    ...sharedNodePortWarnings(
      cilium.version,
      meshes.filter((mesh) => mesh.backend === "cilium"),
      members.map(nodePortRiskOf),
    ),
  ];
  return { name: declaration.name, cilium, pools, loadBalancerPool, members, meshes, violations, warnings };
}

function nodePortRiskOf(member: PlannedMember): NodePortRiskMember {
  return { name: member.name, kubeProxyReplacement: member.kubeProxyReplacement, reachedOnNodePort: member.apiserver?.type === "NodePort" };
}

/** The pools the user set (a pool given as undefined takes its default, like one left out). */
function definedEntries(pools: Partial<AllocationPools> | undefined): Partial<AllocationPools> {
  return Object.fromEntries(Object.entries(pools ?? {}).filter(([, value]) => value !== undefined)) as Partial<AllocationPools>;
}

function allocationInput(members: readonly PlannedMember[], pools: AllocationPools, cilium: FleetCiliumSettings) {
  return { requests: members.map((m) => m.allocationRequest), pools, maxConnectedClusters: cilium.maxConnectedClusters };
}

/**
 * This run's allocation, and the problems that need the previous run's state to see: a refused
 * renumbering, or a change of a setting fixed at install.
 */
export interface FleetAllocation {
  allocations: Record<string, MemberAllocation>;
  violations: FieldViolation[];
}

/**
 * Allocates every member against the previous run's state: pins win, existing members keep what they
 * had. A change of maxConnectedClusters is refused first; `allowRenumber` does not cover it.
 */
export function allocateFleet(plan: FleetPlan, previous: FleetState | undefined, allowRenumber: boolean): FleetAllocation {
  const result = allocate({ ...allocationInput(plan.members, plan.pools, plan.cilium), previous, allowRenumber });
  return {
    allocations: result.allocations,
    violations: [...maxConnectedClustersChange(plan, previous), ...takenOverUndeclared(plan, previous), ...result.violations],
  };
}

/**
 * A member whose Cilium an earlier run took over (`FleetState.takenOver`) keeps `existingCilium`:
 * without it the release would lose `reuseValues` (its own IPAM, routing and kube-proxy values would
 * be replaced) and `retainOnDelete` (removing the member would uninstall the cluster's CNI).
 */
function takenOverUndeclared(plan: FleetPlan, previous: FleetState | undefined): FieldViolation[] {
  const before: unknown = previous?.takenOver;
  const takenOver = Array.isArray(before) ? before.filter((name): name is string => typeof name === "string") : [];
  return plan.members
    .filter((member) => takenOver.includes(member.name) && member.existingCilium === undefined)
    .map((member) => ({
      path: `${memberPath(member.name)}.existingCilium`,
      message:
        `member ${JSON.stringify(member.name)} ran Cilium before fleetmesh, which an earlier run took over: keep its existingCilium ` +
        "declared; without it fleetmesh would replace the cluster's own Cilium values and uninstall its CNI with the member",
    }));
}

/**
 * `clustermesh.maxConnectedClusters` "cannot be changed on running clusters, and all clusters in a
 * ClusterMesh must be configured with the same value" (cilium/cilium install/kubernetes/cilium/values.yaml;
 * Documentation/network/clustermesh/clustermesh.rst warns against changing it after installation:
 * there is no migration path). So a run that asks for another value than the one recorded is refused
 * while any member installed with the recorded value is still in the fleet. State written before the
 * value was recorded has none: such a run is accepted, and records the value it installs with.
 */
function maxConnectedClustersChange(plan: FleetPlan, previous: FleetState | undefined): FieldViolation[] {
  const recorded: unknown = previous?.maxConnectedClusters;
  const requested = plan.cilium.maxConnectedClusters;
  if (recorded === undefined || recorded === requested) return [];
  const installed = plan.members.map((m) => m.name).filter((name) => hasOwn(previous?.members, name));
  if (installed.length === 0) return [];
  const shown = installed.map((name) => JSON.stringify(name)).join(", ");
  return [
    {
      path: "maxConnectedClusters",
      message:
        `maxConnectedClusters ${requested} differs from ${JSON.stringify(recorded) ?? String(recorded)}, which Cilium on ` +
        `${installed.length === 1 ? "member" : "members"} ${shown} was installed with: Cilium cannot change ` +
        "clustermesh.maxConnectedClusters on a running cluster, and every cluster of a mesh needs the same value " +
        `(allowRenumber does not apply); keep maxConnectedClusters ${JSON.stringify(recorded) ?? String(recorded)}`,
    },
  ];
}

/** What the fleet carries to the next run: every member's allocation, each mesh's members, and maxConnectedClusters. */
export function fleetState(plan: FleetPlan, allocations: Record<string, MemberAllocation>): FleetState {
  const takenOver = plan.members.filter((member) => member.existingCilium !== undefined).map((member) => member.name);
  const state: FleetState = {
    version: FLEET_STATE_VERSION,
    maxConnectedClusters: plan.cilium.maxConnectedClusters,
    members: allocations,
    ...(takenOver.length > 0 && { takenOver }),
    azureFleetMembership: AZ_FLEET_MEMBERSHIP,
  };
  if (plan.meshes.length === 0) return state;
  return { ...state, meshes: Object.fromEntries(plan.meshes.map((mesh) => [mesh.name, { members: [...mesh.members] }])) };
}
