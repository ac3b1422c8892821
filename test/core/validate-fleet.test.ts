import { strict as assert } from "assert";
import { imageReferenceProblems, validateFleet } from "../../components/core/fleet/validate-fleet";
import { FieldViolation, FleetSpec, MemberSpec, MemberTaint } from "../../components/core/fleet/types";

// ---- fixtures ----

const pools: FleetSpec["pools"] = {
  podCidrPool: "10.240.0.0/12",
  podCidrPrefixLength: 16,
  serviceCidrPool: "10.96.0.0/12",
  serviceCidrPrefixLength: 24,
  nodePortRange: { first: 32380, last: 32509 },
};

function kind(name: string, extra: Partial<MemberSpec> = {}): MemberSpec {
  return { name, provisioners: ["kind"], labels: { mesh: "demo" }, taints: [], pins: {}, kindWorkers: 1, ...extra };
}

function aks(name: string, extra: Partial<MemberSpec> = {}): MemberSpec {
  return {
    name,
    provisioners: ["aks"],
    labels: { mesh: "prod" },
    taints: [],
    pins: {},
    kubernetesVersion: "1.32.5",
    aksNetworkPlugin: "azure",
    joinsFleetMesh: true,
    ...extra,
  };
}

function existing(name: string, extra: Partial<MemberSpec> = {}): MemberSpec {
  return { name, provisioners: ["kubeconfig"], labels: {}, taints: [], pins: {}, ...extra };
}

function fleet(members: MemberSpec[], extra: Partial<FleetSpec> = {}): FleetSpec {
  return { name: "demo", ciliumVersion: "1.18.12", maxConnectedClusters: 255, pools, members, ...extra };
}

const withPools = (members: MemberSpec[], overrides: Partial<FleetSpec["pools"]>) => fleet(members, { pools: { ...pools, ...overrides } });
const v = (path: string, message: string): FieldViolation => ({ path, message });
const taint = (key: string, value?: string, effect = "NoSchedule"): MemberTaint => ({ key, value, effect }) as MemberTaint;

// apimachinery messages (k8s.io/apimachinery pkg/util/validation)
const QUALIFIED_NAME_RULE =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_RULE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const SUBDOMAIN_RULE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const NAME_PATTERN_RULE =
  "must consist of lower case alphanumeric characters and '-', and must start and end with an alphanumeric character";
const EXACTLY_ONE = "exactly one of kind, aks, kubeconfig must be set";
const UNIQUE_IDS = "cluster ids must be unique in the fleet (a mesh refuses two clusters with the same, non-unique ID)";
const UNIQUE_PORTS =
  "every member with a NodePort needs its own (with kube-proxy replacement, a NodePort shared by two meshed clusters reaches the local clustermesh-apiserver, cilium#24692)";

const long = (n: number, ch = "a") => ch.repeat(n);
const manyKind = (n: number) => Array.from({ length: n }, (_, i) => kind(`m${i}`));

// ---- the table: [name, spec, expected violations] ----

type Case = [string, FleetSpec, FieldViolation[]];

