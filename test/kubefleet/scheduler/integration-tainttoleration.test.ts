// Taint / toleration scenarios transcribed from upstream's real-scheduler integration suite
// test/scheduler/tainttoleration_integration_test.go (F9 fleet, see fixtures.ts).
//
// Upstream's buildTaints gives cluster X the taint {key: <region of X>, value: <env of X>,
// effect: NoSchedule} ("unknown"/"unknown" for clusters outside F9); buildTolerations gives the
// matching Equal toleration. Upstream builds one toleration per listed cluster, which for
// clusters 1 and 2 (both east/prod) yields two identical entries; the duplicate is dropped here
// (identical tolerations tolerate the same taints, and the webhook rejects duplicates).

import { schedule } from "../../../components/core/kubefleet/scheduler";
import type { PlacementPolicy } from "../../../components/core/kubefleet/scheduler/types";
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
  F9_HEALTHY,
  PROVISIONAL,
  REASON_AFFINITY,
  REASON_C8,
  REASON_LEFT,
  Scenario,
  f9Clusters,
  f9IneligibleFiltered,
  filtered,
  fulfilled,
  notPicked,
  provisionalCluster,
  reasonTaint,
  reasonTopology,
  runScenario,
  scheduledB,
  selected,
  taintFor,
  tolerationFor,
  unfulfilled,
  unscheduledB,
  withTaints,
} from "./fixtures";
import {
  F9_NO_POLICY_STEP,
  F9_PICKALL_EXPECT,
  F9_PICKALL_PROVISIONAL_JOINED_EXPECT,
  F9_PICKFIXED_1_4_6_EXPECT,
  F9_PICKN2_EAST_PROD_EXPECT,
  F9_PICKN2_REGION_SPREAD_EXPECT,
  PICKALL_EAST_OR_WEST_PROD,
  pickNRegionSpread,
  pickNRequiringEastProd,
} from "./f9-expectations";

const F9 = f9Clusters();

function tainted(names: string[]) {
  const byCluster: Record<string, ReturnType<typeof taintFor>[]> = {};
  for (const n of names) byCluster[n] = [taintFor(n)];
  return withTaints(F9, byCluster);
}

/** The new cluster of the PickN upscaling scenarios: region north, env prod, taint unknown/unknown. */
const northTainted = provisionalCluster(PROVISIONAL, { labels: { region: "north", env: "prod" }, taints: [taintFor(PROVISIONAL)] });

/** pickNRegionSpread, tolerating the taint unknown/unknown of the clusters outside F9. */
function regionSpreadToleratingUnknown(n: number): PlacementPolicy {
  return { ...pickNRegionSpread(n), tolerations: [tolerationFor(PROVISIONAL)] };
}

