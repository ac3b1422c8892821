// Property-based scheduling scenarios transcribed from upstream's real-scheduler integration
// suite test/scheduler/property_based_scheduling_integration_test.go (F9 fleet, see fixtures.ts).
//
// Sorter scores use min/max over *all* clusters, including the unhealthy cluster 8 (node count 1,
// available cpu 0) and Go's round-half-away-from-zero (kubefleet-dev/kubefleet
// pkg/scheduler/framework/plugins/clusteraffinity/state.go and scoring.go).

import { schedule } from "../../../components/core/kubefleet/scheduler";
import type { ClusterSelectorTerm, PlacementPolicy, PreferredClusterSelector } from "../../../components/core/kubefleet/scheduler/types";
import {
  ALLOCATABLE_CPU,
  ALLOCATABLE_MEMORY,
  AVAILABLE_CPU,
  AVAILABLE_MEMORY,
  C1,
  C2,
  C3,
  C4,
  C5,
  C6,
  C7,
  C8_UNHEALTHY,
  C9_LEFT,
  ENERGY,
  F9_HEALTHY,
  NODE_COUNT,
  REASON_AFFINITY,
  REASON_C8,
  TOTAL_CPU,
  TOTAL_MEMORY,
  Scenario,
  boundB,
  f9Clusters,
  f9IneligibleFiltered,
  filtered,
  fulfilled,
  markBound,
  memberCluster,
  notPicked,
  runScenario,
  scheduledB,
  selected,
  unscheduledB,
  updateCluster,
} from "./fixtures";
import { F9_PICKN3_TIES_EXPECT, PICKALL_AVAILABLE_CPU_AT_LEAST_6, pickAllRequired, withAvailableCpu } from "./f9-expectations";

const F9 = f9Clusters();

function pickNPreferred(n: number, ...terms: PreferredClusterSelector[]): PlacementPolicy {
  return {
    placementType: "PickN",
    numberOfClusters: n,
    affinity: { clusterAffinity: { preferredDuringSchedulingIgnoredDuringExecution: terms } },
  };
}

const nodesBetween = (lo: string, hi: string): ClusterSelectorTerm => ({
  propertySelector: {
    matchExpressions: [
      { name: NODE_COUNT, operator: "Le", values: [hi] },
      { name: NODE_COUNT, operator: "Ge", values: [lo] },
    ],
  },
});

/** Upstream adds this property with value "0" to clusters 1-8 in one scenario; in another no cluster has it. */
const NON_EXISTENT = "non-existent-cluster-property";

function withProperty(clusters = F9, names = [...F9_HEALTHY, C8_UNHEALTHY]) {
  let out = clusters;
  for (const n of names) {
    out = updateCluster(out, n, (mc) => {
      mc.status!.properties = { ...(mc.status!.properties ?? {}), [NON_EXISTENT]: { value: "0", observationTime: "2026-03-02T10:00:00Z" } };
    });
  }
  return out;
}