const valid: Case[] = [
  [
    "a valid fleet of kind, AKS and existing clusters with pins",
    fleet([
      kind("c1", {
        labels: { mesh: "demo", "topology.kubernetes.io/region": "east" },
        taints: [taint("dedicated", "gpu"), taint("spot")],
        pins: { clusterId: 7, nodePort: 32400 },
      }),
      kind("c2", { kindWorkers: 0, pins: { podCidr: "10.1.0.0/16", serviceCidr: "10.2.0.0/24" } }),
      aks("a1", { pins: { clusterId: 8 } }),
      aks("byo", { aksNetworkPlugin: "none", joinsFleetMesh: false, kubernetesVersion: "1.30" }),
      existing("dc", { pins: { podCidr: "192.168.0.0/24", serviceCidr: "172.16.0.0/30" } }),
    ]),
    [],
  ],
  ["an empty fleet", fleet([]), []],
  [
    "maxConnectedClusters 511 with a cluster id above 255",
    fleet([kind("c1", { pins: { clusterId: 400 } })], { maxConnectedClusters: 511 }),
    [],
  ],
  ["exactly maxConnectedClusters members", fleet(manyKind(255)), []],
  [
    "an AKS member not in a Fleet mesh may run an older Kubernetes",
    fleet([aks("a1", { kubernetesVersion: "1.29", joinsFleetMesh: false })]),
    [],
  ],
  ["a BYOCNI AKS member outside a Fleet mesh", fleet([aks("a1", { aksNetworkPlugin: "none", joinsFleetMesh: false })]), []],
  ["Kubernetes 1.32 without a patch joins a Fleet mesh", fleet([aks("a1", { kubernetesVersion: "1.32" })]), []],
  ["kind workers exactly filling the pod CIDR's node CIDRs", withPools([kind("c1", { kindWorkers: 1 })], { podCidrPrefixLength: 23 }), []],
  ["a taint without value and an empty label value", fleet([kind("c1", { labels: { empty: "" }, taints: [taint("k", "")] })]), []],
  ["100 taints", fleet([kind("c1", { taints: Array.from({ length: 100 }, (_, i) => taint(`t${i}`)) })]), []],
];

const fleetWide: Case[] = [
  [
    "an unsupported Cilium version",
    fleet([], { ciliumVersion: "1.15.3" }),
    [v("cilium.version", 'cilium version "1.15.3" is not supported: fleetmesh generates Helm values for Cilium charts 1.16.0–1.20.x')],
  ],
  [
    "a malformed Cilium version",
    fleet([], { ciliumVersion: "1.18" }),
    [
      v(
        "cilium.version",
        'cilium version "1.18" is not a Cilium chart version: write MAJOR.MINOR.PATCH, e.g. "1.18.12" (pre-releases are not supported)',
      ),
    ],
  ],
  [
    "maxConnectedClusters other than 255 or 511",
    fleet([], { maxConnectedClusters: 256 }),
    [v("maxConnectedClusters", "maxConnectedClusters 256 is invalid: max-connected-clusters must be set to 255 or 511")],
  ],
  [
    "more members than maxConnectedClusters",
    fleet(manyKind(256)),
    [
      v(
        "members",
        "the fleet has 256 members, more than maxConnectedClusters 255: the number of clusters must not exceed maxConnectedClusters",
      ),
    ],
  ],
  [
    "a pod pool that is not a CIDR",
    withPools([], { podCidrPool: "10.240.0.0/33" }),
    [
      v(
        "pools.podCidrPool",
        'podCidrPool "10.240.0.0/33" is not a valid IPv4 CIDR: prefix length "33" is not a decimal number from 0 to 32',
      ),
    ],
  ],
  [
    "a service pool with host bits set",
    withPools([], { serviceCidrPool: "10.96.0.1/12" }),
    [
      v(
        "pools.serviceCidrPool",
        'serviceCidrPool "10.96.0.1/12" is not a valid IPv4 CIDR: host bits are set: 10.96.0.1/12 is not a network address (its network is 10.96.0.0/12)',
      ),
    ],
  ],
  [
    "overlapping pod and service pools",
    withPools([], { serviceCidrPool: "10.244.0.0/16" }),
    [
      v(
        "pools.serviceCidrPool",
        'serviceCidrPool "10.244.0.0/16" overlaps podCidrPool "10.240.0.0/12": the pod and service pools must be disjoint',
      ),
    ],
  ],
  [
    "a member pod prefix shorter than the pool's",
    withPools([], { podCidrPrefixLength: 10 }),
    [
      v(
        "pools.podCidrPrefixLength",
        'podCidrPrefixLength 10 is invalid: must not be shorter than the prefix length of podCidrPool "10.240.0.0/12" (pool prefix ≤ member prefix)',
      ),
    ],
  ],
  [
    "a member pod CIDR smaller than one node CIDR",
    withPools([], { podCidrPrefixLength: 25 }),
    [
      v(
        "pools.podCidrPrefixLength",
        "podCidrPrefixLength 25 is invalid: the size of pod subnet with mask 25 is smaller than the size of node subnet with mask 24",
      ),
    ],
  ],
  [
    "a member pod CIDR far too large, and larger than its pool",
    withPools([], { podCidrPool: "172.0.0.0/8", podCidrPrefixLength: 6 }),
    [
      v(
        "pools.podCidrPrefixLength",
        'podCidrPrefixLength 6 is invalid: must not be shorter than the prefix length of podCidrPool "172.0.0.0/8" (pool prefix ≤ member prefix)',
      ),
      v(
        "pools.podCidrPrefixLength",
        "podCidrPrefixLength 6 is invalid: pod subnet mask (6) and node-mask (24) difference is greater than 16",
      ),
    ],
  ],
  [
    "a member service CIDR too large for kube-apiserver",
    withPools([], { serviceCidrPool: "10.96.0.0/11", serviceCidrPrefixLength: 11 }),
    [
      v(
        "pools.serviceCidrPrefixLength",
        "serviceCidrPrefixLength 11 is invalid: specified service subnet is too large; for 32-bit addresses, the mask must be >= 12",
      ),
    ],
  ],
  [
    "a member service CIDR with fewer than 10 addresses",
    withPools([], { serviceCidrPrefixLength: 29 }),
    [
      v(
        "pools.serviceCidrPrefixLength",
        "serviceCidrPrefixLength 29 is invalid: subnet with 8 address(es) is too small, the minimum is 10",
      ),
    ],
  ],
  [
    "a fractional prefix length",
    withPools([], { podCidrPrefixLength: 16.5 }),
    [v("pools.podCidrPrefixLength", "podCidrPrefixLength 16.5 is invalid: must be an integer from 0 to 32")],
  ],
  [
    "a reversed NodePort range",
    withPools([], { nodePortRange: { first: 32500, last: 32400 } }),
    [v("pools.nodePortRange", "nodePortRange 32500-32400 is invalid: first must not be greater than last")],
  ],
  [
    "a NodePort range outside 30000-32767",
    withPools([], { nodePortRange: { first: 2379, last: 2400 } }),
    [
      v(
        "pools.nodePortRange",
        "nodePortRange 2379-2400 is invalid: must lie within the default Kubernetes NodePort range 30000-32767 (--service-node-port-range), which kind clusters use",
      ),
    ],
  ],
];

