import { Taint, Toleration } from "../types";
import { Plugin } from "../framework/plugin";
import { SUCCESS, unschedulable } from "../framework/status";

// KubeFleet tainttoleration plugin (PickAll and PickN; PickFixed never looks at taints).

const NAME = "TaintToleration";

/** KubeFleet's own matcher: an empty operator matches nothing (the API defaults it to Equal first). */
export function tolerates(toleration: Toleration, taint: Taint): boolean {
  const effectMatches = !toleration.effect || toleration.effect === taint.effect;
  switch (toleration.operator) {
    case "Exists":
      return (!toleration.key || toleration.key === taint.key) && effectMatches;
    case "Equal":
      return toleration.key === taint.key && (toleration.value ?? "") === (taint.value ?? "") && effectMatches;
    default:
      return false;
  }
}

/** Go's `%+v` of a *Taint, as upstream prints it in the filter reason. */
export function describeTaint(taint: Taint): string {
  return `&{Key:${taint.key} Value:${taint.value ?? ""} Effect:${taint.effect}}`;
}

/** The first taint no toleration tolerates, in taint order. */
export function firstUntoleratedTaint(taints: readonly Taint[], tolerations: readonly Toleration[]): Taint | undefined {
  return taints.find((taint) => !tolerations.some((toleration) => tolerates(toleration, taint)));
}

export const taintToleration: Plugin = {
  name: NAME,
  bindingIndependent: true,
  filter(state, cluster) {
    const taint = firstUntoleratedTaint(cluster.spec?.taints ?? [], state.policy.tolerations ?? []);
    return taint ? unschedulable(NAME, `taint ${describeTaint(taint)} cannot be tolerated`) : SUCCESS;
  },
};
