import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { Fleet, FleetArgs, FleetValidationError, MultiClusterService, MultiClusterServiceArgs, Placement } from "../../components";
import { FieldViolation } from "../../components/core/k8s/field-errors";
import { crdValidator } from "../support/crd-schema";
import { chartValuesValidator } from "../support/chart-schema";
import {
  RecordedResource,
  aksMember,
  complete,
  dependsOnOf,
  deploy,
  fakeKubeconfig,
  named,
  recorder,
  settle,
  useMocks,
  appliedByHand,
} from "./harness";

const SERVICE_EXPORTS = "fleet-networking_networking.fleet.azure.com_serviceexports.yaml";
const MULTI_CLUSTER_SERVICES = "fleet-networking_networking.fleet.azure.com_multiclusterservices.yaml";

async function withService(fleetArgs: FleetArgs, services: (fleet: Fleet) => Record<string, Omit<MultiClusterServiceArgs, "fleet">>) {
  const { fleet, records: fleetRecords } = await deploy("demo", fleetArgs);
  const records: RecordedResource[] = [];
  const made = Object.fromEntries(
    Object.entries(services(fleet)).map(([name, args]) => [
      name,
      new MultiClusterService(name, { fleet, ...args }, { transformations: [recorder(records)] }),
    ]),
  );
  await complete(records);
  await complete(fleetRecords);
  return { fleet, records, fleetRecords, made };
}

// ---------------------------------------------------------------------------------------------
// Azure Fleet's kuard demo: AKS members with AKS-managed Cilium, exported from the east members.
// ---------------------------------------------------------------------------------------------

const aks = (region: string, subnet: number) => aksMember(subnet, { labels: { region } }, { kubernetesVersion: "1.33" });
const AZURE: FleetArgs = {
  azureFleet: { resourceGroupName: "fleet-rg", location: "eastus2", fleetName: "hub" },
  members: { e1: aks("east", 1), e2: aks("east", 2), w1: aks("west", 3) },
};
const KUARD = { namespace: "kuard-demo", serviceName: "kuard", exportFrom: { matchLabels: { region: "east" } }, ingressMember: "e1" };

describe("MultiClusterService: Azure Fleet's kuard demo on AKS members", () => {
  let fleet: Fleet;
  let records: RecordedResource[];
  let kuard: MultiClusterService;
  let fleetRecords: RecordedResource[];
  before(
    async () =>
      ({
        fleet,
        records,
        fleetRecords,
        made: { kuard },
      } = await withService(AZURE, () => ({ kuard: { ...KUARD, internal: true, ports: [{ port: 8080 }] } }))),
  );

  it("registers a ServiceExport on each exporting member and the MultiClusterService on the ingress member, with their providers", () => {
    const exported = {
      apiVersion: "networking.fleet.azure.com/v1beta1",
      kind: "ServiceExport",
      metadata: { name: "kuard", namespace: "kuard-demo" },
    };
    assert.deepEqual(appliedByHand(fleet, records), [
      [
        "e1",
        "MultiClusterService",
        {
          apiVersion: "networking.fleet.azure.com/v1alpha1",
          kind: "MultiClusterService",
          metadata: {
            name: "kuard",
            namespace: "kuard-demo",
            annotations: { "networking.fleet.azure.com/azure-load-balancer-internal": "true" },
          },
          spec: { serviceImport: { name: "kuard" } },
        },
      ],
      ["e1", "ServiceExport", exported],
      ["e2", "ServiceExport", exported],
    ]);
  });

  it("generates objects that validate against the upstream fleet-networking CRDs", () => {
    const validators = {
      ServiceExport: crdValidator(SERVICE_EXPORTS, "v1beta1"),
      MultiClusterService: crdValidator(MULTI_CLUSTER_SERVICES, "v1alpha1"),
    };
    for (const record of records.filter((r) => r.type.startsWith("kubernetes:networking.fleet.azure.com"))) {
      const validate = validators[record.inputs.kind as keyof typeof validators];
      assert.ok(validate(record.inputs), `${record.name}: ${JSON.stringify(validate.errors)}`);
    }
  });

  it("parents everything on the component, names children per member and creates the import's consumer after the exports", async () => {
    const mcs = named(records, "kuard-e1", "kubernetes:networking.fleet.azure.com/v1alpha1:MultiClusterService");
    const exports = ["e1", "e2"].map((m) => named(records, `kuard-${m}`, "kubernetes:networking.fleet.azure.com/v1beta1:ServiceExport"));
    for (const record of [mcs, ...exports]) assert.equal(record.parent, kuard);
    // Fleet networking's CRDs arrive with the member agent: every object waits for its member to join.
    const joined = (m: string) => named(fleetRecords, `demo-${m}-fleet-member`).resource;
    assert.deepEqual(await Promise.all(exports.map(dependsOnOf)), [[joined("e1")], [joined("e2")]]);
    assert.deepEqual(await dependsOnOf(mcs), [joined("e1"), ...exports.map((e) => e.resource)]);
  });

  it("exposes the members that serve it, and the address once the load balancer has one", async () => {
    assert.deepEqual([kuard.realization, kuard.ingressMember, kuard.servingMembers], ["azure-fleet", "e1", ["e1", "e2"]]);
    assert.equal(await settle(kuard.address), undefined);
  });
});

