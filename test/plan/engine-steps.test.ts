import { strict as assert } from "assert";
import * as path from "path";
import { NewResource, OldResource, Step, StepOp, StepOptions, planSteps, runSteps, stepModelInput } from "../../plan/engine-steps";
import { resetRootStack, runProgram } from "../../plan/run-program";

const TYPE = "test:index:Thing";

/** A resource named `urn` (the model reads URNs as opaque names). */
function res(urn: string, dependencies: string[] = [], extra: Partial<NewResource> = {}): NewResource {
  return { urn, type: TYPE, inputs: { name: urn }, dependencies, ...extra };
}

function step(op: StepOp, urn: string, extra: Partial<Step> = {}): Step {
  return { op, urn, type: TYPE, ...extra };
}

const create = (urn: string) => step("create", urn);
const same = (urn: string) => step("same", urn);
const update = (urn: string, changed: string[]) => step("update", urn, { changed });
const replace = (urn: string, changed?: string[]) => step("replace", urn, changed ? { changed } : {});
const removed = (urn: string) => step("delete", urn, { reason: "removed" });
const replacedOld = (urn: string) => step("delete", urn, { reason: "replaced" });

const chain = [res("a"), res("b", ["a"]), res("c", ["b"])];
const sized = (size: number, extra: Partial<NewResource> = {}) =>
  res("b", ["a"], { inputs: { name: "b", size }, replaceOnChanges: ["size"], ...extra });

interface Case {
  name: string;
  olds: OldResource[];
  news: NewResource[];
  options?: StepOptions;
  waves: Step[][];
}

const cases: Case[] = [
  {
    name: "a first run creates everything, each resource after what it depends on",
    olds: [],
    news: chain,
    waves: [[create("a")], [create("b")], [create("c")]],
  },
  {
    name: "an unchanged second run is all same",
    olds: chain,
    news: chain,
    waves: [[same("a")], [same("b")], [same("c")]],
  },
  {
    name: "independent branches run in the same waves",
    olds: [],
    news: [res("a"), res("b", ["a"]), res("c", ["a"]), res("d", ["b", "c"]), res("e")],
    waves: [[create("a"), create("e")], [create("b"), create("c")], [create("d")]],
  },
  {
    name: "a parent and a provider order their children like dependencies",
    olds: [],
    news: [res("group"), res("cluster", [], { parent: "group" }), res("ns", [], { parent: "group", provider: "cluster" })],
    waves: [[create("group")], [create("cluster")], [create("ns")]],
  },
  {
    name: "a change in the middle updates that resource in place",
    olds: chain,
    news: [res("a"), res("b", ["a"], { inputs: { name: "b", size: 2 } }), res("c", ["b"])],
    waves: [[same("a")], [update("b", ["size"])], [same("c")]],
  },
  {
    name: "a removed subtree is deleted after every registration, dependents first; an independent removal goes with the last antichain",
    olds: [res("a"), res("p"), res("s1", [], { parent: "p" }), res("s2", ["s1"]), res("q")],
    news: [res("a")],
    waves: [[same("a")], [removed("s2")], [removed("s1")], [removed("p"), removed("q")]],
  },
  {
    name: "a replacement is created where the resource registers and its old copy deleted at the end",
    olds: [res("a"), sized(1), res("c", ["b"])],
    news: [res("a"), sized(2), res("c", ["b"])],
    waves: [[same("a")], [replace("b", ["size"])], [same("c")], [replacedOld("b")]],
  },
  {
    name: "with deleteBeforeReplace the old copy goes first, after the dependents its replacement would replace",
    olds: [res("a"), sized(1), res("c", ["b"], { propertyDependencies: { target: ["b"] }, replaceOnChanges: ["target"] }), res("d", ["b"])],
    news: [
      res("a"),
      sized(2, { deleteBeforeReplace: true }),
      res("c", ["b"], { propertyDependencies: { target: ["b"] }, replaceOnChanges: ["target"] }),
      res("d", ["b"]),
    ],
    waves: [[same("a")], [replacedOld("c")], [replacedOld("b")], [replace("b", ["size"])], [replace("c"), same("d")]],
  },
  {
    name: "the replaces option makes a type's every change a replacement",
    olds: chain,
    news: [res("a"), res("b", ["a"], { inputs: { name: "b", config: "v2" } }), res("c", ["b"])],
    options: { replaces: (resource) => resource.urn === "b" },
    waves: [[same("a")], [replace("b", ["config"])], [same("c")], [replacedOld("b")]],
  },
  {
    name: "a replaced provider replaces the resources it manages, and their old copies go before its own",
    olds: [res("cluster", [], { replaceOnChanges: ["kubeconfig"], inputs: { kubeconfig: "v1" } }), res("ns", [], { provider: "cluster" })],
    news: [res("cluster", [], { replaceOnChanges: ["kubeconfig"], inputs: { kubeconfig: "v2" } }), res("ns", [], { provider: "cluster" })],
    waves: [[replace("cluster", ["kubeconfig"])], [replace("ns")], [replacedOld("ns")], [replacedOld("cluster")]],
  },
  {
    name: "moving to another provider of the same configuration keeps the resource; to one whose configuration replaces, replaces it",
    olds: [res("p1", [], { inputs: { kubeconfig: "k1" } }), res("x", [], { provider: "p1" }), res("y", [], { provider: "p1" })],
    news: [
      res("p2", [], { inputs: { kubeconfig: "k1" }, replaceOnChanges: ["kubeconfig"] }),
      res("p3", [], { inputs: { kubeconfig: "k3" }, replaceOnChanges: ["kubeconfig"] }),
      res("x", [], { provider: "p2" }),
      res("y", [], { provider: "p3" }),
    ],
    waves: [[create("p2"), create("p3")], [same("x"), replace("y")], [replacedOld("y")], [removed("p1")]],
  },
  {
    name: "a dependent deleted before a replacement and no longer in the program is not deleted again",
    olds: [sized(1, { dependencies: [] }), res("c", ["b"], { propertyDependencies: { target: ["b"] }, replaceOnChanges: ["target"] })],
    news: [sized(2, { dependencies: [], deleteBeforeReplace: true })],
    waves: [[replacedOld("c")], [replacedOld("b")], [replace("b", ["size"])]],
  },
  {
    name: "a component's change is an update, never a replacement",
    olds: [res("group", [], { custom: false, replaceOnChanges: ["*"] })],
    news: [res("group", [], { custom: false, replaceOnChanges: ["*"], inputs: { name: "group", size: 1 } })],
    waves: [[update("group", ["size"])]],
  },
];

