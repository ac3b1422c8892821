import { strict as assert } from "assert";
import * as fs from "fs";
import { resetRootStack } from "../../plan/run-program";
import { helmBinary } from "../support/helm";
import { expectedView } from "./expected-view";
import { chartFile, helmTemplate, pool } from "./helm-template";
import { meshProblems, meshView } from "./mesh-view";
import { planProgram } from "./planned-values";
import { workDir } from "./scenarios";
import { generateTestCa, withCa } from "./test-ca";

// The check of cilium-chart.test.ts catches values that break the mesh: valid values of
// programs/kind-mesh, changed one way each, rendered by the real chart, compared with the mesh the
// fleet's facts call for. Each row names the parts of what Cilium runs with that must come out wrong.

type Values = Record<string, any>;

const VERSION = "1.20.0";
const MEMBER = "cluster1";

const MUTATIONS: Array<[string, (values: Values) => void, string[]]> = [
  ["a peer's port is off by one", (v) => void (v.clustermesh.config.clusters[0].port += 1), ["kvstoremeshSecret"]],
  [
    "a peer's node IP is wrong",
    (v) => void (v.clustermesh.config.clusters[0].ips = ["172.18.0.99"]),
    ["kvstoremeshSecret", "apiserverHostAliases"],
  ],
  [
    "the peer is dropped from this side only",
    (v) => void (v.clustermesh.config.clusters = []),
    ["clustermeshSecret", "kvstoremeshSecret", "apiserverHostAliases", "remoteUsers"],
  ],
  [
    "clustermesh.useAPIServer is off",
    (v) => void (v.clustermesh.useAPIServer = false),
    ["clustermeshSecret", "kvstoremeshSecret", "apiserverHostAliases", "agentHostAliases", "apiserverService", "remoteUsers", "certgen"],
  ],
  [
    "KVStoreMesh is off",
    (v) => void (v.clustermesh.apiserver.kvstoremesh.enabled = false),
    ["clustermeshSecret", "kvstoremeshSecret", "apiserverHostAliases", "agentHostAliases", "certgen"],
  ],
  ["its own clustermesh-apiserver NodePort moves", (v) => void (v.clustermesh.apiserver.service.nodePort = 32100), ["apiserverService"]],
  ["the cluster id changes", (v) => void (v.cluster.id = 7), ["identity"]],
  [
    "tls.authMode is legacy (one shared remote user)",
    (v) => void (v.clustermesh.apiserver.tls.authMode = "legacy"),
    ["remoteUsers", "certgen"],
  ],
];

describe("the rendered-mesh check, on broken values", function () {
  this.timeout(300_000);
  let dir: string;
  /** Mutation (undefined: none) → the problems the check reports for its render. */
  const problems = new Map<string | undefined, string[]>();

  before(async () => {
    dir = workDir();
    const [helm, ca, planned] = [
      (await helmBinary()).path,
      generateTestCa(dir),
      await planProgram("kind-mesh", "kind-mesh", { ciliumVersion: VERSION }),
    ];
    const valid = planned.releases.find((r) => r.member === MEMBER)!.values;
    const expected = expectedView(planned.facts, MEMBER, VERSION);
    const limit = pool(4);
    const check = async (mutation: string | undefined, values: Values) => {
      const rendered = await limit(() => helmTemplate(helm, chartFile(VERSION), withCa(values, ca), dir));
      problems.set(mutation, meshProblems(meshView(rendered.objects), expected));
    };
    const mutated = (mutate: (values: Values) => void) => {
      const copy = structuredClone(valid);
      mutate(copy);
      return copy;
    };
    await Promise.all([check(undefined, valid), ...MUTATIONS.map(([mutation, mutate]) => check(mutation, mutated(mutate)))]);
  });
  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    resetRootStack();
  });

  it(`finds no problem in the planned values of ${MEMBER} on chart ${VERSION}`, () => {
    assert.deepEqual(problems.get(undefined), []);
  });

  for (const [mutation, , parts] of MUTATIONS) {
    it(`reports ${parts.join(", ")} when ${mutation}`, () => {
      const found = problems.get(mutation)!;
      assert.deepEqual(
        found.map((p) => p.split(":")[0]),
        parts,
        found.join("\n"),
      );
    });
  }
});
