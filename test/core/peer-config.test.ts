import { strict as assert } from "assert";
import fc from "fast-check";
import { parse } from "yaml";
import {
  CiliumPeer,
  PeerConfig,
  PeerConfigInput,
  PeerConfigObject,
  PeerObjectChange,
  memberPeerConfig,
  meshPeerTable,
  objectFiles,
  peerConfig,
  peerConfigChanges,
  peerConfigObjects,
  peersOf,
  remoteUsersConfigMapName,
  remoteUsersValues,
} from "../../components/core/cilium/peer-config";

// ---------------------------------------------------------------------------------------------
// Fixtures: member c1 and four peers, given out of order: one IP, two IPs, an IPv6 IP, a DNS name.
// Expected objects are literals here, independent of the module's constants.
// ---------------------------------------------------------------------------------------------

const DC: CiliumPeer = { name: "dc", port: 2379, ips: ["192.168.50.10"] };
const AZ: CiliumPeer = { name: "az", port: 2379, ips: ["10.224.0.200", "10.224.0.201"] };
const V6: CiliumPeer = { name: "v6", port: 32381, ips: ["fd00:10::5"] };
const EXT: CiliumPeer = { name: "ext", port: 443, address: "ext.example.com" };
const PEERS: CiliumPeer[] = [DC, AZ, V6, EXT];

const VERSIONS = ["1.16.19", "1.17.18", "1.18.12", "1.19.6", "1.20.0"] as const;
/** Charts whose own users ConfigMap cannot be used (rendered empty whatever config.enabled says). */
const FLEETMESH_USERS = ["1.16.19", "1.17.18", "1.18.12"];

const input = (version: string, peers: readonly CiliumPeer[] = PEERS, extra: Partial<PeerConfigInput> = {}): PeerConfigInput => ({
  version,
  clusterName: "c1",
  peers,
  maxConnectedClusters: 255,
  nodePort: 32380,
  kubeProxyReplacement: true,
  ...extra,
});

const LABELS = { "app.kubernetes.io/part-of": "cilium", "app.kubernetes.io/managed-by": "fleetmesh" };
const metadata = (name: string) => ({ name, namespace: "kube-system", labels: LABELS });
const DIR = "/var/lib/cilium/clustermesh";

/** The agents' and operator's file for every peer: the member's own KVStoreMesh, with the local certs (1.17+) or the common ones (1.16). */
const agentFile = (prefix: "local-" | "common-") => ({
  endpoints: ["https://clustermesh-apiserver.kube-system.svc:2379"],
  "trusted-ca-file": `${DIR}/${prefix}etcd-client-ca.crt`,
  "key-file": `${DIR}/${prefix}etcd-client.key`,
  "cert-file": `${DIR}/${prefix}etcd-client.crt`,
});
const REMOTE_CERTS = {
  "trusted-ca-file": `${DIR}/common-etcd-client-ca.crt`,
  "key-file": `${DIR}/common-etcd-client.key`,
  "cert-file": `${DIR}/common-etcd-client.crt`,
};
/** KVStoreMesh up to 1.19: the peer's IPs, which its server certificate carries as SANs. */
const KVSTOREMESH_BY_IP = {
  az: { endpoints: ["https://10.224.0.200:2379", "https://10.224.0.201:2379"], ...REMOTE_CERTS },
  dc: { endpoints: ["https://192.168.50.10:2379"], ...REMOTE_CERTS },
  ext: { endpoints: ["https://ext.example.com:443"], ...REMOTE_CERTS },
  v6: { endpoints: ["https://[fd00:10::5]:32381"], ...REMOTE_CERTS },
};
/** KVStoreMesh on 1.20: `<peer>.mesh.cilium.io`, resolved through the file's own `cilium-host-aliases`. */
const KVSTOREMESH_BY_ALIAS = {
  az: {
    endpoints: ["https://az.mesh.cilium.io:2379"],
    ...REMOTE_CERTS,
    "cilium-host-aliases": [{ hostname: "az.mesh.cilium.io", ips: ["10.224.0.200", "10.224.0.201"] }],
  },
  dc: {
    endpoints: ["https://dc.mesh.cilium.io:2379"],
    ...REMOTE_CERTS,
    "cilium-host-aliases": [{ hostname: "dc.mesh.cilium.io", ips: ["192.168.50.10"] }],
  },
  ext: { endpoints: ["https://ext.example.com:443"], ...REMOTE_CERTS },
  v6: {
    endpoints: ["https://v6.mesh.cilium.io:32381"],
    ...REMOTE_CERTS,
    "cilium-host-aliases": [{ hostname: "v6.mesh.cilium.io", ips: ["fd00:10::5"] }],
  },
};
const USERS = {
  "users.yaml": {
    users: [
      { name: "remote-az", role: "remote" },
      { name: "remote-dc", role: "remote" },
      { name: "remote-ext", role: "remote" },
      { name: "remote-v6", role: "remote" },
    ],
  },
};

