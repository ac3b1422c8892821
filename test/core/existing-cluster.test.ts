import { strict as assert } from "assert";
import { FleetDeclaration, MemberDeclarationFacts, allocateFleet, fleetState, planFleet } from "../../components/core/fleet/plan-fleet";
import { TESTED_KUBERNETES, kubernetesSupport, testedKubernetes } from "../../components/core/cilium/kubernetes-compatibility";
import { MESH_SETTINGS_KEYS, meshSettingsValues } from "../../components/core/cilium/cilium-values";
import { endpointAddress, meshWhatIf } from "../../components/core/cilium/mesh-what-if";
import { clusterCheckSpec, existingCiliumNotice } from "../../components/core/fleet/existing-cluster-check";

/** A fleet declaration with defaults a test overrides. */
const declaration = (members: MemberDeclarationFacts[], extra: Partial<FleetDeclaration> = {}): FleetDeclaration => ({
  name: "dce",
  members,
  meshes: [],
  azureFleet: false,
  ownerStack: "org.proj.dev",
  ...extra,
});

/** A kubeconfig member whose cluster runs Cilium 1.17.6 with kubespray's default CIDRs, shifted by `n`. */
const existing = (name: string, id: number, n = 0, extra: Partial<MemberDeclarationFacts> = {}): MemberDeclarationFacts => ({
  name,
  hasKubeconfig: true,
  existingCilium: { clusterName: name, clusterId: id, version: "1.17.6" },
  podCidr: `10.${233 + n}.64.0/18`,
  serviceCidr: `10.${233 + n}.0.0/18`,
  ...extra,
});

