// One measurement of the scale benchmark, in its own process (peak memory is per process):
//   scale-child.ts fleetmesh <members> <shape.json> [<previous-state.json>]  a meshed kind fleet with
//       one GlobalService, planned on the mock runtime (preview) against the previous run's fleet
//       state if given; writes what it registered to shape.json and its fleet state beside it
//   scale-child.ts floor <members> <shape.json>      the engine floor: registers exactly those
//       resources (types, names, parents, the same inputs) with no fleetmesh logic at all
// Prints one JSON line: {mode, members, resources, ms, maxRssMb, byType}.
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { FakeCloud, unwrapSecrets } from "../plan/fake-cloud";
import * as k8s from "@pulumi/kubernetes";
import * as command from "@pulumi/command";
import * as tls from "@pulumi/tls";
import { Fleet, GlobalService } from "../components";

interface Shape {
  type: string;
  name: string;
  parent?: number;
  custom: boolean;
  inputs: Record<string, unknown>;
}

async function registered(resources: pulumi.Resource[]): Promise<void> {
  let count = -1;
  while (count !== resources.length) {
    count = resources.length;
    await Promise.all(resources.map((r) => (r as unknown as { urn: { promise(): Promise<string> } }).urn.promise()));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function fleetmesh(members: number, cloud: FakeCloud, stateFile: string): Promise<Shape[]> {
  const made: pulumi.Resource[] = [];
  const meta: Array<{ type: string; name: string; parent?: pulumi.Resource; custom: boolean }> = [];
  const record: pulumi.ResourceTransformation = (args) => {
    made.push(args.resource);
    meta.push({ type: args.type, name: args.name, parent: args.opts.parent, custom: args.resource instanceof pulumi.CustomResource });
    return undefined;
  };
  const declarations = Object.fromEntries(
    Array.from({ length: members }, (_, i) => [`m${i + 1}`, { kind: {}, labels: { mesh: "scale" } }]),
  );
  const fleet = new Fleet(
    "scale",
    {
      maxConnectedClusters: members > 255 ? 511 : 255,
      members: declarations,
      meshes: { scale: { memberSelector: { matchLabels: { mesh: "scale" } } } },
    },
    { transformations: [record] },
  );
  new GlobalService(
    "echo",
    { mesh: fleet.meshes.scale, fleet, namespace: "echo", selector: { app: "echo" }, ports: [{ name: "http", port: 80 }] },
    { transformations: [record] },
  );
  await registered(made);
  fs.writeFileSync(stateFile, JSON.stringify(await (fleet.state as unknown as { promise(): Promise<unknown> }).promise()));
  const index = new Map(made.map((r, i) => [r, i]));
  return meta.map((m) => ({
    type: m.type,
    name: m.name,
    parent: m.parent ? index.get(m.parent) : undefined,
    custom: m.custom,
    inputs: unwrapSecrets(cloud.inputsNamed(m.type, m.name)) as Record<string, unknown>,
  }));
}

/** Components with no logic of their own (the SDK's base class is abstract). */
class BareComponent extends pulumi.ComponentResource {}
class BareCustom extends pulumi.CustomResource {}

type Construct = (name: string, inputs: any, opts: pulumi.CustomResourceOptions) => pulumi.Resource;

/** The SDK class of each type the scale program registers: the floor pays the same per-class costs. */
const SDK_CLASSES: Record<string, Construct> = {
  "command:local:Command": (n, i, o) => new command.local.Command(n, i, o),
  "kubernetes:helm.sh/v3:Release": (n, i, o) => new k8s.helm.v3.Release(n, i, o),
  "pulumi:providers:kubernetes": (n, i, o) => new k8s.Provider(n, i, o),
  "kubernetes:core/v1:Namespace": (n, i, o) => new k8s.core.v1.Namespace(n, i, o),
  "kubernetes:core/v1:Service": (n, i, o) => new k8s.core.v1.Service(n, i, o),
  "tls:index/privateKey:PrivateKey": (n, i, o) => new tls.PrivateKey(n, i, o),
  "tls:index/selfSignedCert:SelfSignedCert": (n, i, o) => new tls.SelfSignedCert(n, i, o),
  "pulumi:pulumi:StackReference": (n, i, o) => new pulumi.StackReference(n, { name: i.name }, o),
};

/** The same resources through the same SDK classes with the same inputs, and no fleetmesh logic. */
async function floor(shape: Shape[]): Promise<void> {
  const made: pulumi.Resource[] = [];
  for (const r of shape) {
    const parent = r.parent === undefined ? undefined : made[r.parent];
    const construct = SDK_CLASSES[r.type];
    if (construct) made.push(construct(r.name, r.inputs, { parent }));
    else made.push(r.custom ? new BareCustom(r.type, r.name, r.inputs, { parent }) : new BareComponent(r.type, r.name, {}, { parent }));
  }
  await registered(made);
}

function countByType(shape: Shape[]): Record<string, number> {
  const byType: Record<string, number> = {};
  for (const r of shape) byType[r.type] = (byType[r.type] ?? 0) + 1;
  return byType;
}

async function main(): Promise<void> {
  const [mode, count, shapeFile, previousFile] = [process.argv[2], Number(process.argv[3]), process.argv[4], process.argv[5]];
  const previous = previousFile ? { scaleFleetState: JSON.parse(fs.readFileSync(previousFile, "utf8")) } : {};
  const cloud = new FakeCloud(true, previous, true);
  await pulumi.runtime.setMocks(cloud.mocks(), "scale", "bench", true, "organization");
  (pulumi.log as { info: unknown }).info = async () => undefined;
  const started = process.hrtime.bigint();
  let shape: Shape[];
  if (mode === "fleetmesh") {
    shape = await fleetmesh(count, cloud, `${shapeFile}.state.json`);
    fs.writeFileSync(shapeFile, JSON.stringify(shape));
  } else {
    shape = JSON.parse(fs.readFileSync(shapeFile, "utf8")) as Shape[];
    await floor(shape);
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const report = {
    mode,
    members: count,
    resources: shape.length,
    ms,
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    byType: countByType(shape),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  process.removeAllListeners("exit");
  process.exit(0);
}

void main();
