import { strict as assert } from "assert";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { FakeCloud, Registration, engineUrn } from "../../plan/fake-cloud";
import { ProgramError, resetRootStack, runProgram } from "../../plan/run-program";
import { refusals } from "../../plan/refusals";

const fixture = (name: string) => path.resolve(__dirname, "fixtures", name);

const urn = (type: string, name: string) => `urn:pulumi:dev::app::${type}::${name}`;

function registration(type: string, name: string, extra: Partial<Registration> = {}): Registration {
  return {
    urn: urn(type, name),
    type,
    name,
    custom: true,
    remote: false,
    read: false,
    dependencies: [],
    propertyDependencies: {},
    deleteBeforeReplace: false,
    replaceOnChanges: [],
    inputs: {},
    ...extra,
  };
}

const provider = (name: string, inputs: Record<string, unknown> = {}) => registration("pulumi:providers:kubernetes", name, { inputs });
/** A provider reference as the SDK sends it: `<urn>::<id>` (the id unknown in preview). */
const on = (name: string) => ({ provider: `${urn("pulumi:providers:kubernetes", name)}::04da6b54-80e4-46f7-96ec-b56ff0331ba9` });
const namespace = (name: string, objectName: string, extra: Partial<Registration> = {}) =>
  registration("kubernetes:core/v1:Namespace", name, {
    ...on("c1"),
    inputs: { apiVersion: "v1", kind: "Namespace", metadata: { name: objectName } },
    ...extra,
  });
const configMap = (name: string, metadata: Record<string, unknown>, providerName = "c1") =>
  registration("kubernetes:core/v1:ConfigMap", name, { ...on(providerName), inputs: { apiVersion: "v1", kind: "ConfigMap", metadata } });

const C1 = urn("pulumi:providers:kubernetes", "c1");
const shared = (description: string, owners: string[]) =>
  `Kubernetes object ${description} is managed by ${owners.length} resources (${owners.map((o) => `'${o}'`).join(", ")}): the resource already exists in the cluster when the second is created`;
const duplicate = (u: string) => `Duplicate resource URN '${u}'; try giving it a unique name`;
const defaultProvider = (u: string) => `Default provider for 'kubernetes' disabled. '${u}' must use an explicit provider.`;

