import { strict as assert } from "assert";
import * as fs from "fs";
import { PeerConfig, PeerObjectChange, objectFiles, peerConfigChanges, peerConfigObjects } from "../../components/core/cilium/peer-config";
import { MemberDeclarationFacts } from "../../components/core/fleet/plan-fleet";
import { helmBinary } from "../support/helm";
import { CHART_VERSIONS, chartFile, chartMinor, helmTemplate, pool } from "./helm-template";
import { PureFleet, declareMember, nodeAddress, numberedMembers, pureFleet } from "./pure-fleet";
import { workDir } from "./scenarios";
import { generateTestCa } from "./test-ca";

// A member joining or leaving a mesh costs the other members nothing in Helm: their values do not
// change, so their rendered charts are byte-identical (no pod template differs, no upgrade has work to
// do), and their only change is one entry more or less in each of their three peer objects, which
// Cilium picks up from the mounted files (cilium/cilium pkg/clustermesh/common/config.go). The fleets
// are planned with the pure planners, at the sizes Cilium allows (255, and 511 with maxConnectedClusters 511).

const JOINER = "newcomer";
/** An existing LoadBalancer member that leaves after the join. */
const LEAVER = "m001";
/** Existing members whose charts are rendered at 255 and 511: a kind, a NodePort and an AKS BYOCNI member (members cycle through the shapes). */
const SAMPLED = ["m000", "m002", "m003"];
/** Kubernetes refuses a Secret or ConfigMap holding more than 1 MiB of data (kubernetes.io, Secret and ConfigMap concepts). */
const SECRET_LIMIT = 1 << 20;

interface Case {
  /** Members after the join. */
  size: number;
  version: string;
  maxConnectedClusters: 255 | 511;
  sampled: string[];
}

const CASES: Case[] = [
  // At 16 members one sampled member per chart, each chart another shape.
  ...CHART_VERSIONS.map((version, i) => ({
    size: 16,
    version,
    maxConnectedClusters: 255 as const,
    sampled: [SAMPLED[i % SAMPLED.length]],
  })),
  { size: 255, version: "1.18.12", maxConnectedClusters: 255, sampled: SAMPLED },
  { size: 511, version: "1.20.0", maxConnectedClusters: 511, sampled: SAMPLED },
];

const title = (c: Case) => `${c.size} members on chart ${c.version}${c.maxConnectedClusters === 511 ? " (maxConnectedClusters 511)" : ""}`;

/** The mesh before the join, after it (existing members keep their allocation), and after a member leaves. */
function fleets(c: Case): { before: PureFleet; joined: PureFleet; left: PureFleet } {
  const existing = numberedMembers(c.size - 1);
  const plan = (members: MemberDeclarationFacts[], previous?: PureFleet) =>
    pureFleet(members, { version: c.version, maxConnectedClusters: c.maxConnectedClusters, previous: previous?.state });
  const before = plan(existing);
  const joined = plan([...existing, declareMember(JOINER, "kind")], before);
  const left = plan([...existing.filter((m) => m.name !== LEAVER), declareMember(JOINER, "kind")], joined);
  return { before, joined, left };
}

/** The change one peer more (or less) must make: that peer's entry in both Secrets, its user in the ConfigMap, nothing else. */
function oneEntry(before: PeerConfig, after: PeerConfig, peer: string, how: "added" | "removed"): PeerObjectChange[] {
  const [small, big] = how === "added" ? [before, after] : [after, before];
  const sizeOf = (files: Record<string, string>) => Object.values(files).reduce((sum, text) => sum + Buffer.byteLength(text), 0);
  return peerConfigObjects(big).map((object, i) => {
    const entry = object.kind === "Secret" ? peer : `remote-${peer}`;
    const [bytesSmall, bytesBig] = [sizeOf(objectFiles(peerConfigObjects(small)[i])), sizeOf(objectFiles(object))];
    // One entry's bytes: its file (Secrets), or its two lines of users.yaml (the ConfigMap).
    const entryBytes =
      object.kind === "Secret" ? Buffer.byteLength(objectFiles(object)[peer]) : Buffer.byteLength(`  - name: ${entry}\n    role: remote\n`);
    assert.equal(bytesBig - bytesSmall, entryBytes, `${object.metadata.name}: the ${how} entry is all that changes in size`);
    return {
      kind: object.kind,
      name: object.metadata.name,
      added: how === "added" ? [entry] : [],
      removed: how === "removed" ? [entry] : [],
      changed: [],
      bytesBefore: how === "added" ? bytesSmall : bytesBig,
      bytesAfter: how === "added" ? bytesBig : bytesSmall,
    };
  });
}

