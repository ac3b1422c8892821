import { strict as assert } from "assert";
import { CrossClusterPolicy, CrossClusterPolicyArgs, Fleet, FleetArgs, FleetValidationError, GlobalService } from "../../components";
import { FieldViolation } from "../../components/core/k8s/field-errors";
import { RecordedResource, aksMember, complete, dependsOnOf, deploy, named, recorder } from "./harness";

const FLEET: FleetArgs = {
  cilium: { version: "1.18.12" },
  members: { c1: { kind: {}, labels: { mesh: "demo" } }, c2: { kind: {}, labels: { mesh: "demo" } }, c3: { kind: {} } },
  meshes: { demo: { memberSelector: { matchLabels: { mesh: "demo" } } } },
};

const XWING: Omit<CrossClusterPolicyArgs, "fleet"> = {
  from: { member: "c1", namespace: "rebel-base-demo", labels: { name: "x-wing" } },
  to: { member: "c2", namespace: "rebel-base-demo", labels: { name: "rebel-base" } },
};

describe("CrossClusterPolicy", () => {
  let fleet: Fleet;
  let records: RecordedResource[];
  let policy: CrossClusterPolicy;
  let rebelBase: GlobalService;
  let fleetRecords: RecordedResource[];
  before(async () => {
    ({ fleet, records: fleetRecords } = await deploy("demo", FLEET));
    records = [];
    rebelBase = new GlobalService("rebel-base", {
      mesh: fleet.meshes.demo,
      fleet,
      namespace: "rebel-base-demo",
      selector: { name: "rebel-base" },
      ports: [{ port: 80 }],
    });
    policy = new CrossClusterPolicy(
      "xwing",
      { fleet, ...XWING, from: { ...XWING.from, member: undefined, members: ["c2", "c1"] }, ports: [{ port: 80 }] },
      { transformations: [recorder(records)], dependsOn: [rebelBase] },
    );
    await complete(records);
  });

  it("applies the egress side on every source member and the ingress side on every destination member, each with that member's provider, after Cilium", async () => {
    const placed = records.filter((r) => r.type === "kubernetes:cilium.io/v2:CiliumNetworkPolicy");
    assert.deepEqual(placed.map((r) => r.name).sort(), ["xwing-c1-egress", "xwing-c2-egress", "xwing-c2-ingress"]);
    for (const record of placed) {
      const member = record.name.split("-")[1];
      assert.equal(record.provider, fleet.members[member].provider, record.name);
      assert.equal(record.parent, policy);
      // Cilium's release first (the CRD comes with it), then what the caller asked for.
      const release = named(fleetRecords, `demo-${member}-cilium`, "kubernetes:helm.sh/v3:Release").resource;
      assert.deepEqual(await dependsOnOf(record), [release, rebelBase], record.name);
      assert.equal(policy.policies[record.name.replace(/^xwing-/, "")], record.resource);
    }
    assert.deepEqual(
      [policy.enforcedOn, policy.policyNames],
      [
        ["c1", "c2"],
        ["xwing-egress", "xwing-ingress"],
      ],
    );
  });

  it("names the cluster in every selector and keeps DNS on the member's own kube-dns", () => {
    const egress = named(records, "xwing-c2-egress").inputs;
    assert.deepEqual(egress.metadata, { name: "xwing-egress", namespace: "rebel-base-demo" });
    assert.deepEqual(egress.spec.endpointSelector, { matchLabels: { name: "x-wing", "io.cilium.k8s.policy.cluster": "c2" } });
    assert.deepEqual(egress.spec.egress[0], {
      toEndpoints: [{ matchLabels: { name: "rebel-base", "io.cilium.k8s.policy.cluster": "c2" } }],
      toPorts: [{ ports: [{ port: "80", protocol: "TCP" }] }],
    });
    assert.equal(egress.spec.egress[1].toEndpoints[0].matchLabels["io.cilium.k8s.policy.cluster"], "c2");
    const ingress = named(records, "xwing-c2-ingress").inputs;
    assert.deepEqual(
      ingress.spec.ingress[0].fromEndpoints.map(
        (s: { matchLabels: Record<string, string> }) => s.matchLabels["io.cilium.k8s.policy.cluster"],
      ),
      ["c1", "c2"],
    );
  });

  it("runs on members whose policyDefaultLocalCluster the fleet pinned (Cilium 1.18's own default is false)", () => {
    for (const member of ["c1", "c2"])
      assert.equal(named(fleetRecords, `demo-${member}-cilium`).inputs.values.clustermesh.policyDefaultLocalCluster, true);
  });

  const refusals: Array<[string, Partial<CrossClusterPolicyArgs>, RegExp]> = [
    [
      "a destination outside the source's mesh",
      { to: { ...XWING.to, member: "c3" } },
      /to\.member: member "c3" \(in no mesh\) cannot be reached from member "c1" \(in mesh "demo"\)/,
    ],
    [
      "a member the fleet does not have",
      { from: { ...XWING.from, member: "c9" } },
      /from\.member: member "c9" is not a member of the fleet/,
    ],
    [
      "the cluster label among the pod labels",
      { from: { ...XWING.from, labels: { "io.cilium.k8s.policy.cluster": "c2" } } },
      /fleetmesh always writes "io\.cilium\.k8s\.policy\.cluster" itself/,
    ],
  ];
  for (const [sentence, more, message] of refusals) {
    it(`refuses ${sentence} before registering anything`, () => {
      const refused: RecordedResource[] = [];
      assert.throws(
        () => new CrossClusterPolicy("xwing", { fleet, ...XWING, ...more }, { transformations: [recorder(refused)] }),
        (e: unknown) => e instanceof FleetValidationError && /^CrossClusterPolicy "xwing"/.test(e.message) && message.test(e.message),
      );
      assert.deepEqual(refused, []);
    });
  }
});

