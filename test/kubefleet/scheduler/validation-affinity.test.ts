import { strict as assert } from "assert";
import { validatePolicy } from "../../../components/core/kubefleet/scheduler/validation";
import {
  ClusterSelectorTerm,
  PlacementPolicy,
  FieldViolation,
  PreferredClusterSelector,
} from "../../../components/core/kubefleet/scheduler/types";

// Cluster affinity structure: required-term limit, preferred weights, and which term kind may carry
// a property selector or sorter (CRD schema + kubefleet webhook).

const CA = "policy.affinity.clusterAffinity";
const REQ = `${CA}.requiredDuringSchedulingIgnoredDuringExecution`;
const PREF = `${CA}.preferredDuringSchedulingIgnoredDuringExecution`;

const east: ClusterSelectorTerm = { labelSelector: { matchLabels: { region: "east" } } };

function pickN(required?: ClusterSelectorTerm[], preferred?: PreferredClusterSelector[]): PlacementPolicy {
  const clusterAffinity: NonNullable<NonNullable<PlacementPolicy["affinity"]>["clusterAffinity"]> = {};
  if (required) clusterAffinity.requiredDuringSchedulingIgnoredDuringExecution = { clusterSelectorTerms: required };
  if (preferred) clusterAffinity.preferredDuringSchedulingIgnoredDuringExecution = preferred;
  return { placementType: "PickN", numberOfClusters: 1, affinity: { clusterAffinity } };
}

function pickAll(required?: ClusterSelectorTerm[], preferred?: PreferredClusterSelector[]): PlacementPolicy {
  const { affinity } = pickN(required, preferred);
  return { placementType: "PickAll", affinity };
}

interface Case {
  name: string;
  policy: PlacementPolicy;
  want: FieldViolation[];
}

