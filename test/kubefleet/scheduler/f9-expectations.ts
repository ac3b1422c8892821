// Policies, expected results and whole scenario steps on the F9 fleet (see fixtures.ts) that more
// than one integration file asserts. Each one is a single fact about upstream's scheduler; a file
// that states the same fact uses the name here instead of restating the table. fixtures.ts keeps
// the fleet and the builders; it is close to the 600-line limit, hence this separate module.

import type {
  ClusterSelectorTerm,
  MemberCluster,
  PlacementPolicy,
  TopologySpreadConstraint,
} from "../../../components/core/kubefleet/scheduler/types";
import {
  AVAILABLE_CPU,
  C1,
  C2,
  C3,
  C4,
  C5,
  C6,
  C7,
  C8_UNHEALTHY,
  C9_LEFT,
  F9_HEALTHY,
  PROVISIONAL,
  REASON_AFFINITY,
  REASON_C8,
  ScenarioStep,
  StepExpectation,
  f9Clusters,
  f9IneligibleFiltered,
  filtered,
  fixedScheduledB,
  fixedSelected,
  fulfilled,
  notPicked,
  reasonTopology,
  scheduledB,
  selected,
  unscheduledB,
  updateCluster,
} from "./fixtures";

const F9 = f9Clusters();

// ---------------------------------------------------------------------------------------------
// Policies
// ---------------------------------------------------------------------------------------------

/** PickAll with the given required cluster selector terms (OR-ed). */
export function pickAllRequired(...terms: ClusterSelectorTerm[]): PlacementPolicy {
  return {
    placementType: "PickAll",
    affinity: { clusterAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { clusterSelectorTerms: terms } } },
  };
}

export function pickN(n: number, extra: Omit<PlacementPolicy, "placementType" | "numberOfClusters"> = {}): PlacementPolicy {
  return { placementType: "PickN", numberOfClusters: n, ...extra };
}

export function tsc(topologyKey: string, whenUnsatisfiable: "DoNotSchedule" | "ScheduleAnyway", maxSkew = 1): TopologySpreadConstraint {
  return { maxSkew, topologyKey, whenUnsatisfiable };
}

/** region=east and env In [prod]: clusters 1, 2 (and the unhealthy 8). */
export const EAST_PROD: ClusterSelectorTerm = {
  labelSelector: {
    matchLabels: { region: "east" },
    matchExpressions: [{ key: "env", operator: "In", values: ["prod"] }],
  },
};

/** region=central and env In [prod]: clusters 4, 5 (and the leaving 9). */
export const CENTRAL_PROD: ClusterSelectorTerm = {
  labelSelector: {
    matchLabels: { region: "central" },
    matchExpressions: [{ key: "env", operator: "In", values: ["prod"] }],
  },
};

/** PickN n, required EAST_PROD. */
export function pickNRequiringEastProd(n: number): PlacementPolicy {
  return pickN(n, {
    affinity: { clusterAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { clusterSelectorTerms: [EAST_PROD] } } },
  });
}

/** PickN n, preferred CENTRAL_PROD with weight 10. */
export function pickNPreferringCentralProd(n: number): PlacementPolicy {
  return pickN(n, {
    affinity: { clusterAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: CENTRAL_PROD }] } },
  });
}

/** PickN n, region DoNotSchedule with maxSkew 1. */
export function pickNRegionSpread(n: number): PlacementPolicy {
  return pickN(n, { topologySpreadConstraints: [tsc("region", "DoNotSchedule")] });
}

/** PickN n, required region NotIn [west], region DoNotSchedule with maxSkew 1. */
export function pickNOutsideWestRegionSpread(n: number): PlacementPolicy {
  return pickN(n, {
    affinity: {
      clusterAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          clusterSelectorTerms: [{ labelSelector: { matchExpressions: [{ key: "region", operator: "NotIn", values: ["west"] }] } }],
        },
      },
    },
    topologySpreadConstraints: [tsc("region", "DoNotSchedule")],
  });
}

/** PickAll, required env=prod and region In [east, west]: clusters 1, 2, 6 (and the unhealthy 8). */
export const PICKALL_EAST_OR_WEST_PROD: PlacementPolicy = pickAllRequired({
  labelSelector: {
    matchLabels: { env: "prod" },
    matchExpressions: [{ key: "region", operator: "In", values: ["east", "west"] }],
  },
});

/** PickAll, required available cpu >= 6: clusters 3 and 5 on F9. */
export const PICKALL_AVAILABLE_CPU_AT_LEAST_6: PlacementPolicy = pickAllRequired({
  propertySelector: { matchExpressions: [{ name: AVAILABLE_CPU, operator: "Ge", values: ["6"] }] },
});

