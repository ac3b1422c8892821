import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { Fleet, FleetArgs, FleetValidationError, GlobalService, Placement, PlacementArgs, PlacementState } from "../../components";
import { crdValidator } from "../support/crd-schema";
import { legacyObjectsHash, objectsHash } from "../../components/core/kubefleet/placement/plan";
import { RecordedResource, aksMember, complete, dependsOnOf, ofType, recorder, settle, useMocks } from "./harness";

const FLEET: FleetArgs = {
  members: {
    m1: { kind: {}, labels: { environment: "production", region: "east" } },
    m2: { kind: {}, labels: { environment: "production", region: "west" } },
    m3: { kind: {}, labels: { environment: "staging", region: "east" } },
    m4: { kind: {}, labels: { environment: "production", region: "central" } },
    m5: { kind: {}, labels: { environment: "staging", region: "west" } },
  },
};

const INVENTORY = [
  { apiVersion: "v1", kind: "Namespace", metadata: { name: "kuard-demo" } },
  { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "kuard", namespace: "kuard-demo" }, spec: { replicas: 2 } },
  { apiVersion: "v1", kind: "Service", metadata: { name: "kuard", namespace: "kuard-demo" }, spec: { ports: [{ port: 8080 }] } },
  { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "unrelated", namespace: "elsewhere" }, data: { a: "b" } },
];
const SELECT_NAMESPACE = [{ group: "", version: "v1", kind: "Namespace", name: "kuard-demo" }];

async function run(placement: Omit<PlacementArgs, "fleet">, opts: { preview?: boolean; previous?: Record<string, unknown> } = {}) {
  await useMocks(opts.preview ?? false, opts.previous ?? {});
  const records: RecordedResource[] = [];
  // The runs carry only the placement's state: the fleet is new to a stack that has outputs each time.
  const fleet = new Fleet("fleet", { ...FLEET, state: { fresh: true } }, { transformations: [recorder(records)] });
  const placed = new Placement("kuard", { fleet, ...placement }, { transformations: [recorder(records)] });
  await settle(placed.state);
  await complete(records);
  return { fleet, placed, records };
}

/** member → the placed objects' names, from the ConfigGroups registered with that member's provider. */
function placedOn(records: RecordedResource[], fleet: Fleet): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const group of ofType(records, "kubernetes:yaml/v2:ConfigGroup")) {
    const member = Object.values(fleet.members).find((m) => m.provider === group.provider);
    if (!member) continue;
    const obj = group.inputs.objs[0];
    (out[member.memberName] ??= []).push(`${obj.kind}/${obj.metadata.namespace ?? ""}/${obj.metadata.name}`);
  }
  for (const list of Object.values(out)) list.sort();
  return out;
}

const KUARD_OBJECTS = ["Deployment/kuard-demo/kuard", "Namespace//kuard-demo", "Service/kuard-demo/kuard"];

describe("Placement: the three seed policies of the Fleet documentation", () => {
  it("PickAll with an environment: production label places the namespace and its contents on exactly the production members", async () => {
    const { fleet, records } = await run({
      resources: INVENTORY,
      resourceSelectors: SELECT_NAMESPACE,
      policy: {
        placementType: "PickAll",
        affinity: {
          clusterAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              clusterSelectorTerms: [{ labelSelector: { matchLabels: { environment: "production" } } }],
            },
          },
        },
      },
    });
    assert.deepEqual(placedOn(records, fleet), { m1: KUARD_OBJECTS, m2: KUARD_OBJECTS, m4: KUARD_OBJECTS });
  });

  it("PickFixed places onto the two named members", async () => {
    const { fleet, records, placed } = await run({
      resources: INVENTORY,
      resourceSelectors: SELECT_NAMESPACE,
      policy: { placementType: "PickFixed", clusterNames: ["m3", "m5"] },
    });
    assert.deepEqual(placedOn(records, fleet), { m3: KUARD_OBJECTS, m5: KUARD_OBJECTS });
    assert.deepEqual((await settle(placed.condition))!.status, "True");
  });

  it("PickN 3 with required and preferred affinity and topology spread places onto the scheduled members, with upstream decisions", async () => {
    const policy = {
      placementType: "PickN" as const,
      numberOfClusters: 3,
      affinity: {
        clusterAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            clusterSelectorTerms: [
              { labelSelector: { matchExpressions: [{ key: "environment", operator: "In" as const, values: ["production", "staging"] }] } },
            ],
          },
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 20, preference: { labelSelector: { matchLabels: { environment: "production" } } } },
          ],
        },
      },
      topologySpreadConstraints: [{ topologyKey: "region", maxSkew: 1 }],
    };
    const { fleet, records, placed } = await run({ resources: INVENTORY, resourceSelectors: SELECT_NAMESPACE, policy });
    const decisions = (await settle(placed.decisions))!;
    const picked = decisions
      .filter((d) => d.selected)
      .map((d) => d.clusterName)
      .sort();
    assert.deepEqual(Object.keys(placedOn(records, fleet)).sort(), picked);
    assert.equal(picked.length, 3);
    assert.equal(new Set(picked.map((m) => FLEET.members[m].labels!.region)).size, 3, "one per region");
    assert.deepEqual((await settle(placed.condition))!.reason, "SchedulingPolicyFulfilled");
  });
});

