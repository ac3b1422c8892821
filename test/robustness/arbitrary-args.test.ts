// No input crashes: arbitrary JSON-like values fed into every component's arguments (the arguments
// themselves, and valid arguments with one field anywhere replaced, removed or added) either plan,
// with a preview that settles with no error but a FleetValidationError, or are refused synchronously
// with a FleetValidationError, nothing registered and every violation naming a field.
import { strict as assert } from "assert";
import fc from "fast-check";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import {
  ClusterMesh,
  CrossClusterPolicy,
  Fleet,
  FleetValidationError,
  GlobalService,
  MultiClusterService,
  Placement,
} from "../../components";
import { ArgsChecker, ArgsType } from "../../components/core/args";
import { CLASS_PREDICATES } from "../../components/runtime/check-args";
import { RecordedResource, complete, errorLog, fakeKubeconfig, recorder, useMocks } from "../components/harness";

type Args = Record<string, unknown>;
type Position = ReadonlyArray<string | number>;

/** Keys that trip lookups that are not by own property. */
const AWKWARD_KEYS = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", ""];

let sequence = 0;
/** A fresh component name per run: the runs share one mock stack. */
const fresh = (base: string) => `${base}-${++sequence}`;

const kindMember = (mesh: string) => ({ kind: {}, labels: { mesh } });
const fleetOf = (meshes: boolean): Fleet =>
  new Fleet(fresh("f"), {
    members: { a: kindMember("m"), b: kindMember("m") },
    ...(meshes ? { meshes: { m: { memberSelector: { matchLabels: { mesh: "m" } } } } } : {}),
  });

interface Subject {
  component: string;
  /** Runs of the two properties: fewer where a run plans a whole fleet. */
  runs: { arbitrary: number; edited: number };
  /** The fields of its Args interface: arbitrary arguments use them more often than other keys. */
  fields: string[];
  /** Valid arguments, over the fleet the runs of one property share (a ClusterMesh needs its own). */
  baseline: (shared: Fleet) => Args;
  build: (args: Args, record: pulumi.ResourceTransformation) => pulumi.Resource;
}

const INVENTORY = [
  { apiVersion: "v1", kind: "Namespace", metadata: { name: "app", labels: { team: "a" } } },
  { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "app" }, data: { k: "v" } },
];