describe("MultiClusterService refusals on an Azure Fleet", () => {
  let fleet: Fleet;
  before(async () => ({ fleet } = await deploy("demo", AZURE)));

  const refused = (args: Omit<MultiClusterServiceArgs, "fleet">, message: RegExp, on = fleet) => {
    const records: RecordedResource[] = [];
    assert.throws(
      () => new MultiClusterService("kuard", { fleet: on, ...args }, { transformations: [recorder(records)] }),
      (e: unknown) => e instanceof FleetValidationError && message.test(e.message),
    );
    assert.deepEqual(records, []);
  };

  it("refuses exports whose port lists differ, as Fleet would mark them IS-CONFLICTED, naming the members", () => {
    refused(
      {
        ...KUARD,
        portsByMember: {
          e1: [
            { name: "http", port: 8080 },
            { name: "metrics", port: 9090 },
          ],
          e2: [
            { name: "metrics", port: 9090 },
            { name: "http", port: 8080 },
          ],
        },
      },
      /portsByMember: the ServiceExports would be IS-CONFLICTED: "e1" exports \[http 8080\/TCP, metrics 9090\/TCP\]; "e2" exports \[metrics 9090\/TCP, http 8080\/TCP\]/,
    );
  });

  it("refuses a second consumer of the same ServiceImport", async () => {
    const { fleet: withKuard } = await withService(AZURE, () => ({ kuard: KUARD }));
    refused(
      { ...KUARD, ingressMember: "w1" },
      /serviceName "kuard" in namespace "kuard-demo" is already served by MultiClusterService "kuard" on member "e1": a ServiceImport is consumed by exactly one member across the fleet/,
      withKuard,
    );
  });

  it("refuses a fleet without a hub", async () => {
    const { fleet: noHub } = await deploy("demo", { ...AZURE, azureFleet: { ...AZURE.azureFleet!, hub: false } });
    refused(
      KUARD,
      /fleet: ingressMember "e1" has AKS-managed Cilium, so the service is an Azure Fleet MultiClusterService, which needs an Azure Fleet with a hub/,
      noHub,
    );
  });

  it("refuses a selector: the exported Service is the workload's", () => {
    refused({ ...KUARD, selector: { app: "kuard" } }, /selector: selector is not used on an Azure Fleet/);
  });
});

