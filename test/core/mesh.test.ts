import { strict as assert } from "assert";
import fc from "fast-check";
import {
  MeshEndpoint,
  MeshMemberFacts,
  MeshPlan,
  MeshSpec,
  MeshWhatIfRow,
  azureByLabel,
  existingMemberChanges,
  existingMembersTouch,
  meshPeers,
  meshPeersOf,
  meshWhatIf,
  planMeshes,
  renderMeshWhatIf,
} from "../../components/core/cilium/mesh";
import * as meshPeersModule from "../../components/core/cilium/mesh-peers";
import { PeerObjectChange, peerConfig, peerConfigChanges } from "../../components/core/cilium/peer-config";
import { FieldViolation } from "../../components/core/fleet/types";
import { LabelSelector } from "../../components/core/kubefleet/scheduler/types";

const kind = (name: string, labels: Record<string, string>): MeshMemberFacts => ({
  name,
  labels,
  provisioner: "kind",
  ciliumOwner: "fleetmesh",
  hasMeshEndpoint: true,
});
const kubeconfig = (name: string, labels: Record<string, string>, hasMeshEndpoint: boolean): MeshMemberFacts => ({
  name,
  labels,
  provisioner: "kubeconfig",
  ciliumOwner: "fleetmesh",
  hasMeshEndpoint,
});
const byocni = (name: string, labels: Record<string, string>, hasMeshEndpoint: boolean): MeshMemberFacts => ({
  name,
  labels,
  provisioner: "aks",
  ciliumOwner: "fleetmesh",
  hasMeshEndpoint,
});
const aks = (name: string, labels: Record<string, string>, kubernetesVersion?: string): MeshMemberFacts => ({
  name,
  labels,
  provisioner: "aks",
  ciliumOwner: "aks",
  hasMeshEndpoint: false,
  ...(kubernetesVersion !== undefined && { kubernetesVersion }),
});
const mesh = (name: string, memberSelector: LabelSelector): MeshSpec => ({ name, memberSelector });
const demo = mesh("demo", { matchLabels: { mesh: "demo" } });
const DEMO = `memberSelector {"matchLabels":{"mesh":"demo"}} of mesh "demo"`;
const inDemo = { mesh: "demo" };
const many = (count: number, make: (name: string) => MeshMemberFacts) =>
  Array.from({ length: count }, (_, i) => make(`m${String(i).padStart(3, "0")}`));
const names = (members: MeshMemberFacts[]) => members.map((m) => m.name);
// apimachinery messages (k8s.io/apimachinery pkg/util/validation)
const QUALIFIED_NAME_RULE =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const QUALIFIED_NAME_SLASHES_RULE =
  "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') " +
  "with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
const LABEL_VALUE_RULE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

