import { aks, Case, fleetCase, INVENTORY, kind, NS, placementCase, runCatalogue } from "./catalogue";

// Every bad configuration is refused before any resource is registered, with a violation whose
// path names the field and whose message quotes the value and states the rule.

const CASES: Case[] = [
  // Member names and provisioning.
  fleetCase(
    "a member name over 32 characters",
    { members: { ["m".repeat(33)]: kind() } },
    `members.${"m".repeat(33)}.name`,
    `"${"m".repeat(33)}"`,
  ),
  fleetCase("a member name with upper case", { members: { Bad_Name: kind() } }, "members.Bad_Name.name", '"Bad_Name"'),
  fleetCase("a member named default", { members: { default: kind() } }, "members.default.name", '"default"'),
  fleetCase("a member with no provisioner", { members: { a: { labels: {} } } }, "members.a", '"a"'),
  fleetCase("a member with two provisioners", { members: { a: { kind: {}, kubeconfig: "x" } } }, "members.a", "kind and kubeconfig"),
  fleetCase("a negative kind worker count", { members: { a: { kind: { workers: -1 } } } }, "members.a.kind.workers", "-1"),
  fleetCase("a fractional kind worker count", { members: { a: { kind: { workers: 1.5 } } } }, "members.a.kind.workers", "1.5"),
  // Cilium and fleet settings.
  fleetCase("an unsupported Cilium version", { cilium: { version: "1.15.3" }, members: { a: kind() } }, "cilium.version", '"1.15.3"'),
  fleetCase("a malformed Cilium version", { cilium: { version: "latest" }, members: { a: kind() } }, "cilium.version", '"latest"'),
  fleetCase(
    "maxConnectedClusters other than 255 or 511",
    { maxConnectedClusters: 300 as 255, members: { a: kind() } },
    "maxConnectedClusters",
    "300",
  ),
  // Ids.
  fleetCase("cluster id 0", { members: { a: { ...kind(), clusterId: 0 } } }, "members.a.clusterId", "0"),
  fleetCase("a cluster id above maxConnectedClusters", { members: { a: { ...kind(), clusterId: 256 } } }, "members.a.clusterId", "256"),
  fleetCase("a fractional cluster id", { members: { a: { ...kind(), clusterId: 2.5 } } }, "members.a.clusterId", "2.5"),
  fleetCase(
    "two members pinning one id",
    { members: { a: { ...kind(), clusterId: 7 }, b: { ...kind(), clusterId: 7 } } },
    "members.b.clusterId",
    "7",
  ),
  // CIDRs and pools.
  fleetCase(
    "a pod CIDR that is not a CIDR",
    { members: { a: { ...kind(), podCidr: "10.0.0.0/33" } } },
    "members.a.podCidr",
    '"10.0.0.0/33"',
  ),
  fleetCase(
    "a pod CIDR with host bits set",
    { members: { a: { ...kind(), podCidr: "10.0.0.1/17" } } },
    "members.a.podCidr",
    '"10.0.0.1/17"',
  ),
  fleetCase(
    "overlapping pinned pod CIDRs",
    { members: { a: { ...kind(), podCidr: "10.0.0.0/17" }, b: { ...kind(), podCidr: "10.0.0.0/18" } } },
    "members.b.podCidr",
    '"10.0.0.0/18"',
  ),
  fleetCase(
    "a pod CIDR overlapping another member's service CIDR",
    {
      pools: { serviceCidrPool: "10.128.0.0/12" },
      members: { a: { ...kind(), serviceCidr: "10.128.0.0/20" }, b: { ...kind(), podCidr: "10.128.0.0/17" } },
    },
    "members.b.podCidr",
    '"10.128.0.0/17"',
  ),
  fleetCase(
    "a pinned pod CIDR outside the pod pool",
    { members: { a: { ...kind(), podCidr: "192.168.0.0/17" } } },
    "members.a.podCidr",
    '"192.168.0.0/17"',
  ),
  fleetCase(
    "overlapping pod and service pools",
    { pools: { podCidrPool: "10.0.0.0/8", serviceCidrPool: "10.96.0.0/12" }, members: { a: kind() } },
    "pools.serviceCidrPool",
    '"10.96.0.0/12"',
  ),
  fleetCase(
    "a pod pool that is not a CIDR",
    { pools: { podCidrPool: "ten-dot-zero" }, members: { a: kind() } },
    "pools.podCidrPool",
    '"ten-dot-zero"',
  ),
  fleetCase(
    "a member pod prefix shorter than the pool's",
    { pools: { podCidrPool: "10.0.0.0/9", podCidrPrefixLength: 8 }, members: { a: kind() } },
    "pools.podCidrPrefixLength",
    "8",
  ),
  fleetCase(
    "a reversed NodePort range",
    { pools: { nodePortRange: { first: 32500, last: 32000 } }, members: { a: kind() } },
    "pools.nodePortRange",
    "32500",
  ),
  fleetCase("a NodePort outside the range", { members: { a: { ...kind(), nodePort: 40000 } } }, "members.a.nodePort", "40000"),
  fleetCase(
    "two members pinning one NodePort",
    { members: { a: { ...kind(), nodePort: 32100 }, b: { ...kind(), nodePort: 32100 } } },
    "members.b.nodePort",
    "32100",
  ),
  fleetCase("a NodePort on a kubeconfig member", { members: { a: { kubeconfig: "x", nodePort: 32100 } } }, "members.a.nodePort", "32100"),
  fleetCase(
    "a pool too small for the members",
    { pools: { podCidrPool: "10.0.0.0/16", podCidrPrefixLength: 17 }, members: { a: kind(), b: kind(), c: kind() } },
    "pools.podCidrPool",
    '"c"',
  ),
  // Labels and taints.
  fleetCase("a label key with a space", { members: { a: kind({ "bad key": "x" }) } }, 'members.a.labels["bad key"]', '"bad key"'),
  fleetCase("a label value over 63 characters", { members: { a: kind({ k: "v".repeat(64) }) } }, 'members.a.labels["k"]', "v".repeat(64)),
  fleetCase(
    "a taint effect other than NoSchedule",
    { members: { a: { ...kind(), taints: [{ key: "k", effect: "NoExecute" as "NoSchedule" }] } } },
    "members.a.taints[0].effect",
    '"NoExecute"',
  ),
  fleetCase(
    "a taint key that is not a qualified name",
    { members: { a: { ...kind(), taints: [{ key: "bad key!", effect: "NoSchedule" }] } } },
    "members.a.taints[0].key",
    '"bad key!"',
  ),
  // AKS.
  fleetCase(
    "an AKS version below 1.32 in an Azure Fleet mesh",
    {
      azureFleet: { resourceGroupName: "rg", location: "l" },
      members: { a: { ...aks({ kubernetesVersion: "1.30" }), labels: { m: "x" } } },
      meshes: { x: { memberSelector: { matchLabels: { m: "x" } } } },
    },
    "members.a.aks.kubernetesVersion",
    '"1.30"',
  ),
  fleetCase(
    "an unsupported AKS network plugin",
    { members: { a: aks({ networkPlugin: "kubenet" }) } },
    "members.a.aks.networkPlugin",
    '"kubenet"',
  ),
  fleetCase(
    "a malformed AKS Kubernetes version",
    { members: { a: aks({ kubernetesVersion: "one-thirty" }) } },
    "members.a.aks.kubernetesVersion",
    '"one-thirty"',
  ),
  // Meshes.
  fleetCase(
    "a member in two meshes",
    {
      members: { a: kind({ x: "1", y: "1" }) },
      meshes: { one: { memberSelector: { matchLabels: { x: "1" } } }, two: { memberSelector: { matchLabels: { y: "1" } } } },
    },
    "meshes.two.memberSelector",
    '"a"',
  ),
  fleetCase(
    "a mesh name that is not a DNS label",
    { members: { a: kind({ m: "x" }) }, meshes: { Bad_Mesh: { memberSelector: { matchLabels: { m: "x" } } } } },
    "meshes.Bad_Mesh.name",
    '"Bad_Mesh"',
  ),
  fleetCase(
    "a mesh selector Kubernetes refuses",
    {
      members: { a: kind({ m: "x" }) },
      meshes: { x: { memberSelector: { matchExpressions: [{ key: "m", operator: "In", values: [] }] } } },
    },
    "meshes.x.memberSelector.matchExpressions[0]",
    "in",
  ),
  fleetCase(
    "a kubeconfig member in a mesh without an endpoint",
    { members: { dc: { kubeconfig: "x", labels: { m: "x" } } }, meshes: { x: { memberSelector: { matchLabels: { m: "x" } } } } },
    "members.dc.meshEndpoint",
    '"x"',
  ),
  fleetCase(
    "an AKS-managed member meshed with a kind member",
    {
      azureFleet: { resourceGroupName: "rg", location: "l" },
      members: { k: kind({ m: "x" }), a: { ...aks(), labels: { m: "x" } } },
      meshes: { x: { memberSelector: { matchLabels: { m: "x" } } } },
    },
    "meshes.x.memberSelector",
    '"x"',
  ),
  fleetCase(
    "an Azure Fleet mesh whose selector is not key=value",
    {
      azureFleet: { resourceGroupName: "rg", location: "l" },
      members: { a: { ...aks(), labels: { m: "x", n: "y" } } },
      meshes: { x: { memberSelector: { matchLabels: { m: "x", n: "y" } } } },
    },
    "meshes.x.memberSelector",
    '"x"',
  ),
  fleetCase(
    "an AKS-managed mesh without an Azure Fleet",
    { members: { a: { ...aks(), labels: { m: "x" } } }, meshes: { x: { memberSelector: { matchLabels: { m: "x" } } } } },
    "meshes.x",
    '"x"',
  ),
  // Placements.
  placementCase(
    "a PickN policy without numberOfClusters",
    { resources: INVENTORY, resourceSelectors: NS, policy: { placementType: "PickN" } },
    "policy",
    "PickN",
  ),
  placementCase(
    "a weight above 100",
    {
      resources: INVENTORY,
      resourceSelectors: NS,
      policy: {
        placementType: "PickN",
        numberOfClusters: 1,
        affinity: { clusterAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 101, preference: {} }] } },
      },
    },
    "policy.affinity.clusterAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight",
    "101",
  ),
  placementCase(
    "preferred terms on a PickAll policy",
    {
      resources: INVENTORY,
      resourceSelectors: NS,
      policy: {
        placementType: "PickAll",
        affinity: { clusterAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: {} }] } },
      },
    },
    "policy.affinity.clusterAffinity.preferredDuringSchedulingIgnoredDuringExecution",
    "PickAll",
  ),
  placementCase(
    "a property value that is not a quantity",
    {
      resources: INVENTORY,
      resourceSelectors: NS,
      policy: {
        placementType: "PickAll",
        affinity: {
          clusterAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              clusterSelectorTerms: [{ propertySelector: { matchExpressions: [{ name: "cpu", operator: "Gt", values: ["lots"] }] } }],
            },
          },
        },
      },
    },
    "policy.affinity.clusterAffinity.requiredDuringSchedulingIgnoredDuringExecution.clusterSelectorTerms[0].propertySelector.matchExpressions[0].values[0]",
    '"lots"',
  ),
  placementCase(
    "an Exists toleration with a value",
    {
      resources: INVENTORY,
      resourceSelectors: NS,
      policy: { placementType: "PickAll", tolerations: [{ key: "k", operator: "Exists", value: "v" }] },
    },
    "policy.tolerations[0].value",
    '"v"',
  ),
  placementCase(
    "a maxSkew of 0",
    {
      resources: INVENTORY,
      resourceSelectors: NS,
      policy: { placementType: "PickN", numberOfClusters: 1, topologySpreadConstraints: [{ topologyKey: "region", maxSkew: 0 }] },
    },
    "policy.topologySpreadConstraints[0].maxSkew",
    "0",
  ),
  placementCase(
    "a maxUnavailable string without %",
    { resources: INVENTORY, resourceSelectors: NS, strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25" } } },
    "strategy.rollingUpdate.maxUnavailable",
    "25",
  ),
  placementCase(
    "a PickFixed name listed twice",
    { resources: INVENTORY, resourceSelectors: NS, policy: { placementType: "PickFixed", clusterNames: ["a", "a"] } },
    "policy.clusterNames[1]",
    '"a"',
  ),
  placementCase(
    "properties for a cluster that is not a member",
    { resources: INVENTORY, resourceSelectors: NS, memberProperties: { nowhere: { cpu: "1" } } },
    "memberProperties.nowhere",
    '"nowhere"',
  ),
  placementCase("hub mode without a hub", { resources: INVENTORY, resourceSelectors: NS, mode: "hub" }, "hub", '"hub"'),
];

runCatalogue("bad-input catalogue: every bad configuration is refused before anything is registered", CASES, 40);
