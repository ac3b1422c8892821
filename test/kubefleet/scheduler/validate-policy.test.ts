import { strict as assert } from "assert";
import { validatePolicy, validatePolicyUpdate } from "../../../components/core/kubefleet/scheduler/validation";
import { PlacementPolicy, FieldViolation } from "../../../components/core/kubefleet/scheduler/types";

// Placement-type field combinations (CEL), clusterNames, numberOfClusters, topology spread
// constraints and the update rules. Affinity, selectors, tolerations and the strategy have their
// own validation-*.test.ts files.

interface Case {
  name: string;
  policy: PlacementPolicy | undefined;
  want: FieldViolation[];
}

const CEL_PICK_FIXED =
  "affinity, numberOfClusters, topologySpreadConstraints, and tolerations cannot be set when placementType is PickFixed";
const CEL_PICK_ALL = "clusterNames, numberOfClusters, and topologySpreadConstraints cannot be set when placementType is PickAll";
const CEL_PICK_N = "clusterNames cannot be set and numberOfClusters must be set when placementType is PickN";
const DNS_SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

const requiredEast = {
  clusterAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: { clusterSelectorTerms: [{ labelSelector: { matchLabels: { region: "east" } } }] },
  },
};

function runCases(title: string, cases: Case[]): void {
  describe(title, () => {
    for (const c of cases) {
      it(c.name, () => assert.deepStrictEqual(validatePolicy(c.policy), c.want));
    }
  });
}

runCases("validatePolicy: valid policies", [
  { name: "accepts an undefined policy (PickAll)", policy: undefined, want: [] },
  { name: "accepts an empty policy, which defaults to PickAll", policy: {}, want: [] },
  {
    name: "accepts a PickAll policy with required affinity and tolerations",
    policy: { placementType: "PickAll", affinity: requiredEast, tolerations: [{ key: "gpu", operator: "Exists" }] },
    want: [],
  },
  {
    name: "accepts a PickN policy with affinity, topology spread and tolerations",
    policy: {
      placementType: "PickN",
      numberOfClusters: 3,
      affinity: {
        clusterAffinity: {
          ...requiredEast.clusterAffinity,
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 20, preference: { labelSelector: { matchLabels: { env: "prod" } } } },
          ],
        },
      },
      topologySpreadConstraints: [{ topologyKey: "region", maxSkew: 2, whenUnsatisfiable: "ScheduleAnyway" }],
      tolerations: [{ key: "dedicated", value: "team-a", effect: "NoSchedule" }],
    },
    want: [],
  },
  { name: "accepts a PickN policy with numberOfClusters 0", policy: { placementType: "PickN", numberOfClusters: 0 }, want: [] },
  {
    name: "accepts a PickFixed policy with cluster names",
    policy: { placementType: "PickFixed", clusterNames: ["member-1", "a.b.c"] },
    want: [],
  },
  {
    name: "accepts a PickFixed policy with an empty clusterNames list (scale to zero)",
    policy: { placementType: "PickFixed", clusterNames: [] },
    want: [],
  },
  { name: "accepts a PickFixed policy without clusterNames", policy: { placementType: "PickFixed" }, want: [] },
]);

runCases("validatePolicy: placement type and field combinations", [
  {
    name: "rejects an unknown placementType with the enum error only",
    policy: { placementType: "PickSome" as never, numberOfClusters: 2 },
    want: [{ path: "policy.placementType", message: 'Unsupported value: "PickSome": supported values: "PickAll", "PickN", "PickFixed"' }],
  },
  {
    name: "rejects a PickN policy without numberOfClusters",
    policy: { placementType: "PickN" },
    want: [{ path: "policy", message: `${CEL_PICK_N} (got numberOfClusters unset)` }],
  },
  {
    name: "rejects a PickN policy with clusterNames",
    policy: { placementType: "PickN", numberOfClusters: 1, clusterNames: ["a"] },
    want: [{ path: "policy", message: `${CEL_PICK_N} (got clusterNames ["a"])` }],
  },
  {
    name: "rejects a PickN policy with clusterNames and without numberOfClusters in one CEL violation",
    policy: { placementType: "PickN", clusterNames: ["a"] },
    want: [{ path: "policy", message: `${CEL_PICK_N} (got clusterNames ["a"], numberOfClusters unset)` }],
  },
  {
    name: "rejects a PickAll policy with clusterNames, numberOfClusters and topologySpreadConstraints",
    policy: { placementType: "PickAll", clusterNames: ["a"], numberOfClusters: 2, topologySpreadConstraints: [{ topologyKey: "region" }] },
    want: [
      {
        path: "policy",
        message: `${CEL_PICK_ALL} (got clusterNames ["a"], numberOfClusters 2, topologySpreadConstraints [{"topologyKey":"region"}])`,
      },
    ],
  },
  {
    name: "rejects a defaulted (PickAll) policy with numberOfClusters",
    policy: { numberOfClusters: 2 },
    want: [{ path: "policy", message: `${CEL_PICK_ALL} (got numberOfClusters 2)` }],
  },
  {
    name: "rejects a PickAll policy with an empty clusterNames list, because CEL has() sees it",
    policy: { placementType: "PickAll", clusterNames: [] },
    want: [{ path: "policy", message: `${CEL_PICK_ALL} (got clusterNames [])` }],
  },
  {
    name: "rejects a PickFixed policy with affinity, numberOfClusters, topologySpreadConstraints and tolerations",
    policy: {
      placementType: "PickFixed",
      clusterNames: ["a"],
      affinity: {},
      numberOfClusters: 1,
      topologySpreadConstraints: [],
      tolerations: [{ key: "k", operator: "Exists" }],
    },
    want: [
      {
        path: "policy",
        message: `${CEL_PICK_FIXED} (got affinity {}, numberOfClusters 1, topologySpreadConstraints [], tolerations [{"key":"k","operator":"Exists"}])`,
      },
    ],
  },
  {
    name: "rejects a PickFixed policy with required affinity without webhook-checking its selector",
    policy: {
      placementType: "PickFixed",
      clusterNames: ["a"],
      affinity: {
        clusterAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            clusterSelectorTerms: [{ labelSelector: { matchExpressions: [{ key: "k", operator: "In" }] } }],
          },
        },
      },
    },
    want: [
      {
        path: "policy",
        message: `${CEL_PICK_FIXED} (got affinity {"clusterAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"clusterSelectorTerms":[{"labelSelector":{"matc...)`,
      },
    ],
  },
]);