/** An object as Cilium reads it: the files decoded (objectFiles) and parsed as YAML. */
function readable(object: PeerConfigObject) {
  const files = Object.fromEntries(Object.entries(objectFiles(object)).map(([key, text]) => [key, parse(text) as unknown]));
  return { apiVersion: object.apiVersion, kind: object.kind, metadata: object.metadata, files };
}
function readableConfig(config: PeerConfig) {
  return {
    clustermesh: readable(config.clustermesh),
    kvstoremesh: readable(config.kvstoremesh),
    remoteUsers: readable(config.remoteUsers),
  };
}
const secret = (name: string, files: Record<string, unknown>) => ({ apiVersion: "v1", kind: "Secret", metadata: metadata(name), files });
const configMap = (name: string, files: Record<string, unknown>) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: metadata(name),
  files,
});
const expectedConfig = (
  agentPrefix: "local-" | "common-",
  kvstoremesh: Record<string, unknown>,
  usersName: string,
  users: Record<string, unknown> = USERS,
) => ({
  clustermesh: secret("cilium-clustermesh", Object.fromEntries(Object.keys(kvstoremesh).map((peer) => [peer, agentFile(agentPrefix)]))),
  kvstoremesh: secret("cilium-kvstoremesh", kvstoremesh),
  remoteUsers: configMap(usersName, users),
});

/** [version, the whole config of c1 with PEERS]. */
const PER_VERSION: Array<[string, string, ReturnType<typeof expectedConfig>]> = [
  [
    "1.16.19",
    "agents use the common certs, so the member's own remote user comes first; KVStoreMesh dials IPs; users in fleetmesh-remote-users",
    expectedConfig("common-", KVSTOREMESH_BY_IP, "fleetmesh-remote-users", {
      "users.yaml": { users: [{ name: "remote-c1", role: "remote" }, ...USERS["users.yaml"].users] },
    }),
  ],
  [
    "1.17.18",
    "agents use the local certs; KVStoreMesh dials IPs; users in fleetmesh-remote-users",
    expectedConfig("local-", KVSTOREMESH_BY_IP, "fleetmesh-remote-users"),
  ],
  [
    "1.18.12",
    "agents use the local certs; KVStoreMesh dials IPs; users in fleetmesh-remote-users",
    expectedConfig("local-", KVSTOREMESH_BY_IP, "fleetmesh-remote-users"),
  ],
  [
    "1.19.6",
    "agents use the local certs; KVStoreMesh dials IPs; users in the chart's clustermesh-remote-users",
    expectedConfig("local-", KVSTOREMESH_BY_IP, "clustermesh-remote-users"),
  ],
  [
    "1.20.0",
    "agents use the local certs; KVStoreMesh dials <peer>.mesh.cilium.io with cilium-host-aliases; users in clustermesh-remote-users",
    expectedConfig("local-", KVSTOREMESH_BY_ALIAS, "clustermesh-remote-users"),
  ],
];

// The exact bytes of the files for peer dc on 1.18.12 and 1.20.0 (what a Secret's data is the base64 of).
const AGENT_TEXT_1_18 = [
  "endpoints:",
  "  - https://clustermesh-apiserver.kube-system.svc:2379",
  "trusted-ca-file: /var/lib/cilium/clustermesh/local-etcd-client-ca.crt",
  "key-file: /var/lib/cilium/clustermesh/local-etcd-client.key",
  "cert-file: /var/lib/cilium/clustermesh/local-etcd-client.crt",
  "",
].join("\n");
const REMOTE_CERT_LINES = [
  "trusted-ca-file: /var/lib/cilium/clustermesh/common-etcd-client-ca.crt",
  "key-file: /var/lib/cilium/clustermesh/common-etcd-client.key",
  "cert-file: /var/lib/cilium/clustermesh/common-etcd-client.crt",
];
const KVSTOREMESH_DC_1_18 = ["endpoints:", "  - https://192.168.50.10:2379", ...REMOTE_CERT_LINES, ""].join("\n");
const KVSTOREMESH_AZ_1_18 = ["endpoints:", "  - https://10.224.0.200:2379", "  - https://10.224.0.201:2379", ...REMOTE_CERT_LINES, ""].join(
  "\n",
);
const KVSTOREMESH_DC_1_20 = [
  "endpoints:",
  "  - https://dc.mesh.cilium.io:2379",
  ...REMOTE_CERT_LINES,
  "cilium-host-aliases:",
  "  - hostname: dc.mesh.cilium.io",
  "    ips:",
  "      - 192.168.50.10",
  "",
].join("\n");
const usersText = (...peers: string[]) =>
  peers.length === 0 ? "users: []\n" : ["users:", ...peers.flatMap((p) => [`  - name: remote-${p}`, "    role: remote"]), ""].join("\n");
const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const bytes = (...texts: string[]) => texts.reduce((sum, text) => sum + Buffer.byteLength(text, "utf8"), 0);

/** Every field of a change but its sizes. */
const entriesOf = (changes: readonly PeerObjectChange[]) =>
  changes.map(({ kind, name, added, removed, changed }) => ({ kind, name, added, removed, changed }));

// ---------------------------------------------------------------------------------------------

