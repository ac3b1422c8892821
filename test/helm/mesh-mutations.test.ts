import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { resetRootStack } from "../../plan/run-program";
import { helmBinary } from "../support/helm";
import { expectedView } from "./expected-view";
import { K8sObject, chartFile, helmTemplate, pool } from "./helm-template";
import { MeshRule, meshFormProblems, rulesOf } from "./mesh-check";
import { EtcdConfig, MemberRun, meshProblems, meshView } from "./mesh-view";
import { PlannedFleet, planProgram } from "./planned-values";
import { workDir } from "./scenarios";
import { ChartCa, generateTestCa, withCa } from "./test-ca";

// The checks of cilium-chart.test.ts catch inputs that break the mesh: what programs/kind-mesh runs
// with (each member's values rendered by the real chart, plus the peer objects fleetmesh writes),
// changed one way each. Each row names the parts of the members' views that must come out wrong
// (against expected-view.ts) and the rules of mesh-check.ts the members must break.

type Values = Record<string, any>;
const MEMBERS = ["cluster1", "cluster2"] as const;
type MemberName = (typeof MEMBERS)[number];
const VERSIONS = ["1.20.0", "1.18.12"] as const;
type Version = (typeof VERSIONS)[number];

/** One member's inputs: its values, the CA it is rendered with, and its peer objects by kind and name. */
interface MemberInput {
  values: Values;
  ca: "fleet" | "other";
  peers: K8sObject[];
}
type FleetInput = Record<MemberName, MemberInput>;

/** The peer object of that kind and name (throws when fleetmesh does not write it). */
function object(input: MemberInput, kind: string, name: string): any {
  const found = input.peers.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
}

/** Rewrites one entry of a peer Secret (undefined drops it). */
function editEntry(
  input: MemberInput,
  secret: string,
  key: string,
  edit: (config: EtcdConfig | undefined) => EtcdConfig | undefined,
): void {
  const data = object(input, "Secret", secret).data as Record<string, string>;
  const was = data[key] === undefined ? undefined : (parse(Buffer.from(data[key], "base64").toString("utf8")) as EtcdConfig);
  const now = edit(was);
  if (now === undefined) delete data[key];
  else data[key] = Buffer.from(stringify(now), "utf8").toString("base64");
}

/** The users ConfigMap fleetmesh writes for this chart (`clustermesh-remote-users` on 1.19+, `fleetmesh-remote-users` before). */
function usersConfigMap(input: MemberInput): any {
  return input.peers.find((o) => o.kind === "ConfigMap")!;
}

function setUsers(input: MemberInput, names: string[]): void {
  usersConfigMap(input).data["users.yaml"] = stringify({ users: names.map((name) => ({ name, role: "remote" })) });
}

function users(input: MemberInput): string[] {
  return ((parse(usersConfigMap(input).data["users.yaml"]) as { users: Array<{ name: string }> }).users ?? []).map((u) => u.name);
}

const withPort = (endpoint: string, port: number) => endpoint.replace(/:\d+$/, `:${port}`);

interface Mutation {
  sentence: string;
  version: Version;
  /** Changes the inputs before rendering. */
  input?: (fleet: FleetInput) => void;
  /** Changes a render: what a chart that behaved otherwise would have produced. */
  render?: (renders: Record<MemberName, K8sObject[]>) => void;
  /** `<member>: <part>` of every view part that must differ from the expected view. */
  parts: string[];
  /** The mesh-check rules the members must break. */
  rules: MeshRule[];
}

/** The same break on any chart: KVStoreMesh dials a peer one port above where it listens. */
const portOffByOne = (version: Mutation["version"]): Mutation => ({
  sentence: "a peer's port is off by one in KVStoreMesh's config",
  version,
  input: (f) =>
    editEntry(f.cluster1, "cilium-kvstoremesh", "cluster2", (c) => ({
      ...c!,
      endpoints: c!.endpoints.map((e) => withPort(e, Number(e.split(":").pop()) + 1)),
    })),
  parts: ["cluster1: kvstoremeshSecret"],
  rules: ["port"],
});

