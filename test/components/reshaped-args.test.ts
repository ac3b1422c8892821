import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { CrossClusterPolicy, Fleet, FleetArgs, FleetValidationError, GlobalService, MultiClusterService } from "../../components";
import { FieldViolation } from "../../components/core/k8s/field-errors";
import { RecordedResource, deploy, recorder } from "./harness";

// Arguments written the way the components took them before the package schema split their unions
// (a program in JavaScript, or TypeScript with casts): the refusal names the field to write instead.
// The whole list of violations is compared: the hint replaces the generic one at its path, nothing else.

const FLEET: FleetArgs = {
  members: { c1: { kind: {}, labels: { mesh: "demo" } }, c2: { kind: {}, labels: { mesh: "demo" } } },
  meshes: { demo: { memberSelector: { matchLabels: { mesh: "demo" } } } },
};

type Build = (fleet: Fleet, opts: pulumi.ComponentResourceOptions) => pulumi.ComponentResource;
/** The fields a case changes, over valid arguments; some depend on the fleet. */
type More = Record<string, unknown> | ((fleet: Fleet) => Record<string, unknown>);
const fields = (more: More, fleet: Fleet) => (typeof more === "function" ? more(fleet) : more);

const globalService =
  (more: More): Build =>
  (fleet, opts) =>
    new GlobalService(
      "rebel-base",
      {
        mesh: fleet.meshes.demo,
        fleet,
        namespace: "demo",
        selector: { name: "rebel-base" },
        ports: [{ port: 80 }],
        ...fields(more, fleet),
      } as never,
      opts,
    );

const multiClusterService =
  (more: More): Build =>
  (fleet, opts) =>
    new MultiClusterService(
      "kuard",
      {
        fleet,
        namespace: "demo",
        serviceName: "kuard",
        exportFrom: {},
        ingressMember: "c1",
        selector: { app: "kuard" },
        ...fields(more, fleet),
      } as never,
      opts,
    );

const peer = (member: unknown) => ({ member, namespace: "demo", labels: { app: "x" } });
const crossClusterPolicy =
  (more: More): Build =>
  (fleet, opts) =>
    new CrossClusterPolicy("x-wing", { fleet, from: peer("c1"), to: peer("c2"), ...fields(more, fleet) } as never, opts);

const PORTS_BY_MEMBER: FieldViolation = {
  path: "ports",
  message:
    "Invalid value: { <member>: [...] }: is a per-member map: per-member ports are now portsByMember: { <member>: [...] } (ports: [...] is one list for every member)",
};
const members = (side: string): FieldViolation => ({
  path: `${side}.member`,
  message: `Invalid value: [<member>, ...]: is a list: several members are now ${side}.members: [<member>, ...] (${side}.member: <member> is one member)`,
});

const CASES: Array<[string, Build, FieldViolation[]]> = [
  ["a GlobalService's per-member ports map points to portsByMember", globalService({ ports: { c1: [{ port: 80 }] } }), [PORTS_BY_MEMBER]],
  [
    "a MultiClusterService's per-member ports map points to portsByMember",
    multiClusterService({ ports: { c1: [{ port: 80 }], c2: [{ port: 80 }] } }),
    [PORTS_BY_MEMBER],
  ],
  [
    "a GlobalService's per-member shared map points to sharedByMember",
    globalService({ shared: { c1: true, c2: false } }),
    [
      {
        path: "shared",
        message:
          "Invalid value: { <member>: <boolean> }: is a per-member map: per-member shared values are now sharedByMember: { <member>: <boolean> } (shared: <boolean> is one value for every member)",
      },
    ],
  ],
  [
    "a CrossClusterPolicy's list of members in member points to members, on each side",
    crossClusterPolicy({ from: peer(["c1", "c2"]), to: peer(["c2"]) }),
    [members("from"), members("to")],
  ],
  [
    "a GlobalService given the fleet's members is told to pass the Fleet, once, without quoting them",
    globalService((fleet) => ({ fleet: fleet.members })),
    [{ path: "fleet", message: "Invalid value: { <member>: <Member>, ... }: is a map of members: pass the Fleet itself, not its members" }],
  ],
  [
    "keeps the other violations, in their order, beside the hint",
    globalService({ namespace: 5, ports: { c1: [{ port: 80 }] }, selector: { name: 1 } }),
    [
      { path: "namespace", message: 'Invalid value: 5: must be of type string: "number"' },
      PORTS_BY_MEMBER,
      { path: 'selector["name"]', message: 'Invalid value: 1: must be of type string: "number"' },
    ],
  ],
  [
    "leaves the other violation as it was when the reshaped field is given the new way",
    globalService({ ports: undefined, portsByMember: { c1: [{ port: 80 }] }, shared: "yes" }),
    [{ path: "shared", message: 'Invalid value: "yes": must be of type boolean: "string"' }],
  ],
  [
    "leaves a reshaped field's violation as it was when the value is not the old shape",
    crossClusterPolicy({ from: peer(7) }),
    [{ path: "from.member", message: 'Invalid value: 7: must be of type string: "number"' }],
  ],
  [
    "takes a mistyped fleet reference for a typo, not for a map of members",
    globalService({ fleet: { urm: "urn:x" } }),
    [
      { path: "fleet.urm", message: 'Unknown field "urm" (did you mean "urn"?): the fields of FleetRef are "urn"' },
      { path: "fleet.urn", message: "Required value" },
    ],
  ],
];

describe("arguments in the shapes the components no longer take: the refusal says what to write", () => {
  let fleet: Fleet;
  before(async () => ({ fleet } = await deploy("demo", FLEET)));

  for (const [sentence, build, violations] of CASES) {
    it(sentence, () => {
      const records: RecordedResource[] = [];
      let refusal: unknown;
      try {
        build(fleet, { transformations: [recorder(records)] });
      } catch (error) {
        refusal = error;
      }
      assert.ok(refusal instanceof FleetValidationError, String(refusal));
      assert.deepEqual(refusal.violations, violations);
      assert.deepEqual(records, []);
    });
  }
});
