// PickAll (and no-policy) scenarios transcribed from upstream's real-scheduler integration suite
// test/scheduler/pickall_integration_test.go (F9 fleet, see fixtures.ts), plus a few PickAll
// consequences of the upstream scheduler code (kubefleet-dev/kubefleet pkg/scheduler/framework/)
// that the integration suite does not exercise.
//
// Upstream compares decisions ignoring reasons and order; here the whole decisions list is
// asserted in the order upstream writes it (pkg/scheduler/framework/frameworkutils.go,
// newSchedulingDecisionsFromBindings): created bindings (PickAll sorts
// the passing clusters by name ascending), patched, scheduled (by name), bound, then filtered
// clusters by name ascending, with the upstream reason strings.

import { schedule } from "../../../components/core/kubefleet/scheduler";
import type { MemberCluster } from "../../../components/core/kubefleet/scheduler/types";
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
  F9_OPTIONS,
  PROVISIONAL,
  REASON_AFFINITY,
  REASON_C8,
  REASON_LEFT,
  Scenario,
  ScenarioStep,
  boundB,
  f9Clusters,
  f9IneligibleFiltered,
  filtered,
  fulfilled,
  markBound,
  provisionalCluster,
  runScenario,
  scheduledB,
  selected,
  unscheduledB,
  updateCluster,
} from "./fixtures";
import {
  F9_NO_POLICY_STEP,
  F9_PICKALL_EXPECT,
  F9_PICKALL_PROVISIONAL_JOINED_EXPECT,
  PICKALL_AVAILABLE_CPU_AT_LEAST_6,
  PICKALL_EAST_OR_WEST_PROD,
  pickAllRequired,
  withAvailableCpu,
} from "./f9-expectations";

const F9 = f9Clusters();

const canaryOrNotEastCentral = pickAllRequired(
  { labelSelector: { matchLabels: { env: "canary" } } },
  { labelSelector: { matchExpressions: [{ key: "region", operator: "NotIn", values: ["east", "central"] }] } },
);

const canaryEastOrWest = pickAllRequired({
  labelSelector: {
    matchLabels: { env: "canary" },
    matchExpressions: [{ key: "region", operator: "In", values: ["east", "west"] }],
  },
});

const noMatch = pickAllRequired(
  { labelSelector: { matchLabels: { env: "wonderland" } } },
  { labelSelector: { matchExpressions: [{ key: "region", operator: "NotIn", values: ["east", "central", "west"] }] } },
);

/** Upstream setNamespaceCollectionOnCluster(enabled=true): status.namespaces + NamespaceCollectionSucceeded=True. */
function withNamespaceCollection(clusters: MemberCluster[], namespacesByCluster: Record<string, Record<string, string>>): MemberCluster[] {
  let out = clusters;
  for (const [name, namespaces] of Object.entries(namespacesByCluster)) {
    out = updateCluster(out, name, (mc) => {
      (mc.status as Record<string, unknown>).namespaces = namespaces;
      mc.status!.conditions = [
        ...(mc.status!.conditions ?? []),
        {
          type: "NamespaceCollectionSucceeded",
          status: "True",
          reason: "NamespaceCollectionSucceeded",
          message: "",
          lastTransitionTime: "2026-03-02T10:00:00Z",
        },
      ];
    });
  }
  return out;
}

/** PICKALL_EAST_OR_WEST_PROD on F9 from scratch: 1, 2, 6. */
const eastOrWestProdStep: ScenarioStep = {
  title: "env=prod, region In [east, west]",
  clusters: F9,
  policy: PICKALL_EAST_OR_WEST_PROD,
  expect: {
    bindings: [C1, C2, C6].map((c) => scheduledB(c)),
    decisions: [
      selected(C1),
      selected(C2),
      selected(C6),
      filtered(C3, REASON_AFFINITY),
      filtered(C4, REASON_AFFINITY),
      filtered(C5, REASON_AFFINITY),
      filtered(C7, REASON_AFFINITY),
      filtered(C9_LEFT, REASON_AFFINITY), // central: fails affinity before eligibility is checked
      filtered(C8_UNHEALTHY, REASON_C8), // east prod: matches, then fails eligibility
    ],
    condition: fulfilled(3),
  },
};