describe("peerConfig", () => {
  describe("whole objects per chart version", () => {
    for (const [version, sentence, expected] of PER_VERSION) {
      it(`chart ${version}: ${sentence}`, () => {
        assert.deepStrictEqual(readableConfig(peerConfig(input(version))), expected);
      });
    }

    for (const version of VERSIONS) {
      it(`chart ${version}: a member in no mesh gets the three objects with no peer in them`, () => {
        const usersName = FLEETMESH_USERS.includes(version) ? "fleetmesh-remote-users" : "clustermesh-remote-users";
        // 1.16 agents log in to their own KVStoreMesh with the remote certificate: the member admits itself.
        const users = version === "1.16.19" ? [{ name: "remote-c1", role: "remote" }] : [];
        assert.deepStrictEqual(readableConfig(peerConfig(input(version, []))), {
          clustermesh: secret("cilium-clustermesh", {}),
          kvstoremesh: secret("cilium-kvstoremesh", {}),
          remoteUsers: configMap(usersName, { "users.yaml": { users } }),
        });
      });
    }
  });

  describe("exact bytes", () => {
    it("chart 1.18.12: one peer reached by IP, byte for byte", () => {
      assert.deepStrictEqual(peerConfig(input("1.18.12", [DC])), {
        clustermesh: { apiVersion: "v1", kind: "Secret", metadata: metadata("cilium-clustermesh"), data: { dc: b64(AGENT_TEXT_1_18) } },
        kvstoremesh: { apiVersion: "v1", kind: "Secret", metadata: metadata("cilium-kvstoremesh"), data: { dc: b64(KVSTOREMESH_DC_1_18) } },
        remoteUsers: {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: metadata("fleetmesh-remote-users"),
          data: { "users.yaml": usersText("dc") },
        },
      });
    });

    it("chart 1.20.0: one peer reached through cilium-host-aliases, byte for byte", () => {
      assert.deepStrictEqual(peerConfig(input("1.20.0", [DC])), {
        clustermesh: { apiVersion: "v1", kind: "Secret", metadata: metadata("cilium-clustermesh"), data: { dc: b64(AGENT_TEXT_1_18) } },
        kvstoremesh: { apiVersion: "v1", kind: "Secret", metadata: metadata("cilium-kvstoremesh"), data: { dc: b64(KVSTOREMESH_DC_1_20) } },
        remoteUsers: {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: metadata("clustermesh-remote-users"),
          data: { "users.yaml": usersText("dc") },
        },
      });
    });

    it("a member in no mesh, byte for byte", () => {
      assert.deepStrictEqual(peerConfig(input("1.19.6", [])), {
        clustermesh: { apiVersion: "v1", kind: "Secret", metadata: metadata("cilium-clustermesh"), data: {} },
        kvstoremesh: { apiVersion: "v1", kind: "Secret", metadata: metadata("cilium-kvstoremesh"), data: {} },
        remoteUsers: {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: metadata("clustermesh-remote-users"),
          data: { "users.yaml": "users: []\n" },
        },
      });
    });

    it("lists the objects in a fixed order: the agents' Secret, KVStoreMesh's Secret, the users ConfigMap", () => {
      const config = peerConfig(input("1.20.0"));
      assert.deepStrictEqual(peerConfigObjects(config), [config.clustermesh, config.kvstoremesh, config.remoteUsers]);
    });
  });

  describe("order", () => {
    it("sorts peers by name, so the objects are byte-identical whatever order the peers come in", () => {
      fc.assert(
        fc.property(fc.shuffledSubarray(PEERS, { minLength: PEERS.length }), fc.constantFrom(...VERSIONS), (shuffled, version) => {
          const config = peerConfig(input(version, shuffled));
          // JSON.stringify keeps key order, so this also compares the order of the data keys.
          assert.strictEqual(JSON.stringify(config), JSON.stringify(peerConfig(input(version))));
          assert.deepStrictEqual(Object.keys(config.clustermesh.data), ["az", "dc", "ext", "v6"]);
          assert.deepStrictEqual(Object.keys(config.kvstoremesh.data), ["az", "dc", "ext", "v6"]);
        }),
      );
    });

    it("peersOf: every other member of the mesh, sorted by name, never the member itself", () => {
      const mesh: CiliumPeer[] = [V6, { name: "c1", port: 32380, ips: ["172.18.0.2"] }, DC, EXT, AZ];
      assert.deepStrictEqual(peersOf("c1", mesh), [AZ, DC, EXT, V6]);
      assert.deepStrictEqual(peersOf("dc", mesh), [AZ, { name: "c1", port: 32380, ips: ["172.18.0.2"] }, EXT, V6]);
      assert.deepStrictEqual(peersOf("alone", []), []);
    });
  });

  describe("programmer errors", () => {
    const max255 = Array.from({ length: 255 }, (_, i): CiliumPeer => ({ name: `m${i}`, port: 2379, ips: [`10.9.${i >> 8}.${i & 255}`] }));
    const shared = "with kube-proxy replacement on chart ≤1.18 every member needs a distinct NodePort (cilium/cilium#24692)";
    const bad: Array<[string, PeerConfigInput, string]> = [
      [
        "the member itself among its peers",
        input("1.18.12", [DC, { name: "c1", port: 32380, ips: ["172.18.0.2"] }]),
        'peerConfig: PeerConfigInput.peers[1].name "c1" is the member itself: peers are the other members only',
      ],
      ["a peer listed twice", input("1.18.12", [DC, AZ, DC]), 'peerConfig: PeerConfigInput.peers[2].name "dc" is listed twice'],
      [
        "the member itself listed twice, naming the first as the member",
        input("1.18.12", [DC, { name: "c1", port: 32380, ips: ["172.18.0.2"] }, { name: "c1", port: 32380, ips: ["172.18.0.2"] }]),
        'peerConfig: PeerConfigInput.peers[1].name "c1" is the member itself: peers are the other members only',
      ],
      [
        "a bad peer name in a list over maxConnectedClusters, naming the peer first",
        input("1.20.0", [{ ...DC, name: "DC" }, ...max255]),
        `peerConfig: PeerConfigInput.peers[0].name "DC" must be a Cilium cluster name: 1 to 32 lower case alphanumerics or '-', alphanumeric at both ends`,
      ],
      [
        "a peer name with capitals",
        input("1.20.0", [{ ...DC, name: "DC" }]),
        `peerConfig: PeerConfigInput.peers[0].name "DC" must be a Cilium cluster name: 1 to 32 lower case alphanumerics or '-', alphanumeric at both ends`,
      ],
      [
        "a peer name over 32 characters",
        input("1.20.0", [{ ...DC, name: "d".repeat(33) }]),
        `peerConfig: PeerConfigInput.peers[0].name "${"d".repeat(33)}" must be a Cilium cluster name: 1 to 32 lower case alphanumerics or '-', alphanumeric at both ends`,
      ],
      [
        "a bad cluster name of the member itself",
        input("1.20.0", [DC], { clusterName: "-c1" }),
        `peerConfig: PeerConfigInput.clusterName "-c1" must be a Cilium cluster name: 1 to 32 lower case alphanumerics or '-', alphanumeric at both ends`,
      ],
      [
        "a peer with port 0",
        input("1.19.6", [{ ...DC, port: 0 }]),
        "peerConfig: PeerConfigInput.peers[0].port 0 must be an integer in 1..65535",
      ],
      [
        "a peer with port 65536",
        input("1.19.6", [AZ, { ...DC, port: 65536 }]),
        "peerConfig: PeerConfigInput.peers[1].port 65536 must be an integer in 1..65535",
      ],
      [
        "a peer with a fractional port",
        input("1.19.6", [{ ...DC, port: 2379.5 }]),
        "peerConfig: PeerConfigInput.peers[0].port 2379.5 must be an integer in 1..65535",
      ],
      [
        "a peer with both ips and address",
        input("1.20.0", [{ ...DC, address: "dc.example.com" }]),
        "peerConfig: PeerConfigInput.peers[0] must have exactly one of ips and address",
      ],
      [
        "a peer with neither ips nor address",
        input("1.20.0", [{ name: "dc", port: 2379 }]),
        "peerConfig: PeerConfigInput.peers[0] must have exactly one of ips and address",
      ],
      [
        "a peer with an empty ips list",
        input("1.20.0", [{ ...DC, ips: [] }]),
        "peerConfig: PeerConfigInput.peers[0].ips must be a non-empty array",
      ],
      [
        "a peer with an IP that is not one",
        input("1.20.0", [{ ...DC, ips: ["192.168.50.10", "10.0.0.300"] }]),
        'peerConfig: PeerConfigInput.peers[0].ips[1] "10.0.0.300" must be an IP address',
      ],
      [
        "a peer with an empty address",
        input("1.20.0", [{ ...EXT, address: "" }]),
        'peerConfig: PeerConfigInput.peers[0].address "" must be a non-empty DNS name',
      ],
      [
        "255 peers with maxConnectedClusters 255 (256 members)",
        input("1.20.0", max255),
        "peerConfig: PeerConfigInput.peers has 255 entries: a mesh holds at most maxConnectedClusters (255) members",
      ],
      ...(["1.16.19", "1.17.18", "1.18.12"] as const).map((version): [string, PeerConfigInput, string] => [
        `a peer sharing this member's NodePort under kube-proxy replacement on chart ${version}`,
        input(version, [DC, { name: "c2", port: 32380, ips: ["172.18.0.3"] }]),
        `peerConfig: PeerConfigInput.peers[1].port 32380 equals this member's own NodePort: ${shared}`,
      ]),
      [
        "an unsupported chart version",
        input("1.15.19"),
        'version: "1.15.19" is not supported: fleetmesh generates Helm values for Cilium charts 1.16.0–1.20.x',
      ],
    ];
    for (const [sentence, given, message] of bad) {
      it(`refuses ${sentence}`, () => {
        assert.throws(() => peerConfig(given), { message });
      });
    }

    it("accepts 254 peers with maxConnectedClusters 255, and 255 peers with 511", () => {
      assert.equal(Object.keys(peerConfig(input("1.20.0", max255.slice(0, 254))).kvstoremesh.data).length, 254);
      assert.equal(Object.keys(peerConfig(input("1.20.0", max255, { maxConnectedClusters: 511 })).kvstoremesh.data).length, 255);
    });

    const sharedPort = [DC, { name: "c2", port: 32380, ips: ["172.18.0.3"] }];
    const allowed: Array<[string, PeerConfigInput]> = [
      ["from chart 1.19, where #24692 is fixed", input("1.19.6", sharedPort)],
      ["on chart 1.20", input("1.20.0", sharedPort)],
      ["on chart 1.18 without kube-proxy replacement", input("1.18.12", sharedPort, { kubeProxyReplacement: false })],
      ["on chart 1.18 for a member without a NodePort of its own", input("1.18.12", sharedPort, { nodePort: undefined })],
    ];
    for (const [sentence, given] of allowed) {
      it(`allows a peer sharing the member's NodePort ${sentence}`, () => {
        assert.deepStrictEqual(Object.keys(peerConfig(given).kvstoremesh.data), ["c2", "dc"]);
      });
    }
  });
});

