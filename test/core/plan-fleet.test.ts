import { strict as assert } from "assert";
import { FleetDeclaration, PlannedMember, allocateFleet, fleetState, planFleet } from "../../components/core/fleet/plan-fleet";
import { apiserverEndpoint } from "../../components/core/fleet/member-cilium";
import { FleetState } from "../../components/core/fleet/types";
import { kindClusterNameViolations, ownerStackLabelValue } from "../../components/core/fleet/kind-names";

/** A fleet declaration with defaults a test overrides. */
function declaration(overrides: Partial<FleetDeclaration>): FleetDeclaration {
  return { name: "demo", members: [], meshes: [], azureFleet: false, ownerStack: "org.proj.dev", ...overrides };
}

const MESHED = { mesh: "demo" };
const DEMO_MESH = { name: "demo", memberSelector: { matchLabels: MESHED } };
const kindMeshed = (name: string) => ({ name, kind: {}, hasKubeconfig: false, labels: MESHED });

function kindMember(name: string, extra: Partial<PlannedMember> = {}): PlannedMember {
  return {
    name,
    provisioner: "kind",
    labels: MESHED,
    taints: [],
    ciliumOwner: "fleetmesh",
    mesh: "demo",
    apiserver: { type: "NodePort" },
    kind: {
      clusterName: `demo-${name}`,
      controlPlane: `demo-${name}-control-plane`,
      workers: 0,
      nodeLabels: { "fleetmesh.io/owner-stack": "org.proj.dev" },
    },
    kubeProxyReplacement: true,
    l2Announcements: true,
    allocationRequest: {
      name,
      needsNodePort: true,
      pins: { clusterId: undefined, podCidr: undefined, serviceCidr: undefined, nodePort: undefined },
    },
    ...extra,
  };
}