const SUBJECTS: Subject[] = [
  {
    component: "Fleet",
    runs: { arbitrary: 40, edited: 25 },
    fields: [
      "members",
      "meshes",
      "cilium",
      "maxConnectedClusters",
      "pools",
      "loadBalancerPool",
      "ca",
      "azureFleet",
      "state",
      "allowRenumber",
    ],
    baseline: () => ({
      members: {
        a: { kind: { workers: 1 }, labels: { mesh: "m", env: "prod" }, taints: [{ key: "gpu", value: "yes", effect: "NoSchedule" }] },
        b: { kind: {}, labels: { mesh: "m" }, clusterId: 7, podCidr: "10.1.0.0/17" },
        c: { kubeconfig: fakeKubeconfig("c"), context: "c", serviceCidr: "10.143.240.0/20", labels: { env: "prod" } },
      },
      meshes: { m: { memberSelector: { matchLabels: { mesh: "m" } }, defaultGlobalNamespace: false, globalNamespaces: ["web"] } },
      cilium: { version: "1.18.12", routingMode: "tunnel" },
      pools: { nodePortRange: { first: 32000, last: 32100 } },
      state: { readFromStack: false },
    }),
    build: (args, record) => new Fleet(fresh("fleet"), args as never, { transformations: [record] }),
  },
  {
    component: "ClusterMesh",
    runs: { arbitrary: 40, edited: 15 },
    fields: ["fleet", "meshName", "memberSelector", "defaultGlobalNamespace", "globalNamespaces"],
    baseline: () => ({
      fleet: fleetOf(false),
      meshName: "m",
      memberSelector: { matchLabels: { mesh: "m" }, matchExpressions: [{ key: "mesh", operator: "In", values: ["m"] }] },
      globalNamespaces: ["web"],
    }),
    build: (args, record) => new ClusterMesh(fresh("mesh"), args as never, { transformations: [record] }),
  },
  {
    component: "GlobalService",
    runs: { arbitrary: 60, edited: 100 },
    fields: [
      "mesh",
      "fleet",
      "namespace",
      "serviceName",
      "selector",
      "ports",
      "portsByMember",
      "shared",
      "sharedByMember",
      "affinity",
      "members",
      "createNamespace",
    ],
    baseline: (fleet) => {
      return {
        mesh: fleet.meshes.m,
        fleet,
        namespace: "web",
        // A name of its own: the runs share the fleet, where one namespace has one Service of a name.
        serviceName: `web-${sequence}`,
        selector: { app: "web" },
        ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }],
        sharedByMember: { a: true, b: false },
        affinity: "local",
      };
    },
    build: (args, record) => new GlobalService(fresh("gs"), args as never, { transformations: [record] }),
  },
  {
    component: "MultiClusterService",
    runs: { arbitrary: 60, edited: 100 },
    fields: [
      "fleet",
      "namespace",
      "serviceName",
      "exportFrom",
      "ingressMember",
      "internal",
      "ports",
      "portsByMember",
      "selector",
      "createNamespace",
    ],
    baseline: (fleet) => ({
      fleet,
      namespace: "web",
      serviceName: `web-${sequence}`,
      exportFrom: { matchLabels: { mesh: "m" } },
      ingressMember: "a",
      // A port of its own: the runs share the ingress member's one address.
      ports: [{ name: "http", port: 1000 + sequence }],
      selector: { app: "web" },
    }),
    build: (args, record) => new MultiClusterService(fresh("mcs"), args as never, { transformations: [record] }),
  },
  {
    component: "CrossClusterPolicy",
    runs: { arbitrary: 60, edited: 100 },
    fields: ["fleet", "from", "to", "ports", "allowDns", "policyName", "description"],
    baseline: (fleet) => ({
      fleet,
      from: { member: "a", namespace: "web", labels: { app: "x" } },
      to: { members: ["b"], namespace: "web", labels: { app: "y" } },
      ports: [{ port: 80, protocol: "TCP" }],
    }),
    build: (args, record) => new CrossClusterPolicy(fresh("ccp"), args as never, { transformations: [record] }),
  },
  {
    component: "Placement",
    runs: { arbitrary: 60, edited: 100 },
    fields: [
      "fleet",
      "resources",
      "resourceSelectors",
      "policy",
      "strategy",
      "memberProperties",
      "mode",
      "hub",
      "replaceOnPolicyChange",
      "state",
    ],
    baseline: (fleet) => ({
      fleet,
      resources: INVENTORY,
      resourceSelectors: [{ group: "", version: "v1", kind: "Namespace", labelSelector: { matchLabels: { team: "a" } } }],
      policy: {
        placementType: "PickN",
        numberOfClusters: 1,
        affinity: {
          clusterAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 10, preference: { labelSelector: { matchLabels: { mesh: "m" } } } },
            ],
          },
        },
        tolerations: [{ key: "gpu", operator: "Exists" }],
      },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: 1 } },
      memberProperties: { a: { "kubernetes-fleet.io/node-count": "3" } },
      state: { readFromStack: false },
    }),
    build: (args, record) => new Placement(fresh("placement"), args as never, { transformations: [record] }),
  },
];

// ---- arbitrary values ----

const keyArb = (fields: readonly string[] = []) => fc.oneof(fc.constantFrom(...fields, ...AWKWARD_KEYS), fc.string({ maxLength: 6 }));

/** JSON-like values (null and undefined included), and now and then an Output or a Promise of one. */
const valueArb = (fields: readonly string[] = []): fc.Arbitrary<unknown> => {
  const plain = fc.anything({ key: keyArb(fields), maxDepth: 3, maxKeys: 4, withNullPrototype: true });
  return fc.oneof(
    { weight: 8, arbitrary: plain },
    { weight: 2, arbitrary: fc.constantFrom(null, undefined, "", 0, -1, 1.5, NaN, [], {}, "x".repeat(300)) },
    { weight: 1, arbitrary: plain.map((v) => pulumi.output(v)) },
    { weight: 1, arbitrary: plain.map((v) => Promise.resolve(v)) },
  );
};

/** Every position inside the plain data of `value` (not inside class instances such as the Fleet). */
function positions(value: unknown, at: Position = []): Position[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => [[...at, i], ...positions(item, [...at, i])]);
  if (value === null || typeof value !== "object" || Object.getPrototypeOf(value) !== Object.prototype) return [];
  return Object.keys(value).flatMap((key) => [[...at, key], ...positions((value as Args)[key], [...at, key])]);
}

/**
 * One edit: replace a value (by any value, or by another of the same kind, so that the semantic rules
 * behind the structural check are reached too), remove it, add a field or item next to it, or copy an
 * entry of a map under another key (a member named "constructor").
 */
