import { strict as assert } from "assert";
import fc from "fast-check";
import { SchemaNode, SchemaVersion, chartValuesValidator, loadChartSchema, schemaVersionFor } from "../support/chart-schema";
import { CiliumPeer, CiliumValuesInput, HelmValues, buildCiliumValues, peersOf } from "../../components/core/cilium/cilium-values";

// ---------------------------------------------------------------------------------------------
// Fixtures: a kind member, an existing (kubeconfig) member and an AKS BYOCNI member, alone and
// joined in one 3-member mesh.
// ---------------------------------------------------------------------------------------------

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const CA = {
  certPemBase64: b64("-----BEGIN CERTIFICATE-----\nMIIBfleetmeshtestca\n-----END CERTIFICATE-----\n"),
  keyPemBase64: b64("-----BEGIN EC PRIVATE KEY-----\nMHcfleetmeshtestkey\n-----END EC PRIVATE KEY-----\n"),
};

/** Where each member's clustermesh-apiserver is reached (every member's peers are the other two). */
const MESH: CiliumPeer[] = [
  { name: "c1", port: 32380, ips: ["172.18.0.2"] },
  { name: "dc", port: 2379, ips: ["192.168.50.10"] },
  { name: "az", port: 2379, ips: ["10.224.0.200"] },
];

const KIND: CiliumValuesInput = {
  version: "1.18.12",
  clusterName: "c1",
  clusterId: 1,
  maxConnectedClusters: 255,
  provisioner: "kind",
  podCidr: "10.1.0.0/16",
  ca: CA,
  kubeProxyReplacement: true,
  k8sServiceHost: "c1-control-plane",
  k8sServicePort: 6443,
};
const KUBECONFIG: CiliumValuesInput = {
  version: "1.18.12",
  clusterName: "dc",
  clusterId: 2,
  maxConnectedClusters: 255,
  provisioner: "kubeconfig",
  podCidr: "10.2.0.0/16",
  ca: CA,
  kubeProxyReplacement: false,
};
const AKS: CiliumValuesInput = {
  version: "1.18.12",
  clusterName: "az",
  clusterId: 3,
  maxConnectedClusters: 255,
  provisioner: "aks",
  podCidr: "10.3.0.0/16",
  ca: CA,
  kubeProxyReplacement: true,
  k8sServiceHost: "az-dns-1a2b3c.hcp.westeurope.azmk8s.io",
  k8sServicePort: 443,
};

const meshed = (
  input: CiliumValuesInput,
  apiserverService: NonNullable<CiliumValuesInput["clustermesh"]>["apiserverService"],
): CiliumValuesInput => ({
  ...input,
  clustermesh: { apiserverService, peers: peersOf(input.clusterName, MESH) },
});
const KIND_MESHED = meshed(KIND, { type: "NodePort", nodePort: 32380 });
const KUBECONFIG_MESHED = meshed(KUBECONFIG, { type: "LoadBalancer", loadBalancerIP: "192.168.50.10" });
const AKS_MESHED = meshed(AKS, { type: "LoadBalancer", loadBalancerIP: "10.224.0.200" });

const atVersion = (input: CiliumValuesInput, version: string): CiliumValuesInput => ({ ...input, version });

/** Expected values are literals here, independent of the module's constants. */
const CRONJOB_CERTS = { enabled: true, method: "cronJob", certValidityDuration: 1095, schedule: "0 0 1 */4 *" };
const TLS_CA = { ca: { cert: CA.certPemBase64, key: CA.keyPemBase64 } };

