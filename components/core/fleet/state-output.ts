// The stack output a component reads its previous run's state from by default: its name in
// camelCase plus a suffix, so several fleets (or placements) in one program keep their state apart.
// Pure: no Pulumi import.

/** "kind-mesh" → "kindMesh": the name a TypeScript program can export. */
export function camelCaseName(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter((word) => word.length > 0);
  return words.map((word, i) => (i === 0 ? word[0].toLowerCase() : word[0].toUpperCase()) + word.slice(1)).join("");
}

/** "kind-mesh" → "kindMeshFleetState" (`export const kindMeshFleetState = fleet.state`). */
export function fleetStateOutputName(fleetName: string): string {
  return `${camelCaseName(fleetName)}FleetState`;
}