describe("the plan's refusals", () => {
  const cases: Array<[string, Registration[], string[]]> = [
    ["distinct resources on explicit providers are all deployable", [provider("c1"), namespace("a", "a"), namespace("b", "b")], []],
    [
      "a URN registered three times is reported once, with the engine's message",
      [provider("c1"), namespace("a", "a"), namespace("a", "a"), namespace("a", "a")],
      [duplicate(urn("kubernetes:core/v1:Namespace", "a"))],
    ],
    [
      "two Namespaces of one name on one cluster are one object managed twice",
      [provider("c1"), namespace("apps-a", "apps"), namespace("apps-b", "apps")],
      [
        shared(`Namespace 'apps' on '${C1}'`, [
          urn("kubernetes:core/v1:Namespace", "apps-a"),
          urn("kubernetes:core/v1:Namespace", "apps-b"),
        ]),
      ],
    ],
    [
      "a cluster-scoped kind has no namespace, whatever its metadata says",
      [
        provider("c1"),
        namespace("apps-a", "apps"),
        namespace("apps-b", "apps", { inputs: { apiVersion: "v1", kind: "Namespace", metadata: { name: "apps", namespace: "x" } } }),
      ],
      [
        shared(`Namespace 'apps' on '${C1}'`, [
          urn("kubernetes:core/v1:Namespace", "apps-a"),
          urn("kubernetes:core/v1:Namespace", "apps-b"),
        ]),
      ],
    ],
    [
      "one name in two namespaces is two objects",
      [provider("c1"), configMap("a", { name: "s", namespace: "x" }), configMap("b", { name: "s", namespace: "y" })],
      [],
    ],
    [
      "one object on two clusters is two objects",
      [provider("c1"), provider("c2"), configMap("a", { name: "s" }, "c1"), configMap("b", { name: "s" }, "c2")],
      [],
    ],
    [
      "a namespaced object without a namespace lands in default",
      [provider("c1"), configMap("a", { name: "s" }), configMap("b", { name: "s", namespace: "default" })],
      [shared(`ConfigMap 'default/s' on '${C1}'`, [urn("kubernetes:core/v1:ConfigMap", "a"), urn("kubernetes:core/v1:ConfigMap", "b")])],
    ],
    [
      "a namespaced object without a namespace lands in its provider's namespace when it has one",
      [
        provider("c1", { namespace: "apps" }),
        configMap("a", { name: "s" }),
        configMap("b", { name: "s", namespace: "apps" }),
        configMap("c", { name: "s", namespace: "default" }),
      ],
      [shared(`ConfigMap 'apps/s' on '${C1}'`, [urn("kubernetes:core/v1:ConfigMap", "a"), urn("kubernetes:core/v1:ConfigMap", "b")])],
    ],
    [
      "a ConfigGroup's objs are objects it manages",
      [
        provider("c1"),
        registration("kubernetes:yaml/v2:ConfigGroup", "group", {
          custom: false,
          remote: true,
          ...on("c1"),
          inputs: { objs: [{ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "shop" } }] },
        }),
        registration("kubernetes:apps/v1:Deployment", "web", {
          ...on("c1"),
          inputs: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "shop" } },
        }),
      ],
      [
        shared(`apps/Deployment 'shop/web' on '${C1}'`, [
          urn("kubernetes:yaml/v2:ConfigGroup", "group"),
          urn("kubernetes:apps/v1:Deployment", "web"),
        ]),
      ],
    ],
    [
      "a Patch resource shares its object by design, and a read manages nothing",
      [
        provider("c1"),
        namespace("apps", "apps"),
        registration("kubernetes:core/v1:NamespacePatch", "labels", {
          ...on("c1"),
          inputs: { apiVersion: "v1", kind: "Namespace", metadata: { name: "apps" } },
        }),
        namespace("existing", "apps", { read: true }),
      ],
      [],
    ],
    [
      "a Kubernetes resource, component or read on the default provider is refused with the engine's message",
      [
        registration("kubernetes:helm.sh/v3:Release", "cilium"),
        registration("kubernetes:yaml/v2:ConfigGroup", "group", { custom: false, remote: true }),
        registration("kubernetes:core/v1:Namespace", "existing", { read: true }),
      ],
      [
        defaultProvider(urn("kubernetes:helm.sh/v3:Release", "cilium")),
        defaultProvider(urn("kubernetes:yaml/v2:ConfigGroup", "group")),
        defaultProvider(urn("kubernetes:core/v1:Namespace", "existing")),
      ],
    ],
    [
      "the provider itself and local Kubernetes components need no provider",
      [registration("pulumi:providers:kubernetes", "c1"), registration("kubernetes:yaml:ConfigFile", "file", { custom: false })],
      [],
    ],
    [
      "all three mistakes are reported together, duplicate URNs first",
      [
        provider("c1"),
        registration("kubernetes:core/v1:Namespace", "loose"),
        configMap("a", { name: "s" }),
        configMap("b", { name: "s" }),
        provider("c1"),
      ],
      [
        duplicate(C1),
        shared(`ConfigMap 'default/s' on '${C1}'`, [urn("kubernetes:core/v1:ConfigMap", "a"), urn("kubernetes:core/v1:ConfigMap", "b")]),
        defaultProvider(urn("kubernetes:core/v1:Namespace", "loose")),
      ],
    ],
  ];
  for (const [name, registrations, expected] of cases) {
    it(name, () => assert.deepEqual(refusals(registrations), expected));
  }
});

/** The problems a ProgramError lists, with the member providers' URNs (named by the components) left out. */
function problemsOf(error: unknown): string[] {
  assert.ok(error instanceof ProgramError, String(error));
  return error.message
    .split("\n")
    .slice(1)
    .map((line) => line.replace(/^ {2}- /, "").replace(/'urn:[^']*\$pulumi:providers:kubernetes::[^']*'/g, "'<member provider>'"));
}

async function refusal(name: string): Promise<string[]> {
  try {
    await runProgram(fixture(name));
  } catch (error) {
    return problemsOf(error);
  }
  throw new Error(`${name} was planned without a refusal`);
}

