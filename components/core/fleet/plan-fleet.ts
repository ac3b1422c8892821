// planFleet: every fact about a fleet, decided once from its declaration as plain values: each
// member's provisioner, who owns its Cilium, its mesh, how its clustermesh-apiserver is reached,
// its kind cluster name, and what it asks the allocator for; each mesh's members and backend; and
// every problem the arguments alone reveal. allocateFleet then adds what needs the previous run's
// state: the allocation. The Pulumi components only register what these plans say.
// Pure: no Pulumi import.

import { allocate } from "./allocation";
import { validateFleet } from "./validate-fleet";
import { FleetSpec, FleetState, MemberAllocation, MemberSpec, MemberTaint, Provisioner, AllocationPools, AllocationRequest } from "./types";
import { kindClusterName, kindClusterNameViolations, kindControlPlane, OWNER_STACK_LABEL } from "./kind-names";
import { memberPath } from "./validation/findings";
import { FieldViolation } from "../k8s/field-errors";
import { LabelSelector } from "../kubefleet/scheduler/types";
import { DEFAULT_CILIUM_VERSION, policyScopeFinding } from "../cilium/cilium-version";
import { DEFAULT_LOAD_BALANCER_POOL, loadBalancerPoolViolations } from "../cilium/load-balancer-pool";
import { MeshPlan, azureByLabel, planMeshes } from "../cilium/mesh-plan";

/** Where Cilium on a member comes from: fleetmesh's Helm release, or AKS itself (managed Cilium). */
export type CiliumOwner = "fleetmesh" | "aks";

/** How a kubeconfig or AKS BYOCNI member's clustermesh-apiserver is exposed to its peers, as declared. */
export interface MeshEndpointDeclaration {
  serviceType?: "LoadBalancer" | "NodePort";
  loadBalancerIP?: string;
  ips?: string[];
  annotations?: Record<string, string>;
}

/** One member as declared, reduced to plain values (a kubeconfig's text is not needed: only whether one was given). */
export interface MemberDeclarationFacts {
  name: string;
  kind?: { workers?: number; nodeImage?: string; clusterName?: string };
  aks?: { kubernetesVersion?: string; networkPlugin?: "azure" | "none" };
  hasKubeconfig: boolean;
  labels?: Record<string, string>;
  taints?: MemberTaint[];
  clusterId?: number;
  podCidr?: string;
  serviceCidr?: string;
  nodePort?: number;
  meshEndpoint?: MeshEndpointDeclaration;
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
    nodePortRange: { first: 32000, last: 32767 },
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

/** What the member pins; the allocator fills in the rest. */
function pinsOf(member: MemberDeclarationFacts): MemberSpec["pins"] {
  return { clusterId: member.clusterId, podCidr: member.podCidr, serviceCidr: member.serviceCidr, nodePort: member.nodePort };
}

function memberSpec(member: MemberDeclarationFacts): MemberSpec {
  return {
    name: member.name,
    provisioners: provisionersOf(member),
    labels: member.labels ?? {},
    taints: member.taints ?? [],
    pins: pinsOf(member),
    kubernetesVersion: member.aks?.kubernetesVersion,
    aksNetworkPlugin: member.aks ? (member.aks.networkPlugin ?? "azure") : undefined,
    kindWorkers: member.kind?.workers,
  };
}

function fleetSpec(declaration: FleetDeclaration, cilium: FleetCiliumSettings, pools: AllocationPools): FleetSpec {
  return {
    name: declaration.name,
    ciliumVersion: cilium.version,
    maxConnectedClusters: cilium.maxConnectedClusters,
    pools,
    members: declaration.members.map(memberSpec),
  };
}

function ciliumSettings(declaration: FleetDeclaration, pools: AllocationPools): FleetCiliumSettings {
  return {
    version: declaration.cilium?.version ?? DEFAULT_CILIUM_VERSION,
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
    // kind members, and members exposing their clustermesh-apiserver as a NodePort, get a NodePort.
    allocationRequest: {
      name: member.name,
      needsNodePort: provisioner === "kind" || member.meshEndpoint?.serviceType === "NodePort",
      pins,
    },
  };
}

function plannedMeshes(
  declaration: FleetDeclaration,
  cilium: FleetCiliumSettings,
): { meshes: PlannedMesh[]; violations: FieldViolation[] } {
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
      globalNamespaces: [...(declared.globalNamespaces ?? [])],
      ...(byLabel !== undefined && { byLabel }),
    };
  });
  const violations = [...result.violations];
  for (const mesh of meshes) {
    if (mesh.backend === "azure-fleet" && !declaration.azureFleet) {
      violations.push({
        path: `meshes.${mesh.name}`,
        message: `mesh "${mesh.name}" joins AKS members with AKS-managed Cilium, which only an Azure Fleet ClusterMeshProfile can mesh: set azureFleet`,
      });
    }
  }
  return { meshes, violations };
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
  const pools = { ...defaultPools(maxConnectedClusters === 511 ? 511 : 255), ...declaration.pools };
  const cilium = ciliumSettings(declaration, pools);
  const { meshes, violations: meshViolations } = plannedMeshes(declaration, cilium);
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
  const warnings = policyScope.warning && meshes.length > 0 ? [policyScope.warning] : [];
  return { name: declaration.name, cilium, pools, loadBalancerPool, members, meshes, violations, warnings };
}

function allocationInput(members: readonly PlannedMember[], pools: AllocationPools, cilium: FleetCiliumSettings) {
  return { requests: members.map((m) => m.allocationRequest), pools, maxConnectedClusters: cilium.maxConnectedClusters };
}

/** This run's allocation, and the problems that need the previous run's state to see (a refused renumbering). */
export interface FleetAllocation {
  allocations: Record<string, MemberAllocation>;
  violations: FieldViolation[];
}

/** Allocates every member against the previous run's state: pins win, existing members keep what they had. */
export function allocateFleet(plan: FleetPlan, previous: FleetState | undefined, allowRenumber: boolean): FleetAllocation {
  const result = allocate({ ...allocationInput(plan.members, plan.pools, plan.cilium), previous, allowRenumber });
  return { allocations: result.allocations, violations: result.violations };
}

/** What the fleet carries to the next run: every member's allocation, and each mesh's members. */
export function fleetState(plan: FleetPlan, allocations: Record<string, MemberAllocation>): FleetState {
  if (plan.meshes.length === 0) return { version: 1, members: allocations };
  return {
    version: 1,
    members: allocations,
    meshes: Object.fromEntries(plan.meshes.map((mesh) => [mesh.name, { members: [...mesh.members] }])),
  };
}
