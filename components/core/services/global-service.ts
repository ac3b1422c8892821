// Global services (Cilium Cluster Mesh), pure core: the rules Cilium silently mis-handles, checked
// before anything is registered, and the per-member Service and Namespace objects.
// Pure: no Pulumi import (components/core/ rule). The Service annotations are Cilium's
// (cilium/cilium pkg/annotation/k8s.go, legacy `io.cilium/*` aliases not used); the Namespace
// annotation goes with the chart value `clustermesh.defaultGlobalNamespace` (1.20,
// cilium/cilium install/kubernetes/cilium/values.yaml).

import { isDNS1123Label, isQualifiedName, isValidLabelValue } from "../k8s/names";
import { FieldViolation } from "../fleet/types";
import { show } from "../fleet/validation/findings";
import { ownValue } from "../fleet/own";

/** Merges the backends of same-name, same-namespace Services in every cluster of the mesh. */
export const GLOBAL_SERVICE_ANNOTATION = "service.cilium.io/global";
/** `"false"` consumes remote backends without exporting local ones (only read on global services). */
export const SHARED_SERVICE_ANNOTATION = "service.cilium.io/shared";
/** Which backends are preferred (only read on global services). */
export const SERVICE_AFFINITY_ANNOTATION = "service.cilium.io/affinity";
/** Opts a namespace into the mesh when the mesh's namespaces are not global by default (Cilium 1.20+). */
export const GLOBAL_NAMESPACE_ANNOTATION = "clustermesh.cilium.io/global";

/**
 * `service.cilium.io/affinity`: which endpoints a member prefers. Each preference falls back to the
 * other endpoints when none of the preferred is healthy.
 */
export const ServiceAffinity = {
  /** Prefer the member's own endpoints. */
  Local: "local",
  /** Prefer the other members' endpoints. */
  Remote: "remote",
  /** Neither: balance across all endpoints, local and remote (what Cilium does without the annotation). */
  None: "none",
} as const;
export type ServiceAffinity = (typeof ServiceAffinity)[keyof typeof ServiceAffinity];
/** The values Cilium knows; any other value is an error that Cilium treats as "none". */
export const SERVICE_AFFINITIES: readonly ServiceAffinity[] = Object.values(ServiceAffinity);

/** A Service port's protocol (core/v1 `Protocol`). */
export const ServiceProtocol = {
  /** TCP. */
  TCP: "TCP",
  /** UDP. */
  UDP: "UDP",
  /** SCTP. */
  SCTP: "SCTP",
} as const;
export type ServiceProtocol = (typeof ServiceProtocol)[keyof typeof ServiceProtocol];
export const SERVICE_PROTOCOLS: readonly ServiceProtocol[] = Object.values(ServiceProtocol);

/** One port of the Service (the core/v1 ServicePort fields fleetmesh sets). */
export interface ServicePortSpec {
  /**
   * The port's name (a DNS label); required when the Service has more than one port.
   * @default an unnamed port (only allowed when it is the Service's only port)
   */
  readonly name?: string;
  /** The Service port (1..65535). */
  readonly port: number;
  /**
   * The pods' port: a port number or a container port name.
   * @default the same number as `port`
   */
  // `any`: the package schema has no number-or-string type; portFieldViolations checks the value.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly targetPort?: any;
  /**
   * The port's protocol.
   * @default "TCP"
   */
  readonly protocol?: ServiceProtocol;
  /**
   * The application protocol hint (`appProtocol`).
   * @default no `appProtocol` on the port
   */
  readonly appProtocol?: string;
}

/** Ports for every member alike, or member name → that member's ports. */
export type PortsInput = ServicePortSpec[] | Record<string, ServicePortSpec[]>;

/** How a service component takes its ports: one list for every member, or one list per member. */
export interface PortsChoice {
  ports?: ServicePortSpec[];
  portsByMember?: Record<string, ServicePortSpec[]>;
}

/** A core/v1 Service as plain data. */
export interface ServiceManifest {
  apiVersion: "v1";
  kind: "Service";
  metadata: { name: string; namespace: string; annotations: Record<string, string>; labels?: Record<string, string> };
  spec: {
    type: "ClusterIP" | "LoadBalancer";
    selector?: Record<string, string>;
    ports: ServicePortSpec[];
    /** Only on a LoadBalancer whose address is not reached through NodePorts (see GlobalServiceObject). */
    allocateLoadBalancerNodePorts?: false;
  };
}