describe("the plan refuses programs `pulumi up` would not deploy", function () {
  this.timeout(120_000);
  after(resetRootStack);

  it("refuses a GlobalService declared twice, naming its URN (its children's follow)", async () => {
    const problems = await refusal("duplicate-global-service");
    assert.deepEqual(
      [
        problems[0],
        problems.filter(
          (p) => !/^Duplicate resource URN 'urn:pulumi:plan::duplicate-global-service::fleetmesh:index:GlobalService\$/.test(p),
        ),
      ],
      [duplicate("urn:pulumi:plan::duplicate-global-service::fleetmesh:index:GlobalService::web"), [problems[0]]],
    );
  });

  it("refuses two resources managing one Namespace on one member", async () => {
    const ns = (name: string) => `urn:pulumi:plan::shared-kubernetes-object::kubernetes:core/v1:Namespace::${name}`;
    assert.deepEqual(await refusal("shared-kubernetes-object"), [
      shared("Namespace 'apps' on '<member provider>'", [ns("apps-a"), ns("apps-b")]),
    ]);
  });

  it("refuses a Kubernetes resource on the default provider", async () => {
    assert.deepEqual(await refusal("default-provider"), [
      defaultProvider("urn:pulumi:plan::default-provider::kubernetes:core/v1:Namespace::loose"),
    ]);
  });

  it("plans two fleets whose members share names, every URN once", async () => {
    const run = await runProgram(fixture("two-fleets"));
    const urns = run.resources.map((r) => r.urn);
    assert.deepEqual(
      urns.filter((u, i) => urns.indexOf(u) !== i),
      [],
    );
    const kindClusters = run.resources
      .filter((r) => r.name.endsWith("-kind-cluster"))
      .map((r) => r.inputs.delete)
      .sort();
    assert.deepEqual(
      kindClusters,
      ["dev-a", "dev-b", "stage-a", "stage-b"].map((c) => `kind delete cluster --name '${c}'`),
    );
  });

  it("fails with the fleet's refusal when the previous run's state forbids the plan, naming the member", async () => {
    const held = { clusterId: 1, podCidr: "10.0.0.0/17", serviceCidr: "10.128.0.0/20", nodePort: 32000 };
    await assert.rejects(
      runProgram(fixture("renumbered-fleet"), { previousOutputs: { renumFleetState: { version: 1, members: { a: held } } } }),
      (error: unknown) =>
        error instanceof ProgramError && /Fleet "renum": 1 problem\(s\)/.test(error.message) && /members\.a\.clusterId/.test(error.message),
    );
  });

  it("reports every mistake of a program in one error", async () => {
    const u = (type: string, name: string) => `urn:pulumi:plan::three-mistakes::${type}::${name}`;
    assert.deepEqual(await refusal("three-mistakes"), [
      duplicate(u("kubernetes:core/v1:Namespace", "twice")),
      shared("ConfigMap 'default/settings' on '<member provider>'", [
        u("kubernetes:core/v1:ConfigMap", "settings-a"),
        u("kubernetes:core/v1:ConfigMap", "settings-b"),
      ]),
      defaultProvider(u("kubernetes:core/v1:Namespace", "ambient")),
    ]);
  });
});

describe("planned resources", function () {
  this.timeout(120_000);
  after(resetRootStack);

  it("carry the engine's URN, their parent's, their provider's and their dependencies", async () => {
    const run = await runProgram(fixture("steps-program"));
    const u = (qualifiedType: string, name: string) => `urn:pulumi:plan::steps-program::${qualifiedType}::${name}`;
    const [group, shell] = [u("steps:index:Group", "group"), u("steps:index:Group$pulumi:providers:command", "shell")];
    const [first, second, third] = ["first", "second", "third"].map((n) => u("steps:index:Group$command:local:Command", n));
    const command = (name: string, urnOf: string, dependencies: string[], propertyDependencies: Record<string, string[]>) => ({
      type: "command:local:Command",
      name,
      urn: urnOf,
      parent: "steps:index:Group::group",
      parentUrn: group,
      provider: "shell",
      providerUrn: shell,
      dependencies,
      propertyDependencies,
      custom: true,
      // The command SDK's own resource option.
      replaceOnChanges: ["triggers[*]"],
    });
    assert.deepEqual(
      run.resources.map(({ inputs: _inputs, ...rest }) => rest),
      [
        {
          type: "steps:index:Group",
          name: "group",
          urn: group,
          parent: undefined,
          parentUrn: u("pulumi:pulumi:Stack", "steps-program-plan"),
          provider: undefined,
          dependencies: [],
          propertyDependencies: {},
          custom: false,
          // A component: what it registered as its outputs (none).
          outputs: {},
        },
        {
          type: "pulumi:providers:command",
          name: "shell",
          urn: shell,
          parent: "steps:index:Group::group",
          parentUrn: group,
          provider: undefined,
          dependencies: [],
          propertyDependencies: {},
          custom: true,
        },
        command("first", first, [], {}),
        command("second", second, [first], { create: [first] }),
        command("third", third, [second], {}),
      ],
    );
  });
});

