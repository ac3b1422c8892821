import { strict as assert } from "assert";
import {
  CrossClusterPolicy,
  Fleet,
  FleetArgs,
  FleetValidationError,
  GlobalService,
  GlobalServiceArgs,
  MeshDeclaration,
} from "../../components";
import { FieldViolation } from "../../components/core/k8s/field-errors";
import { RecordedResource, complete, deploy, named, ofType, recorder, appliedByHand } from "./harness";

// Cilium's global-service demo: rebel-base answers in both clusters, x-wing in c1 calls it, and a
// cross-cluster policy lets x-wing in c1 reach rebel-base in c2. Namespaces are not global by default.
const demoFleet = (version = "1.20.0", mesh: Partial<MeshDeclaration> = {}): FleetArgs => ({
  cilium: { version },
  members: { c1: { kind: {}, labels: { mesh: "demo" } }, c2: { kind: {}, labels: { mesh: "demo" } }, c3: { kind: {} } },
  meshes: { demo: { memberSelector: { matchLabels: { mesh: "demo" } }, defaultGlobalNamespace: false, ...mesh } },
});

const rebelBase = (fleet: Fleet, more: Partial<GlobalServiceArgs> = {}): GlobalServiceArgs => ({
  mesh: fleet.meshes.demo,
  fleet,
  namespace: "rebel-base-demo",
  selector: { name: "rebel-base" },
  ports: [{ name: "http", port: 80 }],
  ...more,
});

describe("GlobalService: Cilium's rebel-base / x-wing demo on a 2-member kind mesh", () => {
  let fleet: Fleet;
  let records: RecordedResource[];
  let service: GlobalService;
  before(async () => {
    ({ fleet } = await deploy("demo", demoFleet()));
    records = [];
    service = new GlobalService("rebel-base", rebelBase(fleet), { transformations: [recorder(records)] });
    new CrossClusterPolicy(
      "x-wing-to-rebel-base",
      {
        fleet,
        policyName: "allow-cross-cluster",
        from: { member: "c1", namespace: "rebel-base-demo", labels: { name: "x-wing" } },
        to: { member: "c2", namespace: "rebel-base-demo", labels: { name: "rebel-base" } },
      },
      { transformations: [recorder(records)], dependsOn: [service] },
    );
    await complete(records);
  });

  it("registers exactly the objects of the demo, per member, with the member's provider", () => {
    const namespace = {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "rebel-base-demo", annotations: { "clustermesh.cilium.io/global": "true" } },
    };
    const svc = {
      apiVersion: "v1",
      kind: "Service",
      metadata: {
        name: "rebel-base",
        namespace: "rebel-base-demo",
        annotations: { "service.cilium.io/global": "true", "service.cilium.io/shared": "true" },
      },
      spec: { type: "ClusterIP", selector: { name: "rebel-base" }, ports: [{ name: "http", port: 80, protocol: "TCP" }] },
    };
    const policy = (side: "egress" | "ingress", spec: Record<string, unknown>) => ({
      apiVersion: "cilium.io/v2",
      kind: "CiliumNetworkPolicy",
      metadata: { name: `allow-cross-cluster-${side}`, namespace: "rebel-base-demo" },
      spec,
    });
    assert.deepEqual(appliedByHand(fleet, records), [
      [
        "c1",
        "CiliumNetworkPolicy",
        policy("egress", {
          endpointSelector: { matchLabels: { name: "x-wing", "io.cilium.k8s.policy.cluster": "c1" } },
          egress: [
            { toEndpoints: [{ matchLabels: { name: "rebel-base", "io.cilium.k8s.policy.cluster": "c2" } }] },
            {
              toEndpoints: [
                {
                  matchLabels: {
                    "k8s:io.kubernetes.pod.namespace": "kube-system",
                    "k8s:k8s-app": "kube-dns",
                    "io.cilium.k8s.policy.cluster": "c1",
                  },
                },
              ],
              toPorts: [{ ports: [{ port: "53", protocol: "ANY" }], rules: { dns: [{ matchPattern: "*" }] } }],
            },
          ],
        }),
      ],
      ["c1", "Namespace", namespace],
      ["c1", "Service", svc],
      [
        "c2",
        "CiliumNetworkPolicy",
        policy("ingress", {
          endpointSelector: { matchLabels: { name: "rebel-base", "io.cilium.k8s.policy.cluster": "c2" } },
          ingress: [{ fromEndpoints: [{ matchLabels: { name: "x-wing", "io.cilium.k8s.policy.cluster": "c1" } }] }],
        }),
      ],
      ["c2", "Namespace", namespace],
      ["c2", "Service", svc],
    ]);
  });

  it("names children per member, parents them on the component and creates each Service after its namespace", () => {
    for (const member of ["c1", "c2"]) {
      const svc = named(records, `rebel-base-${member}`, "kubernetes:core/v1:Service");
      const ns = named(records, `rebel-base-${member}`, "kubernetes:core/v1:Namespace");
      assert.equal(svc.parent, service);
      assert.equal(ns.parent, service);
      assert.deepEqual(svc.opts.dependsOn, [ns.resource]);
      assert.equal(service.services[member], svc.resource);
      assert.equal(service.namespaces[member], ns.resource);
    }
    assert.deepEqual(service.members, ["c1", "c2"]);
  });

  it("leaves the member outside the mesh alone", () => {
    assert.ok(!records.some((r) => r.name.endsWith("-c3")));
  });
});

