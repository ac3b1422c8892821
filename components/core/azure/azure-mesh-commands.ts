// Shell fragments for the Azure Fleet ClusterMeshProfile lifecycle that azure-native does not model
// (`az fleet clustermeshprofile apply` is a POST action). Plain strings, no Pulumi: tested by running them.
import { shellQuote } from "../shell";

/** The label key the teardown selector uses. No member ever carries it, so the selector picks nobody. */
export const MESH_TEARDOWN_LABEL_KEY = "fleetmesh.io/mesh-teardown";

/** Written on a detached member only when removing its mesh label would leave it with no labels at all. */
export const DETACHED_LABEL_KEY = "fleetmesh.io/detached";

/** Fleet's own read-only member labels, set on every member by Azure Fleet Manager (Azure/fleet#1146): never written back. */
const FLEET_OWNED_LABEL_PREFIX = "fleet.azure.com/";

/** The selector a mesh is switched to before its profile is deleted: it picks no member. */
export function teardownSelector(meshName: string): string {
  return `${MESH_TEARDOWN_LABEL_KEY}=${meshName}`;
}

// Reads a FleetMember's labels (JSON on stdin). When `key` still has `value`, prints the
// `--labels` words of the same map without `key`; prints nothing when the label has moved on (a later
// run put the member in another mesh), so detaching never overwrites labels it did not set.
const LABELS_WITHOUT_KEY_JS = [
  `let raw = "";`,
  `process.stdin.on("data", (chunk) => (raw += chunk)).on("end", () => {`,
  `  const labels = JSON.parse(raw || "null") || {};`,
  `  const [key, value, member] = process.argv.slice(1);`,
  `  if (labels[key] !== value) return;`,
  `  const kept = Object.entries(labels).filter(([k]) => k !== key && !k.startsWith(${JSON.stringify(FLEET_OWNED_LABEL_PREFIX)}));`,
  `  if (kept.length === 0) kept.push([${JSON.stringify(DETACHED_LABEL_KEY)}, member]);`,
  `  const quote = (s) => "'" + s.replace(/'/g, "'\\\\''") + "'";`,
  `  console.log(kept.map(([k, v]) => quote(k + "=" + v)).join(" "));`,
  `});`,
].join("\n");

/**
 * A pipeline stage (`… | labelsWithout(…)`) turning a member's current labels into the `--labels`
 * arguments that take it out of the mesh selected by `key=value`, or into nothing when it is no
 * longer selected by it. Runs on the machine running `pulumi`, which always has node.
 */
export function labelsWithoutMeshLabel(key: string, value: string, member: string): string {
  return `node -e ${shellQuote(LABELS_WITHOUT_KEY_JS)} ${shellQuote(key)} ${shellQuote(value)} ${shellQuote(member)}`;
}

/** A mesh's profile as `az fleet clustermeshprofile` arguments. */
export interface MeshProfileTarget {
  resourceGroupName: string;
  fleetName: string;
  meshName: string;
}

function targetArgs(target: MeshProfileTarget): string {
  return `--resource-group ${target.resourceGroupName} --fleet-name ${target.fleetName} --name ${target.meshName}`;
}

/** Applies the profile: its selector decides who is in the mesh (a POST action azure-native does not model). */
export function applyMeshScript(target: MeshProfileTarget): string {
  return `az fleet clustermeshprofile apply ${targetArgs(target)}`;
}

/** A shell loop that waits (up to 10 minutes) until `probe` prints `expected`. */
export function waitUntilScript(probe: string, expected: string): string {
  return `for i in $(seq 1 60); do [ "$(${probe})" = "${expected}" ] && exit 0; sleep 10; done; echo "timed out waiting for the mesh membership to change" >&2; exit 1`;
}

/**
 * Tears a mesh down without the member/profile deletion deadlock (a member in a mesh cannot be
 * deleted, a profile with members cannot be deleted; Azure/azure-cli-extensions src/fleet and
 * MicrosoftDocs/azure-aks-docs articles/kubernetes-fleet/howto-configure-use-cross-cluster-networking.md):
 * select nobody, apply, wait for the member list to empty; then the engine deletes the profile, then
 * the members.
 */
export function meshTeardownScript(target: MeshProfileTarget): string {
  const listed = `az fleet clustermeshprofile list-members ${targetArgs(target)} --query 'length(@)' -o tsv`;
  return `az fleet clustermeshprofile create ${targetArgs(target)} --member-selector ${teardownSelector(target.meshName)} && ${applyMeshScript(target)} && ${waitUntilScript(listed, "0")}`;
}

/**
 * Takes one member out of the mesh before its FleetMember is deleted: reads its labels at delete time,
 * removes the mesh label only if it still selects this mesh (labels set by later runs are kept),
 * applies, and waits until the member has left.
 */
export function memberDetachScript(
  target: MeshProfileTarget,
  member: { name: string; resourceId: string; apiVersion: string },
  byLabel: string,
): string {
  const [labelKey, labelValue] = byLabel.split("=");
  const newLabels = `az resource show --ids ${member.resourceId} --api-version ${member.apiVersion} --query properties.labels -o json | ${labelsWithoutMeshLabel(labelKey, labelValue, member.name)}`;
  const relabel = `az fleet member update --resource-group ${target.resourceGroupName} --fleet-name ${target.fleetName} --name ${member.name} --labels`;
  const left = `az fleet clustermeshprofile list-members ${targetArgs(target)} --query "length([?name=='${member.name}'])" -o tsv`;
  return `labels=$(${newLabels}) && { [ -z "$labels" ] || eval "${relabel} $labels"; } && ${applyMeshScript(target)} && ${waitUntilScript(left, "0")}`;
}
