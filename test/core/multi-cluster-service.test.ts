import { strict as assert } from "assert";
import {
  McsMemberFacts,
  MultiClusterServiceInput,
  ciliumMcsManifests,
  fleetExportConflicts,
  loadBalancerAddress,
  multiClusterServiceManifest,
  planMultiClusterService,
  serviceExportManifest,
  sharedAddressClashes,
} from "../../components/core/services/multi-cluster-service";
import { crdValidator } from "../support/crd-schema";

const SERVICE_EXPORTS = "fleet-networking_networking.fleet.azure.com_serviceexports.yaml";
const MULTI_CLUSTER_SERVICES = "fleet-networking_networking.fleet.azure.com_multiclusterservices.yaml";

const aks = (name: string, region: string): McsMemberFacts => ({
  name,
  labels: { region },
  provisioner: "aks",
  ciliumOwner: "aks",
  mesh: "prod",
  l2Announcements: false,
});
const kind = (name: string, region: string, mesh = "demo"): McsMemberFacts => ({
  name,
  labels: { region },
  provisioner: "kind",
  ciliumOwner: "fleetmesh",
  mesh,
  l2Announcements: true,
});

// Azure Fleet's kuard demo: exported from the two east members, entry point on e1.
const KUARD: MultiClusterServiceInput = {
  serviceName: "kuard",
  namespace: "kuard-demo",
  exportFrom: { matchLabels: { region: "east" } },
  ingressMember: "e1",
  members: [aks("e1", "east"), aks("e2", "east"), aks("w1", "west")],
  azureFleetHub: true,
};
// The same intent on kind: exported from c2 and c3, entry point on c1.
const KIND_KUARD: MultiClusterServiceInput = {
  ...KUARD,
  ingressMember: "c1",
  selector: { app: "kuard" },
  ports: [{ name: "http", port: 8080 }],
  members: [kind("c1", "west"), kind("c2", "east"), kind("c3", "east")],
  azureFleetHub: false,
};

