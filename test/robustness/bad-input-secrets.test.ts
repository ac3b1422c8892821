import { strict as assert } from "assert";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { Fleet, FleetArgs, FleetValidationError } from "../../components";
import { kubeconfigProblems } from "../../components/core/fleet/validation/kubeconfig";
import { FakeCloud, fakeKubeconfig, isWrappedSecret, Registration, unwrapSecrets } from "../../plan/fake-cloud";
import { resetRootStack, runProgram } from "../../plan/run-program";
import { errorLog, infoLog, warnLog } from "../components/harness";
import { testCas } from "../core/ca-fixtures";
import { aks, Case, fleetCase, kind, runCatalogue } from "./catalogue";

// The secret-bearing arguments, kubeconfigs and a user CA. Given as plain text they are refused with
// the fleet's other arguments, before anything is registered (the catalogue); given as Outputs or
// Promises (secrets) they are checked when their value arrives, and a bad one fails the run with the
// refusal before anything that would consume it is registered. No message or output ever carries
// the key material, and every Kubernetes provider fleetmesh registers has a usable kubeconfig.

const cas = testCas();
const SECRET = "s3cr3t-bearer-token";
const DC = fakeKubeconfig("dc");
/** A kubeconfig with a credential in it, to look for in messages. */
const NO_CONTEXT = `apiVersion: v1\nkind: Config\nclusters:\n- name: dc\n  cluster: {server: "https://10.0.0.1:6443"}\nusers:\n- name: dc\n  user: {token: ${SECRET}}\ncontexts: []\n`;
const kubeconfigMember = (kubeconfig: unknown, extra: Record<string, unknown> = {}) => ({ kubeconfig: kubeconfig as string, ...extra });
const withCa = (certPem: unknown, keyPem: unknown): FleetArgs => ({
  members: { a: kind() },
  ca: { certPem: certPem as string, keyPem: keyPem as string },
});

const CASES: Case[] = [
  // Kubeconfigs: none of these may leave the provider to fall back to the ambient kubeconfig.
  fleetCase("a kubeconfig member with an empty kubeconfig", { members: { dc: kubeconfigMember("") } }, "members.dc.kubeconfig", '""'),
  fleetCase("a kubeconfig member with a null kubeconfig", { members: { dc: kubeconfigMember(null) } }, "members.dc.kubeconfig", "null"),
  fleetCase(
    "a kubeconfig member with a blank kubeconfig",
    { members: { dc: kubeconfigMember(" \n ") } },
    "members.dc.kubeconfig",
    "a blank string",
  ),
  fleetCase("a kubeconfig given as a number", { members: { dc: kubeconfigMember(42) } }, "members.dc.kubeconfig", "number"),
  fleetCase(
    "a kubeconfig file path",
    { members: { dc: kubeconfigMember("~/.kube/config") } },
    "members.dc.kubeconfig",
    "a file path is not read",
  ),
  fleetCase(
    "a kubeconfig that is not YAML",
    { members: { dc: kubeconfigMember("clusters: [a, b") } },
    "members.dc.kubeconfig",
    "not valid YAML",
  ),
  fleetCase("a kubeconfig without contexts", { members: { dc: kubeconfigMember(NO_CONTEXT) } }, "members.dc.kubeconfig", "has no contexts"),
  fleetCase(
    "a kubeconfig without a current-context and no context named",
    { members: { dc: kubeconfigMember(DC.replace("current-context: dc\n", "")) } },
    "members.dc.kubeconfig",
    'one of "dc"',
  ),
  fleetCase(
    "a context the kubeconfig lacks",
    { members: { dc: kubeconfigMember(DC, { context: "prod" }) } },
    "members.dc.context",
    '"prod"',
  ),
  fleetCase("an empty context", { members: { dc: kubeconfigMember(DC, { context: "" }) } }, "members.dc.context", '""'),
  fleetCase("a context on a kind member", { members: { a: { ...kind(), context: "kind-a" } } }, "members.a.context", '"kind-a"'),
  fleetCase("a context on an AKS member", { members: { a: { ...aks(), context: "admin" } } }, "members.a.context", '"admin"'),
  fleetCase(
    "a context naming a cluster with no server",
    { members: { dc: kubeconfigMember(DC.replace("    server: https://127.0.0.1:6443\n", "    insecure-skip-tls-verify: true\n")) } },
    "members.dc.kubeconfig",
    'cluster "dc" of context "dc" has no server',
  ),
  // A user CA.
  fleetCase("a CA key that is not the certificate's", withCa(cas.root.cert, cas.otherRoot.key), "ca.keyPem", '"CN=root"'),
  fleetCase("a leaf certificate as the CA", withCa(cas.leaf.cert, cas.leaf.key), "ca.certPem", '"CN=leaf"'),
  fleetCase("an intermediate as the CA", withCa(cas.intermediate.cert, cas.intermediate.key), "ca.certPem", 'issued by "CN=root"'),
  fleetCase("an expired CA", withCa(cas.expiredRoot.cert, cas.expiredRoot.key), "ca.certPem", "expired on 2020-01-02T00:00:00.000Z"),
  fleetCase("garbage as the CA certificate", withCa("garbage", cas.root.key), "ca.certPem", "(text, not shown)"),
  fleetCase("the CA certificate and key swapped", withCa(cas.root.key, cas.root.cert), "ca.certPem", "swapped"),
  fleetCase("the CA key and certificate swapped", withCa(cas.root.key, cas.root.cert), "ca.keyPem", "swapped"),
  fleetCase("a CA without its key", withCa(cas.root.cert, undefined), "ca.keyPem", "Required value"),
  fleetCase("an encrypted CA key", withCa(cas.root.cert, cas.encryptedRootKey), "ca.keyPem", "is encrypted"),
  fleetCase(
    "a CA key file that starts with EC PARAMETERS",
    withCa(cas.ecParametersRoot.cert, cas.ecParametersRoot.key),
    "ca.keyPem",
    '"EC PARAMETERS"',
  ),
  fleetCase("a CA given as a string", { members: { a: kind() }, ca: "pem" as unknown as FleetArgs["ca"] }, "ca", "string"),
  fleetCase(
    "a plain CA certificate that is a leaf, with its key a secret",
    withCa(cas.leaf.cert, pulumi.secret(cas.leaf.key)),
    "ca.certPem",
    '"CN=leaf"',
  ),
];

