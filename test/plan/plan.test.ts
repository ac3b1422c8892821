import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { parseArgs, plan, stackConfig } from "../../plan/cli";
import { PreviousStateError, readPreviousOutputs } from "../../plan/previous-state";
import { ProgramError, resetRootStack, runProgram } from "../../plan/run-program";
import { renderTree, writeManifests } from "../../plan/render";
import { chartValuesValidator } from "../support/chart-schema";
import { crdValidator } from "../support/crd-schema";

const KIND_MESH = path.resolve(__dirname, "../../programs/kind-mesh");
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "fleetmesh-plan-"));

function filesUnder(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else out[path.relative(dir, full)] = fs.readFileSync(full, "utf8");
    }
  };
  walk(dir);
  return out;
}

describe("fleetmesh plan", function () {
  this.timeout(120_000);
  after(resetRootStack);

  it("plans the kind example: the tree, both what-if tables, and Cilium values that pass the chart schema", async () => {
    const run = await runProgram(KIND_MESH);
    assert.match(renderTree(run), /^fleetmesh:index:Fleet {2}kind-mesh\n {2}tls:index\/privateKey:PrivateKey {2}kind-mesh-ca-key/);
    assert.deepEqual(
      run.logs.map((l) => l.message.split("\n")[0].replace(/^(Fleet "kind-mesh": Cilium 1\.18\.12 with kube-proxy replacement).*$/, "$1")),
      [
        // The NodePort capture of Cilium ≤ 1.18 with kube-proxy replacement (cilium/cilium#24692): the example's default chart.
        'Fleet "kind-mesh": Cilium 1.18.12 with kube-proxy replacement',
        "Fleet kind-mesh: member allocation",
        "ClusterMesh demo (cilium): 2 members",
      ],
    );
    const out = tmp();
    const files = writeManifests(run, out).map((f) => path.relative(out, f));
    assert.ok(files.includes(path.join("kind-mesh-cluster1", "helm-cilium-values.yaml")), files.join("\n"));
    const values = parse(fs.readFileSync(path.join(out, "kind-mesh-cluster1", "helm-cilium-values.yaml"), "utf8")) as Record<string, any>;
    assert.ok(chartValuesValidator("1.18.12")(values));
    const users = parse(fs.readFileSync(path.join(out, "kind-mesh-cluster1", "configmap-kube-system-fleetmesh-remote-users.yaml"), "utf8"));
    assert.deepEqual(
      [values.tls.ca.key, values.clustermesh.config, parse(users.data["users.yaml"])],
      ["[secret]", { enabled: false }, { users: [{ name: "remote-cluster2", role: "remote" }] }],
    );
  });

  it("writes each kind member's kind config as kind-config.yaml in its folder: the config kind is given, with the cluster's name, under how it is created", async () => {
    const out = tmp();
    await plan({ program: KIND_MESH, out }, () => undefined);
    const files = filesUnder(out);
    assert.deepEqual(
      Object.keys(files)
        .filter((f) => f.endsWith("kind-config.yaml"))
        .sort(),
      ["kind-mesh-cluster1/kind-config.yaml", "kind-mesh-cluster2/kind-config.yaml"].map((f) => f.split("/").join(path.sep)),
    );
    const text = files[path.join("kind-mesh-cluster1", "kind-config.yaml")];
    const lines = text.split("\n");
    assert.deepEqual(lines.slice(0, 3), [
      '# kind cluster "kind-mesh-cluster1" of member "cluster1", created by fleetmesh from the kind config on stdin:',
      "#   kind create cluster --name kind-mesh-cluster1 --image <node image> --config -",
      "# node image, by the installed kind release (Cilium 1.18 is e2e-tested on Kubernetes 1.30, 1.31, 1.32, 1.33):",
    ]);
    assert.deepEqual(parse(text), {
      kind: "Cluster",
      apiVersion: "kind.x-k8s.io/v1alpha4",
      name: "kind-mesh-cluster1",
      nodes: [{ role: "control-plane", labels: { "fleetmesh.io/owner-stack": "organization.kind-mesh.plan" } }],
      networking: { podSubnet: "10.0.0.0/17", serviceSubnet: "10.128.0.0/20", disableDefaultCNI: true, kubeProxyMode: "none" },
    });
  });

  it("plans a 4th member joining a 3-member mesh: existing members keep their Helm values and gain the peer in their 3 peer objects only", async () => {
    const quiet = () => undefined;
    const [before, after] = [tmp(), tmp()];
    await plan({ program: KIND_MESH, out: before, config: { members: "3" } }, quiet);
    const lines: string[] = [];
    await plan({ program: KIND_MESH, out: after, config: { members: "4" }, previous: path.join(before, "state.json") }, (t) =>
      lines.push(t),
    );
    const [old, now] = [filesUnder(before), filesUnder(after)];
    const existing = ["cluster1", "cluster2", "cluster3"];
    const changed = Object.keys(now)
      .filter((file) => existing.some((m) => file.startsWith(`kind-mesh-${m}${path.sep}`)) && old[file] !== now[file])
      .sort();
    const peerFiles = [
      "configmap-kube-system-fleetmesh-remote-users.yaml",
      "secret-kube-system-cilium-clustermesh.yaml",
      "secret-kube-system-cilium-kvstoremesh.yaml",
    ];
    assert.deepEqual(changed, existing.flatMap((m) => peerFiles.map((f) => path.join(`kind-mesh-${m}`, f))).sort());
    for (const member of existing) {
      const read = (files: Record<string, string>, file: string) => parse(files[path.join(`kind-mesh-${member}`, file)]);
      const peers = (files: Record<string, string>) => Object.keys(read(files, "secret-kube-system-cilium-kvstoremesh.yaml").data).sort();
      assert.deepEqual(
        [peers(old), peers(now)],
        [existing.filter((m) => m !== member), [...existing, "cluster4"].filter((m) => m !== member)],
        member,
      );
      assert.equal(
        now[path.join(`kind-mesh-${member}`, "helm-cilium-values.yaml")],
        old[path.join(`kind-mesh-${member}`, "helm-cilium-values.yaml")],
      );
    }
    assert.match(
      lines.join("\n"),
      /Add {5}cluster4 .*\n3 existing members: no Helm upgrade, no pod restart; 3 in-place writes each: Secret cilium-clustermesh \(\+cluster4;/,
    );
  });

  it("renders the AKS example's Fleet networking objects and ClusterResourcePlacement so they validate against the upstream CRDs", async () => {
    const out = tmp();
    await plan({ program: path.resolve(__dirname, "../../programs/aks-fleet"), out }, () => undefined);
    const SCHEMAS: Record<string, [string, string]> = {
      "networking.fleet.azure.com/v1beta1/ServiceExport": ["fleet-networking_networking.fleet.azure.com_serviceexports.yaml", "v1beta1"],
      "networking.fleet.azure.com/v1alpha1/MultiClusterService": [
        "fleet-networking_networking.fleet.azure.com_multiclusterservices.yaml",
        "v1alpha1",
      ],
      "placement.kubernetes-fleet.io/v1beta1/ClusterResourcePlacement": [
        "kubefleet_placement.kubernetes-fleet.io_clusterresourceplacements.yaml",
        "v1beta1",
      ],
    };
    const checked: string[] = [];
    for (const [file, text] of Object.entries(filesUnder(out))) {
      if (!file.endsWith(".yaml")) continue;
      const obj = parse(text) as { apiVersion?: string; kind?: string };
      const schema = SCHEMAS[`${obj.apiVersion}/${obj.kind}`];
      if (!schema) continue;
      const validate = crdValidator(...schema);
      assert.ok(validate(obj), `${file}: ${JSON.stringify(validate.errors)}`);
      checked.push(obj.kind!);
    }
    assert.deepEqual([...new Set(checked)].sort(), ["ClusterResourcePlacement", "MultiClusterService", "ServiceExport"]);
  });

  it("renders byte-identical output when the same program is planned twice", async () => {
    const [a, b] = [tmp(), tmp()];
    const quiet = () => undefined;
    await plan({ program: KIND_MESH, out: a }, quiet);
    await plan({ program: KIND_MESH, out: b }, quiet);
    assert.deepEqual(filesUnder(a), filesUnder(b));
  });

  it("plans against a previous state, so allocations stay and the mesh what-if shows Keep", async () => {
    const first = tmp();
    await plan({ program: KIND_MESH, out: first }, () => undefined);
    const lines: string[] = [];
    await plan({ program: KIND_MESH, out: tmp(), previous: path.join(first, "state.json") }, (t) => lines.push(t));
    const text = lines.join("\n");
    assert.match(text, /cluster1 {2}kind {9}1 {11}10\.0\.0\.0\/17 {4}10\.128\.0\.0\/20 {3}30000 {5}kept/);
    assert.match(text, /Keep {4}cluster1/);
  });

  const badPrevious: Array<[string, string | undefined, RegExp]> = [
    ["a file that does not exist", undefined, /does not exist/],
    ["a file that is not JSON", "not json", /is not JSON/],
    ["JSON that is neither an export nor a plan state", JSON.stringify({ hello: 1 }), /neither `pulumi stack export` output/],
  ];
  for (const [name, content, pattern] of badPrevious) {
    it(`refuses as --previous ${name}`, () => {
      const file = path.join(tmp(), "previous.json");
      if (content !== undefined) fs.writeFileSync(file, content);
      assert.throws(
        () => readPreviousOutputs(file),
        (e: unknown) => e instanceof PreviousStateError && pattern.test(e.message),
      );
    });
  }

  it("reads the stack outputs out of `pulumi stack export`", () => {
    const file = path.join(tmp(), "export.json");
    const outputs = { fleetState: { version: 1, members: {} } };
    fs.writeFileSync(
      file,
      JSON.stringify({
        version: 3,
        deployment: { resources: [{ type: "pulumi:providers:kubernetes" }, { type: "pulumi:pulumi:Stack", outputs }] },
      }),
    );
    assert.deepEqual(readPreviousOutputs(file), outputs);
  });

  it("says clearly when the program does not exist or is not a Pulumi program", async () => {
    await assert.rejects(runProgram("programs/nowhere"), (e: unknown) => e instanceof ProgramError && /does not exist/.test(e.message));
    await assert.rejects(
      runProgram(path.resolve(__dirname, "fixtures")),
      (e: unknown) => e instanceof ProgramError && /has no Pulumi.yaml/.test(e.message),
    );
  });

  it("passes a component's refusal through with its message", async () => {
    await assert.rejects(
      runProgram(path.resolve(__dirname, "fixtures/refused-fleet")),
      (e: unknown) => e instanceof Error && /members\.default/.test(e.message),
    );
  });

  it("never wipes an --out folder that is not a previous plan's, and replaces one that is", async () => {
    const project = tmp();
    fs.writeFileSync(path.join(project, "index.ts"), "// someone's work\n");
    await assert.rejects(
      plan({ program: KIND_MESH, out: project }, () => undefined),
      (e: unknown) => e instanceof ProgramError && /holds no previous plan/.test(e.message),
    );
    assert.deepEqual(fs.readdirSync(project), ["index.ts"]);
    const out = tmp();
    await plan({ program: KIND_MESH, out }, () => undefined);
    fs.writeFileSync(path.join(out, "stale.yaml"), "left over\n");
    await plan({ program: KIND_MESH, out }, () => undefined);
    assert.ok(!fs.existsSync(path.join(out, "stale.yaml")));
    assert.ok(fs.existsSync(path.join(out, "state.json")));
    // A plan written before the marker existed is still recognised by its state.json.
    fs.rmSync(path.join(out, ".fleetmesh-plan"));
    await plan({ program: KIND_MESH, out }, () => undefined);
    assert.ok(fs.existsSync(path.join(out, ".fleetmesh-plan")));
  });

  it("takes config from the stack's Pulumi.<stack>.yaml, with --config on top", async () => {
    const lines: string[] = [];
    await plan({ program: KIND_MESH, out: tmp(), config: { members: "3" } }, (t) => lines.push(t));
    const text = lines.join("\n");
    assert.match(text, /config from .*Pulumi\.dev\.yaml/);
    assert.match(text, /ClusterMesh demo \(cilium\): 3 members/);
  });

  it("reads plain stack config and leaves encrypted secrets unset", () => {
    const dir = tmp();
    fs.writeFileSync(
      path.join(dir, "Pulumi.dev.yaml"),
      "config:\n  app:members: 4\n  app:name: east\n  app:token:\n    secure: AAABAxyz\n",
    );
    assert.deepEqual(stackConfig(dir, "dev"), {
      file: path.join(dir, "Pulumi.dev.yaml"),
      values: { "app:members": "4", "app:name": "east" },
      secrets: ["app:token"],
    });
    assert.deepEqual(stackConfig(dir, "prod"), { values: {}, secrets: [] });
  });

  it("parses its command line, with clear errors", () => {
    assert.deepEqual(parseArgs(["plan", "p", "--config", "members=3", "--config", "kind-mesh:ciliumVersion=1.20.0"]).config, {
      members: "3",
      "kind-mesh:ciliumVersion": "1.20.0",
    });
    assert.throws(() => parseArgs(["plan", "p", "--config", "members"]), /--config members: expected <key>=<value>/);
    assert.deepEqual(parseArgs(["plan", "programs/kind-mesh", "--previous", "s.json"]), {
      program: "programs/kind-mesh",
      previous: "s.json",
      stack: undefined,
      out: path.join(".plan-out", "kind-mesh"),
    });
    assert.throws(() => parseArgs(["plan"]), /usage: fleetmesh plan/);
    assert.throws(() => parseArgs(["plan", "a", "--bogus"]), /unknown option --bogus/);
    assert.throws(() => parseArgs(["plan", "a", "--out"]), /--out needs a value/);
  });
});