/** A copy of the fleet with the available cpu of the named clusters replaced (a property refresh). */
export function withAvailableCpu(clusters: MemberCluster[], values: Record<string, string>): MemberCluster[] {
  let out = clusters;
  for (const [n, v] of Object.entries(values)) {
    out = updateCluster(out, n, (mc) => {
      mc.status!.resourceUsage!.available!.cpu = v;
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Expected results
// ---------------------------------------------------------------------------------------------

/** PickAll (or no policy) over F9 from scratch: 1-7 created in name order; 8 and 9 filtered. */
export const F9_PICKALL_EXPECT: StepExpectation = {
  bindings: F9_HEALTHY.map((c) => scheduledB(c)),
  decisions: [...F9_HEALTHY.map((c) => selected(c)), ...f9IneligibleFiltered()],
  condition: fulfilled(7),
};

/** F9_PICKALL_EXPECT after a healthy, tolerated PROVISIONAL cluster joins: its binding is created first, 1-7 kept. */
export const F9_PICKALL_PROVISIONAL_JOINED_EXPECT: StepExpectation = {
  bindings: [...F9_HEALTHY, PROVISIONAL].map((c) => scheduledB(c)),
  decisions: [selected(PROVISIONAL), ...F9_HEALTHY.map((c) => selected(c)), ...f9IneligibleFiltered()],
  condition: fulfilled(8),
};

/** PickFixed [1, 4, 6] on F9 (taints, if any, ignored): scheduled without scores, in list order. */
export const F9_PICKFIXED_1_4_6_EXPECT: StepExpectation = {
  bindings: [C1, C4, C6].map(fixedScheduledB),
  decisions: [C1, C4, C6].map(fixedSelected),
  condition: fulfilled(3),
};

/** PickN 3 on F9 when every eligible cluster scores 0/0: ties go to the greatest names (7, 6, 5). */
export const F9_PICKN3_TIES_EXPECT: StepExpectation = {
  bindings: [C5, C6, C7].map((c) => scheduledB(c)),
  decisions: [
    selected(C7),
    selected(C6),
    selected(C5),
    notPicked(C4),
    notPicked(C3),
    notPicked(C2),
    notPicked(C1),
    ...f9IneligibleFiltered(),
  ],
  condition: fulfilled(3),
};

/** pickNRequiringEastProd(2) on F9 (any taints on 1, 2 tolerated): 2, 1. */
export const F9_PICKN2_EAST_PROD_EXPECT: StepExpectation = {
  bindings: [scheduledB(C1), scheduledB(C2)],
  decisions: [
    selected(C2),
    selected(C1),
    ...[C3, C4, C5, C6, C7, C9_LEFT].map((c) => filtered(c, REASON_AFFINITY)),
    filtered(C8_UNHEALTHY, REASON_C8),
  ],
  condition: fulfilled(2),
};

/** pickNRegionSpread(2) on F9: 7 in iteration 1, then 5; 6 violates the constraint. */
export const F9_PICKN2_REGION_SPREAD_EXPECT: StepExpectation = {
  bindings: [scheduledB(C5, 0, 0), scheduledB(C7, 0, -1)],
  decisions: [
    selected(C5, 0, 0), // iteration 2: central/east keep the skew (0), west would make it 2
    selected(C7, 0, -1), // iteration 1: every cluster +1; greatest name wins
    notPicked(C4),
    notPicked(C3),
    notPicked(C2),
    notPicked(C1),
    filtered(C6, reasonTopology("region", 1)),
    ...f9IneligibleFiltered(),
  ],
  condition: fulfilled(2),
};

// ---------------------------------------------------------------------------------------------
// Whole steps
// ---------------------------------------------------------------------------------------------

/** No policy on F9 from scratch. */
export const F9_NO_POLICY_STEP: ScenarioStep = { title: "F9, no policy", clusters: F9, expect: F9_PICKALL_EXPECT };

/** PickN 3 without affinity or spread constraints on F9 from scratch. */
export const PICKN3_TIES_STEP: ScenarioStep = { title: "N=3", clusters: F9, policy: pickN(3), expect: F9_PICKN3_TIES_EXPECT };

/** After PICKN3_TIES_STEP, N=1 (same policy hash): the lowest-ranked scheduled bindings 5, 6 are unscheduled, 7 kept. */
export const PICKN_DOWNSCALE_3_TO_1_STEP: ScenarioStep = {
  title: "N=1",
  clusters: F9,
  policy: pickN(1),
  samePolicyHashAsPrevious: true,
  expect: {
    bindings: [unscheduledB(C5, "Scheduled", selected(C5)), unscheduledB(C6, "Scheduled", selected(C6)), scheduledB(C7)],
    decisions: [selected(C7)],
    condition: fulfilled(1),
  },
};

/** pickNRequiringEastProd(2) on F9 from scratch. */
export const PICKN2_EAST_PROD_STEP: ScenarioStep = {
  title: "N=2, required east & prod",
  clusters: F9,
  policy: pickNRequiringEastProd(2),
  expect: F9_PICKN2_EAST_PROD_EXPECT,
};

/** pickNPreferringCentralProd(4) on F9 from scratch: 5, 4 (10), then 7, 6 (0). */
export const PICKN4_PREFER_CENTRAL_PROD_STEP: ScenarioStep = {
  title: "N=4, preferred w10 central & prod",
  clusters: F9,
  policy: pickNPreferringCentralProd(4),
  expect: {
    bindings: [scheduledB(C4, 10), scheduledB(C5, 10), scheduledB(C6), scheduledB(C7)],
    decisions: [
      selected(C5, 10),
      selected(C4, 10),
      selected(C7),
      selected(C6),
      notPicked(C3),
      notPicked(C2),
      notPicked(C1),
      ...f9IneligibleFiltered(),
    ],
    condition: fulfilled(4),
  },
};
