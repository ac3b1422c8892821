// PickFixed scenarios transcribed from upstream's real-scheduler integration suite
// test/scheduler/pickfixed_integration_test.go (F9 fleet, see fixtures.ts), plus the empty
// clusterNames case (kubefleet-dev/kubefleet#718 / PR #719: accepted, but the scheduler returns early
// and writes no status).
//
// Decisions: valid names (list order, no score), then invalid ones (eligibility reason), then
// not-found ones; the condition is True iff every listed name is valid, %d = number of valid ones.

import * as assert from "assert";

import { schedule } from "../../../components/core/kubefleet/scheduler";
import type { PlacementPolicy } from "../../../components/core/kubefleet/scheduler/types";
import {
  C1,
  C2,
  C4,
  C5,
  C6,
  C8_UNHEALTHY,
  C9_LEFT,
  C10_NON_EXISTENT,
  F9_OPTIONS,
  MINUTE_MS,
  NOW,
  PENDING,
  REASON_C8,
  REASON_LEFT,
  Scenario,
  ScenarioStep,
  conditionView,
  f9Clusters,
  fixedBoundB,
  fixedInvalid,
  fixedNotFound,
  fixedScheduledB,
  fixedSelected,
  fulfilled,
  markBound,
  memberCluster,
  runScenario,
  unfulfilled,
  unscheduledB,
  updateCluster,
} from "./fixtures";
import { F9_PICKFIXED_1_4_6_EXPECT } from "./f9-expectations";

const F9 = f9Clusters();

function pickFixed(names: string[]): PlacementPolicy {
  return { placementType: "PickFixed", clusterNames: names };
}

/** PickFixed [1, 2, 4] on F9 from scratch. */
const pickFixed124Step: ScenarioStep = {
  title: "PickFixed [1, 2, 4]",
  clusters: F9,
  policy: pickFixed([C1, C2, C4]),
  expect: {
    bindings: [C1, C2, C4].map(fixedScheduledB),
    decisions: [C1, C2, C4].map(fixedSelected),
    condition: fulfilled(3),
  },
};

/** PickFixed [1, 2] on F9 from scratch. */
const pickFixed12Step: ScenarioStep = {
  title: "PickFixed [1, 2]",
  clusters: F9,
  policy: pickFixed([C1, C2]),
  expect: { bindings: [C1, C2].map(fixedScheduledB), decisions: [C1, C2].map(fixedSelected), condition: fulfilled(2) },
};

const scenarios: Scenario[] = [
  {
    // upstream: pickfixed_integration_test.go "with valid target clusters"
    name: "valid targets 1, 4, 6: scheduled bindings without scores",
    steps: [
      {
        title: "PickFixed [1, 4, 6]",
        clusters: F9,
        policy: pickFixed([C1, C4, C6]),
        expect: F9_PICKFIXED_1_4_6_EXPECT,
      },
    ],
  },
  {
    // upstream: pickfixed_integration_test.go "with both valid and invalid/non-existent target clusters"
    name: "valid, ineligible (unhealthy, left) and non-existent targets: only the valid ones are bound, unfulfilled",
    steps: [
      {
        title: "PickFixed [1, 2, 4, 5, 6, unhealthy, left, non-existent]",
        clusters: F9,
        policy: pickFixed([C1, C2, C4, C5, C6, C8_UNHEALTHY, C9_LEFT, C10_NON_EXISTENT]),
        expect: {
          bindings: [C1, C2, C4, C5, C6].map(fixedScheduledB),
          decisions: [
            ...[C1, C2, C4, C5, C6].map(fixedSelected),
            fixedInvalid(C8_UNHEALTHY, REASON_C8),
            fixedInvalid(C9_LEFT, REASON_LEFT),
            fixedNotFound(C10_NON_EXISTENT),
          ],
          condition: unfulfilled(5),
        },
      },
    ],
  },
  {
    // upstream: pickfixed_integration_test.go "policy snapshot refresh with added clusters"
    name: "target list grows [1, 2, 4] -> [1, 2, 4, 5, 6] with 1, 2 bound: bindings moved to the new policy, 5, 6 created",
    steps: [
      pickFixed124Step,
      {
        title: "1, 2 bound; PickFixed [1, 2, 4, 5, 6]",
        clusters: F9,
        policy: pickFixed([C1, C2, C4, C5, C6]),
        prepareBindings: (prev) => markBound(prev, [C1, C2]),
        samePolicyHashAsPrevious: false,
        expect: {
          bindings: [fixedBoundB(C1), fixedBoundB(C2), fixedScheduledB(C4), fixedScheduledB(C5), fixedScheduledB(C6)],
          decisions: [C1, C2, C4, C5, C6].map(fixedSelected),
          condition: fulfilled(5),
        },
      },
    ],
  },
  {
    // upstream: pickfixed_integration_test.go "policy snapshot refresh with removed clusters"
    name: "target list replaced [1, 2, 4] -> [5, 6] with 1, 2 bound: old bindings unscheduled (keeping their old policy), 5, 6 created",
    steps: [
      pickFixed124Step,
      {
        title: "1, 2 bound; PickFixed [5, 6]",
        clusters: F9,
        policy: pickFixed([C5, C6]),
        prepareBindings: (prev) => markBound(prev, [C1, C2]),
        samePolicyHashAsPrevious: false,
        expect: {
          bindings: [
            unscheduledB(C1, "Bound", fixedSelected(C1)),
            unscheduledB(C2, "Bound", fixedSelected(C2)),
            unscheduledB(C4, "Scheduled", fixedSelected(C4)),
            fixedScheduledB(C5),
            fixedScheduledB(C6),
          ],
          decisions: [C5, C6].map(fixedSelected),
          condition: fulfilled(2),
        },
      },
    ],
  },

  // ---- PickFixed consequences of upstream's pkg/scheduler/framework/framework.go not in the integration suite ----
  {
    // derived: framework.go PickFixed (an obsolete binding whose cluster is no longer listed is
    // unscheduled; an Unscheduled binding is restored to its previous state when its cluster is listed again)
    name: "target list [1, 2] -> [2] -> [1, 2]: the unscheduled bound binding of 1 is restored as Bound",
    steps: [
      pickFixed12Step,
      {
        title: "1 bound; PickFixed [2]",
        clusters: F9,
        policy: pickFixed([C2]),
        prepareBindings: (prev) => markBound(prev, [C1]),
        samePolicyHashAsPrevious: false,
        expect: {
          bindings: [unscheduledB(C1, "Bound", fixedSelected(C1)), fixedScheduledB(C2)],
          decisions: [fixedSelected(C2)],
          condition: fulfilled(1),
        },
      },
      {
        title: "PickFixed [1, 2] again",
        clusters: F9,
        policy: pickFixed([C1, C2]),
        samePolicyHashAsPrevious: false,
        expect: {
          bindings: [fixedBoundB(C1), fixedScheduledB(C2)],
          decisions: [C1, C2].map(fixedSelected),
          condition: fulfilled(2),
        },
      },
    ],
  },
  {
    // derived: framework.go PickFixed (a binding under the current policy on a cluster that became
    // ineligible stays; the Scheduled condition counts valid names only)
    name: "same list, a bound target turns unhealthy: its binding stays, the condition becomes unfulfilled",
    steps: [
      pickFixed12Step,
      {
        title: "1 bound and its agent heartbeat 25 h old",
        clusters: updateCluster(F9, C1, (mc) => {
          mc.status!.agentStatus![0]!.lastReceivedHeartbeat = new Date(NOW.getTime() - 25 * 3600 * 1000).toISOString();
        }),
        policy: pickFixed([C1, C2]),
        prepareBindings: (prev) => markBound(prev, [C1]),
        samePolicyHashAsPrevious: true,
        expect: {
          bindings: [fixedBoundB(C1), fixedScheduledB(C2)],
          decisions: [fixedSelected(C2), fixedInvalid(C1, REASON_C8)],
          condition: unfulfilled(1),
        },
      },
    ],
  },
];

