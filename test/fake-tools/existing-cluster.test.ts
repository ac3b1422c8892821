// The DCE seed (fixtures/dce-pair: two clusters of one kubeconfig that already run Cilium 1.17,
// installed by Helm) played in the engine's step order against a fake kubectl, whose clusters
// answer `version`, `get` and `rollout restart` (test/support/fake-tools/lib/kubectl.js), and a model
// of the Helm release steps on those clusters (below). Shows the read-only check at up (item 13), the
// take-over with its restart, and that removing a member or destroying the stack leaves Cilium there.
import { strict as assert } from "assert";
import * as path from "path";
import { unwrapSecrets } from "../../plan/fake-cloud";
import { PlanRun, resetRootStack, runProgram } from "../../plan/run-program";
import { FakeTools, KubernetesClusterRecord } from "../support/fake-tools";
import { CommandInputs, runCommandOperation } from "../support/fake-tools/run-command";
import { PlanRunResult, ResourceHandler, StateResource, runPlan, scriptsRan } from "../support/fake-tools/run-plan";
import { DceCluster, KUBECONFIG, SERVERS } from "./fixtures/dce-pair/seed";
import { AGENT, CILIUM_CONFIG, HELM_RECORD, ciliumCluster } from "./fixtures/dce-pair/clusters";

const PROGRAM = path.resolve(__dirname, "fixtures/dce-pair");
const RELEASE = "kubernetes:helm.sh/v3:Release";
const APISERVER = "deployments.apps/kube-system/clustermesh-apiserver";

const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);
const memberOfRelease = (urn: string) =>
  nameOf(urn)
    .replace(/^dce-/, "")
    .replace(/-cilium$/, "") as DceCluster;

/**
 * What the engine's Helm release steps do to a fake cluster (pulumi-kubernetes' helm.v3.Release over
 * the Helm SDK): a create with an import id reads the existing release (failing when there is none)
 * and, its inputs differing, upgrades it (Pulumi CLI 3.174+, pulumi/pulumi#19339); a create without
 * one installs, which Helm refuses while the name is taken ("cannot re-use a name that is still in
 * use", helm/helm pkg/action/install.go); an update upgrades; a delete uninstalls, unless the state
 * says retainOnDelete, whose delete the engine applies without calling the provider (pulumi/pulumi
 * pkg/resource/deploy/step.go, DeleteStep.Apply). An upgrade records a new revision, runs the fleet's
 * chart version and its clustermesh-apiserver.
 */
function helmReleases(tools: FakeTools, uninstalled: string[]): ResourceHandler {
  const revisions = (c: KubernetesClusterRecord) => Object.keys(c.objects).filter((k) => k.startsWith(`${HELM_RECORD}.v`)).length;
  return (step, { new: now, old }) => {
    const member = memberOfRelease(step.urn);
    const server = SERVERS[member];
    const planned = (now ?? old) as StateResource & { importId?: string; retainOnDelete?: boolean };
    tools.update((s) => {
      const cluster = s.kubernetes.clusters[server];
      if (!cluster || !cluster.answering) throw new Error(`Kubernetes cluster unreachable: ${server}`);
      if (step.op === "delete") {
        if ((old as { retainOnDelete?: boolean } | undefined)?.retainOnDelete) return;
        for (const key of Object.keys(cluster.objects))
          if (key.startsWith(HELM_RECORD) || [CILIUM_CONFIG, AGENT, APISERVER].includes(key)) delete cluster.objects[key];
        uninstalled.push(member);
        return;
      }
      const installed = revisions(cluster) > 0;
      if (step.op === "create" && planned.importId === undefined && installed) {
        throw new Error(`INSTALLATION FAILED: cannot re-use a name that is still in use`);
      }
      if (step.op === "create" && planned.importId !== undefined && !installed)
        throw new Error(`release "cilium" not found in kube-system`);
      const version = String(planned.inputs.version);
      cluster.objects[`${HELM_RECORD}.v${revisions(cluster) + 1}`] = {
        metadata: { labels: { owner: "helm", name: "cilium", status: "deployed" } },
      };
      cluster.objects[AGENT].spec.template.spec.containers[0].image = `quay.io/cilium/cilium:v${version}`;
      cluster.objects[APISERVER] ??= {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "clustermesh-apiserver" },
        spec: { template: {} },
      };
    });
  };
}

function seedClusters(tools: FakeTools, gitVersion: Partial<Record<DceCluster, string>> = {}): void {
  for (const cluster of Object.keys(SERVERS) as DceCluster[])
    tools.kubernetesCluster(SERVERS[cluster], ciliumCluster(cluster, gitVersion[cluster]));
}