describe("existing clusters: CIDRs as facts and existingCilium, planned and allocated", () => {
  it("accepts two existing clusters whose kubespray CIDRs lie outside the fleet's pools, and keeps them and their ids", () => {
    const plan = planFleet(declaration([existing("a", 7), existing("b", 3, 1), { name: "k", hasKubeconfig: true }]));
    const allocation = allocateFleet(plan, undefined, false);
    assert.deepEqual(
      { violations: plan.violations, allocation, existing: plan.members.map((m) => m.existingCilium) },
      {
        violations: [],
        allocation: {
          allocations: {
            a: { clusterId: 7, podCidr: "10.233.64.0/18", serviceCidr: "10.233.0.0/18" },
            b: { clusterId: 3, podCidr: "10.234.64.0/18", serviceCidr: "10.234.0.0/18" },
            // A member without facts fills the lowest free slots of the pools and the lowest free id.
            k: { clusterId: 1, podCidr: "10.0.0.0/17", serviceCidr: "10.128.0.0/20" },
          },
          violations: [],
        },
        existing: [{ clusterName: "a", clusterId: 7, version: "1.17.6" }, { clusterName: "b", clusterId: 3, version: "1.17.6" }, undefined],
      },
    );
  });

  it("keeps a kubeconfig member's CIDR facts on later runs, and refuses a changed fact unless renumbering is allowed", () => {
    const plan = planFleet(declaration([existing("a", 7)]));
    const first = allocateFleet(plan, undefined, false).allocations;
    const moved = planFleet(declaration([existing("a", 7, 0, { podCidr: "10.240.0.0/18" })]));
    const previous = { version: 1 as const, members: first };
    assert.deepEqual(
      [allocateFleet(plan, previous, false), allocateFleet(moved, previous, false).violations.map((v) => v.path)],
      [{ allocations: first, violations: [] }, ["members.a.podCidr"]],
    );
  });

  it("reports every problem of a bad existing member at once, under the user's paths, in reporting order", () => {
    const plan = planFleet(
      declaration(
        [
          existing("dc", 3, 0, {
            clusterId: 4,
            existingCilium: { clusterName: "dce-a", clusterId: 3, version: "1.16.3" },
            serviceCidr: undefined,
            podCidr: "10.0.0.0/8",
          }),
        ],
        { cilium: { version: "1.18.12" } },
      ),
    );
    assert.deepEqual(plan.violations, [
      {
        path: "members.dc.existingCilium.clusterName",
        message:
          'existingCilium.clusterName "dce-a" differs from the member name "dc": the member name is the Cilium cluster name, which ' +
          'cannot change on a running cluster; name the member after the cluster (members["dce-a"])',
      },
      {
        path: "members.dc.existingCilium.version",
        message:
          'existingCilium.version "1.16.3" is 2 minor versions behind cilium.version "1.18.12": Cilium upgrades one minor version at a ' +
          "time; upgrade the cluster's Cilium to 1.17 first, or set cilium.version to 1.17.x",
      },
      {
        path: "members.dc.clusterId",
        message:
          "clusterId 4 differs from existingCilium.clusterId 3: a running cluster keeps its id; leave clusterId out (the existing id is " +
          "the member's) or make them equal",
      },
      {
        path: "members.dc.podCidr",
        message:
          'podCidr "10.0.0.0/8" overlaps pools.podCidrPool "10.0.0.0/9" without lying inside it: an existing cluster\'s pod CIDR is kept ' +
          "where it is, so it must lie inside the pool (the fleet allocates around it) or clear of it",
      },
      {
        path: "members.dc.podCidr",
        message:
          'podCidr "10.0.0.0/8" overlaps pools.serviceCidrPool "10.128.0.0/12": the fleet allocates other members\' service CIDRs from ' +
          "it, and pod and service CIDRs must not overlap anywhere in the fleet",
      },
      {
        path: "members.dc.serviceCidr",
        message:
          "serviceCidr is required with existingCilium: the cluster's real service CIDR is a fact fleetmesh keeps and checks against " +
          "every other member (it does not change the IPAM of a Cilium it takes over)",
      },
    ]);
  });

  it("records the members it took over, and refuses a later run that drops one's existingCilium", () => {
    const plan = planFleet(declaration([existing("a", 7), existing("b", 3, 1)]));
    const state = fleetState(plan, allocateFleet(plan, undefined, false).allocations);
    const undeclared = planFleet(declaration([existing("a", 7), { ...existing("b", 3, 1), existingCilium: undefined, clusterId: 3 }]));
    const removed = planFleet(declaration([existing("a", 7)]));
    assert.deepEqual(
      [state.takenOver, allocateFleet(undeclared, state, false).violations, allocateFleet(removed, state, false).violations],
      [
        ["a", "b"],
        [
          {
            path: "members.b.existingCilium",
            message:
              'member "b" ran Cilium before fleetmesh, which an earlier run took over: keep its existingCilium declared; without it ' +
              "fleetmesh would replace the cluster's own Cilium values and uninstall its CNI with the member",
          },
        ],
        [],
      ],
    );
  });

  it("normalises the declared version to the chart spelling the check compares with the agent's image", () => {
    const plan = planFleet(declaration([existing("a", 1, 0, { existingCilium: { clusterName: "a", clusterId: 1, version: "v1.17.6" } })]));
    assert.deepEqual([plan.violations, plan.members[0].existingCilium?.version], [[], "1.17.6"]);
  });
});