runCases("validatePolicy: numberOfClusters", [
  {
    name: "rejects a negative numberOfClusters with the schema minimum (not the webhook's duplicate)",
    policy: { placementType: "PickN", numberOfClusters: -1 },
    want: [{ path: "policy.numberOfClusters", message: "Invalid value: -1: should be greater than or equal to 0" }],
  },
  {
    name: "rejects a fractional numberOfClusters as not an integer",
    policy: { placementType: "PickN", numberOfClusters: 1.5 },
    want: [{ path: "policy.numberOfClusters", message: 'Invalid value: 1.5: must be of type integer: "number"' }],
  },
]);

const names = (n: number) => Array.from({ length: n }, (_, i) => `member-${i}`);

runCases("validatePolicy: clusterNames (PickFixed)", [
  { name: "accepts 100 cluster names", policy: { placementType: "PickFixed", clusterNames: names(100) }, want: [] },
  {
    name: "rejects 101 cluster names",
    policy: { placementType: "PickFixed", clusterNames: names(101) },
    want: [{ path: "policy.clusterNames", message: "Too many: 101: must have at most 100 items" }],
  },
  {
    name: "rejects a duplicate cluster name once, at its first repetition",
    policy: { placementType: "PickFixed", clusterNames: ["a", "b", "a", "b", "a"] },
    want: [{ path: "policy.clusterNames[2]", message: 'cluster names must be unique for policy type PickFixed (got "a" more than once)' }],
  },
  {
    name: "rejects a cluster name that is not a DNS-1123 subdomain",
    policy: { placementType: "PickFixed", clusterNames: ["ok", "test@,cluster1"] },
    want: [
      { path: "policy.clusterNames[1]", message: `PickFixed cluster name test@,cluster1 is not a valid member name: ${DNS_SUBDOMAIN}` },
    ],
  },
  {
    name: "rejects an empty cluster name",
    policy: { placementType: "PickFixed", clusterNames: [""] },
    want: [{ path: "policy.clusterNames[0]", message: `PickFixed cluster name  is not a valid member name: ${DNS_SUBDOMAIN}` }],
  },
  {
    name: "rejects a 64-character cluster name although it is a valid subdomain",
    policy: { placementType: "PickFixed", clusterNames: ["a".repeat(64)] },
    want: [{ path: "policy.clusterNames[0]", message: `PickFixed cluster name ${"a".repeat(64)} cannot have length exceeding 63` }],
  },
  { name: "accepts a 63-character cluster name", policy: { placementType: "PickFixed", clusterNames: ["a".repeat(63)] }, want: [] },
  {
    name: "rejects a long upper-case cluster name with both the syntax and the length message",
    policy: { placementType: "PickFixed", clusterNames: ["A".repeat(64)] },
    want: [
      { path: "policy.clusterNames[0]", message: `PickFixed cluster name ${"A".repeat(64)} is not a valid member name: ${DNS_SUBDOMAIN}` },
      { path: "policy.clusterNames[0]", message: `PickFixed cluster name ${"A".repeat(64)} cannot have length exceeding 63` },
    ],
  },
  {
    name: "applies only the CEL rule to clusterNames of a PickN policy",
    policy: { placementType: "PickN", numberOfClusters: 1, clusterNames: ["Bad_Name", "Bad_Name"] },
    want: [{ path: "policy", message: `${CEL_PICK_N} (got clusterNames ["Bad_Name","Bad_Name"])` }],
  },
]);