const stepNames = (result: PlanRunResult) => result.ran.map((s) => `${s.op} ${nameOf(s.urn)}`);

describe("fake tools: the DCE seed's existing clusters, checked and taken over in the engine's step order", function () {
  this.timeout(180_000);
  let first: PlanRun;
  const fresh: FakeTools[] = [];
  const tools = (gitVersion: Partial<Record<DceCluster, string>> = {}) => {
    const made = FakeTools.create();
    seedClusters(made, gitVersion);
    fresh.push(made);
    return made;
  };

  before(async () => {
    first = await runProgram(PROGRAM, { raw: true });
  });
  after(() => {
    resetRootStack();
    for (const t of fresh) t.remove();
  });

  it("a first up checks each cluster, takes its release over, then restarts its clustermesh-apiserver, in that order", async () => {
    const fake = tools();
    const uninstalled: string[] = [];
    const up = await runPlan({ current: first, tools: fake, handlers: { [RELEASE]: helmReleases(fake, uninstalled) } });
    assert.equal(up.failed, undefined, String(up.failed?.error));
    const order = stepNames(up);
    for (const m of Object.keys(SERVERS)) {
      const [check, release, restart] = [`create dce-${m}-cluster-check`, `create dce-${m}-cilium`, `create dce-${m}-rekey-restart`].map(
        (s) => order.indexOf(s),
      );
      assert.ok(check >= 0 && check < release && release < restart, order.join(", "));
    }
    assert.deepEqual(
      Object.fromEntries(
        (Object.keys(SERVERS) as DceCluster[]).map((m) => {
          const cluster = fake.kubernetes(SERVERS[m])!;
          return [m, [cluster.objects[AGENT].spec.template.spec.containers[0].image, cluster.restarts?.map((r) => r.object)]];
        }),
      ),
      {
        "dce-a": ["quay.io/cilium/cilium:v1.18.12", ["deployments.apps/kube-system/clustermesh-apiserver"]],
        "dce-b": ["quay.io/cilium/cilium:v1.18.12", ["deployments.apps/kube-system/clustermesh-apiserver"]],
      },
    );
    // The checks only read: kubectl ran no write but the restarts.
    const writes = fake.calls("kubectl").filter((c) => !["config", "version", "get"].some((verb) => c.args.includes(verb)));
    assert.deepEqual(writes.map((c) => c.args.slice(2).join(" ")).sort(), [
      "--context dce-a rollout restart deployment/clustermesh-apiserver -n kube-system",
      "--context dce-b rollout restart deployment/clustermesh-apiserver -n kube-system",
    ]);
    assert.deepEqual(uninstalled, []);
  });

  it("a context whose cluster does not answer fails up at that member's check, and nothing is written to it", async () => {
    const fake = tools();
    fake.update((s) => (s.kubernetes.clusters[SERVERS["dce-b"]].answering = false));
    const up = await runPlan({ current: first, tools: fake, handlers: { [RELEASE]: helmReleases(fake, []) } });
    assert.equal(nameOf(up.failed!.step.urn), "dce-dce-b-cluster-check");
    assert.match(
      String(up.failed!.error),
      /fleetmesh: member "dce-b": its cluster does not answer through context "dce-b" \(The connection to the server 10\.7\.0\.10:6443 was refused - did you specify the right host or port\?\): check the kubeconfig's server address and credentials/,
    );
    // The member's peers, release and restart all wait for its check (its component and provider write nothing).
    assert.deepEqual(
      stepNames(up).filter((s) => s.includes(" dce-dce-b-") && !s.endsWith("-cluster-check")),
      [],
    );
  });

  it("a context missing from the kubeconfig fails the check, naming the contexts it has", async () => {
    const fake = tools();
    const check = first.resources.find((r) => r.name === "dce-dce-b-cluster-check")!;
    const withoutB = KUBECONFIG.replace(/- name: dce-b\n {2}context:\n {4}cluster: dce-b\n {4}user: dce-admin\n/, "");
    const run = await runCommandOperation(
      "create",
      { inputs: { ...(check.rawInputs as CommandInputs), stdin: withoutB } },
      { env: fake.env() },
    );
    assert.equal(run.exitCode, 1);
    assert.match(
      run.stderr,
      /^fleetmesh: member "dce-b": context "dce-b" does not exist in its kubeconfig \(it has "dce-a"\): set the member's context to one of them\n$/,
    );
  });

  it("a cluster on a Kubernetes version older than the fleet's Cilium supports fails its check with Cilium's tested versions", async () => {
    const fake = tools({ "dce-a": "v1.28.9" });
    const up = await runPlan({ current: first, tools: fake, handlers: { [RELEASE]: helmReleases(fake, []) } });
    assert.equal(nameOf(up.failed!.step.urn), "dce-dce-a-cluster-check");
    assert.match(
      String(up.failed!.error),
      /its cluster runs Kubernetes v1\.28\.9, older than Cilium 1\.18\.12 lists Kubernetes 1\.30 to 1\.33 as tested .*: upgrade the cluster, or choose a cilium\.version that supports Kubernetes 1\.28/,
    );
  });

  it("a cluster whose Cilium differs from the declaration fails its check, saying what differs", async () => {
    const fake = tools();
    fake.update((s) => (s.kubernetes.clusters[SERVERS["dce-a"]].objects[CILIUM_CONFIG].data["cluster-id"] = "7"));
    const up = await runPlan({ current: first, tools: fake, handlers: { [RELEASE]: helmReleases(fake, []) } });
    assert.match(
      String(up.failed!.error),
      /its Cilium differs from the declaration: cluster-id "7", declared "1" \(set existingCilium\.clusterId/,
    );
  });

  it("a member that does not declare the Cilium its cluster runs is stopped by its check, before Helm would refuse to install over it", async () => {
    const undeclared = await runProgram(PROGRAM, { raw: true, config: { existingCilium: "false" } });
    const fake = tools();
    const up = await runPlan({ current: undeclared, tools: fake, handlers: { [RELEASE]: helmReleases(fake, []) } });
    assert.match(nameOf(up.failed!.step.urn), /-cluster-check$/);
    assert.match(
      String(up.failed!.error),
      /its cluster already runs Cilium \(cluster-name "dce-[ab]", cluster-id "[12]", Helm release "cilium"\) that fleetmesh did not install: declare it as existingCilium \{ clusterName, clusterId, version \} to take it over/,
    );
    assert.deepEqual(
      stepNames(up).filter((s) => s.endsWith("-cilium")),
      [],
    );
    // The same cluster once fleetmesh has installed its Cilium (the member is in the previous run's state): checked, not refused.
    const check = undeclared.resources.find((r) => r.name === "dce-dce-a-cluster-check")!;
    const again = await runProgram(PROGRAM, { raw: true, config: { existingCilium: "false" }, previousOutputs: undeclared.outputs });
    const later = again.resources.find((r) => r.name === "dce-dce-a-cluster-check")!;
    const run = (r: typeof check) =>
      runCommandOperation("create", { inputs: unwrapSecrets(r.rawInputs) as CommandInputs }, { env: fake.env() });
    const [before, after] = [await run(check), await run(later)];
    assert.deepEqual([before.exitCode, after.exitCode, after.stderr], [1, 0, ""], before.stderr);
    assert.match(before.stderr, /already runs Cilium/);
  });

  it("removing a member, then destroying the stack, deletes fleetmesh's objects but never uninstalls a Cilium it took over", async () => {
    const fake = tools();
    const uninstalled: string[] = [];
    const handlers = { [RELEASE]: helmReleases(fake, uninstalled) };
    const up1 = await runPlan({ current: first, tools: fake, handlers });
    assert.equal(up1.failed, undefined, String(up1.failed?.error));
    const onlyA = await runProgram(PROGRAM, { raw: true, previousOutputs: first.outputs, config: { members: "dce-a" } });
    const up2 = await runPlan({ previous: up1.state, current: onlyA, tools: fake, handlers });
    assert.equal(up2.failed, undefined, String(up2.failed?.error));
    const deleted = up2.ran.filter((s) => s.op === "delete").map((s) => nameOf(s.urn));
    assert.ok(deleted.includes("dce-dce-b-cilium"), deleted.join(", "));
    assert.deepEqual(scriptsRan(up2), []);
    const destroy = await runPlan({ previous: up2.state, current: { resources: [] }, tools: fake, handlers });
    assert.equal(destroy.failed, undefined, String(destroy.failed?.error));
    assert.ok(destroy.ran.some((s) => s.op === "delete" && nameOf(s.urn) === "dce-dce-a-cilium"));
    assert.deepEqual(
      {
        uninstalled,
        stillRunning: (Object.keys(SERVERS) as DceCluster[]).map((m) => [
          m,
          fake.kubernetes(SERVERS[m])!.objects[CILIUM_CONFIG]?.data["cluster-name"],
        ]),
        retained: up1.state.resources.filter((r) => (r as { retainOnDelete?: boolean }).retainOnDelete).map((r) => nameOf(r.urn)),
      },
      {
        uninstalled: [],
        stillRunning: [
          ["dce-a", "dce-a"],
          ["dce-b", "dce-b"],
        ],
        retained: ["dce-dce-a-cilium", "dce-dce-b-cilium"],
      },
    );
  });
});
