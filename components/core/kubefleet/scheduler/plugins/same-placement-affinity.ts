import { Plugin } from "../framework/plugin";
import { SKIP, SUCCESS } from "../framework/status";
import { ZERO_SCORE, scorePart } from "../framework/score";

// KubeFleet sameplacementaffinity plugin: a cluster that already holds a binding of the current
// policy is neither scored nor reported as filtered; a binding of an older policy earns a tie-breaking +1.

const NAME = "SamePlacementAffinity";
const HAS_OBSOLETE_BINDING = Object.freeze(scorePart({ obsoletePlacementAffinityScore: 1 }));
const NO_OBSOLETE_BINDING = ZERO_SCORE;
const ALREADY_SELECTED = Object.freeze({ code: "ClusterAlreadySelected", plugin: NAME } as const);

export const samePlacementAffinity: Plugin = {
  name: NAME,
  filter(state, cluster) {
    return state.selectedClusters.has(cluster.metadata.name) ? ALREADY_SELECTED : SUCCESS;
  },
  // Not an upstream extension point of this plugin: with no obsolete binding every cluster would score 0,
  // so skipping the Score stage for it changes no result.
  preScore(state) {
    return state.obsoleteClusters.size === 0 ? SKIP : SUCCESS;
  },
  score(state, cluster) {
    return state.obsoleteClusters.has(cluster.metadata.name) ? HAS_OBSOLETE_BINDING : NO_OBSOLETE_BINDING;
  },
};