describe("scheduler integration (upstream pickfixed_integration_test.go): PickFixed", () => {
  for (const sc of scenarios) {
    it(sc.name, () => {
      runScenario(schedule, sc);
    });
  }

  // derived: pkg/scheduler/clustereligibilitychecker/checker.go (eligibility checks in order, first failure is the reason;
  // an unhealthy cluster whose Healthy condition changed less than the timeout ago stays eligible)
  it("eligibility reasons of PickFixed targets (default 5 min timeouts)", () => {
    const clusters = [
      memberCluster("ok"),
      memberCluster("unhealthy-recent", { healthy: false, conditionAgeMs: 1 * MINUTE_MS }),
      memberCluster("unhealthy-long", { healthy: false, conditionAgeMs: 10 * MINUTE_MS }),
      memberCluster("no-agent", { agentOnline: false }),
      memberCluster("stale", { heartbeatAgeMs: 7.5 * MINUTE_MS }),
      memberCluster("not-joined", { joined: false }),
      memberCluster("no-health", { healthy: "missing" }),
      memberCluster("leaving", { deleting: true, agentOnline: false }),
    ];
    const names = ["ok", "unhealthy-recent", "unhealthy-long", "no-agent", "stale", "not-joined", "no-health", "leaving", "ghost"];
    const r = schedule({ clusters, policy: pickFixed(names), now: NOW });
    assert.deepStrictEqual(JSON.parse(JSON.stringify(r.decisions)), [
      fixedSelected("ok"),
      fixedSelected("unhealthy-recent"),
      fixedInvalid(
        "unhealthy-long",
        "cluster is not connected to the fleet: unhealthy for a prolonged period of time (last transitioned 10.00 minutes ago)",
      ),
      fixedInvalid("no-agent", "cluster is not connected to the fleet: member agent not online yet"),
      fixedInvalid("stale", "cluster is not connected to the fleet: no recent heartbeat signals (last received 7.50 minutes ago)"),
      fixedInvalid("not-joined", "cluster is not connected to the fleet: member agent not joined yet"),
      fixedInvalid("no-health", "cluster is not connected to the fleet: health condition from member agent is not available"),
      fixedInvalid("leaving", REASON_LEFT),
      fixedNotFound("ghost"),
    ]);
    assert.deepStrictEqual(
      r.bindings.map((b) => [b.targetCluster, b.state]),
      [
        ["ok", "Scheduled"],
        ["unhealthy-recent", "Scheduled"],
      ],
    );
    assert.deepStrictEqual(conditionView(r.condition), unfulfilled(2));
  });

  // upstream: kubefleet-dev/kubefleet PR #719 e2e (empty clusterNames): the scheduler returns early,
  // writes no status, and the Scheduled condition stays Unknown/SchedulePending.
  it("empty clusterNames: no bindings, no decisions, condition Unknown/SchedulePending", () => {
    const r = schedule({ clusters: F9, policy: pickFixed([]), bindings: [], now: NOW, options: F9_OPTIONS });
    assert.deepStrictEqual(r.bindings, []);
    assert.deepStrictEqual(r.decisions, []);
    assert.deepStrictEqual(conditionView(r.condition), PENDING);
  });
});
