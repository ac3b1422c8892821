import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import { labelsWithoutMeshLabel, teardownSelector } from "../../components/core/azure/azure-mesh-commands";

/** Runs the stage as the detach command does: the member's labels (ARM JSON) on stdin. */
function run(stage: string, labelsJson: string): string {
  return execFileSync("/bin/sh", ["-c", stage], { input: labelsJson }).toString().trim();
}

describe("labelsWithoutMeshLabel: the labels a detached member keeps", () => {
  const stage = labelsWithoutMeshLabel("fleetmesh.io/mesh", "prod", "east-1");
  const cases: Array<{ name: string; labels: string; expected: string }> = [
    {
      name: "drops the mesh label and keeps the others, shell-quoted",
      labels: '{"fleetmesh.io/mesh":"prod","team":"it\'s ops"}',
      expected: `'team=it'\\''s ops'`,
    },
    {
      name: "leaves a marker label when the mesh label was the only one",
      labels: '{"fleetmesh.io/mesh":"prod"}',
      expected: "'fleetmesh.io/detached=east-1'",
    },
    {
      name: "changes nothing when a later run moved the member to another mesh",
      labels: '{"fleetmesh.io/mesh":"dev","team":"a"}',
      expected: "",
    },
    { name: "changes nothing when the member has no labels", labels: "null", expected: "" },
    {
      name: "never writes back Fleet's own read-only labels",
      labels: '{"fleetmesh.io/mesh":"prod","fleet.azure.com/location":"westus","b":"2"}',
      expected: "'b=2'",
    },
  ];
  for (const { name, labels, expected } of cases) it(name, () => assert.equal(run(stage, labels), expected));
});

describe("teardownSelector", () => {
  it("selects by a key no member carries, distinct from the detached marker", () => {
    assert.equal(teardownSelector("prod"), "fleetmesh.io/mesh-teardown=prod");
  });
});
