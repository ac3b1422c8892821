import { strict as assert } from "assert";
import {
  CrossClusterPolicyInput,
  PolicyMemberFacts,
  crossClusterPolicies,
  crossClusterPolicyViolations,
  dnsEgressRule,
} from "../../components/core/services/network-policy";

const MEMBERS: PolicyMemberFacts[] = [
  { name: "c1", mesh: "demo" },
  { name: "c2", mesh: "demo" },
  { name: "c3", mesh: "demo" },
  { name: "x1", mesh: "other" },
  { name: "dc" },
  { name: "e1", mesh: "fleet", clusterNaming: "azure-fleet-mesh" },
  { name: "e2", mesh: "fleet", clusterNaming: "azure-fleet-mesh" },
  { name: "aks", clusterNaming: "aks" },
];

// Cilium's example: "Allow x-wing in cluster1 to contact rebel-base in cluster2"
// (cilium/cilium Documentation/network/clustermesh/policy.rst).
const XWING: CrossClusterPolicyInput = {
  name: "allow-cross-cluster",
  from: { member: "c1", namespace: "rebel-base-demo", labels: { name: "x-wing" } },
  to: { member: "c2", namespace: "rebel-base-demo", labels: { name: "rebel-base" } },
};

const KUBE_DNS = {
  toEndpoints: [
    { matchLabels: { "k8s:io.kubernetes.pod.namespace": "kube-system", "k8s:k8s-app": "kube-dns", "io.cilium.k8s.policy.cluster": "c1" } },
  ],
  toPorts: [{ ports: [{ port: "53", protocol: "ANY" }], rules: { dns: [{ matchPattern: "*" }] } }],
};

describe("crossClusterPolicies", () => {
  it("puts the egress side with DNS on the source member and the ingress side on the destination member, both naming their clusters", () => {
    assert.deepStrictEqual(crossClusterPolicies(XWING), [
      {
        member: "c1",
        direction: "egress",
        manifest: {
          apiVersion: "cilium.io/v2",
          kind: "CiliumNetworkPolicy",
          metadata: { name: "allow-cross-cluster-egress", namespace: "rebel-base-demo" },
          spec: {
            endpointSelector: { matchLabels: { name: "x-wing", "io.cilium.k8s.policy.cluster": "c1" } },
            egress: [{ toEndpoints: [{ matchLabels: { name: "rebel-base", "io.cilium.k8s.policy.cluster": "c2" } }] }, KUBE_DNS],
          },
        },
      },
      {
        member: "c2",
        direction: "ingress",
        manifest: {
          apiVersion: "cilium.io/v2",
          kind: "CiliumNetworkPolicy",
          metadata: { name: "allow-cross-cluster-ingress", namespace: "rebel-base-demo" },
          spec: {
            endpointSelector: { matchLabels: { name: "rebel-base", "io.cilium.k8s.policy.cluster": "c2" } },
            ingress: [{ fromEndpoints: [{ matchLabels: { name: "x-wing", "io.cilium.k8s.policy.cluster": "c1" } }] }],
          },
        },
      },
    ]);
  });

  it("keeps DNS on the member's own kube-dns whatever policyDefaultLocalCluster says", () => {
    assert.deepStrictEqual(dnsEgressRule("c1"), KUBE_DNS);
  });

  const variants: Array<[string, Partial<CrossClusterPolicyInput>, (placed: ReturnType<typeof crossClusterPolicies>) => void]> = [
    [
      "names the peer's namespace when it is not the policy's",
      { to: { ...XWING.to, namespace: "empire" } },
      (placed) => {
        assert.deepEqual((placed[0].manifest.spec.egress as any)[0].toEndpoints[0].matchLabels, {
          name: "rebel-base",
          "io.cilium.k8s.policy.cluster": "c2",
          "k8s:io.kubernetes.pod.namespace": "empire",
        });
        assert.equal(placed[1].manifest.metadata.namespace, "empire");
        assert.deepEqual((placed[1].manifest.spec.ingress as any)[0].fromEndpoints[0].matchLabels, {
          name: "x-wing",
          "io.cilium.k8s.policy.cluster": "c1",
          "k8s:io.kubernetes.pod.namespace": "rebel-base-demo",
        });
      },
    ],
    [
      "restricts both sides to the given ports",
      { ports: [{ port: 80 }, { port: 53, protocol: "UDP" }] },
      (placed) => {
        const toPorts = [
          {
            ports: [
              { port: "80", protocol: "TCP" },
              { port: "53", protocol: "UDP" },
            ],
          },
        ];
        assert.deepEqual((placed[0].manifest.spec.egress as any)[0].toPorts, toPorts);
        assert.deepEqual((placed[1].manifest.spec.ingress as any)[0].toPorts, toPorts);
      },
    ],
    ["leaves DNS out when asked", { allowDns: false }, (placed) => assert.equal((placed[0].manifest.spec.egress as unknown[]).length, 1)],
    [
      "carries a description",
      { description: "x-wing may land" },
      (placed) => assert.ok(placed.every((p) => p.manifest.spec.description === "x-wing may land")),
    ],
    [
      "applies to every member of a side, each selector naming one cluster",
      { from: { ...XWING.from, member: undefined, members: ["c3", "c1"] }, to: { ...XWING.to, member: undefined, members: ["c2", "c3"] } },
      (placed) => {
        assert.deepEqual(
          placed.map((p) => `${p.member}-${p.direction}`),
          ["c1-egress", "c3-egress", "c2-ingress", "c3-ingress"],
        );
        const clusters = (selectors: Array<{ matchLabels: Record<string, string> }>) =>
          selectors.map((s) => s.matchLabels["io.cilium.k8s.policy.cluster"]);
        assert.deepEqual(clusters((placed[1].manifest.spec.egress as any)[0].toEndpoints), ["c2", "c3"]);
        assert.deepEqual(clusters((placed[3].manifest.spec.ingress as any)[0].fromEndpoints), ["c1", "c3"]);
        assert.equal((placed[1].manifest.spec.endpointSelector as any).matchLabels["io.cilium.k8s.policy.cluster"], "c3");
      },
    ],
  ];
  for (const [sentence, change, check] of variants) {
    it(sentence, () => check(crossClusterPolicies({ ...XWING, ...change })));
  }
});