// The three members outside any mesh, spelled out in full.
const KIND_ALONE: HelmValues = {
  cluster: { name: "c1", id: 1 },
  tls: TLS_CA,
  ipam: { mode: "kubernetes" },
  routingMode: "tunnel",
  tunnelProtocol: "vxlan",
  kubeProxyReplacement: true,
  k8sServiceHost: "c1-control-plane",
  k8sServicePort: 6443,
  hubble: { tls: { auto: CRONJOB_CERTS } },
  clustermesh: { maxConnectedClusters: 255, policyDefaultLocalCluster: true },
};
const KUBECONFIG_ALONE: HelmValues = {
  cluster: { name: "dc", id: 2 },
  tls: TLS_CA,
  ipam: { mode: "cluster-pool", operator: { clusterPoolIPv4PodCIDRList: ["10.2.0.0/16"] } },
  routingMode: "tunnel",
  tunnelProtocol: "vxlan",
  kubeProxyReplacement: false,
  hubble: { tls: { auto: CRONJOB_CERTS } },
  clustermesh: { maxConnectedClusters: 255, policyDefaultLocalCluster: true },
};
const AKS_ALONE: HelmValues = {
  cluster: { name: "az", id: 3 },
  tls: TLS_CA,
  ipam: { mode: "cluster-pool", operator: { clusterPoolIPv4PodCIDRList: ["10.3.0.0/16"] } },
  aksbyocni: { enabled: true },
  routingMode: "tunnel",
  tunnelProtocol: "vxlan",
  kubeProxyReplacement: true,
  k8sServiceHost: "az-dns-1a2b3c.hcp.westeurope.azmk8s.io",
  k8sServicePort: 443,
  hubble: { tls: { auto: CRONJOB_CERTS } },
  clustermesh: { maxConnectedClusters: 255, policyDefaultLocalCluster: true },
};

/** The whole `clustermesh` value of a mesh member: everything but the service and the peers is the same. */
const meshValues = (service: HelmValues, clusters: HelmValues[]): HelmValues => ({
  maxConnectedClusters: 255,
  policyDefaultLocalCluster: true,
  useAPIServer: true,
  apiserver: { kvstoremesh: { enabled: true }, service, tls: { authMode: "cluster", auto: CRONJOB_CERTS } },
  config: { enabled: true, clusters },
});
const PEER_C1 = { name: "c1", port: 32380, ips: ["172.18.0.2"] };
const PEER_DC = { name: "dc", port: 2379, ips: ["192.168.50.10"] };
const PEER_AZ = { name: "az", port: 2379, ips: ["10.224.0.200"] };

/** [short label, sentence, input, the whole expected values]. */
const EXPECTED: Array<[string, string, CiliumValuesInput, HelmValues]> = [
  [
    "a kind member alone",
    "a kind member outside any mesh takes kind's pod CIDR, replaces kube-proxy and pins the defaults",
    KIND,
    KIND_ALONE,
  ],
  [
    "a kubeconfig member alone",
    "a kubeconfig member outside any mesh gets its own cluster-pool and keeps kube-proxy",
    KUBECONFIG,
    KUBECONFIG_ALONE,
  ],
  ["an AKS BYOCNI member alone", "an AKS BYOCNI member outside any mesh turns on aksbyocni with its own cluster-pool", AKS, AKS_ALONE],
  [
    "a kind member in the mesh",
    "a kind member in a 3-member mesh exposes a NodePort and lists the two other members",
    KIND_MESHED,
    { ...KIND_ALONE, clustermesh: meshValues({ type: "NodePort", nodePort: 32380 }, [PEER_AZ, PEER_DC]) },
  ],
  [
    "a kubeconfig member in the mesh",
    "a kubeconfig member in a 3-member mesh pins its LoadBalancer IP and lists the two other members",
    KUBECONFIG_MESHED,
    { ...KUBECONFIG_ALONE, clustermesh: meshValues({ type: "LoadBalancer", loadBalancerIP: "192.168.50.10" }, [PEER_AZ, PEER_C1]) },
  ],
  [
    "an AKS BYOCNI member in the mesh",
    "an AKS BYOCNI member in a 3-member mesh gets an internal LoadBalancer and lists the two other members",
    AKS_MESHED,
    {
      ...AKS_ALONE,
      clustermesh: meshValues(
        {
          type: "LoadBalancer",
          loadBalancerIP: "10.224.0.200",
          annotations: { "service.beta.kubernetes.io/azure-load-balancer-internal": "true" },
        },
        [PEER_C1, PEER_DC],
      ),
    },
  ],
];
const INPUTS = EXPECTED.map(([, , input]) => input);