describe("Placement across runs and rollouts", () => {
  const policy = { placementType: "PickN" as const, numberOfClusters: 2 };

  it("keeps its bindings on a second run even when a better cluster appears", async () => {
    const NODES = "kubernetes-fleet.io/node-count";
    const sorted = {
      placementType: "PickN" as const,
      numberOfClusters: 2,
      affinity: {
        clusterAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 50, preference: { propertySorter: { name: NODES, sortOrder: "Descending" as const } } },
          ],
        },
      },
    };
    const before = { m1: { [NODES]: "1" }, m2: { [NODES]: "9" }, m3: { [NODES]: "8" }, m4: { [NODES]: "1" }, m5: { [NODES]: "1" } };
    const after = { ...before, m1: { [NODES]: "50" } };
    const first = await run({ resources: INVENTORY, resourceSelectors: SELECT_NAMESPACE, policy: sorted, memberProperties: before });
    assert.deepEqual((await settle(first.placed.targets))!.sort(), ["m2", "m3"]);
    const fresh = await run({ resources: INVENTORY, resourceSelectors: SELECT_NAMESPACE, policy: sorted, memberProperties: after });
    assert.ok((await settle(fresh.placed.targets))!.includes("m1"), "without stickiness the better cluster would be picked");
    const previous = { kuardPlacementState: await settle(first.placed.state) };
    const second = await run(
      { resources: INVENTORY, resourceSelectors: SELECT_NAMESPACE, policy: sorted, memberProperties: after },
      { previous },
    );
    assert.deepEqual((await settle(second.placed.targets))!.sort(), ["m2", "m3"]);
  });

  it("rolls a change out batch by batch, each batch waiting for the one before it behind a gate named after its first member", async () => {
    const strategy = { type: "RollingUpdate" as const, rollingUpdate: { maxUnavailable: 1, unavailablePeriodSeconds: 30 } };
    const pickAll = { placementType: "PickAll" as const };
    const first = await run({ resources: INVENTORY, resourceSelectors: SELECT_NAMESPACE, policy: pickAll, strategy });
    const firstWaits = ofType(first.records, "command:local:Command").filter((r) => r.name.endsWith("-rollout-wait"));
    assert.deepEqual(firstWaits, [], "a first deployment adds every cluster at once (maxSurge), with no wait");
    const changed = INVENTORY.map((o) => (o.kind === "Deployment" ? { ...o, spec: { replicas: 3 } } : o));
    const { records } = await run(
      { resources: changed, resourceSelectors: SELECT_NAMESPACE, policy: pickAll, strategy },
      { previous: { kuardPlacementState: await settle(first.placed.state) } },
    );
    const waits = ofType(records, "command:local:Command").filter((r) => r.name.endsWith("-rollout-wait"));
    // Five clusters updated in place one at a time, in decision order: a wait before each batch after the first.
    assert.deepEqual(
      waits.map((w) => w.name),
      ["kuard-m2-rollout-wait", "kuard-m3-rollout-wait", "kuard-m4-rollout-wait", "kuard-m5-rollout-wait"],
    );
    for (const wait of waits) {
      assert.equal(wait.inputs.create, "sleep 30");
      assert.ok((wait.opts.dependsOn as unknown[]).length > 0, `${wait.name} waits for the batch before it`);
      const gated = ofType(records, "kubernetes:yaml/v2:ConfigGroup").filter((g) =>
        (g.opts.dependsOn as unknown[] | undefined)?.includes(wait.resource),
      );
      assert.ok(gated.length > 0, `objects of the batch after ${wait.name} wait for it`);
    }
  });

  it("rolls nothing out after an upgrade from a state whose objects hash the previous version wrote, and stores the canonical hash", async () => {
    const strategy = { type: "RollingUpdate" as const, rollingUpdate: { maxUnavailable: 1, unavailablePeriodSeconds: 30 } };
    // The Deployment with its keys out of order: the previous version's hash of it differs from the canonical one.
    const reordered = INVENTORY.map((o) =>
      o.kind === "Deployment" ? { spec: o.spec, metadata: o.metadata, kind: o.kind, apiVersion: o.apiVersion } : o,
    );
    const args = { resources: reordered, resourceSelectors: SELECT_NAMESPACE, policy: { placementType: "PickAll" as const }, strategy };
    const first = await run(args);
    const selected = first.placed.selected;
    assert.notEqual(legacyObjectsHash(selected), objectsHash(selected));
    const legacyState = { ...(await settle(first.placed.state))!, objectsHash: legacyObjectsHash(selected) };
    const { records, placed } = await run(args, { previous: { kuardPlacementState: legacyState } });
    const waits = ofType(records, "command:local:Command").filter((r) => r.name.endsWith("-rollout-wait"));
    assert.deepEqual({ waits, stored: (await settle(placed.state))!.objectsHash }, { waits: [], stored: objectsHash(selected) });
  });

  it("prints the placement what-if during preview", async () => {
    const { infoLog } = await import("./harness");
    await run({ resources: INVENTORY, resourceSelectors: SELECT_NAMESPACE, policy }, { preview: true });
    assert.ok(
      infoLog.some((line) => line.startsWith("Placement kuard")),
      infoLog.join("\n---\n"),
    );
  });
});

