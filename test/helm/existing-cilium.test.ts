import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { FleetState } from "../../components/core/fleet/types";
import { unwrapSecrets } from "../../plan/fake-cloud";
import { PlanRun, resetRootStack, runProgram } from "../../plan/run-program";
import { helmBinary } from "../support/helm";
import { CLUSTERS, DceCluster, installedValues } from "../fake-tools/fixtures/dce-pair/seed";
import { expectedView } from "./expected-view";
import { K8sObject, Rendered, chartFile, helmTemplate } from "./helm-template";
import { meshFormProblems } from "./mesh-check";
import { MemberRun, find, meshProblems, meshView } from "./mesh-view";
import { fleetFacts } from "./planned-values";
import { workDir } from "./scenarios";
import { generateTestCa, withCa } from "./test-ca";

// The DCE seed (test/fake-tools/fixtures/dce-pair): two clusters of one kubeconfig that already run
// Cilium 1.17, installed by Helm. The program plans without refusing; each release's take-over
// upgrade is what Helm renders for `helm upgrade --reuse-values`: fleetmesh's values coalesced over
// the values the release was installed with (helm/helm pkg/action/upgrade.go `reuseValues`:
// `chartutil.CoalesceTables(newVals, current.Config)`, the new values winning key by key), rendered
// here with the real chart fleetmesh upgrades to, which must accept them and keep the cluster's own
// IPAM, routing and kube-proxy settings, and the two clusters must form a mesh from those renders.

const PROGRAM = path.resolve(__dirname, "../fake-tools/fixtures/dce-pair");
const CLUSTER_NAMES = Object.keys(CLUSTERS) as DceCluster[];
const RELEASE = "kubernetes:helm.sh/v3:Release";
const PEER_OBJECT_TYPES = ["kubernetes:core/v1:SecretPatch", "kubernetes:core/v1:ConfigMapPatch"];

/** helm/helm pkg/chartutil/coalesce.go `CoalesceTables(dst, src)`: dst's values win; maps merge key by key. */
function coalesce(dst: Record<string, unknown>, src: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...src };
  for (const [key, value] of Object.entries(dst)) {
    const old = src[key];
    const bothMaps = [value, old].every((v) => typeof v === "object" && v !== null && !Array.isArray(v));
    out[key] = bothMaps ? coalesce(value as Record<string, unknown>, old as Record<string, unknown>) : value;
  }
  return out;
}

/** The member a planned resource belongs to: its provider is the member's, named `dce-<member>`. */
const memberOf = (resource: PlanRun["resources"][number]) => resource.provider!.slice("dce-".length) as DceCluster;

describe("The DCE seed: two clusters that already run Cilium, taken over and rendered by the real chart", function () {
  this.timeout(300_000);
  let dir: string;
  let run: PlanRun;
  let renders: Record<DceCluster, Rendered>;
  let peerObjects: Record<string, K8sObject[]>;
  let chart: string;
  let caCert: string;

  before(async () => {
    dir = workDir();
    const helm = (await helmBinary()).path;
    run = await runProgram(PROGRAM, { raw: true });
    resetRootStack();
    const ca = generateTestCa(dir);
    caCert = ca.cert;
    const releases = run.resources.filter((r) => r.type === RELEASE);
    chart = releases[0].inputs.version as string;
    const rendered = await Promise.all(
      releases.map(async (r) => {
        const values = unwrapSecrets(r.rawInputs!.values) as Record<string, unknown>;
        const merged = coalesce(withCa(values, ca), installedValues(memberOf(r)));
        return [memberOf(r), await helmTemplate(helm, chartFile(chart), merged, dir)] as const;
      }),
    );
    renders = Object.fromEntries(rendered) as Record<DceCluster, Rendered>;
    peerObjects = {};
    for (const r of run.resources.filter((r) => PEER_OBJECT_TYPES.includes(r.type))) {
      const { apiVersion, kind, metadata, data } = unwrapSecrets(r.rawInputs!) as K8sObject & { data: unknown };
      (peerObjects[memberOf(r)] ??= []).push({ apiVersion, kind, metadata, data });
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("plans without refusing, warning or erring, one taken-over release per cluster on the fleet's chart", () => {
    assert.deepEqual(
      {
        problems: run.logs.filter((l) => l.severity !== "info").map((l) => l.message),
        releases: run.resources.filter((r) => r.type === RELEASE).map((r) => [memberOf(r), r.inputs.reuseValues]),
        chart,
      },
      { problems: [], releases: CLUSTER_NAMES.map((c) => [c, true]), chart: "1.18.12" },
    );
  });

  it("renders each cluster with its own name, id, IPAM, routing and kube-proxy settings, the fleet CA and its LoadBalancer clustermesh-apiserver", () => {
    const seen = Object.fromEntries(
      CLUSTER_NAMES.map((c) => {
        const config = find(renders[c].objects, "ConfigMap", "cilium-config").data;
        const service = find(renders[c].objects, "Service", "clustermesh-apiserver");
        return [
          c,
          {
            config: [config["cluster-name"], config["cluster-id"], config.ipam, config["kube-proxy-replacement"], config["routing-mode"]],
            apiserver: [service.spec.type, service.spec.loadBalancerIP],
            fleetCa: find(renders[c].objects, "Secret", "cilium-ca").data["ca.crt"] === caCert,
            duplicateKeys: renders[c].duplicateKeys,
          },
        ];
      }),
    );
    assert.deepEqual(
      seen,
      Object.fromEntries(
        CLUSTER_NAMES.map((c) => [
          c,
          {
            config: [c, String(CLUSTERS[c].id), "kubernetes", "false", "tunnel"],
            apiserver: ["LoadBalancer", CLUSTERS[c].loadBalancerIP],
            fleetCa: true,
            duplicateKeys: [],
          },
        ]),
      ),
    );
  });

  it("lets the two clusters form one mesh from their renders and the peer objects planned beside them", () => {
    const state = run.outputs.dceFleetState as FleetState;
    const facts = fleetFacts(state, Object.fromEntries(CLUSTER_NAMES.map((c) => [c, { loadBalancerIP: CLUSTERS[c].loadBalancerIP }])));
    const runs: Record<string, MemberRun> = Object.fromEntries(
      CLUSTER_NAMES.map((c) => [c, { version: chart, render: renders[c].objects, peerObjects: peerObjects[c] ?? [] }]),
    );
    assert.deepEqual(
      {
        views: Object.fromEntries(CLUSTER_NAMES.map((c) => [c, meshProblems(meshView(runs[c]), expectedView(facts, c, chart))])),
        problems: meshFormProblems(runs),
      },
      { views: Object.fromEntries(CLUSTER_NAMES.map((c) => [c, []])), problems: [] },
    );
  });
});