const tscPath = "policy.topologySpreadConstraints";
runCases("validatePolicy: topology spread constraints", [
  {
    name: "accepts a constraint with only a topologyKey (maxSkew and whenUnsatisfiable default)",
    policy: { placementType: "PickN", numberOfClusters: 2, topologySpreadConstraints: [{ topologyKey: "region" }] },
    want: [],
  },
  {
    name: "rejects maxSkew 0",
    policy: { placementType: "PickN", numberOfClusters: 2, topologySpreadConstraints: [{ topologyKey: "region", maxSkew: 0 }] },
    want: [{ path: `${tscPath}[0].maxSkew`, message: "Invalid value: 0: should be greater than or equal to 1" }],
  },
  {
    name: "rejects a fractional maxSkew",
    policy: { placementType: "PickN", numberOfClusters: 2, topologySpreadConstraints: [{ topologyKey: "region", maxSkew: 1.5 }] },
    want: [{ path: `${tscPath}[0].maxSkew`, message: 'Invalid value: 1.5: must be of type integer: "number"' }],
  },
  {
    name: "rejects a constraint without topologyKey",
    policy: { placementType: "PickN", numberOfClusters: 2, topologySpreadConstraints: [{ maxSkew: 1 } as never] },
    want: [{ path: `${tscPath}[0].topologyKey`, message: "Required value" }],
  },
  {
    name: "rejects an unknown whenUnsatisfiable with the enum error (not the webhook's duplicate)",
    policy: {
      placementType: "PickN",
      numberOfClusters: 2,
      topologySpreadConstraints: [{ topologyKey: "zone" }, { topologyKey: "region", whenUnsatisfiable: "random-type" as never }],
    },
    want: [
      {
        path: `${tscPath}[1].whenUnsatisfiable`,
        message: 'Unsupported value: "random-type": supported values: "DoNotSchedule", "ScheduleAnyway"',
      },
    ],
  },
  {
    name: "accepts many constraints (no maximum)",
    policy: {
      placementType: "PickN",
      numberOfClusters: 2,
      topologySpreadConstraints: Array.from({ length: 150 }, (_, i) => ({ topologyKey: `k${i}` })),
    },
    want: [],
  },
]);

interface UpdateCase {
  name: string;
  old: PlacementPolicy | undefined;
  next: PlacementPolicy | undefined;
  want: FieldViolation[];
}

const updateCases: UpdateCase[] = [
  { name: "accepts no policy before and after", old: undefined, next: undefined, want: [] },
  {
    name: "accepts setting a PickAll policy where there was none",
    old: undefined,
    next: { placementType: "PickAll", affinity: requiredEast },
    want: [],
  },
  {
    name: "accepts changing fields other than placementType",
    old: { placementType: "PickN", numberOfClusters: 1 },
    next: { placementType: "PickN", numberOfClusters: 5, affinity: requiredEast },
    want: [],
  },
  { name: "accepts an explicit PickAll replacing a defaulted one", old: {}, next: { placementType: "PickAll" }, want: [] },
  {
    name: "rejects removing a policy once set",
    old: { placementType: "PickN", numberOfClusters: 2 },
    next: undefined,
    want: [
      { path: "policy", message: 'policy cannot be removed once set (got no policy, was {"placementType":"PickN","numberOfClusters":2})' },
    ],
  },
  {
    name: "rejects removing even a PickAll policy",
    old: {},
    next: undefined,
    want: [{ path: "policy", message: "policy cannot be removed once set (got no policy, was {})" }],
  },
  {
    name: "rejects changing placementType",
    old: { placementType: "PickN", numberOfClusters: 2 },
    next: { placementType: "PickAll" },
    want: [{ path: "policy.placementType", message: 'placement type is immutable (got "PickAll"; was "PickN")' }],
  },
  {
    name: "rejects setting a PickN policy where there was none, as unset counts as PickAll",
    old: undefined,
    next: { placementType: "PickN", numberOfClusters: 1 },
    want: [
      {
        path: "policy.placementType",
        message: 'placement type is immutable (got "PickN"; there was no policy, which counts as "PickAll")',
      },
    ],
  },
  {
    name: "rejects a defaulted PickAll becoming PickFixed",
    old: {},
    next: { placementType: "PickFixed", clusterNames: ["a"] },
    want: [{ path: "policy.placementType", message: 'placement type is immutable (got "PickFixed"; was "PickAll")' }],
  },
  {
    name: "rejects a type change and a removed toleration as two violations",
    old: { placementType: "PickAll", tolerations: [{ key: "a", operator: "Exists" }] },
    next: { placementType: "PickN", numberOfClusters: 1 },
    want: [
      { path: "policy.placementType", message: 'placement type is immutable (got "PickN"; was "PickAll")' },
      {
        path: "policy.tolerations",
        message:
          "tolerations have been updated/deleted, only additions to tolerations are allowed (removed or changed: {Key:a Operator:Exists Value: Effect:})",
      },
    ],
  },
];

describe("validatePolicyUpdate", () => {
  for (const c of updateCases) {
    it(c.name, () => assert.deepStrictEqual(validatePolicyUpdate(c.old, c.next), c.want));
  }
});
