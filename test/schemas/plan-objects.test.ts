import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { PlanRun, resetRootStack, runProgram } from "../../plan/run-program";
import { KIND_CONFIG_FILE, writeManifests } from "../../plan/render";
import {
  CILIUM_GROUP,
  PlannedObject,
  SchemaVerdict,
  VALIDATED_ELSEWHERE,
  ciliumMinor,
  ciliumVersionsByProvider,
  describeObject,
  formatVerdict,
  groupOf,
  plannedObjects,
  validateBuiltIn,
  validateCilium,
} from "../support/k8s-schemas";

// Plans the example programs and validates every Kubernetes object they would apply: built-in
// kinds against the Kubernetes OpenAPI schema (kubernetes-models), Cilium kinds against Cilium's
// CRDs of the minor each cluster runs. Unknown fields fail, as under the API server's strict field
// validation. Then mutates planned objects to show the check catches mistakes.

const PROGRAMS = path.resolve(__dirname, "../../programs");

/** Chart versions of the Cilium minors fleetmesh supports (the charts vendored in test/fixtures/charts). */
const CILIUM_CHARTS = ["1.16.19", "1.17.18", "1.18.12", "1.19.6", "1.20.0"];

const plans = new Map<string, Promise<PlanRun>>();

/** Plans a program once per config in this process (runs are sequential: each awaits the one before). */
function planOf(program: string, config: Record<string, string> = {}): Promise<PlanRun> {
  const key = `${program} ${JSON.stringify(config)}`;
  let run = plans.get(key);
  if (!run) {
    const previous = [...plans.values()].pop() ?? Promise.resolve(undefined);
    run = previous.catch(() => undefined).then(() => runProgram(path.join(PROGRAMS, program), { config }));
    plans.set(key, run);
  }
  return run;
}

/** The verdict for one planned object, or undefined for kinds other tests validate. */
function verdictOf(planned: PlannedObject, ciliumVersions: Map<string, string>): SchemaVerdict | undefined {
  const group = groupOf(planned.object.apiVersion);
  if (VALIDATED_ELSEWHERE.includes(group)) return undefined;
  if (group !== CILIUM_GROUP) return validateBuiltIn(planned.object);
  const version = planned.provider ? ciliumVersions.get(planned.provider) : undefined;
  if (!version)
    return {
      schema: "Cilium CRDs",
      errors: [
        {
          path: "",
          message: `cluster ${planned.provider ?? "(none)"} installs no Cilium chart in this plan, so its Cilium minor is unknown`,
        },
      ],
    };
  return validateCilium(planned.object, ciliumMinor(version));
}

/** JSON with sorted keys, to compare an object with its YAML file. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

interface PlanCase {
  name: string;
  program: string;
  config: Record<string, string>;
  /** `apiVersion Kind` that must be among the validated objects (so each schema path is exercised). */
  kinds: string[];
  /** `apiVersion Kind` planned at an API version the cluster's Cilium serves but deprecates. */
  deprecated: string[];
}

const CILIUM_KINDS = [
  "cilium.io/v2 CiliumNetworkPolicy",
  "cilium.io/v2alpha1 CiliumLoadBalancerIPPool",
  "cilium.io/v2alpha1 CiliumL2AnnouncementPolicy",
];
const KIND_MESH_BUILT_INS = ["v1 Namespace", "v1 ConfigMap", "v1 Service", "apps/v1 Deployment"];