runCatalogue("bad secret-bearing inputs", CASES, 20);

/** Every PEM body line and credential the cases hold: none may stand in a message or a plain output. */
const KEY_MATERIAL = [
  SECRET,
  "FAKE-CLIENT-KEY",
  ...Object.values(cas)
    .flatMap((v) => (typeof v === "string" ? [v] : [v.key]))
    .flatMap((pem: string) => pem.split("\n").filter((line: string) => line.length > 16 && !line.startsWith("-----"))),
];

const carriesKey = (text: string) => KEY_MATERIAL.some((k) => text.includes(k));

/** Paths of plain (non-secret) strings that carry key material. */
function leaks(value: unknown, at: string): string[] {
  if (isWrappedSecret(value)) return [];
  if (typeof value === "string") return carriesKey(value) ? [at] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => leaks(v, `${at}[${i}]`));
  if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => leaks(v, `${at}.${k}`));
  return [];
}

/** Waits until no registration has arrived for a while (resources registered inside applies included). */
async function quiet(cloud: FakeCloud): Promise<void> {
  let seen = -1;
  let still = 0;
  while (still < 5) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    still = cloud.registrations.length === seen ? still + 1 : 0;
    seen = cloud.registrations.length;
  }
}

interface Run {
  refusals: FleetValidationError[];
  /** Every error the run ended with: components' readiness and unhandled rejections (what the engine prints). */
  errors: unknown[];
  registrations: Registration[];
  caCertPem: PromiseSettledResult<unknown>;
}

/**
 * A program declaring one fleet, as a preview or an update: what it registered and every error it
 * failed with. The engine prints an unhandled rejection and fails the run; this collects them.
 */
async function run(args: FleetArgs, preview: boolean): Promise<Run> {
  const cloud = new FakeCloud(preview);
  await pulumi.runtime.setMocks(cloud.mocks(), "fleetmesh-test", "dev", preview, "organization");
  for (const log of [infoLog, warnLog, errorLog]) log.length = 0;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  try {
    const fleet = new Fleet("sec", args);
    const components = [fleet, ...Object.values(fleet.members)];
    const settled = await Promise.all(
      components.map((c) =>
        c.ready.then(
          () => undefined,
          (error: unknown) => error,
        ),
      ),
    );
    const caCertPem = (await Promise.allSettled([(fleet.caCertPem as unknown as { promise(): Promise<unknown> }).promise()]))[0];
    await quiet(cloud);
    const errors = [...settled.filter((e) => e !== undefined), ...unhandled];
    const refusals = errors.filter((e): e is FleetValidationError => e instanceof FleetValidationError);
    return { refusals, errors, registrations: cloud.registrations, caCertPem };
  } finally {
    process.off("unhandledRejection", onUnhandled);
  }
}