describe("Placement children", () => {
  it("names every placed object after its member and the object, parented on the placement with the member's own provider", async () => {
    const { fleet, records, placed } = await run({
      resources: INVENTORY,
      resourceSelectors: SELECT_NAMESPACE,
      policy: { placementType: "PickFixed", clusterNames: ["m3", "m5"] },
    });
    const children = records.filter((r) => r.parent === placed);
    const want = ["m3", "m5"].flatMap((m) => [
      `kuard-${m}-core-namespace-kuard-demo`,
      `kuard-${m}-apps-deployment-kuard-demo-kuard`,
      `kuard-${m}-core-service-kuard-demo-kuard`,
    ]);
    assert.deepEqual(
      children.map((r) => [r.type, r.name]).sort(),
      [["pulumi:pulumi:StackReference", "kuard-previous-state"], ...want.map((n) => ["kubernetes:yaml/v2:ConfigGroup", n])].sort(),
    );
    for (const group of ofType(children, "kubernetes:yaml/v2:ConfigGroup")) {
      const member = group.name.split("-")[1];
      assert.equal(group.provider, fleet.members[member].provider, `${group.name} uses ${member}'s provider`);
    }
  });

  it("registers every child by the time it is ready, and nothing afterwards", async () => {
    const { records, placed } = await run({
      resources: INVENTORY,
      resourceSelectors: SELECT_NAMESPACE,
      policy: { placementType: "PickAll" },
    });
    await placed.ready;
    const atReady = records.filter((r) => r.parent === placed).length;
    await complete(records);
    assert.equal(records.filter((r) => r.parent === placed).length, atReady);
    assert.equal(atReady, 1 + 5 * 3, "the previous-state reference and three objects on each of the five members");
  });
});