const pickAllScenarios: Scenario[] = [
  {
    // upstream: property_based_scheduling_integration_test.go "pick clusters with specific properties (single term, multiple expressions)"
    name: "PickAll, one term: nodes >= 4, energy < 45, allocatable cpu != 14, available memory > 4Gi: only 3",
    steps: [
      {
        title: "PickAll",
        clusters: F9,
        policy: pickAllRequired({
          propertySelector: {
            matchExpressions: [
              { name: NODE_COUNT, operator: "Ge", values: ["4"] },
              { name: ENERGY, operator: "Lt", values: ["45"] },
              { name: ALLOCATABLE_CPU, operator: "Ne", values: ["14"] },
              { name: AVAILABLE_MEMORY, operator: "Gt", values: ["4Gi"] },
            ],
          },
        }),
        expect: {
          bindings: [scheduledB(C3)],
          decisions: [selected(C3), ...[C1, C2, C4, C5, C6, C7, C9_LEFT, C8_UNHEALTHY].map((c) => filtered(c, REASON_AFFINITY))],
          condition: fulfilled(1),
        },
      },
    ],
  },
  {
    // upstream: property_based_scheduling_integration_test.go "pick clusters with specific properties (multiple terms, single expression)"
    name: "PickAll, OR-ed terms (nodes >= 8 | energy > 99 | total cpu == 12 | total memory <= 4Gi): 1, 3, 4, 5, 7",
    steps: [
      {
        title: "PickAll",
        clusters: F9,
        policy: pickAllRequired(
          { propertySelector: { matchExpressions: [{ name: NODE_COUNT, operator: "Ge", values: ["8"] }] } },
          { propertySelector: { matchExpressions: [{ name: ENERGY, operator: "Gt", values: ["99"] }] } },
          { propertySelector: { matchExpressions: [{ name: TOTAL_CPU, operator: "Eq", values: ["12"] }] } },
          { propertySelector: { matchExpressions: [{ name: TOTAL_MEMORY, operator: "Le", values: ["4Gi"] }] } },
        ),
        expect: {
          bindings: [C1, C3, C4, C5, C7].map((c) => scheduledB(c)),
          decisions: [
            ...[C1, C3, C4, C5, C7].map((c) => selected(c)),
            filtered(C2, REASON_AFFINITY),
            filtered(C6, REASON_AFFINITY),
            filtered(C9_LEFT, REASON_AFFINITY),
            filtered(C8_UNHEALTHY, REASON_C8), // energy 100 > 99 matches; then fails eligibility
          ],
          condition: fulfilled(5),
        },
      },
    ],
  },
  {
    // upstream: property_based_scheduling_integration_test.go "pick clusters with both label and property selectors (single term)"
    name: "PickAll, region=east AND nodes >= 4: 2, 3",
    steps: [
      {
        title: "PickAll",
        clusters: F9,
        policy: pickAllRequired({
          labelSelector: { matchLabels: { region: "east" } },
          propertySelector: { matchExpressions: [{ name: NODE_COUNT, operator: "Ge", values: ["4"] }] },
        }),
        expect: {
          bindings: [scheduledB(C2), scheduledB(C3)],
          decisions: [selected(C2), selected(C3), ...[C1, C4, C5, C6, C7, C9_LEFT, C8_UNHEALTHY].map((c) => filtered(c, REASON_AFFINITY))],
          condition: fulfilled(2),
        },
      },
    ],
  },
  {
    // upstream: property_based_scheduling_integration_test.go "pick clusters with both label and property selectors (multiple terms)"
    name: "PickAll, (prod & west) OR (energy >= 40 & total cpu > 12): 5, 6",
    steps: [
      {
        title: "PickAll",
        clusters: F9,
        policy: pickAllRequired(
          { labelSelector: { matchLabels: { env: "prod", region: "west" } } },
          {
            propertySelector: {
              matchExpressions: [
                { name: ENERGY, operator: "Ge", values: ["40"] },
                { name: TOTAL_CPU, operator: "Gt", values: ["12"] },
              ],
            },
          },
        ),
        expect: {
          bindings: [scheduledB(C5), scheduledB(C6)],
          decisions: [selected(C5), selected(C6), ...[C1, C2, C3, C4, C7, C9_LEFT, C8_UNHEALTHY].map((c) => filtered(c, REASON_AFFINITY))],
          condition: fulfilled(2),
        },
      },
    ],
  },
  {
    // upstream: property_based_scheduling_integration_test.go "property selector updated"
    name: "PickAll, property selector updated (2 <= nodes <= 6 -> 4 <= nodes <= 8) with 1, 2, 4 bound",
    steps: [
      {
        title: "2 <= nodes <= 6",
        clusters: F9,
        policy: pickAllRequired(nodesBetween("2", "6")),
        expect: {
          bindings: [C1, C2, C3, C4, C6].map((c) => scheduledB(c)),
          decisions: [
            ...[C1, C2, C3, C4, C6].map((c) => selected(c)),
            ...[C5, C7, C9_LEFT, C8_UNHEALTHY].map((c) => filtered(c, REASON_AFFINITY)),
          ],
          condition: fulfilled(5),
        },
      },
      {
        title: "1, 2, 4 bound; 4 <= nodes <= 8",
        clusters: F9,
        policy: pickAllRequired(nodesBetween("4", "8")),
        prepareBindings: (prev) => markBound(prev, [C1, C2, C4]),
        samePolicyHashAsPrevious: false,
        expect: {
          bindings: [
            unscheduledB(C1, "Bound", selected(C1)),
            boundB(C2),
            scheduledB(C3),
            unscheduledB(C4, "Bound", selected(C4)),
            scheduledB(C5),
            unscheduledB(C6, "Scheduled", selected(C6)),
            scheduledB(C7),
          ],
          // created (5, 7), patched (2, 3) in binding order, then filtered by name
          decisions: [
            selected(C5),
            selected(C7),
            selected(C2),
            selected(C3),
            ...[C1, C4, C6, C9_LEFT, C8_UNHEALTHY].map((c) => filtered(c, REASON_AFFINITY)),
          ],
          condition: fulfilled(4),
        },
      },
    ],
  },
  {
    // upstream: property_based_scheduling_integration_test.go "scheduling CRPs of the PickAll placement type using cluster properties" / "no matching clusters"
    name: "PickAll, energy <= 0: nothing matches",
    steps: [
      {
        title: "PickAll",
        clusters: F9,
        policy: pickAllRequired({ propertySelector: { matchExpressions: [{ name: ENERGY, operator: "Le", values: ["0"] }] } }),
        expect: {
          bindings: [],
          decisions: [...F9_HEALTHY, C9_LEFT, C8_UNHEALTHY].map((c) => filtered(c, REASON_AFFINITY)),
          condition: fulfilled(0),
        },
      },
    ],
  },
  {
    // upstream: property_based_scheduling_integration_test.go "cluster properties refreshed"
    name: "PickAll, available cpu >= 6; properties refresh: 3, 5 keep their bindings, 7 is added",
    steps: [
      {
        title: "available cpu >= 6",
        clusters: F9,
        policy: PICKALL_AVAILABLE_CPU_AT_LEAST_6,
        expect: {
          bindings: [scheduledB(C3), scheduledB(C5)],
          decisions: [selected(C3), selected(C5), ...[C1, C2, C4, C6, C7, C9_LEFT, C8_UNHEALTHY].map((c) => filtered(c, REASON_AFFINITY))],
          condition: fulfilled(2),
        },
      },
      {
        title: "available cpu of 3, 5 drops to 4; 7 rises to 8",
        clusters: withAvailableCpu(F9, { [C3]: "4", [C5]: "4", [C7]: "8" }),
        policy: PICKALL_AVAILABLE_CPU_AT_LEAST_6,
        samePolicyHashAsPrevious: true,
        expect: {
          bindings: [scheduledB(C3), scheduledB(C5), scheduledB(C7)],
          // 3 and 5 now fail the selector but already have decisions, so they are not listed as filtered
          decisions: [
            selected(C7),
            selected(C3),
            selected(C5),
            ...[C1, C2, C4, C6, C9_LEFT, C8_UNHEALTHY].map((c) => filtered(c, REASON_AFFINITY)),
          ],
          condition: fulfilled(3),
        },
      },
    ],
  },
];

