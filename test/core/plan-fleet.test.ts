import { strict as assert } from "assert";
import { FleetDeclaration, PlannedMember, allocateFleet, fleetState, planFleet } from "../../components/core/fleet/plan-fleet";
import { kindClusterNameViolations, ownerStackLabelValue } from "../../components/core/fleet/kind-names";

/** A fleet declaration with defaults a test overrides. */
function declaration(overrides: Partial<FleetDeclaration>): FleetDeclaration {
  return { name: "demo", members: [], meshes: [], azureFleet: false, ownerStack: "org.proj.dev", ...overrides };
}

const MESHED = { mesh: "demo" };
const DEMO_MESH = { name: "demo", memberSelector: { matchLabels: MESHED } };

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
          { name: "nx", hasKubeconfig: true, meshEndpoint: { serviceType: "NodePort" } },
          { name: "plain", hasKubeconfig: true },
          {
            name: "byo",
            aks: { networkPlugin: "none" },
            hasKubeconfig: false,
            meshEndpoint: { loadBalancerIP: "10.224.0.200", annotations: { team: "net" } },
          },
          { name: "managed", aks: {}, hasKubeconfig: false, meshEndpoint: { loadBalancerIP: "10.224.0.201" } },
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
            pins: { clusterId: undefined, podCidr: undefined, serviceCidr: undefined, nodePort: undefined },
          },
        },
        {
          // AKS-managed Cilium belongs to AKS: fleetmesh runs no apiserver on it, whatever it declares.
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
            pins: { clusterId: undefined, podCidr: undefined, serviceCidr: undefined, nodePort: undefined },
          },
        },
        {
          // A NodePort without the IPs it is reached on: the endpoint is not known, so no apiserver.
          name: "nx",
          provisioner: "kubeconfig",
          labels: {},
          taints: [],
          ciliumOwner: "fleetmesh",
          kubeProxyReplacement: false,
          l2Announcements: false,
          allocationRequest: {
            name: "nx",
            needsNodePort: true,
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

  it("renumbers when allowed, and the state records the mesh's members", () => {
    const result = allocateFleet(plan, { version: 1, members: { a: held } }, true);
    assert.deepEqual(fleetState(plan, result.allocations), {
      version: 1,
      members: { a: { ...held, clusterId: 9 } },
      meshes: { demo: { members: ["a"] } },
    });
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