describe("planFleet decides every member fact once", () => {
  const cases: Array<{ name: string; declaration: FleetDeclaration; members: PlannedMember[]; meshes: unknown[] }> = [
    {
      name: "a kind member and a kubeconfig member behind a pinned LoadBalancer share a self-managed Cilium mesh",
      declaration: declaration({
        members: [
          { name: "dc", hasKubeconfig: true, labels: MESHED, meshEndpoint: { loadBalancerIP: "10.50.0.10" } },
          { name: "c1", kind: {}, hasKubeconfig: false, labels: MESHED },
        ],
        meshes: [{ ...DEMO_MESH, globalNamespaces: ["shop"] }],
      }),
      members: [
        kindMember("c1"),
        {
          name: "dc",
          provisioner: "kubeconfig",
          labels: MESHED,
          taints: [],
          ciliumOwner: "fleetmesh",
          mesh: "demo",
          apiserver: { type: "LoadBalancer", loadBalancerIP: "10.50.0.10" },
          kubeProxyReplacement: false,
          l2Announcements: false,
          allocationRequest: {
            name: "dc",
            needsNodePort: false,
            cidrsAreFacts: true,
            pins: { clusterId: undefined, podCidr: undefined, serviceCidr: undefined, nodePort: undefined },
          },
        },
      ],
      meshes: [{ name: "demo", backend: "cilium", members: ["c1", "dc"], defaultGlobalNamespace: true, globalNamespaces: ["shop"] }],
    },
    {
      name: "an AKS member with AKS-managed Cilium joins an Azure Fleet mesh, which shares only annotated namespaces",
      declaration: declaration({
        azureFleet: true,
        members: [
          {
            name: "e1",
            aks: { kubernetesVersion: "1.33" },
            hasKubeconfig: false,
            labels: MESHED,
            taints: [{ key: "gpu", effect: "NoSchedule" }],
          },
        ],
        meshes: [{ ...DEMO_MESH, defaultGlobalNamespace: true }],
      }),
      members: [
        {
          name: "e1",
          provisioner: "aks",
          labels: MESHED,
          taints: [{ key: "gpu", effect: "NoSchedule" }],
          ciliumOwner: "aks",
          mesh: "demo",
          kubeProxyReplacement: false,
          l2Announcements: false,
          allocationRequest: {
            name: "e1",
            needsNodePort: false,
            pins: { clusterId: undefined, podCidr: undefined, serviceCidr: undefined, nodePort: undefined },
          },
        },
      ],
      meshes: [
        {
          name: "demo",
          backend: "azure-fleet",
          members: ["e1"],
          defaultGlobalNamespace: false,
          globalNamespaces: [],
          byLabel: "mesh=demo",
        },
      ],
    },
    {
      name: "a kind member outside any mesh names its own cluster, pins its id and keeps kube-proxy when the fleet asks",
      declaration: declaration({
        cilium: { kubeProxyReplacement: false },
        members: [
          {
            name: "solo",
            kind: { clusterName: "my-solo", workers: 2, nodeImage: "kindest/node:v1.33.1" },
            hasKubeconfig: false,
            clusterId: 9,
          },
        ],
      }),
      members: [
        {
          name: "solo",
          provisioner: "kind",
          labels: {},
          taints: [],
          ciliumOwner: "fleetmesh",
          // Every kind member runs a clustermesh-apiserver on its NodePort, in a mesh or not.
          apiserver: { type: "NodePort" },
          kind: {
            clusterName: "my-solo",
            controlPlane: "my-solo-control-plane",
            workers: 2,
            nodeImage: "kindest/node:v1.33.1",
            nodeLabels: { "fleetmesh.io/owner-stack": "org.proj.dev" },
          },
          kubeProxyReplacement: false,
          l2Announcements: false,
          allocationRequest: {
            name: "solo",
            needsNodePort: true,
            pins: { clusterId: 9, podCidr: undefined, serviceCidr: undefined, nodePort: undefined },
          },
        },
      ],
      meshes: [],
    },
    {
      name: "members outside any mesh run an apiserver whenever fleetmesh installs their Cilium and their endpoint is known",
      declaration: declaration({
        members: [
          { name: "lb", hasKubeconfig: true, meshEndpoint: { loadBalancerIP: "10.50.0.10" } },
          { name: "np", hasKubeconfig: true, meshEndpoint: { serviceType: "NodePort", ips: ["192.168.60.1", "192.168.60.2"] } },
          { name: "plain", hasKubeconfig: true },
          {
            name: "byo",
            aks: { networkPlugin: "none" },
            hasKubeconfig: false,
            meshEndpoint: { loadBalancerIP: "10.224.0.200", annotations: { team: "net" } },
          },
          { name: "managed", aks: {}, hasKubeconfig: false },
        ],
      }),
      members: [
        {
          name: "byo",
          provisioner: "aks",
          labels: {},
          taints: [],
          ciliumOwner: "fleetmesh",
          apiserver: { type: "LoadBalancer", loadBalancerIP: "10.224.0.200", annotations: { team: "net" } },
          kubeProxyReplacement: false,
          l2Announcements: false,
          allocationRequest: {
            name: "byo",
            needsNodePort: false,
            pins: { clusterId: undefined, podCidr: undefined, serviceCidr: undefined, nodePort: undefined },
          },
        },
        {
          name: "lb",
          provisioner: "kubeconfig",
          labels: {},
          taints: [],
          ciliumOwner: "fleetmesh",
          apiserver: { type: "LoadBalancer", loadBalancerIP: "10.50.0.10" },
          kubeProxyReplacement: false,
          l2Announcements: false,
          allocationRequest: {
            name: "lb",
            needsNodePort: false,
            cidrsAreFacts: true,
            pins: { clusterId: undefined, podCidr: undefined, serviceCidr: undefined, nodePort: undefined },
          },
        },
        {
          // AKS-managed Cilium belongs to AKS: fleetmesh runs no apiserver on it.
          name: "managed",
          provisioner: "aks",
          labels: {},
          taints: [],
          ciliumOwner: "aks",
          kubeProxyReplacement: false,
          l2Announcements: false,
          allocationRequest: {
            name: "managed",
            needsNodePort: false,
            pins: { clusterId: undefined, podCidr: undefined, serviceCidr: undefined, nodePort: undefined },
          },
        },
        {
          name: "np",
          provisioner: "kubeconfig",
          labels: {},
          taints: [],
          ciliumOwner: "fleetmesh",
          apiserver: { type: "NodePort", ips: ["192.168.60.1", "192.168.60.2"] },
          kubeProxyReplacement: false,
          l2Announcements: false,
          allocationRequest: {
            name: "np",
            needsNodePort: true,
            cidrsAreFacts: true,
            pins: { clusterId: undefined, podCidr: undefined, serviceCidr: undefined, nodePort: undefined },
          },
        },
        {
          name: "plain",
          provisioner: "kubeconfig",
          labels: {},
          taints: [],
          ciliumOwner: "fleetmesh",
          kubeProxyReplacement: false,
          l2Announcements: false,
          allocationRequest: {
            name: "plain",
            needsNodePort: false,
            cidrsAreFacts: true,
            pins: { clusterId: undefined, podCidr: undefined, serviceCidr: undefined, nodePort: undefined },
          },
        },
      ],
      meshes: [],
    },
  ];
  for (const { name, declaration: declared, members, meshes } of cases) {
    it(name, () => {
      const plan = planFleet(declared);
      assert.deepEqual({ violations: plan.violations, members: plan.members, meshes: plan.meshes }, { violations: [], members, meshes });
    });
  }
});

