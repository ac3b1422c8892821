// PickN scenarios transcribed from upstream's real-scheduler integration suite
// test/scheduler/pickn_integration_test.go (F9 fleet, see fixtures.ts). Consequences of upstream's
// PickN code (kubefleet-dev/kubefleet pkg/scheduler/framework/framework.go) that the suite does not
// exercise are in integration-pickn-derived.test.ts.
//
// schedule() runs upstream's requeue loop to its fixed point, so with topology spread constraints
// (batch size 1) a picked cluster's score is the one from the iteration that picked it, while
// not-picked and filtered decisions come from the last iteration. Decision order: created binding
// of the last iteration, patched, scheduled (by name), bound, not picked (best first), filtered
// (name ascending).

import { schedule } from "../../../components/core/kubefleet/scheduler";
import {
  C1,
  C2,
  C3,
  C4,
  C5,
  C6,
  C7,
  C8_UNHEALTHY,
  C9_LEFT,
  REASON_AFFINITY,
  REASON_C8,
  REASON_LEFT,
  Scenario,
  f9Clusters,
  f9IneligibleFiltered,
  filtered,
  fulfilled,
  notPicked,
  reasonTopology,
  runScenario,
  scheduledB,
  selected,
  unfulfilled,
  unscheduledB,
} from "./fixtures";
import {
  CENTRAL_PROD,
  EAST_PROD,
  F9_PICKN2_REGION_SPREAD_EXPECT,
  PICKN2_EAST_PROD_STEP,
  PICKN3_TIES_STEP,
  PICKN4_PREFER_CENTRAL_PROD_STEP,
  PICKN_DOWNSCALE_3_TO_1_STEP,
  pickN,
  pickNOutsideWestRegionSpread,
  pickNRegionSpread,
  tsc,
} from "./f9-expectations";

const F9 = f9Clusters();

const westNotProd = {
  labelSelector: {
    matchLabels: { region: "west" },
    matchExpressions: [{ key: "env", operator: "NotIn" as const, values: ["prod"] }],
  },
};
const eastCanary = {
  labelSelector: {
    matchLabels: { region: "east" },
    matchExpressions: [{ key: "env", operator: "In" as const, values: ["canary"] }],
  },
};

/** Upstream "pick with mixed affinities and topology spread constraints, mixed" policy (N = 3). */
const mixedPolicy = pickN(3, {
  affinity: {
    clusterAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 40, preference: { labelSelector: { matchLabels: { region: "east" } } } }],
      requiredDuringSchedulingIgnoredDuringExecution: {
        clusterSelectorTerms: [{ labelSelector: { matchLabels: { env: "prod" } } }],
      },
    },
  },
  topologySpreadConstraints: [tsc("env", "ScheduleAnyway", 2), tsc("region", "DoNotSchedule", 1)],
});

/** Expected result of mixedPolicy on F9 (no bindings): picks 2, 6, 5 over three iterations. */
const mixedExpect = {
  bindings: [scheduledB(C2, 40, -2), scheduledB(C5, 0, -999), scheduledB(C6, 0, -1)],
  decisions: [
    selected(C5, 0, -999), // created in the last (3rd) iteration
    selected(C2, 40, -2), // picked in iteration 1
    selected(C6, 0, -1), // picked in iteration 2
    notPicked(C4, 0, -999),
    filtered(C1, reasonTopology("region", 1)), // east already has 1, west 1, central 0
    filtered(C3, REASON_AFFINITY),
    filtered(C7, REASON_AFFINITY),
    filtered(C9_LEFT, REASON_LEFT), // env=prod matches, then fails eligibility
    filtered(C8_UNHEALTHY, REASON_C8),
  ],
  condition: fulfilled(3),
};