const cases: Case[] = [
  { name: "accepts an empty affinity and an empty clusterAffinity", policy: { affinity: { clusterAffinity: {} } }, want: [] },
  { name: "accepts 10 required terms", policy: pickN(Array.from({ length: 10 }, () => east)), want: [] },
  { name: "accepts an empty required term list", policy: pickN([]), want: [] },
  {
    name: "rejects 11 required terms",
    policy: pickN(Array.from({ length: 11 }, () => east)),
    want: [{ path: `${REQ}.clusterSelectorTerms`, message: "Too many: 11: must have at most 10 items" }],
  },
  {
    name: "rejects a required selector without clusterSelectorTerms",
    policy: { affinity: { clusterAffinity: { requiredDuringSchedulingIgnoredDuringExecution: {} as never } } },
    want: [{ path: `${REQ}.clusterSelectorTerms`, message: "Required value" }],
  },
  {
    name: "accepts weights -100 and 100",
    policy: pickN(undefined, [
      { weight: -100, preference: east },
      { weight: 100, preference: east },
    ]),
    want: [],
  },
  {
    name: "rejects a weight above 100",
    policy: pickN(undefined, [{ weight: 101, preference: east }]),
    want: [{ path: `${PREF}[0].weight`, message: "Invalid value: 101: should be less than or equal to 100" }],
  },
  {
    name: "rejects a weight below -100",
    policy: pickN(undefined, [
      { weight: 10, preference: east },
      { weight: -101, preference: east },
    ]),
    want: [{ path: `${PREF}[1].weight`, message: "Invalid value: -101: should be greater than or equal to -100" }],
  },
  {
    name: "rejects a fractional weight",
    policy: pickN(undefined, [{ weight: 2.5, preference: east }]),
    want: [{ path: `${PREF}[0].weight`, message: 'Invalid value: 2.5: must be of type integer: "number"' }],
  },
  {
    name: "rejects a preferred term without weight or preference",
    policy: pickN(undefined, [{} as never]),
    want: [
      { path: `${PREF}[0].weight`, message: "Required value" },
      { path: `${PREF}[0].preference`, message: "Required value" },
    ],
  },
  {
    name: "rejects a property sorter in a required term",
    policy: pickN([{ ...east, propertySorter: { name: "Name", sortOrder: "Descending" } }]),
    want: [
      {
        path: `${REQ}.clusterSelectorTerms[0].propertySorter`,
        message:
          'PropertySorter is not allowed for RequiredDuringSchedulingIgnoredDuringExecution affinity (got {"name":"Name","sortOrder":"Descending"})',
      },
    ],
  },
  {
    name: "rejects a property sorter in a required term of a PickAll policy too",
    policy: pickAll([{ propertySorter: { name: "cost", sortOrder: "Ascending" } }]),
    want: [
      {
        path: `${REQ}.clusterSelectorTerms[0].propertySorter`,
        message:
          'PropertySorter is not allowed for RequiredDuringSchedulingIgnoredDuringExecution affinity (got {"name":"cost","sortOrder":"Ascending"})',
      },
    ],
  },
  {
    name: "rejects a property selector in a preferred term",
    policy: pickN(undefined, [
      { weight: 5, preference: { propertySelector: { matchExpressions: [{ name: "version", operator: "Eq", values: ["1"] }] } } },
    ]),
    want: [
      {
        path: `${PREF}[0].preference.propertySelector`,
        message:
          'PropertySelector is not allowed for PreferredDuringSchedulingIgnoredDuringExecution affinity (got {"matchExpressions":[{"name":"version","operator":"Eq","values":["1"]}]})',
      },
    ],
  },
  {
    name: "accepts a property sorter in a preferred term",
    policy: pickN(undefined, [
      { weight: 50, preference: { propertySorter: { name: "resources.kubernetes-fleet.io/available-cpu", sortOrder: "Descending" } } },
    ]),
    want: [],
  },
  {
    name: "rejects a sorter with an unknown sortOrder with the enum error (not the webhook's duplicate)",
    policy: pickN(undefined, [
      {
        weight: 50,
        preference: { propertySorter: { name: "resources.kubernetes-fleet.io/total-cpu", sortOrder: "random-order" as never } },
      },
    ]),
    want: [
      {
        path: `${PREF}[0].preference.propertySorter.sortOrder`,
        message: 'Unsupported value: "random-order": supported values: "Ascending", "Descending"',
      },
    ],
  },
  {
    name: "rejects a sorter without name and sortOrder",
    policy: pickN(undefined, [{ weight: 50, preference: { propertySorter: {} as never } }]),
    want: [
      { path: `${PREF}[0].preference.propertySorter.name`, message: "Required value" },
      { path: `${PREF}[0].preference.propertySorter.sortOrder`, message: "Required value" },
    ],
  },
  {
    name: "rejects a sorter whose property name has an unknown capacity type, without the 'invalid property name' prefix",
    policy: pickN(undefined, [
      { weight: 50, preference: { propertySorter: { name: "resources.kubernetes-fleet.io/used-cpu", sortOrder: "Ascending" } } },
    ]),
    want: [
      {
        path: `${PREF}[0].preference.propertySorter.name`,
        message:
          "invalid capacity type in resource property name resources.kubernetes-fleet.io/used-cpu, supported values are [allocatable available total]",
      },
    ],
  },
  {
    name: "rejects preferred terms on a PickAll policy with the webhook's 'will be ignored' wording",
    policy: pickAll([east], [{ weight: 1, preference: { labelSelector: { matchLabels: { "test-key": "test-value" } } } }]),
    want: [
      {
        path: PREF,
        message:
          'PreferredDuringSchedulingIgnoredDuringExecution will be ignored for placement policy type PickAll (got [{"weight":1,"preference":{"labelSelector":{"matchLabels":{"test-key":"test-value"}}}}])',
      },
    ],
  },
  {
    name: "rejects preferred terms on a defaulted PickAll policy and skips webhook checks inside them",
    policy: {
      affinity: {
        clusterAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { propertySelector: { matchExpressions: [] } } }],
        },
      },
    },
    want: [
      {
        path: PREF,
        message:
          'PreferredDuringSchedulingIgnoredDuringExecution will be ignored for placement policy type PickAll (got [{"weight":1,"preference":{"propertySelector":{"matchExpressions":[]}}}])',
      },
    ],
  },
  {
    name: "still applies schema checks inside the preferred terms of a PickAll policy",
    policy: pickAll(undefined, [{ weight: 200, preference: {} }]),
    want: [
      { path: `${PREF}[0].weight`, message: "Invalid value: 200: should be less than or equal to 100" },
      {
        path: PREF,
        message:
          'PreferredDuringSchedulingIgnoredDuringExecution will be ignored for placement policy type PickAll (got [{"weight":200,"preference":{}}])',
      },
    ],
  },
  { name: "accepts an empty preferred list on a PickAll policy", policy: pickAll([east], []), want: [] },
  {
    name: "accepts many preferred terms (no maximum)",
    policy: pickN(
      undefined,
      Array.from({ length: 150 }, (_, i) => ({ weight: (i % 201) - 100, preference: east })),
    ),
    want: [],
  },
];

describe("validatePolicy: cluster affinity", () => {
  for (const c of cases) {
    it(c.name, () => assert.deepStrictEqual(validatePolicy(c.policy), c.want));
  }
});