const names: Case[] = [
  ["an empty member name", fleet([kind("")]), [v('members[""].name', 'cluster name "" is invalid: cannot be empty')]],
  [
    "a member name over 32 characters",
    fleet([kind(long(33))]),
    [v(`members.${long(33)}.name`, `cluster name "${long(33)}" is invalid: must not be more than 32 characters`)],
  ],
  [
    "a member name with upper case and '_'",
    fleet([kind("Bad_Name")]),
    [v("members.Bad_Name.name", `cluster name "Bad_Name" is invalid: ${NAME_PATTERN_RULE}`)],
  ],
  [
    "a member name with a dot (kind accepts it, Cilium does not)",
    fleet([kind("my.cluster")]),
    [v('members["my.cluster"].name', `cluster name "my.cluster" is invalid: ${NAME_PATTERN_RULE}`)],
  ],
  ["a member name ending in '-'", fleet([kind("c1-")]), [v("members.c1-.name", `cluster name "c1-" is invalid: ${NAME_PATTERN_RULE}`)]],
  [
    "the member name default",
    fleet([kind("default")]),
    [v("members.default.name", 'cluster name "default" is invalid: cannot use default value with cluster.id != 0')],
  ],
  [
    "a long name with bad characters reports both rules",
    fleet([kind(`${long(32)}_`)]),
    [
      v(`members.${long(32)}_.name`, `cluster name "${long(32)}_" is invalid: must not be more than 32 characters`),
      v(`members.${long(32)}_.name`, `cluster name "${long(32)}_" is invalid: ${NAME_PATTERN_RULE}`),
    ],
  ],
  [
    "a member name declared twice",
    fleet([kind("c1"), kind("c2"), existing("c1")]),
    [
      v(
        "members.c1.name",
        'cluster name "c1" is declared 2 times (members[0], members[2]): cluster names must be unique in the fleet (a mesh refuses two clusters with the same, non-unique name)',
      ),
    ],
  ],
  [
    "names differing in case are distinct (and upper case is invalid)",
    fleet([kind("c1"), kind("C1")]),
    [v("members.C1.name", `cluster name "C1" is invalid: ${NAME_PATTERN_RULE}`)],
  ],
];