describe("Placement refusals and hub mode", () => {
  it("refuses an invalid policy with validatePolicy's messages before registering anything", async () => {
    await useMocks(false);
    const records: RecordedResource[] = [];
    const fleet = new Fleet("fleet", FLEET);
    assert.throws(
      () =>
        new Placement(
          "bad",
          { fleet, resources: INVENTORY, resourceSelectors: SELECT_NAMESPACE, policy: { placementType: "PickN" } },
          { transformations: [recorder(records)] },
        ),
      (e: unknown) =>
        e instanceof FleetValidationError &&
        e.violations.some((v) => v.path === "policy" && /numberOfClusters must be set/.test(v.message)),
    );
    assert.deepEqual(records, []);
  });

  it("hub mode hands a ClusterResourcePlacement that validates against the upstream CRD to the hub, with the selected objects", async () => {
    await useMocks(false);
    const records: RecordedResource[] = [];
    const fleet = new Fleet("fleet", FLEET);
    const hub = new k8s.Provider("hub", { kubeconfig: "HUB" });
    const placement = new Placement(
      "kuard",
      {
        fleet,
        resources: INVENTORY,
        resourceSelectors: SELECT_NAMESPACE,
        policy: { placementType: "PickN", numberOfClusters: 2 },
        mode: "hub",
        hub: { provider: hub },
      },
      { transformations: [recorder(records)] },
    );
    await settle(placement.state);
    await complete(records);
    const crp = records.find((r) => r.type === "kubernetes:placement.kubernetes-fleet.io/v1beta1:ClusterResourcePlacement")!;
    assert.equal(crp.provider, hub);
    const validate = crdValidator("kubefleet_placement.kubernetes-fleet.io_clusterresourceplacements.yaml", "v1beta1");
    const object = { apiVersion: crp.inputs.apiVersion, kind: crp.inputs.kind, metadata: crp.inputs.metadata, spec: crp.inputs.spec };
    assert.ok(validate(object), JSON.stringify(validate.errors));
    assert.equal(crp.name, "kuard-crp");
    const groups = ofType(records, "kubernetes:yaml/v2:ConfigGroup");
    assert.deepEqual(groups.map((g) => g.name).sort(), [
      "kuard-hub-apps-deployment-kuard-demo-kuard",
      "kuard-hub-core-namespace-kuard-demo",
      "kuard-hub-core-service-kuard-demo-kuard",
    ]);
    assert.deepEqual(
      crp.opts.dependsOn,
      groups.map((g) => g.resource),
      "the ClusterResourcePlacement comes after the objects it selects",
    );
    // On the hub nothing runs, so nothing is awaited; objects wait for their namespace.
    assert.deepEqual(
      groups.map((g) => [g.provider === hub, g.inputs.skipAwait]),
      [
        [true, true],
        [true, true],
        [true, true],
      ],
    );
    const namespace = groups.find((g) => (g.inputs.objs as Array<{ kind: string }>)[0].kind === "Namespace")!;
    for (const group of groups.filter((g) => g !== namespace)) assert.deepEqual(group.opts.dependsOn, [namespace.resource]);
  });
});

describe("Placement: a fleet it cannot resolve and manifests that are not Kubernetes objects are refused before registering anything", () => {
  const refusalOf = async (args: Partial<PlacementArgs>) => {
    await useMocks(true);
    const records: RecordedResource[] = [];
    const fleet = new Fleet("fleet", FLEET);
    try {
      new Placement(
        "kuard",
        { fleet, resources: INVENTORY, resourceSelectors: SELECT_NAMESPACE, ...args },
        { transformations: [recorder(records)] },
      );
      return { component: undefined, violations: [], records };
    } catch (error) {
      if (!(error instanceof FleetValidationError)) throw error;
      return { component: error.component, violations: error.violations, records };
    }
  };
  const cases: Array<{ name: string; args: Partial<PlacementArgs>; violations: Array<{ path: string; message: string }> }> = [
    {
      name: "refuses a fleet given by URN in TypeScript, where only the fleetmesh provider resolves one",
      args: { fleet: { urn: "urn:pulumi:dev::demo::fleetmesh:index:Fleet::fleet" } },
      violations: [
        {
          path: "fleet",
          message:
            '{ urn: "urn:pulumi:dev::demo::fleetmesh:index:Fleet::fleet" } is a reference by URN, which only the fleetmesh provider resolves (for programs in other languages): a TypeScript program passes the Fleet itself',
        },
      ],
    },
    {
      name: "refuses a manifest without a kind and one whose name is not a string, each at its field",
      args: {
        resources: [
          { apiVersion: "v1", metadata: { name: "kuard-demo" } },
          { apiVersion: "v1", kind: "ConfigMap", metadata: { name: 5, namespace: "kuard-demo" }, data: {} },
        ],
      },
      violations: [
        { path: "resources[0].kind", message: 'Required value (a manifest names its kind, e.g. "Namespace" or "Deployment")' },
        { path: "resources[1].metadata.name", message: 'Invalid value: 5: must be of type string: "number"' },
      ],
    },
  ];
  for (const c of cases)
    it(c.name, async () =>
      assert.deepEqual(await refusalOf(c.args), { component: 'Placement "kuard"', violations: c.violations, records: [] }),
    );
});