const scenarios: Scenario[] = [
  {
    // upstream: pickn_integration_test.go "pick N clusters with no affinities/topology spread constraints specified"
    name: "N=3, no affinity: ties go to the greatest names (7, 6, 5)",
    steps: [PICKN3_TIES_STEP],
  },
  {
    // upstream: pickn_integration_test.go "not enough clusters to pick"
    name: "N=10 with 7 eligible clusters: picks all 7, unfulfilled",
    steps: [
      {
        title: "N=10",
        clusters: F9,
        policy: pickN(10),
        expect: {
          bindings: [C1, C2, C3, C4, C5, C6, C7].map((c) => scheduledB(c)),
          decisions: [...[C7, C6, C5, C4, C3, C2, C1].map((c) => selected(c)), ...f9IneligibleFiltered()],
          condition: unfulfilled(7),
        },
      },
    ],
  },
  {
    // upstream: pickn_integration_test.go "pick 0 clusters"
    name: "N=0: no bindings, no decisions, fulfilled",
    steps: [
      {
        title: "N=0",
        clusters: F9,
        policy: pickN(0),
        expect: { bindings: [], decisions: [], condition: fulfilled(0) },
      },
    ],
  },
  {
    // upstream: pickn_integration_test.go "pick with required affinity"
    name: "N=2, required east & env In [prod]: 1, 2",
    steps: [PICKN2_EAST_PROD_STEP],
  },
  {
    // upstream: pickn_integration_test.go "pick with required affinity, multiple terms"
    name: "N=4, required (east & prod) OR (west & not prod): only 1, 2, 7 match, unfulfilled",
    steps: [
      {
        title: "N=4",
        clusters: F9,
        policy: pickN(4, {
          affinity: {
            clusterAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { clusterSelectorTerms: [EAST_PROD, westNotProd] } },
          },
        }),
        expect: {
          bindings: [scheduledB(C1), scheduledB(C2), scheduledB(C7)],
          decisions: [
            selected(C7),
            selected(C2),
            selected(C1),
            ...[C3, C4, C5, C6, C9_LEFT].map((c) => filtered(c, REASON_AFFINITY)),
            filtered(C8_UNHEALTHY, REASON_C8),
          ],
          condition: unfulfilled(3),
        },
      },
    ],
  },
  {
    // upstream: pickn_integration_test.go "pick with preferred affinity"
    name: "N=4, preferred w10 (central & prod): 5, 4 (10), then 7, 6 (0)",
    steps: [PICKN4_PREFER_CENTRAL_PROD_STEP],
  },
  {
    // upstream: pickn_integration_test.go "pick with preferred affinity, multiple terms"
    name: "N=4, preferred w10 (central & prod) + w20 (east & canary): 3 (20), 5, 4 (10), 7",
    steps: [
      {
        title: "N=4",
        clusters: F9,
        policy: pickN(4, {
          affinity: {
            clusterAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                { weight: 10, preference: CENTRAL_PROD },
                { weight: 20, preference: eastCanary },
              ],
            },
          },
        }),
        expect: {
          bindings: [scheduledB(C3, 20), scheduledB(C4, 10), scheduledB(C5, 10), scheduledB(C7)],
          decisions: [
            selected(C3, 20),
            selected(C5, 10),
            selected(C4, 10),
            selected(C7),
            notPicked(C6),
            notPicked(C2),
            notPicked(C1),
            ...f9IneligibleFiltered(),
          ],
          condition: fulfilled(4),
        },
      },
    ],
  },
  {
    // upstream: pickn_integration_test.go "pick with required topology spread constraints"
    name: "N=2, region DoNotSchedule maxSkew 1: 7 (iteration 1), then 5; 6 filtered by the constraint",
    steps: [
      {
        title: "N=2",
        clusters: F9,
        policy: pickNRegionSpread(2),
        expect: F9_PICKN2_REGION_SPREAD_EXPECT,
      },
    ],
  },
  {
    // upstream: pickn_integration_test.go "pick with required topology spread constraints, multiple terms"
    name: "N=2, region + env DoNotSchedule: 7 (-2), then 5 (+1); 3 violates env, 6 violates region",
    steps: [
      {
        title: "N=2",
        clusters: F9,
        policy: pickN(2, { topologySpreadConstraints: [tsc("region", "DoNotSchedule"), tsc("env", "DoNotSchedule")] }),
        expect: {
          bindings: [scheduledB(C5, 0, 1), scheduledB(C7, 0, -2)],
          decisions: [
            selected(C5, 0, 1),
            selected(C7, 0, -2),
            notPicked(C4, 0, 1),
            notPicked(C2, 0, 1),
            notPicked(C1, 0, 1),
            filtered(C3, reasonTopology("env", 1)),
            filtered(C6, reasonTopology("region", 1)),
            ...f9IneligibleFiltered(),
          ],
          condition: fulfilled(2),
        },
      },
    ],
  },
  {
    // upstream: pickn_integration_test.go "pick with preferred topology spread constraints"
    name: "N=2, region ScheduleAnyway: 7, then 5; 6 scored -1000",
    steps: [
      {
        title: "N=2",
        clusters: F9,
        policy: pickN(2, { topologySpreadConstraints: [tsc("region", "ScheduleAnyway")] }),
        expect: {
          bindings: [scheduledB(C5, 0, 0), scheduledB(C7, 0, -1)],
          decisions: [
            selected(C5, 0, 0),
            selected(C7, 0, -1),
            notPicked(C4),
            notPicked(C3),
            notPicked(C2),
            notPicked(C1),
            notPicked(C6, 0, -1000),
            ...f9IneligibleFiltered(),
          ],
          condition: fulfilled(2),
        },
      },
    ],
  },
  {
    // upstream: pickn_integration_test.go "pick with preferred topology spread constraints, multiple terms"
    name: "N=2, region + env ScheduleAnyway: 7, then 5; 6 scored -999, 3 scored -1000",
    steps: [
      {
        title: "N=2",
        clusters: F9,
        policy: pickN(2, { topologySpreadConstraints: [tsc("region", "ScheduleAnyway"), tsc("env", "ScheduleAnyway")] }),
        expect: {
          bindings: [scheduledB(C5, 0, 1), scheduledB(C7, 0, -2)],
          decisions: [
            selected(C5, 0, 1),
            selected(C7, 0, -2),
            notPicked(C4, 0, 1),
            notPicked(C2, 0, 1),
            notPicked(C1, 0, 1),
            notPicked(C6, 0, -999),
            notPicked(C3, 0, -1000),
            ...f9IneligibleFiltered(),
          ],
          condition: fulfilled(2),
        },
      },
    ],
  },
  {
    // upstream: pickn_integration_test.go "pick with mixed affinities and topology spread constraints, required only"
    name: "N=2, required region NotIn [west] + region DoNotSchedule: the empty west domain still counts (5, then 3)",
    steps: [
      {
        title: "N=2",
        clusters: F9,
        policy: pickNOutsideWestRegionSpread(2),
        expect: {
          bindings: [scheduledB(C3, 0, 0), scheduledB(C5, 0, -1)],
          decisions: [
            selected(C3, 0, 0),
            selected(C5, 0, -1),
            notPicked(C2),
            notPicked(C1),
            filtered(C4, reasonTopology("region", 1)),
            filtered(C6, REASON_AFFINITY),
            filtered(C7, REASON_AFFINITY),
            filtered(C9_LEFT, REASON_LEFT),
            filtered(C8_UNHEALTHY, REASON_C8),
          ],
          condition: fulfilled(2),
        },
      },
    ],
  },
  {
    // upstream: pickn_integration_test.go "pick with mixed affinities and topology spread constraints, preferred only"
    name: "N=6, preferred w30 east + env ScheduleAnyway: 3, 2, 1, 7, 6, 5 over six iterations",
    steps: [
      {
        title: "N=6",
        clusters: F9,
        policy: pickN(6, {
          affinity: {
            clusterAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                { weight: 30, preference: { labelSelector: { matchLabels: { region: "east" } } } },
              ],
            },
          },
          topologySpreadConstraints: [tsc("env", "ScheduleAnyway")],
        }),
        expect: {
          bindings: [
            scheduledB(C1, 30, -1),
            scheduledB(C2, 30, 1),
            scheduledB(C3, 30, -1),
            scheduledB(C5, 0, -1000),
            scheduledB(C6, 0, -1),
            scheduledB(C7, 0, 1),
          ],
          decisions: [
            selected(C5, 0, -1000), // 6th iteration
            selected(C1, 30, -1),
            selected(C2, 30, 1),
            selected(C3, 30, -1),
            selected(C6, 0, -1),
            selected(C7, 0, 1),
            notPicked(C4, 0, -1000),
            ...f9IneligibleFiltered(),
          ],
          condition: fulfilled(6),
        },
      },
    ],
  },
  {
    // upstream: pickn_integration_test.go "pick with mixed affinities and topology spread constraints, mixed"
    name: "N=3, required env=prod, preferred w40 east, env ScheduleAnyway (skew 2) + region DoNotSchedule: 2, 6, 5",
    steps: [{ title: "N=3", clusters: F9, policy: mixedPolicy, expect: mixedExpect }],
  },
  {
    // upstream: pickn_integration_test.go "upscaling"
    name: "upscaling N=1 -> 3 (numberOfClusters is not part of the policy hash): keeps 7, adds 6 and 5",
    steps: [
      {
        title: "N=1",
        clusters: F9,
        policy: pickN(1),
        expect: {
          bindings: [scheduledB(C7)],
          decisions: [
            selected(C7),
            notPicked(C6),
            notPicked(C5),
            notPicked(C4),
            notPicked(C3),
            notPicked(C2),
            notPicked(C1),
            ...f9IneligibleFiltered(),
          ],
          condition: fulfilled(1),
        },
      },
      {
        title: "N=3",
        clusters: F9,
        policy: pickN(3),
        samePolicyHashAsPrevious: true,
        expect: {
          bindings: [C5, C6, C7].map((c) => scheduledB(c)),
          decisions: [
            selected(C6),
            selected(C5),
            selected(C7),
            notPicked(C4),
            notPicked(C3),
            notPicked(C2),
            notPicked(C1),
            ...f9IneligibleFiltered(),
          ],
          condition: fulfilled(3),
        },
      },
    ],
  },
  {
    // upstream: pickn_integration_test.go "downscaling"
    name: "downscaling N=3 -> 1: trims the lowest-ranked scheduled bindings (5, 6), keeps 7; only selected decisions remain",
    steps: [PICKN3_TIES_STEP, PICKN_DOWNSCALE_3_TO_1_STEP],
  },
  {
    // upstream: pickn_integration_test.go "affinities and topology spread constraints updated"
    name: "policy update: obsolete 5 is kept (patched) in iteration 1, 2 and 6 unscheduled, then 7 and 4 are added",
    steps: [
      { title: "mixed policy", clusters: F9, policy: mixedPolicy, expect: mixedExpect },
      {
        title: "preferred w50 central, env ScheduleAnyway (skew 2) only",
        clusters: F9,
        policy: pickN(3, {
          affinity: {
            clusterAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                { weight: 50, preference: { labelSelector: { matchLabels: { region: "central" } } } },
              ],
            },
          },
          topologySpreadConstraints: [tsc("env", "ScheduleAnyway", 2)],
        }),
        samePolicyHashAsPrevious: false,
        expect: {
          bindings: [
            unscheduledB(C2, "Scheduled", selected(C2, 40, -2)),
            scheduledB(C4, 50, -1),
            scheduledB(C5, 50, -1),
            unscheduledB(C6, "Scheduled", selected(C6, 0, -1)),
            scheduledB(C7, 0, 1),
          ],
          decisions: [
            selected(C4, 50, -1), // created in iteration 3
            selected(C5, 50, -1), // patched in iteration 1
            selected(C7, 0, 1), // created in iteration 2
            notPicked(C6, 0, -1),
            notPicked(C3, 0, -1),
            notPicked(C2, 0, -1),
            notPicked(C1, 0, -1),
            ...f9IneligibleFiltered(),
          ],
          condition: fulfilled(3),
        },
      },
    ],
  },
];

describe("scheduler integration (upstream pickn_integration_test.go): PickN", () => {
  for (const sc of scenarios) {
    it(sc.name, () => {
      runScenario(schedule, sc);
    });
  }
});