const provisioning: Case[] = [
  [
    "a member with no provisioner",
    fleet([existing("c1", { provisioners: [] })]),
    [v("members.c1", `member "c1" sets none of kind, aks, kubeconfig: ${EXACTLY_ONE}`)],
  ],
  [
    "a member with two provisioners",
    fleet([kind("c1", { provisioners: ["kind", "aks"], aksNetworkPlugin: "none" })]),
    [v("members.c1", `member "c1" sets kind and aks: ${EXACTLY_ONE}`)],
  ],
  [
    "a negative kind worker count",
    fleet([kind("c1", { kindWorkers: -1 })]),
    [v("members.c1.kind.workers", "kind workers -1 is invalid: must be a non-negative integer")],
  ],
  [
    "a fractional kind worker count",
    fleet([kind("c1", { kindWorkers: 0.5 })]),
    [v("members.c1.kind.workers", "kind workers 0.5 is invalid: must be a non-negative integer")],
  ],
  [
    "more kind nodes than the pool's pod CIDR has node CIDRs",
    withPools([kind("c1", { kindWorkers: 1 })], { podCidrPrefixLength: 24 }),
    [
      v(
        "members.c1.kind.workers",
        "kind workers 1 is too many: 2 nodes each need a /24 node CIDR (kube-controller-manager --node-cidr-mask-size-ipv4) and a /24 pod CIDR holds 1",
      ),
    ],
  ],
  [
    "more kind nodes than a pinned pod CIDR has node CIDRs",
    fleet([kind("c1", { kindWorkers: 2, pins: { podCidr: "10.1.0.0/23" } })]),
    [
      v(
        "members.c1.kind.workers",
        "kind workers 2 is too many: 3 nodes each need a /24 node CIDR (kube-controller-manager --node-cidr-mask-size-ipv4) and a /23 pod CIDR holds 2",
      ),
    ],
  ],
  [
    "a malformed AKS Kubernetes version",
    fleet([aks("a1", { kubernetesVersion: "v1.32" })]),
    [
      v(
        "members.a1.aks.kubernetesVersion",
        'kubernetesVersion "v1.32" is invalid: must be MAJOR.MINOR or MAJOR.MINOR.PATCH, e.g. "1.32" or "1.32.5"',
      ),
    ],
  ],
  [
    "Kubernetes older than 1.32 in a Fleet mesh",
    fleet([aks("a1", { kubernetesVersion: "1.31.9" }), aks("a2", { kubernetesVersion: "1.31" })]),
    [
      v(
        "members.a1.aks.kubernetesVersion",
        'kubernetesVersion "1.31.9" is too old to join an Azure Fleet managed mesh: Fleet cross-cluster networking requires Kubernetes 1.32 or later',
      ),
      v(
        "members.a2.aks.kubernetesVersion",
        'kubernetesVersion "1.31" is too old to join an Azure Fleet managed mesh: Fleet cross-cluster networking requires Kubernetes 1.32 or later',
      ),
    ],
  ],
  [
    "a BYOCNI AKS member in a Fleet mesh",
    fleet([aks("a1", { aksNetworkPlugin: "none" })]),
    [
      v(
        "members.a1.aks.networkPlugin",
        'networkPlugin "none" (BYOCNI) cannot join an Azure Fleet managed mesh: a Fleet cluster mesh needs AKS-managed Cilium (networkPlugin "azure" with networkDataplane "cilium" and ACNS)',
      ),
    ],
  ],
  [
    "an unsupported AKS network plugin",
    fleet([aks("a1", { aksNetworkPlugin: "kubenet" as unknown as "azure" })]),
    [
      v(
        "members.a1.aks.networkPlugin",
        'networkPlugin "kubenet" is not supported: must be "azure" (AKS-managed Cilium) or "none" (BYOCNI, fleetmesh installs Cilium)',
      ),
    ],
  ],
  [
    "a kind member marked as joining a Fleet mesh",
    fleet([kind("c1", { joinsFleetMesh: true })]),
    [
      v(
        "members.c1.joinsFleetMesh",
        "joinsFleetMesh is true on a member without aks: only AKS clusters can join an Azure Fleet managed mesh (ClusterMeshProfile)",
      ),
    ],
  ],
];