describe("Placement: a previous state given as an Output is checked once it resolves, before anything is registered", () => {
  const cases: Array<{ name: string; previous: unknown; violations: Array<{ path: string; message: string }> }> = [
    {
      name: "fails the preview on a state of another version",
      previous: { version: 2, bindings: [] },
      violations: [
        {
          path: "state.previous.version",
          message: "Unsupported value: 2: supported values: 1 (the one format of a placement's state this version reads)",
        },
      ],
    },
    {
      name: "fails the preview on a binding that is not an object",
      previous: { version: 1, bindings: [5], objectsHash: "h" },
      violations: [{ path: "state.previous.bindings[0]", message: 'Invalid value: 5: must be of type object: "number"' }],
    },
  ];
  for (const c of cases)
    it(c.name, async () => {
      await useMocks(true);
      const records: RecordedResource[] = [];
      const fleet = new Fleet("fleet", FLEET);
      const state = { previous: pulumi.output(c.previous as PlacementState) };
      const placed = new Placement(
        "kuard",
        { fleet, resources: INVENTORY, resourceSelectors: SELECT_NAMESPACE, state },
        { transformations: [recorder(records)] },
      );
      const refusal = await placed.ready.then(
        () => undefined,
        (error: unknown) => error,
      );
      await complete(records);
      assert.deepEqual(
        {
          violations: refusal instanceof FleetValidationError ? refusal.violations : refusal,
          registered: records.filter((r) => r.resource !== placed),
        },
        { violations: c.violations, registered: [] },
      );
    });
});

describe("Placement: selectors the API server would refuse are refused before registering anything", () => {
  const hubArgs = () => ({ mode: "hub" as const, hub: { provider: new k8s.Provider("hub", { kubeconfig: "HUB" }) } });
  const cases: Array<{ name: string; selectors: unknown; paths: string[] }> = [
    { name: "an empty selector list", selectors: [], paths: ["resourceSelectors"] },
    {
      name: "a name together with a label selector",
      selectors: [{ group: "", version: "v1", kind: "Namespace", name: "kuard-demo", labelSelector: { matchLabels: { a: "b" } } }],
      paths: ["resourceSelectors[0]"],
    },
    { name: "a missing kind", selectors: [{ group: "", version: "v1" }], paths: ["resourceSelectors[0].kind"] },
    { name: "an empty kind", selectors: [{ group: "", version: "v1", kind: "" }], paths: ["resourceSelectors[0].kind"] },
    {
      name: "a namespaced kind, with every other problem at once",
      selectors: [
        { group: "apps", version: "v1", kind: "Deployment" },
        { group: "", version: "v1", kind: "" },
        { group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRole", name: "r", labelSelector: {} },
      ],
      paths: ["resourceSelectors[2]", "resourceSelectors[0]", "resourceSelectors[1].kind"],
    },
  ];
  for (const mode of ["direct", "hub"] as const) {
    for (const c of cases) {
      it(`refuses ${c.name} in ${mode} mode`, async () => {
        await useMocks(true);
        const records: RecordedResource[] = [];
        const fleet = new Fleet("fleet", FLEET);
        const args = {
          fleet,
          resources: INVENTORY,
          resourceSelectors: c.selectors as PlacementArgs["resourceSelectors"],
          ...(mode === "hub" ? hubArgs() : {}),
        };
        assert.throws(
          () => new Placement("kuard", args, { transformations: [recorder(records)] }),
          (e: unknown) => e instanceof FleetValidationError && JSON.stringify(e.violations.map((v) => v.path)) === JSON.stringify(c.paths),
        );
        assert.deepEqual(records, []);
      });
    }
  }

  it("keeps upstream's Scheduled=False for what the API server admits (a reserved namespace), and still hands the ClusterResourcePlacement to the hub", async () => {
    await useMocks(false);
    const records: RecordedResource[] = [];
    const fleet = new Fleet("fleet", FLEET);
    const inventory = [...INVENTORY, { apiVersion: "v1", kind: "Namespace", metadata: { name: "kube-system" } }];
    const placed = new Placement(
      "kuard",
      {
        fleet,
        resources: inventory,
        resourceSelectors: [{ group: "", version: "v1", kind: "Namespace", name: "kube-system" }],
        ...hubArgs(),
      },
      { transformations: [recorder(records)] },
    );
    assert.deepEqual(await settle(placed.condition), {
      type: "Scheduled",
      status: "False",
      reason: "InvalidResourceSelectors",
      message:
        "The resource selectors are invalid: invalid clusterRresourcePlacement kuard: namespace kube-system is not allowed to propagate",
    });
    await complete(records);
    assert.equal(ofType(records, "kubernetes:placement.kubernetes-fleet.io/v1beta1:ClusterResourcePlacement").length, 1);
  });

  it("refuses a hub-mode name the API server would refuse as an object name", async () => {
    await useMocks(true);
    const fleet = new Fleet("fleet", FLEET);
    assert.throws(
      () => new Placement("Kuard_Demo", { fleet, resources: INVENTORY, resourceSelectors: SELECT_NAMESPACE, ...hubArgs() }),
      (e: unknown) =>
        e instanceof FleetValidationError && e.violations.some((v) => v.path === "name" && v.message.includes('"Kuard_Demo"')),
    );
  });
});

describe("Placement: preview warnings for what would silently do nothing", () => {
  const previewWarnings = async (placement: Omit<PlacementArgs, "fleet">) => {
    const { warnLog } = await import("./harness");
    const { placed } = await run(placement, { preview: true });
    await placed.ready;
    return [...warnLog];
  };
  const NOBODY = {
    placementType: "PickAll" as const,
    affinity: {
      clusterAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          clusterSelectorTerms: [{ labelSelector: { matchLabels: { environment: "qa" } } }],
        },
      },
    },
  };
  const cases: Array<{ name: string; placement: Omit<PlacementArgs, "fleet">; want: string[] }> = [
    {
      name: "says nothing about a placement that places its objects",
      placement: { resources: INVENTORY, resourceSelectors: SELECT_NAMESPACE },
      want: [],
    },
    {
      name: "names a selector that selects no object of resources",
      placement: {
        resources: INVENTORY,
        resourceSelectors: [...SELECT_NAMESPACE, { group: "", version: "v1", kind: "Namespace", name: "kuard-demo-typo" }],
      },
      want: [
        'Placement "kuard": resourceSelectors[1] {"group":"","version":"v1","kind":"Namespace","name":"kuard-demo-typo"} selects no object of resources, so it places nothing',
      ],
    },
    {
      name: "says when the cluster affinity matches no member, though the placement counts as scheduled",
      placement: { resources: INVENTORY, resourceSelectors: SELECT_NAMESPACE, policy: NOBODY },
      want: [
        'Placement "kuard" places its objects on no member (Scheduled=True SchedulingPolicyFulfilled: found all cluster needed as specified by the scheduling policy, found 0 cluster(s))',
      ],
    },
  ];
  for (const c of cases) it(c.name, async () => assert.deepEqual(await previewWarnings(c.placement), c.want));
});