describe("MultiClusterService on an Azure Fleet: the labels Fleet puts on members, and the namespace", () => {
  const located = (location: string, subnet: number, labels: Record<string, string> = {}) =>
    aksMember(subnet, { labels }, { kubernetesVersion: "1.33", location });
  const REGIONS: FleetArgs = {
    azureFleet: { resourceGroupName: "fleet-rg", location: "eastus2", fleetName: "hub" },
    members: { e1: located("eastus2", 1), e2: located("eastus2", 2), w1: located("westus3", 3) },
  };
  const IN_EASTUS2 = { matchLabels: { "fleet.azure.com/location": "eastus2" } };

  it("selects the exporting members by fleet.azure.com/location, as a Placement with that selector picks them", async () => {
    const { fleet, made } = await withService(REGIONS, () => ({ kuard: { ...KUARD, exportFrom: IN_EASTUS2 } }));
    const placement = new Placement("kuard", {
      fleet,
      resources: [{ apiVersion: "v1", kind: "Namespace", metadata: { name: "kuard-demo" } }],
      resourceSelectors: [{ group: "", version: "v1", kind: "Namespace", name: "kuard-demo" }],
      policy: {
        affinity: {
          clusterAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { clusterSelectorTerms: [{ labelSelector: IN_EASTUS2 }] } },
        },
      },
    });
    assert.deepEqual(made.kuard.servingMembers, ["e1", "e2"]);
    assert.deepEqual([...(await settle(placement.targets))!].sort(), ["e1", "e2"]);
  });

  it("refuses a selector on a Fleet label whose value is an Output, which it cannot evaluate before deployment", async () => {
    const fromOutput = {
      ...REGIONS,
      members: {
        ...REGIONS.members,
        e1: aksMember(1, { labels: {} }, { kubernetesVersion: "1.33", location: "eastus2", resourceGroupName: pulumi.output("rg") }),
      },
    };
    const { fleet } = await deploy("demo", fromOutput);
    const records: RecordedResource[] = [];
    assert.throws(
      () =>
        new MultiClusterService(
          "kuard",
          { fleet, ...KUARD, exportFrom: { matchLabels: { "fleet.azure.com/resource-group": "rg" } } },
          { transformations: [recorder(records)] },
        ),
      (e: unknown) =>
        e instanceof FleetValidationError &&
        /exportFrom: exportFrom \{"matchLabels":\{"fleet\.azure\.com\/resource-group":"rg"\}\} selects by "fleet\.azure\.com\/resource-group", which Azure Fleet sets on "e1" from values not known before deployment/.test(
          e.message,
        ),
    );
    assert.deepEqual(records, []);
  });

  it("creates every ServiceExport and the MultiClusterService after the member joined, the mesh created the namespace there, and what the options name", async () => {
    const meshed: FleetArgs = {
      ...AZURE,
      members: Object.fromEntries(Object.entries(AZURE.members).map(([m, d]) => [m, { ...d, labels: { ...d.labels, mesh: "prod" } }])),
      meshes: { prod: { memberSelector: { matchLabels: { mesh: "prod" } }, globalNamespaces: ["kuard-demo"] } },
    };
    const { fleet, records: fleetRecords } = await deploy("demo", meshed);
    const workload = new k8s.core.v1.ConfigMap("workload", { metadata: { name: "w", namespace: "kuard-demo" } });
    const records: RecordedResource[] = [];
    new MultiClusterService("kuard", { fleet, ...KUARD }, { transformations: [recorder(records)], dependsOn: [workload] });
    await complete(records);
    await complete(fleetRecords);
    const joined = (m: string) => named(fleetRecords, `demo-${m}-fleet-member`).resource;
    const namespace = (m: string) => named(fleetRecords, `demo-prod-${m}-kuard-demo`, "kubernetes:core/v1:Namespace").resource;
    const exported = (m: string) => named(records, `kuard-${m}`, "kubernetes:networking.fleet.azure.com/v1beta1:ServiceExport");
    assert.deepEqual(await dependsOnOf(exported("e1")), [joined("e1"), namespace("e1"), workload]);
    assert.deepEqual(await dependsOnOf(exported("e2")), [joined("e2"), namespace("e2"), workload]);
    const mcs = named(records, "kuard-e1", "kubernetes:networking.fleet.azure.com/v1alpha1:MultiClusterService");
    assert.deepEqual(await dependsOnOf(mcs), [joined("e1"), namespace("e1"), exported("e1").resource, exported("e2").resource, workload]);
  });
});