describe("planFleet plans a member's own apiserver apart from its mesh", () => {
  const members = [
    { name: "c1", kind: {}, hasKubeconfig: false },
    { name: "dc", hasKubeconfig: true, meshEndpoint: { loadBalancerIP: "10.50.0.10" } },
    { name: "np", hasKubeconfig: true, meshEndpoint: { serviceType: "NodePort" as const, ips: ["192.168.60.1"] } },
  ];
  const withLabels = (labels: Record<string, string> | undefined) => members.map((m) => ({ ...m, ...(labels && { labels }) }));
  const plannedWithout = (labels: Record<string, string> | undefined, meshes: FleetDeclaration["meshes"]) =>
    planFleet(declaration({ members: withLabels(labels), meshes })).members.map(({ mesh: _, labels: __, ...rest }) => rest);

  it("gives every member the same apiserver and allocation request in a mesh, in another mesh and in none", () => {
    const alone = plannedWithout(undefined, []);
    assert.deepEqual(plannedWithout(MESHED, [DEMO_MESH]), alone);
    assert.deepEqual(
      plannedWithout({ mesh: "other" }, [DEMO_MESH, { name: "other", memberSelector: { matchLabels: { mesh: "other" } } }]),
      alone,
    );
    assert.deepEqual(
      alone.map((m) => [m.name, m.apiserver]),
      [
        ["c1", { type: "NodePort" }],
        ["dc", { type: "LoadBalancer", loadBalancerIP: "10.50.0.10" }],
        ["np", { type: "NodePort", ips: ["192.168.60.1"] }],
      ],
    );
  });
});

describe("planFleet refuses what the arguments alone make impossible", () => {
  const cases: Array<{ name: string; declaration: FleetDeclaration; violations: Array<{ path: string; message: string }> }> = [
    {
      name: "a derived kind cluster name kind would refuse, naming how to choose another",
      declaration: declaration({ name: "Prod_Fleet", members: [{ name: "a", kind: {}, hasKubeconfig: false }] }),
      violations: [
        {
          path: "members.a.kind.clusterName",
          message:
            'kind cluster name "Prod_Fleet-a" (derived as <fleet>-<member>; set kind.clusterName to choose another) is invalid: kind cluster names must match ^[a-z0-9.-]+$',
        },
      ],
    },
    {
      name: "two members that name the same kind cluster",
      declaration: declaration({
        members: [
          { name: "a", kind: { clusterName: "shared" }, hasKubeconfig: false },
          { name: "b", kind: { clusterName: "shared" }, hasKubeconfig: false },
        ],
      }),
      violations: [
        {
          path: "members.b.kind.clusterName",
          message: 'kind cluster name "shared" is used by members "a", "b": one kind cluster per member',
        },
      ],
    },
  ];
  for (const { name, declaration: declared, violations } of cases) {
    it(name, () => assert.deepEqual(planFleet(declared).violations, violations));
  }
});

describe("allocateFleet and fleetState carry allocations across runs", () => {
  const plan = planFleet(
    declaration({ members: [{ name: "a", kind: {}, hasKubeconfig: false, labels: MESHED, clusterId: 9 }], meshes: [DEMO_MESH] }),
  );
  const held = { clusterId: 1, podCidr: "10.0.0.0/17", serviceCidr: "10.128.0.0/20", nodePort: 32000 };

  it("refuses a pin that would renumber an existing member, naming it", () => {
    const result = allocateFleet(plan, { version: 1, members: { a: held } }, false);
    assert.deepEqual(
      result.violations.map((v) => v.path),
      ["members.a.clusterId"],
    );
  });

  it("renumbers when allowed, and the state records the mesh's members and maxConnectedClusters", () => {
    const result = allocateFleet(plan, { version: 1, members: { a: held } }, true);
    assert.deepEqual(fleetState(plan, result.allocations), {
      version: 1,
      maxConnectedClusters: 255,
      members: { a: { ...held, clusterId: 9 } },
      azureFleetMembership: "az-fleet-member",
      meshes: { demo: { members: ["a"] } },
    });
  });
});

