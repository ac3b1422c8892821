import { strict as assert } from "assert";
import { Fleet, FleetArgs, FleetValidationError } from "../../components";
import { chartValuesValidator, schemaVersionFor } from "../support/chart-schema";
import { allocateFleet } from "../../components/core/fleet/plan-fleet";
import { memberClusterMesh } from "../../components/core/fleet/member-cilium";
import { RecordedResource, deploy, infoLog, named, ofType, recorder, settle, useMocks, dependsOnOf } from "./harness";

const kindMesh = (version: string, names = ["c1", "c2", "c3"]): FleetArgs => ({
  cilium: { version },
  members: Object.fromEntries(names.map((n) => [n, { kind: {}, labels: { mesh: "demo" } }])),
  meshes: { demo: { memberSelector: { matchLabels: { mesh: "demo" } }, defaultGlobalNamespace: false, globalNamespaces: ["rebel-base"] } },
});

for (const version of ["1.18.12", "1.20.0"]) {
  describe(`ClusterMesh of three kind members (Cilium ${version})`, () => {
    let records: RecordedResource[];
    let fleet: Fleet;
    before(async () => ({ fleet, records } = await deploy("demo", kindMesh(version))));

    const valuesOf = (member: string) => named(records, `demo-${member}-cilium`).inputs.values as Record<string, any>;

    it("registers one ClusterMesh under the fleet, listing the selected members", () => {
      const mesh = named(records, "demo-demo", "fleetmesh:index:ClusterMesh");
      assert.equal(mesh.parent, fleet);
      assert.deepEqual(fleet.meshes.demo.members, ["c1", "c2", "c3"]);
    });

    it("gives every member the full peer list, never itself, with the peers' NodePorts and node IPs", async () => {
      const state = (await settle(fleet.state))!;
      const addresses = Object.fromEntries(
        await Promise.all(Object.entries(fleet.members).map(async ([n, m]) => [n, await settle(m.nodeAddress)])),
      );
      for (const member of ["c1", "c2", "c3"]) {
        const clustermesh = valuesOf(member).clustermesh;
        const others = ["c1", "c2", "c3"].filter((n) => n !== member);
        assert.deepEqual(
          clustermesh.config.clusters,
          others.map((n) => ({ name: n, port: state.members[n].nodePort, ips: [addresses[n]] })),
          member,
        );
        assert.deepEqual(
          [clustermesh.useAPIServer, clustermesh.config.enabled, clustermesh.apiserver.service],
          [true, true, { type: "NodePort", nodePort: state.members[member].nodePort }],
        );
      }
    });

    it("keeps one CA and unique ids across the mesh, and the values pass the chart schema", () => {
      const all = ["c1", "c2", "c3"].map(valuesOf);
      assert.equal(new Set(all.map((v) => v.tls.ca.cert)).size, 1);
      assert.equal(new Set(all.map((v) => v.cluster.id)).size, 3);
      const validate = chartValuesValidator(schemaVersionFor(version));
      for (const values of all) assert.ok(validate(values), JSON.stringify(validate.errors));
    });

    it("pins whether namespaces are global where the chart has the key, and annotates the listed ones on every member", () => {
      assert.equal(valuesOf("c1").clustermesh.defaultGlobalNamespace, version.startsWith("1.20") ? false : undefined);
      const namespaces = ofType(records, "kubernetes:core/v1:Namespace");
      assert.deepEqual(
        namespaces.map((n) => [n.name, n.inputs.metadata]).sort(),
        ["c1", "c2", "c3"].map((m) => [
          `demo-demo-${m}-rebel-base`,
          { name: "rebel-base", annotations: { "clustermesh.cilium.io/global": "true" } },
        ]),
      );
      for (const namespace of namespaces) assert.equal(namespace.provider, fleet.members[namespace.name.split("-")[2]].provider);
    });

    it("remembers the mesh membership for the next run", async () => {
      assert.deepEqual((await settle(fleet.state))!.meshes, { demo: { members: ["c1", "c2", "c3"] } });
    });
  });
}

