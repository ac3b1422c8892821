import { strict as assert } from "assert";
import { ARGS_PATH, ArgsChecker, ArgsType } from "../../components/core/args";
import { closestField, unknownField } from "../../components/core/args/messages";
import { HIDDEN, kindOf, quote } from "../../components/core/args/values";
import { FieldViolation } from "../../components/core/k8s/field-errors";

// The structural check on its own, with stand-in classes for the ones the runtime layer names.
class Fleet {
  readonly members = {};
}
class ClusterMesh {}
class Provider {}
const checker = new ArgsChecker({
  Fleet: (v) => v instanceof Fleet,
  ClusterMesh: (v) => v instanceof ClusterMesh,
  Member: () => false,
  "kubernetes.Provider": (v) => v instanceof Provider,
});

const thenable = { then: () => undefined };
const output = { apply: () => undefined, promise: () => Promise.resolve("x") };
const PEM_KEY = "-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----";
const v = (path: string, message: string): FieldViolation => ({ path, message });

const CASES: Array<[string, ArgsType, unknown, FieldViolation[]]> = [
  ["accepts a minimal fleet", "FleetArgs", { members: { a: { kind: {} } } }, []],
  [
    "accepts Outputs and Promises where the interface says pulumi.Input",
    "FleetArgs",
    { members: { a: { kubeconfig: output } }, ca: { certPem: thenable, keyPem: Promise.resolve(PEM_KEY) }, state: { previous: output } },
    [],
  ],
  ["accepts a null-prototype object as plain data", "FleetArgs", { members: Object.assign(Object.create(null), { a: { kind: {} } }) }, []],
  [
    "refuses arguments that are not an object",
    "FleetArgs",
    "members",
    [v(ARGS_PATH, 'Invalid value: "members": must be of type object: "string"')],
  ],
  ["refuses an Output as the arguments", "FleetArgs", output, [v(ARGS_PATH, 'Invalid value: <Output>: must be of type object: "Output"')]],
  ["reports a missing required field", "FleetArgs", {}, [v("members", "Required value")]],
  [
    "writes map keys of strings bracketed, names of entities dotted unless they are not plain",
    "FleetArgs",
    { members: { c1: { kind: {}, labels: { app: 1 } }, "Bad.Name": { kind: { workers: "2" } } } },
    [
      v('members.c1.labels["app"]', 'Invalid value: 1: must be of type string: "number"'),
      v('members["Bad.Name"].kind.workers', 'Invalid value: "2": must be of type number: "string"'),
    ],
  ],
  [
    "names an unknown field, guesses the intended one, and never quotes its value",
    "FleetArgs",
    { members: { a: { kubconfig: PEM_KEY } } },
    [
      v(
        "members.a.kubconfig",
        'Unknown field "kubconfig" (did you mean "kubeconfig"?): the fields of MemberDeclaration are "kind", "aks", "kubeconfig", "context", "labels", "taints", "clusterId", "podCidr", "serviceCidr", "nodePort", "meshEndpoint", "existingCilium"',
      ),
    ],
  ],
  [
    "never quotes a kubeconfig or a CA key, and says an Output of the type is accepted",
    "FleetArgs",
    { members: { a: { kubeconfig: ["token: x"] } }, ca: { certPem: 7, keyPem: { pem: PEM_KEY } } },
    [
      v("ca.certPem", 'Invalid value: 7: must be of type string (or a Pulumi Output of one): "number"'),
      v("ca.keyPem", `Invalid value: ${HIDDEN}: must be of type string (or a Pulumi Output of one): "object"`),
      v("members.a.kubeconfig", `Invalid value: ${HIDDEN}: must be of type string (or a Pulumi Output of one): "array"`),
    ],
  ],
  [
    "refuses an Output, a Promise or a class instance where plain data goes, once each",
    "FleetArgs",
    { members: { a: { kind: thenable, labels: new Map([["a", "b"]]) } }, cilium: output },
    [
      v(
        "cilium",
        'Invalid value: <Output>: must be of type object: "Output" (only the fields typed pulumi.Input take a Pulumi Output or a Promise: this value must be known when the component is declared)',
      ),
      v(
        "members.a.kind",
        'Invalid value: <thenable>: must be of type object: "thenable" (only the fields typed pulumi.Input take a Pulumi Output or a Promise: this value must be known when the component is declared)',
      ),
      v("members.a.labels", 'Invalid value: <Map>: must be of type object: "Map"'),
    ],
  ],
  [
    "reports enums as unsupported values, numbers bare",
    "FleetArgs",
    { members: { a: { kind: {} } }, cilium: { routingMode: "bgp" }, maxConnectedClusters: 300 },
    [
      v("cilium.routingMode", 'Unsupported value: "bgp": supported values: "tunnel", "native"'),
      v("maxConnectedClusters", "Unsupported value: 300: supported values: 255, 511"),
    ],
  ],
  [
    "refuses NaN and Infinity as numbers",
    "FleetArgs",
    { members: { a: { kind: { workers: NaN }, clusterId: Infinity } } },
    [
      v("members.a.clusterId", "Invalid value: Infinity: must be a finite number"),
      v("members.a.kind.workers", "Invalid value: NaN: must be a finite number"),
    ],
  ],
  [
    "explains a union once, in the alternative the value was meant for",
    "GlobalServiceArgs",
    {
      mesh: { meshName: 7 },
      fleet: { urn: 7 },
      namespace: "n",
      selector: {},
      portsByMember: { c1: [{ port: "80" }], c2: 7 },
      shared: "yes",
    },
    [
      v("fleet.urn", 'Invalid value: 7: must be of type string (or a Pulumi Output of one): "number"'),
      v("mesh.meshName", 'Invalid value: 7: must be of type string: "number"'),
      v("portsByMember.c1[0].port", 'Invalid value: "80": must be of type number: "string"'),
      v("portsByMember.c2", 'Invalid value: 7: must be of type array: "number"'),
      v("shared", 'Invalid value: "yes": must be of type boolean: "string"'),
    ],
  ],
  [
    "says which class an argument must be an instance of",
    "GlobalServiceArgs",
    { mesh: new Fleet(), fleet: "f", namespace: "n", selector: {}, ports: [] },
    [
      v("fleet", 'Invalid value: "f": must be a Fleet or of type object: "string"'),
      v("mesh", 'Invalid value: <Fleet>: must be a ClusterMesh or of type object: "Fleet"'),
    ],
  ],
  [
    "reads own fields only: constructor and __proto__ are fields like any other",
    "PlacementArgs",
    JSON.parse('{"fleet": {}, "resources": [], "resourceSelectors": [], "memberProperties": {"constructor": 1}, "__proto__": {}}'),
    [
      v(
        "__proto__",
        'Unknown field "__proto__": the fields of PlacementArgs are "fleet", "resources", "resourceSelectors", "policy", "strategy", "memberProperties", "mode", "hub", "replaceOnPolicyChange", "state"',
      ),
      v("fleet.urn", "Required value"),
      v("memberProperties.constructor", 'Invalid value: 1: must be of type object: "number"'),
    ],
  ],
  [
    "takes a manifest as a map of any fields: the Placement checks the fields every Kubernetes object has itself",
    "PlacementArgs",
    {
      fleet: new Fleet(),
      resources: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: 5, uid: "u" }, data: {} }],
      resourceSelectors: [],
    },
    [],
  ],
  [
    "checks a hub provider is a Kubernetes provider",
    "PlacementArgs",
    { fleet: new Fleet(), resources: [], resourceSelectors: [], hub: { provider: new Provider(), apiVersion: "v2" } },
    [
      v(
        "hub.apiVersion",
        'Unsupported value: "v2": supported values: "placement.kubernetes-fleet.io/v1", "placement.kubernetes-fleet.io/v1beta1"',
      ),
    ],
  ],
];