const pickNScenarios: Scenario[] = [
  {
    // upstream: property_based_scheduling_integration_test.go "pick clusters with specific properties (single sorter, ascending)"
    name: "PickN 3, node count ascending w100 (min 1 from unhealthy cluster 8, max 8): 86, 86, 86",
    steps: [
      {
        title: "N=3",
        clusters: F9,
        policy: pickNPreferred(3, { weight: 100, preference: { propertySorter: { name: NODE_COUNT, sortOrder: "Ascending" } } }),
        expect: {
          bindings: [scheduledB(C1, 86), scheduledB(C4, 86), scheduledB(C6, 86)],
          decisions: [
            selected(C6, 86),
            selected(C4, 86),
            selected(C1, 86),
            notPicked(C2, 57),
            notPicked(C3, 29),
            notPicked(C7, 0),
            notPicked(C5, 0),
            ...f9IneligibleFiltered(),
          ],
          condition: fulfilled(3),
        },
      },
    ],
  },
  {
    // upstream: property_based_scheduling_integration_test.go "pick clusters with specific properties (single sorter, descending)"
    name: "PickN 3, node count descending w100: 7, 5 (100), 3 (71)",
    steps: [
      {
        title: "N=3",
        clusters: F9,
        policy: pickNPreferred(3, { weight: 100, preference: { propertySorter: { name: NODE_COUNT, sortOrder: "Descending" } } }),
        expect: {
          bindings: [scheduledB(C3, 71), scheduledB(C5, 100), scheduledB(C7, 100)],
          decisions: [
            selected(C7, 100),
            selected(C5, 100),
            selected(C3, 71),
            notPicked(C2, 43),
            notPicked(C6, 14),
            notPicked(C4, 14),
            notPicked(C1, 14),
            ...f9IneligibleFiltered(),
          ],
          condition: fulfilled(3),
        },
      },
    ],
  },
  {
    // upstream: property_based_scheduling_integration_test.go "pick clusters with specific properties (single sorter, same property value across the board)"
    name: "PickN 3, sorter on a property equal everywhere (min == max): all 0, ties by name",
    steps: [
      {
        title: "N=3",
        clusters: withProperty(),
        policy: pickNPreferred(3, { weight: 100, preference: { propertySorter: { name: NON_EXISTENT, sortOrder: "Ascending" } } }),
        expect: F9_PICKN3_TIES_EXPECT,
      },
    ],
  },
  {
    // upstream: property_based_scheduling_integration_test.go "pick clusters with specific properties (single sorter, specified property not available across the board)"
    name: "PickN 3, sorter on a property no cluster has: all 0, ties by name",
    steps: [
      {
        title: "N=3",
        clusters: F9,
        policy: pickNPreferred(3, { weight: 100, preference: { propertySorter: { name: NON_EXISTENT, sortOrder: "Ascending" } } }),
        expect: F9_PICKN3_TIES_EXPECT,
      },
    ],
  },
  {
    // upstream: property_based_scheduling_integration_test.go "pick clusters with specific properties (multiple sorters)"
    name: "PickN 3, nodes asc w100 + energy desc w80 + allocatable memory desc w60: 1 (168), 4 (146), 6 (135)",
    steps: [
      {
        title: "N=3",
        clusters: F9,
        policy: pickNPreferred(
          3,
          { weight: 100, preference: { propertySorter: { name: NODE_COUNT, sortOrder: "Ascending" } } },
          { weight: 80, preference: { propertySorter: { name: ENERGY, sortOrder: "Descending" } } },
          { weight: 60, preference: { propertySorter: { name: ALLOCATABLE_MEMORY, sortOrder: "Descending" } } },
        ),
        expect: {
          bindings: [scheduledB(C1, 168), scheduledB(C4, 146), scheduledB(C6, 135)],
          decisions: [
            selected(C1, 168),
            selected(C4, 146),
            selected(C6, 135),
            notPicked(C2, 108),
            notPicked(C3, 68),
            notPicked(C7, 60),
            notPicked(C5, 46),
            ...f9IneligibleFiltered(),
          ],
          condition: fulfilled(3),
        },
      },
    ],
  },
  {
    // upstream: property_based_scheduling_integration_test.go "pick clusters with both label selector and property sorter (single preferred term)"
    name: "PickN 4, canary & available cpu descending w100 (min 0 from cluster 8): 3 (75), 7 (50), 6, 5",
    steps: [
      {
        title: "N=4",
        clusters: F9,
        policy: pickNPreferred(4, {
          weight: 100,
          preference: {
            labelSelector: { matchLabels: { env: "canary" } },
            propertySorter: { name: AVAILABLE_CPU, sortOrder: "Descending" },
          },
        }),
        expect: {
          bindings: [scheduledB(C3, 75), scheduledB(C5), scheduledB(C6), scheduledB(C7, 50)],
          decisions: [
            selected(C3, 75),
            selected(C7, 50),
            selected(C6),
            selected(C5),
            notPicked(C4),
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
    // upstream: property_based_scheduling_integration_test.go "pick clusters with both label selectors and property sorters (multiple preferred terms)"
    name: "PickN 4, (canary & available cpu desc w100) + (east & energy desc w100): 3, 1 (100), 7, 2 (50)",
    steps: [
      {
        title: "N=4",
        clusters: F9,
        policy: pickNPreferred(
          4,
          {
            weight: 100,
            preference: {
              labelSelector: { matchLabels: { env: "canary" } },
              propertySorter: { name: AVAILABLE_CPU, sortOrder: "Descending" },
            },
          },
          {
            weight: 100,
            preference: { labelSelector: { matchLabels: { region: "east" } }, propertySorter: { name: ENERGY, sortOrder: "Descending" } },
          },
        ),
        expect: {
          bindings: [scheduledB(C1, 100), scheduledB(C2, 50), scheduledB(C3, 100), scheduledB(C7, 50)],
          decisions: [
            selected(C3, 100),
            selected(C1, 100),
            selected(C7, 50),
            selected(C2, 50),
            notPicked(C6),
            notPicked(C5),
            notPicked(C4),
            ...f9IneligibleFiltered(),
          ],
          condition: fulfilled(4),
        },
      },
    ],
  },
];

/** A three-cluster fleet with node counts 0, 1, 4 (min 0, max 4), so node count 1 sits at r = 0.25. */
const ROUNDING_FLEET = [
  memberCluster("a-zero", { properties: { [NODE_COUNT]: "0" } }),
  memberCluster("b-one", { properties: { [NODE_COUNT]: "1" } }),
  memberCluster("c-four", { properties: { [NODE_COUNT]: "4" } }),
];

const roundingScenarios: Scenario[] = [
  {
    // derived: clusteraffinity/scoring.go (Go math.Round: -2.5 -> -3, rounded per term, then summed)
    name: "negative weight: 0.25 x -10 = -2.5 rounds to -3 (half away from zero), -7.5 to -8",
    steps: [
      {
        title: "PickN 1, node count Descending w-10",
        clusters: ROUNDING_FLEET,
        options: {},
        policy: pickNPreferred(1, { weight: -10, preference: { propertySorter: { name: NODE_COUNT, sortOrder: "Descending" } } }),
        expect: {
          bindings: [scheduledB("a-zero", 0)],
          decisions: [selected("a-zero", 0), notPicked("b-one", -3), notPicked("c-four", -10)],
          condition: fulfilled(1),
        },
      },
      {
        title: "PickN 1, node count Ascending w-10 (new policy)",
        clusters: ROUNDING_FLEET,
        options: {},
        policy: pickNPreferred(1, { weight: -10, preference: { propertySorter: { name: NODE_COUNT, sortOrder: "Ascending" } } }),
        samePolicyHashAsPrevious: false,
        expect: {
          // a-zero scores -10 but its obsolete binding is not enough to beat c-four (0): scores come first
          bindings: [unscheduledB("a-zero", "Scheduled", selected("a-zero", 0)), scheduledB("c-four", 0)],
          decisions: [selected("c-four", 0), notPicked("b-one", -8), notPicked("a-zero", -10)],
          condition: fulfilled(1),
        },
      },
    ],
  },
  {
    // derived: clusteraffinity/scoring.go (each preferred term is rounded separately, then summed)
    name: "two terms of -2.5 each sum to -6, not round(-5)",
    steps: [
      {
        title: "PickN 1, two node count Descending w-10 terms",
        clusters: ROUNDING_FLEET,
        options: {},
        policy: pickNPreferred(
          1,
          { weight: -10, preference: { propertySorter: { name: NODE_COUNT, sortOrder: "Descending" } } },
          { weight: -10, preference: { propertySorter: { name: NODE_COUNT, sortOrder: "Descending" } } },
        ),
        expect: {
          bindings: [scheduledB("a-zero", 0)],
          decisions: [selected("a-zero", 0), notPicked("b-one", -6), notPicked("c-four", -20)],
          condition: fulfilled(1),
        },
      },
    ],
  },
];

describe("scheduler integration (upstream property_based_scheduling_integration_test.go)", () => {
  describe("sorter rounding (derived)", () => {
    for (const sc of roundingScenarios) {
      it(sc.name, () => {
        runScenario(schedule, sc);
      });
    }
  });
  describe("PickAll with property selectors", () => {
    for (const sc of pickAllScenarios) {
      it(sc.name, () => {
        runScenario(schedule, sc);
      });
    }
  });
  describe("PickN with property sorters", () => {
    for (const sc of pickNScenarios) {
      it(sc.name, () => {
        runScenario(schedule, sc);
      });
    }
  });
});