describe("crossClusterPolicyViolations", () => {
  it("accepts the example, a policy inside one member, and any member list within one mesh", () => {
    assert.deepEqual(crossClusterPolicyViolations(XWING, MEMBERS), []);
    assert.deepEqual(
      crossClusterPolicyViolations({ ...XWING, from: { ...XWING.from, member: "dc" }, to: { ...XWING.to, member: "dc" } }, MEMBERS),
      [],
    );
    assert.deepEqual(
      crossClusterPolicyViolations(
        {
          ...XWING,
          from: { ...XWING.from, member: undefined, members: ["c1", "c2"] },
          to: { ...XWING.to, member: undefined, members: ["c2", "c3"] },
        },
        MEMBERS,
      ),
      [],
    );
  });

  const cases: Array<[string, Partial<CrossClusterPolicyInput>, string, RegExp]> = [
    [
      "members in different meshes",
      { to: { ...XWING.to, member: "x1" } },
      "to.member",
      /member "x1" \(in mesh "other"\) cannot be reached from member "c1" \(in mesh "demo"\): cross-cluster traffic/,
    ],
    [
      "a member in no mesh",
      { from: { ...XWING.from, member: "dc" } },
      "to.member",
      /member "c2" \(in mesh "demo"\) cannot be reached from member "dc" \(in no mesh\)/,
    ],
    ["an unknown member", { to: { ...XWING.to, member: "c9" } }, "to.member", /member "c9" is not a member of the fleet/],
    [
      "a member listed twice",
      { from: { ...XWING.from, member: undefined, members: ["c1", "c1"] } },
      "from.members[1]",
      /member "c1" is listed twice/,
    ],
    ["no member", { from: { ...XWING.from, member: undefined, members: [] } }, "from.members", /must name at least one member/],
    [
      "the cluster label among the labels",
      { to: { ...XWING.to, labels: { "io.cilium.k8s.policy.cluster": "c2" } } },
      'to.labels["io.cilium.k8s.policy.cluster"]',
      /fleetmesh always writes "io\.cilium\.k8s\.policy\.cluster" itself/,
    ],
    [
      "the namespace label among the labels",
      { from: { ...XWING.from, labels: { "k8s:io.kubernetes.pod.namespace": "x" } } },
      'from.labels["k8s:io.kubernetes.pod.namespace"]',
      /is set from the peer's namespace/,
    ],
    ["a bad label key", { from: { ...XWING.from, labels: { "-x": "y" } } }, 'from.labels["-x"]', /label key "-x" is invalid/],
    [
      "a bad label value",
      { from: { ...XWING.from, labels: { name: "x wing" } } },
      'from.labels["name"]',
      /label value "x wing" of key "name" is invalid/,
    ],
    ["a bad namespace", { to: { ...XWING.to, namespace: "Rebels" } }, "to.namespace", /namespace "Rebels" is invalid/],
    ["a port out of range", { ports: [{ port: 0 }] }, "ports[0].port", /port 0 must be an integer in 1\.\.65535/],
    [
      "an unknown protocol",
      { ports: [{ port: 53, protocol: "ICMP" as "ANY" }] },
      "ports[0].protocol",
      /protocol "ICMP" must be one of TCP, UDP, SCTP, ANY/,
    ],
    ["an empty port list", { ports: [] }, "ports", /leave it out to allow every port/],
    ["a name that is not a DNS subdomain", { name: "Allow_All" }, "name", /policy name "Allow_All" is invalid/],
    [
      "a source member of an Azure Fleet-managed mesh, whose Cilium cluster Fleet names",
      { from: { ...XWING.from, member: "e1" }, to: { ...XWING.to, member: "e2" } },
      "from.member",
      /member "e1" is in Azure Fleet-managed mesh "fleet", where Azure Fleet names each member's Cilium cluster itself \(known only once the mesh is applied\): the policy's selectors pin the cluster by the member's name \("io\.cilium\.k8s\.policy\.cluster": "e1"\), so they would select no pod and the policy would enforce nothing/,
    ],
    [
      "a destination member of an Azure Fleet-managed mesh, listed among others",
      { from: { ...XWING.from, member: "e1" }, to: { ...XWING.to, member: undefined, members: ["e1", "e2"] } },
      "to.members[1]",
      /member "e2" is in Azure Fleet-managed mesh "fleet"/,
    ],
    [
      "a member with AKS-managed Cilium in no mesh, even for traffic inside it",
      { from: { ...XWING.from, member: "aks" }, to: { ...XWING.to, member: "aks" } },
      "to.member",
      /member "aks" runs AKS-managed Cilium, whose cluster name AKS sets, not fleetmesh: .* would select no pod/,
    ],
  ];
  for (const [sentence, change, path, message] of cases) {
    it(`refuses ${sentence}`, () => {
      const violations = crossClusterPolicyViolations({ ...XWING, ...change }, MEMBERS);
      const found = violations.find((v) => v.path === path);
      assert.ok(found, JSON.stringify(violations));
      assert.match(found.message, message);
    });
  }
});