describe("GlobalService namespaces", () => {
  const kubernetesObjects = async (args: FleetArgs, more: (fleet: Fleet) => Partial<GlobalServiceArgs>) => {
    const { fleet, records: fleetRecords } = await deploy("demo", args);
    const records: RecordedResource[] = [];
    new GlobalService("rebel-base", rebelBase(fleet, more(fleet)), { transformations: [recorder(records)] });
    await complete(records);
    return { fleet, records, fleetRecords };
  };

  it("uses the mesh's global namespace instead of creating one, and waits for it", async () => {
    const { records, fleetRecords } = await kubernetesObjects(demoFleet("1.20.0", { globalNamespaces: ["rebel-base-demo"] }), () => ({}));
    assert.deepEqual(ofType(records, "kubernetes:core/v1:Namespace"), []);
    const meshNamespace = named(fleetRecords, "demo-demo-c2-rebel-base-demo", "kubernetes:core/v1:Namespace");
    assert.deepEqual(named(records, "rebel-base-c2", "kubernetes:core/v1:Service").opts.dependsOn, [meshNamespace.resource]);
  });

  it("creates the namespace unannotated when every namespace is global", async () => {
    const { records } = await kubernetesObjects(demoFleet("1.18.12", { defaultGlobalNamespace: true }), () => ({}));
    assert.deepEqual(named(records, "rebel-base-c1", "kubernetes:core/v1:Namespace").inputs.metadata, { name: "rebel-base-demo" });
  });

  it("creates no namespace when told not to", async () => {
    const { records } = await kubernetesObjects(demoFleet(), () => ({
      createNamespace: false,
      members: ["c2"],
      shared: false,
      affinity: "remote",
    }));
    assert.deepEqual(
      records.filter((r) => r.type.startsWith("kubernetes:")).map((r) => [r.name, r.type]),
      [["rebel-base-c2", "kubernetes:core/v1:Service"]],
    );
    assert.deepEqual(named(records, "rebel-base-c2").inputs.metadata.annotations, {
      "service.cilium.io/global": "true",
      "service.cilium.io/shared": "false",
      "service.cilium.io/affinity": "remote",
    });
  });
});

describe("GlobalService in a system namespace it does not create", () => {
  it("puts the Service in default with createNamespace: false, creating no namespace", async () => {
    const { fleet } = await deploy("demo", demoFleet());
    const records: RecordedResource[] = [];
    new GlobalService("rebel-base", rebelBase(fleet, { namespace: "default", createNamespace: false }), {
      transformations: [recorder(records)],
    });
    await complete(records);
    assert.deepEqual(
      records.filter((r) => r.type.startsWith("kubernetes:")).map((r) => [r.name, r.type, r.inputs.metadata.namespace]),
      [
        ["rebel-base-c1", "kubernetes:core/v1:Service", "default"],
        ["rebel-base-c2", "kubernetes:core/v1:Service", "default"],
      ],
    );
  });
});

describe("GlobalService refusals", () => {
  let fleet: Fleet;
  before(async () => ({ fleet } = await deploy("demo", demoFleet())));

  const cases: Array<[string, Partial<GlobalServiceArgs>, RegExp]> = [
    [
      "ports that differ between members",
      { ports: undefined, portsByMember: { c1: [{ name: "http", port: 80 }], c2: [{ name: "http", port: 8080 }] } },
      /portsByMember: the ports differ between members \("c1" declares \[http 80\/TCP\]; "c2" declares \[http 8080\/TCP\]\)/,
    ],
    [
      "an unnamed port of a multi-port service",
      { ports: [{ name: "http", port: 80 }, { port: 443 }] },
      /ports\[1\]\.name: port 443\/TCP has no name in a service with 2 ports/,
    ],
    ["a member outside the mesh", { members: ["c1", "c3"] }, /members\[1\]: member "c3" is not in mesh "demo" \("c1", "c2"\)/],
    [
      "an affinity Cilium does not know",
      { affinity: "closest" as "local" },
      /affinity: Unsupported value: "closest": supported values: "none", "local", "remote"/,
    ],
    [
      "a system namespace it would create and own",
      { namespace: "kube-system" },
      /namespace: namespace "kube-system" is one every cluster has and keeps .*set createNamespace: false/,
    ],
    [
      "a per-member shared map naming a prototype key",
      { sharedByMember: JSON.parse('{"constructor":true}') },
      /sharedByMember\.constructor: member "constructor"/,
    ],
  ];
  for (const [sentence, more, message] of cases) {
    it(`refuses ${sentence} before registering anything`, () => {
      const records: RecordedResource[] = [];
      assert.throws(
        () => new GlobalService("rebel-base", rebelBase(fleet, more), { transformations: [recorder(records)] }),
        (e: unknown) =>
          e instanceof FleetValidationError && /^GlobalService "rebel-base": 1 problem\(s\)/.test(e.message) && message.test(e.message),
      );
      assert.deepEqual(records, []);
    });
  }
});