describe("ClusterMesh what-if", () => {
  it("shows Add for a joining member and Keep for the others, with what it touches", async () => {
    const first = await deploy("grow", kindMesh("1.18.12", ["c1", "c2"]));
    const previous = { growFleetState: await settle(first.fleet.state) };
    await deploy("grow", kindMesh("1.18.12", ["c1", "c2", "c3"]), { preview: true, previous });
    const table = infoLog.find((line) => line.startsWith("ClusterMesh demo"));
    assert.equal(
      table,
      [
        "ClusterMesh demo (cilium): 3 members",
        "ACTION  NAME  CLUSTER-ID  ADDRESS           MESH-MEMBERSHIP-STATE",
        "Keep    c1    1           (known after up)  Connected",
        "Keep    c2    2           (known after up)  Connected",
        "Add     c3    3           (known after up)  Connecting",
        "existing members: only clustermesh-apiserver restarts (its peer list and hostAliases change); Cilium agents keep running",
      ].join("\n"),
    );
  });
});

describe("ClusterMesh of AKS members with AKS-managed Cilium (Azure Fleet)", () => {
  const aks = (name: string) => ({
    aks: {
      resourceGroupName: "rg",
      location: "eastus2",
      kubernetesVersion: "1.33",
      virtualNetwork: { name: "v", resourceGroupName: "rg" },
      nodeSubnetCidr: `10.200.${name === "e1" ? 1 : 2}.0/24`,
    },
    labels: { mesh: "prod" },
  });
  let records: RecordedResource[];
  before(
    async () =>
      ({ records } = await deploy("az", {
        azureFleet: { resourceGroupName: "fleet-rg", location: "eastus2", fleetName: "hub" },
        members: { e1: aks("e1"), e2: aks("e2") },
        meshes: { prod: { memberSelector: { matchLabels: { mesh: "prod" } } } },
      })),
  );

  it("registers the ClusterMeshProfile through the generic ARM resource at the preview API", async () => {
    const profile = named(records, "az-prod-profile");
    assert.deepEqual(profile.inputs, {
      resourceProviderNamespace: "Microsoft.ContainerService",
      parentResourcePath: "fleets/hub",
      resourceType: "clusterMeshProfiles",
      resourceName: "prod",
      apiVersion: "2026-03-02-preview",
      resourceGroupName: "fleet-rg",
      properties: { memberSelector: { byLabel: "mesh=prod" } },
    });
    assert.deepEqual(await dependsOnOf(profile), [
      named(records, "az-e1-fleet-member").resource,
      named(records, "az-e2-fleet-member").resource,
    ]);
  });

  it("re-applies the profile in place when the selected members change, and tears down by selecting nobody", () => {
    const apply = named(records, "az-prod-apply");
    const applyProfile = "az fleet clustermeshprofile apply --resource-group fleet-rg --fleet-name hub --name prod";
    assert.deepEqual(
      [apply.inputs.create, apply.inputs.update, apply.inputs.environment, apply.inputs.triggers],
      [applyProfile, applyProfile, { FLEETMESH_MESH_SELECTOR: "mesh=prod", FLEETMESH_MESH_MEMBERS: "e1,e2" }, undefined],
    );
    assert.match(
      apply.inputs.delete,
      /clustermeshprofile create .* --member-selector fleetmesh\.io\/mesh-teardown=prod && az fleet clustermeshprofile apply .* list-members/,
    );
  });

  it("applies only after every member's VNet grant (their internal load balancers need it)", async () => {
    const apply = named(records, "az-prod-apply");
    const grants = ["e1", "e2"].map((m) => named(records, `az-${m}-vnet-access`).resource);
    assert.deepEqual(await dependsOnOf(apply), [
      named(records, "az-prod-profile").resource,
      named(records, "az-e1-fleet-member").resource,
      named(records, "az-e2-fleet-member").resource,
      ...grants,
    ]);
  });

  it("detaches a leaving member by removing only its own mesh label, read at delete time", async () => {
    const detach = named(records, "az-prod-e1-detach");
    assert.match(
      detach.inputs.delete,
      /^labels=\$\(az resource show --ids \S+ --api-version 2026-03-02-preview --query properties.labels -o json \| node -e /,
    );
    assert.match(
      detach.inputs.delete,
      / 'mesh' 'prod' 'e1'\) && \{ \[ -z "\$labels" \] \|\| eval "az fleet member update --resource-group fleet-rg --fleet-name hub --name e1 --labels \$labels"; \} && az fleet clustermeshprofile apply /,
    );
    assert.deepEqual(await dependsOnOf(detach), [named(records, "az-e1-fleet-member").resource, named(records, "az-prod-apply").resource]);
  });

  it("grants each member's cluster identity Network Contributor on the shared VNet for the internal load balancer", () => {
    const grant = named(records, "az-e1-vnet-access");
    assert.deepEqual(grant.inputs, {
      scope: "/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v",
      principalId: "e1-principal",
      principalType: "ServicePrincipal",
      roleDefinitionId: "/subscriptions/sub-1/providers/Microsoft.Authorization/roleDefinitions/4d97b98b-1d4f-4787-a291-c67834d212e7",
    });
  });

  it("installs no Cilium of its own: AKS owns it", () => {
    assert.deepEqual(ofType(records, "kubernetes:helm.sh/v3:Release"), []);
  });
});