describe("meshPeerTable and memberPeerConfig", () => {
  const C1: CiliumPeer = { name: "c1", port: 32380, ips: ["172.18.0.2"] };
  const MESH: CiliumPeer[] = [V6, C1, DC, EXT, AZ];
  const self = (clusterName: string, nodePort?: number) => ({ clusterName, nodePort, kubeProxyReplacement: true });

  it("gives every member of a random mesh what peerConfig builds from the other members, keys in the same order, refusing the same NodePorts", () => {
    // "123" and "9" are keys JavaScript orders as integers; "123" is dialled on m10's port.
    const pool: CiliumPeer[] = [
      ...MESH,
      { name: "m-2", port: 30002, ips: ["10.0.0.2"] },
      { name: "m10", port: 30010, address: "m10.example" },
      { name: "123", port: 30010, ips: ["10.0.0.123"] },
      { name: "9", port: 30009, ips: ["10.0.0.9"] },
    ];
    const outcome = (build: () => PeerConfig) => {
      try {
        return JSON.stringify(build());
      } catch {
        return "refused";
      }
    };
    fc.assert(
      fc.property(
        fc.shuffledSubarray(pool, { minLength: 1 }),
        fc.constantFrom(...VERSIONS),
        fc.boolean(),
        (members, version, kubeProxyReplacement) => {
          const table = meshPeerTable({ version, members, maxConnectedClusters: 255 });
          for (const member of members) {
            const own = { clusterName: member.name, nodePort: member.port, kubeProxyReplacement };
            const peers = members.filter((peer) => peer !== member);
            const expected = outcome(() => peerConfig({ version, peers, maxConnectedClusters: 255, ...own }));
            // JSON.stringify keeps key order, so this also compares the order of the data keys.
            assert.strictEqual(
              outcome(() => memberPeerConfig(table, own)),
              expected,
              member.name,
            );
          }
        },
      ),
    );
  });

  it("gives a member outside the mesh (an apiserver in no mesh) every entry of the table", () => {
    for (const version of VERSIONS) {
      const table = meshPeerTable({ version, members: PEERS, maxConnectedClusters: 255 });
      assert.deepStrictEqual(memberPeerConfig(table, self("c1", 32380)), peerConfig(input(version)), version);
    }
  });

  it("leaves the table as it was: every member's objects are copies", () => {
    const table = meshPeerTable({ version: "1.18.12", members: MESH, maxConnectedClusters: 255 });
    const before = JSON.stringify({ ...table, userSpans: [...table.userSpans], membersByPort: [...table.membersByPort] });
    const configs = MESH.map((member) => memberPeerConfig(table, self(member.name)));
    configs.forEach((config) => delete config.kvstoremesh.data.az);
    assert.strictEqual(JSON.stringify({ ...table, userSpans: [...table.userSpans], membersByPort: [...table.membersByPort] }), before);
    assert.deepStrictEqual(Object.keys(memberPeerConfig(table, self("c1")).kvstoremesh.data), ["az", "dc", "ext", "v6"]);
  });

  const shared = "with kube-proxy replacement on chart ≤1.18 every member needs a distinct NodePort (cilium/cilium#24692)";
  const many = (count: number) =>
    Array.from({ length: count }, (_, i): CiliumPeer => ({ name: `m${i}`, port: 2379, ips: [`10.9.${i >> 8}.${i & 255}`] }));
  const bad: Array<[string, () => unknown, string]> = [
    [
      "256 members with maxConnectedClusters 255",
      () => meshPeerTable({ version: "1.20.0", members: many(256), maxConnectedClusters: 255 }),
      "meshPeerTable: MeshPeerTableInput.members has 256 entries: a mesh holds at most maxConnectedClusters (255) members",
    ],
    [
      "a member listed twice",
      () => meshPeerTable({ version: "1.20.0", members: [DC, AZ, DC], maxConnectedClusters: 255 }),
      'meshPeerTable: MeshPeerTableInput.members[2].name "dc" is listed twice',
    ],
    [
      "a member with an IP that is not one",
      () => meshPeerTable({ version: "1.19.6", members: [DC, { ...AZ, ips: ["10.224.0.256"] }], maxConnectedClusters: 255 }),
      'meshPeerTable: MeshPeerTableInput.members[1].ips[0] "10.224.0.256" must be an IP address',
    ],
    [
      "a member whose NodePort another member is dialled on, under kube-proxy replacement on chart 1.18",
      () =>
        memberPeerConfig(
          meshPeerTable({ version: "1.18.12", members: [C1, DC, { ...AZ, port: 32380 }], maxConnectedClusters: 255 }),
          self("c1", 32380),
        ),
      `memberPeerConfig: PeerConfigMember.nodePort 32380 is where member "az" is dialled: ${shared}`,
    ],
    [
      "a member with a bad cluster name",
      () => memberPeerConfig(meshPeerTable({ version: "1.20.0", members: [DC], maxConnectedClusters: 255 }), self("C1")),
      `memberPeerConfig: PeerConfigMember.clusterName "C1" must be a Cilium cluster name: 1 to 32 lower case alphanumerics or '-', alphanumeric at both ends`,
    ],
  ];
  for (const [sentence, build, message] of bad) {
    it(`refuses ${sentence}`, () => {
      assert.throws(build, { message });
    });
  }

  const sharing = [C1, DC, { ...AZ, port: 32380 }];
  const allowed: Array<[string, string, boolean]> = [
    ["from chart 1.19, where #24692 is fixed", "1.19.6", true],
    ["on chart 1.20", "1.20.0", true],
    ["on chart 1.18 without kube-proxy replacement", "1.18.12", false],
  ];
  for (const [sentence, version, kubeProxyReplacement] of allowed) {
    it(`allows another member dialled on the member's NodePort ${sentence}`, () => {
      const table = meshPeerTable({ version, members: sharing, maxConnectedClusters: 255 });
      const config = memberPeerConfig(table, { clusterName: "c1", nodePort: 32380, kubeProxyReplacement });
      assert.deepStrictEqual(Object.keys(config.kvstoremesh.data), ["az", "dc"]);
    });
  }

  it("accepts 255 members with maxConnectedClusters 255, and a member's own NodePort on its own entry", () => {
    const table = meshPeerTable({ version: "1.18.12", members: [...many(254), C1], maxConnectedClusters: 255 });
    assert.equal(Object.keys(memberPeerConfig(table, self("c1", 32380)).kvstoremesh.data).length, 254);
  });
});

