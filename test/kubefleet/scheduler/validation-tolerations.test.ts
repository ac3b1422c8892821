import { strict as assert } from "assert";
import { validatePolicy, validatePolicyUpdate } from "../../../components/core/kubefleet/scheduler/validation";
import { PlacementPolicy, FieldViolation, Toleration } from "../../../components/core/kubefleet/scheduler/types";

// Tolerations: CRD enums and maxItems, the two CEL rules, the webhook's key/value/uniqueness checks
// (PickAll and PickN only) and the update rule (only additions allowed).

const T = "policy.tolerations";
const QUALIFIED_NAME_PART =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const THREE_SEGMENTS =
  "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') " +
  "with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";

const pickAll = (...tolerations: Toleration[]): PlacementPolicy => ({ placementType: "PickAll", tolerations });
const pickN = (...tolerations: Toleration[]): PlacementPolicy => ({ placementType: "PickN", numberOfClusters: 1, tolerations });
const many = (n: number): Toleration[] => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, operator: "Exists" }));

interface Case {
  name: string;
  policy: PlacementPolicy;
  want: FieldViolation[];
}

const cases: Case[] = [
  {
    name: "accepts Equal, Exists-with-key and match-everything tolerations",
    policy: pickAll(
      { key: "key1", operator: "Equal", value: "value1", effect: "NoSchedule" },
      { key: "key2", operator: "Exists", effect: "NoSchedule" },
      { operator: "Exists" },
    ),
    want: [],
  },
  {
    name: "accepts an Equal toleration with an empty value",
    policy: pickN({ key: "key1", operator: "Equal", effect: "NoSchedule" }),
    want: [],
  },
  { name: "accepts a toleration whose operator defaults to Equal", policy: pickN({ key: "dedicated", value: "gpu" }), want: [] },
  { name: "accepts 100 tolerations", policy: pickAll(...many(100)), want: [] },
  {
    name: "rejects 101 tolerations",
    policy: pickAll(...many(101)),
    want: [{ path: T, message: "Too many: 101: must have at most 100 items" }],
  },
  {
    name: "rejects a key that is not a qualified name with operator Equal",
    policy: pickAll({ key: "key:123*", operator: "Equal", value: "value1", effect: "NoSchedule" }),
    want: [
      {
        path: `${T}[0].key`,
        message: `invalid toleration key {Key:key:123* Operator:Equal Value:value1 Effect:NoSchedule}: ${QUALIFIED_NAME_PART}`,
      },
    ],
  },
  {
    name: "rejects a key that is not a qualified name with operator Exists",
    policy: pickN({ key: "key:123*", operator: "Exists", effect: "NoSchedule" }),
    want: [
      {
        path: `${T}[0].key`,
        message: `invalid toleration key {Key:key:123* Operator:Exists Value: Effect:NoSchedule}: ${QUALIFIED_NAME_PART}`,
      },
    ],
  },
  {
    name: "rejects a key with more than one slash",
    policy: pickAll({ key: "a/b/c", operator: "Exists" }),
    want: [{ path: `${T}[0].key`, message: `invalid toleration key {Key:a/b/c Operator:Exists Value: Effect:}: ${THREE_SEGMENTS}` }],
  },
  {
    name: "rejects an Equal value that is not a valid label value",
    policy: pickAll({ key: "key1", operator: "Equal", value: "val#%/-123", effect: "NoSchedule" }),
    want: [
      {
        path: `${T}[0].value`,
        message: `invalid toleration value {Key:key1 Operator:Equal Value:val#%/-123 Effect:NoSchedule}: ${LABEL_VALUE}`,
      },
    ],
  },
  {
    name: "rejects an Equal value longer than 63 characters",
    policy: pickAll({ key: "key1", value: "v".repeat(64) }),
    want: [
      {
        path: `${T}[0].value`,
        message: `invalid toleration value {Key:key1 Operator:Equal Value:${"v".repeat(64)} Effect:}: must be no more than 63 characters`,
      },
    ],
  },
  {
    name: "rejects an Exists toleration with a value with the CEL message (not the webhook's duplicate)",
    policy: pickAll({ key: "key1", operator: "Exists", value: "value1", effect: "NoSchedule" }),
    want: [{ path: `${T}[0].value`, message: 'value must be empty when operator is Exists (got value "value1")' }],
  },
  {
    name: "rejects an Equal toleration without key with the CEL message (not the webhook's duplicate)",
    policy: pickN({ operator: "Equal", value: "value1", effect: "NoSchedule" }),
    want: [{ path: `${T}[0].operator`, message: 'operator must be Exists when key is empty (got operator "Equal" with an empty key)' }],
  },
  {
    name: "rejects a toleration without key whose operator defaults to Equal",
    policy: pickAll({ effect: "NoSchedule" }),
    want: [{ path: `${T}[0].operator`, message: 'operator must be Exists when key is empty (got operator "Equal" with an empty key)' }],
  },
  {
    name: "rejects an unknown operator and an unknown effect with the enum errors",
    policy: pickAll({ key: "k", operator: "In" as never }, { key: "k", operator: "Exists", effect: "NoExecute" as never }),
    want: [
      { path: `${T}[0].operator`, message: 'Unsupported value: "In": supported values: "Equal", "Exists"' },
      { path: `${T}[1].effect`, message: 'Unsupported value: "NoExecute": supported values: "NoSchedule"' },
    ],
  },
  {
    name: "rejects a duplicate toleration",
    policy: pickAll(
      { key: "key1", operator: "Equal", value: "value1", effect: "NoSchedule" },
      { key: "key2", operator: "Exists", effect: "NoSchedule" },
      { key: "key1", operator: "Equal", value: "value1", effect: "NoSchedule" },
    ),
    want: [
      {
        path: `${T}[2]`,
        message: "toleration {Key:key1 Operator:Equal Value:value1 Effect:NoSchedule} already exists, tolerations must be unique",
      },
    ],
  },
  {
    name: "rejects a duplicate that differs only by the defaulted operator",
    policy: pickN({ key: "key1", value: "v" }, { key: "key1", operator: "Equal", value: "v" }),
    want: [{ path: `${T}[1]`, message: "toleration {Key:key1 Operator:Equal Value:v Effect:} already exists, tolerations must be unique" }],
  },
  {
    name: "applies only the schema and CEL rules to the tolerations of a PickFixed policy",
    policy: {
      placementType: "PickFixed",
      clusterNames: ["a"],
      tolerations: [
        { key: "bad key", operator: "Exists", value: "x" },
        { key: "bad key", operator: "Exists", value: "x" },
      ],
    },
    want: [
      {
        path: "policy",
        message:
          'affinity, numberOfClusters, topologySpreadConstraints, and tolerations cannot be set when placementType is PickFixed (got tolerations [{"key":"bad key","operator":"Exists","value":"x"},{"key":"bad key","operator":"Exists","value":"x"}])',
      },
      { path: `${T}[0].value`, message: 'value must be empty when operator is Exists (got value "x")' },
      { path: `${T}[1].value`, message: 'value must be empty when operator is Exists (got value "x")' },
    ],
  },
];