const PLAN_CASES: PlanCase[] = [
  ...CILIUM_CHARTS.map((chart) => ({
    name: `programs/kind-mesh on Cilium ${chart}`,
    program: "kind-mesh",
    config: { ciliumVersion: chart },
    kinds: [...KIND_MESH_BUILT_INS, ...CILIUM_KINDS],
    // Cilium 1.18 moved CiliumLoadBalancerIPPool to cilium.io/v2 and 1.19 deprecated v2alpha1
    // (cilium/cilium pkg/k8s/apis/cilium.io/client/crds/v2/ciliumloadbalancerippools.yaml).
    deprecated: Number(ciliumMinor(chart).split(".")[1]) >= 19 ? ["cilium.io/v2alpha1 CiliumLoadBalancerIPPool"] : [],
  })),
  {
    name: "programs/placement",
    program: "placement",
    config: {},
    kinds: ["v1 Namespace", "v1 Service", "apps/v1 Deployment"],
    deprecated: [],
  },
  {
    name: "programs/aks-fleet",
    program: "aks-fleet",
    config: {},
    kinds: ["v1 Namespace", "v1 Service", "apps/v1 Deployment"],
    deprecated: [],
  },
];

describe("every Kubernetes object the example plans write validates against real schemas", function () {
  this.timeout(300_000);
  after(resetRootStack);

  for (const c of PLAN_CASES) {
    it(`validates every object of ${c.name}, and every object the plan writes is one of them`, async () => {
      const run = await planOf(c.program, c.config);
      const ciliumVersions = ciliumVersionsByProvider(run);
      const failures: string[] = [];
      const deprecated = new Set<string>();
      const checked = new Set<string>();
      const validatedByCluster = new Map<string, Set<string>>();
      for (const planned of plannedObjects(run)) {
        const verdict = verdictOf(planned, ciliumVersions);
        if (!verdict) continue;
        failures.push(...formatVerdict(planned.resource, planned.object, verdict));
        if (verdict.deprecation) deprecated.add(`${planned.object.apiVersion} ${planned.object.kind}`);
        checked.add(`${planned.object.apiVersion} ${planned.object.kind}`);
        const cluster = planned.provider ?? "";
        validatedByCluster.set(cluster, (validatedByCluster.get(cluster) ?? new Set()).add(canonical(planned.object)));
      }
      assert.deepEqual(failures, [], failures.join("\n"));
      for (const kind of c.kinds) assert.ok(checked.has(kind), `${kind} was not among the validated objects: ${[...checked].join(", ")}`);
      assert.deepEqual([...deprecated].sort(), [...c.deprecated].sort(), "objects planned at a deprecated API version");

      // What `fleetmesh plan` writes (render.ts), minus Helm values and the kinds validated elsewhere,
      // is exactly what was validated above.
      const out = fs.mkdtempSync(path.join(os.tmpdir(), "fleetmesh-schemas-"));
      try {
        const unvalidated = writeManifests(run, out)
          .filter((file) => !path.basename(file).startsWith("helm-"))
          // A kind member's kind config is kind's input, not an object of the cluster (the fake kind loads it in test/fake-tools).
          .filter((file) => path.basename(file) !== KIND_CONFIG_FILE)
          .flatMap((file) => {
            const obj = parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
            if (VALIDATED_ELSEWHERE.includes(groupOf(obj.apiVersion))) return [];
            const cluster = path.basename(path.dirname(file));
            return validatedByCluster.get(cluster)?.has(canonical(obj)) ? [] : [`${path.relative(out, file)}: ${describeObject(obj)}`];
          });
        assert.deepEqual(unvalidated, [], "written but not validated");
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
      }
    });
  }
});

type Obj = Record<string, any>;

interface MutationCase {
  name: string;
  /** The cluster's Cilium chart the kind-mesh plan runs with. */
  chart: string;
  /** Picks the planned object to mutate. */
  kind: string;
  mutate: (obj: Obj) => void;
  /** The error path and message the validator must report. */
  path: string;
  message: RegExp;
}

