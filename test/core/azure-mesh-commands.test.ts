import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  MESH_COMMAND_SCRIPTS,
  MESH_PROGRAM,
  MeshCheck,
  meshCheckCommand,
  meshEnvironment,
  parseMeshCheck,
  teardownSelector,
  undeclaredMembersWarning,
} from "../../components/core/azure/azure-mesh-commands";
import { FLEET_API_VERSION } from "../../components/core/azure/mesh-api-version";
import { CLUSTER_MESH_PROFILE_API_VERSION } from "../../components/cluster-mesh";
import { OldResource, planSteps } from "../../plan/engine-steps";

const TARGET = { subscription: "sub-1", resourceGroupName: "fleet-rg", fleetName: "hub", meshName: "prod" };
const MEMBERSHIP = { byLabel: "mesh=prod", members: ["west", "east"] };

describe("the Azure mesh Command's inputs", () => {
  it("puts the target and the membership in the environment, members sorted, the subscription only when known", () => {
    assert.deepEqual(
      [meshEnvironment(TARGET, MEMBERSHIP), meshEnvironment({ ...TARGET, subscription: undefined }, MEMBERSHIP).FLEETMESH_AZ_SUBSCRIPTION],
      [
        {
          FLEETMESH_AZ_SUBSCRIPTION: "sub-1",
          FLEETMESH_AZ_RESOURCE_GROUP: "fleet-rg",
          FLEETMESH_AZ_FLEET: "hub",
          FLEETMESH_MESH_PROFILE: "prod",
          FLEETMESH_MESH_SELECTOR: "mesh=prod",
          FLEETMESH_MESH_MEMBERS: "east,west",
        },
        undefined,
      ],
    );
  });

  it("hands the program over on stdin once: create and update reconcile, delete tears down", () => {
    assert.deepEqual(MESH_COMMAND_SCRIPTS, {
      create: "node - reconcile",
      update: "node - reconcile",
      delete: "node - teardown",
      stdin: MESH_PROGRAM,
    });
  });

  it("the program parses, and refuses an unknown mode loudly", () => {
    execFileSync(process.execPath, ["--check", "-"], { input: MESH_PROGRAM });
    let failure: { status: number; stderr: string } | undefined;
    try {
      execFileSync(process.execPath, ["-", "bogus"], { input: MESH_PROGRAM, stdio: "pipe" });
    } catch (error) {
      const e = error as { status: number; stderr: Buffer };
      failure = { status: e.status, stderr: e.stderr.toString() };
    }
    assert.deepEqual(failure, { status: 1, stderr: 'fleetmesh: unknown mode "bogus": reconcile, teardown or check\n' });
  });

  it("the teardown selector picks by a key no member carries", () => {
    assert.equal(teardownSelector("prod"), "fleetmesh.io/mesh-teardown=prod");
  });

  it("the Fleet API version is written once, and the profile uses it", () => {
    assert.deepEqual([FLEET_API_VERSION, CLUSTER_MESH_PROFILE_API_VERSION], ["2026-03-02-preview", "2026-03-02-preview"]);
  });
});

describe("the preview's check for members the selector picks that the program does not declare", () => {
  it("is one shell command that quotes every value, and says why it was skipped when az is not there", () => {
    const odd = { ...TARGET, resourceGroupName: "it's a group" };
    // A PATH with node and nothing else.
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "fleetmesh-node-only-"));
    fs.symlinkSync(process.execPath, path.join(bin, "node"));
    let stdout: string;
    try {
      stdout = execFileSync("/bin/sh", ["-c", meshCheckCommand(odd, MEMBERSHIP)], { env: { PATH: bin } }).toString();
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
    assert.deepEqual(parseMeshCheck(stdout), {
      skipped: "az is not on PATH: the Azure CLI with the fleet extension runs the cluster mesh profile steps",
    });
  });

  const cases: Array<{ name: string; stdout: string; expected: MeshCheck | undefined }> = [
    {
      name: "reads the what-if's answer",
      stdout: '{"undeclared":["legacy"],"source":"what-if"}\n',
      expected: { undeclared: ["legacy"], source: "what-if" },
    },
    {
      name: "reads the member list's answer after other lines",
      stdout: 'noise\n{"undeclared":[],"source":"member-list"}\n',
      expected: { undeclared: [], source: "member-list" },
    },
    { name: "reads why it was skipped", stdout: '{"skipped":"Please run \'az login\'"}\n', expected: { skipped: "Please run 'az login'" } },
    { name: "finds nothing in output that is not its own", stdout: '{"other":1}\nnot json\n', expected: undefined },
  ];
  for (const { name, stdout, expected } of cases) it(name, () => assert.deepEqual(parseMeshCheck(stdout), expected));

  const warnings: Array<{ name: string; check: MeshCheck | undefined; expected: string | undefined }> = [
    {
      name: "warns naming the undeclared members and what up and destroy do to them",
      check: { undeclared: ["legacy-1", "legacy-2"], source: "what-if" },
      expected:
        'mesh "prod": its selector mesh=prod also picks fleet members this program does not declare (legacy-1, legacy-2). ' +
        "`pulumi up` applies the cluster mesh profile to them as well, and removing the mesh (or `pulumi destroy`) disconnects them. " +
        "Change their labels, or the mesh's selector, to keep them out.",
    },
    { name: "says nothing when every selected member is declared", check: { undeclared: [], source: "member-list" }, expected: undefined },
    { name: "says nothing when the check was skipped", check: { skipped: "az is not on PATH" }, expected: undefined },
    { name: "says nothing when the check did not answer", check: undefined, expected: undefined },
  ];
  for (const { name, check, expected } of warnings)
    it(name, () => assert.equal(undeclaredMembersWarning("prod", "mesh=prod", check), expected));
});

describe("why one Command owns a profile's applies (the engine's delete order, plan/engine-steps.ts)", () => {
  const command = (name: string, dependencies: string[] = []): OldResource => ({
    urn: `urn:${name}`,
    type: "command:local:Command",
    inputs: { create: "true", delete: `detach ${name}` },
    dependencies: dependencies.map((d) => `urn:${d}`),
  });
  const deleteWaves = (olds: OldResource[], kept: string[]) =>
    planSteps(
      olds,
      olds.filter((r) => kept.includes(r.urn.slice(4))),
    )
      .map((wave) => wave.filter((s) => s.op === "delete").map((s) => s.urn.slice(4)))
      .filter((wave) => wave.length > 0);

  it("per-member detach Commands are deleted in one wave, so their applies would meet", () => {
    const olds = [command("apply"), command("m1", ["apply"]), command("m2", ["apply"]), command("m3", ["apply"])];
    assert.deepEqual(deleteWaves(olds, []), [["m1", "m2", "m3"], ["apply"]]);
  });

  it("chaining them with dependsOn does not help when the member between two leaving ones stays", () => {
    const olds = [command("apply"), command("m1", ["apply"]), command("m2", ["m1"]), command("m3", ["m2"])];
    assert.deepEqual(deleteWaves(olds, ["apply", "m2"]), [["m1", "m3"]]);
  });

  it("the mesh's one Command tears down before the members it depends on are deleted", () => {
    const olds = [command("m1"), command("m2"), command("apply", ["m1", "m2"])];
    assert.deepEqual(deleteWaves(olds, []), [["apply"], ["m1", "m2"]]);
  });
});