describe("structural check of component arguments", () => {
  for (const [sentence, argsType, args, expected] of CASES) {
    it(sentence, () => {
      assert.deepEqual(checker.violations(argsType, args), expected);
    });
  }

  it("gives the same violations whatever the order of the fields", () => {
    const a = { members: { x: { labels: { b: 1, a: 2 }, kind: 3 } }, cilium: 4 };
    const b = { cilium: 4, members: { x: { kind: 3, labels: { a: 2, b: 1 } } } };
    assert.deepEqual(checker.violations("FleetArgs", a), checker.violations("FleetArgs", b));
  });
});

describe("quoting a bad value", () => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  const cases: Array<[string, unknown, boolean, string]> = [
    ["a string as JSON", "prod", false, '"prod"'],
    ["a number bare", 5, false, "5"],
    ["undefined as undefined", undefined, false, "undefined"],
    ["the value of a secret field, hidden", "anything", true, HIDDEN],
    ["a PEM private key, hidden wherever it is", PEM_KEY, false, HIDDEN],
    [
      "a kubeconfig field inside an object, hidden",
      { kubeconfig: "apiVersion: v1", kind: {} },
      false,
      `{"kubeconfig":"${HIDDEN}","kind":{}}`,
    ],
    ["a cycle, cut", cyclic, false, '{"a":1,"self":"<...>"}'],
    ["a bigint", BigInt(7), false, "7n"],
    ["a function", () => 1, false, "<function>"],
    ["an own __proto__ field", JSON.parse('{"__proto__": 1}'), false, '{"__proto__":1}'],
  ];
  for (const [sentence, value, secret, expected] of cases) {
    it(sentence, () => assert.equal(quote(value, secret), expected));
  }

  it("names the kind of what is not JSON", () => {
    assert.deepEqual([null, [], {}, "s", 1, NaN, undefined, output, Promise.resolve(1), new Map()].map(kindOf), [
      "null",
      "array",
      "object",
      "string",
      "number",
      "NaN",
      "undefined",
      "Output",
      "Promise",
      "Map",
    ]);
  });
});

describe("unknown fields", () => {
  const cases: Array<[string, string, string | undefined]> = [
    ["a letter missing", "kubconfig", "kubeconfig"],
    ["two letters swapped", "polciy", "policy"],
    ["another case", "Labels", "labels"],
    ["nothing close", "zzz", undefined],
  ];
  for (const [sentence, field, guess] of cases) {
    it(`guesses the intended field: ${sentence}`, () => assert.equal(closestField(field, ["kubeconfig", "policy", "labels"]), guess));
  }

  it("lists the known fields, or says there are none", () => {
    assert.equal(unknownField("x", [], undefined), 'Unknown field "x": no fields are accepted here');
    assert.equal(unknownField("x", ["a", "b"], undefined), 'Unknown field "x": the fields here are "a", "b"');
  });
});
