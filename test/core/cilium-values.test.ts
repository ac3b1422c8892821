import { strict as assert } from "assert";
import fc from "fast-check";
import { SchemaNode, SchemaVersion, chartValuesValidator, loadChartSchema, schemaVersionFor } from "../support/chart-schema";
import { CiliumClusterMeshInput, CiliumValuesInput, HelmValues, buildCiliumValues } from "../../components/core/cilium/cilium-values";
import { memberApiserver, memberCiliumValuesInput, memberPeers } from "../../components/core/fleet/member-cilium";
import { FleetDeclaration, MemberDeclarationFacts, allocateFleet, planFleet } from "../../components/core/fleet/plan-fleet";

// ---------------------------------------------------------------------------------------------
// Fixtures: a kind member, an existing (kubeconfig) member and an AKS BYOCNI member, without and
// with their own clustermesh-apiserver. Peers are not an input of the values at all (they are the
// peer config objects of peer-config.ts), so "in a mesh" and "running an apiserver" are the same here.
// ---------------------------------------------------------------------------------------------

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const CA = {
  certPemBase64: b64("-----BEGIN CERTIFICATE-----\nMIIBfleetmeshtestca\n-----END CERTIFICATE-----\n"),
  keyPemBase64: b64("-----BEGIN EC PRIVATE KEY-----\nMHcfleetmeshtestkey\n-----END EC PRIVATE KEY-----\n"),
};

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

const withApiserver = (input: CiliumValuesInput, clustermesh: CiliumClusterMeshInput): CiliumValuesInput => ({ ...input, clustermesh });
const KIND_APISERVER = withApiserver(KIND, { apiserverService: { type: "NodePort", nodePort: 32380 }, advertisedIps: ["172.18.0.2"] });
const KUBECONFIG_APISERVER = withApiserver(KUBECONFIG, {
  apiserverService: { type: "LoadBalancer", loadBalancerIP: "192.168.50.10" },
  advertisedIps: ["192.168.50.10"],
});
const AKS_APISERVER = withApiserver(AKS, {
  apiserverService: { type: "LoadBalancer", loadBalancerIP: "10.224.0.200" },
  advertisedIps: ["10.224.0.200"],
});

const atVersion = (input: CiliumValuesInput, version: string): CiliumValuesInput => ({ ...input, version });

/** Expected values are literals here, independent of the module's constants. */
const CRONJOB_CERTS = { enabled: true, method: "cronJob", certValidityDuration: 1095, schedule: "0 0 1 */4 *" };
const TLS_CA = { ca: { cert: CA.certPemBase64, key: CA.keyPemBase64 } };

// The three members without an apiserver, spelled out in full.
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

/**
 * Charts 1.16–1.18 render an empty `clustermesh-remote-users` whatever `config.enabled` says, so the
 * apiserver is pointed at fleetmesh's own users ConfigMap (the last `--cluster-users-config-path` wins).
 */
const REMOTE_USERS_1_18 = {
  extraArgs: ["--cluster-users-config-path=/var/lib/fleetmesh/remote-users/users.yaml"],
  extraVolumes: [{ name: "fleetmesh-remote-users", configMap: { name: "fleetmesh-remote-users", defaultMode: 0o400 } }],
  extraVolumeMounts: [{ name: "fleetmesh-remote-users", mountPath: "/var/lib/fleetmesh/remote-users", readOnly: true }],
};

/** The whole `clustermesh` value of a member running an apiserver on chart 1.18: only the service and its own IPs differ. */
const apiserverValues = (service: HelmValues, ips: string[]): HelmValues => ({
  maxConnectedClusters: 255,
  policyDefaultLocalCluster: true,
  useAPIServer: true,
  apiserver: {
    kvstoremesh: { enabled: true },
    service,
    tls: { authMode: "cluster", auto: CRONJOB_CERTS, server: { extraIpAddresses: ips } },
    ...REMOTE_USERS_1_18,
  },
  config: { enabled: false },
});

