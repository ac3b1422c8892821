import { strict as assert } from "assert";
import { ClusterMesh, Fleet, FleetArgs, FleetValidationError } from "../../components";
import { chartValuesValidator, schemaVersionFor } from "../support/chart-schema";
import { allocateFleet } from "../../components/core/fleet/plan-fleet";
import { memberPeers } from "../../components/core/fleet/member-cilium";
import { parse } from "yaml";
import { RecordedResource, aksMember, deploy, infoLog, isKnown, named, ofType, recorder, settle, useMocks, dependsOnOf } from "./harness";
import { MESH_PROGRAM } from "../../components/core/azure/azure-mesh-commands";

const HANDOVER_ANNOTATIONS = { "helm.sh/resource-policy": "keep", "pulumi.com/patchForce": "true" };
const decode = (base64: string) => parse(Buffer.from(base64, "base64").toString("utf8"));

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

    const filesOf = (member: string, object: string) => {
      const data = named(records, `demo-${member}-${object}`).inputs.data as Record<string, string>;
      return object === "remote-users" ? data : Object.fromEntries(Object.entries(data).map(([k, v]) => [k, decode(v)]));
    };

    it("writes every member's peers beside its release, never itself, with the peers' NodePorts and node IPs", async () => {
      const state = (await settle(fleet.state))!;
      const addresses = Object.fromEntries(
        await Promise.all(Object.entries(fleet.members).map(async ([n, m]) => [n, await settle(m.nodeAddress)])),
      );
      const certs = (prefix: string) => ({
        "trusted-ca-file": `/var/lib/cilium/clustermesh/${prefix}etcd-client-ca.crt`,
        "key-file": `/var/lib/cilium/clustermesh/${prefix}etcd-client.key`,
        "cert-file": `/var/lib/cilium/clustermesh/${prefix}etcd-client.crt`,
      });
      // 1.20 resolves <peer>.mesh.cilium.io from the file itself; before, the peer's IP is dialled (and in its certificate).
      const remote = (n: string) =>
        version.startsWith("1.20")
          ? {
              endpoints: [`https://${n}.mesh.cilium.io:${state.members[n].nodePort}`],
              ...certs("common-"),
              "cilium-host-aliases": [{ hostname: `${n}.mesh.cilium.io`, ips: [addresses[n]] }],
            }
          : { endpoints: [`https://${addresses[n]}:${state.members[n].nodePort}`], ...certs("common-") };
      for (const member of ["c1", "c2", "c3"]) {
        const others = ["c1", "c2", "c3"].filter((n) => n !== member);
        assert.deepEqual(
          [
            filesOf(member, "clustermesh-peers"),
            filesOf(member, "kvstoremesh-peers"),
            parse(filesOf(member, "remote-users")["users.yaml"]),
          ],
          [
            Object.fromEntries(
              others.map((n) => [n, { endpoints: ["https://clustermesh-apiserver.kube-system.svc:2379"], ...certs("local-") }]),
            ),
            Object.fromEntries(others.map((n) => [n, remote(n)])),
            { users: others.map((n) => ({ name: `remote-${n}`, role: "remote" })) },
          ],
          member,
        );
      }
    });

    it("registers the peer objects as children of their member, through its provider, in kube-system, before its release", () => {
      const users = version.startsWith("1.20") ? "clustermesh-remote-users" : "fleetmesh-remote-users";
      for (const member of ["c1", "c2", "c3"]) {
        const objects = ["clustermesh-peers", "kvstoremesh-peers", "remote-users"].map((o) => named(records, `demo-${member}-${o}`));
        assert.deepEqual(
          objects.map((o) => [o.type, o.inputs.metadata.namespace, o.inputs.metadata.name, o.inputs.metadata.annotations]),
          [
            ["kubernetes:core/v1:SecretPatch", "kube-system", "cilium-clustermesh", HANDOVER_ANNOTATIONS],
            ["kubernetes:core/v1:SecretPatch", "kube-system", "cilium-kvstoremesh", HANDOVER_ANNOTATIONS],
            ["kubernetes:core/v1:ConfigMapPatch", "kube-system", users, HANDOVER_ANNOTATIONS],
          ],
        );
        for (const object of objects) {
          assert.equal(object.parent, fleet.members[member]);
          assert.equal(object.provider, fleet.members[member].provider);
        }
        const order = records.map((r) => r.name);
        assert.ok(order.indexOf(`demo-${member}-remote-users`) < order.indexOf(`demo-${member}-cilium`), "peer objects first");
      }
    });

    it("keeps peers out of the Helm values: the member's own apiserver only, its server certificate covering its own address", async () => {
      const state = (await settle(fleet.state))!;
      for (const member of ["c1", "c2", "c3"]) {
        const clustermesh = valuesOf(member).clustermesh;
        const address = await settle(fleet.members[member].nodeAddress);
        const tls = clustermesh.apiserver.tls;
        const sans = version.startsWith("1.20") ? tls.auto.server.extraIpAddresses : tls.server.extraIpAddresses;
        assert.deepEqual(
          [clustermesh.useAPIServer, clustermesh.config, clustermesh.apiserver.service, tls.authMode, sans],
          [true, { enabled: false }, { type: "NodePort", nodePort: state.members[member].nodePort }, "cluster", [address]],
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

describe("ClusterMesh declared as its own component over a fleet", () => {
  const unmeshed = (names: string[], labels: (n: string) => Record<string, string> = () => ({ mesh: "demo" })): FleetArgs => ({
    members: Object.fromEntries(names.map((n) => [n, { kind: {}, labels: labels(n) }])),
  });
  const peerData = (records: RecordedResource[]) =>
    ofType(records, "kubernetes:core/v1:SecretPatch")
      .concat(ofType(records, "kubernetes:core/v1:ConfigMapPatch"))
      .map((r) => [r.name, r.inputs.data])
      .sort();

  it("writes the same peers, Helm values and fleet state as the same mesh in FleetArgs.meshes", async () => {
    const inArgs = await deploy("demo", {
      ...unmeshed(["c1", "c2", "c3"]),
      meshes: { demo: { memberSelector: { matchLabels: { mesh: "demo" } } } },
    });
    let standalone: ClusterMesh | undefined;
    const alone = await deploy("demo", unmeshed(["c1", "c2", "c3"]), {
      alongside: (fleet, transformations) => {
        standalone = new ClusterMesh("demo", { fleet, memberSelector: { matchLabels: { mesh: "demo" } } }, { transformations });
      },
    });
    const releases = (records: RecordedResource[]) => ofType(records, "kubernetes:helm.sh/v3:Release").map((r) => r.inputs.values);
    assert.deepEqual(
      [peerData(alone.records), releases(alone.records), await settle(alone.fleet.state)],
      [peerData(inArgs.records), releases(inArgs.records), await settle(inArgs.fleet.state)],
    );
    assert.deepEqual([standalone!.members, alone.fleet.meshes.demo === standalone], [["c1", "c2", "c3"], true]);
  });

  const refusals: Array<[string, FleetArgs, (fleet: Fleet) => void, RegExp]> = [
    [
      "a member already in a FleetArgs mesh",
      { ...unmeshed(["c1", "c2"]), meshes: { a: { memberSelector: { matchLabels: { mesh: "demo" } } } } },
      (fleet) => new ClusterMesh("b", { fleet, memberSelector: { matchLabels: { mesh: "demo" } } }),
      /ClusterMesh "b".*memberSelector: .*selects member "c1", which mesh "a" also selects: a member belongs to at most one mesh/s,
    ],
    [
      "a mesh name the fleet already has",
      { ...unmeshed(["c1", "c2"]), meshes: { a: { memberSelector: { matchLabels: { mesh: "other" } } } } },
      (fleet) => new ClusterMesh("x", { fleet, meshName: "a", memberSelector: { matchLabels: { mesh: "demo" } } }),
      /ClusterMesh "x".*meshName.*"a" already has its ClusterMesh component/s,
    ],
    [
      "a mesh without a member selector",
      unmeshed(["c1"]),
      (fleet) => new ClusterMesh("x", { fleet }),
      /ClusterMesh "x".*memberSelector.*is required/s,
    ],
  ];
  for (const [what, args, declare, message] of refusals) {
    it(`refuses ${what} before registering it`, async () => {
      await useMocks(false, {});
      const records: RecordedResource[] = [];
      const fleet = new Fleet("demo", args, { transformations: [recorder(records)] });
      assert.throws(
        () => declare(fleet),
        (e: unknown) => e instanceof FleetValidationError && message.test(e.message),
      );
      await fleet.ready;
      assert.deepEqual(ofType(records, "fleetmesh:index:ClusterMesh").length, Object.keys(args.meshes ?? {}).length);
    });
  }

  it("refuses an AKS-managed member meshed with a kind member, as in FleetArgs.meshes", async () => {
    await useMocks(true, {});
    const aks = {
      resourceGroupName: "rg",
      location: "l",
      virtualNetwork: { name: "v", resourceGroupName: "rg" },
      nodeSubnetCidr: "10.200.0.0/24",
    };
    const fleet = new Fleet("mixed", {
      azureFleet: { resourceGroupName: "rg", location: "l" },
      members: { k: { kind: {}, labels: { m: "x" } }, a: { aks, labels: { m: "x" } } },
    });
    assert.throws(
      () => new ClusterMesh("x", { fleet, memberSelector: { matchLabels: { m: "x" } } }),
      (e: unknown) => e instanceof FleetValidationError && /ClusterMesh "x"/.test(e.message) && /AKS-managed/.test(e.message),
    );
  });

  it("refuses a mesh declared after another component planned with the fleet's meshes, saying where to declare it", async () => {
    await useMocks(false, {});
    const fleet = new Fleet("read", unmeshed(["c1", "c2"]));
    assert.deepEqual(Object.keys(fleet.meshes), []); // what a CrossClusterPolicy or MultiClusterService reads of the fleet
    assert.throws(
      () => new ClusterMesh("read", { fleet, memberSelector: { matchLabels: { mesh: "demo" } } }),
      (e: unknown) =>
        e instanceof FleetValidationError &&
        /already planned with fleet "read"'s meshes: declare every ClusterMesh over a fleet before the services, policies and placements/.test(
          e.message,
        ),
    );
    await fleet.ready;
  });

  it("refuses a mesh declared after the fleet has planned its members, saying where to declare it", async () => {
    await useMocks(false, {});
    const fleet = new Fleet("late", unmeshed(["c1", "c2"]));
    await fleet.ready;
    assert.throws(
      () => new ClusterMesh("late", { fleet, memberSelector: { matchLabels: { mesh: "demo" } } }),
      (e: unknown) =>
        e instanceof FleetValidationError &&
        /already planned its members: declare every ClusterMesh in the same synchronous part/.test(e.message),
    );
  });
});

describe("ClusterMesh peer objects in a preview", () => {
  it("know their names while the kind node addresses their data needs are not known yet (a patch needs its name in Check)", async () => {
    const { records } = await deploy("first", kindMesh("1.18.12"), { preview: true });
    const patches = records.filter((r) => r.type === "kubernetes:core/v1:SecretPatch" || r.type === "kubernetes:core/v1:ConfigMapPatch");
    const known = await Promise.all(patches.map(async (r) => [r.name, await isKnown(r.props.metadata), await isKnown(r.props.data)]));
    assert.deepEqual(
      known,
      ["c1", "c2", "c3"].flatMap((m) =>
        ["clustermesh-peers", "kvstoremesh-peers", "remote-users"].map((o) => [`first-${m}-${o}`, true, false]),
      ),
    );
  });
});

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
        "2 existing members: no Helm upgrade, no pod restart; 3 in-place writes each: Secret cilium-clustermesh (+c3; 257 → 514 bytes), " +
          "Secret cilium-kvstoremesh (+c3; 243 → 486 bytes), ConfigMap fleetmesh-remote-users (+remote-c3; 44 → 81 bytes)",
      ].join("\n"),
    );
  });
});

