import { strict as assert } from "assert";
import {
  GlobalServiceInput,
  ServiceManifest,
  globalServiceManifests,
  namespaceManifest,
  planGlobalService,
} from "../../components/core/services/global-service";

// The rebel-base service of Cilium's global-service demo, on a 2-member mesh.
const REBEL_BASE: GlobalServiceInput = {
  serviceName: "rebel-base",
  namespace: "rebel-base-demo",
  selector: { name: "rebel-base" },
  ports: [{ name: "http", port: 80 }],
  mesh: { name: "demo", members: ["c1", "c2"] },
  fleetMembers: ["c1", "c2", "dc"],
};

const service = (
  shared: string,
  extra: Record<string, string> = {},
  ports: ServiceManifest["spec"]["ports"] = [{ name: "http", port: 80, protocol: "TCP" }],
): ServiceManifest => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: {
    name: "rebel-base",
    namespace: "rebel-base-demo",
    annotations: { "service.cilium.io/global": "true", "service.cilium.io/shared": shared, ...extra },
  },
  spec: { type: "ClusterIP", selector: { name: "rebel-base" }, ports },
});

function manifests(input: GlobalServiceInput): Record<string, ServiceManifest> {
  const { plan, violations } = planGlobalService(input);
  assert.deepEqual(violations, []);
  return globalServiceManifests(input, plan!);
}

describe("planGlobalService: the Services", () => {
  const cases: Array<[string, GlobalServiceInput, Record<string, ServiceManifest>]> = [
    [
      "the same Service on every member of the mesh by default, global and shared",
      REBEL_BASE,
      { c1: service("true"), c2: service("true") },
    ],
    [
      "a member that consumes without exporting",
      { ...REBEL_BASE, sharedByMember: { c2: false } },
      { c1: service("true"), c2: service("false") },
    ],
    ["one shared value for every member", { ...REBEL_BASE, shared: false }, { c1: service("false"), c2: service("false") }],
    [
      "the affinity on every member when one is chosen",
      { ...REBEL_BASE, affinity: "local" },
      { c1: service("true", { "service.cilium.io/affinity": "local" }), c2: service("true", { "service.cilium.io/affinity": "local" }) },
    ],
    ["only the members asked for", { ...REBEL_BASE, members: ["c2"] }, { c2: service("true") }],
    [
      "a single unnamed port (Cilium's own demo)",
      { ...REBEL_BASE, ports: [{ port: 80 }] },
      { c1: service("true", {}, [{ port: 80, protocol: "TCP" }]), c2: service("true", {}, [{ port: 80, protocol: "TCP" }]) },
    ],
    [
      "targetPorts that differ between members (only the backends' port)",
      {
        ...REBEL_BASE,
        ports: undefined,
        portsByMember: { c1: [{ name: "http", port: 80, targetPort: 8080 }], c2: [{ name: "http", port: 80, targetPort: "web" }] },
      },
      {
        c1: service("true", {}, [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP" }]),
        c2: service("true", {}, [{ name: "http", port: 80, targetPort: "web", protocol: "TCP" }]),
      },
    ],
    [
      "the same named ports listed in another order",
      {
        ...REBEL_BASE,
        ports: undefined,
        portsByMember: {
          c1: [
            { name: "http", port: 80 },
            { name: "dns", port: 53, protocol: "UDP" },
          ],
          c2: [
            { name: "dns", port: 53, protocol: "UDP" },
            { name: "http", port: 80 },
          ],
        },
      },
      {
        c1: service("true", {}, [
          { name: "http", port: 80, protocol: "TCP" },
          { name: "dns", port: 53, protocol: "UDP" },
        ]),
        c2: service("true", {}, [
          { name: "dns", port: 53, protocol: "UDP" },
          { name: "http", port: 80, protocol: "TCP" },
        ]),
      },
    ],
  ];
  for (const [sentence, input, expected] of cases) {
    it(sentence, () => assert.deepStrictEqual(manifests(input), expected));
  }

  it("annotates a namespace global only when the mesh's namespaces are not global by default", () => {
    assert.deepEqual(namespaceManifest("rebel-base-demo", true), {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "rebel-base-demo", annotations: { "clustermesh.cilium.io/global": "true" } },
    });
    assert.deepEqual(namespaceManifest("rebel-base-demo", false), {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "rebel-base-demo" },
    });
  });
});