/** [short label, sentence, input, the whole expected values]. */
const EXPECTED: Array<[string, string, CiliumValuesInput, HelmValues]> = [
  [
    "a kind member alone",
    "a kind member without an apiserver takes kind's pod CIDR, replaces kube-proxy and pins the defaults",
    KIND,
    KIND_ALONE,
  ],
  [
    "a kubeconfig member alone",
    "a kubeconfig member without an apiserver gets its own cluster-pool and keeps kube-proxy",
    KUBECONFIG,
    KUBECONFIG_ALONE,
  ],
  ["an AKS BYOCNI member alone", "an AKS BYOCNI member without an apiserver turns on aksbyocni with its own cluster-pool", AKS, AKS_ALONE],
  [
    "a kind member with its apiserver",
    "a kind member exposes its apiserver on a NodePort, with its node IP as a server SAN, and no peers",
    KIND_APISERVER,
    { ...KIND_ALONE, clustermesh: apiserverValues({ type: "NodePort", nodePort: 32380 }, ["172.18.0.2"]) },
  ],
  [
    "a kubeconfig member with its apiserver",
    "a kubeconfig member pins its LoadBalancer IP, which is also its server SAN, and no peers",
    KUBECONFIG_APISERVER,
    { ...KUBECONFIG_ALONE, clustermesh: apiserverValues({ type: "LoadBalancer", loadBalancerIP: "192.168.50.10" }, ["192.168.50.10"]) },
  ],
  [
    "an AKS BYOCNI member with its apiserver",
    "an AKS BYOCNI member gets an internal LoadBalancer, its IP as a server SAN, and no peers",
    AKS_APISERVER,
    {
      ...AKS_ALONE,
      clustermesh: apiserverValues(
        {
          type: "LoadBalancer",
          loadBalancerIP: "10.224.0.200",
          annotations: { "service.beta.kubernetes.io/azure-load-balancer-internal": "true" },
        },
        ["10.224.0.200"],
      ),
    },
  ],
];
const INPUTS = EXPECTED.map(([, , input]) => input);

/** The whole `clustermesh` value of KIND_APISERVER on each chart version. */
const KIND_SERVICE = { type: "NodePort", nodePort: 32380 };
const KIND_SANS = { extraIpAddresses: ["172.18.0.2"] };
/** Charts 1.16 and 1.17: no policyDefaultLocalCluster key, fleetmesh's own users ConfigMap. */
const BEFORE_POLICY_KEY: HelmValues = {
  maxConnectedClusters: 255,
  useAPIServer: true,
  apiserver: {
    kvstoremesh: { enabled: true },
    service: KIND_SERVICE,
    tls: { authMode: "cluster", auto: CRONJOB_CERTS, server: KIND_SANS },
    ...REMOTE_USERS_1_18,
  },
  config: { enabled: false },
};
const PER_VERSION: Array<[string, HelmValues]> = [
  ["1.16.19", BEFORE_POLICY_KEY],
  ["1.17.18", BEFORE_POLICY_KEY],
  [
    "1.18.12",
    {
      maxConnectedClusters: 255,
      policyDefaultLocalCluster: true,
      useAPIServer: true,
      apiserver: {
        kvstoremesh: { enabled: true },
        service: KIND_SERVICE,
        tls: { authMode: "cluster", auto: CRONJOB_CERTS, server: KIND_SANS },
        ...REMOTE_USERS_1_18,
      },
      config: { enabled: false },
    },
  ],
  [
    // 1.19 renders `clustermesh-remote-users` only with config.enabled: fleetmesh writes the chart's own name, no extra volume.
    "1.19.6",
    {
      maxConnectedClusters: 255,
      policyDefaultLocalCluster: true,
      useAPIServer: true,
      apiserver: {
        kvstoremesh: { enabled: true },
        service: KIND_SERVICE,
        tls: { authMode: "cluster", auto: CRONJOB_CERTS, server: KIND_SANS },
      },
      config: { enabled: false },
    },
  ],
  [
    // 1.20 reads the extra SANs under tls.auto.server (templates/clustermesh-apiserver/_helpers.tpl).
    "1.20.0",
    {
      maxConnectedClusters: 255,
      policyDefaultLocalCluster: true,
      defaultGlobalNamespace: true,
      useAPIServer: true,
      apiserver: {
        kvstoremesh: { enabled: true },
        service: KIND_SERVICE,
        tls: { authMode: "cluster", auto: { ...CRONJOB_CERTS, server: KIND_SANS } },
      },
      config: { enabled: false },
    },
  ],
];

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

// ---------------------------------------------------------------------------------------------