// ---------------------------------------------------------------------------------------------
// The same intent on kind: a Cilium global service, entered through c1's pinned LoadBalancer address.
// ---------------------------------------------------------------------------------------------

const KIND: FleetArgs = {
  cilium: { version: "1.20.0" },
  members: {
    c1: { kind: {}, labels: { mesh: "demo", region: "west" }, clusterId: 7 },
    c2: { kind: {}, labels: { mesh: "demo", region: "east" } },
    c3: { kind: {}, labels: { mesh: "demo", region: "east" } },
    c4: { kind: {}, labels: { region: "east" } },
  },
  meshes: { demo: { memberSelector: { matchLabels: { mesh: "demo" } }, defaultGlobalNamespace: false } },
};
const KIND_KUARD = {
  namespace: "kuard-demo",
  serviceName: "kuard",
  exportFrom: { matchLabels: { mesh: "demo", region: "east" } },
  ingressMember: "c1",
  selector: { app: "kuard" },
  ports: [{ name: "http", port: 8080 }],
};

describe("MultiClusterService on kind members (Cilium global service, LB-IPAM, L2 announcements)", () => {
  let fleet: Fleet;
  let records: RecordedResource[];
  let fleetRecords: RecordedResource[];
  let kuard: MultiClusterService;
  before(
    async () =>
      ({
        fleet,
        records,
        fleetRecords,
        made: { kuard },
      } = await withService(KIND, () => ({ kuard: KIND_KUARD }))),
  );

  it("registers the namespace and a global Service on every member involved; the ingress copy is a LoadBalancer at c1's pinned address", () => {
    const namespace = {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "kuard-demo", annotations: { "clustermesh.cilium.io/global": "true" } },
    };
    const ports = [{ name: "http", port: 8080, protocol: "TCP" }];
    const exported = {
      apiVersion: "v1",
      kind: "Service",
      metadata: {
        name: "kuard",
        namespace: "kuard-demo",
        annotations: { "service.cilium.io/global": "true", "service.cilium.io/shared": "true" },
      },
      spec: { type: "ClusterIP", selector: { app: "kuard" }, ports },
    };
    assert.deepEqual(
      appliedByHand(
        fleet,
        records.filter((r) => !r.name.includes("-ingress-")),
      ),
      [
        ["c1", "Namespace", namespace],
        [
          "c1",
          "Service",
          {
            apiVersion: "v1",
            kind: "Service",
            metadata: {
              name: "kuard",
              namespace: "kuard-demo",
              annotations: {
                "lbipam.cilium.io/ips": "172.18.255.7",
                "lbipam.cilium.io/sharing-key": "fleetmesh-ingress",
                "service.cilium.io/global": "true",
                "service.cilium.io/shared": "false",
              },
              labels: { "fleetmesh.io/ingress": "true" },
            },
            // No NodePorts: one could be a mesh peer's clustermesh-apiserver NodePort (cilium/cilium#24692).
            spec: { type: "LoadBalancer", ports, allocateLoadBalancerNodePorts: false },
          },
        ],
        ["c2", "Namespace", namespace],
        ["c2", "Service", exported],
        ["c3", "Namespace", namespace],
        ["c3", "Service", exported],
      ],
    );
  });

  it("gives the ingress member an LB-IPAM pool holding its pinned address and an L2 announcement policy, with its provider, after Cilium", async () => {
    const pool = named(records, "kuard-c1-ingress-pool");
    const l2 = named(records, "kuard-c1-ingress-l2");
    const selector = { matchLabels: { "fleetmesh.io/ingress": "true" } };
    assert.deepEqual(pool.inputs, {
      apiVersion: "cilium.io/v2alpha1",
      kind: "CiliumLoadBalancerIPPool",
      metadata: { name: "fleetmesh-ingress" },
      spec: { blocks: [{ start: "172.18.255.7", stop: "172.18.255.7" }], serviceSelector: selector },
    });
    assert.deepEqual(l2.inputs, {
      apiVersion: "cilium.io/v2alpha1",
      kind: "CiliumL2AnnouncementPolicy",
      metadata: { name: "fleetmesh-ingress" },
      spec: { serviceSelector: selector, loadBalancerIPs: true, interfaces: ["^eth0$"] },
    });
    for (const record of [pool, l2]) {
      assert.equal(record.provider, fleet.members.c1.provider);
      assert.equal(record.parent, kuard);
      assert.deepEqual(await dependsOnOf(record), [named(fleetRecords, "demo-c1-cilium", "kubernetes:helm.sh/v3:Release").resource]);
    }
    assert.deepEqual(named(records, "kuard-c1", "kubernetes:core/v1:Service").opts.dependsOn, [
      named(records, "kuard-c1", "kubernetes:core/v1:Namespace").resource,
      pool.resource,
      l2.resource,
    ]);
    assert.ok(!records.some((r) => /-c[234]-ingress/.test(r.name)));
  });

  it("turns on L2 announcements in the kind members' Cilium values, which stay valid for the chart", () => {
    for (const member of ["c1", "c2", "c3", "c4"]) {
      const values = named(fleetRecords, `demo-${member}-cilium`).inputs.values as Record<string, unknown>;
      assert.deepEqual(values.l2announcements, { enabled: true });
      assert.ok(chartValuesValidator("1.20.0")(values));
    }
  });

  it("exposes the pinned address and the serving members", async () => {
    assert.deepEqual([kuard.realization, kuard.servingMembers, await settle(kuard.address)], ["cilium", ["c2", "c3"], "172.18.255.7"]);
  });
});

