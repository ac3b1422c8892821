// One L4 entry point that balances across clusters, pure core. On AKS members with AKS-managed
// Cilium: Azure Fleet networking (a ServiceExport per exporting member, a MultiClusterService on the
// ingress member; the CRDs of Azure/fleet-networking config/crd/bases). On members whose Cilium
// fleetmesh installs: a Cilium global service (annotations from cilium/cilium pkg/annotation/k8s.go)
// whose ingress copy is a LoadBalancer with an LB-IPAM address. Pure: no Pulumi import.

import { labelSelectorMatches } from "../k8s/labels";
import { LabelSelector } from "../kubefleet/scheduler";
import { AKS_INTERNAL_LB_ANNOTATION } from "../cilium/cilium-values";
import {
  ServiceManifest,
  ServicePortSpec,
  ciliumPortConsistencyViolations,
  globalServiceManifest,
  groupBySignature,
  namespaceViolations,
  portsPerMember,
  protocolOf,
  selectorViolations,
  serviceNameViolations,
  systemNamespaceViolations,
} from "./global-service";
import { pinnedIngressMetadata } from "../cilium/load-balancer-pool";
import { FieldViolation, Provisioner } from "../fleet/types";
import { show } from "../fleet/validation/findings";

/** ServiceExport: v1beta1 is the storage version (Azure/fleet-networking config/crd/bases/networking.fleet.azure.com_serviceexports.yaml). */
export const SERVICE_EXPORT_API_VERSION = "networking.fleet.azure.com/v1beta1";
/** MultiClusterService is served as v1alpha1 only (Azure/fleet-networking config/crd/bases/networking.fleet.azure.com_multiclusterservices.yaml). */
export const MULTI_CLUSTER_SERVICE_API_VERSION = "networking.fleet.azure.com/v1alpha1";
/**
 * On the MultiClusterService; the controller puts `service.beta.kubernetes.io/azure-load-balancer-internal`
 * on the derived Service (Azure/fleet-networking pkg/controllers/multiclusterservice/controller.go).
 */
export const FLEET_INTERNAL_LB_ANNOTATION = "networking.fleet.azure.com/azure-load-balancer-internal";

/** What planning needs to know about a member. */
export interface McsMemberFacts {
  name: string;
  /** Its labels as Fleet shows them: its own, and on an Azure Fleet member the `fleet.azure.com/*` ones Fleet adds. */
  labels: Record<string, string>;
  /**
   * Label keys the member will carry whose value is not known now (an Azure Fleet label from an
   * input that is a Pulumi Output): a selector on them cannot be decided here.
   * @default none
   */
  unknownLabelKeys?: readonly string[];
  provisioner: Provisioner;
  /** "aks": AKS-managed Cilium (Azure CNI on the flat network), realized by Azure Fleet networking. */
  ciliumOwner: "fleetmesh" | "aks";
  /** The mesh the member is in. */
  mesh?: string;
  /** Cilium on the member answers ARP for LoadBalancer addresses (kind members with kube-proxy replacement). */
  l2Announcements: boolean;
}

export interface MultiClusterServiceInput {
  serviceName: string;
  namespace: string;
  exportFrom: LabelSelector;
  ingressMember: string;
  internal?: boolean;
  /** One list for every exporting member; at most one of `ports` and `portsByMember` (on an Azure Fleet), exactly one otherwise. */
  ports?: ServicePortSpec[];
  /** Exporting member name → its list. */
  portsByMember?: Record<string, ServicePortSpec[]>;
  selector?: Record<string, string>;
  members: readonly McsMemberFacts[];
  /** The fleet has an Azure Fleet with a hub (fleet networking runs on the hub). */
  azureFleetHub: boolean;
  /**
   * Whether the Cilium realization creates the namespace on each member that gets a Service.
   * @default true
   */
  createNamespace?: boolean;
}

/** How a MultiClusterService is realized, decided by its ingress member. */
export const Realization = {
  /** Azure Fleet networking: a ServiceExport on each exporting member, a MultiClusterService on the ingress member. */
  AzureFleet: "azure-fleet",
  /** A Cilium global service on each exporting member, with a LoadBalancer copy on the ingress member. */
  Cilium: "cilium",
} as const;
export type Realization = (typeof Realization)[keyof typeof Realization];

interface PlanBase {
  ingress: string;
  /** Members whose endpoints serve the service, sorted. */
  exporters: string[];
}
export interface AzureFleetMcsPlan extends PlanBase {
  realization: typeof Realization.AzureFleet;
  /** Per exporting member, when the ports were given (only for the conflict check). */
  ports?: Record<string, ServicePortSpec[]>;
}
export interface CiliumMcsPlan extends PlanBase {
  realization: typeof Realization.Cilium;
  mesh: string;
  /** Per exporting member, and for the ingress member. */
  ports: Record<string, ServicePortSpec[]>;
  /** "lb-ipam": the member's pinned address from the fleet's pool; "cloud": the cloud's load balancer (AKS BYOCNI). */
  address: "lb-ipam" | "cloud";
}
export type MultiClusterServicePlan = AzureFleetMcsPlan | CiliumMcsPlan;