const MUTATIONS: MutationCase[] = [
  {
    name: "a Service port given as a string",
    chart: "1.18.12",
    kind: "Service",
    mutate: (o) => (o.spec.ports[0].port = "80"),
    path: "/spec/ports/0/port",
    message: /must be integer/,
  },
  {
    name: "a misspelt Service spec field",
    chart: "1.18.12",
    kind: "Service",
    mutate: (o) => (o.spec.selectr = o.spec.selector),
    path: "/spec/selectr",
    message: /unknown field "selectr"/,
  },
  {
    name: "a Service type outside its enum",
    chart: "1.18.12",
    kind: "Service",
    mutate: (o) => (o.spec.type = "Internal"),
    path: "/spec/type",
    message: /allowed values/,
  },
  {
    name: "a Deployment container without a name",
    chart: "1.18.12",
    kind: "Deployment",
    mutate: (o) => delete o.spec.template.spec.containers[0].name,
    path: "/spec/template/spec/containers/0",
    message: /required property '?name'?/,
  },
  {
    name: "Deployment replicas given as a string",
    chart: "1.18.12",
    kind: "Deployment",
    mutate: (o) => (o.spec.replicas = "2"),
    path: "/spec/replicas",
    message: /must be integer/,
  },
  {
    name: "an unknown field in a Deployment's probe",
    chart: "1.18.12",
    kind: "Deployment",
    mutate: (o) => (o.spec.template.spec.containers[0].livenessProbe.periodSecs = 1),
    path: "/spec/template/spec/containers/0/livenessProbe/periodSecs",
    message: /unknown field/,
  },
  {
    name: "a ConfigMap value that is not a string",
    chart: "1.18.12",
    kind: "ConfigMap",
    mutate: (o) => (o.data.message = 5),
    path: "/data/message",
    message: /must be string/,
  },
  {
    name: "a misspelt Namespace metadata field",
    chart: "1.18.12",
    kind: "Namespace",
    mutate: (o) => (o.metadata.annotation = o.metadata.annotations),
    path: "/metadata/annotation",
    message: /unknown field/,
  },
  {
    name: "an unknown field under a CiliumNetworkPolicy egress rule",
    chart: "1.18.12",
    kind: "CiliumNetworkPolicy",
    mutate: (o) => (o.spec.egress[0].toEndpoint = o.spec.egress[0].toEndpoints),
    path: "/spec/egress/0/toEndpoint",
    message: /unknown field "toEndpoint"/,
  },
  {
    name: "a CiliumNetworkPolicy port given as a number",
    chart: "1.16.19",
    kind: "CiliumNetworkPolicy",
    mutate: (o) => (o.spec.egress[0].toPorts[0].ports[0].port = 80),
    path: "/spec/egress/0/toPorts/0/ports/0/port",
    message: /must be string/,
  },
  {
    name: "a CiliumNetworkPolicy protocol outside its enum",
    chart: "1.20.0",
    kind: "CiliumNetworkPolicy",
    mutate: (o) => (o.spec.egress[0].toPorts[0].ports[0].protocol = "HTTP"),
    path: "/spec/egress/0/toPorts/0/ports/0/protocol",
    message: /allowed values/,
  },
  {
    name: "a CiliumNetworkPolicy with neither spec nor specs on Cilium 1.20",
    chart: "1.20.0",
    kind: "CiliumNetworkPolicy",
    mutate: (o) => delete o.spec,
    path: "/",
    message: /spec or specs must be provided/,
  },
  {
    name: "a misspelt CiliumNetworkPolicy metadata field",
    chart: "1.19.6",
    kind: "CiliumNetworkPolicy",
    mutate: (o) => (o.metadata.namepsace = o.metadata.namespace),
    path: "/metadata/namepsace",
    message: /unknown field/,
  },
  {
    name: "an LB pool block whose start is not a string",
    chart: "1.17.18",
    kind: "CiliumLoadBalancerIPPool",
    mutate: (o) => (o.spec.blocks[0].start = 0xac12ff01),
    path: "/spec/blocks/0/start",
    message: /must be string/,
  },
  {
    name: "an LB pool block with a misspelt field",
    chart: "1.18.12",
    kind: "CiliumLoadBalancerIPPool",
    mutate: (o) => (o.spec.blocks[0] = { begin: o.spec.blocks[0].start, stop: o.spec.blocks[0].stop }),
    path: "/spec/blocks/0/begin",
    message: /unknown field "begin"/,
  },
  {
    name: "an LB pool at cilium.io/v2 on Cilium 1.17, which serves it only at v2alpha1",
    chart: "1.17.18",
    kind: "CiliumLoadBalancerIPPool",
    mutate: (o) => (o.apiVersion = "cilium.io/v2"),
    path: "/apiVersion",
    message: /does not serve CiliumLoadBalancerIPPool at v2 \(served: v2alpha1\)/,
  },
  {
    name: "an L2 announcement policy whose loadBalancerIPs is a string",
    chart: "1.19.6",
    kind: "CiliumL2AnnouncementPolicy",
    mutate: (o) => (o.spec.loadBalancerIPs = "true"),
    path: "/spec/loadBalancerIPs",
    message: /must be boolean/,
  },
  {
    name: "an L2 announcement policy with a selector label value over 63 characters",
    chart: "1.20.0",
    kind: "CiliumL2AnnouncementPolicy",
    mutate: (o) => (o.spec.serviceSelector.matchLabels["fleetmesh.io/ingress"] = "x".repeat(64)),
    path: "/spec/serviceSelector/matchLabels/fleetmesh.io~1ingress",
    message: /must NOT have more than 63 characters/,
  },
];