// ---------------------------------------------------------------------------------------------
// Hub mode on an Azure Fleet: the hub's own rules, and what the hub must know to schedule alike.
// ---------------------------------------------------------------------------------------------

/** An Azure Fleet member with its labels and taints (none by default). */
const fleetMember = (subnet: number, labels: Record<string, string>, taints: FleetArgs["members"][string]["taints"] = []) =>
  aksMember(subnet, { labels, taints });
const GPU_TAINT = { key: "gpu", value: "true", effect: "NoSchedule" as const };
const AZURE_FLEET: FleetArgs = {
  azureFleet: { resourceGroupName: "rg", location: "eastus2", fleetName: "hub" },
  members: { e1: fleetMember(1, { region: "east" }), e2: fleetMember(2, { region: "east" }, [GPU_TAINT]) },
};
const TOLERATE_GPU = { key: "gpu", operator: "Equal" as const, value: "true", effect: "NoSchedule" as const };

/** One run of a hub-mode placement over `fleetArgs`; the refusal, when the preview fails. */
async function runHub(
  placement: Omit<PlacementArgs, "fleet" | "mode" | "hub">,
  opts: { preview?: boolean; previous?: Record<string, unknown>; fleetArgs?: FleetArgs } = {},
) {
  await useMocks(opts.preview ?? false, opts.previous ?? {});
  const records: RecordedResource[] = [];
  const fleet = new Fleet("fleet", opts.fleetArgs ?? AZURE_FLEET);
  const hub = new k8s.Provider("hub", { kubeconfig: "HUB" });
  const placed = new Placement(
    "kuard",
    { fleet, mode: "hub", hub: { provider: hub }, ...placement },
    { transformations: [recorder(records)] },
  );
  const refusal = await placed.ready.then(
    () => undefined,
    (error: unknown) => error,
  );
  await complete(records);
  return { fleet, hub, placed, refusal, children: records.filter((r) => r.resource !== placed) };
}

const CRP_TYPE = "kubernetes:placement.kubernetes-fleet.io/v1beta1:ClusterResourcePlacement";
const MEMBER_CLUSTER_PATCH = "kubernetes:cluster.kubernetes-fleet.io/v1beta1:MemberClusterPatch";