// ---------------------------------------------------------------------------------------------
// The upstream conflict rule (hub/serviceimport, hub/internalserviceexport)
// ---------------------------------------------------------------------------------------------

/** A port as the hub compares it, after the API server's defaults (protocol TCP, targetPort = port). */
function fleetPort(port: ServicePortSpec): string {
  const target = port.targetPort ?? port.port;
  return `${port.name ?? ""} ${port.port}/${protocolOf(port)}${target !== port.port ? `->${target}` : ""}${port.appProtocol ? ` (${port.appProtocol})` : ""}`.trim();
}

/**
 * Azure/fleet-networking pkg/controllers/hub/serviceimport and pkg/controllers/hub/internalserviceexport:
 * the hub resolves the ServiceImport from the first export it handles and marks Conflict=True
 * every export whose port list is not DeepEqual to it (name, protocol, appProtocol, port, targetPort,
 * in order). Which export comes first is not defined, so any difference is reported.
 */
export function fleetExportConflicts(
  path: string,
  byMember: Record<string, ServicePortSpec[]>,
  exporters: readonly string[],
): FieldViolation[] {
  const groups = groupBySignature(byMember, exporters, (ports) => ports.map(fleetPort).join(", "));
  if (groups.length < 2) return [];
  const listed = groups
    .map(
      (group) =>
        `${group.map(show).join(", ")} ${group.length > 1 ? "export" : "exports"} [${byMember[group[0]].map(fleetPort).join(", ")}]`,
    )
    .join("; ");
  return [
    {
      path,
      message:
        `the ServiceExports would be IS-CONFLICTED: ${listed}. Fleet networking resolves the ServiceImport from the first export it handles and ` +
        "marks every export whose port list is not identical (names, protocols, appProtocols, ports and targetPorts, in the same order) Conflict=True, " +
        "leaving that member out of the import; which export comes first is not defined, so every exporting member must declare the same list",
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Planning
// ---------------------------------------------------------------------------------------------

/** Every key a selector tests (matchLabels and matchExpressions). */
function selectorKeys(selector: LabelSelector): string[] {
  const keys = [...Object.keys(selector.matchLabels ?? {}), ...(selector.matchExpressions ?? []).map((e) => e.key)];
  return [...new Set(keys)];
}

/** A selector on a label whose value is only known after deployment cannot pick the exporters now. */
function undecidableSelection(input: MultiClusterServiceInput): FieldViolation[] {
  const keys = selectorKeys(input.exportFrom ?? {});
  const unknownOn = (member: McsMemberFacts) => keys.filter((key) => (member.unknownLabelKeys ?? []).includes(key));
  const members = input.members.filter((member) => unknownOn(member).length > 0);
  if (members.length === 0) return [];
  const unknown = [...new Set(members.flatMap(unknownOn))];
  return [
    {
      path: "exportFrom",
      message:
        `exportFrom ${show(input.exportFrom)} selects by ${unknown.map(show).join(", ")}, which Azure Fleet sets on ${members.map((m) => show(m.name)).join(", ")} ` +
        "from values not known before deployment (an Output, or the subscription id): give the members' location and resourceGroupName as plain strings, or select by the members' own labels",
    },
  ];
}

function exportersOf(input: MultiClusterServiceInput): { exporters: string[]; violations: FieldViolation[] } {
  const undecidable = undecidableSelection(input);
  if (undecidable.length > 0) return { exporters: [], violations: undecidable };
  let exporters: string[];
  try {
    exporters = input.members
      .filter((m) => labelSelectorMatches(input.exportFrom ?? {}, m.labels))
      .map((m) => m.name)
      .sort();
  } catch (error) {
    return {
      exporters: [],
      violations: [
        { path: "exportFrom", message: `exportFrom ${show(input.exportFrom)} is not a valid label selector: ${(error as Error).message}` },
      ],
    };
  }
  if (exporters.length > 0) return { exporters, violations: [] };
  return {
    exporters,
    violations: [
      {
        path: "exportFrom",
        message: `exportFrom ${show(input.exportFrom)} selects no member of the fleet: at least one member must export the service`,
      },
    ],
  };
}

function azurePlan(
  input: MultiClusterServiceInput,
  ingress: McsMemberFacts,
  exporters: string[],
): { plan?: AzureFleetMcsPlan; violations: FieldViolation[] } {
  const violations: FieldViolation[] = [];
  if (!input.azureFleetHub) {
    violations.push({
      path: "fleet",
      message: `ingressMember ${show(ingress.name)} has AKS-managed Cilium, so the service is an Azure Fleet MultiClusterService, which needs an Azure Fleet with a hub: set azureFleet (hub not false) on the fleet`,
    });
  }
  const foreign = exporters.filter((m) => input.members.find((f) => f.name === m)?.ciliumOwner !== "aks");
  if (foreign.length > 0) {
    violations.push({
      path: "exportFrom",
      message:
        `exportFrom ${show(input.exportFrom)} selects ${foreign.map(show).join(", ")}, which ${foreign.length > 1 ? "are not AKS members" : "is not an AKS member"} with AKS-managed Cilium, ` +
        `but ingressMember ${show(ingress.name)} is: Fleet L4 load balancing only reaches Fleet members whose pod IPs are on the flat Azure network`,
    });
  }
  if (input.selector !== undefined) {
    violations.push({
      path: "selector",
      message:
        "selector is not used on an Azure Fleet: the exported Service is your workload's (deploy it with the workload), fleetmesh only exports it",
    });
  }
  // Optional here: Fleet only needs them to be the same on every export.
  const given = portsPerMember(input, exporters, "exporting", false);
  violations.push(...given.violations);
  if (given.violations.length === 0 && given.ports !== undefined)
    violations.push(...fleetExportConflicts(given.path, given.ports, exporters));
  const ports = given.ports;
  return violations.length > 0
    ? { violations }
    : { plan: { realization: Realization.AzureFleet, ingress: ingress.name, exporters, ports }, violations };
}

function ciliumPlan(
  input: MultiClusterServiceInput,
  ingress: McsMemberFacts,
  exporters: string[],
): { plan?: CiliumMcsPlan; violations: FieldViolation[] } {
  const violations: FieldViolation[] = [];
  const mesh = ingress.mesh;
  if (mesh === undefined) {
    violations.push({
      path: "ingressMember",
      message: `ingressMember ${show(ingress.name)} is in no mesh: without an Azure Fleet the service is a Cilium global service, which only reaches members of the ingress member's mesh`,
    });
  } else {
    const outside = exporters.filter((m) => input.members.find((f) => f.name === m)?.mesh !== mesh);
    if (outside.length > 0) {
      violations.push({
        path: "exportFrom",
        message: `exportFrom ${show(input.exportFrom)} selects ${outside.map(show).join(", ")}, outside mesh ${show(mesh)} of ingressMember ${show(ingress.name)}: a Cilium global service only reaches members of one mesh`,
      });
    }
  }
  if (ingress.provisioner === "kind" && !ingress.l2Announcements) {
    violations.push({
      path: "ingressMember",
      message: `ingressMember ${show(ingress.name)} cannot announce a LoadBalancer address: Cilium L2 announcements need kube-proxy replacement, which the fleet turned off (cilium.kubeProxyReplacement: false)`,
    });
  }
  if (input.selector === undefined)
    violations.push({
      path: "selector",
      message:
        "selector is required without an Azure Fleet: fleetmesh creates the exported Service on every exporting member, selecting these pod labels",
    });
  else violations.push(...selectorViolations("selector", input.selector));
  violations.push(...systemNamespaceViolations("namespace", input.namespace, input.createNamespace));
  const given = portsPerMember(input, exporters, "exporting");
  violations.push(...given.violations);
  if (given.violations.length === 0) violations.push(...ciliumPortConsistencyViolations(given.path, given.ports!, exporters));
  if (violations.length > 0 || mesh === undefined) return { violations };
  // A non-exporting ingress member only forwards: its copy has the exporters' ports, without targetPort.
  const ports = { ...given.ports! };
  if (!exporters.includes(ingress.name)) ports[ingress.name] = ports[exporters[0]].map(({ targetPort: _, ...port }) => port);
  return {
    plan: {
      realization: Realization.Cilium,
      ingress: ingress.name,
      exporters,
      mesh,
      ports,
      address: ingress.provisioner === "aks" ? "cloud" : "lb-ipam",
    },
    violations,
  };
}

/** Every problem with a MultiClusterService's arguments, or its plan. */
export function planMultiClusterService(input: MultiClusterServiceInput): { plan?: MultiClusterServicePlan; violations: FieldViolation[] } {
  const common = [...serviceNameViolations("serviceName", input.serviceName), ...namespaceViolations("namespace", input.namespace)];
  if (input.internal !== undefined && typeof input.internal !== "boolean")
    common.push({ path: "internal", message: `internal ${show(input.internal)} must be a boolean` });
  const ingress = input.members.find((m) => m.name === input.ingressMember);
  if (!ingress) {
    common.push({
      path: "ingressMember",
      message: `ingressMember ${show(input.ingressMember)} is not a member of the fleet (${input.members.map((m) => show(m.name)).join(", ")})`,
    });
  }
  const { exporters, violations: selection } = exportersOf(input);
  common.push(...selection);
  if (!ingress || selection.length > 0) return { violations: common };
  const result = ingress.ciliumOwner === "aks" ? azurePlan(input, ingress, exporters) : ciliumPlan(input, ingress, exporters);
  const violations = [...common, ...result.violations];
  return violations.length > 0 ? { violations } : result;
}

// ---------------------------------------------------------------------------------------------
// Objects
// ---------------------------------------------------------------------------------------------

/** A namespaced custom object as plain data. */
export interface FleetNetworkingObject {
  apiVersion: string;
  kind: "ServiceExport" | "MultiClusterService";
  metadata: { name: string; namespace: string; annotations?: Record<string, string> };
  spec?: { serviceImport: { name: string } };
}

/** A ServiceExport has no spec: its name picks the Service of that name in its namespace (Azure/fleet-networking CRD). */
export function serviceExportManifest(namespace: string, serviceName: string): FleetNetworkingObject {
  return { apiVersion: SERVICE_EXPORT_API_VERSION, kind: "ServiceExport", metadata: { name: serviceName, namespace } };
}

/** Imports the ServiceImport of the same name (`spec.serviceImport.name`); an internal Azure load balancer when asked. */
export function multiClusterServiceManifest(namespace: string, serviceName: string, internal: boolean): FleetNetworkingObject {
  return {
    apiVersion: MULTI_CLUSTER_SERVICE_API_VERSION,
    kind: "MultiClusterService",
    metadata: { name: serviceName, namespace, ...(internal && { annotations: { [FLEET_INTERNAL_LB_ANNOTATION]: "true" } }) },
    spec: { serviceImport: { name: serviceName } },
  };
}

/**
 * The Cilium realization's Services, by member: a ClusterIP global Service on every exporting
 * member (shared), and on the ingress member a LoadBalancer copy. A non-exporting ingress copy has no
 * selector and is not shared, so only the exporting members' endpoints back it.
 */
export function ciliumMcsManifests(
  input: Pick<MultiClusterServiceInput, "serviceName" | "namespace" | "selector" | "internal">,
  plan: CiliumMcsPlan,
  pinnedAddress: string | undefined,
): Record<string, ServiceManifest> {
  const base = { name: input.serviceName, namespace: input.namespace };
  const services: Record<string, ServiceManifest> = {};
  for (const member of plan.exporters)
    services[member] = globalServiceManifest({ ...base, selector: input.selector, ports: plan.ports[member], shared: true });
  const exporting = plan.exporters.includes(plan.ingress);
  const pinned = plan.address === "lb-ipam" && pinnedAddress !== undefined ? pinnedIngressMetadata(pinnedAddress) : undefined;
  const cloudAnnotations = plan.address === "cloud" && input.internal ? { [AKS_INTERNAL_LB_ANNOTATION]: "true" } : undefined;
  services[plan.ingress] = globalServiceManifest({
    ...base,
    type: "LoadBalancer",
    selector: exporting ? input.selector : undefined,
    ports: plan.ports[plan.ingress],
    shared: exporting,
    // An LB-IPAM address is served by the member's own datapath, which needs no NodePort: without one the
    // Service cannot be handed a mesh peer's clustermesh-apiserver NodePort, which Cilium ≤ 1.18 with
    // kube-proxy replacement would then capture (cilium/cilium#24692). Cilium serves such a Service on its
    // address alone (cilium/cilium#14465); a cloud load balancer keeps its NodePorts.
    withoutNodePorts: plan.address === "lb-ipam",
    annotations: pinned?.annotations ?? cloudAnnotations,
    labels: pinned?.labels,
  });
  return services;
}

/** The first address of a core LoadBalancerStatus (`ingress[0].ip`, or its hostname). */
export function loadBalancerAddress(status: unknown): string | undefined {
  const ingress = (status as { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> } } | undefined)?.loadBalancer
    ?.ingress?.[0];
  return ingress?.ip ?? ingress?.hostname;
}

/** Ports already served on a member's pinned address by other services (LB-IPAM shares it only when ports differ). */
export function sharedAddressClashes(
  path: string,
  member: string,
  taken: ReadonlyMap<string, string>,
  ports: readonly ServicePortSpec[],
): FieldViolation[] {
  return ports.flatMap((port) => {
    const owner = taken.get(`${port.port}/${protocolOf(port)}`);
    if (owner === undefined) return [];
    return [
      {
        path,
        message:
          `port ${port.port}/${protocolOf(port)} is already served on member ${show(member)}'s pinned LoadBalancer address by ${owner}: ` +
          "the member's ingress services share its one address, which LB-IPAM only allows when their ports differ",
      },
    ];
  });
}
