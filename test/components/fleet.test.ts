import { strict as assert } from "assert";
import { Fleet, FleetArgs, FleetValidationError } from "../../components";
import { chartValuesValidator } from "../support/chart-schema";
import {
  FAKE_CA_KEY,
  RecordedResource,
  deploy,
  errorLog,
  infoLog,
  named,
  ofType,
  recorder,
  settle,
  useMocks,
  warnLog,
  isKnown,
} from "./harness";

const KIND_FLEET: FleetArgs = {
  members: {
    c1: { kind: {}, labels: { mesh: "demo", region: "east" } },
    c2: { kind: { workers: 1 }, labels: { mesh: "demo", region: "west" }, clusterId: 7 },
    c3: { kind: {}, labels: { region: "dc" } },
  },
};

describe("Fleet with three kind members", () => {
  let records: RecordedResource[];
  let fleet: Fleet;
  before(async () => ({ fleet, records } = await deploy("demo", KIND_FLEET)));

  it("registers the shared CA, one Member per entry, and per member the kind commands, a provider, Cilium and its peer objects", () => {
    const summary = records.map((r) => `${r.type} ${r.name}`).sort();
    const perMember = (m: string) => [
      `command:local:Command demo-${m}-kind-address`,
      `command:local:Command demo-${m}-kind-cluster`,
      `command:local:Command demo-${m}-kind-kubeconfig`,
      `fleetmesh:index:Member demo-${m}`,
      // Every kind member runs a clustermesh-apiserver with its (here empty) peer objects, so joining a mesh later changes no Helm values.
      `kubernetes:core/v1:ConfigMapPatch demo-${m}-remote-users`,
      `kubernetes:core/v1:SecretPatch demo-${m}-clustermesh-peers`,
      `kubernetes:core/v1:SecretPatch demo-${m}-kvstoremesh-peers`,
      `kubernetes:helm.sh/v3:Release demo-${m}-cilium`,
      `pulumi:providers:kubernetes demo-${m}`,
    ];
    assert.deepEqual(
      summary,
      [
        ...perMember("c1"),
        ...perMember("c2"),
        ...perMember("c3"),
        "fleetmesh:index:Fleet demo",
        "pulumi:pulumi:StackReference demo-previous-state",
        "tls:index/privateKey:PrivateKey demo-ca-key",
        "tls:index/selfSignedCert:SelfSignedCert demo-ca",
      ].sort(),
    );
  });

  it("parents every member on the fleet and every cluster resource on its member", () => {
    for (const member of Object.values(fleet.members)) {
      assert.equal(named(records, `demo-${member.memberName}`, "fleetmesh:index:Member").parent, fleet);
      for (const child of records.filter((r) => r.name.startsWith(`${member.memberName}-`))) {
        assert.equal(child.parent, member, child.name);
      }
    }
  });

  it("installs Cilium with the member's own provider, never the ambient kubeconfig", () => {
    for (const release of ofType(records, "kubernetes:helm.sh/v3:Release")) {
      const member = fleet.members[release.name.replace(/^demo-/, "").replace(/-cilium$/, "")];
      assert.equal(release.provider, member.provider, release.name);
    }
    const providers = ofType(records, "pulumi:providers:kubernetes");
    assert.deepEqual(
      providers.map((p) => p.secretInputs.includes("kubeconfig")),
      [true, true, true],
    );
  });

  it("allocates stable ids and disjoint CIDRs, honouring the pinned id", async () => {
    assert.deepEqual(await settle(fleet.state), {
      version: 1,
      maxConnectedClusters: 255,
      azureFleetMembership: "az-fleet-member",
      members: {
        // NodePorts from the bottom of the Kubernetes range, which the API server hands out last (KEP-3668).
        c1: { clusterId: 1, podCidr: "10.0.0.0/17", serviceCidr: "10.128.0.0/20", nodePort: 30000 },
        c2: { clusterId: 7, podCidr: "10.0.128.0/17", serviceCidr: "10.128.16.0/20", nodePort: 30001 },
        c3: { clusterId: 2, podCidr: "10.1.0.0/17", serviceCidr: "10.128.32.0/20", nodePort: 30002 },
      },
    });
  });

  it("creates each kind cluster from its own config and replaces it only when that config changes", () => {
    const cluster = named(records, "demo-c2-kind-cluster");
    assert.equal(
      cluster.inputs.stdin,
      [
        "kind: Cluster",
        "apiVersion: kind.x-k8s.io/v1alpha4",
        "name: demo-c2",
        "nodes:",
        "- role: control-plane",
        "  labels:",
        "    fleetmesh.io/owner-stack: organization.fleetmesh-test.dev",
        "- role: worker",
        "  labels:",
        "    fleetmesh.io/owner-stack: organization.fleetmesh-test.dev",
        "networking:",
        "  podSubnet: 10.0.128.0/17",
        "  serviceSubnet: 10.128.16.0/20",
        "  disableDefaultCNI: true",
        "  kubeProxyMode: none",
        "",
      ].join("\n"),
    );
    assert.deepEqual([cluster.inputs.triggers.length, cluster.opts.deleteBeforeReplace], [1, true]);
    assert.match(cluster.inputs.create, /\n {2}kind create cluster --name 'demo-c2' --image "\$image" --config -\n/);
    assert.equal(cluster.inputs.delete, "kind delete cluster --name 'demo-c2'");
    assert.deepEqual(named(records, "demo-c2-kind-kubeconfig").opts.additionalSecretOutputs, ["stdout"]);
  });

  it("gives every member Cilium values with its own id, the shared CA, and kube-proxy replacement on kind", async () => {
    const validate = chartValuesValidator("1.18.12");
    for (const [name, member] of Object.entries(fleet.members)) {
      const release = named(records, `demo-${name}-cilium`);
      assert.ok(release.secretInputs.includes("values"), `${name}: values carry the CA key and must be secret`);
      assert.deepEqual(
        [release.inputs.chart, release.inputs.version, release.inputs.namespace, release.inputs.name, release.inputs.skipAwait],
        ["cilium", "1.18.12", "kube-system", "cilium", true],
      );
      const values = release.inputs.values as Record<string, any>;
      assert.ok(validate(values), JSON.stringify(validate.errors));
      assert.deepEqual(
        [values.cluster, values.ipam.mode, values.kubeProxyReplacement, values.k8sServiceHost, values.tls.ca.key],
        [
          { name, id: await settle(member.clusterId) },
          "kubernetes",
          true,
          `demo-${name}-control-plane`,
          Buffer.from(FAKE_CA_KEY).toString("base64"),
        ],
      );
    }
  });
});

