/**
 * The stack output a Placement reads its previous bindings from by default: the placement's name in
 * camelCase plus "PlacementState" ("pick-all-production" → "pickAllProductionPlacementState"), the
 * name a TypeScript program can export (`export const pickAllProductionPlacementState = p.state`).
 */
export function placementStateOutputName(placementName: string): string {
  const words = placementName.split(/[^A-Za-z0-9]+/).filter((word) => word.length > 0);
  const camel = words.map((word, i) => (i === 0 ? word[0].toLowerCase() : word[0].toUpperCase()) + word.slice(1)).join("");
  return `${camel}PlacementState`;
}