/** A core/v1 Namespace as plain data. */
export interface NamespaceManifest {
  apiVersion: "v1";
  kind: "Namespace";
  metadata: { name: string; annotations?: Record<string, string> };
}

const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL_MAX_LENGTH = 63;
/** apimachinery IsValidPortName (IANA_SVC_NAME), for a named targetPort. */
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const IANA_SVC_NAME_MAX_LENGTH = 15;

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

/** A Service name (and a MultiClusterService's `serviceImport.name`): a DNS-1035 label. */
export function serviceNameViolations(path: string, name: unknown): FieldViolation[] {
  if (typeof name === "string" && name.length <= DNS1035_LABEL_MAX_LENGTH && DNS1035_LABEL.test(name)) return [];
  return [
    {
      path,
      message: `${show(name)} is not a valid Service name: it must be a DNS-1035 label (lower case alphanumeric characters or '-', starting with a letter, ending with an alphanumeric character, at most ${DNS1035_LABEL_MAX_LENGTH} characters)`,
    },
  ];
}

export function namespaceViolations(path: string, namespace: unknown): FieldViolation[] {
  const problems = typeof namespace === "string" && namespace.length > 0 ? isDNS1123Label(namespace) : ["must be a non-empty string"];
  return problems.map((problem) => ({ path, message: `namespace ${show(namespace)} is invalid: ${problem}` }));
}

/**
 * The namespaces every cluster already has and keeps: kube-apiserver creates kube-system,
 * kube-public and kube-node-lease (kubernetes/kubernetes pkg/controlplane/controller/systemnamespaces)
 * besides default, and the NamespaceLifecycle admission plugin refuses to delete them
 * (kubernetes/kubernetes plugin/pkg/admission/namespace/lifecycle/admission.go).
 */
export const SYSTEM_NAMESPACES: readonly string[] = ["default", "kube-system", "kube-public", "kube-node-lease"];

/**
 * A namespace the component would create and own on each member must not be one of the cluster's
 * own (owning it would make the component adopt, annotate and try to delete it). With
 * `createNamespace: false` nothing is created, so a system namespace is fine.
 */
export function systemNamespaceViolations(path: string, namespace: unknown, createNamespace: boolean | undefined): FieldViolation[] {
  if (createNamespace === false || typeof namespace !== "string" || !SYSTEM_NAMESPACES.includes(namespace)) return [];
  return [
    {
      path,
      message:
        `namespace ${show(namespace)} is one every cluster has and keeps (${SYSTEM_NAMESPACES.map(show).join(", ")}): ` +
        "the component would create it as its own Namespace on each member; set createNamespace: false to put the Service in it",
    },
  ];
}

/** Pod labels a Service selects (non-empty: a Service without a selector has no local backends). */
export function selectorViolations(path: string, selector: unknown, what = "selector"): FieldViolation[] {
  if (typeof selector !== "object" || selector === null || Array.isArray(selector) || Object.keys(selector).length === 0) {
    return [
      {
        path,
        message: `${what} ${show(selector)} is invalid: give at least one pod label (a Service without a selector has no backends of its own)`,
      },
    ];
  }
  return labelViolations(path, selector as Record<string, unknown>);
}

/** Label keys (qualified names) and values (label values), apimachinery's rules. */
export function labelViolations(path: string, labels: Record<string, unknown>): FieldViolation[] {
  return Object.entries(labels).flatMap(([key, value]) => [
    ...isQualifiedName(key).map((problem) => ({
      path: `${path}[${JSON.stringify(key)}]`,
      message: `label key ${show(key)} is invalid: ${problem}`,
    })),
    ...(typeof value === "string" ? isValidLabelValue(value) : ["must be a string"]).map((problem) => ({
      path: `${path}[${JSON.stringify(key)}]`,
      message: `label value ${show(value)} of key ${show(key)} is invalid: ${problem}`,
    })),
  ]);
}

// ---------------------------------------------------------------------------------------------
// Ports
// ---------------------------------------------------------------------------------------------

function isPortNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 65535;
}

export function protocolOf(port: ServicePortSpec): ServiceProtocol {
  return port.protocol ?? "TCP";
}

/** `http 80/TCP`, as ports read in messages. */
export function describePort(port: ServicePortSpec): string {
  return `${port.name === undefined ? "" : `${port.name} `}${port.port}/${protocolOf(port)}`;
}