describe("planMultiClusterService", () => {
  it("realizes it with Fleet networking when the ingress member has AKS-managed Cilium", () => {
    assert.deepEqual(planMultiClusterService(KUARD), {
      plan: { realization: "azure-fleet", ingress: "e1", exporters: ["e1", "e2"], ports: undefined },
      violations: [],
    });
  });

  it("selects exporters by the labels the members carry as given, Azure Fleet's included", () => {
    const located = (m: McsMemberFacts, location: string) => ({ ...m, labels: { ...m.labels, "fleet.azure.com/location": location } });
    const input = {
      ...KUARD,
      exportFrom: { matchLabels: { "fleet.azure.com/location": "eastus2" } },
      members: [located(aks("e1", "east"), "eastus2"), located(aks("e2", "east"), "eastus2"), located(aks("w1", "west"), "westus3")],
    };
    assert.deepEqual(planMultiClusterService(input).plan?.exporters, ["e1", "e2"]);
  });

  it("realizes it with a Cilium global service in the ingress member's mesh otherwise", () => {
    const { plan, violations } = planMultiClusterService(KIND_KUARD);
    assert.deepEqual(violations, []);
    assert.deepEqual(plan, {
      realization: "cilium",
      ingress: "c1",
      exporters: ["c2", "c3"],
      mesh: "demo",
      ports: { c1: [{ name: "http", port: 8080 }], c2: [{ name: "http", port: 8080 }], c3: [{ name: "http", port: 8080 }] },
      address: "lb-ipam",
    });
  });

  it("takes a BYOCNI AKS ingress member's address from the cloud's load balancer", () => {
    const byocni = { ...kind("a1", "west"), provisioner: "aks" as const, l2Announcements: false };
    const { plan } = planMultiClusterService({ ...KIND_KUARD, ingressMember: "a1", members: [byocni, ...KIND_KUARD.members] });
    assert.equal(plan?.realization === "cilium" && plan.address, "cloud");
  });

  const refusals: Array<[string, MultiClusterServiceInput, string, RegExp]> = [
    [
      "export port lists that differ (Fleet's conflict rule)",
      { ...KUARD, portsByMember: { e1: [{ name: "http", port: 8080 }], e2: [{ name: "http", port: 8080, targetPort: 80 }] } },
      "portsByMember",
      /the ServiceExports would be IS-CONFLICTED: "e1" exports \[http 8080\/TCP\]; "e2" exports \[http 8080\/TCP->80\]\. Fleet networking resolves the ServiceImport from the first export/,
    ],
    [
      "export port lists in another order (Fleet's conflict rule)",
      {
        ...KUARD,
        portsByMember: {
          e1: [
            { name: "a", port: 1 },
            { name: "b", port: 2 },
          ],
          e2: [
            { name: "b", port: 2 },
            { name: "a", port: 1 },
          ],
        },
      },
      "portsByMember",
      /"e1" exports \[a 1\/TCP, b 2\/TCP\]; "e2" exports \[b 2\/TCP, a 1\/TCP\].*in the same order/,
    ],
    [
      "ports for a member that does not export",
      { ...KUARD, portsByMember: { e1: [{ port: 80 }], e2: [{ port: 80 }], w1: [{ port: 80 }] } },
      "portsByMember.w1",
      /member "w1" is not an exporting member/,
    ],
    [
      "an Azure Fleet service without a hub",
      { ...KUARD, azureFleetHub: false },
      "fleet",
      /needs an Azure Fleet with a hub: set azureFleet/,
    ],
    [
      "an exporting member without AKS-managed Cilium",
      { ...KUARD, members: [...KUARD.members, kind("k1", "east")] },
      "exportFrom",
      /selects "k1", which is not an AKS member with AKS-managed Cilium, but ingressMember "e1" is/,
    ],
    ["a selector on an Azure Fleet", { ...KUARD, selector: { app: "kuard" } }, "selector", /selector is not used on an Azure Fleet/],
    [
      "an ingress member that is not in the fleet",
      { ...KUARD, ingressMember: "nope" },
      "ingressMember",
      /ingressMember "nope" is not a member of the fleet \("e1", "e2", "w1"\)/,
    ],
    [
      "a selector that selects nothing",
      { ...KUARD, exportFrom: { matchLabels: { region: "north" } } },
      "exportFrom",
      /selects no member of the fleet/,
    ],
    [
      "an invalid selector",
      { ...KUARD, exportFrom: { matchExpressions: [{ key: "region", operator: "In", values: [] }] } },
      "exportFrom",
      /is not a valid label selector/,
    ],
    [
      "a service name the import cannot carry",
      { ...KUARD, serviceName: "Kuard" },
      "serviceName",
      /"Kuard" is not a valid Service name: it must be a DNS-1035 label/,
    ],
    [
      "Cilium: an exporting member outside the ingress member's mesh",
      { ...KIND_KUARD, members: [...KIND_KUARD.members.slice(0, 2), kind("c3", "east", "other")] },
      "exportFrom",
      /selects "c3", outside mesh "demo" of ingressMember "c1"/,
    ],
    [
      "Cilium: an ingress member in no mesh",
      { ...KIND_KUARD, members: [{ ...kind("c1", "west"), mesh: undefined }, ...KIND_KUARD.members.slice(1)] },
      "ingressMember",
      /ingressMember "c1" is in no mesh/,
    ],
    [
      "Cilium: a kind ingress member without kube-proxy replacement",
      { ...KIND_KUARD, members: [{ ...kind("c1", "west"), l2Announcements: false }, ...KIND_KUARD.members.slice(1)] },
      "ingressMember",
      /cannot announce a LoadBalancer address: Cilium L2 announcements need kube-proxy replacement/,
    ],
    ["Cilium: no selector", { ...KIND_KUARD, selector: undefined }, "selector", /selector is required without an Azure Fleet/],
    ["Cilium: no ports", { ...KIND_KUARD, ports: undefined }, "ports", /ports is required/],
    [
      "a selector on an Azure Fleet label whose value is an Output (not known before deployment)",
      {
        ...KUARD,
        exportFrom: { matchExpressions: [{ key: "fleet.azure.com/resource-group", operator: "In", values: ["rg"] }] },
        members: KUARD.members.map((m) => ({ ...m, unknownLabelKeys: m.name === "w1" ? [] : ["fleet.azure.com/resource-group"] })),
      },
      "exportFrom",
      /selects by "fleet\.azure\.com\/resource-group", which Azure Fleet sets on "e1", "e2" from values not known before deployment/,
    ],
    [
      "Cilium: ports that differ between exporting members",
      { ...KIND_KUARD, ports: undefined, portsByMember: { c2: [{ name: "http", port: 8080 }], c3: [{ name: "http", port: 80 }] } },
      "portsByMember",
      /Cilium merges a global service's backends per port name/,
    ],
  ];
  for (const [sentence, input, path, message] of refusals) {
    it(`refuses ${sentence}`, () => {
      const { plan, violations } = planMultiClusterService(input);
      assert.equal(plan, undefined);
      const found = violations.find((v) => v.path === path);
      assert.ok(found, JSON.stringify(violations));
      assert.match(found.message, message);
    });
  }

  const EXPORTED = [{ name: "http", port: 8080 }];
  const AZURE_RULE = "ports: one list for every exporting member; portsByMember: exporting member name → its list";
  const choices: Array<[string, MultiClusterServiceInput, ReturnType<typeof planMultiClusterService>]> = [
    [
      "takes neither ports nor portsByMember on an Azure Fleet (the exports' ports are not checked)",
      KUARD,
      { plan: { realization: "azure-fleet", ingress: "e1", exporters: ["e1", "e2"], ports: undefined }, violations: [] },
    ],
    [
      "takes portsByMember on an Azure Fleet",
      { ...KUARD, portsByMember: { e1: EXPORTED, e2: EXPORTED } },
      {
        plan: { realization: "azure-fleet", ingress: "e1", exporters: ["e1", "e2"], ports: { e1: EXPORTED, e2: EXPORTED } },
        violations: [],
      },
    ],
    [
      "refuses both ports and portsByMember on an Azure Fleet, naming both",
      { ...KUARD, ports: EXPORTED, portsByMember: { e1: EXPORTED, e2: EXPORTED } },
      { violations: [{ path: "ports", message: `ports and portsByMember are both given: give at most one of them (${AZURE_RULE})` }] },
    ],
    [
      "refuses both ports and portsByMember without an Azure Fleet, naming both",
      { ...KIND_KUARD, portsByMember: { c2: EXPORTED, c3: EXPORTED } },
      { violations: [{ path: "ports", message: `ports and portsByMember are both given: give exactly one of them (${AZURE_RULE})` }] },
    ],
    [
      "refuses neither ports nor portsByMember without an Azure Fleet, naming both",
      { ...KIND_KUARD, ports: undefined },
      { violations: [{ path: "ports", message: `ports is required: give exactly one of ports and portsByMember (${AZURE_RULE})` }] },
    ],
    [
      "takes portsByMember without an Azure Fleet, giving a non-exporting ingress member the exporters' ports",
      { ...KIND_KUARD, ports: undefined, portsByMember: { c2: [{ ...EXPORTED[0], targetPort: 80 }], c3: EXPORTED } },
      {
        plan: {
          realization: "cilium",
          ingress: "c1",
          exporters: ["c2", "c3"],
          mesh: "demo",
          ports: { c1: EXPORTED, c2: [{ ...EXPORTED[0], targetPort: 80 }], c3: EXPORTED },
          address: "lb-ipam",
        },
        violations: [],
      },
    ],
  ];
  for (const [sentence, input, expected] of choices) {
    it(sentence, () => assert.deepStrictEqual(planMultiClusterService(input), expected));
  }

  it("accepts exports whose port lists are identical once the API server's defaults apply", () => {
    const ports = { e1: [{ name: "http", port: 8080, protocol: "TCP" as const, targetPort: 8080 }], e2: [{ name: "http", port: 8080 }] };
    assert.deepEqual(planMultiClusterService({ ...KUARD, portsByMember: ports }).violations, []);
  });

  it("names every group of conflicting members", () => {
    const [violation] = fleetExportConflicts("ports", { a: [{ port: 80 }], b: [{ port: 81 }], c: [{ port: 80 }] }, ["a", "b", "c"]);
    assert.match(violation.message, /"a", "c" export \[80\/TCP\]; "b" exports \[81\/TCP\]/);
  });
});