const MUTATIONS: Mutation[] = [
  portOffByOne("1.20.0"),
  {
    sentence: "a peer's address in cilium-host-aliases is wrong",
    version: "1.20.0",
    input: (f) =>
      editEntry(f.cluster1, "cilium-kvstoremesh", "cluster2", (c) => ({
        ...c!,
        "cilium-host-aliases": c!["cilium-host-aliases"]!.map((a) => ({ ...a, ips: ["172.18.0.99"] })),
      })),
    parts: ["cluster1: kvstoremeshSecret"],
    rules: ["ips"],
  },
  {
    sentence: "a peer's user is missing from the users ConfigMap",
    version: "1.20.0",
    input: (f) => setUsers(f.cluster2, []),
    parts: ["cluster2: remoteUsers"],
    rules: ["users"],
  },
  {
    sentence: "the users ConfigMap lets in a cluster that is no peer",
    version: "1.20.0",
    input: (f) => setUsers(f.cluster1, [...users(f.cluster1), "remote-stranger"]),
    parts: ["cluster1: remoteUsers"],
    rules: ["users"],
  },
  {
    sentence: "a member lists itself in all three objects",
    version: "1.20.0",
    input: (f) => {
      editEntry(f.cluster1, "cilium-clustermesh", "cluster1", () => parse(objectFile(f.cluster1, "cilium-clustermesh", "cluster2")));
      editEntry(f.cluster1, "cilium-kvstoremesh", "cluster1", () => parse(objectFile(f.cluster1, "cilium-kvstoremesh", "cluster2")));
      setUsers(f.cluster1, [...users(f.cluster1), "remote-cluster1"]);
    },
    parts: ["cluster1: clustermeshSecret", "cluster1: kvstoremeshSecret", "cluster1: remoteUsers"],
    rules: ["self"],
  },
  {
    sentence: "the peer is dropped from this side only (all three objects)",
    version: "1.20.0",
    input: (f) => {
      editEntry(f.cluster1, "cilium-clustermesh", "cluster2", () => undefined);
      editEntry(f.cluster1, "cilium-kvstoremesh", "cluster2", () => undefined);
      setUsers(f.cluster1, []);
    },
    parts: ["cluster1: clustermeshSecret", "cluster1: kvstoremeshSecret", "cluster1: remoteUsers"],
    rules: ["symmetric", "users"],
  },
  {
    sentence: "the agents' config lacks the peer KVStoreMesh dials",
    version: "1.20.0",
    input: (f) => editEntry(f.cluster1, "cilium-clustermesh", "cluster2", () => undefined),
    parts: ["cluster1: clustermeshSecret"],
    rules: ["kvstoremesh"],
  },
  {
    sentence: "the agents dial the peer itself instead of the local KVStoreMesh cache",
    version: "1.20.0",
    input: (f) =>
      editEntry(f.cluster1, "cilium-clustermesh", "cluster2", (c) => ({ ...c!, endpoints: ["https://cluster2.mesh.cilium.io:32001"] })),
    parts: ["cluster1: clustermeshSecret"],
    rules: ["kvstoremesh"],
  },
  {
    sentence: "clustermesh.useAPIServer is off",
    version: "1.20.0",
    input: (f) => void (f.cluster1.values.clustermesh.useAPIServer = false),
    parts: [
      "cluster1: peerSecretMounts",
      "cluster1: apiserverContainers",
      "cluster1: apiserverService",
      "cluster1: usersFile",
      "cluster1: remoteUsers",
      "cluster1: certgen",
      "cluster1: certgenJob",
    ],
    rules: ["kvstoremesh", "users", "port", "san", "ips"],
  },
  {
    sentence: "KVStoreMesh is off",
    version: "1.20.0",
    input: (f) => void (f.cluster1.values.clustermesh.apiserver.kvstoremesh.enabled = false),
    // Without KVStoreMesh no local-<self> certificate is issued either.
    parts: ["cluster1: peerSecretMounts", "cluster1: apiserverContainers", "cluster1: certgen", "cluster1: certgenJob"],
    rules: ["kvstoremesh"],
  },
  {
    sentence: "its own clustermesh-apiserver NodePort moves",
    version: "1.20.0",
    input: (f) => void (f.cluster2.values.clustermesh.apiserver.service.nodePort = 32100),
    parts: ["cluster2: apiserverService"],
    rules: ["port"],
  },
  {
    sentence: "its cluster id is the peer's",
    version: "1.20.0",
    input: (f) => void (f.cluster1.values.cluster.id = 2),
    parts: ["cluster1: identity"],
    rules: ["ids"],
  },
  {
    sentence: "the peer runs with a different maxConnectedClusters",
    version: "1.20.0",
    input: (f) => void (f.cluster2.values.clustermesh.maxConnectedClusters = 511),
    parts: [],
    rules: ["max-connected-clusters"],
  },
  {
    sentence: "tls.authMode is legacy (one shared remote user, no users file)",
    version: "1.20.0",
    input: (f) => void (f.cluster1.values.clustermesh.apiserver.tls.authMode = "legacy"),
    parts: ["cluster1: usersFile", "cluster1: remoteUsers", "cluster1: certgen", "cluster1: certgenJob"],
    rules: ["users"],
  },
  {
    sentence: "the chart is given the peers again (clustermesh.config.enabled, the old layout)",
    version: "1.20.0",
    input: (f) =>
      void (f.cluster1.values.clustermesh.config = {
        enabled: true,
        clusters: [{ name: "cluster2", port: 32001, ips: ["172.18.18.40"] }],
      }),
    parts: ["cluster1: chartRendered", "cluster1: apiserverHostAliases"],
    rules: ["helm"],
  },
  {
    sentence: "the agents project cilium-clustermesh with items (a new peer would need a restart)",
    version: "1.20.0",
    render: (r) => {
      const agent = r.cluster1.find((o) => o.kind === "DaemonSet" && o.metadata.name === "cilium") as any;
      const volume = agent.spec.template.spec.volumes.find((v: any) => v.name === "clustermesh-secrets");
      volume.projected.sources[0].secret.items = [{ key: "cluster2", path: "cluster2" }];
    },
    parts: ["cluster1: peerSecretMounts"],
    rules: ["mounts"],
  },
  {
    sentence: "the peer runs with another CA",
    version: "1.20.0",
    input: (f) => void (f.cluster2.ca = "other"),
    parts: [],
    rules: ["ca"],
  },
  portOffByOne("1.18.12"),
  {
    sentence: "a peer's IP is wrong (dialled directly, so no SAN covers it either)",
    version: "1.18.12",
    // Only the host changes: the port stays the one the plan gave cluster2.
    input: (f) =>
      editEntry(f.cluster1, "cilium-kvstoremesh", "cluster2", (c) => ({
        ...c!,
        endpoints: c!.endpoints.map((url: string) => url.replace(/^https:\/\/[^:/]+:/, "https://172.18.0.99:")),
      })),
    parts: ["cluster1: kvstoremeshSecret"],
    rules: ["san", "ips"],
  },
  {
    sentence: "the peer's server certificate lacks the IP it is dialled on",
    version: "1.18.12",
    input: (f) => void delete f.cluster2.values.clustermesh.apiserver.tls.server,
    parts: ["cluster2: certgen", "cluster2: certgenJob"],
    rules: ["san", "ips"],
  },
  {
    sentence: "the apiserver reads the chart's own users file (fleetmesh's flag dropped)",
    version: "1.18.12",
    input: (f) => void delete f.cluster1.values.clustermesh.apiserver.extraArgs,
    parts: ["cluster1: usersFile", "cluster1: remoteUsers"],
    rules: ["helm", "users"],
  },
  {
    sentence: "fleetmesh writes its users under the chart's ConfigMap name",
    version: "1.18.12",
    input: (f) => void (usersConfigMap(f.cluster1).metadata.name = "clustermesh-remote-users"),
    parts: ["cluster1: remoteUsers"],
    rules: ["users"],
  },
];

