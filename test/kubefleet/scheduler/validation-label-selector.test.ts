import { strict as assert } from "assert";
import { validatePolicy } from "../../../components/core/kubefleet/scheduler/validation";
import { LabelSelector, PlacementPolicy, FieldViolation } from "../../../components/core/kubefleet/scheduler/types";

// Label selectors in cluster selector terms. The CRD only requires key and operator; the webhook
// validates them with metav1.LabelSelectorAsSelector (labels.NewRequirement).

const REQ_TERM = "policy.affinity.clusterAffinity.requiredDuringSchedulingIgnoredDuringExecution.clusterSelectorTerms[0].labelSelector";
const PREF_TERM = "policy.affinity.clusterAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.labelSelector";

const QUALIFIED_NAME_PART =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const DNS_SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

function required(selector: LabelSelector, placementType: "PickAll" | "PickN" | "PickFixed" = "PickAll"): PlacementPolicy {
  const policy: PlacementPolicy = {
    placementType,
    affinity: {
      clusterAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { clusterSelectorTerms: [{ labelSelector: selector }] } },
    },
  };
  if (placementType === "PickN") policy.numberOfClusters = 1;
  return policy;
}

function preferred(selector: LabelSelector, placementType: "PickAll" | "PickN" = "PickN"): PlacementPolicy {
  const policy: PlacementPolicy = {
    placementType,
    affinity: {
      clusterAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { labelSelector: selector } }] },
    },
  };
  if (placementType === "PickN") policy.numberOfClusters = 1;
  return policy;
}

const inRequired = (selector: LabelSelector, inner: string) =>
  `the labelSelector in cluster selector ${JSON.stringify(selector)} is invalid: ${inner}`;
const inPreferred = (selector: LabelSelector, inner: string) =>
  `the labelSelector in preferred cluster selector ${JSON.stringify(selector)} is invalid: ${inner}`;

interface Case {
  name: string;
  policy: PlacementPolicy;
  want: FieldViolation[];
}

const noValuesIn: LabelSelector = { matchExpressions: [{ key: "test-key", operator: "In" }] };
const emptyNotIn: LabelSelector = { matchExpressions: [{ key: "env", operator: "NotIn", values: [] }] };
const existsWithValues: LabelSelector = { matchExpressions: [{ key: "env", operator: "Exists", values: ["prod", "dev"] }] };
const doesNotExistWithValue: LabelSelector = { matchExpressions: [{ key: "env", operator: "DoesNotExist", values: ["x"] }] };
const unknownOperator: LabelSelector = { matchExpressions: [{ key: "env", operator: "Equals" as never, values: ["prod"] }] };
const badKey: LabelSelector = { matchExpressions: [{ key: "key:123*", operator: "Exists" }] };
const badPrefix: LabelSelector = { matchExpressions: [{ key: "Example.com/env", operator: "Exists" }] };
const longKey: LabelSelector = { matchExpressions: [{ key: "k".repeat(64), operator: "Exists" }] };
const badValue: LabelSelector = { matchExpressions: [{ key: "env", operator: "In", values: ["prod", "not valid"] }] };
const badMatchLabels: LabelSelector = { matchLabels: { "bad key!": "v", env: "-prod" } };

