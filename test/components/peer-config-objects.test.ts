// The member's three peer objects: each object's data is one apply on the mesh's endpoints (the same
// graph the engine floor registers), the config behind them is built once per value, and a refused
// config fails each object with the one refusal.
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { getAllResources } from "@pulumi/pulumi/output";
import { writePeerConfig } from "../../components/runtime/peer-config-objects";
import { gatedOn } from "../../components/runtime/outputs";
import { PeerConfig, PeerConfigObject } from "../../components/core/cilium/peer-config";
import { RecordedResource, fakeKubeconfig, recorder, useMocks } from "./harness";

class Holder extends pulumi.ComponentResource {
  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("test:index:Holder", name, {}, opts);
  }
}

/** The data inputs of the objects written under a parent that records its children. */
function writeRecorded(source: pulumi.Output<string[]>, build: (peers: string[]) => PeerConfig): pulumi.Output<unknown>[] {
  const records: RecordedResource[] = [];
  const parent = new Holder("m1", { transformations: [recorder(records)] });
  const provider = new k8s.Provider("m1", { kubeconfig: fakeKubeconfig("m1") }, { parent });
  writePeerConfig({ name: "m1", version: "1.18.12", source, build, parent, provider });
  const written = records.filter((r) => r.type.startsWith("kubernetes:core/v1:"));
  assert.deepStrictEqual(
    written.map((r) => r.name),
    ["m1-clustermesh-peers", "m1-kvstoremesh-peers", "m1-remote-users"],
  );
  return written.map((r) => r.props.data as pulumi.Output<unknown>);
}

const object = (kind: "Secret" | "ConfigMap", name: string, data: Record<string, string>): PeerConfigObject => ({
  apiVersion: "v1",
  kind,
  metadata: { name, namespace: "kube-system", labels: {} },
  data,
});

const configFor = (peers: string[]): PeerConfig => ({
  clustermesh: object("Secret", "cilium-clustermesh", Object.fromEntries(peers.map((p) => [p, `agent-${p}`]))),
  kvstoremesh: object("Secret", "cilium-kvstoremesh", Object.fromEntries(peers.map((p) => [p, `remote-${p}`]))),
  remoteUsers: object("ConfigMap", "clustermesh-remote-users", { "users.yaml": peers.map((p) => `remote-${p}`).join(",") }),
});

const promiseOf = <T>(output: pulumi.Output<T>) => (output as unknown as { promise(): Promise<T> }).promise();

describe("writePeerConfig", () => {
  beforeEach(() => useMocks(false));

  it("builds the config once for the three objects, each holding its own part, and each depending on what the endpoints came from", async () => {
    const probe = new Holder("m2-node-address");
    const source = pulumi.output(probe.urn).apply(() => ["m2", "m3"]);
    const builds: string[][] = [];
    const inputs = writeRecorded(source, (peers) => (builds.push(peers), configFor(peers)));
    const data = await Promise.all(inputs.map(promiseOf));
    const dependsOnProbe = await Promise.all(inputs.map(async (input) => (await getAllResources(input)).has(probe)));
    const expected = configFor(["m2", "m3"]);
    assert.deepStrictEqual(
      { builds, data, dependsOnProbe },
      {
        builds: [["m2", "m3"]],
        data: [expected.clustermesh.data, expected.kvstoremesh.data, expected.remoteUsers.data],
        dependsOnProbe: [true, true, true],
      },
    );
  });

  it("fails each object with the one refusal of a config that cannot be built, building it once", async () => {
    let builds = 0;
    const refusal = new Error("peers m2 and m3 share NodePort 32379");
    const inputs = writeRecorded(pulumi.output(["m2", "m3"]), () => {
      builds++;
      throw refusal;
    });
    const outcomes = await Promise.allSettled(inputs.map(promiseOf));
    assert.deepStrictEqual({ builds, outcomes }, { builds: 1, outcomes: inputs.map(() => ({ status: "rejected", reason: refusal })) });
  });
});

describe("gatedOn (a kubeconfig member's peers wait for its cluster check)", () => {
  beforeEach(() => useMocks(false));

  it("hands on the very record the mesh's endpoints hold, with the dependencies of both, where pulumi.all would copy it", async () => {
    const address = new Holder("m2-node-address");
    const check = new Holder("m1-check");
    const endpoints = pulumi.output(address.urn).apply(() => ({ m2: { port: 32380, ips: ["172.18.0.3"] } }));
    const shared = await promiseOf(endpoints.apply((value) => value));
    const gated = gatedOn(endpoints, check.urn);
    const copied = pulumi.all([endpoints, check.urn]).apply(([value]) => value);
    const resources = await getAllResources(gated);
    assert.deepStrictEqual(
      {
        same: (await promiseOf(gated.apply((value) => value))) === shared,
        copiedByAll: (await promiseOf(copied)) !== shared,
        dependsOn: [resources.has(address), resources.has(check)],
      },
      { same: true, copiedByAll: true, dependsOn: [true, true] },
    );
  });
});
