// Members whose clusters already run Cilium (the DCE seed: one kubeconfig, two contexts, Cilium 1.17
// installed by Helm): taken over instead of installed, their CIDRs kept as facts, never uninstalled,
// checked at up, and shown in the preview with their declared endpoints.
import { strict as assert } from "assert";
import { FleetArgs, FleetState } from "../../components";
import { clusterCheckScript, existingCiliumNotice, memberCheckSpec } from "../../components/core/fleet/existing-cluster-check";
import { restartApiserverScript } from "../../components/core/fleet/existing-cluster-check";
import { CLUSTERS, KUBECONFIG, dceFleet } from "../fake-tools/fixtures/dce-pair/seed";
import { RecordedResource, dependsOnOf, deploy, fakeKubeconfig, infoLog, named, ofType, settle } from "./harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const MEMBERS = ["dce-a", "dce-b"] as const;

describe("Fleet over clusters that already run Cilium (the DCE seed)", () => {
  let records: RecordedResource[];
  let state: FleetState;

  before(async () => {
    const run = await deploy("dce", dceFleet(MEMBERS, KUBECONFIG));
    assert.equal(run.refusal, undefined, String(run.refusal));
    records = run.records;
    state = (await settle(run.fleet.state))!;
  });

  it("takes over each cluster's release cilium in kube-system: imported, upgraded to the fleet's chart with its own values kept, kept on delete", () => {
    const releases = ofType(records, RELEASE).map((r) => ({
      name: r.name,
      release: [r.inputs.name, r.inputs.namespace, r.inputs.version, r.inputs.reuseValues],
      options: [r.opts.import, r.opts.retainOnDelete],
      valueKeys: Object.keys(r.inputs.values).sort(),
      cluster: r.inputs.values.cluster,
    }));
    assert.deepEqual(
      releases,
      MEMBERS.map((m) => ({
        name: `dce-${m}-cilium`,
        release: ["cilium", "kube-system", "1.18.12", true],
        options: ["kube-system/cilium", true],
        // The mesh settings only: the cluster's IPAM, routing, kube-proxy and operator values stay its own.
        valueKeys: ["cluster", "clustermesh", "hubble", "tls"],
        cluster: { name: m, id: CLUSTERS[m].id },
      })),
    );
  });

  it("keeps the clusters' declared pod and service CIDRs, outside the fleet's pools, and their ids, in the fleet state", () => {
    assert.deepEqual(
      state.members,
      Object.fromEntries(
        MEMBERS.map((m) => [m, { clusterId: CLUSTERS[m].id, podCidr: CLUSTERS[m].podCidr, serviceCidr: CLUSTERS[m].serviceCidr }]),
      ),
    );
  });

  it("checks each cluster at up against the declaration, read-only, before its peers and its release", async () => {
    for (const m of MEMBERS) {
      const check = named(records, `dce-${m}-cluster-check`);
      const spec = memberCheckSpec({
        member: m,
        context: m,
        declaredServiceCidr: CLUSTERS[m].serviceCidr,
        ciliumVersion: "1.18.12",
        routingMode: "tunnel",
        maxConnectedClusters: 255,
        existing: { clusterName: m, clusterId: CLUSTERS[m].id, version: CLUSTERS[m].version },
        allocation: { clusterId: CLUSTERS[m].id, podCidr: CLUSTERS[m].podCidr },
        newMember: true,
      });
      assert.deepEqual(
        [check.inputs.create, check.inputs.update, check.secretInputs],
        [clusterCheckScript(spec, true), clusterCheckScript(spec, false), ["stdin"]],
      );
      assert.deepEqual(spec.existing, {
        clusterName: m,
        clusterId: CLUSTERS[m].id,
        version: "1.17.6",
        routingMode: "tunnel",
        tunnelProtocol: "vxlan",
        maxConnectedClusters: 255,
        podCidr: CLUSTERS[m].podCidr,
      });
      assert.ok((await dependsOnOf(named(records, `dce-${m}-cilium`))).includes(check.resource));
    }
  });

  it("restarts each clustermesh-apiserver once after the release re-keys it to the fleet CA", async () => {
    for (const m of MEMBERS) {
      const restart = named(records, `dce-${m}-rekey-restart`);
      assert.deepEqual(
        [
          restart.inputs.create,
          restart.inputs.triggers?.length,
          (await dependsOnOf(restart)).includes(named(records, `dce-${m}-cilium`).resource),
        ],
        [restartApiserverScript(m, m), 1, true],
      );
    }
  });
});

