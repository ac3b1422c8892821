// The inputs of the Command that owns an Azure Fleet ClusterMeshProfile's lifecycle, and of the
// read-only probe a preview runs. Plain strings, no Pulumi: tested by running them (mesh-program.ts).
//
// One Command per profile does every apply of that profile: its create/update reconciles (the members
// this mesh lost are relabelled one by one, members another profile holds leave it first, one apply,
// then poll), its delete tears the mesh down. The engine runs registrations before deletes and the
// deletes of one antichain in parallel (plan/engine-steps.ts planSteps: registrationWaves, then
// deleteWaves), so per-member delete steps that each apply the profile would meet in one wave; a single
// owner of the profile's applies needs no lock and no dependency chain, and it detaches a member leaving
// the fleet during the registration waves, before the member's own delete runs at the end.
import { shellQuote } from "../shell";
import { MESH_PROGRAM, MESH_TEARDOWN_LABEL_KEY } from "./mesh-program";

export { MESH_PROGRAM, MESH_TEARDOWN_LABEL_KEY, MESH_RECORD_KEY, DETACHED_LABEL_VALUE } from "./mesh-program";

/** The selector a mesh is switched to before its profile is deleted: it picks no member. */
export function teardownSelector(meshName: string): string {
  return `${MESH_TEARDOWN_LABEL_KEY}=${meshName}`;
}

/** A mesh's profile, as the program reaches it with `az`. */
export interface MeshProfileTarget {
  /** The subscription the Fleet is in (every `az` call names it); undefined: az's default subscription. */
  subscription?: string;
  resourceGroupName: string;
  fleetName: string;
  meshName: string;
}

/** Who should be in the mesh: its selector and the members this program declares in it. */
export interface MeshMembership {
  /** Azure's `memberSelector.byLabel` (`key=value`). */
  byLabel: string;
  members: readonly string[];
}

/** The environment the program reads its target and membership from (a Command's `environment`). */
export function meshEnvironment(target: MeshProfileTarget, membership: MeshMembership): Record<string, string> {
  return {
    ...(target.subscription ? { FLEETMESH_AZ_SUBSCRIPTION: target.subscription } : {}),
    FLEETMESH_AZ_RESOURCE_GROUP: target.resourceGroupName,
    FLEETMESH_AZ_FLEET: target.fleetName,
    FLEETMESH_MESH_PROFILE: target.meshName,
    FLEETMESH_MESH_SELECTOR: membership.byLabel,
    FLEETMESH_MESH_MEMBERS: [...membership.members].sort().join(","),
  };
}

/**
 * The scripts of the Command that owns the profile's applies: create and update reconcile, delete tears
 * the mesh down. The program reads itself from stdin (`node -`), so the state holds it once.
 */
export const MESH_COMMAND_SCRIPTS = {
  create: "node - reconcile",
  update: "node - reconcile",
  delete: "node - teardown",
  stdin: MESH_PROGRAM,
} as const;

/** The preview's read-only probe, as one shell command (a `local.run` invoke takes no stdin). */
export function meshCheckCommand(target: MeshProfileTarget, membership: MeshMembership): string {
  const assignments = Object.entries(meshEnvironment(target, membership)).map(([name, value]) => `${name}=${shellQuote(value)}`);
  return [...assignments, "node", "-e", shellQuote(MESH_PROGRAM), "check"].join(" ");
}

/** What the probe found: the selected members the program does not declare, or why it could not tell. */
export type MeshCheck = { undeclared: string[]; source: "what-if" | "member-list" } | { skipped: string };

/** The probe's stdout (its last JSON line); undefined when it printed none. */
export function parseMeshCheck(stdout: string): MeshCheck | undefined {
  for (const line of stdout.split("\n").reverse()) {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof value !== "object" || value === null) continue;
    const record = value as Record<string, unknown>;
    if (Array.isArray(record.undeclared) && (record.source === "what-if" || record.source === "member-list")) {
      return { undeclared: record.undeclared.filter((n): n is string => typeof n === "string"), source: record.source };
    }
    if (typeof record.skipped === "string") return { skipped: record.skipped };
  }
  return undefined;
}

/** The preview warning for fleet members a mesh's selector picks that the program does not declare; undefined when there are none. */
export function undeclaredMembersWarning(meshName: string, byLabel: string, check: MeshCheck | undefined): string | undefined {
  if (check === undefined || "skipped" in check || check.undeclared.length === 0) return undefined;
  const list = check.undeclared.join(", ");
  return (
    `mesh "${meshName}": its selector ${byLabel} also picks fleet members this program does not declare (${list}). ` +
    `\`pulumi up\` applies the cluster mesh profile to them as well, and removing the mesh (or \`pulumi destroy\`) disconnects them. ` +
    `Change their labels, or the mesh's selector, to keep them out.`
  );
}