describe("MultiClusterService: several on one kind ingress member", () => {
  it("share the member's one pool and address when their ports differ", async () => {
    const { records, made } = await withService(KIND, () => ({
      kuard: KIND_KUARD,
      echo: {
        ...KIND_KUARD,
        serviceName: "echo",
        selector: { app: "echo" },
        ports: [{ name: "udp", port: 8080, protocol: "UDP" as const }],
      },
    }));
    assert.equal(records.filter((r) => r.name.endsWith("-c1-ingress-pool")).length, 1);
    assert.deepEqual([await settle(made.kuard.address), await settle(made.echo.address)], ["172.18.255.7", "172.18.255.7"]);
  });

  it("refuses one whose port the member's address already serves", async () => {
    await assert.rejects(
      withService(KIND, () => ({ kuard: KIND_KUARD, web: { ...KIND_KUARD, serviceName: "web" } })),
      (e: unknown) =>
        e instanceof FleetValidationError &&
        /ports: port 8080\/TCP is already served on member "c1"'s pinned LoadBalancer address by MultiClusterService "kuard"/.test(
          e.message,
        ),
    );
  });

  it("takes the address from the fleet's loadBalancerPool", async () => {
    const { made } = await withService({ ...KIND, loadBalancerPool: "192.168.50.0/24" }, () => ({ kuard: KIND_KUARD }));
    assert.equal(await settle(made.kuard.address), "192.168.50.7");
  });

  it("fails the preview when the ingress member's id has no address in the pool", async () => {
    const members = { ...KIND.members, c1: { ...KIND.members.c1, clusterId: 255 } };
    await useMocks(true);
    const fleet = new Fleet("demo", { ...KIND, members });
    const kuard = new MultiClusterService("kuard", { fleet, ...KIND_KUARD });
    await assert.rejects(
      settle(kuard.address),
      /member c1 has no pinned LoadBalancer address: cluster id 255 maps to 172\.18\.255\.255, the last address of the pool/,
    );
  }).timeout(10_000);
});