const cases: Case[] = [
  { name: "accepts an empty selector", policy: required({}), want: [] },
  {
    name: "accepts valid matchLabels and every operator used correctly",
    policy: required({
      matchLabels: { "kubernetes.io/region": "east", empty: "" },
      matchExpressions: [
        { key: "env", operator: "In", values: ["prod"] },
        { key: "env", operator: "NotIn", values: ["dev", "test"] },
        { key: "gpu", operator: "Exists" },
        { key: "spot", operator: "DoesNotExist", values: [] },
      ],
    }),
    want: [],
  },
  {
    name: "rejects In without values",
    policy: required(noValuesIn),
    want: [
      {
        path: `${REQ_TERM}.matchExpressions[0].values`,
        message: inRequired(noValuesIn, "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty"),
      },
    ],
  },
  {
    name: "rejects NotIn with an empty values list",
    policy: required(emptyNotIn, "PickN"),
    want: [
      {
        path: `${REQ_TERM}.matchExpressions[0].values`,
        message: inRequired(emptyNotIn, "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty"),
      },
    ],
  },
  {
    name: "rejects Exists with values",
    policy: required(existsWithValues),
    want: [
      {
        path: `${REQ_TERM}.matchExpressions[0].values`,
        message: inRequired(
          existsWithValues,
          'values: Invalid value: []string{"prod", "dev"}: values set must be empty for exists and does not exist',
        ),
      },
    ],
  },
  {
    name: "rejects DoesNotExist with values",
    policy: required(doesNotExistWithValue),
    want: [
      {
        path: `${REQ_TERM}.matchExpressions[0].values`,
        message: inRequired(
          doesNotExistWithValue,
          'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist',
        ),
      },
    ],
  },
  {
    name: "rejects an unknown operator",
    policy: required(unknownOperator),
    want: [
      {
        path: `${REQ_TERM}.matchExpressions[0].operator`,
        message: inRequired(unknownOperator, '"Equals" is not a valid label selector operator'),
      },
    ],
  },
  {
    name: "rejects a requirement without key or operator with the schema's Required value only",
    policy: required({ matchExpressions: [{ values: ["a"] } as never] }),
    want: [
      { path: `${REQ_TERM}.matchExpressions[0].key`, message: "Required value" },
      { path: `${REQ_TERM}.matchExpressions[0].operator`, message: "Required value" },
    ],
  },
  {
    name: "rejects a key that is not a qualified name",
    policy: required(badKey),
    want: [
      {
        path: `${REQ_TERM}.matchExpressions[0].key`,
        message: inRequired(badKey, `key: Invalid value: "key:123*": ${QUALIFIED_NAME_PART}`),
      },
    ],
  },
  {
    name: "rejects a key whose prefix is not a DNS subdomain",
    policy: required(badPrefix),
    want: [
      {
        path: `${REQ_TERM}.matchExpressions[0].key`,
        message: inRequired(badPrefix, `key: Invalid value: "Example.com/env": prefix part ${DNS_SUBDOMAIN}`),
      },
    ],
  },
  {
    name: "rejects a key whose name part is longer than 63 characters",
    policy: required(longKey),
    want: [
      {
        path: `${REQ_TERM}.matchExpressions[0].key`,
        message: inRequired(longKey, `key: Invalid value: "${"k".repeat(64)}": name part must be no more than 63 characters`),
      },
    ],
  },
  {
    name: "rejects a value that is not a valid label value",
    policy: required(badValue),
    want: [
      {
        path: `${REQ_TERM}.matchExpressions[0].values[1]`,
        message: inRequired(badValue, `values[1][env]: Invalid value: "not valid": ${LABEL_VALUE}`),
      },
    ],
  },
  {
    name: "rejects matchLabels with a bad key and a bad value, one violation each",
    policy: required(badMatchLabels),
    want: [
      {
        path: `${REQ_TERM}.matchLabels[bad key!]`,
        message: inRequired(badMatchLabels, `key: Invalid value: "bad key!": ${QUALIFIED_NAME_PART}`),
      },
      {
        path: `${REQ_TERM}.matchLabels[env]`,
        message: inRequired(badMatchLabels, `values[0][env]: Invalid value: "-prod": ${LABEL_VALUE}`),
      },
    ],
  },
  {
    name: "names the preferred cluster selector for preferred terms of a PickN policy",
    policy: preferred(noValuesIn),
    want: [
      {
        path: `${PREF_TERM}.matchExpressions[0].values`,
        message: inPreferred(noValuesIn, "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty"),
      },
    ],
  },
  {
    name: "does not webhook-check label selectors in the (rejected) preferred terms of a PickAll policy",
    policy: preferred(noValuesIn, "PickAll"),
    want: [
      {
        path: "policy.affinity.clusterAffinity.preferredDuringSchedulingIgnoredDuringExecution",
        message:
          'PreferredDuringSchedulingIgnoredDuringExecution will be ignored for placement policy type PickAll (got [{"weight":10,"preference":{"labelSelector":{"matchExpressions":[{"key":"test-key","operator":"In"}]}}}])',
      },
    ],
  },
];

describe("validatePolicy: label selectors", () => {
  for (const c of cases) {
    it(c.name, () => assert.deepStrictEqual(validatePolicy(c.policy), c.want));
  }
});