type Edit = {
  op: "replace" | "same-kind" | "remove" | "add" | "copy";
  at: number;
  value: unknown;
  key: string;
  text: string;
  number: number;
};

/** Strings and numbers that are the right type and often the wrong value. */
const textArb = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom("", " ", "a.b", "A", "default", "kube-system", "10.0.0.0/8", "10.0.0.1/33", "::1", "1.15.0", "v1.18.12", "x".repeat(70)),
  fc.constantFrom(...AWKWARD_KEYS),
);
const numberArb = fc.oneof(fc.integer({ min: -3, max: 70000 }), fc.double(), fc.constantFrom(0, 255, 511, 65536, 2 ** 53));

/** The value an edit puts in place of `original`. */
function replacement(original: unknown, edit: Edit): unknown {
  if (edit.op !== "same-kind") return edit.value;
  if (typeof original === "string") return edit.text;
  if (typeof original === "number") return edit.number;
  if (typeof original === "boolean") return !original;
  if (Array.isArray(original)) return original.length > 0 ? [] : [edit.value];
  return edit.value;
}

/** A copy of the plain data of `value` with one edit at `position` (class instances are kept as they are). */
function edited(value: unknown, position: Position, edit: Edit): unknown {
  if (position.length === 0) {
    if ((edit.op !== "add" && edit.op !== "copy") || value === null || typeof value !== "object") return replacement(value, edit);
    const entries = Object.values(value);
    const added = edit.op === "copy" && entries.length > 0 ? entries[0] : edit.value;
    return Array.isArray(value) ? [...value, added] : define({ ...(value as Args) }, edit.key, added);
  }
  const [head, ...rest] = position;
  if (Array.isArray(value)) {
    const copy = [...value];
    if (rest.length === 0 && edit.op === "remove") copy.splice(Number(head), 1);
    else copy[Number(head)] = edited(copy[Number(head)], rest, edit);
    return copy;
  }
  const copy = { ...(value as Args) };
  if (rest.length === 0 && edit.op === "remove") delete copy[head as string];
  else define(copy, head as string, edited((value as Args)[head as string], rest, edit));
  return copy;
}

/** Sets an own property, `__proto__` included. */
function define(target: Args, key: string, value: unknown): Args {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  return target;
}

// ---- one run ----

/** Awaits a promise that may only reject with the library's refusal; true when it did. */
async function refusalOnly(promise: Promise<unknown>): Promise<boolean> {
  try {
    await promise;
    return false;
  } catch (error) {
    if (!(error instanceof FleetValidationError)) throw error;
    return true;
  }
}

/**
 * The components that plan asynchronously (a fleet, its members, a placement) settle; their children
 * are registered. After a refusal the preview fails with it: what would have consumed the refused
 * value (a member's provider given a refused kubeconfig) fails to register by design and is not awaited.
 */
async function settled(component: pulumi.Resource, args: Args, records: RecordedResource[], refusals = true): Promise<void> {
  const planned = [component, args.fleet].flatMap((c): Promise<void>[] =>
    c instanceof Fleet ? [c.ready, ...Object.values(c.members).map((m) => m.ready)] : c instanceof Placement ? [c.ready] : [],
  );
  if (!refusals) {
    await Promise.all(planned);
    await complete(records);
    return;
  }
  const refused = await Promise.all(planned.map(refusalOnly));
  if (!refused.includes(true)) await refusalOnly(complete(records));
}

function checkRefusal(error: unknown, records: RecordedResource[]): void {
  if (!(error instanceof FleetValidationError)) throw error;
  assert.deepEqual(records, [], "nothing registered by a refused component");
  assert.ok(error.violations.length > 0, "a refusal names its problems");
  for (const v of error.violations) assert.ok(v.path !== "" && v.message !== "", `a violation with a path: ${JSON.stringify(v)}`);
}

async function plansOrRefuses(subject: Subject, args: Args): Promise<void> {
  const records: RecordedResource[] = [];
  let component: pulumi.Resource;
  try {
    component = subject.build(args, recorder(records));
  } catch (error) {
    checkRefusal(error, records);
    return;
  }
  await settled(component, args, records);
  const failures = errorLog.filter(
    (message) => !message.includes("FleetValidationError") && !/problem\(s\) in the arguments/.test(message),
  );
  assert.deepEqual(failures, [], "the preview logs no error but a refusal");
}

// ---- the properties ----

/**
 * A run that never settles (a registration the SDK cannot finish) fails with its counterexample
 * instead of running the whole property into mocha's timeout; a run normally takes milliseconds.
 */