const pins: Case[] = [
  [
    "cluster id 0",
    fleet([kind("c1", { pins: { clusterId: 0 } })]),
    [v("members.c1.clusterId", "clusterId 0 is invalid: ClusterID 0 is reserved")],
  ],
  [
    "a cluster id above maxConnectedClusters",
    fleet([kind("c1", { pins: { clusterId: 256 } })]),
    [v("members.c1.clusterId", "clusterId 256 is invalid: must be in range 1..255")],
  ],
  [
    "a negative cluster id",
    fleet([kind("c1", { pins: { clusterId: -3 } })]),
    [v("members.c1.clusterId", "clusterId -3 is invalid: must be in range 1..255")],
  ],
  [
    "a fractional cluster id",
    fleet([kind("c1", { pins: { clusterId: 1.5 } })]),
    [v("members.c1.clusterId", "clusterId 1.5 is invalid: must be an integer")],
  ],
  [
    "with an invalid maxConnectedClusters, ids are checked against 511",
    fleet([kind("c1", { pins: { clusterId: 300 } }), kind("c2", { pins: { clusterId: 600 } })], { maxConnectedClusters: 300 }),
    [
      v("maxConnectedClusters", "maxConnectedClusters 300 is invalid: max-connected-clusters must be set to 255 or 511"),
      v("members.c2.clusterId", "clusterId 600 is invalid: must be in range 1..511"),
    ],
  ],
  [
    "a cluster id pinned by three members",
    fleet([kind("c3", { pins: { clusterId: 7 } }), kind("c1", { pins: { clusterId: 7 } }), aks("c2", { pins: { clusterId: 7 } })]),
    [
      v("members.c2.clusterId", `clusterId 7 is also pinned by member "c1": ${UNIQUE_IDS}`),
      v("members.c3.clusterId", `clusterId 7 is also pinned by member "c1": ${UNIQUE_IDS}`),
    ],
  ],
  [
    "pinned CIDRs that do not parse",
    fleet([kind("c1", { pins: { podCidr: "10.1.0.0", serviceCidr: "fd00::/108" } })]),
    [
      v(
        "members.c1.podCidr",
        'podCidr "10.1.0.0" is not a valid IPv4 CIDR: the prefix length is missing: expected "a.b.c.d/n", e.g. "10.0.0.0/16"',
      ),
      v(
        "members.c1.serviceCidr",
        'serviceCidr "fd00::/108" is not a valid IPv4 CIDR: only IPv4 CIDRs are supported: expected "a.b.c.d/n", e.g. "10.0.0.0/16"',
      ),
    ],
  ],
  [
    "a pinned pod CIDR with host bits set",
    fleet([kind("c1", { pins: { podCidr: "10.1.2.0/16" } })]),
    [
      v(
        "members.c1.podCidr",
        'podCidr "10.1.2.0/16" is not a valid IPv4 CIDR: host bits are set: 10.1.2.0/16 is not a network address (its network is 10.1.0.0/16)',
      ),
    ],
  ],
  [
    "overlapping pinned pod CIDRs",
    fleet([kind("c1", { pins: { podCidr: "10.1.0.0/16" } }), kind("c2", { pins: { podCidr: "10.1.128.0/17" } })]),
    [
      v(
        "members.c2.podCidr",
        'podCidr "10.1.128.0/17" overlaps podCidr "10.1.0.0/16" of member "c1": pod CIDRs must be disjoint across all clusters',
      ),
    ],
  ],
  [
    "overlapping pinned service CIDRs",
    fleet([kind("c1", { pins: { serviceCidr: "10.2.0.0/24" } }), existing("c2", { pins: { serviceCidr: "10.2.0.0/24" } })]),
    [
      v(
        "members.c2.serviceCidr",
        'serviceCidr "10.2.0.0/24" overlaps serviceCidr "10.2.0.0/24" of member "c1": service CIDRs must be disjoint across all clusters',
      ),
    ],
  ],
  [
    "a pod CIDR overlapping another member's service CIDR",
    fleet([kind("c1", { pins: { serviceCidr: "10.2.0.0/24" } }), kind("c2", { pins: { podCidr: "10.2.0.0/16" } })]),
    [
      v(
        "members.c2.podCidr",
        'podCidr "10.2.0.0/16" overlaps serviceCidr "10.2.0.0/24" of member "c1": pod and service CIDRs must not overlap',
      ),
    ],
  ],
  [
    "a member's own pod and service CIDRs overlapping",
    fleet([kind("c1", { pins: { podCidr: "10.1.0.0/16", serviceCidr: "10.1.255.0/24" } })]),
    [
      v(
        "members.c1.serviceCidr",
        'serviceCidr "10.1.255.0/24" overlaps podCidr "10.1.0.0/16" of member "c1": pod and service CIDRs must not overlap',
      ),
    ],
  ],
  [
    "kubeadm's CIDR sizes apply to clusters fleetmesh creates; an existing cluster's pod CIDR only needs the /24s of cluster-pool IPAM",
    fleet([
      kind("c1", { kindWorkers: 0, pins: { podCidr: "10.1.0.0/25", serviceCidr: "10.32.0.0/11" } }),
      existing("c2", { pins: { podCidr: "10.3.0.0/24", serviceCidr: "10.64.0.0/11" } }),
      existing("c3", { pins: { podCidr: "10.4.0.0/25" } }),
    ]),
    [
      v(
        "members.c1.podCidr",
        'podCidr "10.1.0.0/25" is invalid: the size of pod subnet with mask 25 is smaller than the size of node subnet with mask 24',
      ),
      v(
        "members.c1.serviceCidr",
        'serviceCidr "10.32.0.0/11" is invalid: specified service subnet is too large; for 32-bit addresses, the mask must be >= 12',
      ),
      v(
        "members.c3.podCidr",
        `podCidr "10.4.0.0/25" is invalid: Cilium's cluster-pool IPAM gives every node a /24 of the pod CIDR, so it must be a /24 or larger`,
      ),
    ],
  ],
  [
    "NodePort pins: out of range, duplicated, and on a non-kind member",
    fleet([
      kind("c1", { pins: { nodePort: 32400 } }),
      kind("c2", { pins: { nodePort: 32400 } }),
      kind("c3", { pins: { nodePort: 31000 } }),
      existing("dc", { pins: { nodePort: 32401 } }),
    ]),
    [
      v("members.c2.nodePort", `nodePort 32400 is also pinned by member "c1": ${UNIQUE_PORTS}`),
      v("members.c3.nodePort", "nodePort 31000 is invalid: must be in pools.nodePortRange 32380-32509"),
      v(
        "members.dc.nodePort",
        "nodePort 32401 is invalid: only kind members and members whose meshEndpoint is a NodePort expose their clustermesh-apiserver on a NodePort",
      ),
    ],
  ],
];

