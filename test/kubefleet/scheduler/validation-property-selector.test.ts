import { strict as assert } from "assert";
import { validatePolicy } from "../../../components/core/kubefleet/scheduler/validation";
import { PlacementPolicy, FieldViolation, PropertySelectorRequirement } from "../../../components/core/kubefleet/scheduler/types";

// Property selectors in required terms: schema (values maxItems 1, required fields), the webhook's
// operator/value/quantity checks, property-name syntax and the per-name consistency checks.

const SEL = "policy.affinity.clusterAffinity.requiredDuringSchedulingIgnoredDuringExecution.clusterSelectorTerms[0].propertySelector";
const EXPR = `${SEL}.matchExpressions`;

const QUALIFIED_NAME_PART =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const DNS_SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const QUANTITY_FORMAT = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

function withRequirements(...reqs: PropertySelectorRequirement[]): PlacementPolicy {
  return {
    placementType: "PickN",
    numberOfClusters: 2,
    affinity: {
      clusterAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { clusterSelectorTerms: [{ propertySelector: { matchExpressions: reqs } }] },
      },
    },
  };
}

const req = (name: string, operator: string, ...values: string[]): PropertySelectorRequirement => ({
  name,
  operator: operator as never,
  values,
});
const p = (operator: string, value: string) => req("p", operator, value);
const inconsistent = (message: string) => [{ path: EXPR, message: `inconsistent requirements on property p: ${message}` }];

interface Case {
  name: string;
  policy: PlacementPolicy;
  want: FieldViolation[];
}

const requirementCases: Case[] = [
  {
    name: "accepts every supported operator with one quantity each",
    policy: withRequirements(
      req("a", "Gt", "500m"),
      req("b", "Ge", "1"),
      req("c", "Eq", "5"),
      req("d", "Ne", "2Gi"),
      req("e", "Lt", "1e3"),
      req("f", "Le", "2.5"),
    ),
    want: [],
  },
  {
    name: "rejects a requirement with no value",
    policy: withRequirements(req("version", "Eq")),
    want: [
      { path: `${EXPR}[0].values`, message: "invalid requirement on property version: operator Eq requires exactly one value, got 0" },
    ],
  },
  {
    name: "rejects two values with the schema's maxItems (not the webhook's duplicate)",
    policy: withRequirements(req("version", "Eq", "1", "2")),
    want: [{ path: `${EXPR}[0].values`, message: "Too many: 2: must have at most 1 items" }],
  },
  {
    name: "rejects a requirement without name, operator and values with Required value",
    policy: withRequirements({} as never),
    want: [
      { path: `${EXPR}[0].name`, message: "Required value" },
      { path: `${EXPR}[0].operator`, message: "Required value" },
      { path: `${EXPR}[0].values`, message: "Required value" },
    ],
  },
  {
    name: "rejects a property selector without matchExpressions",
    policy: {
      ...withRequirements(),
      affinity: {
        clusterAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { clusterSelectorTerms: [{ propertySelector: {} as never }] } },
      },
    },
    want: [{ path: EXPR, message: "Required value" }],
  },
  {
    name: "rejects an operator outside the enum",
    policy: withRequirements(req("cpu", "In", "5")),
    want: [{ path: `${EXPR}[0].operator`, message: "invalid requirement on property cpu: unsupported operator In" }],
  },
  {
    name: "rejects a value that is not a quantity, quoting it",
    policy: withRequirements(req("cpu", "Lt", "five")),
    want: [
      {
        path: `${EXPR}[0].values[0]`,
        message: `invalid requirement on property cpu: value "five" is not a valid resource.Quantity: ${QUANTITY_FORMAT}`,
      },
    ],
  },
  {
    name: "reports a bad value of the second requirement at its indexed path",
    policy: withRequirements(req("cpu", "Gt", "1"), req("memory", "Le", "16 Gi")),
    want: [
      {
        path: `${EXPR}[1].values[0]`,
        message: `invalid requirement on property memory: value "16 Gi" is not a valid resource.Quantity: ${QUANTITY_FORMAT}`,
      },
    ],
  },
  {
    name: "rejects a quantity with an unknown suffix",
    policy: withRequirements(req("cpu", "Gt", "5mi")),
    want: [
      {
        path: `${EXPR}[0].values[0]`,
        message: 'invalid requirement on property cpu: value "5mi" is not a valid resource.Quantity: unable to parse quantity\'s suffix',
      },
    ],
  },
];