export function describePorts(ports: readonly ServicePortSpec[]): string {
  return `[${ports.map(describePort).join(", ")}]`;
}

function targetPortProblem(target: unknown): string | undefined {
  if (target === undefined || isPortNumber(target)) return undefined;
  if (
    typeof target === "string" &&
    target.length <= IANA_SVC_NAME_MAX_LENGTH &&
    IANA_SVC_NAME.test(target) &&
    /[a-z]/.test(target) &&
    !target.includes("--")
  )
    return undefined;
  return `targetPort ${show(target)} must be a port number (1..65535) or a container port name (IANA_SVC_NAME: at most ${IANA_SVC_NAME_MAX_LENGTH} lower case alphanumeric characters or '-', at least one letter)`;
}

/** One port's own fields. */
function portFieldViolations(path: string, port: ServicePortSpec): FieldViolation[] {
  if (typeof port !== "object" || port === null)
    return [{ path, message: `${show(port)} must be an object {name, port, targetPort?, protocol?}` }];
  const out: FieldViolation[] = [];
  if (!isPortNumber(port.port)) out.push({ path: `${path}.port`, message: `port ${show(port.port)} must be an integer in 1..65535` });
  if (port.protocol !== undefined && !SERVICE_PROTOCOLS.includes(port.protocol)) {
    out.push({ path: `${path}.protocol`, message: `protocol ${show(port.protocol)} must be one of ${SERVICE_PROTOCOLS.join(", ")}` });
  }
  if (port.name !== undefined) {
    const problems = typeof port.name === "string" && port.name.length > 0 ? isDNS1123Label(port.name) : ["must be a non-empty string"];
    out.push(...problems.map((problem) => ({ path: `${path}.name`, message: `port name ${show(port.name)} is invalid: ${problem}` })));
  }
  const target = targetPortProblem(port.targetPort);
  if (target) out.push({ path: `${path}.targetPort`, message: target });
  return out;
}

/**
 * One Service's port list: non-empty; every port named when there are several (Kubernetes requires
 * it, and Cilium attaches remote backends per port name); names and port/protocol pairs unique.
 */
export function portListViolations(path: string, ports: unknown): FieldViolation[] {
  if (!Array.isArray(ports) || ports.length === 0)
    return [{ path, message: `ports ${show(ports)} must be a non-empty list of {name, port, targetPort?, protocol?}` }];
  const list = ports as ServicePortSpec[];
  const out = list.flatMap((port, i) => portFieldViolations(`${path}[${i}]`, port));
  if (out.length > 0) return out;
  if (list.length > 1) {
    list.forEach((port, i) => {
      if (port.name !== undefined) return;
      out.push({
        path: `${path}[${i}].name`,
        message:
          `port ${describePort(port)} has no name in a service with ${list.length} ports: Cilium attaches the remote backends of a ` +
          "global service by port name, and Kubernetes requires a name on every port of a multi-port Service",
      });
    });
  }
  list.forEach((port, i) => {
    const first = list.findIndex((other) => other.name !== undefined && other.name === port.name);
    if (port.name !== undefined && first < i)
      out.push({
        path: `${path}[${i}].name`,
        message: `port name ${show(port.name)} is also used by ${path}[${first}]: port names must be unique`,
      });
    const same = list.findIndex((other) => other.port === port.port && protocolOf(other) === protocolOf(port));
    if (same < i)
      out.push({
        path: `${path}[${i}].port`,
        message: `port ${port.port}/${protocolOf(port)} is also used by ${path}[${same}]: a port and protocol may appear once`,
      });
  });
  return out;
}

/** What the two port fields hold, as a refusal spells it out. */
function portsChoiceRule(role: string): string {
  return `ports: one list for every ${role} member; portsByMember: ${role} member name → its list`;
}

/**
 * Member → ports from `ports` (one list for every member) or `portsByMember` (one list per member):
 * exactly one of them, or at most one when they are optional (then `ports` is undefined when neither
 * is given). `path` is the field given, which later rules on the ports report under.
 */