const labelsAndTaints: Case[] = [
  [
    "a label key with a space",
    fleet([kind("c1", { labels: { "bad key": "x" } })]),
    [v('members.c1.labels["bad key"]', `label key "bad key" is invalid: ${QUALIFIED_NAME_RULE}`)],
  ],
  [
    "a label key with an upper-case prefix",
    fleet([kind("c1", { labels: { "Example.com/tier": "web" } })]),
    [v('members.c1.labels["Example.com/tier"]', `label key "Example.com/tier" is invalid: prefix part ${SUBDOMAIN_RULE}`)],
  ],
  [
    "a label key whose name part is over 63 characters",
    fleet([kind("c1", { labels: { [long(64, "k")]: "x" } })]),
    [v(`members.c1.labels["${long(64, "k")}"]`, `label key "${long(64, "k")}" is invalid: name part must be no more than 63 characters`)],
  ],
  [
    "an empty label key",
    fleet([kind("c1", { labels: { "": "x" } })]),
    [
      v('members.c1.labels[""]', 'label key "" is invalid: name part must be non-empty'),
      v('members.c1.labels[""]', `label key "" is invalid: ${QUALIFIED_NAME_RULE}`),
    ],
  ],
  [
    "a label value over 63 characters that also ends in '-'",
    fleet([kind("c1", { labels: { env: `${long(63, "v")}-` } })]),
    [
      v('members.c1.labels["env"]', `label value "${long(63, "v")}-" of key "env" is invalid: must be no more than 63 characters`),
      v('members.c1.labels["env"]', `label value "${long(63, "v")}-" of key "env" is invalid: ${LABEL_VALUE_RULE}`),
    ],
  ],
  [
    "bad labels are reported in key order",
    fleet([kind("c1", { labels: { "z z": "ok", "a a": "ok" } })]),
    [
      v('members.c1.labels["a a"]', `label key "a a" is invalid: ${QUALIFIED_NAME_RULE}`),
      v('members.c1.labels["z z"]', `label key "z z" is invalid: ${QUALIFIED_NAME_RULE}`),
    ],
  ],
  [
    "an invalid taint key",
    fleet([kind("c1", { taints: [taint("key@123:")] })]),
    [v("members.c1.taints[0].key", `invalid taint key "key@123:": ${QUALIFIED_NAME_RULE}`)],
  ],
  [
    "an invalid taint value",
    fleet([kind("c1", { taints: [taint("key1", "val&123:98_")] })]),
    [v("members.c1.taints[0].value", `invalid taint value "val&123:98_": ${LABEL_VALUE_RULE}`)],
  ],
  [
    "a taint effect other than NoSchedule",
    fleet([kind("c1", { taints: [taint("k", "v", "NoExecute")] })]),
    [v("members.c1.taints[0].effect", 'taint effect "NoExecute" is not supported: supported values: "NoSchedule"')],
  ],
  [
    "a duplicated taint",
    fleet([kind("c1", { taints: [taint("key1", "value1"), taint("key2", "value2"), taint("key1", "value1")] })]),
    [
      v(
        "members.c1.taints[2]",
        "taint {Key:key1 Value:value1 Effect:NoSchedule} already exists, taints must be unique (same as taints[0])",
      ),
    ],
  ],
  [
    "more than 100 taints",
    fleet([kind("c1", { taints: Array.from({ length: 101 }, (_, i) => taint(`t${i}`)) })]),
    [v("members.c1.taints", "101 taints are too many: must have at most 100 items")],
  ],
];