const nameCases: Case[] = [
  {
    name: "accepts resource property names of every capacity type, even with a dash in the resource",
    policy: withRequirements(
      req("resources.kubernetes-fleet.io/total-cpu", "Gt", "1"),
      req("resources.kubernetes-fleet.io/allocatable-memory", "Eq", "2"),
      req("resources.kubernetes-fleet.io/available-ephemeral-storage", "Ge", "1Gi"),
    ),
    want: [],
  },
  {
    name: "rejects a resource property name with an unknown capacity type",
    policy: withRequirements(req("resources.kubernetes-fleet.io/node-count", "Eq", "2")),
    want: [
      {
        path: `${EXPR}[0].name`,
        message:
          "invalid property name resources.kubernetes-fleet.io/node-count: invalid capacity type in resource property name resources.kubernetes-fleet.io/node-count, supported values are [allocatable available total]",
      },
    ],
  },
  {
    name: "rejects a resource property name without a dash",
    policy: withRequirements(req("resources.kubernetes-fleet.io/totalcpu", "Eq", "2")),
    want: [
      {
        path: `${EXPR}[0].name`,
        message:
          "invalid property name resources.kubernetes-fleet.io/totalcpu: invalid resource property name resources.kubernetes-fleet.io/totalcpu, expected format is [PREFIX]/[CAPACITY_TYPE]-[RESOURCE_NAME]",
      },
    ],
  },
  {
    name: "rejects a resource property name with characters outside a qualified name",
    policy: withRequirements(req("resources.kubernetes-fleet.io/total-nospecialchars%^=@", "Eq", "2")),
    want: [
      {
        path: `${EXPR}[0].name`,
        message: `invalid property name resources.kubernetes-fleet.io/total-nospecialchars%^=@: property name resources.kubernetes-fleet.io/total-nospecialchars%^=@ is not valid: ${QUALIFIED_NAME_PART}`,
      },
    ],
  },
  {
    name: "accepts other property names: one segment, DNS prefix, long DNS prefix, and underscore segments",
    policy: withRequirements(
      req("k8s-minor-version", "Eq", "28"),
      req("kubernetes.azure.com/vm-sizes/Standard_D8s_v3/count", "Eq", "2"),
      req("a.very.loooooooong.suuuuuuuub.doooooooomain.kubernetes.azure.com/vm-sizes/Standard_D8s_v3/count", "Eq", "2"),
      req("Standard_D8s_v3/count", "Eq", "2"),
    ),
    want: [],
  },
  {
    name: "rejects a first segment that is neither a DNS subdomain nor a qualified name",
    policy: withRequirements(req("St@ndard_D8s_v3/count", "Eq", "2")),
    want: [
      {
        path: `${EXPR}[0].name`,
        message: `invalid property name St@ndard_D8s_v3/count: property name first segment St@ndard_D8s_v3 is not valid: it is neither a valid DNS subdomain (${DNS_SUBDOMAIN}) nor a valid qualified name (${QUALIFIED_NAME_PART})`,
      },
    ],
  },
  {
    name: "rejects a later segment that is not a qualified name",
    policy: withRequirements(req("Standard_D8s_v3/count/$", "Eq", "2")),
    want: [
      {
        path: `${EXPR}[0].name`,
        message: `invalid property name Standard_D8s_v3/count/$: property name segment $ is not valid: ${QUALIFIED_NAME_PART}`,
      },
    ],
  },
  {
    name: "rejects an empty property name",
    policy: withRequirements(req("", "Eq", "2")),
    want: [
      {
        path: `${EXPR}[0].name`,
        message: `invalid property name : property name  is not valid: name part must be non-empty; ${QUALIFIED_NAME_PART}`,
      },
    ],
  },
];

