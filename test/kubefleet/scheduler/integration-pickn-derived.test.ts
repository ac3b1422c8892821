// PickN consequences of the upstream scheduler code (kubefleet-dev/kubefleet pkg/scheduler/framework/
// framework.go, frameworkutils.go and the topologyspreadconstraints / sameplacementaffinity plugins)
// that upstream's test/scheduler/pickn_integration_test.go does not exercise, on the same F9 fleet (see
// fixtures.ts). The transcribed upstream cases are in integration-pickn.test.ts; the decision order
// and the per-iteration scores follow the rules described there.

import * as assert from "assert";

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
  F9_OPTIONS,
  NOW,
  PROVISIONAL,
  REASON_AFFINITY,
  REASON_C8,
  REASON_LEFT,
  Scenario,
  boundB,
  f9Clusters,
  f9IneligibleFiltered,
  filtered,
  fixedScheduledB,
  fixedSelected,
  fulfilled,
  markBound,
  notPicked,
  picked,
  provisionalCluster,
  reasonTopology,
  runScenario,
  scheduledB,
  selected,
  unfulfilled,
  unscheduledB,
  updateCluster,
} from "./fixtures";
import {
  F9_PICKN2_REGION_SPREAD_EXPECT,
  PICKN2_EAST_PROD_STEP,
  PICKN3_TIES_STEP,
  PICKN4_PREFER_CENTRAL_PROD_STEP,
  PICKN_DOWNSCALE_3_TO_1_STEP,
  pickN,
  pickNOutsideWestRegionSpread,
  pickNPreferringCentralProd,
  pickNRegionSpread,
  pickNRequiringEastProd,
} from "./f9-expectations";

const F9 = f9Clusters();