describe("Fleet networking objects", () => {
  it("a ServiceExport with the Service's name, valid against the upstream v1beta1 CRD", () => {
    const manifest = serviceExportManifest("kuard-demo", "kuard");
    assert.deepEqual(manifest, {
      apiVersion: "networking.fleet.azure.com/v1beta1",
      kind: "ServiceExport",
      metadata: { name: "kuard", namespace: "kuard-demo" },
    });
    const validate = crdValidator(SERVICE_EXPORTS, "v1beta1");
    assert.ok(validate(manifest), JSON.stringify(validate.errors));
  });

  it("a MultiClusterService importing it, internal when asked, valid against the upstream v1alpha1 CRD", () => {
    const validate = crdValidator(MULTI_CLUSTER_SERVICES, "v1alpha1");
    const internal = multiClusterServiceManifest("kuard-demo", "kuard", true);
    assert.deepEqual(internal, {
      apiVersion: "networking.fleet.azure.com/v1alpha1",
      kind: "MultiClusterService",
      metadata: {
        name: "kuard",
        namespace: "kuard-demo",
        annotations: { "networking.fleet.azure.com/azure-load-balancer-internal": "true" },
      },
      spec: { serviceImport: { name: "kuard" } },
    });
    assert.deepEqual(multiClusterServiceManifest("kuard-demo", "kuard", false).metadata, { name: "kuard", namespace: "kuard-demo" });
    for (const manifest of [internal, multiClusterServiceManifest("kuard-demo", "kuard", false)])
      assert.ok(validate(manifest), JSON.stringify(validate.errors));
  });

  it("the schema check has teeth: it refuses an import name the CRD's pattern does not allow, and a missing spec", () => {
    const validate = crdValidator(MULTI_CLUSTER_SERVICES, "v1alpha1");
    assert.equal(
      validate({ ...multiClusterServiceManifest("kuard-demo", "kuard", false), spec: { serviceImport: { name: "Kuard" } } }),
      false,
    );
    assert.equal(
      validate({ apiVersion: "networking.fleet.azure.com/v1alpha1", kind: "MultiClusterService", metadata: { name: "kuard" } }),
      false,
    );
  });
});