describe("planGlobalService: what Cilium would silently mis-handle is refused", () => {
  const cases: Array<[string, Partial<GlobalServiceInput>, string, RegExp]> = [
    [
      "ports that differ between members",
      { ports: undefined, portsByMember: { c1: [{ name: "http", port: 80 }], c2: [{ name: "http", port: 8080 }] } },
      "portsByMember",
      /\("c1" declares \[http 80\/TCP\]; "c2" declares \[http 8080\/TCP\]\): Cilium merges a global service's backends per port name/,
    ],
    [
      "a protocol that differs between members",
      { ports: undefined, portsByMember: { c1: [{ name: "dns", port: 53, protocol: "UDP" }], c2: [{ name: "dns", port: 53 }] } },
      "portsByMember",
      /\[dns 53\/UDP\].*\[dns 53\/TCP\].*same port names, numbers and protocols/,
    ],
    [
      "a port name that differs between members",
      { ports: undefined, portsByMember: { c1: [{ name: "http", port: 80 }], c2: [{ name: "web", port: 80 }] } },
      "portsByMember",
      /\[http 80\/TCP\].*\[web 80\/TCP\]/,
    ],
    [
      "an unnamed port in a multi-port service",
      { ports: [{ name: "http", port: 80 }, { port: 443 }] },
      "ports[1].name",
      /port 443\/TCP has no name in a service with 2 ports: Cilium attaches the remote backends of a global service by port name/,
    ],
    [
      "a member outside the mesh",
      { members: ["c1", "dc"] },
      "members[1]",
      /member "dc" is not in mesh "demo" \("c1", "c2"\): a global service only reaches the members of its mesh/,
    ],
    [
      "an affinity Cilium does not know",
      { affinity: "nearest" },
      "affinity",
      /affinity "nearest" is not one Cilium knows \("local", "remote", "none"\): Cilium logs an error and treats any other value as "none"/,
    ],
    [
      "per-member ports for a member that does not get the Service",
      { members: ["c1"], ports: undefined, portsByMember: { c1: [{ port: 80 }], c2: [{ port: 80 }] } },
      "portsByMember.c2",
      /member "c2" is not a selected member/,
    ],
    [
      "per-member ports that miss a member",
      { ports: undefined, portsByMember: { c1: [{ port: 80 }] } },
      "portsByMember.c2",
      /the selected member "c2" has no ports/,
    ],
    [
      "a shared value for a member without the Service",
      { sharedByMember: { dc: false } },
      "sharedByMember.dc",
      /member "dc" is not one of the service's members/,
    ],
    [
      "a port number out of range",
      { ports: [{ name: "http", port: 70000 }] },
      "ports[0].port",
      /port 70000 must be an integer in 1\.\.65535/,
    ],
    [
      "an unknown protocol",
      { ports: [{ name: "http", port: 80, protocol: "HTTP" as "TCP" }] },
      "ports[0].protocol",
      /protocol "HTTP" must be one of TCP, UDP, SCTP/,
    ],
    ["a port name that is not a DNS label", { ports: [{ name: "HTTP", port: 80 }] }, "ports[0].name", /port name "HTTP" is invalid/],
    [
      "a port name used twice",
      {
        ports: [
          { name: "http", port: 80 },
          { name: "http", port: 8080 },
        ],
      },
      "ports[1].name",
      /port name "http" is also used by ports\[0\]/,
    ],
    [
      "a port and protocol listed twice",
      {
        ports: [
          { name: "a", port: 80 },
          { name: "b", port: 80 },
        ],
      },
      "ports[1].port",
      /port 80\/TCP is also used by ports\[0\]/,
    ],
    ["no ports", { ports: [] }, "ports", /must be a non-empty list/],
    [
      "a service name that is not a DNS-1035 label",
      { serviceName: "1-rebel" },
      "serviceName",
      /"1-rebel" is not a valid Service name: it must be a DNS-1035 label/,
    ],
    ["a bad namespace", { namespace: "Rebel" }, "namespace", /namespace "Rebel" is invalid/],
    ["an empty selector", { selector: {} }, "selector", /give at least one pod label/],
    ["a member listed twice", { members: ["c1", "c1"] }, "members[1]", /member "c1" is listed twice/],
    ["a mesh member the fleet given does not have", { fleetMembers: ["c1"] }, "fleet", /the fleet given has no member "c2" of mesh "demo"/],
    ["an empty mesh", { mesh: { name: "demo", members: [] } }, "mesh", /mesh "demo" has no members/],
  ];
  for (const [sentence, change, path, message] of cases) {
    it(`refuses ${sentence}, at ${path}`, () => {
      const { plan, violations } = planGlobalService({ ...REBEL_BASE, ...change });
      assert.equal(plan, undefined);
      const found = violations.find((v) => v.path === path);
      assert.ok(found, JSON.stringify(violations));
      assert.match(found.message, message);
    });
  }

  it("reports every problem at once", () => {
    const { violations } = planGlobalService({ ...REBEL_BASE, affinity: "x", members: ["dc"], namespace: "Bad" });
    assert.deepEqual(
      violations.map((v) => v.path),
      ["namespace", "members[0]", "affinity"],
    );
  });
});