describe("remoteUsersValues and remoteUsersConfigMapName", () => {
  const FLEETMESH_USERS_VALUES = {
    extraArgs: ["--cluster-users-config-path=/var/lib/fleetmesh/remote-users/users.yaml"],
    extraVolumes: [{ name: "fleetmesh-remote-users", configMap: { name: "fleetmesh-remote-users", defaultMode: 0o400 } }],
    extraVolumeMounts: [{ name: "fleetmesh-remote-users", mountPath: "/var/lib/fleetmesh/remote-users", readOnly: true }],
  };
  const table: Array<[string, string, Record<string, unknown>]> = [
    ["1.16.0", "fleetmesh-remote-users", FLEETMESH_USERS_VALUES],
    ["1.16.19", "fleetmesh-remote-users", FLEETMESH_USERS_VALUES],
    ["1.17.18", "fleetmesh-remote-users", FLEETMESH_USERS_VALUES],
    ["1.18.12", "fleetmesh-remote-users", FLEETMESH_USERS_VALUES],
    ["v1.18.12", "fleetmesh-remote-users", FLEETMESH_USERS_VALUES],
    ["1.19.0", "clustermesh-remote-users", {}],
    ["1.19.6", "clustermesh-remote-users", {}],
    ["1.20.0", "clustermesh-remote-users", {}],
  ];
  for (const [version, name, values] of table) {
    it(`chart ${version}: users in ${name}${Object.keys(values).length > 0 ? ", mounted by an extra volume and read through a last --cluster-users-config-path" : ", no extra apiserver values"}`, () => {
      assert.deepStrictEqual({ name: remoteUsersConfigMapName(version), values: remoteUsersValues(version) }, { name, values });
    });
  }

  it("the users ConfigMap peerConfig writes is the one the values mount", () => {
    for (const version of VERSIONS) {
      const written = peerConfig(input(version)).remoteUsers.metadata.name;
      const volumes = (remoteUsersValues(version).extraVolumes ?? []) as Array<{ configMap: { name: string } }>;
      assert.equal(written, remoteUsersConfigMapName(version), version);
      if (FLEETMESH_USERS.includes(version))
        assert.deepStrictEqual(
          volumes.map((v) => v.configMap.name),
          [written],
          version,
        );
      else assert.deepStrictEqual(volumes, [], version);
    }
  });

  it("refuses an unsupported chart version", () => {
    assert.throws(() => remoteUsersValues("1.21.0"), {
      message: 'version: "1.21.0" is not supported: fleetmesh generates Helm values for Cilium charts 1.16.0–1.20.x',
    });
    assert.throws(() => remoteUsersConfigMapName("latest"), /version: "latest" is not a Cilium chart version/);
  });
});