describe("the Cilium realization's Services", () => {
  const plan = planMultiClusterService(KIND_KUARD).plan!;
  assert.equal(plan.realization, "cilium");
  const annotations = (shared: string) => ({ "service.cilium.io/global": "true", "service.cilium.io/shared": shared });

  it("exporting members get a shared ClusterIP global Service; the ingress member a LoadBalancer at the pinned address, backed only by theirs, with no NodePorts", () => {
    const services = ciliumMcsManifests(KIND_KUARD, plan as Extract<typeof plan, { realization: "cilium" }>, "172.18.255.1");
    const exported = { name: "http", port: 8080, protocol: "TCP" };
    assert.deepEqual(services.c2, {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "kuard", namespace: "kuard-demo", annotations: annotations("true") },
      spec: { type: "ClusterIP", selector: { app: "kuard" }, ports: [exported] },
    });
    assert.deepEqual(services.c3.spec, services.c2.spec);
    assert.deepEqual(services.c1, {
      apiVersion: "v1",
      kind: "Service",
      metadata: {
        name: "kuard",
        namespace: "kuard-demo",
        annotations: {
          "lbipam.cilium.io/ips": "172.18.255.1",
          "lbipam.cilium.io/sharing-key": "fleetmesh-ingress",
          ...annotations("false"),
        },
        labels: { "fleetmesh.io/ingress": "true" },
      },
      // LB-IPAM's address needs no NodePort, and one could be a mesh peer's clustermesh NodePort (cilium/cilium#24692).
      spec: { type: "LoadBalancer", ports: [exported], allocateLoadBalancerNodePorts: false },
    });
  });

  it("an exporting ingress member keeps its selector and shares its endpoints", () => {
    const input = { ...KIND_KUARD, exportFrom: {} };
    const own = planMultiClusterService(input).plan!;
    const services = ciliumMcsManifests(input, own as Extract<typeof own, { realization: "cilium" }>, "172.18.255.1");
    assert.deepEqual([services.c1.spec.selector, services.c1.metadata.annotations["service.cilium.io/shared"]], [{ app: "kuard" }, "true"]);
  });

  it("a BYOCNI AKS ingress member gets Azure's internal load balancer when asked, and no pinned address", () => {
    const byocni = { ...kind("a1", "west"), provisioner: "aks" as const, l2Announcements: false };
    const input = { ...KIND_KUARD, ingressMember: "a1", internal: true, members: [byocni, ...KIND_KUARD.members] };
    const own = planMultiClusterService(input).plan!;
    const services = ciliumMcsManifests(input, own as Extract<typeof own, { realization: "cilium" }>, undefined);
    assert.deepEqual(services.a1.metadata.annotations, {
      "service.beta.kubernetes.io/azure-load-balancer-internal": "true",
      ...annotations("false"),
    });
    assert.equal(services.a1.metadata.labels, undefined);
    // Azure's load balancer is not LB-IPAM: Kubernetes keeps allocating its NodePorts.
    assert.equal(services.a1.spec.allocateLoadBalancerNodePorts, undefined);
  });
});