describe("the namespace a service component would create and own", () => {
  const cases: Array<{ name: string; namespace: string; createNamespace?: boolean; refused: boolean }> = [
    { name: "refuses kube-system when the component creates the namespace (the default)", namespace: "kube-system", refused: true },
    { name: "refuses default when the component creates the namespace", namespace: "default", createNamespace: true, refused: true },
    { name: "refuses kube-public", namespace: "kube-public", refused: true },
    { name: "refuses kube-node-lease", namespace: "kube-node-lease", refused: true },
    {
      name: "accepts default with createNamespace: false (nothing is created)",
      namespace: "default",
      createNamespace: false,
      refused: false,
    },
    { name: "accepts kube-system with createNamespace: false", namespace: "kube-system", createNamespace: false, refused: false },
    { name: "accepts a kube- prefixed namespace of the user's own", namespace: "kube-demo", refused: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { violations } = planGlobalService({ ...REBEL_BASE, namespace: c.namespace, createNamespace: c.createNamespace });
      const want = c.refused
        ? [
            {
              path: "namespace",
              message:
                `namespace ${JSON.stringify(c.namespace)} is one every cluster has and keeps ("default", "kube-system", "kube-public", "kube-node-lease"): ` +
                "the component would create it as its own Namespace on each member; set createNamespace: false to put the Service in it",
            },
          ]
        : [];
      assert.deepEqual(violations, want);
    });
  }
});

describe("per-member maps are read by own property", () => {
  it("refuses a shared map keyed by a prototype name, and does not read constructor from the prototype for a member named so", () => {
    const mesh = { name: "demo", members: ["c1", "constructor"] };
    const base = { ...REBEL_BASE, mesh, fleetMembers: ["c1", "constructor"] };
    assert.deepEqual(planGlobalService({ ...base, sharedByMember: { c1: false } }).plan?.shared, { c1: false, constructor: true });
    assert.deepEqual(
      planGlobalService({ ...base, ports: undefined, portsByMember: { c1: [{ name: "http", port: 80 }] } }).violations.map((v) => v.path),
      ["portsByMember.constructor"],
    );
  });
});

describe("planGlobalService: one way to give the ports, and one way to give shared", () => {
  const PORTS = [{ name: "http", port: 80 }];
  const BY_MEMBER = { c1: PORTS, c2: PORTS };
  const RULE = "ports: one list for every selected member; portsByMember: selected member name → its list";
  const SHARED_RULE = "shared: one value for every member; sharedByMember: member name → value, true for the members it leaves out";
  const cases: Array<[string, Partial<GlobalServiceInput>, ReturnType<typeof planGlobalService>]> = [
    [
      "takes one list for every member",
      { ports: PORTS },
      { plan: { members: ["c1", "c2"], ports: BY_MEMBER, shared: { c1: true, c2: true }, affinity: undefined }, violations: [] },
    ],
    [
      "takes one list per member",
      { ports: undefined, portsByMember: BY_MEMBER },
      { plan: { members: ["c1", "c2"], ports: BY_MEMBER, shared: { c1: true, c2: true }, affinity: undefined }, violations: [] },
    ],
    [
      "refuses both ports and portsByMember, naming both",
      { ports: PORTS, portsByMember: BY_MEMBER },
      { violations: [{ path: "ports", message: `ports and portsByMember are both given: give exactly one of them (${RULE})` }] },
    ],
    [
      "refuses neither ports nor portsByMember, naming both",
      { ports: undefined },
      { violations: [{ path: "ports", message: `ports is required: give exactly one of ports and portsByMember (${RULE})` }] },
    ],
    [
      "takes one shared value for every member",
      { shared: false },
      { plan: { members: ["c1", "c2"], ports: BY_MEMBER, shared: { c1: false, c2: false }, affinity: undefined }, violations: [] },
    ],
    [
      "takes shared per member, true for the members it leaves out",
      { sharedByMember: { c1: false } },
      { plan: { members: ["c1", "c2"], ports: BY_MEMBER, shared: { c1: false, c2: true }, affinity: undefined }, violations: [] },
    ],
    [
      "refuses both shared and sharedByMember, naming both",
      { shared: true, sharedByMember: { c1: false } },
      { violations: [{ path: "shared", message: `shared and sharedByMember are both given: give at most one of them (${SHARED_RULE})` }] },
    ],
  ];
  for (const [sentence, change, expected] of cases) {
    it(sentence, () => assert.deepStrictEqual(planGlobalService({ ...REBEL_BASE, ...change }), expected));
  }
});