// The chart schemas: see test/support/chart-schema.ts.

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Dotted paths of `values` that the schema does not declare (free-form objects and arrays end the walk). */
function undeclaredPaths(values: Record<string, unknown>, node: SchemaNode, prefix = ""): string[] {
  return Object.entries(values).flatMap(([key, value]) => {
    const child = node.properties?.[key];
    const here = `${prefix}${key}`;
    if (!child) return [here];
    return isPlainObject(value) && child.properties ? undeclaredPaths(value, child, `${here}.`) : [];
  });
}

function clusterNames(values: HelmValues): string[] {
  const clusters = ((values.clustermesh as HelmValues).config as HelmValues).clusters as Array<{ name: string }>;
  return clusters.map((entry) => entry.name);
}

// ---------------------------------------------------------------------------------------------

describe("buildCiliumValues", () => {
  describe("whole values for chart 1.18.12", () => {
    for (const [, sentence, input, expected] of EXPECTED) {
      it(sentence, () => {
        assert.deepStrictEqual(buildCiliumValues(input), expected);
      });
    }
  });

  describe("the real chart schemas", () => {
    const schemas = { "1.18.12": loadChartSchema("1.18.12"), "1.20.0": loadChartSchema("1.20.0") };
    const validators = { "1.18.12": chartValuesValidator("1.18.12"), "1.20.0": chartValuesValidator("1.20.0") };
    // The 1.18.12 schema stands for the 1.16–1.18 target range (test/support/upstream/README.md).
    const targets: Array<[string, SchemaVersion]> = [
      ["1.16.19", "1.18.12"],
      ["1.17.18", "1.18.12"],
      ["1.18.12", "1.18.12"],
      ["1.20.0", "1.20.0"],
    ];

    for (const [version, schemaVersion] of targets) {
      for (const [label, , input] of EXPECTED) {
        it(`chart ${version}: the values of ${label} validate against the ${schemaVersion} schema`, () => {
          const validate = validators[schemaVersion];
          assert.ok(validate(buildCiliumValues(atVersion(input, version))), JSON.stringify(validate.errors));
        });
      }
    }

    // values.yaml leaves tls.auto.schedule unset up to 1.19 (cilium/cilium install/kubernetes/cilium/
    // templates/clustermesh-apiserver/tls-cronjob/cronjob.yaml reads it), so the
    // generated 1.18.12 schema does not list it; 1.20 sets a default and the schema has it.
    const knownUndeclared: Record<SchemaVersion, string[]> = { "1.18.12": ["clustermesh.apiserver.tls.auto.schedule"], "1.20.0": [] };
    for (const schemaVersion of ["1.18.12", "1.20.0"] as const) {
      it(`emits only keys that the ${schemaVersion} schema declares`, () => {
        for (const input of INPUTS) {
          const paths = undeclaredPaths(buildCiliumValues(atVersion(input, schemaVersion)), schemas[schemaVersion]);
          assert.deepEqual(
            paths.filter((p) => !knownUndeclared[schemaVersion].includes(p)),
            [],
            input.clusterName,
          );
        }
      });
    }

    it("would catch the map form of clustermesh.config.clusters on 1.18 (the check has teeth)", () => {
      assert.equal(validators["1.18.12"]({ clustermesh: { config: { clusters: { c2: { port: 2379 } } } } }), false);
    });
  });

  describe("per-version differences", () => {
    const versions = ["1.16.0", "1.16.19", "1.17.18", "1.18.0", "1.18.12", "1.19.6", "1.20.0", "v1.20.3"];
    const hasPolicyKey = (version: string) => !/^v?1\.1[67]\./.test(version);
    const hasGlobalNamespaceKey = (version: string) => /^v?1\.20\./.test(version);

    for (const version of versions) {
      it(`chart ${version} ${hasPolicyKey(version) ? "pins" : "has no"} policyDefaultLocalCluster and ${hasGlobalNamespaceKey(version) ? "pins" : "has no"} defaultGlobalNamespace`, () => {
        const mesh = buildCiliumValues(atVersion(KIND_MESHED, version)).clustermesh as HelmValues;
        assert.equal("policyDefaultLocalCluster" in mesh, hasPolicyKey(version));
        assert.equal("defaultGlobalNamespace" in mesh, hasGlobalNamespaceKey(version));
        if (hasPolicyKey(version)) assert.equal(mesh.policyDefaultLocalCluster, true);
        if (hasGlobalNamespaceKey(version)) assert.equal(mesh.defaultGlobalNamespace, true);
      });

      it(`chart ${version} gets the list form of the peer list and no removed or per-peer TLS keys`, () => {
        const mesh = buildCiliumValues(atVersion(KIND_MESHED, version)).clustermesh as HelmValues;
        assert.ok(Array.isArray((mesh.config as HelmValues).clusters));
        assert.equal("enableMCSAPISupport" in mesh, false);
        for (const entry of (mesh.config as HelmValues).clusters as HelmValues[]) {
          assert.deepEqual(Object.keys(entry).sort(), ["ips", "name", "port"]);
        }
      });
    }

    it("honours an explicit policyDefaultLocalCluster and defaultGlobalNamespace where the keys exist", () => {
      const input: CiliumValuesInput = {
        ...atVersion(KIND_MESHED, "1.20.0"),
        policyDefaultLocalCluster: false,
        clustermesh: { ...KIND_MESHED.clustermesh!, defaultGlobalNamespace: false },
      };
      const mesh = buildCiliumValues(input).clustermesh as HelmValues;
      assert.equal(mesh.policyDefaultLocalCluster, false);
      assert.equal(mesh.defaultGlobalNamespace, false);
    });

    it("treats defaultGlobalNamespace as a no-op before 1.20", () => {
      const input: CiliumValuesInput = { ...KIND_MESHED, clustermesh: { ...KIND_MESHED.clustermesh!, defaultGlobalNamespace: false } };
      assert.deepStrictEqual(buildCiliumValues(input), buildCiliumValues(KIND_MESHED));
    });
  });

  describe("options", () => {
    it("pins native routing with the supernet, and direct node routes on kind", () => {
      const values = buildCiliumValues({ ...KIND, routingMode: "native", ipv4NativeRoutingCIDR: "10.0.0.0/12" });
      assert.deepEqual(
        {
          routingMode: values.routingMode,
          tunnelProtocol: values.tunnelProtocol,
          ipv4NativeRoutingCIDR: values.ipv4NativeRoutingCIDR,
          autoDirectNodeRoutes: values.autoDirectNodeRoutes,
        },
        { routingMode: "native", tunnelProtocol: "vxlan", ipv4NativeRoutingCIDR: "10.0.0.0/12", autoDirectNodeRoutes: true },
      );
      assert.equal(
        "autoDirectNodeRoutes" in buildCiliumValues({ ...KUBECONFIG, routingMode: "native", ipv4NativeRoutingCIDR: "10.0.0.0/12" }),
        false,
      );
    });

    it("passes geneve through", () => {
      assert.equal(buildCiliumValues({ ...KIND, tunnelProtocol: "geneve" }).tunnelProtocol, "geneve");
    });

    it("keeps a caller's AKS annotations and lets them override the internal-LB default", () => {
      const values = buildCiliumValues(
        meshed(AKS, {
          type: "LoadBalancer",
          annotations: { "service.beta.kubernetes.io/azure-load-balancer-internal": "false", team: "net" },
        }),
      );
      const service = ((values.clustermesh as HelmValues).apiserver as HelmValues).service;
      assert.deepEqual(service, {
        type: "LoadBalancer",
        annotations: { "service.beta.kubernetes.io/azure-load-balancer-internal": "false", team: "net" },
      });
    });

    it("writes a peer reached by DNS name with address instead of ips", () => {
      const input: CiliumValuesInput = {
        ...KIND,
        clustermesh: {
          apiserverService: { type: "NodePort", nodePort: 32380 },
          peers: [{ name: "c9", port: 2379, address: "c9.mesh.cilium.io" }],
        },
      };
      const clusters = ((buildCiliumValues(input).clustermesh as HelmValues).config as HelmValues).clusters as HelmValues[];
      assert.deepEqual(clusters, [{ name: "c9", port: 2379, address: "c9.mesh.cilium.io" }]);
    });

    it("sorts peers by name so the values do not depend on the order they were given in", () => {
      const forward = buildCiliumValues(KIND_MESHED);
      const reversed = buildCiliumValues({
        ...KIND_MESHED,
        clustermesh: { ...KIND_MESHED.clustermesh!, peers: [...KIND_MESHED.clustermesh!.peers].reverse() },
      });
      assert.deepStrictEqual(reversed, forward);
    });

    for (const version of ["1.16.0", "1.17.18", "1.18.12", "1.19.6", "1.20.0"]) {
      it(`chart ${version}: turns on L2 announcements for a kind member with kube-proxy replacement, and nothing else changes`, () => {
        const values = buildCiliumValues({ ...atVersion(KIND_MESHED, version), l2announcements: true });
        assert.deepEqual(values.l2announcements, { enabled: true });
        const { l2announcements: _, ...rest } = values;
        assert.deepStrictEqual(rest, buildCiliumValues(atVersion(KIND_MESHED, version)));
        const validate = chartValuesValidator(schemaVersionFor(version));
        assert.ok(validate(values), JSON.stringify(validate.errors));
      });
    }

    it("emits no l2announcements key when they are off", () => {
      assert.equal("l2announcements" in buildCiliumValues({ ...KIND, l2announcements: false }), false);
    });

    it("accepts a 1-member mesh with an empty peer list", () => {
      const values = buildCiliumValues({ ...KIND, clustermesh: { apiserverService: { type: "NodePort", nodePort: 32380 }, peers: [] } });
      assert.deepEqual(clusterNames(values), []);
    });
  });

  describe("programmer errors", () => {
    const bad: Array<[string, CiliumValuesInput, RegExp]> = [
      ["an unsupported chart version", atVersion(KIND, "1.15.19"), /CiliumValuesInput\.version: "1\.15\.19" is not supported/],
      ["a malformed chart version", atVersion(KIND, "1.18"), /CiliumValuesInput\.version: "1\.18" is not a Cilium chart version/],
      [
        "kube-proxy replacement without k8sServiceHost",
        { ...KIND, k8sServiceHost: undefined },
        /k8sServiceHost is required when kubeProxyReplacement is true/,
      ],
      [
        "kube-proxy replacement without k8sServicePort",
        { ...KIND, k8sServicePort: undefined },
        /k8sServicePort is required when kubeProxyReplacement is true/,
      ],
      ["a k8sServicePort without a host", { ...KUBECONFIG, k8sServicePort: 6443 }, /k8sServicePort is given without k8sServiceHost/],
      [
        "a cluster name over 32 characters",
        { ...KIND, clusterName: "a".repeat(33) },
        /clusterName "a{33}" must not be more than 32 characters/,
      ],
      ["a cluster name with capitals", { ...KIND, clusterName: "C1" }, /clusterName "C1" must consist of lower case/],
      ["the name default with a non-zero id", { ...KIND, clusterName: "default" }, /clusterName "default" cannot be used with clusterId 1/],
      ["cluster id 0 in a mesh", { ...KIND_MESHED, clusterId: 0 }, /clusterId 0 must be an integer in 1\.\.255/],
      ["a cluster id above maxConnectedClusters", { ...KIND, clusterId: 256 }, /clusterId 256 must be an integer in 0\.\.255/],
      [
        "maxConnectedClusters other than 255 or 511",
        { ...KIND, maxConnectedClusters: 300 as 255 },
        /maxConnectedClusters 300 must be 255 or 511/,
      ],
      [
        "a CA given as raw PEM instead of base64",
        { ...KIND, ca: { ...CA, certPemBase64: "-----BEGIN CERTIFICATE-----" } },
        /ca\.certPemBase64 must be the base64 encoding of a PEM certificate/,
      ],
      [
        "a CA key that is not a private key",
        { ...KIND, ca: { ...CA, keyPemBase64: CA.certPemBase64 } },
        /ca\.keyPemBase64 must be the base64 encoding of a PEM private key/,
      ],
      ["a malformed pod CIDR", { ...KIND, podCidr: "10.1.0.0/33" }, /podCidr "10\.1\.0\.0\/33" must be an IPv4 CIDR/],
      [
        "a pod CIDR with host bits",
        { ...KUBECONFIG, podCidr: "10.2.0.1/16" },
        /podCidr "10\.2\.0\.1\/16" must be an IPv4 CIDR with no host bits set/,
      ],
      [
        "a cluster-pool smaller than a node's /24",
        { ...KUBECONFIG, podCidr: "10.2.0.0/25" },
        /podCidr "10\.2\.0\.0\/25" must be a \/24 or larger/,
      ],
      [
        "native routing without ipv4NativeRoutingCIDR",
        { ...KIND, routingMode: "native" },
        /ipv4NativeRoutingCIDR is required with routingMode "native"/,
      ],
      [
        "ipv4NativeRoutingCIDR with tunnel routing",
        { ...KIND, ipv4NativeRoutingCIDR: "10.0.0.0/8" },
        /ipv4NativeRoutingCIDR is only used with routingMode "native"/,
      ],
      [
        "a native routing CIDR that misses the pod CIDR",
        { ...KIND, routingMode: "native", ipv4NativeRoutingCIDR: "10.240.0.0/12" },
        /ipv4NativeRoutingCIDR "10\.240\.0\.0\/12" must cover podCidr "10\.1\.0\.0\/16"/,
      ],
      [
        "the member itself among its peers",
        { ...KIND_MESHED, clustermesh: { ...KIND_MESHED.clustermesh!, peers: MESH } },
        /clustermesh\.peers\[0\]\.name "c1" is the member itself/,
      ],
      [
        "a peer listed twice",
        { ...KIND_MESHED, clustermesh: { ...KIND_MESHED.clustermesh!, peers: [MESH[1], MESH[1]] } },
        /clustermesh\.peers\[1\]\.name "dc" is listed twice/,
      ],
      [
        "a peer with both ips and address",
        { ...KIND_MESHED, clustermesh: { ...KIND_MESHED.clustermesh!, peers: [{ ...MESH[1], address: "dc.example" }] } },
        /clustermesh\.peers\[0\] must have exactly one of ips and address/,
      ],
      [
        "a peer with neither ips nor address",
        { ...KIND_MESHED, clustermesh: { ...KIND_MESHED.clustermesh!, peers: [{ name: "dc", port: 2379 }] } },
        /clustermesh\.peers\[0\] must have exactly one of ips and address/,
      ],
      [
        "a peer with an empty ips list",
        { ...KIND_MESHED, clustermesh: { ...KIND_MESHED.clustermesh!, peers: [{ name: "dc", port: 2379, ips: [] }] } },
        /clustermesh\.peers\[0\]\.ips must be a non-empty array/,
      ],
      [
        "a peer with a bad IP",
        { ...KIND_MESHED, clustermesh: { ...KIND_MESHED.clustermesh!, peers: [{ name: "dc", port: 2379, ips: ["10.0.0.300"] }] } },
        /clustermesh\.peers\[0\]\.ips\[0\] "10\.0\.0\.300" must be an IP address/,
      ],
      [
        "a peer with port 0",
        { ...KIND_MESHED, clustermesh: { ...KIND_MESHED.clustermesh!, peers: [{ name: "dc", port: 0, ips: ["10.0.0.1"] }] } },
        /clustermesh\.peers\[0\]\.port 0 must be an integer in 1\.\.65535/,
      ],
      [
        "a peer sharing this member's NodePort under KPR on chart 1.18",
        { ...KIND_MESHED, clustermesh: { ...KIND_MESHED.clustermesh!, peers: [{ name: "c2", port: 32380, ips: ["172.18.0.3"] }] } },
        /clustermesh\.peers\[0\]\.port 32380 equals this member's own NodePort/,
      ],
      [
        "a bad loadBalancerIP",
        meshed(AKS, { type: "LoadBalancer", loadBalancerIP: "internal" }),
        /loadBalancerIP "internal" must be an IP address/,
      ],
      [
        "L2 announcements without kube-proxy replacement",
        { ...KUBECONFIG, l2announcements: true },
        /l2announcements needs kubeProxyReplacement/,
      ],
    ];
    for (const [sentence, input, message] of bad) {
      it(`refuses ${sentence}`, () => {
        assert.throws(
          () => buildCiliumValues(input),
          (error: Error) => message.test(error.message) || assert.fail(error.message),
        );
      });
    }

    it("allows a shared NodePort from chart 1.19, where #24692 is fixed", () => {
      const input = {
        ...atVersion(KIND_MESHED, "1.19.6"),
        clustermesh: { ...KIND_MESHED.clustermesh!, peers: [{ name: "c2", port: 32380, ips: ["172.18.0.3"] }] },
      };
      assert.deepEqual(clusterNames(buildCiliumValues(input)), ["c2"]);
    });
  });

  describe("peer lists of whole meshes", () => {
    const nameArb = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?$/).filter((name) => name !== "default");
    const endpointArb = fc.record({
      port: fc.integer({ min: 1, max: 65535 }),
      ip: fc.ipV4(),
      byAddress: fc.boolean(),
    });
    const meshArb = fc.uniqueArray(fc.tuple(nameArb, endpointArb), { minLength: 1, maxLength: 12, selector: ([name]) => name });

    it("gives every member exactly the other members as peers, with their endpoints", () => {
      fc.assert(
        fc.property(meshArb, fc.constantFrom("1.16.19", "1.18.12", "1.19.6", "1.20.0"), (members, version) => {
          const mesh: CiliumPeer[] = members.map(([name, e]) =>
            e.byAddress ? { name, port: e.port, address: `${name}.mesh.cilium.io` } : { name, port: e.port, ips: [e.ip] },
          );
          mesh.forEach((self, index) => {
            const input: CiliumValuesInput = {
              ...KUBECONFIG,
              version,
              clusterName: self.name,
              clusterId: index + 1,
              clustermesh: { apiserverService: { type: "LoadBalancer" }, peers: peersOf(self.name, mesh) },
            };
            const clusters = ((buildCiliumValues(input).clustermesh as HelmValues).config as HelmValues).clusters as HelmValues[];
            const others = mesh.filter((member) => member.name !== self.name);
            assert.deepEqual(
              clusters.map((entry) => entry.name),
              others.map((member) => member.name).sort(),
            );
            assert.ok(!clusters.some((entry) => entry.name === self.name));
            for (const entry of clusters) assert.deepEqual(entry, { ...others.find((member) => member.name === entry.name) });
          });
        }),
      );
    });

    it("refuses the whole membership, self included, as a peer list", () => {
      fc.assert(
        fc.property(meshArb, (members) => {
          const mesh: CiliumPeer[] = members.map(([name, e]) => ({ name, port: e.port, ips: [e.ip] }));
          const input: CiliumValuesInput = {
            ...KUBECONFIG,
            clusterName: mesh[0].name,
            clustermesh: { apiserverService: { type: "LoadBalancer" }, peers: mesh },
          };
          assert.throws(() => buildCiliumValues(input), /is the member itself/);
        }),
      );
    });
  });
});