describe("helpers", () => {
  const statuses: Array<[unknown, string | undefined]> = [
    [undefined, undefined],
    [{}, undefined],
    [{ loadBalancer: {} }, undefined],
    [{ loadBalancer: { ingress: [{ ip: "20.1.2.3" }, { ip: "20.1.2.4" }] } }, "20.1.2.3"],
    [{ loadBalancer: { ingress: [{ hostname: "kuard.example" }] } }, "kuard.example"],
  ];
  for (const [status, address] of statuses) {
    it(`reads the address ${address ?? "(none yet)"} from ${JSON.stringify(status)}`, () =>
      assert.equal(loadBalancerAddress(status), address));
  }

  it("finds ports another service already uses on a member's pinned address", () => {
    const taken = new Map([["80/TCP", 'MultiClusterService "web"']]);
    assert.deepEqual(sharedAddressClashes("ports", "c1", taken, [{ port: 443 }, { port: 80, protocol: "UDP" }]), []);
    const [clash] = sharedAddressClashes("ports", "c1", taken, [{ name: "http", port: 80 }]);
    assert.match(clash.message, /port 80\/TCP is already served on member "c1"'s pinned LoadBalancer address by MultiClusterService "web"/);
  });
});

describe("planMultiClusterService: the namespace it would create", () => {
  const refusal = {
    path: "namespace",
    message:
      'namespace "kube-system" is one every cluster has and keeps ("default", "kube-system", "kube-public", "kube-node-lease"): ' +
      "the component would create it as its own Namespace on each member; set createNamespace: false to put the Service in it",
  };
  const cases: Array<{ name: string; input: MultiClusterServiceInput; want: unknown[] }> = [
    {
      name: "refuses a system namespace for a Cilium global service, which creates it",
      input: { ...KIND_KUARD, namespace: "kube-system" },
      want: [refusal],
    },
    {
      name: "accepts a system namespace for a Cilium global service with createNamespace: false",
      input: { ...KIND_KUARD, namespace: "kube-system", createNamespace: false },
      want: [],
    },
    {
      name: "accepts a system namespace on an Azure Fleet, where nothing creates it",
      input: { ...KUARD, namespace: "kube-system" },
      want: [],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(planMultiClusterService(c.input).violations, c.want));
});