describe("ClusterMesh of AKS members with AKS-managed Cilium (Azure Fleet)", () => {
  const aks = (name: string) => aksMember(name === "e1" ? 1 : 2, { labels: { mesh: "prod" } }, { kubernetesVersion: "1.33" });
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

  it("one Command owns the profile's applies: it reconciles in place when the selected members change, and tears down on delete", () => {
    const apply = named(records, "az-prod-apply");
    assert.deepEqual(
      [apply.inputs.create, apply.inputs.update, apply.inputs.delete, apply.inputs.stdin, apply.inputs.environment, apply.inputs.triggers],
      [
        "node - reconcile",
        "node - reconcile",
        "node - teardown",
        MESH_PROGRAM,
        {
          FLEETMESH_AZ_SUBSCRIPTION: "sub-1",
          FLEETMESH_AZ_RESOURCE_GROUP: "fleet-rg",
          FLEETMESH_AZ_FLEET: "hub",
          FLEETMESH_MESH_PROFILE: "prod",
          FLEETMESH_MESH_SELECTOR: "mesh=prod",
          FLEETMESH_MESH_MEMBERS: "e1,e2",
        },
        undefined,
      ],
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

  it("registers no per-member detach Command, and no ARM FleetMember, outside the hand-over run", () => {
    assert.deepEqual(
      records.filter((r) => r.name.endsWith("-detach") || r.type === "azure-native:resources:Resource").map((r) => r.name),
      ["az-prod-profile"],
    );
  });

  it("in the hand-over run (retireArmFleetMembers), registers each member's detach Command of earlier versions with nothing to run on delete, and its ARM FleetMember retained", async () => {
    const { records: handing } = await deploy("az", {
      azureFleet: { resourceGroupName: "fleet-rg", location: "eastus2", fleetName: "hub", retireArmFleetMembers: true },
      members: { e1: aks("e1"), e2: aks("e2") },
      meshes: { prod: { memberSelector: { matchLabels: { mesh: "prod" } } } },
    });
    const detach = named(handing, "az-prod-e1-detach");
    const arm = named(handing, "az-e1-fleet-member", "azure-native:resources:Resource");
    assert.deepEqual(
      [detach.inputs, await dependsOnOf(detach), arm.opts.retainOnDelete, await dependsOnOf(arm)],
      [{ create: "true" }, [], true, [named(handing, "az-e1-fleet-member", "command:local:Command").resource]],
    );
    assert.deepEqual(arm.inputs.properties.labels, { mesh: "prod" });
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
    assert.deepEqual(
      [refusal, ofType(records, "kubernetes:helm.sh/v3:Release").length, ofType(records, "kubernetes:core/v1:SecretPatch").length],
      [undefined, 255, 510],
    );
    const { allocations } = allocateFleet(fleet.plan, undefined, false);
    const addresses = Object.fromEntries(fleet.plan.members.map((m, i) => [m.name, `172.18.1.${i}`]));
    for (const member of fleet.plan.members) {
      const peers = memberPeers(member, fleet.plan.meshes[0], fleet.plan.members, allocations, addresses);
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