const ordering: Case[] = [
  [
    "all problems at once: fleet first, then members by name, then field",
    fleet(
      [
        kind("zeta", { labels: { "bad key": "x" }, pins: { clusterId: 0 }, kindWorkers: -2 }),
        existing("alpha", { provisioners: [], taints: [taint("k", "v", "NoExecute")], pins: { podCidr: "10.1.0.0/16" } }),
        kind("mid", { kindWorkers: 0, pins: { podCidr: "10.1.0.0/24" } }),
      ],
      { maxConnectedClusters: 100, ciliumVersion: "1.21.0" },
    ),
    [
      v("cilium.version", 'cilium version "1.21.0" is not supported: fleetmesh generates Helm values for Cilium charts 1.16.0–1.20.x'),
      v("maxConnectedClusters", "maxConnectedClusters 100 is invalid: max-connected-clusters must be set to 255 or 511"),
      v("members.alpha", `member "alpha" sets none of kind, aks, kubeconfig: ${EXACTLY_ONE}`),
      v("members.alpha.taints[0].effect", 'taint effect "NoExecute" is not supported: supported values: "NoSchedule"'),
      v(
        "members.mid.podCidr",
        'podCidr "10.1.0.0/24" overlaps podCidr "10.1.0.0/16" of member "alpha": pod CIDRs must be disjoint across all clusters',
      ),
      v("members.zeta.kind.workers", "kind workers -2 is invalid: must be a non-negative integer"),
      v("members.zeta.clusterId", "clusterId 0 is invalid: ClusterID 0 is reserved"),
      v('members.zeta.labels["bad key"]', `label key "bad key" is invalid: ${QUALIFIED_NAME_RULE}`),
    ],
  ],
];

