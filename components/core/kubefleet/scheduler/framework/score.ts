import { MemberCluster } from "../types";

/** Upstream `framework.ClusterScore`; the obsolete-placement score is internal only. */
export interface Score {
  topologySpreadScore: number;
  affinityScore: number;
  obsoletePlacementAffinityScore: number;
}

export interface ScoredCluster {
  cluster: MemberCluster;
  score: Score;
}

export const ZERO_SCORE: Score = Object.freeze({ topologySpreadScore: 0, affinityScore: 0, obsoletePlacementAffinityScore: 0 });

/** A plugin's part of the score: the given components, zeros elsewhere. */
export function scorePart(part: Partial<Score>): Score {
  return {
    topologySpreadScore: part.topologySpreadScore ?? 0,
    affinityScore: part.affinityScore ?? 0,
    obsoletePlacementAffinityScore: part.obsoletePlacementAffinityScore ?? 0,
  };
}

/** Upstream `ClusterScore.Less`: topology spread first, then affinity, then the obsolete-placement bonus. */
export function compareScores(a: Score, b: Score): number {
  return compareScoreParts(
    a.topologySpreadScore,
    a.affinityScore,
    a.obsoletePlacementAffinityScore,
    b.topologySpreadScore,
    b.affinityScore,
    b.obsoletePlacementAffinityScore,
  );
}

/** The same order over loose numbers, for callers that keep scores in columns. */
export function compareScoreParts(
  topologyA: number,
  affinityA: number,
  obsoleteA: number,
  topologyB: number,
  affinityB: number,
  obsoleteB: number,
): number {
  return topologyA - topologyB || affinityA - affinityB || obsoleteA - obsoleteB;
}

/**
 * Rank order: the better score first; equal scores put the lexicographically *greater* name first
 * (upstream sorts with sort.Reverse over a Less that breaks ties by the smaller name).
 */
export function ranksBeforeBy(scoreOrder: number, nameA: string, nameB: string): boolean {
  return (scoreOrder || compareNames(nameA, nameB)) > 0;
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Best first. Upstream sorts with `sort.Reverse` over a Less that breaks score ties by the smaller
 * name, so equal scores put the lexicographically *greater* name first.
 */
export function rankBestFirst(scored: ScoredCluster[]): ScoredCluster[] {
  return [...scored].sort((x, y) => (ranksBefore(x, y) ? -1 : ranksBefore(y, x) ? 1 : 0));
}

/**
 * The best `count` of the items 0..size-1, best first, by insertion into a short list (cheaper than a
 * sort for a small `count`).
 */
export function topByRank(size: number, count: number, ranksBefore: (a: number, b: number) => boolean): number[] {
  const top: number[] = [];
  for (let candidate = 0; candidate < size; candidate++) {
    let at = top.length;
    while (at > 0 && ranksBefore(candidate, top[at - 1])) at--;
    if (at < count) {
      top.splice(at, 0, candidate);
      if (top.length > count) top.pop();
    }
  }
  return top;
}

function ranksBefore(x: ScoredCluster, y: ScoredCluster): boolean {
  return ranksBeforeBy(compareScores(x.score, y.score), x.cluster.metadata.name, y.cluster.metadata.name);
}

export { compareNames };