describe("CrossClusterPolicy: the fleet it is given, and one way to name a peer's members", () => {
  let fleet: Fleet;
  before(async () => ({ fleet } = await deploy("demo", FLEET)));

  const rule = (side: string) => `give exactly one of them (${side}.member: one member; ${side}.members: a list of members)`;
  const refusals: Array<[string, (fleet: Fleet) => Partial<CrossClusterPolicyArgs>, FieldViolation[]]> = [
    [
      "a fleet given by its URN, which only the fleetmesh provider resolves",
      (f) => ({ fleet: { urn: f.urn } }),
      [
        {
          path: "fleet",
          message:
            "{ urn } is a reference by URN, which only the fleetmesh provider resolves (for programs in other languages): a TypeScript program passes the Fleet itself",
        },
      ],
    ],
    [
      "a peer with both member and members",
      () => ({ from: { ...XWING.from, members: ["c1", "c2"] } }),
      [{ path: "from.member", message: `from.member and from.members are both given: ${rule("from")}` }],
    ],
    [
      "a peer with neither member nor members",
      () => ({ to: { ...XWING.to, member: undefined } }),
      [{ path: "to.member", message: `neither to.member nor to.members is given: ${rule("to")}` }],
    ],
  ];
  for (const [sentence, more, violations] of refusals) {
    it(`refuses ${sentence}, naming it, before registering anything`, () => {
      const records: RecordedResource[] = [];
      let refusal: unknown;
      try {
        new CrossClusterPolicy("xwing", { fleet, ...XWING, ...more(fleet) }, { transformations: [recorder(records)] });
      } catch (error) {
        refusal = error;
      }
      assert.ok(refusal instanceof FleetValidationError, String(refusal));
      assert.deepEqual(refusal.violations, violations);
      assert.deepEqual(records, []);
    });
  }
});

describe("CrossClusterPolicy on members whose Cilium fleetmesh does not install", () => {
  const aks = (subnet: number, labels: Record<string, string>) => aksMember(subnet, { labels });
  const AZURE: FleetArgs = {
    azureFleet: { resourceGroupName: "rg", location: "eastus2", fleetName: "hub" },
    members: { e1: aks(1, { mesh: "prod" }), e2: aks(2, { mesh: "prod" }), solo: aks(3, {}) },
    meshes: { prod: { memberSelector: { matchLabels: { mesh: "prod" } } } },
  };
  const peers = (from: string, to: string) => ({
    from: { member: from, namespace: "demo", labels: { app: "client" } },
    to: { member: to, namespace: "demo", labels: { app: "server" } },
  });
  const cases: Array<[string, Omit<CrossClusterPolicyArgs, "fleet">, string[]]> = [
    ["members of an Azure Fleet-managed mesh, whose Cilium clusters Fleet names", peers("e1", "e2"), ["from.member", "to.member"]],
    ["an AKS-managed Cilium member outside any mesh, even for traffic inside it", peers("solo", "solo"), ["from.member", "to.member"]],
  ];
  for (const [sentence, args, paths] of cases) {
    it(`refuses ${sentence}, before registering anything`, async () => {
      const { fleet } = await deploy("az", AZURE);
      const refused: RecordedResource[] = [];
      let refusal: unknown;
      try {
        new CrossClusterPolicy("p", { fleet, ...args }, { transformations: [recorder(refused)] });
      } catch (error) {
        refusal = error;
      }
      assert.ok(refusal instanceof FleetValidationError, String(refusal));
      assert.deepEqual(
        refusal.violations.map((v) => v.path),
        paths,
      );
      for (const v of refusal.violations) assert.match(v.message, /would select no pod and the policy would enforce nothing/);
      assert.deepEqual(refused, []);
    });
  }
});