export function portsPerMember(
  given: PortsChoice,
  members: readonly string[],
  role = "selected",
  required = true,
): { ports?: Record<string, ServicePortSpec[]>; path: "ports" | "portsByMember"; violations: FieldViolation[] } {
  if (given.ports !== undefined && given.portsByMember !== undefined) {
    const rule = required ? "give exactly one of them" : "give at most one of them";
    return {
      path: "ports",
      violations: [{ path: "ports", message: `ports and portsByMember are both given: ${rule} (${portsChoiceRule(role)})` }],
    };
  }
  if (given.portsByMember !== undefined) return { path: "portsByMember", ...portsOf("portsByMember", given.portsByMember, members, role) };
  if (given.ports !== undefined) return { path: "ports", ...portsOf("ports", given.ports, members, role) };
  if (!required) return { path: "ports", violations: [] };
  return {
    path: "ports",
    violations: [
      {
        path: "ports",
        message: `ports is required: give exactly one of ports and portsByMember (${portsChoiceRule(role)})`,
      },
    ],
  };
}

/** Member → ports, from a shared list or a per-member map; violations for a map that misses or adds members. */
function portsOf(
  path: "ports" | "portsByMember",
  ports: PortsInput,
  members: readonly string[],
  role: string,
): { ports: Record<string, ServicePortSpec[]>; violations: FieldViolation[] } {
  if (path === "ports") {
    const violations = portListViolations(path, ports);
    return { ports: Array.isArray(ports) ? Object.fromEntries(members.map((m) => [m, ports])) : {}, violations };
  }
  if (typeof ports !== "object" || ports === null || Array.isArray(ports))
    return {
      ports: {},
      violations: [{ path, message: `portsByMember ${show(ports)} must be an object of ${role} member name → its list of ports` }],
    };
  const violations: FieldViolation[] = [];
  for (const member of Object.keys(ports)
    .filter((m) => !members.includes(m))
    .sort()) {
    const article = /^[aeiou]/.test(role) ? "an" : "a";
    violations.push({
      path: `${path}.${member}`,
      message: `member ${show(member)} is not ${article} ${role} member (${members.map(show).join(", ")}): ports are given per ${role} member`,
    });
  }
  for (const member of members) {
    if (!Object.prototype.hasOwnProperty.call(ports, member))
      violations.push({
        path: `${path}.${member}`,
        message: `the ${role} member ${show(member)} has no ports: give every ${role} member its list`,
      });
    else violations.push(...portListViolations(`${path}.${member}`, ownValue(ports, member)));
  }
  const given = members.flatMap((m) => {
    const list = ownValue(ports, m);
    return list === undefined ? [] : [[m, list] as const];
  });
  return { ports: Object.fromEntries(given), violations };
}

/** What Cilium compares across clusters: the names, numbers and protocols (targetPort is local). */
function ciliumPortSignature(ports: readonly ServicePortSpec[]): string {
  return ports
    .map((p) => `${p.name ?? ""}:${p.port}/${protocolOf(p)}`)
    .sort()
    .join(",");
}

/** Member groups with identical signatures, in member order; the first group holds the first member. */
export function groupBySignature(
  byMember: Record<string, ServicePortSpec[]>,
  members: readonly string[],
  signature: (ports: readonly ServicePortSpec[]) => string,
): string[][] {
  const groups = new Map<string, string[]>();
  for (const member of members) {
    const key = signature(ownValue(byMember, member) ?? []);
    groups.set(key, [...(groups.get(key) ?? []), member]);
  }
  return [...groups.values()];
}