const groups: Array<[string, Case[]]> = [
  ["valid fleets", valid],
  ["fleet-wide rules", fleetWide],
  ["member names (Cilium cluster.name)", names],
  ["provisioning (kind, AKS, Fleet mesh)", provisioning],
  ["pins (cluster ids, CIDRs, NodePorts)", pins],
  ["labels and taints", labelsAndTaints],
  ["ordering", ordering],
];

describe("validateFleet", () => {
  for (const [group, cases] of groups) {
    describe(group, () => {
      for (const [name, spec, expected] of cases) it(name, () => assert.deepEqual(validateFleet(spec), expected));
    });
  }

  it("is deterministic and does not modify its input", () => {
    const spec = ordering[0][1];
    const copy = JSON.parse(JSON.stringify(spec)) as FleetSpec;
    assert.deepEqual(validateFleet(spec), validateFleet(copy));
    assert.deepEqual(spec, copy);
  });
});

describe("imageReferenceProblems follows distribution/reference", () => {
  const GRAMMAR =
    'must be an image reference: [registry[:port]/]name[:tag][@digest], with a lower-case name of path components like "kindest/node" ' +
    'and a tag like "v1.33.1" (e.g. "kindest/node:v1.33.1")';
  const cases: Array<[string, unknown, string[]]> = [
    ["a name and a tag", "kindest/node:v1.33.1", []],
    ["a bare name", "node", []],
    ["a registry with a port", "localhost:5000/kindest/node:v1.33.1", []],
    ["an IPv6 registry", "[::1]:5000/kindest/node", []],
    ["a tag and a digest", `kindest/node:v1.33.1@sha256:${"0".repeat(64)}`, []],
    ["separators: '.', '_', '__' and dashes", "a.b_c__d---e/f", []],
    ["an upper-case registry host (a domain)", "Registry.Example.com/node", []],
    ["a space", "kindest/node: v1.33.1", [GRAMMAR]],
    ["an upper-case path", "kindest/Node", ["the repository name must be lowercase"]],
    ["an empty tag", "kindest/node:", [GRAMMAR]],
    ["a tag of 129 characters", `node:${"t".repeat(129)}`, [GRAMMAR]],
    ["a short digest", "node@sha256:abc", [GRAMMAR]],
    ["a trailing separator", "node-/x", [GRAMMAR]],
    ["a name over 255 characters", `${"a".repeat(256)}:v1`, ["the repository name must not be more than 255 characters"]],
    ["an empty string", "", ["must not be empty: leave nodeImage out to use kind's default image"]],
    ["a number", 5, ["must be a string"]],
  ];
  for (const [name, text, expected] of cases) it(name, () => assert.deepEqual(imageReferenceProblems(text), expected));
});