const secretOf = (value: unknown) => pulumi.secret(value as string);
const later = (value: unknown) => new Promise<string>((resolve) => setTimeout(() => resolve(value as string), 5));

interface AsyncCase {
  name: string;
  args: FleetArgs;
  path: string;
  /** Text the message must contain. */
  says: string;
  /** Registrations that must not exist: the consumers of the refused value. */
  consumers: (r: Registration) => boolean;
}

/** The member's provider and everything under it. */
const ofMember = (member: string) => (r: Registration) =>
  (r.type === "pulumi:providers:kubernetes" || r.type.startsWith("kubernetes:")) && r.name.startsWith(`sec-${member}`);
/** What carries the CA: the Cilium releases and the peer objects beside them. */
const caConsumers = (r: Registration) => r.type === "kubernetes:helm.sh/v3:Release" || /Patch$/.test(r.type);

const ASYNC_CASES: AsyncCase[] = [
  {
    name: "an empty kubeconfig given as a secret",
    args: { members: { a: kind(), dc: kubeconfigMember(secretOf("")) } },
    path: "members.dc.kubeconfig",
    says: '""',
    consumers: ofMember("dc"),
  },
  {
    name: "a null kubeconfig given as a secret",
    args: { members: { dc: kubeconfigMember(secretOf(null)) } },
    path: "members.dc.kubeconfig",
    says: "not null",
    consumers: ofMember("dc"),
  },
  {
    name: "a kubeconfig without contexts given as a secret",
    args: { members: { dc: kubeconfigMember(secretOf(NO_CONTEXT)) } },
    path: "members.dc.kubeconfig",
    says: "has no contexts",
    consumers: ofMember("dc"),
  },
  {
    name: "a kubeconfig given as a Promise, lacking the named context",
    args: { members: { dc: kubeconfigMember(later(DC), { context: "prod" }) } },
    path: "members.dc.context",
    says: '"prod"',
    consumers: ofMember("dc"),
  },
  {
    name: "a CA whose secret key is not the certificate's",
    args: withCa(cas.root.cert, secretOf(cas.otherRoot.key)),
    path: "ca.keyPem",
    says: '"CN=root"',
    consumers: caConsumers,
  },
  {
    name: "a CA given as secrets, swapped",
    args: withCa(secretOf(cas.root.key), secretOf(cas.root.cert)),
    path: "ca.certPem",
    says: "swapped",
    consumers: caConsumers,
  },
  {
    name: "a secret CA key that is garbage",
    args: withCa(cas.root.cert, secretOf("garbage")),
    path: "ca.keyPem",
    says: "(text, not shown)",
    consumers: caConsumers,
  },
  {
    name: "a secret CA key that is not text",
    args: withCa(cas.root.cert, secretOf(1234)),
    path: "ca.keyPem",
    says: "a number",
    consumers: caConsumers,
  },
  {
    name: "a leaf given as the CA, both as Promises",
    args: withCa(later(cas.leaf.cert), later(cas.leaf.key)),
    path: "ca.certPem",
    says: '"CN=leaf"',
    consumers: caConsumers,
  },
];