describe("GlobalService: the fleet and mesh it is given, and one way to give ports and shared", () => {
  let fleet: Fleet;
  before(async () => ({ fleet } = await deploy("demo", demoFleet())));

  const PORTS = [{ name: "http", port: 80 }];
  const PORTS_RULE = "ports: one list for every selected member; portsByMember: selected member name → its list";
  const refusals: Array<[string, (fleet: Fleet) => Partial<GlobalServiceArgs>, FieldViolation[]]> = [
    [
      "a fleet given by its URN, which only the fleetmesh provider resolves",
      (f) => ({ fleet: { urn: f.urn } }),
      [
        {
          path: "fleet",
          message:
            "{ urn } is a reference by URN, which only the fleetmesh provider resolves (for programs in other languages): a TypeScript program passes the Fleet itself",
        },
      ],
    ],
    [
      "a mesh name the fleet does not have",
      () => ({ mesh: { meshName: "prod" } }),
      [{ path: "mesh", message: 'mesh "prod" is not a mesh of the fleet (its meshes: "demo")' }],
    ],
    [
      "a mesh of another fleet",
      () => ({ mesh: new Fleet("other", demoFleet()).meshes.demo }),
      [{ path: "mesh", message: "is a ClusterMesh of another fleet: pass a mesh of this fleet (fleet.meshes.demo)" }],
    ],
    [
      "both ports and portsByMember",
      () => ({ portsByMember: { c1: PORTS, c2: PORTS } }),
      [{ path: "ports", message: `ports and portsByMember are both given: give exactly one of them (${PORTS_RULE})` }],
    ],
    [
      "neither ports nor portsByMember",
      () => ({ ports: undefined }),
      [{ path: "ports", message: `ports is required: give exactly one of ports and portsByMember (${PORTS_RULE})` }],
    ],
    [
      "both shared and sharedByMember",
      () => ({ shared: false, sharedByMember: { c2: true } }),
      [
        {
          path: "shared",
          message:
            "shared and sharedByMember are both given: give at most one of them (shared: one value for every member; sharedByMember: member name → value, true for the members it leaves out)",
        },
      ],
    ],
  ];
  for (const [sentence, more, violations] of refusals) {
    it(`refuses ${sentence} before registering anything`, () => {
      const records: RecordedResource[] = [];
      let refusal: unknown;
      try {
        new GlobalService("rebel-base", rebelBase(fleet, more(fleet)), { transformations: [recorder(records)] });
      } catch (error) {
        refusal = error;
      }
      assert.ok(refusal instanceof FleetValidationError, String(refusal));
      assert.deepEqual(refusal.violations, violations);
      assert.deepEqual(records, []);
    });
  }

  const accepted: Array<[string, Partial<GlobalServiceArgs>, { members: string[]; shared: Record<string, string> }]> = [
    ["takes the mesh by name", { mesh: { meshName: "demo" } }, { members: ["c1", "c2"], shared: { c1: "true", c2: "true" } }],
    [
      "takes one list of ports per member",
      { ports: undefined, portsByMember: { c1: PORTS, c2: PORTS } },
      { members: ["c1", "c2"], shared: { c1: "true", c2: "true" } },
    ],
    ["takes one shared value for every member", { shared: false }, { members: ["c1", "c2"], shared: { c1: "false", c2: "false" } }],
    ["takes shared per member", { sharedByMember: { c1: false } }, { members: ["c1", "c2"], shared: { c1: "false", c2: "true" } }],
  ];
  for (const [i, [sentence, more, expected]] of accepted.entries()) {
    it(sentence, async () => {
      const records: RecordedResource[] = [];
      // A name of its own: the cases share the fleet.
      const name = `rebel-base-${i}`;
      new GlobalService(name, rebelBase(fleet, { createNamespace: false, ...more }), { transformations: [recorder(records)] });
      await complete(records);
      const services = records.filter((r) => r.type === "kubernetes:core/v1:Service");
      const members = services.map((r) => r.name.slice(name.length + 1));
      const shared = Object.fromEntries(
        services.map((r) => [r.name.slice(name.length + 1), r.inputs.metadata.annotations["service.cilium.io/shared"]]),
      );
      assert.deepEqual({ members, shared }, expected);
    });
  }
});
