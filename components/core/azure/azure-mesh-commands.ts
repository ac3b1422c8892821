// Shell fragments for the Azure Fleet ClusterMeshProfile lifecycle that azure-native does not model
// (`az fleet clustermeshprofile apply` is a POST action). Plain strings, no Pulumi: tested by running them.
import { shellQuote } from "../shell";

/** The label key the teardown selector uses. No member ever carries it, so the selector picks nobody. */
export const MESH_TEARDOWN_LABEL_KEY = "fleetmesh.io/mesh-teardown";

/** Written on a detached member only when removing its mesh label would leave it with no labels at all. */
export const DETACHED_LABEL_KEY = "fleetmesh.io/detached";

/** Fleet's own read-only member labels (azure-fleet-and-pulumi.md §3): never written back. */
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