describe("validatePolicy: tolerations", () => {
  for (const c of cases) {
    it(c.name, () => assert.deepStrictEqual(validatePolicy(c.policy), c.want));
  }
});

const UPDATE_MESSAGE = "tolerations have been updated/deleted, only additions to tolerations are allowed";
const t1: Toleration = { key: "key1", operator: "Equal", value: "value1", effect: "NoSchedule" };
const t2: Toleration = { key: "key2", operator: "Exists", effect: "NoSchedule" };

interface UpdateCase {
  name: string;
  old: Toleration[] | undefined;
  next: Toleration[] | undefined;
  want: FieldViolation[];
}

const updateCases: UpdateCase[] = [
  { name: "accepts adding tolerations where there were none", old: undefined, next: [t1, t2], want: [] },
  { name: "accepts unchanged tolerations", old: [t1, t2], next: [t1, t2], want: [] },
  { name: "accepts unchanged tolerations in another order", old: [t1, t2], next: [t2, t1], want: [] },
  { name: "accepts an added toleration", old: [t1, t2], next: [t1, t2, { operator: "Exists" }], want: [] },
  {
    name: "accepts a toleration rewritten with its default operator",
    old: [{ key: "a", value: "b" }],
    next: [{ key: "a", operator: "Equal", value: "b" }],
    want: [],
  },
  {
    name: "rejects deleting a toleration",
    old: [t1, t2],
    next: [t1],
    want: [{ path: T, message: `${UPDATE_MESSAGE} (removed or changed: {Key:key2 Operator:Exists Value: Effect:NoSchedule})` }],
  },
  {
    name: "rejects deleting every toleration",
    old: [t1, t2],
    next: undefined,
    want: [
      {
        path: T,
        message: `${UPDATE_MESSAGE} (removed or changed: {Key:key1 Operator:Equal Value:value1 Effect:NoSchedule}, {Key:key2 Operator:Exists Value: Effect:NoSchedule})`,
      },
    ],
  },
  {
    name: "rejects changing a toleration",
    old: [t1, t2],
    next: [{ ...t1, value: "value2" }, t2],
    want: [{ path: T, message: `${UPDATE_MESSAGE} (removed or changed: {Key:key1 Operator:Equal Value:value1 Effect:NoSchedule})` }],
  },
];

describe("validatePolicyUpdate: tolerations", () => {
  for (const c of updateCases) {
    it(c.name, () => {
      const old: PlacementPolicy = { placementType: "PickAll", tolerations: c.old };
      const next: PlacementPolicy = { placementType: "PickAll", tolerations: c.next };
      assert.deepStrictEqual(validatePolicyUpdate(old, next), c.want);
    });
  }
});