const RUN_TIMEOUT_MS = 20_000;

describe("arbitrary arguments: every component plans or refuses, never crashes (property)", function () {
  this.timeout(120000);
  /** One meshed fleet for the runs of a property (the services' and placements' baselines use it). */
  let shared: Fleet | undefined;
  const sharedFleet = () => (shared ??= fleetOf(true));
  beforeEach(async () => {
    await useMocks(true);
    shared = undefined;
  });

  for (const subject of SUBJECTS) {
    it(`${subject.component}: the valid arguments the edits start from plan`, async () => {
      const records: RecordedResource[] = [];
      const args = subject.baseline(sharedFleet());
      const component = subject.build(args, recorder(records));
      await settled(component, args, records, false);
      assert.ok(records.length > 0, "registers its children");
    });

    it(`${subject.component}: arbitrary JSON-like arguments`, async () => {
      const argsArb = fc.oneof(valueArb(subject.fields), fc.dictionary(keyArb(subject.fields), valueArb(subject.fields), { maxKeys: 5 }));
      await fc.assert(
        fc.asyncProperty(argsArb, fc.boolean(), async (args, withFleet) => {
          errorLog.length = 0;
          const given = withFleet && subject.fields.includes("fleet") && args !== null && typeof args === "object" && !Array.isArray(args);
          await plansOrRefuses(subject, given ? { ...(args as Args), fleet: sharedFleet() } : (args as Args));
        }),
        { numRuns: subject.runs.arbitrary, timeout: RUN_TIMEOUT_MS },
      );
    });

    it(`${subject.component}: valid arguments with one field replaced, removed or added`, async () => {
      const editArb = fc.record({
        op: fc.constantFrom<Edit["op"]>("replace", "same-kind", "same-kind", "remove", "add", "copy"),
        at: fc.nat(),
        value: valueArb(subject.fields),
        key: keyArb(subject.fields),
        text: textArb,
        number: numberArb,
      });
      await fc.assert(
        fc.asyncProperty(editArb, async (edit) => {
          errorLog.length = 0;
          const baseline = subject.baseline(sharedFleet());
          const all = positions(baseline);
          const args = edited(baseline, all[edit.at % all.length], edit) as Args;
          await plansOrRefuses(subject, args);
        }),
        { numRuns: subject.runs.edited, timeout: RUN_TIMEOUT_MS },
      );
    });
  }

  it("the precompiled validators decide exactly as the reporting validator (edited and arbitrary arguments of every component)", () => {
    const precompiled = new ArgsChecker(CLASS_PREDICATES);
    const compiled = new ArgsChecker(CLASS_PREDICATES, undefined, {});
    for (const subject of SUBJECTS) {
      const argsType = `${subject.component}Args` as ArgsType;
      const editArb = fc.record({
        op: fc.constantFrom<Edit["op"]>("replace", "same-kind", "remove", "add", "copy"),
        at: fc.nat(),
        value: valueArb(subject.fields),
        key: keyArb(subject.fields),
        text: textArb,
        number: numberArb,
      });
      const argsArb = fc.oneof(
        editArb.map((edit) => {
          const baseline = subject.baseline(sharedFleet());
          const all = positions(baseline);
          return edited(baseline, all[edit.at % all.length], edit);
        }),
        fc.dictionary(keyArb(subject.fields), valueArb(subject.fields), { maxKeys: 5 }),
        fc.constant(subject.baseline(sharedFleet())),
      );
      fc.assert(
        fc.property(argsArb, (args) => {
          assert.deepEqual(precompiled.violations(argsType, args), compiled.violations(argsType, args));
        }),
        { numRuns: 150 },
      );
    }
  });

  it("refuses a hub provider that is not a Kubernetes provider, and accepts one that is", async () => {
    const base = () => ({
      fleet: fleetOf(false),
      resources: INVENTORY,
      resourceSelectors: [{ group: "", version: "v1", kind: "Namespace", name: "app" }],
      mode: "hub",
    });
    assert.throws(
      () => new Placement(fresh("hub"), { ...base(), hub: { provider: {} } } as never),
      (e: unknown) =>
        e instanceof FleetValidationError &&
        e.violations.some((v) => v.path === "hub.provider" && /must be a kubernetes\.Provider/.test(v.message)),
    );
    const placement = new Placement(fresh("hub"), {
      ...base(),
      hub: { provider: new k8s.Provider(fresh("hub"), { kubeconfig: "HUB" }) },
    } as never);
    await refusalOnly(placement.ready);
  });
});