describe("Placement in hub mode: the taints of Azure Fleet members reach the hub", () => {
  it("patches each tainted member's MemberCluster on the hub once it joined, and hands the ClusterResourcePlacement over after", async () => {
    const { fleet, hub, children } = await runHub({ resources: INVENTORY, resourceSelectors: SELECT_NAMESPACE });
    const patches = ofType(children, MEMBER_CLUSTER_PATCH);
    assert.deepEqual(
      patches.map((p) => [p.name, p.provider === hub, p.inputs.metadata, p.inputs.spec]),
      [["kuard-e2-taints", true, { name: "e2", annotations: { "pulumi.com/patchForce": "true" } }, { taints: [GPU_TAINT] }]],
    );
    assert.deepEqual(await dependsOnOf(patches[0]), await fleet.members.e2.fleetJoined, "after the member joined the Azure Fleet");
    const crp = ofType(children, CRP_TYPE)[0];
    assert.ok((await dependsOnOf(crp)).includes(patches[0].resource), "the hub schedules knowing the taint");
  });

  it("warns, instead, that a tainted member outside the Azure Fleet keeps whatever taints the hub has for it", async () => {
    const { warnLog } = await import("./harness");
    const withKind: FleetArgs = { ...AZURE_FLEET, members: { ...AZURE_FLEET.members, k1: { kind: {}, taints: [GPU_TAINT] } } };
    const { children } = await runHub(
      { resources: INVENTORY, resourceSelectors: SELECT_NAMESPACE },
      { preview: true, fleetArgs: withKind },
    );
    assert.deepEqual(
      ofType(children, MEMBER_CLUSTER_PATCH).map((p) => p.name),
      ["kuard-e2-taints"],
    );
    assert.ok(
      warnLog.includes(
        `Placement "kuard": member "k1"'s taints are not written to the hub (it joins no Azure Fleet): the hub schedules by the taints of its own MemberCluster "k1", which the prediction may not match`,
      ),
      warnLog.join("\n"),
    );
  });
});

describe("Placement in hub mode: an update the hub would refuse fails the preview", () => {
  const TOLERANT = { placementType: "PickAll" as const, tolerations: [TOLERATE_GPU] };
  const previousOf = async (policy: PlacementArgs["policy"]) => {
    const first = await runHub({ resources: INVENTORY, resourceSelectors: SELECT_NAMESPACE, policy });
    return { kuardPlacementState: await settle(first.placed.state) };
  };

  it("keeps the policy it handed the hub in the placement state", async () => {
    const { kuardPlacementState } = await previousOf(TOLERANT);
    assert.deepEqual(kuardPlacementState!.hubSpec, { policy: TOLERANT });
  });

  const refused: Array<[string, PlacementArgs["policy"], string, RegExp]> = [
    [
      "a removed toleration",
      { placementType: "PickAll" },
      "policy.tolerations",
      /tolerations have been updated\/deleted, only additions to tolerations are allowed \(removed or changed: \{Key:gpu Operator:Equal Value:true Effect:NoSchedule\}\): the hub refuses this change to ClusterResourcePlacement "kuard"/,
    ],
    [
      "a changed placement type",
      { placementType: "PickN", numberOfClusters: 1, tolerations: [TOLERATE_GPU] },
      "policy.placementType",
      /placement type is immutable/,
    ],
    ["a removed policy", undefined, "policy", /policy cannot be removed once set/],
  ];
  for (const [sentence, policy, path, message] of refused) {
    it(`refuses ${sentence}, naming the field, before registering anything`, async () => {
      const previous = await previousOf(TOLERANT);
      const { refusal, children } = await runHub(
        { resources: INVENTORY, resourceSelectors: SELECT_NAMESPACE, policy },
        { preview: true, previous },
      );
      assert.ok(refusal instanceof FleetValidationError, String(refusal));
      assert.deepEqual(
        refusal.violations.map((v) => v.path),
        [path],
      );
      assert.match(refusal.violations[0].message, message);
      assert.match(refusal.violations[0].message, /revert the change, or set replaceOnPolicyChange: true/);
      // Only the read of the previous state: no object, no ClusterResourcePlacement.
      assert.deepEqual(
        children.map((r) => r.type),
        ["pulumi:pulumi:StackReference"],
      );
    });
  }

  it("accepts what the hub accepts (an added toleration)", async () => {
    const previous = await previousOf(TOLERANT);
    const more = { ...TOLERANT, tolerations: [TOLERATE_GPU, { key: "spot", operator: "Exists" as const }] };
    const { refusal } = await runHub(
      { resources: INVENTORY, resourceSelectors: SELECT_NAMESPACE, policy: more },
      { preview: true, previous },
    );
    assert.equal(refusal, undefined);
  });

  it("replaces the ClusterResourcePlacement (delete first: it keeps its name) when replaceOnPolicyChange opts in", async () => {
    const previous = await previousOf(TOLERANT);
    const { refusal, children, placed } = await runHub(
      { resources: INVENTORY, resourceSelectors: SELECT_NAMESPACE, policy: { placementType: "PickAll" }, replaceOnPolicyChange: true },
      { preview: true, previous },
    );
    assert.equal(refusal, undefined);
    const crp = ofType(children, CRP_TYPE)[0];
    assert.deepEqual([crp.opts.replaceOnChanges, crp.opts.deleteBeforeReplace], [["*"], true]);
    assert.deepEqual((await settle(placed.state))!.hubSpec, { policy: { placementType: "PickAll" } });
  });

  it("updates in place when nothing the hub refuses changed", async () => {
    const previous = await previousOf(TOLERANT);
    const { children } = await runHub(
      { resources: INVENTORY, resourceSelectors: SELECT_NAMESPACE, policy: TOLERANT, replaceOnPolicyChange: true },
      { previous },
    );
    const crp = ofType(children, CRP_TYPE)[0];
    assert.deepEqual([crp.opts.replaceOnChanges, crp.opts.deleteBeforeReplace], [undefined, undefined]);
  });
});

