import { strict as assert } from "assert";
import * as fs from "fs";
import { resetRootStack } from "../../plan/run-program";
import { helmBinary } from "../support/helm";
import { expectedView } from "./expected-view";
import { meshFormProblems } from "./mesh-check";
import { meshProblems, meshView } from "./mesh-view";
import { planProgram } from "./planned-values";
import { MemberRender, SCENARIOS, ScenarioRender, memberRuns, mixedTitle, renderScenarios, workDir } from "./scenarios";
import { generateTestCa } from "./test-ca";

// Renders every Cilium values set fleetmesh plans with real Helm and the real Cilium charts
// (test/fixtures/charts), adds the peer objects fleetmesh writes beside each release, and compares
// what Cilium will run with against a mesh computed independently from the fleet's state and
// declaration (expected-view.ts), and checks that the members form their meshes (mesh-check.ts).

describe("Cilium values rendered by the real chart", function () {
  this.timeout(300_000);
  let dir: string;
  let results: Map<string, ScenarioRender>;

  before(async () => {
    dir = workDir();
    const helm = await helmBinary();
    results = await renderScenarios(SCENARIOS, helm.path, generateTestCa(dir), dir);
  });
  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    resetRootStack();
  });

  for (const scenario of SCENARIOS) {
    it(`renders ${scenario.title}, with its peer objects, into the mesh each member expects, and the members form it`, () => {
      const result = results.get(scenario.title)!;
      const runs = memberRuns(result);
      const charts = Object.fromEntries(result.planned.releases.map((r) => [r.member, r.chartVersion]));
      // Per member, each part of its view that differs from the expected one, as a sentence.
      const views = Object.fromEntries(
        Object.entries(runs).map(([m, run]) => [m, meshProblems(meshView(run), expectedView(result.planned.facts, m, scenario.version))]),
      );
      assert.deepEqual(
        { charts, views, problems: meshFormProblems(runs) },
        {
          charts: Object.fromEntries(scenario.members.map((m) => [m, scenario.version])),
          views: Object.fromEntries(scenario.members.map((m) => [m, []])),
          problems: [],
        },
      );
    });
  }

  /** `<scenario>: <member>` of every render the predicate picks. */
  const membersWhere = (picks: (render: MemberRender) => boolean) =>
    [...results].flatMap(([title, { renders }]) =>
      Object.keys(renders)
        .filter((m) => picks(renders[m]))
        .map((m) => `${title}: ${m}`),
    );

  it("renders byte-identical output twice from the same values and CA, for every values set", () => {
    assert.deepEqual(
      membersWhere((r) => r.first.text !== r.second.text),
      [],
    );
  });

  // Chart 1.16 writes tunnel-protocol in its aksbyocni branch and again for `tunnelProtocol` (cilium/cilium
  // install/kubernetes/cilium/templates/cilium-configmap.yaml; cilium/cilium#33456, fixed from 1.17 by #36226).
  // Same value twice; a strict YAML reader refuses the object ("mapping key already defined").
  it("renders no repeated YAML key but chart 1.16's tunnel-protocol for an AKS BYOCNI member (same value twice)", () => {
    const repeated = [...results].flatMap(([title, { renders }]) =>
      Object.entries(renders).flatMap(([m, r]) => r.first.duplicateKeys.map((key) => `${title}: ${m}: ${key}`)),
    );
    assert.deepEqual(repeated, [`${mixedTitle("1.16.19")}: az: ConfigMap cilium-config: tunnel-protocol`]);
  });

  it("plans no Cilium release for programs/aks-fleet, whose members run AKS-managed Cilium", async () => {
    const planned = await planProgram("aks-fleet", "aks-fleet");
    assert.deepEqual([planned.releases, Object.keys(planned.facts.members).sort()], [[], ["east-1", "east-2", "west-1"]]);
  });
});