describe("peerConfigChanges", () => {
  const at = (version: string, peers: readonly CiliumPeer[]) => peerConfig(input(version, peers));
  const moved: CiliumPeer = { ...DC, ips: ["192.168.50.11"] };
  const cases: Array<[string, PeerConfig, PeerConfig, PeerObjectChange[]]> = [
    [
      "az joins a member that had dc: one entry added to each of the three objects",
      at("1.18.12", [DC]),
      at("1.18.12", [DC, AZ]),
      [
        {
          kind: "Secret",
          name: "cilium-clustermesh",
          added: ["az"],
          removed: [],
          changed: [],
          bytesBefore: bytes(AGENT_TEXT_1_18),
          bytesAfter: bytes(AGENT_TEXT_1_18, AGENT_TEXT_1_18),
        },
        {
          kind: "Secret",
          name: "cilium-kvstoremesh",
          added: ["az"],
          removed: [],
          changed: [],
          bytesBefore: bytes(KVSTOREMESH_DC_1_18),
          bytesAfter: bytes(KVSTOREMESH_DC_1_18, KVSTOREMESH_AZ_1_18),
        },
        {
          kind: "ConfigMap",
          name: "fleetmesh-remote-users",
          added: ["remote-az"],
          removed: [],
          changed: [],
          bytesBefore: bytes(usersText("dc")),
          bytesAfter: bytes(usersText("az", "dc")),
        },
      ],
    ],
    [
      "az leaves: the exact mirror of its join",
      at("1.18.12", [DC, AZ]),
      at("1.18.12", [DC]),
      [
        {
          kind: "Secret",
          name: "cilium-clustermesh",
          added: [],
          removed: ["az"],
          changed: [],
          bytesBefore: bytes(AGENT_TEXT_1_18, AGENT_TEXT_1_18),
          bytesAfter: bytes(AGENT_TEXT_1_18),
        },
        {
          kind: "Secret",
          name: "cilium-kvstoremesh",
          added: [],
          removed: ["az"],
          changed: [],
          bytesBefore: bytes(KVSTOREMESH_DC_1_18, KVSTOREMESH_AZ_1_18),
          bytesAfter: bytes(KVSTOREMESH_DC_1_18),
        },
        {
          kind: "ConfigMap",
          name: "fleetmesh-remote-users",
          added: [],
          removed: ["remote-az"],
          changed: [],
          bytesBefore: bytes(usersText("az", "dc")),
          bytesAfter: bytes(usersText("dc")),
        },
      ],
    ],
    [
      "the first peer of a member in no mesh: from empty objects",
      at("1.20.0", []),
      at("1.20.0", [DC]),
      [
        {
          kind: "Secret",
          name: "cilium-clustermesh",
          added: ["dc"],
          removed: [],
          changed: [],
          bytesBefore: 0,
          bytesAfter: bytes(AGENT_TEXT_1_18),
        },
        {
          kind: "Secret",
          name: "cilium-kvstoremesh",
          added: ["dc"],
          removed: [],
          changed: [],
          bytesBefore: 0,
          bytesAfter: bytes(KVSTOREMESH_DC_1_20),
        },
        {
          kind: "ConfigMap",
          name: "clustermesh-remote-users",
          added: ["remote-dc"],
          removed: [],
          changed: [],
          bytesBefore: bytes(usersText()),
          bytesAfter: bytes(usersText("dc")),
        },
      ],
    ],
    [
      "dc's endpoint moves on 1.18: only KVStoreMesh's file for dc changes (the agents read the local KVStoreMesh)",
      at("1.18.12", [DC, AZ]),
      at("1.18.12", [moved, AZ]),
      [
        {
          kind: "Secret",
          name: "cilium-kvstoremesh",
          added: [],
          removed: [],
          changed: ["dc"],
          bytesBefore: bytes(KVSTOREMESH_DC_1_18, KVSTOREMESH_AZ_1_18),
          bytesAfter: bytes(KVSTOREMESH_DC_1_18.replace("50.10", "50.11"), KVSTOREMESH_AZ_1_18),
        },
      ],
    ],
    [
      "dc's endpoint moves on 1.20: only its cilium-host-aliases change",
      at("1.20.0", [DC]),
      at("1.20.0", [moved]),
      [
        {
          kind: "Secret",
          name: "cilium-kvstoremesh",
          added: [],
          removed: [],
          changed: ["dc"],
          bytesBefore: bytes(KVSTOREMESH_DC_1_20),
          bytesAfter: bytes(KVSTOREMESH_DC_1_20.replace("50.10", "50.11")),
        },
      ],
    ],
    ["no change: nothing to write", at("1.18.12", [DC, AZ]), at("1.18.12", [DC, AZ]), []],
    ["the same peers in another order: nothing to write", at("1.20.0", PEERS), at("1.20.0", [...PEERS].reverse()), []],
    ["a member that stays in no mesh: nothing to write", at("1.16.19", []), at("1.16.19", []), []],
  ];
  for (const [sentence, before, after, expected] of cases) {
    it(sentence, () => {
      assert.deepStrictEqual(peerConfigChanges(before, after), expected);
    });
  }

  describe("a member joining or leaving a random mesh", () => {
    // Names up to Cilium's 32 characters; 1 to 3 IPs (v4 or v6) or a DNS name; every supported chart.
    const nameArb = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/);
    const endpointArb = fc.oneof(
      fc.record({
        port: fc.integer({ min: 1, max: 65535 }),
        ips: fc.array(fc.oneof(fc.ipV4(), fc.ipV6()), { minLength: 1, maxLength: 3 }),
      }),
      fc.record({ port: fc.integer({ min: 1, max: 65535 }), address: fc.domain() }),
    );
    const scenarioArb = fc
      .uniqueArray(nameArb, { minLength: 2, maxLength: 9 })
      .chain((names) =>
        fc.record({
          mesh: fc.constant(names.slice(1)),
          joiner: fc.constant(names[0]),
          endpoints: fc.tuple(...names.map(() => endpointArb)),
          version: fc.constantFrom(...VERSIONS),
        }),
      )
      .map(({ mesh, joiner, endpoints, version }) => {
        const all = [joiner, ...mesh];
        const peer = (name: string): CiliumPeer => ({ name, ...endpoints[all.indexOf(name)] });
        return { mesh, joiner, version, peer };
      });
    /**
     * Under 1 KiB per object per joining member. The largest entry these peers can make is 507 bytes
     * (KVStoreMesh's file on 1.20, measured below); it grows by 48 bytes per further IPv6 address.
     */
    const BOUND = 1024;

    it("every existing member gets exactly 3 writes, each adding only the joiner; a leave is the exact mirror; each object grows by < 1 KiB", () => {
      fc.assert(
        fc.property(scenarioArb, ({ mesh, joiner, version, peer }) => {
          for (const self of mesh) {
            const peersBefore = peersOf(self, mesh.map(peer));
            const peersAfter = peersOf(self, [...mesh, joiner].map(peer));
            const before = peerConfig({ version, clusterName: self, peers: peersBefore, maxConnectedClusters: 255 });
            const after = peerConfig({ version, clusterName: self, peers: peersAfter, maxConnectedClusters: 255 });
            const join = peerConfigChanges(before, after);
            assert.deepStrictEqual(entriesOf(join), [
              { kind: "Secret", name: "cilium-clustermesh", added: [joiner], removed: [], changed: [] },
              { kind: "Secret", name: "cilium-kvstoremesh", added: [joiner], removed: [], changed: [] },
              { kind: "ConfigMap", name: remoteUsersConfigMapName(version), added: [`remote-${joiner}`], removed: [], changed: [] },
            ]);
            const leave = peerConfigChanges(after, before);
            assert.deepStrictEqual(
              leave,
              join.map((c) => ({ ...c, added: c.removed, removed: c.added, bytesBefore: c.bytesAfter, bytesAfter: c.bytesBefore })),
            );
            // The Secrets grow by exactly the joiner's file (no other file is touched); every object by less than BOUND.
            const joinerFile = (object: PeerConfigObject) => Buffer.byteLength(objectFiles(object)[joiner], "utf8");
            assert.equal(join[0].bytesAfter - join[0].bytesBefore, joinerFile(after.clustermesh));
            assert.equal(join[1].bytesAfter - join[1].bytesBefore, joinerFile(after.kvstoremesh));
            for (const change of join) {
              const growth = change.bytesAfter - change.bytesBefore;
              assert.ok(growth > 0 && growth < BOUND, `${change.name} grew by ${growth} bytes`);
            }
          }
        }),
      );
    });

    it("the largest entry (a 32-character name, 3 full-length IPv6 addresses, port 65535) stays under the bound", () => {
      const name = "p".repeat(32);
      const largest: CiliumPeer = {
        name,
        port: 65535,
        ips: [
          "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff1",
          "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff2",
          "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff3",
        ],
      };
      const growth = (version: string) =>
        peerConfigChanges(at(version, [DC]), at(version, [DC, largest])).map((c) => c.bytesAfter - c.bytesBefore);
      // [agents' file, KVStoreMesh's file, one users entry]: 1.16 names its certs common-, 1.17+ local-;
      // up to 1.19 KVStoreMesh lists every IP as an endpoint, 1.20 one hostname and the IPs as host aliases.
      assert.deepStrictEqual(
        VERSIONS.map((version) => [version, growth(version)]),
        [
          ["1.16.19", [260, 385, 67]],
          ["1.17.18", [257, 385, 67]],
          ["1.18.12", [257, 385, 67]],
          ["1.19.6", [257, 385, 67]],
          ["1.20.0", [257, 507, 67]],
        ],
      );
      assert.ok(Math.max(...VERSIONS.flatMap(growth)) < BOUND);
    });
  });
});