describe("mesh", () => {
  describe("planMeshes", () => {
    const hundreds = {
      k255: many(255, (n) => kind(n, inDemo)),
      k256: many(256, (n) => kind(n, inDemo)),
      k511: many(511, (n) => kind(n, inDemo)),
      k512: many(512, (n) => kind(n, inDemo)),
      a256: many(256, (n) => aks(n, inDemo)),
    };
    const cases: Array<{
      name: string;
      meshes: MeshSpec[];
      members: MeshMemberFacts[];
      max?: number;
      plans: MeshPlan[];
      violations: FieldViolation[];
      /** @default no warning */
      warnings?: string[];
    }> = [
      {
        name: "selects the members whose labels match matchLabels, sorted by name",
        meshes: [demo],
        members: [kind("c2", inDemo), kind("c1", { mesh: "demo", region: "east" }), kind("dc", { mesh: "other" })],
        plans: [{ name: "demo", backend: "cilium", members: ["c1", "c2"] }],
        violations: [],
      },
      {
        name: "selects by matchExpressions with apimachinery semantics (NotIn also matches an absent key)",
        meshes: [
          mesh("west", {
            matchExpressions: [
              { key: "region", operator: "NotIn", values: ["east"] },
              { key: "gpu", operator: "DoesNotExist" },
            ],
          }),
        ],
        members: [kind("a", { region: "east" }), kind("b", { region: "west" }), kind("c", {}), kind("d", { gpu: "yes" })],
        plans: [{ name: "west", backend: "cilium", members: ["b", "c"] }],
        violations: [],
      },
      {
        name: "keeps a mesh whose selector selects nobody, and warns that it connects nothing",
        meshes: [mesh("empty", { matchLabels: { mesh: "none" } })],
        members: [kind("c1", inDemo)],
        plans: [{ name: "empty", backend: "cilium", members: [] }],
        violations: [],
        warnings: [
          `mesh "empty": memberSelector {"matchLabels":{"mesh":"none"}} matches no member, so the mesh connects nothing (check the members' labels)`,
        ],
      },
      {
        name: "refuses a member selected by two meshes, on the later mesh by name whatever the declaration order",
        meshes: [mesh("b", { matchExpressions: [{ key: "mesh", operator: "Exists" }] }), mesh("a", { matchLabels: { mesh: "demo" } })],
        members: [kind("c1", inDemo), kind("c2", { mesh: "x" })],
        plans: [
          { name: "a", backend: "cilium", members: ["c1"] },
          { name: "b", backend: "cilium", members: ["c1", "c2"] },
        ],
        violations: [
          {
            path: "meshes.b.memberSelector",
            message: `memberSelector {"matchExpressions":[{"key":"mesh","operator":"Exists"}]} of mesh "b" selects member "c1", which mesh "a" also selects: a member belongs to at most one mesh`,
          },
        ],
      },
      {
        name: "accepts a 255-member mesh with maxConnectedClusters 255",
        meshes: [demo],
        members: hundreds.k255,
        max: 255,
        plans: [{ name: "demo", backend: "cilium", members: names(hundreds.k255) }],
        violations: [],
      },
      {
        name: "refuses a 256-member mesh with maxConnectedClusters 255",
        meshes: [demo],
        members: hundreds.k256,
        max: 255,
        plans: [{ name: "demo", backend: "cilium", members: names(hundreds.k256) }],
        violations: [
          {
            path: "meshes.demo.memberSelector",
            message: `${DEMO} selects 256 members: a mesh holds at most maxConnectedClusters (255) members, since cluster ids run from 1 to maxConnectedClusters`,
          },
        ],
      },
      {
        name: "accepts a 511-member mesh with maxConnectedClusters 511",
        meshes: [demo],
        members: hundreds.k511,
        max: 511,
        plans: [{ name: "demo", backend: "cilium", members: names(hundreds.k511) }],
        violations: [],
      },
      {
        name: "refuses a 512-member mesh with maxConnectedClusters 511",
        meshes: [demo],
        members: hundreds.k512,
        max: 511,
        plans: [{ name: "demo", backend: "cilium", members: names(hundreds.k512) }],
        violations: [
          {
            path: "meshes.demo.memberSelector",
            message: `${DEMO} selects 512 members: a mesh holds at most maxConnectedClusters (511) members, since cluster ids run from 1 to maxConnectedClusters`,
          },
        ],
      },
      {
        name: "caps an Azure Fleet mesh at 255 members even with maxConnectedClusters 511",
        meshes: [demo],
        members: hundreds.a256,
        max: 511,
        plans: [{ name: "demo", backend: "azure-fleet", members: names(hundreds.a256) }],
        violations: [
          {
            path: "meshes.demo.memberSelector",
            message: `${DEMO} selects 256 members: an Azure Fleet cluster mesh (ClusterMeshProfile) holds at most 255 members`,
          },
        ],
      },
      {
        name: "refuses a mesh mixing AKS-managed Cilium with Cilium that fleetmesh installs, naming the members of each kind",
        meshes: [demo],
        members: [aks("a1", inDemo), kind("k1", inDemo), byocni("b1", inDemo, true)],
        plans: [{ name: "demo", backend: "cilium", members: ["a1", "b1", "k1"] }],
        violations: [
          {
            path: "meshes.demo.memberSelector",
            message: `${DEMO} selects members with AKS-managed Cilium ("a1") and members whose Cilium fleetmesh installs ("b1", "k1"): AKS-managed Cilium can only be meshed by an Azure Fleet ClusterMeshProfile and cannot join a self-managed Cilium Cluster Mesh, and vice versa`,
          },
        ],
      },
      {
        name: "plans an all-AKS-managed mesh on Azure Fleet and refuses Kubernetes older than 1.32 (a missing version is the newer AKS default)",
        meshes: [demo],
        members: [
          aks("a1", inDemo, "1.31"),
          aks("a2", inDemo, "1.31.9"),
          aks("a3", inDemo, "1.32"),
          aks("a4", inDemo, "1.32.5"),
          aks("a5", inDemo),
          aks("a6", inDemo, "1.33"),
        ],
        plans: [{ name: "demo", backend: "azure-fleet", members: ["a1", "a2", "a3", "a4", "a5", "a6"] }],
        violations: ["a1:1.31", "a2:1.31.9"].map((pair) => {
          const [member, version] = pair.split(":");
          const message = `kubernetesVersion "${version}" of member "${member}" is too old: mesh "demo" is an Azure Fleet ClusterMeshProfile, and Fleet cross-cluster networking requires Kubernetes 1.32 or later`;
          return { path: `members.${member}.aks.kubernetesVersion`, message };
        }),
      },
      {
        name: "refuses AKS-managed Cilium on a member Azure Fleet cannot join",
        meshes: [demo],
        members: [aks("a1", inDemo), { ...aks("x1", inDemo), provisioner: "kubeconfig" }],
        plans: [{ name: "demo", backend: "azure-fleet", members: ["a1", "x1"] }],
        violations: [
          {
            path: "members.x1",
            message: `member "x1" is a kubeconfig member with AKS-managed Cilium, but mesh "demo" is an Azure Fleet ClusterMeshProfile: only AKS members (Azure Fleet members) can join it`,
          },
        ],
      },
      {
        name: "refuses an Azure Fleet mesh whose selector is not a single key=value byLabel",
        meshes: [
          mesh("ex", { matchExpressions: [{ key: "mesh", operator: "In", values: ["demo"] }] }),
          mesh("two", { matchLabels: { env: "prod", tier: "x" } }),
        ],
        members: [aks("a1", { mesh: "demo" }), aks("a2", { env: "prod", tier: "x" })],
        plans: [
          { name: "ex", backend: "azure-fleet", members: ["a1"] },
          { name: "two", backend: "azure-fleet", members: ["a2"] },
        ],
        violations: [
          {
            path: "meshes.ex.memberSelector",
            message: `memberSelector {"matchExpressions":[{"key":"mesh","operator":"In","values":["demo"]}]} of mesh "ex" cannot be an Azure Fleet memberSelector.byLabel (it has 1 matchExpressions): byLabel is a single "key=value" label (one matchLabels entry, no matchExpressions) of at most 512 characters`,
          },
          {
            path: "meshes.two.memberSelector",
            message: `memberSelector {"matchLabels":{"env":"prod","tier":"x"}} of mesh "two" cannot be an Azure Fleet memberSelector.byLabel (it has 2 matchLabels entries): byLabel is a single "key=value" label (one matchLabels entry, no matchExpressions) of at most 512 characters`,
          },
        ],
      },
      {
        name: "requires a mesh endpoint on kubeconfig and AKS BYOCNI members of a cilium mesh",
        meshes: [demo],
        members: [kind("k1", inDemo), kubeconfig("dc", inDemo, false), kubeconfig("dc2", inDemo, true), byocni("b1", inDemo, false)],
        plans: [{ name: "demo", backend: "cilium", members: ["b1", "dc", "dc2", "k1"] }],
        violations: [
          {
            path: "members.b1.meshEndpoint",
            message: `required for an aks member in mesh "demo": peers must know where its clustermesh-apiserver is reachable before it exists`,
          },
          {
            path: "members.dc.meshEndpoint",
            message: `required for a kubeconfig member in mesh "demo": peers must know where its clustermesh-apiserver is reachable before it exists`,
          },
        ],
      },
      {
        name: "refuses mesh names that are not DNS-1123 labels, or are declared twice",
        meshes: [
          mesh("Mesh_1", { matchLabels: { a: "b" } }),
          mesh("twice", { matchLabels: { a: "c" } }),
          mesh("twice", { matchLabels: { a: "d" } }),
        ],
        members: [],
        plans: [
          { name: "Mesh_1", backend: "cilium", members: [] },
          { name: "twice", backend: "cilium", members: [] },
          { name: "twice", backend: "cilium", members: [] },
        ],
        violations: [
          {
            path: "meshes.Mesh_1.name",
            message: `mesh name "Mesh_1" is invalid: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (mesh names become resource names)`,
          },
          {
            path: "meshes.twice.name",
            message: `mesh name "twice" is declared 2 times: mesh names must be unique (they become resource names)`,
          },
        ],
        warnings: [
          `mesh "Mesh_1": memberSelector {"matchLabels":{"a":"b"}} matches no member, so the mesh connects nothing (check the members' labels)`,
          `mesh "twice": memberSelector {"matchLabels":{"a":"c"}} matches no member, so the mesh connects nothing (check the members' labels)`,
          `mesh "twice": memberSelector {"matchLabels":{"a":"d"}} matches no member, so the mesh connects nothing (check the members' labels)`,
        ],
      },
      {
        name: "refuses an invalid selector requirement with apimachinery's message, and selects nobody with it",
        meshes: [mesh("bad", { matchExpressions: [{ key: "mesh", operator: "In", values: [] }] })],
        members: [kind("c1", inDemo)],
        plans: [{ name: "bad", backend: "cilium", members: [] }],
        violations: [
          {
            path: "meshes.bad.memberSelector.matchExpressions[0]",
            message: `values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty (key "mesh")`,
          },
        ],
      },
      {
        name: "refuses matchLabels with an invalid key or a value that is not a label value, each at its key, and selects nobody",
        meshes: [mesh("bad", { matchLabels: { "bad key": "x", mesh: 5 as unknown as string, ok: "-no-" } })],
        members: [kind("c1", { "bad key": "x", mesh: "5", ok: "-no-" })],
        plans: [{ name: "bad", backend: "cilium", members: [] }],
        violations: [
          {
            path: 'meshes.bad.memberSelector.matchLabels["bad key"]',
            message: `label key "bad key" is invalid: ${QUALIFIED_NAME_RULE}`,
          },
          { path: 'meshes.bad.memberSelector.matchLabels["mesh"]', message: `label value 5 of key "mesh" is invalid: must be a string` },
          {
            path: 'meshes.bad.memberSelector.matchLabels["ok"]',
            message: `label value "-no-" of key "ok" is invalid: ${LABEL_VALUE_RULE}`,
          },
        ],
      },
      {
        name: "refuses a requirement whose key or values break the label rules, and its operator problem too",
        meshes: [
          mesh("bad", {
            matchExpressions: [
              { key: "a/b/c", operator: "Exists", values: ["x"] },
              { key: "tier", operator: "In", values: ["ok", "not ok"] },
            ],
          }),
        ],
        members: [kind("c1", { tier: "ok" })],
        plans: [{ name: "bad", backend: "cilium", members: [] }],
        violations: [
          { path: "meshes.bad.memberSelector.matchExpressions[0].key", message: `key "a/b/c" is invalid: ${QUALIFIED_NAME_SLASHES_RULE}` },
          {
            path: "meshes.bad.memberSelector.matchExpressions[0]",
            message: `values: Invalid value: ["x"]: values set must be empty for exists and does not exist (key "a/b/c")`,
          },
          { path: "meshes.bad.memberSelector.matchExpressions[1].values[1]", message: `value "not ok" is invalid: ${LABEL_VALUE_RULE}` },
        ],
      },
      {
        name: "refuses a mesh without a selector instead of crashing",
        meshes: [mesh("bad", undefined as unknown as LabelSelector)],
        members: [kind("c1", inDemo)],
        plans: [{ name: "bad", backend: "cilium", members: [] }],
        violations: [
          {
            path: "meshes.bad.memberSelector",
            message: "Required value: a label selector {matchLabels, matchExpressions} that picks the mesh's members",
          },
        ],
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        assert.deepStrictEqual(planMeshes(c.meshes, c.members, c.max ?? 255), {
          plans: c.plans,
          violations: c.violations,
          warnings: c.warnings ?? [],
        });
      });
    }

    it("gives the same result whatever the order of meshes and members", () => {
      const labels = fc.dictionary(fc.constantFrom("mesh", "region"), fc.constantFrom("a", "b"), { maxKeys: 2 });
      const member = fc
        .tuple(fc.stringMatching(/^[a-e][0-9]$/), labels, fc.boolean())
        .map(([n, l, own]) => (own ? aks(n, l, "1.31") : kubeconfig(n, l, false)));
      const spec = fc.tuple(fc.constantFrom("x", "y", "z"), labels).map(([n, matchLabels]) => mesh(n, { matchLabels }));
      const input = fc.tuple(
        fc.uniqueArray(member, { selector: (m) => m.name, maxLength: 8 }),
        fc.uniqueArray(spec, { selector: (m) => m.name, maxLength: 3 }),
      );
      fc.assert(
        fc.property(input, ([members, meshes]) => {
          const reversed = planMeshes([...meshes].reverse(), [...members].reverse(), 255);
          assert.deepStrictEqual(reversed, planMeshes(meshes, members, 255));
        }),
      );
    });
  });

  describe("azureByLabel", () => {
    const long = "v".repeat(512 - "k=".length);
    const cases: Array<[string, LabelSelector, string | undefined]> = [
      ["one matchLabels entry becomes key=value", { matchLabels: { mesh: "demo" } }, "mesh=demo"],
      ["an empty matchExpressions list does not matter", { matchLabels: { mesh: "demo" }, matchExpressions: [] }, "mesh=demo"],
      ["512 characters fit", { matchLabels: { k: long } }, `k=${long}`],
      ["513 characters do not", { matchLabels: { k: `${long}v` } }, undefined],
      ["two matchLabels entries are not expressible", { matchLabels: { a: "1", b: "2" } }, undefined],
      ["an empty selector is not expressible", {}, undefined],
      [
        "matchExpressions are not expressible",
        { matchLabels: { a: "1" }, matchExpressions: [{ key: "b", operator: "Exists" }] },
        undefined,
      ],
    ];
    for (const [name, selector, expected] of cases) it(name, () => assert.deepStrictEqual(azureByLabel(selector), expected));
  });

  describe("meshPeers", () => {
    const plan: MeshPlan = { name: "demo", backend: "cilium", members: ["a", "b", "c"] };
    it("lists every other member, sorted by name, never the member itself; unknown parts stay absent", () => {
      const endpoints: Record<string, MeshEndpoint> = {
        c: { port: 32381, ips: ["172.18.0.4"] },
        a: { port: 2379, address: "a.example.com" },
        b: { port: 2379 },
      };
      assert.deepStrictEqual(meshPeers(plan, endpoints), {
        a: [
          { name: "b", port: 2379 },
          { name: "c", port: 32381, ips: ["172.18.0.4"] },
        ],
        b: [
          { name: "a", port: 2379, address: "a.example.com" },
          { name: "c", port: 32381, ips: ["172.18.0.4"] },
        ],
        c: [
          { name: "a", port: 2379, address: "a.example.com" },
          { name: "b", port: 2379 },
        ],
      });
    });

    it("throws naming a member without an endpoint", () => {
      assert.throws(() => meshPeers(plan, { a: { port: 1 }, b: { port: 2 } }), /no endpoint for member "c"/);
    });

    it("is symmetric for random meshes: every member lists exactly the others, each with its own endpoint", () => {
      const endpoint = fc.record({
        port: fc.integer({ min: 1, max: 65535 }),
        ips: fc.option(fc.array(fc.ipV4(), { minLength: 1, maxLength: 2 }), { nil: undefined }),
      });
      const members = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/), { maxLength: 12 });
      fc.assert(
        fc.property(members, fc.infiniteStream(endpoint), (unsorted, stream) => {
          const sorted = [...unsorted].sort();
          const endpoints = Object.fromEntries(unsorted.map((name) => [name, stream.next().value as MeshEndpoint]));
          const peers = meshPeers({ name: "m", backend: "cilium", members: sorted }, endpoints);
          assert.deepStrictEqual(Object.keys(peers), sorted);
          for (const self of sorted) {
            assert.deepStrictEqual(
              peers[self].map((p) => p.name),
              sorted.filter((n) => n !== self),
            );
            for (const peer of peers[self]) {
              assert.ok(
                peers[peer.name].some((back) => back.name === self),
                `${peer.name} lists ${self}`,
              );
              assert.deepStrictEqual(
                { ...peer, name: undefined },
                { name: undefined, port: endpoints[peer.name].port, ...(endpoints[peer.name].ips && { ips: endpoints[peer.name].ips }) },
              );
            }
          }
        }),
      );
    });
  });

  describe("meshPeers lives in mesh-peers.ts", () => {
    it("is re-exported from mesh.ts as the same functions", () => {
      assert.strictEqual(meshPeers, meshPeersModule.meshPeers);
      assert.strictEqual(meshPeersOf, meshPeersModule.meshPeersOf);
    });
  });

  describe("existingMemberChanges", () => {
    const endpoints: Record<string, MeshEndpoint> = {
      c1: { port: 32380, ips: ["172.18.0.2"] },
      c2: { port: 32379, ips: ["172.18.0.3"] },
      c3: { port: 32381, ips: ["172.18.0.4"] },
    };
    const change = (
      kind: "Secret" | "ConfigMap",
      name: string,
      added: string[],
      removed: string[],
      bytesBefore: number,
      bytesAfter: number,
    ): PeerObjectChange => ({ kind, name, added, removed, changed: [], bytesBefore, bytesAfter });
    // 257 bytes per agents' file; per KVStoreMesh file of an IPv4 peer with a 5-digit port, 234 on ≤1.19
    // and 322 on 1.20 (cilium-host-aliases); a users file is 7 bytes of "users:\n" plus 37 per
    // two-character peer, or "users: []\n" (10 bytes) when empty (the texts: test/core/peer-config.test.ts).
    const cases: Array<[string, string, string[], string[] | undefined, PeerObjectChange[]]> = [
      [
        "c3 joins c1 and c2 on 1.18: every staying member adds c3 to the three objects",
        "1.18.12",
        ["c1", "c2", "c3"],
        ["c1", "c2"],
        [
          change("Secret", "cilium-clustermesh", ["c3"], [], 257, 514),
          change("Secret", "cilium-kvstoremesh", ["c3"], [], 234, 468),
          change("ConfigMap", "fleetmesh-remote-users", ["remote-c3"], [], 44, 81),
        ],
      ],
      [
        "c3 leaves on 1.20: the mirror, in the chart's users ConfigMap",
        "1.20.0",
        ["c1", "c2"],
        ["c1", "c2", "c3"],
        [
          change("Secret", "cilium-clustermesh", [], ["c3"], 514, 257),
          change("Secret", "cilium-kvstoremesh", [], ["c3"], 644, 322),
          change("ConfigMap", "clustermesh-remote-users", [], ["remote-c3"], 81, 44),
        ],
      ],
      [
        "the second member of a mesh: the first one's objects go from empty to one peer",
        "1.19.6",
        ["c1", "c2"],
        ["c1"],
        [
          change("Secret", "cilium-clustermesh", ["c2"], [], 0, 257),
          change("Secret", "cilium-kvstoremesh", ["c2"], [], 0, 234),
          change("ConfigMap", "clustermesh-remote-users", ["remote-c2"], [], 10, 44),
        ],
      ],
      ["a first run: no existing member", "1.18.12", ["c1", "c2"], undefined, []],
      ["every previous member left: none stays to change", "1.18.12", ["c3"], ["c1", "c2"], []],
      ["no change", "1.20.0", ["c1", "c2", "c3"], ["c3", "c2", "c1"], []],
    ];
    for (const [sentence, version, members, previous, expected] of cases) {
      it(sentence, () => assert.deepStrictEqual(existingMemberChanges(version, 255, members, previous, endpoints), expected));
    }

    it("stands in for endpoints not known yet or gone: which entries change is still exact", () => {
      // c4's node address is not known in a preview; c9 left the fleet and has no endpoint any more.
      const changes = existingMemberChanges("1.18.12", 255, ["c1", "c2", "c4"], ["c1", "c2", "c9"], { ...endpoints, c4: { port: 32382 } });
      assert.deepStrictEqual(
        changes.map(({ name, added, removed, changed }) => ({ name, added, removed, changed })),
        [
          { name: "cilium-clustermesh", added: ["c4"], removed: ["c9"], changed: [] },
          { name: "cilium-kvstoremesh", added: ["c4"], removed: ["c9"], changed: [] },
          { name: "fleetmesh-remote-users", added: ["remote-c4"], removed: ["remote-c9"], changed: [] },
        ],
      );
    });

    it("gives the entries every staying member writes, whichever member it samples", () => {
      const members = ["a1", "b2", "c3", "d4"];
      const previous = ["b2", "c3", "d4", "e5"];
      const all: Record<string, MeshEndpoint> = Object.fromEntries(
        ["a1", "b2", "c3", "d4", "e5"].map((name, i) => [name, { port: 32000 + i, ips: [`172.18.0.${i + 2}`] }]),
      );
      const entries = (changes: PeerObjectChange[]) =>
        changes.map(({ kind, name, added, removed, changed }) => ({ kind, name, added, removed, changed }));
      const sampled = entries(existingMemberChanges("1.20.0", 255, members, previous, all));
      for (const self of ["b2", "c3", "d4"]) {
        const config = (list: string[]) =>
          peerConfig({ version: "1.20.0", clusterName: self, maxConnectedClusters: 255, peers: meshPeersOf(self, list, all) });
        assert.deepStrictEqual(entries(peerConfigChanges(config(previous), config(members))), sampled, self);
      }
    });
  });

  describe("meshWhatIf and renderMeshWhatIf", () => {
    const cilium: MeshPlan = { name: "demo", backend: "cilium", members: ["c1", "c3", "c4"] };
    const facts = {
      c1: { clusterId: 1, address: "172.18.0.2:32380" },
      c3: { clusterId: 3 },
      c2: { clusterId: 2, address: "172.18.0.3:32379" },
    };
    // c4 is a kind member whose node address is not known in the preview; c2 has left the fleet. Their
    // KVStoreMesh files are sized from existingMemberChanges' stand-in endpoint (243 bytes each), the
    // others from their own (234 bytes on ≤1.19, 322 on 1.20).
    const endpoints: Record<string, MeshEndpoint> = {
      c1: { port: 32380, ips: ["172.18.0.2"] },
      c3: { port: 32381, ips: ["172.18.0.4"] },
      c4: { port: 32382 },
    };
    const rows: MeshWhatIfRow[] = [
      { action: "Keep", name: "c1", clusterId: 1, address: "172.18.0.2:32380", state: "Connected" },
      { action: "Add", name: "c3", clusterId: 3, state: "Connecting" },
      { action: "Add", name: "c4", state: "Connecting" },
      { action: "Remove", name: "c2", clusterId: 2, address: "172.18.0.3:32379", state: "Disconnecting" },
    ];
    const table = [
      "ACTION  NAME  CLUSTER-ID        ADDRESS           MESH-MEMBERSHIP-STATE",
      "Keep    c1    1                 172.18.0.2:32380  Connected",
      "Add     c3    3                 (known after up)  Connecting",
      "Add     c4    (known after up)  (known after up)  Connecting",
      "Remove  c2    2                 172.18.0.3:32379  Disconnecting",
    ];

    it("rows: Keep and Add by name, then Remove; unknown values stay absent", () => {
      assert.deepStrictEqual(meshWhatIf(cilium, ["c2", "c1"], facts), rows);
    });

    it("rows: every member is an Add on the first run", () => {
      assert.deepStrictEqual(meshWhatIf({ ...cilium, members: ["c1"] }, undefined, {}), [
        { action: "Add", name: "c1", state: "Connecting" },
      ]);
    });

    const one: MeshPlan = { ...cilium, members: ["c1"] };
    const narrow = "ACTION  NAME  CLUSTER-ID  ADDRESS           MESH-MEMBERSHIP-STATE";
    const keepC1 = "Keep    c1    1           172.18.0.2:32380  Connected";
    const writes = (count: number, list: string) =>
      `${count} existing ${count === 1 ? "member" : "members"}: no Helm upgrade, no pod restart; 3 in-place writes each: ${list}`;
    const renders: Array<{
      name: string;
      plan: MeshPlan;
      previous: string[] | undefined;
      chart: string;
      expected: string[];
    }> = [
      {
        name: "chart 1.18: c3 and c4 join and c2 leaves; the users are in fleetmesh-remote-users",
        plan: cilium,
        previous: ["c2", "c1"],
        chart: "1.18.12",
        expected: [
          "ClusterMesh demo (cilium): 3 members",
          ...table,
          writes(
            1,
            "Secret cilium-clustermesh (+c3 +c4 -c2; 257 → 514 bytes), Secret cilium-kvstoremesh (+c3 +c4 -c2; 243 → 477 bytes), ConfigMap fleetmesh-remote-users (+remote-c3 +remote-c4 -remote-c2; 44 → 81 bytes)",
          ),
        ],
      },
      {
        name: "chart 1.20: the same change; the users are in the chart's clustermesh-remote-users, KVStoreMesh files carry host aliases",
        plan: cilium,
        previous: ["c2", "c1"],
        chart: "1.20.0",
        expected: [
          "ClusterMesh demo (cilium): 3 members",
          ...table,
          writes(
            1,
            "Secret cilium-clustermesh (+c3 +c4 -c2; 257 → 514 bytes), Secret cilium-kvstoremesh (+c3 +c4 -c2; 243 → 565 bytes), ConfigMap clustermesh-remote-users (+remote-c3 +remote-c4 -remote-c2; 44 → 81 bytes)",
          ),
        ],
      },
      {
        name: "chart 1.19: a join onto a member that was alone",
        plan: { ...cilium, members: ["c1", "c3"] },
        previous: ["c1"],
        chart: "1.19.6",
        expected: [
          "ClusterMesh demo (cilium): 2 members",
          narrow,
          keepC1,
          "Add     c3    3           (known after up)  Connecting",
          writes(
            1,
            "Secret cilium-clustermesh (+c3; 0 → 257 bytes), Secret cilium-kvstoremesh (+c3; 0 → 234 bytes), ConfigMap clustermesh-remote-users (+remote-c3; 10 → 44 bytes)",
          ),
        ],
      },
      {
        name: "chart 1.18: a leave",
        plan: one,
        previous: ["c1", "c2"],
        chart: "1.18.12",
        expected: [
          "ClusterMesh demo (cilium): 1 member",
          narrow,
          keepC1,
          "Remove  c2    2           172.18.0.3:32379  Disconnecting",
          writes(
            1,
            "Secret cilium-clustermesh (-c2; 257 → 0 bytes), Secret cilium-kvstoremesh (-c2; 243 → 0 bytes), ConfigMap fleetmesh-remote-users (-remote-c2; 44 → 10 bytes)",
          ),
        ],
      },
      {
        name: "chart 1.20: five members join two existing ones; the entries beyond four are counted",
        plan: { ...cilium, members: ["c1", "c2", "c3", "c4", "c5", "c6", "c7"] },
        previous: ["c1", "c2"],
        chart: "1.20.0",
        expected: [
          "ClusterMesh demo (cilium): 7 members",
          table[0],
          keepC1.replace("1           172", "1                 172"),
          "Keep    c2    2                 172.18.0.3:32379  Connected",
          "Add     c3    3                 (known after up)  Connecting",
          "Add     c4    (known after up)  (known after up)  Connecting",
          "Add     c5    (known after up)  (known after up)  Connecting",
          "Add     c6    (known after up)  (known after up)  Connecting",
          "Add     c7    (known after up)  (known after up)  Connecting",
          writes(
            2,
            "Secret cilium-clustermesh (+c3 +c4 +c5 +c6 and 1 more; 257 → 1542 bytes), Secret cilium-kvstoremesh (+c3 +c4 +c5 +c6 and 1 more; 322 → 1616 bytes), ConfigMap clustermesh-remote-users (+remote-c3 +remote-c4 +remote-c5 +remote-c6 and 1 more; 44 → 229 bytes)",
          ),
        ],
      },
      {
        name: "nothing added or removed changes nothing",
        plan: one,
        previous: ["c1"],
        chart: "1.18.12",
        expected: ["ClusterMesh demo (cilium): 1 member", narrow, keepC1, "no change on existing members"],
      },
      {
        name: "a first run has no existing members to change",
        plan: { ...cilium, members: ["c4"] },
        previous: undefined,
        chart: "1.20.0",
        expected: [
          "ClusterMesh demo (cilium): 1 member",
          table[0],
          "Add     c4    (known after up)  (known after up)  Connecting",
          "no change on existing members",
        ],
      },
      {
        name: "an empty mesh prints the header only",
        plan: { ...cilium, members: [] },
        previous: undefined,
        chart: "1.18.12",
        expected: [
          "ClusterMesh demo (cilium): 0 members",
          "ACTION  NAME  CLUSTER-ID  ADDRESS  MESH-MEMBERSHIP-STATE",
          "no change on existing members",
        ],
      },
    ];
    const allFacts = { ...facts, c2: { clusterId: 2, address: "172.18.0.3:32379" } };
    const allEndpoints = { ...endpoints, c2: { port: 32379, ips: ["172.18.0.3"] } };
    for (const r of renders) {
      it(`renders: ${r.name}`, () => {
        // A member that left (c2 in the first two cases) has no endpoint any more; one that stays has.
        const known = r.plan.members.includes("c2") ? allEndpoints : endpoints;
        const changes = existingMemberChanges(r.chart, 255, r.plan.members, r.previous, known);
        const shown = meshWhatIf(r.plan, r.previous, allFacts);
        assert.strictEqual(renderMeshWhatIf(r.plan, shown, existingMembersTouch(r.plan, shown, changes)), r.expected.join("\n"));
      });
    }

    it("renders: an azure-fleet mesh: Fleet applies the profile, whatever changes it is given", () => {
      const plan: MeshPlan = { name: "aks", backend: "azure-fleet", members: ["a1", "a2"] };
      const shown: MeshWhatIfRow[] = [
        { action: "Keep", name: "a1", clusterId: 4, address: "/subscriptions/s/rg/a1", state: "Connected" },
        { action: "Add", name: "a2", state: "Connecting" },
      ];
      const expected = [
        "ClusterMesh aks (azure-fleet): 2 members",
        "ACTION  NAME  CLUSTER-ID        ADDRESS                 MESH-MEMBERSHIP-STATE",
        "Keep    a1    4                 /subscriptions/s/rg/a1  Connected",
        "Add     a2    (known after up)  (known after up)        Connecting",
        "Azure Fleet applies the profile: existing members stay Connected",
      ].join("\n");
      assert.strictEqual(renderMeshWhatIf(plan, shown, existingMembersTouch(plan, shown, [])), expected);
      const stray = existingMemberChanges("1.18.12", 255, ["c1", "c2"], ["c1"], { c1: { port: 1, ips: ["10.0.0.1"] } });
      assert.deepEqual(existingMembersTouch(plan, shown, stray), { members: ["a1"], via: "azure-fleet-apply", writes: [] });
      assert.strictEqual(renderMeshWhatIf(plan, shown, existingMembersTouch(plan, shown, stray)), expected);
    });
  });
});