/** Port names, numbers and protocols must be identical on every member of a global service. */
export function ciliumPortConsistencyViolations(
  path: string,
  byMember: Record<string, ServicePortSpec[]>,
  members: readonly string[],
): FieldViolation[] {
  const groups = groupBySignature(byMember, members, ciliumPortSignature);
  if (groups.length < 2) return [];
  const listed = groups
    .map((group) => `${group.map(show).join(", ")} ${group.length > 1 ? "declare" : "declares"} ${describePorts(byMember[group[0]])}`)
    .join("; ");
  return [
    {
      path,
      message:
        `the ports differ between members (${listed}): Cilium merges a global service's backends per port name, so every member ` +
        "must declare the same port names, numbers and protocols (only targetPort may differ); traffic to a port a member lacks is silently dropped or sent to the wrong port",
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// The global service of one mesh
// ---------------------------------------------------------------------------------------------

/** What planning a GlobalService needs. */
export interface GlobalServiceInput {
  serviceName: string;
  namespace: string;
  selector: Record<string, string>;
  /** One list for every member; exactly one of `ports` and `portsByMember`. */
  ports?: ServicePortSpec[];
  /** Member name → its list. */
  portsByMember?: Record<string, ServicePortSpec[]>;
  /** One value for every member; at most one of `shared` and `sharedByMember`. */
  shared?: boolean;
  /** Member name → value (true for the members it leaves out). */
  sharedByMember?: Record<string, boolean>;
  affinity?: string;
  /** Requested members; undefined = every member of the mesh. */
  members?: string[];
  mesh: { name: string; members: readonly string[] };
  /** Members the given fleet (or member map) has. */
  fleetMembers: readonly string[];
  /** @default true: the component creates the namespace on each member (unless the mesh does) */
  createNamespace?: boolean;
}

export interface GlobalServicePlan {
  members: string[];
  ports: Record<string, ServicePortSpec[]>;
  shared: Record<string, boolean>;
  affinity?: ServiceAffinity;
}

function memberViolations(input: GlobalServiceInput): { members: string[]; violations: FieldViolation[] } {
  const mesh = input.mesh;
  if (input.members === undefined) {
    const missing = mesh.members.filter((m) => !input.fleetMembers.includes(m));
    const violations = missing.map((m) => ({
      path: "fleet",
      message: `the fleet given has no member ${show(m)} of mesh ${show(mesh.name)}: pass the fleet the mesh belongs to`,
    }));
    if (mesh.members.length === 0)
      violations.push({ path: "mesh", message: `mesh ${show(mesh.name)} has no members: a global service needs at least one` });
    return { members: [...mesh.members], violations };
  }
  if (!Array.isArray(input.members) || input.members.length === 0)
    return {
      members: [],
      violations: [
        { path: "members", message: `members ${show(input.members)} must be a non-empty list of members of mesh ${show(mesh.name)}` },
      ],
    };
  const violations: FieldViolation[] = [];
  input.members.forEach((member, i) => {
    if (!mesh.members.includes(member)) {
      violations.push({
        path: `members[${i}]`,
        message: `member ${show(member)} is not in mesh ${show(mesh.name)} (${mesh.members.map(show).join(", ") || "no members"}): a global service only reaches the members of its mesh`,
      });
    } else if (input.members!.indexOf(member) < i) {
      violations.push({ path: `members[${i}]`, message: `member ${show(member)} is listed twice` });
    } else if (!input.fleetMembers.includes(member)) {
      violations.push({
        path: `members[${i}]`,
        message: `the fleet given has no member ${show(member)}: pass the fleet the mesh belongs to`,
      });
    }
  });
  return { members: [...new Set(input.members)].filter((m) => mesh.members.includes(m)).sort(), violations };
}

function sharedPlan(
  input: Pick<GlobalServiceInput, "shared" | "sharedByMember">,
  members: readonly string[],
): { shared: Record<string, boolean>; violations: FieldViolation[] } {
  const { shared, sharedByMember: byMember } = input;
  if (shared !== undefined && byMember !== undefined)
    return {
      shared: {},
      violations: [
        {
          path: "shared",
          message:
            "shared and sharedByMember are both given: give at most one of them (shared: one value for every member; " +
            "sharedByMember: member name → value, true for the members it leaves out)",
        },
      ],
    };
  if (byMember === undefined) {
    if (shared !== undefined && typeof shared !== "boolean")
      return { shared: {}, violations: [{ path: "shared", message: `shared ${show(shared)} must be a boolean` }] };
    return { shared: Object.fromEntries(members.map((m) => [m, shared ?? true])), violations: [] };
  }
  if (typeof byMember !== "object" || byMember === null || Array.isArray(byMember))
    return {
      shared: {},
      violations: [{ path: "sharedByMember", message: `sharedByMember ${show(byMember)} must be an object of member name → boolean` }],
    };
  const violations: FieldViolation[] = [];
  for (const [member, value] of Object.entries(byMember)) {
    if (!members.includes(member))
      violations.push({
        path: `sharedByMember.${member}`,
        message: `member ${show(member)} is not one of the service's members (${members.map(show).join(", ")})`,
      });
    else if (typeof value !== "boolean")
      violations.push({ path: `sharedByMember.${member}`, message: `shared ${show(value)} must be a boolean` });
  }
  return { shared: Object.fromEntries(members.map((m) => [m, ownValue(byMember, m) ?? true])), violations };
}

export function affinityViolations(affinity: unknown): FieldViolation[] {
  if (affinity === undefined || SERVICE_AFFINITIES.includes(affinity as ServiceAffinity)) return [];
  return [
    {
      path: "affinity",
      message: `affinity ${show(affinity)} is not one Cilium knows (${SERVICE_AFFINITIES.map(show).join(", ")}): Cilium logs an error and treats any other value as "none"`,
    },
  ];
}

/** Every problem with a GlobalService's arguments, or its plan. */
export function planGlobalService(input: GlobalServiceInput): { plan?: GlobalServicePlan; violations: FieldViolation[] } {
  const members = memberViolations(input);
  const ports = portsPerMember(input, members.members);
  const shared = sharedPlan(input, members.members);
  const violations = [
    ...serviceNameViolations("serviceName", input.serviceName),
    ...namespaceViolations("namespace", input.namespace),
    ...systemNamespaceViolations("namespace", input.namespace, input.createNamespace),
    ...selectorViolations("selector", input.selector),
    ...members.violations,
    ...ports.violations,
    ...(ports.violations.length === 0 ? ciliumPortConsistencyViolations(ports.path, ports.ports!, members.members) : []),
    ...shared.violations,
    ...affinityViolations(input.affinity),
  ];
  if (violations.length > 0) return { violations };
  return {
    plan: { members: members.members, ports: ports.ports!, shared: shared.shared, affinity: input.affinity as ServiceAffinity | undefined },
    violations,
  };
}

// ---------------------------------------------------------------------------------------------
// Objects
// ---------------------------------------------------------------------------------------------

/** What one member's copy of a global service looks like. */
export interface GlobalServiceObject {
  name: string;
  namespace: string;
  /** Omitted: the Service has no backends of its own on this member (it only consumes remote ones). */
  selector?: Record<string, string>;
  ports: readonly ServicePortSpec[];
  shared: boolean;
  affinity?: ServiceAffinity;
  /** @default "ClusterIP" */
  type?: "ClusterIP" | "LoadBalancer";
  /**
   * A LoadBalancer that takes no NodePorts (`spec.allocateLoadBalancerNodePorts: false`): for addresses
   * the cluster's own datapath serves (Cilium LB-IPAM), so the Service cannot hold a port a mesh peer
   * listens on (https://kubernetes.io/docs/concepts/services-networking/service/#load-balancer-nodeport-allocation).
   * @default false: Kubernetes gives every port of a LoadBalancer a NodePort
   */
  withoutNodePorts?: boolean;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
}

function portEntry(port: ServicePortSpec): ServicePortSpec {
  return {
    ...(port.name !== undefined && { name: port.name }),
    port: port.port,
    ...(port.targetPort !== undefined && { targetPort: port.targetPort }),
    protocol: protocolOf(port),
    ...(port.appProtocol !== undefined && { appProtocol: port.appProtocol }),
  };
}

/** A Service annotated global, with `shared` spelled out and `affinity` when one was chosen. */
export function globalServiceManifest(service: GlobalServiceObject): ServiceManifest {
  const annotations: Record<string, string> = {
    ...service.annotations,
    [GLOBAL_SERVICE_ANNOTATION]: "true",
    [SHARED_SERVICE_ANNOTATION]: service.shared ? "true" : "false",
    ...(service.affinity !== undefined && { [SERVICE_AFFINITY_ANNOTATION]: service.affinity }),
  };
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: service.name,
      namespace: service.namespace,
      annotations,
      ...(service.labels !== undefined && { labels: { ...service.labels } }),
    },
    spec: {
      type: service.type ?? "ClusterIP",
      ...(service.selector !== undefined && { selector: { ...service.selector } }),
      ports: service.ports.map(portEntry),
      ...(service.type === "LoadBalancer" && service.withoutNodePorts === true && { allocateLoadBalancerNodePorts: false as const }),
    },
  };
}

/** The Services of a planned GlobalService, by member. */
export function globalServiceManifests(
  input: Pick<GlobalServiceInput, "serviceName" | "namespace" | "selector">,
  plan: GlobalServicePlan,
): Record<string, ServiceManifest> {
  return Object.fromEntries(
    plan.members.map((member) => [
      member,
      globalServiceManifest({
        name: input.serviceName,
        namespace: input.namespace,
        selector: input.selector,
        ports: plan.ports[member],
        shared: plan.shared[member],
        affinity: plan.affinity,
      }),
    ]),
  );
}

/** The namespace, annotated global when the mesh does not make every namespace global. */
export function namespaceManifest(name: string, annotateGlobal: boolean): NamespaceManifest {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name, ...(annotateGlobal && { annotations: { [GLOBAL_NAMESPACE_ANNOTATION]: "true" } }) },
  };
}