describe("Kubernetes versions each Cilium minor supports", () => {
  const cases: Array<[string, string, ReturnType<typeof kubernetesSupport>]> = [
    ["1.16.19", "1.26", "older"],
    ["1.16.19", "1.27", "tested"],
    ["1.17.18", "1.32", "tested"],
    ["1.18.12", "1.29", "older"],
    ["1.18.12", "1.33", "tested"],
    ["1.18.12", "1.34", "newer"],
    ["1.19.6", "1.35", "tested"],
    ["1.20.0", "1.36", "tested"],
  ];
  for (const [cilium, kubernetes, expected] of cases) {
    it(`finds Kubernetes ${kubernetes} ${expected} for Cilium ${cilium}`, () => {
      const [major, minor] = kubernetes.split(".").map(Number);
      assert.equal(kubernetesSupport(testedKubernetes(cilium)!, { major, minor }), expected);
    });
  }

  it("has a table for every supported Cilium minor, four Kubernetes minors each, and none outside 1.16-1.20", () => {
    assert.deepEqual(
      Object.entries(TESTED_KUBERNETES).map(([minor, range]) => [Number(minor), range.newest.minor - range.oldest.minor + 1]),
      [16, 17, 18, 19, 20].map((minor) => [minor, 4]),
    );
    assert.deepEqual(
      [testedKubernetes("1.15.0"), testedKubernetes("1.21.0"), testedKubernetes("latest")],
      [undefined, undefined, undefined],
    );
    assert.throws(() => clusterCheckSpec({ member: "a", ciliumVersion: "1.15.0" }), /has no Kubernetes compatibility table/);
  });
});

describe("what a take-over upgrades, and what the preview says", () => {
  it("keeps only the mesh settings of a member's values: identity, CA, certificates, Cluster Mesh and their pod annotations", () => {
    const full = {
      cluster: { name: "a", id: 1 },
      tls: { ca: { cert: "c", key: "k" } },
      ipam: { mode: "cluster-pool" },
      routingMode: "tunnel",
      kubeProxyReplacement: false,
      hubble: { tls: { auto: { method: "cronJob" } } },
      clustermesh: { useAPIServer: true },
      podAnnotations: { scope: "false" },
      operator: { replicas: 1, podAnnotations: { scope: "false" } },
    };
    assert.deepEqual(meshSettingsValues(full), {
      cluster: { name: "a", id: 1 },
      tls: { ca: { cert: "c", key: "k" } },
      hubble: { tls: { auto: { method: "cronJob" } } },
      clustermesh: { useAPIServer: true },
      podAnnotations: { scope: "false" },
      operator: { podAnnotations: { scope: "false" } },
    });
    assert.deepEqual([...MESH_SETTINGS_KEYS], ["cluster", "tls", "hubble", "clustermesh", "podAnnotations"]);
  });

  it("says a take-over imports, upgrades, re-keys and restarts, and that removal leaves Cilium installed", () => {
    assert.equal(
      existingCiliumNotice({ member: "dce-a", installedVersion: "1.17.6", fleetVersion: "1.18.12", runsApiserver: true }),
      "member dce-a already runs Cilium: Helm release cilium in kube-system is imported and upgraded from chart 1.17.6 to 1.18.12 " +
        "with the mesh settings only (its own IPAM, routing and kube-proxy settings are kept); it is re-keyed to the fleet CA: the " +
        "chart's certificate job re-issues its Hubble and Cluster Mesh certificates from it, then its clustermesh-apiserver restarts " +
        "once (its etcd reads its trusted CA at start). Removing the member or destroying the stack leaves this Cilium installed (the " +
        "release is kept on delete).",
    );
  });

  it("shows a declared endpoint as the member's mesh address in the what-if, and a node address when it is known", () => {
    const plan = { name: "m", backend: "cilium" as const, members: ["a", "k", "n"] };
    const rows = meshWhatIf(
      plan,
      undefined,
      { k: { clusterId: 2, address: "172.18.0.3" } },
      {
        a: { port: 2379, ips: ["10.6.0.200"] },
        k: { port: 32000, ips: ["172.18.0.3"] },
        n: { port: 32001 },
      },
    );
    assert.deepEqual(
      rows.map((r) => [r.name, r.address]),
      [
        ["a", "10.6.0.200"],
        ["k", "172.18.0.3"],
        ["n", undefined],
      ],
    );
    assert.deepEqual(
      [
        endpointAddress({ port: 1, ips: ["10.0.0.1", "10.0.0.2"] }),
        endpointAddress({ port: 1, address: "peer.example" }),
        endpointAddress(undefined),
      ],
      ["10.0.0.1, 10.0.0.2", "peer.example", undefined],
    );
  });
});