describe("Fleet with three kind members, in preview", () => {
  let records: RecordedResource[];
  let fleet: Fleet;
  before(async () => ({ fleet, records } = await deploy("demo", KIND_FLEET, { preview: true })));

  it("knows every member's Cilium values before anything exists, and they pass the chart schema", () => {
    const validate = chartValuesValidator("1.18.12");
    for (const release of ofType(records, "kubernetes:helm.sh/v3:Release")) {
      assert.ok(validate(release.inputs.values), `${release.name}: ${JSON.stringify(validate.errors)}`);
    }
    assert.equal(ofType(records, "kubernetes:helm.sh/v3:Release").length, 3);
  });

  it("leaves the kubeconfigs unknown: kind commands do not run during preview", async () => {
    for (const member of Object.values(fleet.members)) assert.equal(await settle(member.kubeconfig), undefined);
  });
});

describe("Fleet argument validation", () => {
  const cases: Array<[string, FleetArgs, string[]]> = [
    ["a member with two provisioners", { members: { c1: { kind: {}, kubeconfig: "x" } } }, ["members.c1"]],
    ["a member named default", { members: { default: { kind: {} } } }, ["members.default"]],
    [
      "two members pinning the same id",
      { members: { a: { kind: {}, clusterId: 3 }, b: { kind: {}, clusterId: 3 } } },
      ["members.b.clusterId"],
    ],
    ["an id above maxConnectedClusters", { members: { a: { kind: {}, clusterId: 300 } } }, ["members.a.clusterId"]],
  ];
  for (const [name, args, paths] of cases) {
    it(`refuses ${name} before registering anything`, async () => {
      await useMocks(false);
      const records: RecordedResource[] = [];
      assert.throws(
        () => new Fleet("bad", args, { transformations: [recorder(records)] }),
        (error: unknown) => error instanceof FleetValidationError && paths.every((p) => error.violations.some((v) => v.path.startsWith(p))),
      );
      assert.deepEqual(records, []);
    });
  }
});