/** The F9 clusters canaryOrNotEastCentral filters out (name ascending). */
const canaryOrNotEastCentralFiltered = () => [
  filtered(C1, REASON_AFFINITY),
  filtered(C2, REASON_AFFINITY),
  filtered(C4, REASON_AFFINITY),
  filtered(C5, REASON_AFFINITY),
  filtered(C9_LEFT, REASON_AFFINITY),
  filtered(C8_UNHEALTHY, REASON_AFFINITY),
];

/** F9 plus the healthy provisional cluster, all scheduled from scratch (created in name order). */
const withProvisionalExpect = {
  bindings: [...F9_HEALTHY, PROVISIONAL].map((c) => scheduledB(c)),
  decisions: [...[...F9_HEALTHY, PROVISIONAL].map((c) => selected(c)), ...f9IneligibleFiltered()],
  condition: fulfilled(8),
};

const scenarios: Scenario[] = [
  {
    // upstream: pickall_integration_test.go "scheduling CRPs with no scheduling policy specified" / "pick all valid clusters"
    name: "no policy: binds every eligible cluster (1-7), filters the unhealthy and the leaving cluster",
    steps: [F9_NO_POLICY_STEP],
  },
  {
    // upstream: pickall_integration_test.go "scheduling CRPs of the PickAll placement type" / "pick all valid clusters"
    name: "PickAll without affinity: same as no policy",
    steps: [
      {
        title: "PickAll",
        clusters: F9,
        policy: { placementType: "PickAll" },
        expect: F9_PICKALL_EXPECT,
      },
    ],
  },
  {
    // upstream: pickall_integration_test.go "scheduling CRPs with no scheduling policy specified" / "add a new healthy cluster"
    name: "no policy: a newly joined healthy cluster is picked on the next cycle",
    steps: [
      F9_NO_POLICY_STEP,
      {
        title: "provisional cluster joins",
        clusters: [...F9, provisionalCluster(PROVISIONAL)],
        samePolicyHashAsPrevious: true,
        expect: F9_PICKALL_PROVISIONAL_JOINED_EXPECT,
      },
    ],
  },
  {
    // upstream: pickall_integration_test.go "scheduling CRPs with no scheduling policy specified" / "a healthy cluster becomes unhealthy"
    name: "no policy: a selected cluster that becomes unhealthy keeps its binding",
    steps: [
      {
        title: "F9 + healthy provisional cluster",
        clusters: [...F9, provisionalCluster(PROVISIONAL)],
        expect: withProvisionalExpect,
      },
      {
        title: "provisional cluster turns unhealthy",
        clusters: [...F9, provisionalCluster(PROVISIONAL, { healthy: false })],
        samePolicyHashAsPrevious: true,
        // Unchanged: the provisional cluster now fails the eligibility filter, but a cluster that already
        // has a decision is not listed again among the filtered ones (frameworkutils.go, seenClusters).
        expect: withProvisionalExpect,
      },
    ],
  },
  {
    // upstream: pickall_integration_test.go "pick clusters with specific affinities (single term, multiple selectors)"
    name: "required affinity, single term with matchLabels + matchExpressions: 1, 2, 6",
    steps: [eastOrWestProdStep],
  },
  {
    // upstream: pickall_integration_test.go "pick clusters with specific affinities (multiple terms, single selector)"
    name: "required affinity, two OR-ed terms: 3, 6, 7",
    steps: [
      {
        title: "env=canary OR region NotIn [east, central]",
        clusters: F9,
        policy: canaryOrNotEastCentral,
        expect: {
          bindings: [C3, C6, C7].map((c) => scheduledB(c)),
          decisions: [selected(C3), selected(C6), selected(C7), ...canaryOrNotEastCentralFiltered()],
          condition: fulfilled(3),
        },
      },
    ],
  },
  {
    // upstream: pickall_integration_test.go "affinities updated"
    name: "affinity updated: bound and scheduled bindings of still-matching clusters are moved to the new policy, a new one is created",
    steps: [
      {
        title: "env=canary, region In [east, west]",
        clusters: F9,
        policy: canaryEastOrWest,
        expect: {
          bindings: [scheduledB(C3), scheduledB(C7)],
          decisions: [
            selected(C3),
            selected(C7),
            filtered(C1, REASON_AFFINITY),
            filtered(C2, REASON_AFFINITY),
            filtered(C4, REASON_AFFINITY),
            filtered(C5, REASON_AFFINITY),
            filtered(C6, REASON_AFFINITY),
            filtered(C9_LEFT, REASON_AFFINITY),
            filtered(C8_UNHEALTHY, REASON_AFFINITY),
          ],
          condition: fulfilled(2),
        },
      },
      {
        title: "cluster 3 bound, then affinity changed to env=canary OR region NotIn [east, central]",
        clusters: F9,
        policy: canaryOrNotEastCentral,
        prepareBindings: (prev) => markBound(prev, [C3]),
        samePolicyHashAsPrevious: false,
        expect: {
          bindings: [boundB(C3), scheduledB(C6), scheduledB(C7)],
          // created (6), then patched obsolete bindings in binding (= cluster name) order (3, 7).
          // upstream: pickall_integration_test.go "affinities updated" (order of patched entries
          // follows the binding list order, i.e. binding names crp-<cluster>-<suffix>)
          decisions: [selected(C6), selected(C3), selected(C7), ...canaryOrNotEastCentralFiltered()],
          condition: fulfilled(3),
        },
      },
    ],
  },
  {
    // upstream: pickall_integration_test.go "no matching clusters"
    name: "no matching clusters: no bindings, every cluster filtered, still fulfilled (PickAll)",
    steps: [
      {
        title: "env=wonderland OR region NotIn [east, central, west]",
        clusters: F9,
        policy: noMatch,
        expect: {
          bindings: [],
          decisions: [
            ...F9_HEALTHY.map((c) => filtered(c, REASON_AFFINITY)),
            filtered(C9_LEFT, REASON_AFFINITY),
            filtered(C8_UNHEALTHY, REASON_AFFINITY),
          ],
          condition: fulfilled(0),
        },
      },
    ],
  },

  {
    // upstream: namespaceaffinity_integration_test.go "ClusterResourcePlacement should not be affected by namespace affinity"
    name: "no policy: namespace collection status on clusters 1, 2 does not affect a cluster-scoped placement",
    steps: [
      {
        title: "1 and 2 report namespace collection",
        clusters: withNamespaceCollection(F9, { [C1]: {}, [C2]: { "some-namespace": "work-1" } }),
        expect: F9_PICKALL_EXPECT,
      },
    ],
  },

  // ---- PickAll consequences of upstream's scheduler code not covered by the integration suite ----
  {
    // derived: framework.go (PickAll runs no Score stage; preferred terms ignored)
    name: "PickAll ignores preferred affinity: every eligible cluster with score 0/0",
    steps: [
      {
        title: "PickAll with a preferred term",
        clusters: F9,
        policy: {
          placementType: "PickAll",
          affinity: {
            clusterAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                { weight: 50, preference: { labelSelector: { matchLabels: { region: "east" } } } },
              ],
            },
          },
        },
        expect: F9_PICKALL_EXPECT,
      },
    ],
  },
  {
    // derived: plugins/sameplacementaffinity (IgnoredDuringExecution: an already-selected cluster is not
    // filtered again) - label lost under the same policy
    name: "PickAll: a bound cluster that loses the matching label keeps its binding under the same policy",
    steps: [
      eastOrWestProdStep,
      {
        title: "cluster 2 bound and relabelled env=canary",
        clusters: updateCluster(F9, C2, (mc) => {
          mc.metadata.labels = { region: "east", env: "canary" };
        }),
        policy: PICKALL_EAST_OR_WEST_PROD,
        prepareBindings: (prev) => markBound(prev, [C2]),
        samePolicyHashAsPrevious: true,
        expect: {
          bindings: [scheduledB(C1), boundB(C2), scheduledB(C6)],
          // scheduled (by name) then bound; cluster 2 fails affinity but is already selected, so not listed as filtered
          decisions: [
            selected(C1),
            selected(C6),
            selected(C2),
            filtered(C3, REASON_AFFINITY),
            filtered(C4, REASON_AFFINITY),
            filtered(C5, REASON_AFFINITY),
            filtered(C7, REASON_AFFINITY),
            filtered(C9_LEFT, REASON_AFFINITY),
            filtered(C8_UNHEALTHY, REASON_C8),
          ],
          condition: fulfilled(3),
        },
      },
    ],
  },
  {
    // derived: frameworkutils.go classifyBindings (dangling bindings: a cluster leaving removes it)
    name: "no policy: the binding of a cluster that starts leaving the fleet is unscheduled",
    steps: [
      F9_NO_POLICY_STEP,
      {
        title: "cluster 1 gets a deletionTimestamp",
        clusters: updateCluster(F9, C1, (mc) => {
          mc.metadata.deletionTimestamp = "2026-03-02T09:59:00Z";
        }),
        samePolicyHashAsPrevious: true,
        expect: {
          bindings: [unscheduledB(C1, "Scheduled", selected(C1)), ...[C2, C3, C4, C5, C6, C7].map((c) => scheduledB(c))],
          decisions: [...[C2, C3, C4, C5, C6, C7].map((c) => selected(c)), filtered(C1, REASON_LEFT), ...f9IneligibleFiltered()],
          condition: fulfilled(6),
        },
      },
    ],
  },
  {
    // derived: frameworkutils.go newSchedulingDecisionsFromBindings: at most
    // maxUnselectedClusterDecisionCount unselected entries; the filtered loop counts skipped
    // (already selected) clusters against its index
    name: "maxUnselectedClusterDecisionCount 3: skipped already-selected clusters use up filtered slots",
    steps: [
      {
        title: "available cpu >= 6",
        clusters: F9,
        policy: PICKALL_AVAILABLE_CPU_AT_LEAST_6,
        options: { ...F9_OPTIONS, maxUnselectedClusterDecisionCount: 3 },
        expect: {
          bindings: [scheduledB(C3), scheduledB(C5)],
          decisions: [
            selected(C3),
            selected(C5),
            filtered(C1, REASON_AFFINITY),
            filtered(C2, REASON_AFFINITY),
            filtered(C4, REASON_AFFINITY),
          ],
          condition: fulfilled(2),
        },
      },
      {
        title: "available cpu of 3, 5 drops to 4; 7 rises to 8",
        clusters: withAvailableCpu(F9, { [C3]: "4", [C5]: "4", [C7]: "8" }),
        policy: PICKALL_AVAILABLE_CPU_AT_LEAST_6,
        options: { ...F9_OPTIONS, maxUnselectedClusterDecisionCount: 3 },
        samePolicyHashAsPrevious: true,
        expect: {
          bindings: [scheduledB(C3), scheduledB(C5), scheduledB(C7)],
          // filtered by name: 1, 2, 3 (skipped, already selected) -> only two filtered entries fit
          decisions: [selected(C7), selected(C3), selected(C5), filtered(C1, REASON_AFFINITY), filtered(C2, REASON_AFFINITY)],
          condition: fulfilled(3),
        },
      },
    ],
  },
  {
    // derived: frameworkutils.go newSchedulingDecisionsFromBindings (maxUnselectedClusterDecisionCount 0: selected entries only)
    name: "maxUnselectedClusterDecisionCount 0: only selected decisions",
    steps: [
      {
        title: "no policy",
        clusters: F9,
        options: { ...F9_OPTIONS, maxUnselectedClusterDecisionCount: 0 },
        expect: { bindings: F9_HEALTHY.map((c) => scheduledB(c)), decisions: F9_HEALTHY.map((c) => selected(c)), condition: fulfilled(7) },
      },
    ],
  },
];

describe("scheduler integration (upstream pickall_integration_test.go): PickAll", () => {
  for (const sc of scenarios) {
    it(sc.name, () => {
      runScenario(schedule, sc);
    });
  }
});