const consistencyCases: Case[] = [
  { name: "accepts two Eq with the same value", policy: withRequirements(p("Eq", "5"), p("Eq", "5")), want: [] },
  { name: "accepts Eq and Ne with different values", policy: withRequirements(p("Eq", "5"), p("Ne", "10")), want: [] },
  { name: "accepts Gt 5 with Lt 10", policy: withRequirements(p("Gt", "5"), p("Lt", "10")), want: [] },
  { name: "accepts Ge x with Le x (a single point)", policy: withRequirements(p("Ge", "10"), p("Le", "10")), want: [] },
  { name: "accepts an Eq inside both bounds", policy: withRequirements(p("Ge", "5"), p("Eq", "7"), p("Le", "10")), want: [] },
  { name: "accepts memory bounds in different units", policy: withRequirements(p("Ge", "100Mi"), p("Lt", "1Gi")), want: [] },
  {
    name: "does not compare requirements on different property names",
    policy: withRequirements(req("a", "Gt", "10"), req("b", "Lt", "5")),
    want: [],
  },
  {
    name: "rejects two Eq with different values",
    policy: withRequirements(p("Eq", "5"), p("Eq", "10")),
    want: inconsistent("conflicting Eq values 5 and 10"),
  },
  {
    name: "rejects Eq and Ne on the same value compared canonically (1000m == 1)",
    policy: withRequirements(p("Eq", "1000m"), p("Ne", "1")),
    want: inconsistent("conflicting Eq and Ne on same value 1"),
  },
  {
    name: "rejects the empty interval Gt 10 and Lt 5",
    policy: withRequirements(p("Gt", "10"), p("Lt", "5")),
    want: inconsistent("lower bound (10) and upper bound (5) exclude all values"),
  },
  {
    name: "rejects the empty interval Gt x and Lt x",
    policy: withRequirements(p("Gt", "10"), p("Lt", "10")),
    want: inconsistent("lower bound (10) and upper bound (10) exclude all values"),
  },
  {
    name: "rejects the empty interval Gt x and Le x",
    policy: withRequirements(p("Gt", "10"), p("Le", "10")),
    want: inconsistent("lower bound (10) and upper bound (10) exclude all values"),
  },
  {
    name: "rejects the empty interval Ge x and Lt x",
    policy: withRequirements(p("Ge", "10"), p("Lt", "10")),
    want: inconsistent("lower bound (10) and upper bound (10) exclude all values"),
  },
  {
    name: "rejects an empty interval found through the tightest of several lower bounds",
    policy: withRequirements(p("Gt", "10"), p("Gt", "5"), p("Lt", "7")),
    want: inconsistent("lower bound (10) and upper bound (7) exclude all values"),
  },
  {
    name: "prints the bounds in canonical quantity form",
    policy: withRequirements(p("Gt", "1.5"), p("Le", "1500m")),
    want: inconsistent("lower bound (1500m) and upper bound (1500m) exclude all values"),
  },
  {
    name: "rejects Gt 10 with Eq 10",
    policy: withRequirements(p("Gt", "10"), p("Eq", "10")),
    want: inconsistent("eq value 10 violates lower bound 10"),
  },
  {
    name: "rejects an Eq below an inclusive lower bound",
    policy: withRequirements(p("Ge", "10"), p("Eq", "5")),
    want: inconsistent("eq value 5 violates lower bound 10"),
  },
  {
    name: "rejects an Eq above an inclusive upper bound",
    policy: withRequirements(p("Le", "10"), p("Eq", "20")),
    want: inconsistent("eq value 20 violates upper bound 10"),
  },
  {
    name: "rejects Lt 10 with Eq 10",
    policy: withRequirements(p("Lt", "10"), p("Eq", "10")),
    want: inconsistent("eq value 10 violates upper bound 10"),
  },
  {
    name: "skips a malformed value in the consistency check but rejects it on its own",
    policy: withRequirements(p("Eq", "not-a-number"), p("Eq", "5")),
    want: [
      {
        path: `${EXPR}[0].values[0]`,
        message: `invalid requirement on property p: value "not-a-number" is not a valid resource.Quantity: ${QUANTITY_FORMAT}`,
      },
    ],
  },
  {
    name: "reports the first problem only: conflicting Eq values win over an empty interval",
    policy: withRequirements(p("Gt", "10"), p("Lt", "5"), p("Eq", "1"), p("Eq", "2")),
    want: inconsistent("conflicting Eq values 1 and 2"),
  },
];

function runCases(title: string, cases: Case[]): void {
  describe(title, () => {
    for (const c of cases) {
      it(c.name, () => assert.deepStrictEqual(validatePolicy(c.policy), c.want));
    }
  });
}

runCases("validatePolicy: property selector requirements", requirementCases);
runCases("validatePolicy: property names", nameCases);
runCases("validatePolicy: property requirement consistency", consistencyCases);