describe("ClusterMesh refusals", () => {
  const cases: Array<[string, FleetArgs, RegExp]> = [
    [
      "a member selected by two meshes",
      {
        members: { c1: { kind: {}, labels: { a: "1", b: "1" } } },
        meshes: { one: { memberSelector: { matchLabels: { a: "1" } } }, two: { memberSelector: { matchLabels: { b: "1" } } } },
      },
      /c1/,
    ],
    [
      "a kubeconfig member without a mesh endpoint",
      { members: { dc: { kubeconfig: "x", labels: { m: "x" } } }, meshes: { x: { memberSelector: { matchLabels: { m: "x" } } } } },
      /members\.dc\.meshEndpoint/,
    ],
    [
      "an AKS-managed member meshed with a kind member",
      {
        azureFleet: { resourceGroupName: "rg", location: "l" },
        members: {
          k: { kind: {}, labels: { m: "x" } },
          a: {
            aks: {
              resourceGroupName: "rg",
              location: "l",
              kubernetesVersion: "1.33",
              virtualNetwork: { name: "v", resourceGroupName: "rg" },
              nodeSubnetCidr: "10.200.0.0/24",
            },
            labels: { m: "x" },
          },
        },
        meshes: { x: { memberSelector: { matchLabels: { m: "x" } } } },
      },
      /meshes\.x/,
    ],
  ];
  for (const [name, args, pattern] of cases) {
    it(`refuses ${name} before registering anything`, async () => {
      await useMocks(false);
      const records: RecordedResource[] = [];
      assert.throws(
        () => new Fleet("bad", args, { transformations: [recorder(records)] }),
        (e: unknown) => e instanceof FleetValidationError && pattern.test(e.message),
      );
      assert.deepEqual(records, []);
    });
  }
});

describe("ClusterMesh size limits", function () {
  this.timeout(300_000);
  const members = (count: number) =>
    Object.fromEntries(Array.from({ length: count }, (_, i) => [`m${i + 1}`, { kind: {}, labels: { mesh: "big" } }]));
  const big = (count: number, maxConnectedClusters?: 255 | 511): FleetArgs => ({
    members: members(count),
    maxConnectedClusters,
    meshes: { big: { memberSelector: { matchLabels: { mesh: "big" } } } },
  });

  it("accepts a 255-member mesh, every member listing the 254 others", async () => {
    // The preview registers every resource without serialising 255 peer lists of 254 entries through
    // the SDK; the lists themselves are checked through the same pure functions the members call.
    const { fleet, records, refusal } = await deploy("big", big(255), { preview: true });
    assert.deepEqual([refusal, ofType(records, "kubernetes:helm.sh/v3:Release").length], [undefined, 255]);
    const { allocations } = allocateFleet(fleet.plan, undefined, false);
    const addresses = Object.fromEntries(fleet.plan.members.map((m, i) => [m.name, `172.18.1.${i}`]));
    for (const member of fleet.plan.members) {
      const peers = memberClusterMesh(member, fleet.plan.meshes[0], fleet.plan.members, allocations, addresses).peers;
      assert.deepEqual(
        peers.map((p) => p.name),
        fleet.plan.meshes[0].members.filter((m) => m !== member.name),
        member.name,
      );
    }
  });

  it("refuses a 256th member at the default maxConnectedClusters, naming the limit", async () => {
    await useMocks(true);
    assert.throws(
      () => new Fleet("big", big(256)),
      (e: unknown) => e instanceof FleetValidationError && /255/.test(e.message) && /256/.test(e.message),
    );
  });
});