describe("allocateFleet refuses a change of maxConnectedClusters, which Cilium fixes at install", () => {
  const planWith = (maxConnectedClusters: 255 | 511, members = ["a", "b"]) =>
    planFleet(declaration({ maxConnectedClusters, members: members.map((name) => ({ name, kind: {}, hasKubeconfig: false })) }));
  const held = { clusterId: 1, podCidr: "10.0.0.0/17", serviceCidr: "10.128.0.0/20", nodePort: 32000 };
  const installed = (recorded?: 255 | 511) => ({
    version: 1 as const,
    ...(recorded !== undefined && { maxConnectedClusters: recorded }),
    members: { a: held },
  });
  const CHANGE =
    'maxConnectedClusters 511 differs from 255, which Cilium on member "a" was installed with: Cilium cannot change ' +
    "clustermesh.maxConnectedClusters on a running cluster, and every cluster of a mesh needs the same value " +
    "(allowRenumber does not apply); keep maxConnectedClusters 255";
  const cases: Array<{
    name: string;
    plan: ReturnType<typeof planWith>;
    previous: FleetState;
    allowRenumber: boolean;
    violations: unknown[];
  }> = [
    {
      name: "255 to 511 is refused, naming maxConnectedClusters",
      plan: planWith(511),
      previous: installed(255),
      allowRenumber: false,
      violations: [{ path: "maxConnectedClusters", message: CHANGE }],
    },
    {
      name: "allowRenumber does not allow it",
      plan: planWith(511),
      previous: installed(255),
      allowRenumber: true,
      violations: [{ path: "maxConnectedClusters", message: CHANGE }],
    },
    { name: "the recorded value is accepted", plan: planWith(511), previous: installed(511), allowRenumber: false, violations: [] },
    {
      name: "state written before the value was recorded is accepted (this run records it)",
      plan: planWith(511),
      previous: installed(undefined),
      allowRenumber: false,
      violations: [],
    },
    {
      name: "a change is accepted once no member installed with the old value remains",
      plan: planWith(511, ["c"]),
      previous: installed(255),
      allowRenumber: false,
      violations: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(allocateFleet(c.plan, c.previous, c.allowRenumber).violations, c.violations));
  }

  it("records the value in the state it writes", () => {
    const plan = planWith(511);
    assert.equal(fleetState(plan, allocateFleet(plan, installed(undefined), false).allocations).maxConnectedClusters, 511);
  });
});