describe("FakeCloud", () => {
  class Box extends pulumi.ComponentResource {
    constructor(type: string, name: string) {
      super(type, name, {});
    }
  }
  class Thing extends pulumi.CustomResource {
    constructor(name: string, size: number, opts?: pulumi.CustomResourceOptions) {
      super("test:index:Thing", name, { size }, opts);
    }
  }

  async function registered(cloud: FakeCloud, make: () => pulumi.Resource[]): Promise<void> {
    await pulumi.runtime.setMocks(cloud.mocks(), "app", "dev", false);
    await Promise.all(make().map((r) => (r.urn as unknown as { promise(): Promise<string> }).promise()));
  }

  it("keys inputs by the engine's URN: one type and name under two parent types are two resources, a URN twice keeps both registrations", async () => {
    const cloud = new FakeCloud(false);
    await registered(cloud, () => {
      const [box, crate] = [new Box("test:index:Box", "a"), new Box("test:index:Crate", "a")];
      const thing = (size: number, parent: pulumi.Resource) => new Thing("t", size, { parent });
      return [box, crate, thing(1, box), thing(2, crate), thing(3, crate)];
    });
    const thing = "urn:pulumi:dev::app::test:index:Crate$test:index:Thing::t";
    assert.deepEqual(
      [Object.fromEntries(cloud.inputs), cloud.registrations.filter((r) => r.urn === thing).map((r) => r.inputs)],
      [
        {
          "urn:pulumi:dev::app::test:index:Box::a": {},
          "urn:pulumi:dev::app::test:index:Crate::a": {},
          "urn:pulumi:dev::app::test:index:Box$test:index:Thing::t": { size: 1 },
          [thing]: { size: 2 },
        },
        [{ size: 2 }, { size: 3 }],
      ],
    );
  });

  it("finds inputs by type and name only where that pair is unique", async () => {
    const cloud = new FakeCloud(false);
    await registered(cloud, () => {
      const box = new Box("test:index:Box", "a");
      return [box, new Thing("t", 1, { parent: box }), new Thing("t", 2)];
    });
    assert.deepEqual(cloud.inputsNamed("test:index:Box", "a"), {});
    assert.throws(() => cloud.inputsNamed("test:index:Thing", "t"), {
      message:
        "2 resources of type test:index:Thing are named t: urn:pulumi:dev::app::test:index:Box$test:index:Thing::t, urn:pulumi:dev::app::test:index:Thing::t",
    });
  });

  const urns: Array<[string, string | undefined, string]> = [
    ["a resource without a parent has its own type only", undefined, "urn:pulumi:dev::app::test:index:Thing::t"],
    [
      "a child of the root stack leaves the stack's type out",
      "urn:pulumi:dev::app::pulumi:pulumi:Stack::app-dev",
      "urn:pulumi:dev::app::test:index:Thing::t",
    ],
    [
      "a grandchild carries its parent's whole type chain",
      "urn:pulumi:dev::app::test:index:Box$test:index:Crate::c",
      "urn:pulumi:dev::app::test:index:Box$test:index:Crate$test:index:Thing::t",
    ],
  ];
  for (const [name, parent, expected] of urns) {
    it(`gives the engine's URN: ${name}`, () => assert.equal(engineUrn("dev", "app", parent, "test:index:Thing", "t"), expected));
  }
});