const scenarios: Scenario[] = [
  {
    // derived: framework.go PickN downscale (sorts scheduled bindings by stored score ascending,
    // ties by smaller name; remaining decisions in that order)
    name: "downscale N=4 -> 2 trims the lowest stored scores first (6, 7 at 0 before 4, 5 at 10)",
    steps: [
      PICKN4_PREFER_CENTRAL_PROD_STEP,
      {
        title: "N=2",
        clusters: F9,
        policy: pickNPreferringCentralProd(2),
        samePolicyHashAsPrevious: true,
        expect: {
          bindings: [
            scheduledB(C4, 10),
            scheduledB(C5, 10),
            unscheduledB(C6, "Scheduled", selected(C6)),
            unscheduledB(C7, "Scheduled", selected(C7)),
          ],
          decisions: [selected(C4, 10), selected(C5, 10)],
          condition: fulfilled(2),
        },
      },
    ],
  },
  {
    // derived: framework.go PickN downscale (count >= |scheduled|: all scheduled
    // bindings go first, then the lowest-sorted bound ones)
    name: "downscale N=4 -> 1 with 4, 5 bound: trims both scheduled (6, 7) and bound 4 (same score, smaller name)",
    steps: [
      PICKN4_PREFER_CENTRAL_PROD_STEP,
      {
        title: "4, 5 bound; N=1",
        clusters: F9,
        policy: pickNPreferringCentralProd(1),
        prepareBindings: (prev) => markBound(prev, [C4, C5]),
        samePolicyHashAsPrevious: true,
        expect: {
          bindings: [
            unscheduledB(C4, "Bound", selected(C4, 10)),
            boundB(C5, 10),
            unscheduledB(C6, "Scheduled", selected(C6)),
            unscheduledB(C7, "Scheduled", selected(C7)),
          ],
          decisions: [selected(C5, 10)],
          condition: fulfilled(1),
        },
      },
    ],
  },
  {
    // derived: framework.go PickN, fully scheduled (IgnoredDuringExecution: nothing to do;
    // decisions rewritten from bound then scheduled bindings)
    name: "fully scheduled PickN keeps a cluster that loses its label (IgnoredDuringExecution)",
    steps: [
      PICKN2_EAST_PROD_STEP,
      {
        title: "1 bound, 2 relabelled region=west",
        clusters: updateCluster(F9, C2, (mc) => {
          mc.metadata.labels = { region: "west", env: "prod" };
        }),
        policy: pickNRequiringEastProd(2),
        prepareBindings: (prev) => markBound(prev, [C1]),
        samePolicyHashAsPrevious: true,
        expect: {
          bindings: [boundB(C1), scheduledB(C2)],
          decisions: [selected(C1), selected(C2)],
          condition: fulfilled(2),
        },
      },
    ],
  },
  {
    // derived: plugins/topologyspreadconstraints (topology domains are counted over all clusters; an
    // excluded domain with 0 placements can stall DoNotSchedule below N)
    name: "N=4, region NotIn [west] + region DoNotSchedule: stalls at 2 because the empty west domain counts",
    steps: [
      {
        title: "N=4",
        clusters: F9,
        policy: pickNOutsideWestRegionSpread(4),
        expect: {
          bindings: [scheduledB(C3, 0, 0), scheduledB(C5, 0, -1)],
          // last iteration picks nothing: east and central have 1 each, west 0
          decisions: [
            selected(C3, 0, 0),
            selected(C5, 0, -1),
            filtered(C1, reasonTopology("region", 1)),
            filtered(C2, reasonTopology("region", 1)),
            filtered(C4, reasonTopology("region", 1)),
            filtered(C6, REASON_AFFINITY),
            filtered(C7, REASON_AFFINITY),
            filtered(C9_LEFT, REASON_LEFT),
            filtered(C8_UNHEALTHY, REASON_C8),
          ],
          condition: unfulfilled(2),
        },
      },
    ],
  },
  {
    // derived: plugins/sameplacementaffinity and framework/score.go (an obsolete binding's cluster wins ties in the
    // first iteration; the patched binding keeps its state and gets the new score)
    name: "policy change PickFixed [1] -> PickN 1: the obsolete cluster 1 beats the greater names on the tie",
    steps: [
      {
        title: "PickFixed [1]",
        clusters: F9,
        policy: { placementType: "PickFixed", clusterNames: [C1] },
        expect: {
          bindings: [fixedScheduledB(C1)],
          decisions: [fixedSelected(C1)],
          condition: fulfilled(1),
        },
      },
      {
        title: "1 bound; PickN 1",
        clusters: F9,
        policy: pickN(1),
        prepareBindings: (prev) => markBound(prev, [C1]),
        samePolicyHashAsPrevious: false,
        expect: {
          bindings: [boundB(C1)],
          decisions: [
            selected(C1),
            notPicked(C7),
            notPicked(C6),
            notPicked(C5),
            notPicked(C4),
            notPicked(C3),
            notPicked(C2),
            ...f9IneligibleFiltered(),
          ],
          condition: fulfilled(1),
        },
      },
    ],
  },
  {
    // derived: frameworkutils.go crossReferencePickedClustersAndDeDupBindings (an unscheduled binding whose cluster is picked again is
    // patched back to its previous state; patched entries follow the binding order)
    name: "N=3 -> 1 -> 3: the unscheduled bindings of 5 and 6 are restored instead of new ones being created",
    steps: [
      PICKN3_TIES_STEP,
      PICKN_DOWNSCALE_3_TO_1_STEP,
      {
        title: "N=3 again",
        clusters: F9,
        policy: pickN(3),
        samePolicyHashAsPrevious: true,
        expect: {
          bindings: [C5, C6, C7].map((c) => scheduledB(c)),
          decisions: [
            selected(C5),
            selected(C6),
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
    // derived: frameworkutils.go newSchedulingDecisionsFromBindings: not-picked
    // entries (best first) take the unselected slots before filtered ones
    name: "maxUnselectedClusterDecisionCount 2: N=1 lists only the two best not-picked clusters",
    steps: [
      {
        title: "N=1",
        clusters: F9,
        policy: pickN(1),
        options: { ...F9_OPTIONS, maxUnselectedClusterDecisionCount: 2 },
        expect: { bindings: [scheduledB(C7)], decisions: [selected(C7), notPicked(C6), notPicked(C5)], condition: fulfilled(1) },
      },
    ],
  },
  {
    // derived: as above; 6 not-picked + 2 filtered with a limit of 7
    name: "maxUnselectedClusterDecisionCount 7: N=1 lists 6 not-picked and the first filtered cluster",
    steps: [
      {
        title: "N=1",
        clusters: F9,
        policy: pickN(1),
        options: { ...F9_OPTIONS, maxUnselectedClusterDecisionCount: 7 },
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
            filtered(C9_LEFT, REASON_LEFT),
          ],
          condition: fulfilled(1),
        },
      },
    ],
  },
  {
    // derived: plugins/topologyspreadconstraints (a cluster without the topology key gets +0 and is never
    // violated, and does not count towards any domain)
    name: "N=3, region DoNotSchedule with an unlabelled cluster: it wins iteration 1 (0 beats -1)",
    steps: [
      {
        title: "F9 + unlabelled provisional cluster",
        clusters: [...F9, provisionalCluster(PROVISIONAL)],
        policy: pickNRegionSpread(3),
        expect: {
          bindings: [scheduledB(C5, 0, 0), scheduledB(C7, 0, -1), scheduledB(PROVISIONAL, 0, 0)],
          decisions: [
            selected(C5, 0, 0),
            selected(C7, 0, -1),
            selected(PROVISIONAL, 0, 0),
            notPicked(C4),
            notPicked(C3),
            notPicked(C2),
            notPicked(C1),
            filtered(C6, reasonTopology("region", 1)),
            ...f9IneligibleFiltered(),
          ],
          condition: fulfilled(3),
        },
      },
    ],
  },
];

describe("scheduler integration (derived from upstream's scheduler code): PickN", () => {
  for (const sc of scenarios) {
    it(sc.name, () => {
      runScenario(schedule, sc);
    });
  }

  // derived: not in the upstream suite; the result (bindings, decisions, condition) must be the same
  // whatever order the clusters are listed in
  it("region DoNotSchedule result does not depend on the cluster input order", () => {
    const reversed = [...F9].reverse();
    const a = schedule({ clusters: F9, policy: pickNRegionSpread(2), now: NOW, options: F9_OPTIONS });
    const b = schedule({ clusters: reversed, policy: pickNRegionSpread(2), now: NOW, options: F9_OPTIONS });
    assert.deepStrictEqual(picked(a), [C5, C7]);
    assert.deepStrictEqual(JSON.parse(JSON.stringify(b)), JSON.parse(JSON.stringify(a)));
    assert.deepStrictEqual(JSON.parse(JSON.stringify(a.decisions)), JSON.parse(JSON.stringify(F9_PICKN2_REGION_SPREAD_EXPECT.decisions)));
  });
});
