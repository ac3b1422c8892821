import { strict as assert } from "assert";
import * as fs from "fs";
import { CiliumPeer, PeerConfig, peerConfig } from "../../components/core/cilium/peer-config";
import { helmBinary } from "../support/helm";
import { CHART_VERSIONS, K8sObject, chartFile, chartMinor, helmTemplate, pool } from "./helm-template";
import { EtcdConfig, decodedSecret, find, usersOf } from "./mesh-view";
import { declareMember, pureFleet } from "./pure-fleet";
import { workDir } from "./scenarios";
import { generateTestCa } from "./test-ca";

// fleetmesh writes the peer objects the chart used to render (components/core/cilium/peer-config.ts).
// Here the chart renders them the old way, from the same peers in `clustermesh.config.clusters`
// (list form, which every supported chart takes: templates/clustermesh-config/_helpers.tpl), and the
// two are compared parsed: Secret `cilium-clustermesh`, Secret `cilium-kvstoremesh` and the users of
// ConfigMap `clustermesh-remote-users`. They must be the same but for one deliberate difference: up to
// 1.19 KVStoreMesh dials a peer's IPs instead of `<peer>.mesh.cilium.io`, which Cilium resolves only
// through the pod's hostAliases before 1.20 (the 1.20 file carries `cilium-host-aliases` instead).

/** A kind member, a LoadBalancer and an AKS BYOCNI peer, and a NodePort peer reached on an IPv4 and an IPv6 address. */
const MEMBERS = [
  declareMember("c1", "kind"),
  declareMember("dc", "kubeconfig-lb"),
  declareMember("edge", "kubeconfig-nodeport", ["fd00::11"]),
  declareMember("az", "byocni-lb"),
];
const SELF = "c1";
/** A peer reached by a DNS name its server certificate covers (peer-config.ts's `address` form; the planners make none). */
const BY_ADDRESS: CiliumPeer = { name: "far", port: 443, address: "clustermesh.far.example.com" };

interface PeerFiles {
  clustermesh: Record<string, EtcdConfig> | undefined;
  kvstoremesh: Record<string, EtcdConfig> | undefined;
  users: string[] | undefined;
}

function chartFiles(objects: readonly K8sObject[]): PeerFiles {
  return {
    clustermesh: decodedSecret(find(objects, "Secret", "cilium-clustermesh")),
    kvstoremesh: decodedSecret(find(objects, "Secret", "cilium-kvstoremesh")),
    users: usersOf(find(objects, "ConfigMap", "clustermesh-remote-users")),
  };
}

function fleetmeshFiles(config: PeerConfig): PeerFiles {
  return {
    clustermesh: decodedSecret(config.clustermesh),
    kvstoremesh: decodedSecret(config.kvstoremesh),
    users: usersOf(config.remoteUsers),
  };
}

const urlHost = (ip: string) => (ip.includes(":") ? `[${ip}]` : ip);

/** The old values: the peers handed to the chart, which then renders the peer objects itself. */
function oldLayout(values: Record<string, any>, peers: readonly CiliumPeer[]): Record<string, any> {
  const copy = structuredClone(values);
  copy.clustermesh.config = {
    enabled: true,
    clusters: peers.map((p) => (p.ips ? { name: p.name, port: p.port, ips: p.ips } : { name: p.name, port: p.port, address: p.address })),
  };
  return copy;
}

describe("peer objects written by fleetmesh, against the chart's own", function () {
  this.timeout(300_000);
  let dir: string;
  const compared = new Map<string, { peers: CiliumPeer[]; chart: PeerFiles; fleetmesh: PeerFiles }>();

  before(async () => {
    dir = workDir();
    const [helm, ca] = [(await helmBinary()).path, generateTestCa(dir)];
    const limit = pool(4);
    await Promise.all(
      CHART_VERSIONS.map(async (version) => {
        const fleet = pureFleet(MEMBERS, { version });
        const peers = [...fleet.peers(SELF), BY_ADDRESS];
        const input = { version, clusterName: SELF, peers, maxConnectedClusters: 255 as const };
        const rendered = await limit(() => helmTemplate(helm, chartFile(version), oldLayout(fleet.values(SELF, ca), peers), dir));
        compared.set(version, { peers, chart: chartFiles(rendered.objects), fleetmesh: fleetmeshFiles(peerConfig(input)) });
      }),
    );
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const version of CHART_VERSIONS) {
    const sameness =
      chartMinor(version) >= 20
        ? "identical, cilium-host-aliases included"
        : "identical but KVStoreMesh's endpoints, which are the peers' IPs instead of <peer>.mesh.cilium.io";
    it(`writes on chart ${version} what the chart renders from the same peers: ${sameness}`, () => {
      const { peers, chart, fleetmesh } = compared.get(version)!;
      assert.deepEqual(Object.keys(fleetmesh.kvstoremesh ?? {}).sort(), ["az", "dc", "edge", "far"], "the peers compared");
      if (chartMinor(version) >= 20) {
        assert.deepEqual(fleetmesh, chart);
        return;
      }
      // Exactly the endpoints of the peers given by IP differ: the chart's hostname, fleetmesh's IPs.
      const byIp = peers.filter((p) => p.ips);
      const endpoints = (files: PeerFiles) => Object.fromEntries(byIp.map((p) => [p.name, files.kvstoremesh?.[p.name]?.endpoints]));
      assert.deepEqual(
        { chart: endpoints(chart), fleetmesh: endpoints(fleetmesh) },
        {
          chart: Object.fromEntries(byIp.map((p) => [p.name, [`https://${p.name}.mesh.cilium.io:${p.port}`]])),
          fleetmesh: Object.fromEntries(byIp.map((p) => [p.name, p.ips!.map((ip) => `https://${urlHost(ip)}:${p.port}`)])),
        },
      );
      const withChartEndpoints: PeerFiles = {
        ...fleetmesh,
        kvstoremesh: Object.fromEntries(
          Object.entries(fleetmesh.kvstoremesh ?? {}).map(([name, config]) => [
            name,
            { ...config, endpoints: chart.kvstoremesh?.[name]?.endpoints ?? config.endpoints },
          ]),
        ),
      };
      assert.deepEqual(withChartEndpoints, chart);
    });
  }
});