describe("Fleet on a chart without policyDefaultLocalCluster", () => {
  const meshed = (cilium: FleetArgs["cilium"]): FleetArgs => ({
    cilium,
    members: { a: { kind: {}, labels: { mesh: "m" } }, b: { kind: {}, labels: { mesh: "m" } } },
    meshes: { m: { memberSelector: { matchLabels: { mesh: "m" } } } },
  });

  it("warns at preview that unlabelled policies reach every meshed cluster", async () => {
    await deploy("old", meshed({ version: "1.17.6" }), { preview: true });
    // The second warning is the NodePort capture of Cilium ≤ 1.18 with kube-proxy replacement (cilium/cilium#24692).
    assert.deepEqual(
      warnLog.map((w) => /policyDefaultLocalCluster|#24692/.exec(w)?.[0]),
      ["policyDefaultLocalCluster", "#24692"],
    );
    assert.match(warnLog[0], /^Fleet "old": Cilium 1\.17\.6 has no policyDefaultLocalCluster/);
  });

  it("refuses an explicit policyDefaultLocalCluster: true before registering anything", async () => {
    await assert.rejects(
      deploy("old", meshed({ version: "1.17.6", policyDefaultLocalCluster: true })),
      (e: unknown) =>
        e instanceof FleetValidationError && /cilium\.policyDefaultLocalCluster: true needs Cilium 1\.18 or later/.test(e.message),
    );
  });
});

describe("Fleet allocation across runs", () => {
  it("keeps every existing member's allocation when members are removed, added and reordered", async () => {
    const first = await deploy("seq", { members: { a: { kind: {} }, b: { kind: {} }, c: { kind: {} } } });
    const firstState = await settle(first.fleet.state);
    const second = await deploy(
      "seq",
      { members: { d: { kind: {} }, c: { kind: {} }, a: { kind: {} } } },
      { previous: { seqFleetState: firstState } },
    );
    const secondState = (await settle(second.fleet.state))!;
    assert.deepEqual([secondState.members.a, secondState.members.c], [firstState!.members.a, firstState!.members.c]);
    // b's id 2 was freed in this very run: d gets a never-held one.
    assert.equal(secondState.members.d.clusterId, 4);
  });

  it("refuses to renumber an existing member at preview: the run fails with the refusal naming it, before anything that would consume an allocation is registered", async () => {
    const held = { clusterId: 1, podCidr: "10.0.0.0/17", serviceCidr: "10.128.0.0/20", nodePort: 32000 };
    const previous = { renumberFleetState: { version: 1, members: { a: held } } };
    const { fleet, records, refusal } = await deploy(
      "renumber",
      { members: { a: { kind: {}, clusterId: 9 }, b: { kind: {} } } },
      { preview: true, previous },
    );
    assert.ok(refusal instanceof FleetValidationError, String(refusal));
    assert.deepEqual(
      refusal.violations.map((v) => v.path),
      ["members.a.clusterId"],
    );
    assert.match(refusal.message, /allowRenumber/);
    // Only what the arguments alone decide: the CA, the state read, the members and their providers.
    assert.deepEqual(records.map((r) => `${r.type} ${r.name}`).sort(), [
      "fleetmesh:index:Fleet renumber",
      "fleetmesh:index:Member renumber-a",
      "fleetmesh:index:Member renumber-b",
      "pulumi:providers:kubernetes renumber-a",
      "pulumi:providers:kubernetes renumber-b",
      "pulumi:pulumi:StackReference renumber-previous-state",
      "tls:index/privateKey:PrivateKey renumber-ca-key",
      "tls:index/selfSignedCert:SelfSignedCert renumber-ca",
    ]);
    assert.equal(await isKnown(fleet.state), false);
  });

  it("refuses a state output that is not a fleet's state, naming the output, before registering any cluster", async () => {
    const { records, refusal } = await deploy(
      "renumber",
      { members: { a: { kind: {} } } },
      { preview: true, previous: { renumberFleetState: "not a state" } },
    );
    assert.ok(refusal instanceof FleetValidationError, String(refusal));
    assert.deepEqual(
      refusal.violations.map((v) => v.path),
      ["state.stackOutput"],
    );
    assert.match(refusal.message, /"renumberFleetState" is not the state this component exports/);
    assert.deepEqual(
      records.filter((r) => r.type === "command:local:Command"),
      [],
    );
  });

  it("renumbers when allowRenumber is set", async () => {
    const held = { clusterId: 1, podCidr: "10.0.0.0/17", serviceCidr: "10.128.0.0/20", nodePort: 32000 };
    const { fleet } = await deploy(
      "renumber",
      { members: { a: { kind: {}, clusterId: 9 } }, allowRenumber: true },
      { previous: { renumberFleetState: { version: 1, members: { a: held } } } },
    );
    assert.deepEqual([(await settle(fleet.state))!.members.a.clusterId, errorLog], [9, []]);
  });

  it("prints the allocation what-if during preview, with what changed since the previous run", async () => {
    const previous = {
      whatifFleetState: {
        version: 1,
        members: {
          a: { clusterId: 1, podCidr: "10.0.0.0/17", serviceCidr: "10.128.0.0/20", nodePort: 32000 },
          gone: { clusterId: 2, podCidr: "10.0.128.0/17", serviceCidr: "10.128.16.0/20", nodePort: 32001 },
        },
      },
    };
    await deploy("whatif", { members: { a: { kind: {} }, b: { kind: {} } } }, { preview: true, previous });
    assert.deepEqual(infoLog, [
      [
        "Fleet whatif: member allocation",
        "MEMBER  PROVISIONER  CLUSTER-ID  POD-CIDR       SERVICE-CIDR    NODEPORT  CHANGE",
        "a       kind         1           10.0.0.0/17    10.128.0.0/20   32000     kept",
        // A slot freed in this run is not handed to a new member yet (peers may still know the old one); a new
        // NodePort comes from the bottom of the range, while the ones members hold stay.
        "b       kind         3           10.1.0.0/17    10.128.32.0/20  30000     new",
        "gone    -            2           10.0.128.0/17  10.128.16.0/20  32001     removed",
      ].join("\n"),
    ]);
  });
});