/** The first object of `kind` in cluster1 of the kind-mesh plan on `chart`, as a fresh copy. */
async function kindMeshObject(chart: string, kind: string): Promise<{ obj: Obj; minor: string }> {
  const run = await planOf("kind-mesh", { ciliumVersion: chart });
  const found = plannedObjects(run).find((p) => p.object.kind === kind && p.provider === "kind-mesh-cluster1");
  assert.ok(found, `the kind-mesh plan has no ${kind} on cluster1`);
  return { obj: JSON.parse(JSON.stringify(found.object)) as Obj, minor: ciliumMinor(chart) };
}

const validate = (obj: Obj, minor: string) =>
  groupOf(obj.apiVersion) === CILIUM_GROUP ? validateCilium(obj, minor) : validateBuiltIn(obj);

describe("the schema check catches mistakes in planned objects", function () {
  this.timeout(300_000);
  after(resetRootStack);

  for (const m of MUTATIONS) {
    it(`refuses ${m.name}`, async () => {
      const { obj, minor } = await kindMeshObject(m.chart, m.kind);
      assert.deepEqual(validate(obj, minor).errors, [], "the unmutated object validates");
      m.mutate(obj);
      const verdict = validate(obj, minor);
      const lines = formatVerdict("mutated", obj, verdict);
      assert.ok(
        verdict.errors.some((e) => (e.path || "/") === m.path && m.message.test(e.message)),
        `expected ${m.path} ${m.message}, got:\n${lines.join("\n") || "(valid)"}`,
      );
      assert.ok(
        lines.every((l) => l.includes(` against ${verdict.schema}: `) && l.includes(describeObject(obj))),
        "messages name the object and the schema",
      );
    });
  }

  // Limits of the schemas themselves: the CRD leaves these to the operator, so they validate.
  const LETS_THROUGH: MutationCase[] = [
    // lbipam parses `start` when there is no `cidr` and fails the block (cilium/cilium operator/pkg/lbipam/lbipam.go, ipRangeFromBlock).
    {
      name: "an LB pool block without start (the operator refuses it, not the CRD)",
      chart: "1.18.12",
      kind: "CiliumLoadBalancerIPPool",
      mutate: (o) => delete o.spec.blocks[0].start,
      path: "",
      message: /^$/,
    },
  ];
  for (const m of LETS_THROUGH) {
    it(`lets through ${m.name}`, async () => {
      const { obj, minor } = await kindMeshObject(m.chart, m.kind);
      m.mutate(obj);
      assert.deepEqual(validate(obj, minor).errors, []);
    });
  }
});