describe("crossClusterPolicyViolations: a peer names its members one way", () => {
  const RULE = (side: string) => `give exactly one of them (${side}.member: one member; ${side}.members: a list of members)`;
  const cases: Array<[string, Partial<CrossClusterPolicyInput>, ReturnType<typeof crossClusterPolicyViolations>]> = [
    ["accepts one member as member", {}, []],
    ["accepts a list of members as members", { to: { ...XWING.to, member: undefined, members: ["c2", "c3"] } }, []],
    [
      "refuses both member and members, naming both",
      { from: { ...XWING.from, members: ["c1"] } },
      [{ path: "from.member", message: `from.member and from.members are both given: ${RULE("from")}` }],
    ],
    [
      "refuses neither member nor members, naming both",
      { to: { ...XWING.to, member: undefined } },
      [{ path: "to.member", message: `neither to.member nor to.members is given: ${RULE("to")}` }],
    ],
    [
      "reports a destination outside the source's mesh at its place in members",
      { to: { ...XWING.to, member: undefined, members: ["c2", "x1"] } },
      [
        {
          path: "to.members[1]",
          message:
            'member "x1" (in mesh "other") cannot be reached from member "c1" (in mesh "demo"): cross-cluster traffic and the cluster label only exist between members of one mesh',
        },
      ],
    ],
  ];
  for (const [sentence, change, expected] of cases) {
    it(sentence, () => assert.deepStrictEqual(crossClusterPolicyViolations({ ...XWING, ...change }, MEMBERS), expected));
  }
});