describe("MultiClusterService on kubeconfig and AKS BYOCNI ingress members", () => {
  const MIXED: FleetArgs = {
    loadBalancerPool: "192.168.60.0/24",
    members: {
      c1: { kind: {}, labels: { mesh: "demo", app: "yes" } },
      dc: {
        kubeconfig: fakeKubeconfig("dc"),
        labels: { mesh: "demo" },
        clusterId: 9,
        serviceCidr: "10.140.0.0/20",
        meshEndpoint: { loadBalancerIP: "192.168.50.10" },
      },
      az: {
        aks: {
          resourceGroupName: "rg",
          location: "eastus2",
          networkPlugin: "none",
          virtualNetwork: { name: "v", resourceGroupName: "rg" },
          nodeSubnetCidr: "10.200.9.0/24",
        },
        labels: { mesh: "demo" },
        meshEndpoint: { loadBalancerIP: "10.200.9.200" },
      },
    },
    meshes: { demo: { memberSelector: { matchLabels: { mesh: "demo" } } } },
  };
  const exported = {
    exportFrom: { matchLabels: { app: "yes" } },
    namespace: "kuard-demo",
    selector: { app: "kuard" },
    ports: [{ port: 8080 }],
  };
  let records: RecordedResource[];
  let fleetRecords: RecordedResource[];
  let made: Record<string, MultiClusterService>;
  before(
    async () =>
      ({ records, fleetRecords, made } = await withService(MIXED, () => ({
        kuard: { ...exported, serviceName: "kuard", ingressMember: "dc" },
        echo: { ...exported, serviceName: "echo", ingressMember: "az", internal: true },
      }))),
  );

  it("pins a kubeconfig ingress member's address from the fleet's pool, without announcing it (Cilium runs beside kube-proxy there)", async () => {
    assert.equal(await settle(made.kuard.address), "192.168.60.9");
    assert.deepEqual(named(records, "kuard-dc-ingress-pool").inputs.spec.blocks, [{ start: "192.168.60.9", stop: "192.168.60.9" }]);
    assert.ok(!records.some((r) => r.name === "kuard-dc-ingress-l2"));
    assert.equal(
      named(records, "kuard-dc", "kubernetes:core/v1:Service").inputs.metadata.annotations["lbipam.cilium.io/ips"],
      "192.168.60.9",
    );
  });

  it("leaves an AKS BYOCNI ingress member's address to Azure's load balancer, internal when asked", async () => {
    const service = named(records, "echo-az", "kubernetes:core/v1:Service").inputs;
    assert.deepEqual(service.metadata.annotations, {
      "service.beta.kubernetes.io/azure-load-balancer-internal": "true",
      "service.cilium.io/global": "true",
      "service.cilium.io/shared": "false",
    });
    assert.equal(service.spec.type, "LoadBalancer");
    assert.ok(!fleetRecords.some((r) => r.name.startsWith("az-ingress")));
    assert.equal(await settle(made.echo.address), undefined);
  });
});