describe("bad secret-bearing inputs given as Outputs or Promises", () => {
  for (const c of ASYNC_CASES) {
    for (const preview of [true, false]) {
      it(`refuses ${c.name} once it arrives${preview ? " (preview)" : ""}, before registering what would consume it`, async () => {
        const result = await run(c.args, preview);
        assert.ok(result.refusals.length > 0, `the run fails with a FleetValidationError; got ${result.errors.map(String).join("; ")}`);
        const violation = result.refusals.flatMap((r) => r.violations).find((v) => v.path === c.path);
        assert.ok(violation, `a violation at ${c.path}; got ${result.refusals.flatMap((r) => r.violations.map((v) => v.path)).join(", ")}`);
        assert.ok(violation.message.includes(c.says), violation.message);
        assert.deepEqual(
          result.registrations.filter(c.consumers).map((r) => `${r.type} ${r.name}`),
          [],
        );
        const messages = [...result.errors.map((e) => (e instanceof Error ? e.message : String(e))), ...infoLog, ...warnLog, ...errorLog];
        assert.deepEqual(messages.filter(carriesKey), [], "no message carries key material");
        assert.deepEqual(
          result.registrations.flatMap((r) => leaks(r.inputs, `${r.type}::${r.name}`)),
          [],
        );
        if (result.caCertPem.status === "fulfilled") assert.ok(!carriesKey(String(result.caCertPem.value)), "caCertPem carries a key");
      });
    }
  }

  it("accepts a good CA and kubeconfig given as secrets, and installs Cilium with them", async () => {
    const args: FleetArgs = {
      members: { dc: kubeconfigMember(secretOf(DC)) },
      ca: { certPem: cas.root.cert, keyPem: secretOf(cas.root.key) },
    };
    const result = await run(args, false);
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.caCertPem, { status: "fulfilled", value: cas.root.cert });
    const release = result.registrations.find((r) => r.type === "kubernetes:helm.sh/v3:Release");
    assert.ok(release && isWrappedSecret(release.inputs.values), "the release's values (with the CA key) are secret");
  });
});

/** An unknown value as the engine receives it in a preview (any copy of the SDK). */
const isUnknown = (value: unknown) =>
  typeof value === "object" && value !== null && (value as { __pulumiUnknown?: unknown }).__pulumiUnknown === true;

/**
 * Each Kubernetes provider registered, with its kubeconfig's verdict: "usable", "known after up" (an
 * Output not known in this preview: the provider's guard checks it once it is), or what it lacks. A
 * provider given no kubeconfig has none in its inputs at all, and would use the ambient one.
 */
function providerKubeconfigs(registrations: ReadonlyArray<{ type: string; name: string; inputs: Record<string, unknown> }>) {
  return registrations
    .filter((r) => r.type === "pulumi:providers:kubernetes")
    .map((r): [string, string | string[]] => {
      if (isUnknown(r.inputs.kubeconfig)) return [r.name, "known after up"];
      const kubeconfig = unwrapSecrets(r.inputs.kubeconfig);
      const context = typeof r.inputs.context === "string" ? r.inputs.context : undefined;
      const problems = kubeconfigProblems(kubeconfig, context);
      return [r.name, problems.length === 0 ? "usable" : problems];
    })
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

describe("no Kubernetes provider falls back to the ambient kubeconfig", function () {
  this.timeout(120_000);
  after(resetRootStack);

  const MIXED: FleetArgs = {
    azureFleet: { resourceGroupName: "rg", location: "eastus2" },
    members: {
      k1: kind(),
      dc: kubeconfigMember(secretOf(fakeKubeconfig("dc", "dc-admin")), { context: "dc-admin" }),
      edge: kubeconfigMember(fakeKubeconfig("edge")),
      az: aks(),
    },
  };

  it("gives every member's provider a usable kubeconfig at update: kind, kubeconfig (secret and plain) and AKS members", async () => {
    const result = await run(MIXED, false);
    assert.deepEqual(result.errors, []);
    assert.deepEqual(providerKubeconfigs(result.registrations), [
      ["sec-az", "usable"],
      ["sec-dc", "usable"],
      ["sec-edge", "usable"],
      // The Azure Fleet hub's provider (fleet.hubProvider): its kubeconfig from listCredentials.
      ["sec-hub", "usable"],
      ["sec-k1", "usable"],
    ]);
  });

  it("gives every member's provider a kubeconfig at preview: the user's, or one known after up", async () => {
    const result = await run(MIXED, true);
    assert.deepEqual(result.errors, []);
    assert.deepEqual(providerKubeconfigs(result.registrations), [
      ["sec-az", "known after up"],
      ["sec-dc", "usable"],
      ["sec-edge", "usable"],
      ["sec-hub", "known after up"],
      ["sec-k1", "known after up"],
    ]);
  });

  for (const program of ["kind-mesh", "placement", "aks-fleet"]) {
    it(`gives every provider programs/${program} registers a kubeconfig, usable or known after up`, async () => {
      const planned = await runProgram(path.resolve(__dirname, "../../programs", program), { raw: true });
      const providers = providerKubeconfigs(planned.resources.map((r) => ({ ...r, inputs: r.rawInputs ?? {} })));
      assert.ok(providers.length > 0, "the program registers Kubernetes providers");
      assert.deepEqual(
        providers.filter(([, verdict]) => verdict !== "usable" && verdict !== "known after up"),
        [],
      );
    });
  }
});