describe("Preview of a fleet that takes existing Cilium over", () => {
  it("says what the take-over does and that removal leaves Cilium, and shows the members' declared mesh addresses", async () => {
    await deploy("dce", dceFleet(MEMBERS, KUBECONFIG), { preview: true });
    const notices = MEMBERS.map((m) =>
      existingCiliumNotice({ member: m, installedVersion: "1.17.6", fleetVersion: "1.18.12", runsApiserver: true }),
    );
    assert.deepEqual(
      infoLog.filter((line) => line.includes("already runs Cilium")),
      notices,
    );
    assert.match(notices[0], /re-keyed to the fleet CA/);
    assert.match(notices[0], /leaves this Cilium installed/);
    const whatIf = infoLog.find((line) => line.startsWith("ClusterMesh dce (cilium)"))!;
    assert.deepEqual(whatIf.split("\n").slice(1, 4), [
      "ACTION  NAME   CLUSTER-ID  ADDRESS     MESH-MEMBERSHIP-STATE",
      "Add     dce-a  1           10.6.0.200  Connecting",
      "Add     dce-b  2           10.7.0.200  Connecting",
    ]);
  });
});

describe("A later run over clusters whose Cilium fleetmesh took over", () => {
  it("fails before registering any member resource when it drops a member's existingCilium", async () => {
    const first = await deploy("dce", dceFleet(MEMBERS, KUBECONFIG));
    const state = await settle(first.fleet.state);
    const args = dceFleet(MEMBERS, KUBECONFIG);
    const { existingCilium, ...rest } = args.members["dce-b"];
    const second = await deploy(
      "dce",
      { ...args, members: { ...args.members, "dce-b": { ...rest, clusterId: existingCilium!.clusterId } } },
      {
        preview: true,
        previous: { dceFleetState: state },
      },
    );
    assert.deepEqual(
      [
        state?.takenOver,
        (second.refusal as { violations?: { path: string }[] }).violations?.map((v) => v.path),
        second.records.filter((r) => r.type === RELEASE || r.type.startsWith("command:")).map((r) => r.name),
      ],
      [["dce-a", "dce-b"], ["members.dce-b.existingCilium"], []],
    );
  });
});

describe("The check of a kubeconfig member fleetmesh installs Cilium on", () => {
  const plain = (): FleetArgs => ({ members: { dc: { kubeconfig: fakeKubeconfig("dc"), serviceCidr: "10.233.0.0/18" } } });
  const checkOf = (records: RecordedResource[]) => named(records, "plain-dc-cluster-check").inputs.create as string;

  it("refuses a Cilium already running only on the member's first run, not the one fleetmesh installed in an earlier run", async () => {
    const first = await deploy("plain", plain());
    const state = await settle(first.fleet.state);
    const second = await deploy("plain", plain(), { previous: { plainFleetState: state } });
    const spec = (newMember: boolean) =>
      memberCheckSpec({
        member: "dc",
        declaredServiceCidr: "10.233.0.0/18",
        ciliumVersion: "1.18.12",
        routingMode: "tunnel",
        maxConnectedClusters: 255,
        allocation: { clusterId: 1, podCidr: "10.0.0.0/17" },
        newMember,
      });
    assert.deepEqual(
      [checkOf(first.records), checkOf(second.records), spec(true).installs, spec(false).installs],
      [clusterCheckScript(spec(true), true), clusterCheckScript(spec(false), true), true, undefined],
    );
  });
});