describe("the engine step model", () => {
  for (const { name, olds, news, options, waves } of cases) {
    it(name, () => assert.deepEqual(planSteps(olds, news, options), waves));
  }

  it("refuses a URN registered twice with the engine's message", () => {
    assert.throws(() => planSteps([], [res("a"), res("a")]), { message: "Duplicate resource URN 'a'; try giving it a unique name" });
  });
});

describe("running the steps", () => {
  const waves = [[create("a"), create("b")], [create("c")], [removed("d")]];

  it("runs a wave's handlers at once and the next wave after them", async () => {
    const events: string[] = [];
    const handler = async (s: Step) => {
      events.push(`start ${s.op} ${s.urn}`);
      await new Promise((resolve) => setImmediate(resolve));
      events.push(`end ${s.op} ${s.urn}`);
    };
    const run = await runSteps(waves, { create: handler, delete: handler });
    assert.deepEqual(
      [run, events],
      [
        { ran: waves.flat() },
        [
          "start create a",
          "start create b",
          "end create a",
          "end create b",
          "start create c",
          "end create c",
          "start delete d",
          "end delete d",
        ],
      ],
    );
  });

  it("stops at the first failure: the rest of its wave finishes, no later wave starts", async () => {
    const started: string[] = [];
    const run = await runSteps(waves, {
      create: async (s) => {
        started.push(s.urn);
        if (s.urn === "a") throw new Error("kind create failed");
      },
    });
    assert.deepEqual(
      [run.ran, run.failed?.step, (run.failed?.error as Error).message, started],
      [[create("b")], create("a"), "kind create failed", ["a", "b"]],
    );
  });

  it("takes an op without a handler as done", async () => {
    assert.deepEqual(await runSteps([[same("a")], [removed("b")]], {}), { ran: [same("a"), removed("b")] });
  });
});

describe("the step model from two plans", function () {
  this.timeout(120_000);
  after(resetRootStack);

  it("builds its input from two runProgram results: the changed command updated, the dropped one deleted", async () => {
    const program = path.resolve(__dirname, "fixtures/steps-program");
    const first = await runProgram(program);
    const second = await runProgram(program, { config: { second: "v2", dropThird: "true" } });
    const u = (qualifiedType: string, name: string) => `urn:pulumi:plan::steps-program::${qualifiedType}::${name}`;
    const command = (name: string) => u("steps:index:Group$command:local:Command", name);
    const { olds, news } = stepModelInput(first, second);
    assert.deepEqual(planSteps(olds, news), [
      [{ op: "same", urn: u("steps:index:Group", "group"), type: "steps:index:Group" }],
      [{ op: "same", urn: u("steps:index:Group$pulumi:providers:command", "shell"), type: "pulumi:providers:command" }],
      [{ op: "same", urn: command("first"), type: "command:local:Command" }],
      [{ op: "update", urn: command("second"), type: "command:local:Command", changed: ["create"] }],
      [{ op: "delete", urn: command("third"), type: "command:local:Command", reason: "removed" }],
    ]);
  });
});