const scenarios: Scenario[] = [
  {
    // upstream: tainttoleration_integration_test.go "pickFixed, valid target clusters with taints"
    name: "PickFixed ignores taints: 1, 4, 6 are tainted and still bound",
    steps: [
      {
        title: "PickFixed [1, 4, 6]",
        clusters: tainted([C1, C4, C6]),
        policy: { placementType: "PickFixed", clusterNames: [C1, C4, C6] },
        // taints change nothing: same result as the untainted fleet
        expect: F9_PICKFIXED_1_4_6_EXPECT,
      },
    ],
  },
  {
    // upstream: tainttoleration_integration_test.go "pick all valid cluster with no taints, ignore valid cluster with taints, CRP with no matching toleration"
    name: "no policy, no tolerations: tainted 1, 4, 7 are filtered with the first untolerated taint",
    steps: [
      {
        title: "taints on 1, 4, 7",
        clusters: tainted([C1, C4, C7]),
        expect: {
          bindings: [C2, C3, C5, C6].map((c) => scheduledB(c)),
          decisions: [
            ...[C2, C3, C5, C6].map((c) => selected(c)),
            filtered(C1, reasonTaint(taintFor(C1))),
            filtered(C4, reasonTaint(taintFor(C4))),
            filtered(C7, reasonTaint(taintFor(C7))),
            ...f9IneligibleFiltered(),
          ],
          condition: fulfilled(4),
        },
      },
    ],
  },
  {
    // upstream: tainttoleration_integration_test.go "pick all valid cluster with tolerated taints, ignore valid clusters with taints, CRP has some matching tolerations on creation"
    name: "PickAll prod & region In [east, west] tolerating east/prod: 1, 2 picked; tainted 6 filtered",
    steps: [
      {
        title: "taints on 1, 2, 6",
        clusters: tainted([C1, C2, C6]),
        policy: { ...PICKALL_EAST_OR_WEST_PROD, tolerations: [tolerationFor(C1)] },
        expect: {
          bindings: [scheduledB(C1), scheduledB(C2)],
          decisions: [
            selected(C1),
            selected(C2),
            filtered(C3, REASON_AFFINITY),
            filtered(C4, REASON_AFFINITY),
            filtered(C5, REASON_AFFINITY),
            filtered(C6, reasonTaint(taintFor(C6))),
            filtered(C7, REASON_AFFINITY),
            filtered(C9_LEFT, REASON_AFFINITY),
            filtered(C8_UNHEALTHY, REASON_C8),
          ],
          condition: fulfilled(2),
        },
      },
    ],
  },
  {
    // upstream: tainttoleration_integration_test.go "pick N clusters with affinity specified, ignore valid clusters with taints, CRP has some matching tolerations after update"
    name: "PickN 2 east & prod with 1, 2 tainted: nothing until a policy update adds the toleration",
    steps: [
      {
        title: "no tolerations",
        clusters: tainted([C1, C2]),
        policy: pickNRequiringEastProd(2),
        expect: {
          bindings: [],
          decisions: [
            filtered(C1, reasonTaint(taintFor(C1))),
            filtered(C2, reasonTaint(taintFor(C2))),
            ...[C3, C4, C5, C6, C7, C9_LEFT].map((c) => filtered(c, REASON_AFFINITY)),
            filtered(C8_UNHEALTHY, REASON_C8),
          ],
          condition: unfulfilled(0),
        },
      },
      {
        title: "tolerations for east/prod added (new policy snapshot)",
        clusters: tainted([C1, C2]),
        policy: { ...pickNRequiringEastProd(2), tolerations: [tolerationFor(C1)] },
        samePolicyHashAsPrevious: false,
        // once tolerated, the taints change nothing: same result as the untainted fleet
        expect: F9_PICKN2_EAST_PROD_EXPECT,
      },
    ],
  },
  {
    // upstream: tainttoleration_integration_test.go "pickAll, add a new healthy cluster with taint"
    name: "no policy: a new tainted cluster is not picked",
    steps: [
      F9_NO_POLICY_STEP,
      {
        title: "provisional cluster (taint unknown/unknown) joins",
        clusters: [...F9, provisionalCluster(PROVISIONAL, { taints: [taintFor(PROVISIONAL)] })],
        samePolicyHashAsPrevious: true,
        expect: {
          bindings: F9_HEALTHY.map((c) => scheduledB(c)),
          decisions: [
            ...F9_HEALTHY.map((c) => selected(c)),
            filtered(C9_LEFT, REASON_LEFT),
            filtered(PROVISIONAL, reasonTaint(taintFor(PROVISIONAL))),
            filtered(C8_UNHEALTHY, REASON_C8),
          ],
          condition: fulfilled(7),
        },
      },
    ],
  },
  {
    // upstream: tainttoleration_integration_test.go "pickAll, add a new healthy cluster with taint and matching toleration"
    name: "policy with only a matching toleration (PickAll by default): the new tainted cluster is picked",
    steps: [
      {
        title: "F9",
        clusters: F9,
        policy: { tolerations: [tolerationFor(PROVISIONAL)] },
        expect: F9_PICKALL_EXPECT,
      },
      {
        title: "provisional cluster (taint unknown/unknown) joins",
        clusters: [...F9, provisionalCluster(PROVISIONAL, { taints: [taintFor(PROVISIONAL)] })],
        policy: { tolerations: [tolerationFor(PROVISIONAL)] },
        samePolicyHashAsPrevious: true,
        expect: F9_PICKALL_PROVISIONAL_JOINED_EXPECT,
      },
    ],
  },
  {
    // upstream: tainttoleration_integration_test.go "pickN with required topology spread constraints, add new cluster with taint, upscaling doesn't pick new cluster"
    name: "PickN region DoNotSchedule, upscale 2 -> 3 after a tainted north cluster joins: picks 3, not the new cluster",
    steps: [
      {
        title: "N=2",
        clusters: F9,
        policy: pickNRegionSpread(2),
        expect: F9_PICKN2_REGION_SPREAD_EXPECT,
      },
      {
        title: "north cluster joins (tainted), N=3",
        clusters: [...F9, northTainted],
        policy: pickNRegionSpread(3),
        samePolicyHashAsPrevious: true,
        expect: {
          bindings: [scheduledB(C3, 0, 0), scheduledB(C5, 0, 0), scheduledB(C7, 0, -1)],
          decisions: [
            selected(C3, 0, 0),
            selected(C5, 0, 0),
            selected(C7, 0, -1),
            notPicked(C2),
            notPicked(C1),
            filtered(C4, reasonTopology("region", 1)),
            filtered(C6, reasonTopology("region", 1)),
            filtered(C9_LEFT, REASON_LEFT),
            filtered(PROVISIONAL, reasonTaint(taintFor(PROVISIONAL))),
            filtered(C8_UNHEALTHY, REASON_C8),
          ],
          condition: fulfilled(3),
        },
      },
    ],
  },
  {
    // upstream: tainttoleration_integration_test.go "pickN with required topology spread constraints, add new cluster with taint, upscaling picks new cluster with tolerated taint"
    name: "PickN region DoNotSchedule tolerating unknown/unknown, upscale 2 -> 3: picks the new north cluster",
    steps: [
      { title: "N=2", clusters: F9, policy: regionSpreadToleratingUnknown(2), expect: F9_PICKN2_REGION_SPREAD_EXPECT },
      {
        title: "north cluster joins (tainted), N=3",
        clusters: [...F9, northTainted],
        policy: regionSpreadToleratingUnknown(3),
        samePolicyHashAsPrevious: true,
        expect: {
          bindings: [scheduledB(C5, 0, 0), scheduledB(C7, 0, -1), scheduledB(PROVISIONAL, 0, 0)],
          decisions: [
            selected(PROVISIONAL, 0, 0),
            selected(C5, 0, 0),
            selected(C7, 0, -1),
            notPicked(C3),
            notPicked(C2),
            notPicked(C1),
            filtered(C4, reasonTopology("region", 1)),
            filtered(C6, reasonTopology("region", 1)),
            ...f9IneligibleFiltered(),
          ],
          condition: fulfilled(3),
        },
      },
    ],
  },
  {
    // derived: kubefleet-dev/kubefleet pkg/scheduler/framework/plugins/sameplacementaffinity (a taint
    // added later does not evict under the same policy) and frameworkutils.go classifyBindings (after
    // any policy change the binding is obsolete, so taints are re-evaluated and the cluster is dropped)
    name: "no policy: a later untolerated taint keeps cluster 1 until a policy change drops it",
    steps: [
      F9_NO_POLICY_STEP,
      {
        title: "cluster 1 tainted east/prod",
        clusters: tainted([C1]),
        samePolicyHashAsPrevious: true,
        // the taint does not evict under the same policy: nothing changes
        expect: F9_PICKALL_EXPECT,
      },
      {
        title: "policy changed to PickAll tolerating gpu (not east)",
        clusters: tainted([C1]),
        policy: { placementType: "PickAll", tolerations: [{ key: "gpu", operator: "Exists" }] },
        samePolicyHashAsPrevious: false,
        expect: {
          bindings: [unscheduledB(C1, "Scheduled", selected(C1)), ...[C2, C3, C4, C5, C6, C7].map((c) => scheduledB(c))],
          // nothing created; 2-7 patched in binding order; 1 filtered by its taint
          decisions: [
            ...[C2, C3, C4, C5, C6, C7].map((c) => selected(c)),
            filtered(C1, reasonTaint(taintFor(C1))),
            ...f9IneligibleFiltered(),
          ],
          condition: fulfilled(6),
        },
      },
    ],
  },
];

describe("scheduler integration (upstream tainttoleration_integration_test.go)", () => {
  for (const sc of scenarios) {
    it(sc.name, () => {
      runScenario(schedule, sc);
    });
  }
});