/** The decoded text of one entry of a peer Secret. */
function objectFile(input: MemberInput, secret: string, key: string): string {
  return Buffer.from(object(input, "Secret", secret).data[key], "base64").toString("utf8");
}

const key = (m: Mutation | undefined, version: Version) => (m ? `${m.version}: ${m.sentence}` : `${version}: as planned`);

describe("the mesh checks, on broken inputs", function () {
  this.timeout(300_000);
  let dir: string;
  /** Mutation (or `<version>: as planned`) → the view parts and mesh rules found wrong. */
  const found = new Map<string, { parts: string[]; rules: MeshRule[]; problems: string[] }>();

  before(async () => {
    dir = workDir();
    fs.mkdirSync(path.join(dir, "other"));
    const helm = (await helmBinary()).path;
    const cas: Record<MemberInput["ca"], ChartCa> = { fleet: generateTestCa(dir), other: generateTestCa(path.join(dir, "other")) };
    const planned: Record<string, PlannedFleet> = {};
    for (const version of VERSIONS) planned[version] = await planProgram("kind-mesh", "kind-mesh", { ciliumVersion: version });
    const limit = pool(4);
    // Renders keyed by their inputs: a mutation that leaves a member's values alone reuses its render.
    const renders = new Map<string, Promise<K8sObject[]>>();
    const render = (version: Version, input: MemberInput) => {
      const values = withCa(input.values, cas[input.ca]);
      const id = `${version} ${JSON.stringify(values)}`;
      if (!renders.has(id))
        renders.set(
          id,
          limit(() => helmTemplate(helm, chartFile(version), values, dir)).then((r) => r.objects),
        );
      return renders.get(id)!;
    };
    const check = async (version: Version, mutation?: Mutation) => {
      const fleet = Object.fromEntries(
        MEMBERS.map((m) => [
          m,
          {
            values: structuredClone(planned[version].releases.find((r) => r.member === m)!.values),
            ca: "fleet",
            peers: structuredClone(planned[version].peerObjects[m]),
          },
        ]),
      ) as FleetInput;
      mutation?.input?.(fleet);
      const rendered = Object.fromEntries(
        await Promise.all(MEMBERS.map(async (m) => [m, structuredClone(await render(version, fleet[m]))] as const)),
      ) as Record<MemberName, K8sObject[]>;
      mutation?.render?.(rendered);
      const runs: Record<string, MemberRun> = Object.fromEntries(
        MEMBERS.map((m) => [m, { version, render: rendered[m], peerObjects: fleet[m].peers }]),
      );
      const parts = MEMBERS.flatMap((m) =>
        meshProblems(meshView(runs[m]), expectedView(planned[version].facts, m, version)).map((p) => `${m}: ${p.split(":")[0]}`),
      );
      const problems = meshFormProblems(runs);
      found.set(key(mutation, version), { parts, rules: rulesOf(problems), problems });
    };
    await Promise.all([...VERSIONS.map((v) => check(v)), ...MUTATIONS.map((m) => check(m.version, m))]);
  });
  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    resetRootStack();
  });

  for (const version of VERSIONS) {
    it(`finds no problem in what programs/kind-mesh runs with on chart ${version}`, () => {
      assert.deepEqual(found.get(key(undefined, version)), { parts: [], rules: [], problems: [] });
    });
  }

  for (const mutation of MUTATIONS) {
    const broken = [...mutation.parts, ...mutation.rules.map((r) => `rule ${r}`)].join(", ");
    it(`reports ${broken} on chart ${mutation.version} when ${mutation.sentence}`, () => {
      const { parts, rules, problems } = found.get(key(mutation, mutation.version))!;
      assert.deepEqual(
        { parts, rules: [...rules].sort() },
        { parts: mutation.parts, rules: [...mutation.rules].sort() },
        problems.join("\n"),
      );
    });
  }
});