describe("MultiClusterService refusals without an Azure Fleet", () => {
  let fleet: Fleet;
  before(async () => ({ fleet } = await deploy("demo", KIND)));

  const cases: Array<[string, Partial<MultiClusterServiceArgs>, RegExp]> = [
    [
      "an exporting member outside the ingress member's mesh",
      { exportFrom: { matchLabels: { region: "east" } } },
      /exportFrom: exportFrom .* selects "c4", outside mesh "demo" of ingressMember "c1"/,
    ],
    ["an ingress member in no mesh", { ingressMember: "c4" }, /ingressMember: ingressMember "c4" is in no mesh/],
    ["a missing selector", { selector: undefined }, /selector: selector is required without an Azure Fleet/],
    [
      "ports that differ between exporting members",
      { ports: undefined, portsByMember: { c2: [{ name: "http", port: 8080 }], c3: [{ name: "http", port: 80 }] } },
      /portsByMember: the ports differ between members/,
    ],
    [
      "a system namespace it would create on every member involved",
      { namespace: "kube-public" },
      /namespace: namespace "kube-public" is one every cluster has and keeps/,
    ],
    ["a namespace that is not a DNS-1123 label", { namespace: "Kuard_Demo" }, /namespace: namespace "Kuard_Demo" is invalid/],
  ];
  for (const [sentence, more, message] of cases) {
    it(`refuses ${sentence} before registering anything`, () => {
      const records: RecordedResource[] = [];
      assert.throws(
        () => new MultiClusterService("kuard", { fleet, ...KIND_KUARD, ...more }, { transformations: [recorder(records)] }),
        (e: unknown) => e instanceof FleetValidationError && message.test(e.message),
      );
      assert.deepEqual(records, []);
    });
  }

  const PORTS_RULE = "ports: one list for every exporting member; portsByMember: exporting member name → its list";
  const refusals: Array<[string, (fleet: Fleet) => Partial<MultiClusterServiceArgs>, FieldViolation[]]> = [
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
      "both ports and portsByMember",
      () => ({ portsByMember: { c2: KIND_KUARD.ports, c3: KIND_KUARD.ports } }),
      [{ path: "ports", message: `ports and portsByMember are both given: give exactly one of them (${PORTS_RULE})` }],
    ],
    [
      "neither ports nor portsByMember",
      () => ({ ports: undefined }),
      [{ path: "ports", message: `ports is required: give exactly one of ports and portsByMember (${PORTS_RULE})` }],
    ],
  ];
  for (const [sentence, more, violations] of refusals) {
    it(`refuses ${sentence}, naming it, before registering anything`, () => {
      const records: RecordedResource[] = [];
      let refusal: unknown;
      try {
        new MultiClusterService("kuard", { fleet, ...KIND_KUARD, ...more(fleet) }, { transformations: [recorder(records)] });
      } catch (error) {
        refusal = error;
      }
      assert.ok(refusal instanceof FleetValidationError, String(refusal));
      assert.deepEqual(refusal.violations, violations);
      assert.deepEqual(records, []);
    });
  }

  it("accepts a system namespace it does not create (createNamespace: false)", () => {
    const records: RecordedResource[] = [];
    new MultiClusterService(
      "kuard-system",
      { fleet, ...KIND_KUARD, serviceName: "kuard-system", namespace: "kube-system", createNamespace: false },
      { transformations: [recorder(records)] },
    );
    assert.deepEqual(
      records.filter((r) => r.type === "kubernetes:core/v1:Namespace"),
      [],
    );
  });

  it("refuses a kind ingress member whose Cilium cannot announce (no kube-proxy replacement)", async () => {
    const { fleet: noKpr, records } = await deploy("demo", { ...KIND, cilium: { version: "1.20.0", kubeProxyReplacement: false } });
    assert.equal("l2announcements" in named(records, "demo-c1-cilium").inputs.values, false);
    assert.throws(
      () => new MultiClusterService("kuard", { fleet: noKpr, ...KIND_KUARD }),
      /ingressMember "c1" cannot announce a LoadBalancer address: Cilium L2 announcements need kube-proxy replacement/,
    );
  });

  it("refuses a loadBalancerPool that overlaps the pod pool, before registering anything", async () => {
    await useMocks(true);
    const records: RecordedResource[] = [];
    assert.throws(
      () => new Fleet("demo", { ...KIND, loadBalancerPool: "10.0.0.0/24" }, { transformations: [recorder(records)] }),
      (e: unknown) =>
        e instanceof FleetValidationError &&
        /loadBalancerPool: loadBalancerPool "10\.0\.0\.0\/24" overlaps podCidrPool "10\.0\.0\.0\/9"/.test(e.message),
    );
    assert.deepEqual(records, []);
  });
});