describe("Placement in hub mode: a namespace fleetmesh also creates on the members is refused", () => {
  const MESHED: FleetArgs = {
    ...AZURE_FLEET,
    members: { e1: fleetMember(1, { mesh: "prod" }), e2: fleetMember(2, { mesh: "prod" }) },
    meshes: { prod: { memberSelector: { matchLabels: { mesh: "prod" } }, globalNamespaces: ["kuard-demo"] } },
  };

  it("refuses a namespace the fleet's mesh creates, at the selector that carries it, before registering anything", async () => {
    await useMocks(true);
    const fleet = new Fleet("fleet", MESHED);
    const hub = new k8s.Provider("hub", { kubeconfig: "HUB" });
    const records: RecordedResource[] = [];
    let refusal: unknown;
    try {
      new Placement(
        "kuard",
        { fleet, mode: "hub", hub: { provider: hub }, resources: INVENTORY, resourceSelectors: SELECT_NAMESPACE },
        { transformations: [recorder(records)] },
      );
    } catch (error) {
      refusal = error;
    }
    assert.ok(refusal instanceof FleetValidationError, String(refusal));
    assert.deepEqual(
      refusal.violations.map((v) => v.path),
      ["resourceSelectors[0]"],
    );
    assert.match(
      refusal.violations[0].message,
      /selects namespace "kuard-demo", which fleetmesh also creates on members \(ClusterMesh "fleet-prod" on "e1", "e2"\)/,
    );
    assert.deepEqual(records, []);
  });

  it("fails the preview when a service declared after the placement creates it, before the placement registers anything", async () => {
    const KIND_MESH: FleetArgs = {
      members: { c1: { kind: {}, labels: { mesh: "demo" } }, c2: { kind: {}, labels: { mesh: "demo" } } },
      meshes: { demo: { memberSelector: { matchLabels: { mesh: "demo" } } } },
    };
    await useMocks(true);
    const fleet = new Fleet("fleet", KIND_MESH);
    const hub = new k8s.Provider("hub", { kubeconfig: "HUB" });
    const records: RecordedResource[] = [];
    const placed = new Placement(
      "kuard",
      { fleet, mode: "hub", hub: { provider: hub }, resources: INVENTORY, resourceSelectors: SELECT_NAMESPACE },
      { transformations: [recorder(records)] },
    );
    new GlobalService("kuard", {
      mesh: fleet.meshes.demo,
      fleet,
      namespace: "kuard-demo",
      selector: { app: "kuard" },
      ports: [{ port: 8080 }],
    });
    const refusal = await placed.ready.then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(refusal instanceof FleetValidationError, String(refusal));
    assert.match(
      refusal.message,
      /resourceSelectors\[0\]: selects namespace "kuard-demo", which fleetmesh also creates on members \(GlobalService "kuard" on "c1", "c2"\)/,
    );
    await complete(records);
    assert.deepEqual(
      records.filter((r) => r.resource !== placed).map((r) => r.type),
      ["pulumi:pulumi:StackReference"],
    );
  });
});