/** Bytes of an object's `data` as stored (base64 for Secrets), keys included. */
const storedBytes = (data: Record<string, string>) => Object.entries(data).reduce((sum, [k, v]) => sum + k.length + v.length, 0);

/** What one sampled member shows across the join and the leave. */
interface Seen {
  values: Array<Record<string, unknown>>;
  /** `helm template` output at each stage. */
  texts: string[];
  /** cluster-name of its rendered cilium-config. */
  clusterName: string;
  configs: PeerConfig[];
}

describe("a member joining or leaving a mesh, seen from the other members' charts", function () {
  this.timeout(300_000);
  let dir: string;
  /** Per case: its fleets, and per sampled member what it shows; started in `before`, all cases sharing one Helm pool. */
  const seen = new Map<Case, Promise<{ joined: PureFleet; members: Record<string, Seen> }>>();

  before(async () => {
    dir = workDir();
    const ca = generateTestCa(dir);
    const helm = (await helmBinary()).path;
    const limit = pool(4);
    for (const c of CASES) {
      const { before, joined, left } = fleets(c);
      const stages = [before, joined, left];
      const member = async (name: string): Promise<[string, Seen]> => {
        const values = stages.map((fleet) => fleet.values(name, ca));
        const renders = await Promise.all(values.map((v) => limit(() => helmTemplate(helm, chartFile(c.version), v, dir))));
        const config = renders[0].objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "cilium-config") as any;
        const configs = stages.map((fleet) => fleet.peerConfig(name));
        return [name, { values, texts: renders.map((r) => r.text), clusterName: config.data["cluster-name"], configs }];
      };
      const result = Promise.all(c.sampled.map(member)).then((members) => ({ joined, members: Object.fromEntries(members) }));
      result.catch(() => undefined); // reported by the test of this case
      seen.set(c, result);
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const c of CASES) {
    it(`changes no values and no rendered byte of ${c.sampled.join(", ")} at ${title(c)}, and one entry of each of their 3 peer objects`, async () => {
      const { joined, members } = await seen.get(c)!;
      assert.deepEqual([joined.plan.members.length, joined.peers(c.sampled[0]).length], [c.size, c.size - 1]);
      for (const [member, { values, texts, clusterName, configs }] of Object.entries(members)) {
        assert.deepEqual(values.slice(1), [values[0], values[0]], `${member}: values`);
        assert.equal(clusterName, member);
        assert.ok(
          texts.every((text) => text === texts[0]),
          `${member}: the rendered manifests differ across the join or the leave`,
        );
        assert.ok(!texts[1].includes(JOINER), `${member}: its render names the joining member`);
        assert.deepEqual(peerConfigChanges(configs[0], configs[1]), oneEntry(configs[0], configs[1], JOINER, "added"), `${member}: join`);
        assert.deepEqual(
          peerConfigChanges(configs[1], configs[2]),
          oneEntry(configs[1], configs[2], LEAVER, "removed"),
          `${member}: leave`,
        );
        for (const object of peerConfigObjects(configs[1])) {
          assert.ok(storedBytes(object.data) < SECRET_LIMIT, `${member}: ${object.metadata.name} holds ${storedBytes(object.data)} bytes`);
        }
      }
      // The joiner is dialled on the NodePort it was given, by each chart's rule (1.20: its mesh name; before: its node IP).
      const entry = objectFiles(joined.peerConfig(c.sampled[0]).kvstoremesh)[JOINER];
      const port = joined.allocations[JOINER].nodePort!;
      const dialled = chartMinor(c.version) >= 20 ? `${JOINER}.mesh.cilium.io` : nodeAddress(JOINER);
      assert.ok(entry.includes(`https://${dialled}:${port}`), entry);
    });
  }
});