describe("planFleet refuses bad member and mesh fields under the user's paths", () => {
  const kindIn = (name: string) => ({ name, kind: {}, hasKubeconfig: false, labels: MESHED });
  const cases: Array<{ name: string; declaration: FleetDeclaration; violations: Array<{ path: string; message: string }> }> = [
    {
      name: "global namespaces that are reserved, not DNS-1123 labels, or listed twice",
      declaration: declaration({
        members: [kindIn("c1")],
        meshes: [{ ...DEMO_MESH, globalNamespaces: ["kube-system", "default", "Shop", "shop", "shop"] }],
      }),
      violations: [
        {
          path: "meshes.demo.globalNamespaces[0]",
          message:
            'namespace "kube-system" is reserved: every cluster already has it ("default", "kube-system", "kube-public", "kube-node-lease"), ' +
            'and the mesh would create and own it on each member; annotate it clustermesh.cilium.io/global: "true" on the clusters instead',
        },
        {
          path: "meshes.demo.globalNamespaces[1]",
          message:
            'namespace "default" is reserved: every cluster already has it ("default", "kube-system", "kube-public", "kube-node-lease"), ' +
            'and the mesh would create and own it on each member; annotate it clustermesh.cilium.io/global: "true" on the clusters instead',
        },
        {
          path: "meshes.demo.globalNamespaces[2]",
          message:
            "namespace \"Shop\" is invalid: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must " +
            "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
        },
        { path: "meshes.demo.globalNamespaces[4]", message: 'namespace "shop" is also globalNamespaces[3]: each namespace is listed once' },
      ],
    },
    {
      name: "a mesh endpoint on a kind member, and on a member whose Cilium AKS owns",
      declaration: declaration({
        members: [
          { name: "c1", kind: {}, hasKubeconfig: false, meshEndpoint: { loadBalancerIP: "10.0.0.1" } },
          { name: "e1", aks: {}, hasKubeconfig: false, meshEndpoint: { loadBalancerIP: "10.0.0.2" } },
        ],
      }),
      violations: [
        {
          path: "members.c1.meshEndpoint",
          message:
            "a kind member is reached on its NodePort at its node's address, which fleetmesh finds itself: " +
            'meshEndpoint is only for kubeconfig and AKS BYOCNI (networkPlugin "none") members',
        },
        {
          path: "members.e1.meshEndpoint",
          message:
            "AKS-managed Cilium belongs to AKS, and only an Azure Fleet ClusterMeshProfile meshes it: " +
            'meshEndpoint is only for kubeconfig and AKS BYOCNI (networkPlugin "none") members',
        },
      ],
    },
    {
      name: "mesh endpoints with addresses that are not IPs, missing ones, or fields of the other service type",
      declaration: declaration({
        members: [
          {
            name: "lb",
            hasKubeconfig: true,
            meshEndpoint: { loadBalancerIP: "10.0.0.300", ips: ["10.0.0.1"], annotations: { "a b": "x" } },
          },
          { name: "lb2", hasKubeconfig: true, meshEndpoint: {} },
          {
            name: "np",
            hasKubeconfig: true,
            meshEndpoint: { serviceType: "NodePort", ips: ["10.0.0.1", "node-1", "10.0.0.1"], loadBalancerIP: "10.0.0.9" },
          },
          { name: "np2", hasKubeconfig: true, meshEndpoint: { serviceType: "NodePort", annotations: {} } },
          { name: "ty", hasKubeconfig: true, meshEndpoint: { serviceType: "ClusterIP" as "NodePort" } },
        ],
      }),
      violations: [
        {
          path: "members.lb.meshEndpoint.loadBalancerIP",
          message: 'loadBalancerIP "10.0.0.300" is not an IP address: peers dial it, and the server certificate carries it',
        },
        {
          path: "members.lb.meshEndpoint.ips",
          message: 'ips ["10.0.0.1"] are the node IPs of a NodePort endpoint: a LoadBalancer endpoint is dialled on loadBalancerIP',
        },
        {
          path: 'members.lb.meshEndpoint.annotations["a b"]',
          message:
            "annotation key \"a b\" is invalid: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end " +
            "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        },
        {
          path: "members.lb2.meshEndpoint.loadBalancerIP",
          message: "Required value: a LoadBalancer mesh endpoint pins the IP peers dial (on port 2379)",
        },
        {
          path: "members.np.meshEndpoint.ips[1]",
          message: 'ips[1] "node-1" is not an IP address: peers dial it, and the server certificate carries it',
        },
        { path: "members.np.meshEndpoint.ips[2]", message: 'ips[2] "10.0.0.1" is also ips[0]: each node IP is listed once' },
        {
          path: "members.np.meshEndpoint.loadBalancerIP",
          message: 'loadBalancerIP "10.0.0.9" is set on a NodePort endpoint: peers dial its ips on the NodePort',
        },
        {
          path: "members.np2.meshEndpoint.ips",
          message: "Required value: a NodePort mesh endpoint lists the node IPs peers dial on the member's NodePort",
        },
        {
          path: "members.np2.meshEndpoint.annotations",
          message: "annotations go on the Service of a LoadBalancer endpoint: a NodePort endpoint takes none",
        },
        {
          path: "members.ty.meshEndpoint.serviceType",
          message: 'serviceType "ClusterIP" is not supported: must be "LoadBalancer" or "NodePort"',
        },
      ],
    },
    {
      name: "AKS cluster names, node counts and node subnets Azure would refuse",
      declaration: declaration({
        members: [
          { name: "a1", aks: { clusterName: "has_underscore", nodeCount: 0, nodeSubnetCidr: "10.200.0.0/33" }, hasKubeconfig: false },
          { name: "a2", aks: { clusterName: "-bad", nodeCount: 2.5, nodeSubnetCidr: "10.0.4.0/24" }, hasKubeconfig: false },
          { name: "a3", aks: { nodeSubnetCidr: "10.200.1.0/29" }, hasKubeconfig: false },
          { name: "a4", aks: { nodeSubnetCidr: "10.200.1.0/24" }, hasKubeconfig: false },
          { name: "a5", aks: { nodeSubnetCidr: "10.0.0.0/24" }, hasKubeconfig: false, podCidr: "10.0.0.0/17" },
        ],
      }),
      violations: [
        {
          path: "members.a1.aks.clusterName",
          message:
            "clusterName \"has_underscore\" is invalid: it is also the cluster's DNS prefix, which has 1 to 54 letters, digits or '-' " +
            "(no '_'), and starts and ends with a letter or digit",
        },
        {
          path: "members.a1.aks.nodeCount",
          message: "nodeCount 0 is invalid: the system node pool of an AKS cluster has 1 to 1000 nodes (an integer)",
        },
        {
          path: "members.a1.aks.nodeSubnetCidr",
          message: 'nodeSubnetCidr "10.200.0.0/33" is not a valid IPv4 CIDR: prefix length "33" is not a decimal number from 0 to 32',
        },
        {
          path: "members.a2.aks.clusterName",
          message:
            "clusterName \"-bad\" is invalid: an AKS cluster name has 1 to 63 letters, digits, '_' or '-', and starts and ends with a letter or digit",
        },
        {
          path: "members.a2.aks.nodeCount",
          message: "nodeCount 2.5 is invalid: the system node pool of an AKS cluster has 1 to 1000 nodes (an integer)",
        },
        {
          path: "members.a2.aks.nodeSubnetCidr",
          message:
            'nodeSubnetCidr "10.0.4.0/24" overlaps pools.podCidrPool: every member\'s pod CIDR is carved from it, and AKS needs the node subnet ' +
            "apart from the pod CIDR and the service CIDR",
        },
        {
          path: "members.a3.aks.nodeSubnetCidr",
          message:
            'nodeSubnetCidr "10.200.1.0/29" is too small for 3 nodes: Azure keeps 5 of its addresses, leaving 3, and each node takes one, ' +
            "plus one for the surge node of an upgrade",
        },
        {
          path: "members.a4.aks.nodeSubnetCidr",
          message:
            'nodeSubnetCidr "10.200.1.0/24" overlaps nodeSubnetCidr "10.200.1.0/29" of member "a3": members share one flat network, ' +
            "so their node subnets must not overlap",
        },
        {
          path: "members.a5.aks.nodeSubnetCidr",
          message:
            'nodeSubnetCidr "10.0.0.0/24" overlaps the member\'s podCidr "10.0.0.0/17": AKS needs the node subnet apart from the pod CIDR ' +
            "and the service CIDR",
        },
      ],
    },
    {
      name: "a routing mode the chart does not have, and switches that are not booleans",
      declaration: declaration({
        cilium: { routingMode: "direct" as "native", kubeProxyReplacement: "yes" as unknown as boolean },
        members: [kindMeshed("c1")],
      }),
      violations: [
        { path: "cilium.routingMode", message: 'routingMode "direct" is not supported: must be "tunnel" or "native"' },
        { path: "cilium.kubeProxyReplacement", message: 'kubeProxyReplacement "yes" is invalid: must be true or false' },
      ],
    },
    {
      name: "kind node images that are not image references",
      declaration: declaration({
        members: [
          { name: "c1", kind: { nodeImage: "kindest/node: v1.33.1" }, hasKubeconfig: false },
          { name: "c2", kind: { nodeImage: "Kindest/Node:v1.33.1" }, hasKubeconfig: false },
        ],
      }),
      violations: [
        {
          path: "members.c1.kind.nodeImage",
          message:
            'nodeImage "kindest/node: v1.33.1" is invalid: must be an image reference: [registry[:port]/]name[:tag][@digest], with a ' +
            'lower-case name of path components like "kindest/node" and a tag like "v1.33.1" (e.g. "kindest/node:v1.33.1")',
        },
        {
          path: "members.c2.kind.nodeImage",
          message: 'nodeImage "Kindest/Node:v1.33.1" is invalid: the repository name must be lowercase',
        },
      ],
    },
  ];
  for (const { name, declaration: declared, violations } of cases) {
    it(`refuses ${name}`, () => assert.deepEqual(planFleet(declared).violations, violations));
  }
});

describe("planFleet accepts what the rules allow", () => {
  it("a kubeconfig member with a NodePort endpoint pins its NodePort, and peers dial that port", () => {
    const plan = planFleet(
      declaration({
        members: [
          kindMeshed("c1"),
          {
            name: "dc",
            hasKubeconfig: true,
            labels: MESHED,
            nodePort: 32100,
            meshEndpoint: { serviceType: "NodePort", ips: ["192.168.60.1"] },
          },
        ],
        meshes: [DEMO_MESH],
      }),
    );
    assert.deepEqual(plan.violations, []);
    const { allocations, violations } = allocateFleet(plan, undefined, false);
    const dc = plan.members.find((m) => m.name === "dc")!;
    assert.deepEqual(
      [violations, allocations.dc.nodePort, apiserverEndpoint(dc, allocations.dc, undefined)],
      [[], 32100, { port: 32100, ips: ["192.168.60.1"] }],
    );
  });

  it("kind node images with a registry, a port, a tag and a digest", () => {
    const images = ["kindest/node:v1.33.1", "localhost:5000/kindest/node:v1.33.1", `kindest/node:v1.33.1@sha256:${"a".repeat(64)}`, "node"];
    const plan = planFleet(
      declaration({ members: images.map((nodeImage, i) => ({ name: `c${i}`, kind: { nodeImage }, hasKubeconfig: false })) }),
    );
    assert.deepEqual(plan.violations, []);
  });

  it("normalises cilium.version for Helm, values and what-if, and quotes a refused one as written", () => {
    assert.equal(planFleet(declaration({ cilium: { version: "v1.18.12" } })).cilium.version, "1.18.12");
    assert.deepEqual(planFleet(declaration({ cilium: { version: "v1.15.3" } })).violations, [
      {
        path: "cilium.version",
        message: 'cilium version "v1.15.3" is not supported: fleetmesh generates Helm values for Cilium charts 1.16.0–1.20.x',
      },
    ]);
  });

  it("a pool given as undefined takes its default", () => {
    const plan = planFleet(declaration({ pools: { podCidrPool: undefined }, members: [kindMeshed("c1")] }));
    assert.deepEqual([plan.violations, plan.pools.podCidrPool], [[], "10.0.0.0/9"]);
  });

  it("members named after Object.prototype's properties keep their own values", () => {
    const plan = planFleet(declaration({ members: [kindMeshed("constructor"), kindMeshed("tostring")], meshes: [DEMO_MESH] }));
    const { allocations, violations } = allocateFleet(plan, { version: 1, members: {} }, false);
    assert.deepEqual([violations, Object.keys(allocations)], [[], ["constructor", "tostring"]]);
  });
});

describe("planFleet warns about what would silently do nothing", () => {
  it("a mesh whose selector matches no member", () => {
    const plan = planFleet(
      declaration({ members: [kindMeshed("c1")], meshes: [{ name: "other", memberSelector: { matchLabels: { mesh: "x" } } }] }),
    );
    assert.deepEqual(plan.warnings, [
      `mesh "other": memberSelector {"matchLabels":{"mesh":"x"}} matches no member, so the mesh connects nothing (check the members' labels)`,
    ]);
  });
});

describe("kind cluster names and the owner-stack mark", () => {
  const marks: Array<[string, [string, string, string], string]> = [
    ["joins a plain stack name with dots", ["acme", "fleet", "dev"], "acme.fleet.dev"],
    ["replaces characters a label value cannot hold", ["acme", "fleet", "dev/blue"], "acme.fleet.dev_blue"],
  ];
  for (const [name, [org, project, stack], expected] of marks) {
    it(`the mark ${name}`, () => assert.equal(ownerStackLabelValue(org, project, stack), expected));
  }

  it("the mark of a long name keeps its start, ends with a hash of the whole, and fits a label value", () => {
    const mark = ownerStackLabelValue("organization", "a".repeat(60), "production");
    assert.equal(mark.length, 63);
    assert.match(mark, /^organization\.a{37}-[0-9a-f]{12}$/);
  });

  it("two long stack names that share their start get different marks", () => {
    const long = "p".repeat(70);
    assert.notEqual(ownerStackLabelValue("o", long, "dev"), ownerStackLabelValue("o", long, "prod"));
  });

  it("refuses a name too long for its control-plane hostname", () => {
    assert.deepEqual(kindClusterNameViolations("members.a.kind.clusterName", "x".repeat(50), false), [
      {
        path: "members.a.kind.clusterName",
        message: `kind cluster name "${"x".repeat(50)}" is invalid: it is 50 characters, and at most 49 leave "${"x".repeat(50)}-control-plane" a valid 63-character hostname`,
      },
    ]);
  });
});