describe("buildCiliumValues", () => {
  describe("whole values for chart 1.18.12", () => {
    for (const [, sentence, input, expected] of EXPECTED) {
      it(sentence, () => {
        assert.deepStrictEqual(buildCiliumValues(input), expected);
      });
    }
  });

  describe("whole clustermesh values per chart version", () => {
    for (const [version, expected] of PER_VERSION) {
      it(`chart ${version}: a member's own apiserver, no peers, the SANs under the version's key${"extraArgs" in (expected.apiserver as HelmValues) ? ", and fleetmesh's users ConfigMap" : ""}`, () => {
        assert.deepStrictEqual(buildCiliumValues(atVersion(KIND_APISERVER, version)), {
          ...KIND_ALONE,
          clustermesh: expected,
        });
      });
    }

    it("accepts the image-tag spelling of a version and gives the same values", () => {
      assert.deepStrictEqual(
        buildCiliumValues(atVersion(KIND_APISERVER, "v1.20.0")),
        buildCiliumValues(atVersion(KIND_APISERVER, "1.20.0")),
      );
    });
  });

  describe("the real chart schemas", () => {
    const schemas = { "1.18.12": loadChartSchema("1.18.12"), "1.20.0": loadChartSchema("1.20.0") };
    const validators = { "1.18.12": chartValuesValidator("1.18.12"), "1.20.0": chartValuesValidator("1.20.0") };
    // The 1.18.12 schema stands for the 1.16–1.18 target range, 1.20.0 for 1.19–1.20 (test/support/upstream/README.md).
    const targets: Array<[string, SchemaVersion]> = [
      ["1.16.19", "1.18.12"],
      ["1.17.18", "1.18.12"],
      ["1.18.12", "1.18.12"],
      ["1.19.6", "1.20.0"],
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

    it("would catch the 1.20 place of the server SANs on 1.18 (the key walk has teeth)", () => {
      const values = { clustermesh: { apiserver: { tls: { auto: { server: { extraIpAddresses: ["172.18.0.2"] } } } } } };
      assert.deepEqual(undeclaredPaths(values, schemas["1.18.12"]), ["clustermesh.apiserver.tls.auto.server"]);
    });

    it("would catch a malformed clustermesh.config.enabled (the validator has teeth)", () => {
      assert.equal(validators["1.18.12"]({ clustermesh: { config: { enabled: "false" } } }), false);
    });
  });

  describe("per-version differences", () => {
    const versions = ["1.16.0", "1.16.19", "1.17.18", "1.18.0", "1.18.12", "1.19.6", "1.20.0", "v1.20.3"];
    const hasPolicyKey = (version: string) => !/^v?1\.1[67]\./.test(version);
    const hasGlobalNamespaceKey = (version: string) => /^v?1\.20\./.test(version);

    for (const version of versions) {
      it(`chart ${version} ${hasPolicyKey(version) ? "pins" : "has no"} policyDefaultLocalCluster and ${hasGlobalNamespaceKey(version) ? "pins" : "has no"} defaultGlobalNamespace`, () => {
        const mesh = buildCiliumValues(atVersion(KIND_APISERVER, version)).clustermesh as HelmValues;
        assert.equal("policyDefaultLocalCluster" in mesh, hasPolicyKey(version));
        assert.equal("defaultGlobalNamespace" in mesh, hasGlobalNamespaceKey(version));
        if (hasPolicyKey(version)) assert.equal(mesh.policyDefaultLocalCluster, true);
        if (hasGlobalNamespaceKey(version)) assert.equal(mesh.defaultGlobalNamespace, true);
      });

      it(`chart ${version} leaves the peers to the peer config objects: config disabled, no clusters, no removed keys`, () => {
        const mesh = buildCiliumValues(atVersion(KIND_APISERVER, version)).clustermesh as HelmValues;
        assert.deepStrictEqual(mesh.config, { enabled: false });
        assert.equal("enableMCSAPISupport" in mesh, false);
      });
    }

    it("honours an explicit policyDefaultLocalCluster and defaultGlobalNamespace where the keys exist", () => {
      const input: CiliumValuesInput = {
        ...atVersion(KIND_APISERVER, "1.20.0"),
        policyDefaultLocalCluster: false,
        clustermesh: { ...KIND_APISERVER.clustermesh!, defaultGlobalNamespace: false },
      };
      const mesh = buildCiliumValues(input).clustermesh as HelmValues;
      assert.equal(mesh.policyDefaultLocalCluster, false);
      assert.equal(mesh.defaultGlobalNamespace, false);
    });

    it("rolls the agent, operator and clustermesh-apiserver pods exactly when a 1.20 member's namespace scope leaves the default", () => {
      const scoped = (version: string, defaultGlobalNamespace: boolean | undefined) => {
        const values = buildCiliumValues({
          ...atVersion(KIND_APISERVER, version),
          clustermesh: { ...KIND_APISERVER.clustermesh!, ...(defaultGlobalNamespace !== undefined && { defaultGlobalNamespace }) },
        });
        const mesh = values.clustermesh as { apiserver: HelmValues };
        return [values.podAnnotations, (values.operator as HelmValues | undefined)?.podAnnotations, mesh.apiserver.podAnnotations];
      };
      const annotation = { "fleetmesh.io/clustermesh-default-global-namespace": "false" };
      assert.deepEqual(
        [scoped("1.20.0", false), scoped("1.20.0", true), scoped("1.20.0", undefined), scoped("1.19.6", false)],
        [
          [annotation, annotation, annotation],
          [undefined, undefined, undefined],
          [undefined, undefined, undefined],
          [undefined, undefined, undefined],
        ],
      );
    });

    it("treats defaultGlobalNamespace as a no-op before 1.20", () => {
      const input: CiliumValuesInput = {
        ...KIND_APISERVER,
        clustermesh: { ...KIND_APISERVER.clustermesh!, defaultGlobalNamespace: false },
      };
      assert.deepStrictEqual(buildCiliumValues(input), buildCiliumValues(KIND_APISERVER));
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
        withApiserver(AKS, {
          apiserverService: {
            type: "LoadBalancer",
            annotations: { "service.beta.kubernetes.io/azure-load-balancer-internal": "false", team: "net" },
          },
        }),
      );
      const service = ((values.clustermesh as HelmValues).apiserver as HelmValues).service;
      assert.deepEqual(service, {
        type: "LoadBalancer",
        annotations: { "service.beta.kubernetes.io/azure-load-balancer-internal": "false", team: "net" },
      });
    });

    const tlsCases: Array<[string, string, string[] | undefined, HelmValues]> = [
      [
        "writes no server SANs while the member's own IPs are not known (a LoadBalancer without a pinned IP)",
        "1.18.12",
        undefined,
        { authMode: "cluster", auto: CRONJOB_CERTS },
      ],
      ["writes no server SANs for an empty IP list", "1.20.0", [], { authMode: "cluster", auto: CRONJOB_CERTS }],
      [
        "writes every advertised IP, IPv6 included, as a server SAN on 1.19",
        "1.19.6",
        ["192.168.60.1", "192.168.60.2", "fd00:10::5"],
        { authMode: "cluster", auto: CRONJOB_CERTS, server: { extraIpAddresses: ["192.168.60.1", "192.168.60.2", "fd00:10::5"] } },
      ],
      [
        "writes every advertised IP, IPv6 included, under tls.auto.server on 1.20",
        "1.20.0",
        ["192.168.60.1", "fd00:10::5"],
        { authMode: "cluster", auto: { ...CRONJOB_CERTS, server: { extraIpAddresses: ["192.168.60.1", "fd00:10::5"] } } },
      ],
    ];
    for (const [sentence, version, advertisedIps, tls] of tlsCases) {
      it(sentence, () => {
        const input = withApiserver(atVersion(KUBECONFIG, version), {
          apiserverService: { type: "LoadBalancer" },
          ...(advertisedIps !== undefined && { advertisedIps }),
        });
        const apiserver = (buildCiliumValues(input).clustermesh as HelmValues).apiserver as HelmValues;
        assert.deepStrictEqual(apiserver.tls, tls);
      });
    }

    for (const version of ["1.16.0", "1.17.18", "1.18.12", "1.19.6", "1.20.0"]) {
      it(`chart ${version}: turns on L2 announcements for a kind member with kube-proxy replacement, and nothing else changes`, () => {
        const values = buildCiliumValues({ ...atVersion(KIND_APISERVER, version), l2announcements: true });
        assert.deepEqual(values.l2announcements, { enabled: true });
        const { l2announcements: _, ...rest } = values;
        assert.deepStrictEqual(rest, buildCiliumValues(atVersion(KIND_APISERVER, version)));
        const validate = chartValuesValidator(schemaVersionFor(version));
        assert.ok(validate(values), JSON.stringify(validate.errors));
      });
    }

    it("emits no l2announcements key when they are off", () => {
      assert.equal("l2announcements" in buildCiliumValues({ ...KIND, l2announcements: false }), false);
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
      ["cluster id 0 with an apiserver", { ...KIND_APISERVER, clusterId: 0 }, /clusterId 0 must be an integer in 1\.\.255/],
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
        "an advertised IP that is not an IP",
        { ...KIND_APISERVER, clustermesh: { ...KIND_APISERVER.clustermesh!, advertisedIps: ["172.18.0.2", "c1.example"] } },
        /^buildCiliumValues: CiliumValuesInput\.clustermesh\.advertisedIps\[1\] "c1\.example" must be an IP address$/,
      ],
      [
        "a NodePort out of range",
        { ...KIND_APISERVER, clustermesh: { apiserverService: { type: "NodePort", nodePort: 70000 } } },
        /^buildCiliumValues: CiliumValuesInput\.clustermesh\.apiserverService\.nodePort 70000 must be an integer in 1\.\.65535$/,
      ],
      [
        "an apiserver Service of another type",
        {
          ...KIND_APISERVER,
          clustermesh: { apiserverService: { type: "ClusterIP" } as unknown as CiliumClusterMeshInput["apiserverService"] },
        },
        /^buildCiliumValues: CiliumValuesInput\.clustermesh\.apiserverService\.type "ClusterIP" must be "NodePort" or "LoadBalancer"$/,
      ],
      [
        "a bad loadBalancerIP",
        withApiserver(AKS, { apiserverService: { type: "LoadBalancer", loadBalancerIP: "internal" } }),
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

    it("has no peers to check: the input type has no peer list, and one passed anyway is ignored", () => {
      // Checked by tsc: a `peers` key on either input type makes this line fail to compile.
      const noPeers: "peers" extends keyof CiliumClusterMeshInput | keyof CiliumValuesInput ? never : true = true;
      assert.equal(noPeers, true);
      // Peer checks live in peerConfig (test/core/peer-config.test.ts); a stray `peers` changes nothing.
      const stray = { ...KIND_APISERVER.clustermesh!, peers: [{ name: "c1", port: 0 }] } as CiliumClusterMeshInput;
      assert.deepStrictEqual(buildCiliumValues({ ...KIND_APISERVER, clustermesh: stray }), buildCiliumValues(KIND_APISERVER));
    });
  });

  describe("values do not depend on peers", () => {
    // A universe of members, each with a fixed way of being reached; two random mesh layouts over it.
    // Every member's values are built the way Member does (member.ts): memberApiserver and
    // memberCiliumValuesInput over planFleet's PlannedMember and allocateFleet's allocation. The
    // mesh's defaultGlobalNamespace is a setting of the mesh, not of its peers: left at its default here.
    type Shape = "kind" | "kubeconfig-lb" | "kubeconfig-nodeport" | "byocni-lb";
    const shapeArb = fc.constantFrom<Shape>("kind", "kubeconfig-lb", "kubeconfig-nodeport", "byocni-lb");
    const layoutArb = fc.constantFrom(undefined, "east", "west");
    const universeArb = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/), { minLength: 1, maxLength: 10 }).chain((names) =>
      fc.record({
        members: fc.tuple(...names.map((name) => fc.tuple(fc.constant(name), shapeArb))),
        before: fc.array(layoutArb, { minLength: names.length, maxLength: names.length }),
        after: fc.array(layoutArb, { minLength: names.length, maxLength: names.length }),
        version: fc.constantFrom("1.16.19", "1.17.18", "1.18.12", "1.19.6", "1.20.0"),
      }),
    );

    const declare = (name: string, shape: Shape, index: number, mesh: string | undefined): MemberDeclarationFacts => {
      const labels: Record<string, string> = mesh ? { mesh } : {};
      const ip = `192.168.${Math.floor(index / 200)}.${(index % 200) + 10}`;
      if (shape === "kind") return { name, kind: {}, hasKubeconfig: false, labels };
      if (shape === "kubeconfig-lb") return { name, hasKubeconfig: true, labels, meshEndpoint: { loadBalancerIP: ip } };
      if (shape === "kubeconfig-nodeport")
        return { name, hasKubeconfig: true, labels, meshEndpoint: { serviceType: "NodePort", ips: [ip] } };
      return { name, aks: { networkPlugin: "none" }, hasKubeconfig: false, labels, meshEndpoint: { loadBalancerIP: ip } };
    };
    const fleet = (members: Array<[string, Shape]>, layout: Array<string | undefined>, version: string): FleetDeclaration => ({
      name: "demo",
      azureFleet: false,
      ownerStack: "org.proj.dev",
      cilium: { version },
      members: members.map(([name, shape], i) => declare(name, shape, i, layout[i])),
      meshes: ["east", "west"].map((mesh) => ({ name: mesh, memberSelector: { matchLabels: { mesh } } })),
    });
    /** Per member: its values, and its peers (to show the layouts do differ). */
    const build = (declaration: FleetDeclaration) => {
      const plan = planFleet(declaration);
      assert.deepStrictEqual(plan.violations, []);
      const { allocations, violations } = allocateFleet(plan, undefined, false);
      assert.deepStrictEqual(violations, []);
      const nodeAddresses = Object.fromEntries(plan.members.map((m, i) => [m.name, m.kind ? `172.18.0.${i + 2}` : undefined]));
      return Object.fromEntries(
        plan.members.map((member) => {
          const mesh = plan.meshes.find((m) => m.name === member.mesh);
          const allocation = allocations[member.name];
          const apiserver = member.apiserver
            ? memberApiserver(member, allocation, nodeAddresses[member.name], mesh?.defaultGlobalNamespace)
            : undefined;
          const values = buildCiliumValues(memberCiliumValuesInput(member, plan.cilium, allocation, CA, apiserver));
          const peers = memberPeers(member, mesh, plan.members, allocations, nodeAddresses);
          return [member.name, { values, peers }];
        }),
      );
    };

    it("gives every member the same values whatever mesh it is in and whoever its peers are", () => {
      let peersDiffered = 0;
      fc.assert(
        fc.property(universeArb, ({ members, before, after, version }) => {
          const one = build(fleet(members, before, version));
          const two = build(fleet(members, after, version));
          for (const [name] of members) {
            assert.deepStrictEqual(two[name].values, one[name].values, name);
            if (JSON.stringify(two[name].peers) !== JSON.stringify(one[name].peers)) peersDiffered++;
          }
        }),
      );
      assert.ok(peersDiffered > 0, "the layouts never changed anyone's peers: the property was vacuous");
    });

    it("gives kind, kubeconfig and AKS BYOCNI members with a known endpoint an apiserver, with the same values in or out of a mesh", () => {
      const members: Array<[string, Shape]> = [
        ["c1", "kind"],
        ["dc", "kubeconfig-lb"],
        ["np", "kubeconfig-nodeport"],
        ["az", "byocni-lb"],
      ];
      const alone = build(fleet(members, [undefined, undefined, undefined, undefined], "1.18.12"));
      const meshed = build(fleet(members, ["east", "east", "east", "east"], "1.18.12"));
      const apiserverOf = (values: HelmValues) => ((values.clustermesh as HelmValues).apiserver as HelmValues | undefined)?.service;
      assert.deepStrictEqual(Object.fromEntries(Object.entries(alone).map(([name, built]) => [name, apiserverOf(built.values)])), {
        az: {
          type: "LoadBalancer",
          loadBalancerIP: "192.168.0.13",
          annotations: { "service.beta.kubernetes.io/azure-load-balancer-internal": "true" },
        },
        c1: { type: "NodePort", nodePort: 30000 },
        dc: { type: "LoadBalancer", loadBalancerIP: "192.168.0.11" },
        np: { type: "NodePort", nodePort: 30001 },
      });
      for (const name of ["az", "c1", "dc", "np"]) assert.deepStrictEqual(meshed[name].values, alone[name].values, name);
      assert.deepStrictEqual(
        meshed.c1.peers.map((peer) => peer.name),
        ["az", "dc", "np"],
      );
    });
  });
});
