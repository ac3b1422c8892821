import { strict as assert } from "assert";
import {
  DEFAULT_LOAD_BALANCER_POOL,
  ingressAnnouncementManifest,
  ingressPoolManifest,
  loadBalancerPoolViolations,
  pinnedIngressMetadata,
  pinnedLoadBalancerAddress,
} from "../../components/core/cilium/load-balancer-pool";

const POOLS = { podCidrPool: "10.0.0.0/9", serviceCidrPool: "10.128.0.0/12" };

describe("pinnedLoadBalancerAddress", () => {
  const cases: Array<[string, number, { address?: string; problem?: RegExp }]> = [
    [DEFAULT_LOAD_BALANCER_POOL, 1, { address: "172.18.255.1" }],
    [DEFAULT_LOAD_BALANCER_POOL, 7, { address: "172.18.255.7" }],
    [DEFAULT_LOAD_BALANCER_POOL, 254, { address: "172.18.255.254" }],
    ["172.18.254.0/23", 255, { address: "172.18.254.255" }],
    ["172.18.254.0/23", 510, { address: "172.18.255.254" }],
    ["192.168.50.64/26", 3, { address: "192.168.50.67" }],
    [
      DEFAULT_LOAD_BALANCER_POOL,
      255,
      {
        problem:
          /cluster id 255 maps to 172\.18\.255\.255, the last address of the pool .* holds the addresses of cluster ids 1\.\.254; give the fleet a larger loadBalancerPool/,
      },
    ],
    [
      "192.168.50.64/26",
      70,
      {
        problem:
          /cluster id 70 maps to an address outside the pool: loadBalancerPool "192\.168\.50\.64\/26" holds the addresses of cluster ids 1\.\.62/,
      },
    ],
    [DEFAULT_LOAD_BALANCER_POOL, 0, { problem: /cluster id 0 must be a positive integer/ }],
  ];
  for (const [pool, id, expected] of cases) {
    it(`cluster id ${id} in ${pool} → ${expected.address ?? "refused"}`, () => {
      const result = pinnedLoadBalancerAddress(pool, id);
      if (expected.address) assert.deepEqual(result, { address: expected.address });
      else assert.match(result.problem ?? "", expected.problem!);
    });
  }
});

describe("loadBalancerPoolViolations", () => {
  it("accepts the default and any disjoint IPv4 CIDR up to a /30", () => {
    for (const pool of [DEFAULT_LOAD_BALANCER_POOL, "192.168.50.0/30", "172.18.254.0/23"])
      assert.deepEqual(loadBalancerPoolViolations(pool, POOLS), []);
  });
  const cases: Array<[string, unknown, RegExp]> = [
    ["a malformed CIDR", "172.18.255.0", /loadBalancerPool "172\.18\.255\.0" is not a valid IPv4 CIDR: the prefix length is missing/],
    ["host bits", "172.18.255.1/24", /host bits are set/],
    ["a pool too small", "172.18.255.0/31", /loadBalancerPool "172\.18\.255\.0\/31" is too small: give a \/30 or larger/],
    [
      "an overlap with the pod pool",
      "10.1.0.0/24",
      /loadBalancerPool "10\.1\.0\.0\/24" overlaps podCidrPool "10\.0\.0\.0\/9": LoadBalancer addresses must not collide/,
    ],
    ["an overlap with the service pool", "10.128.0.0/24", /overlaps serviceCidrPool "10\.128\.0\.0\/12"/],
  ];
  for (const [sentence, pool, message] of cases) {
    it(`refuses ${sentence}`, () => {
      const [violation, ...rest] = loadBalancerPoolViolations(pool, POOLS);
      assert.deepEqual(rest, []);
      assert.equal(violation.path, "loadBalancerPool");
      assert.match(violation.message, message);
    });
  }
});

describe("the ingress pool objects", () => {
  it("a pool holding only the pinned address, for ingress Services only", () => {
    assert.deepEqual(ingressPoolManifest("172.18.255.1"), {
      apiVersion: "cilium.io/v2alpha1",
      kind: "CiliumLoadBalancerIPPool",
      metadata: { name: "fleetmesh-ingress" },
      spec: {
        blocks: [{ start: "172.18.255.1", stop: "172.18.255.1" }],
        serviceSelector: { matchLabels: { "fleetmesh.io/ingress": "true" } },
      },
    });
  });

  it("an L2 announcement policy for the ingress Services' LoadBalancer addresses on eth0", () => {
    assert.deepEqual(ingressAnnouncementManifest(), {
      apiVersion: "cilium.io/v2alpha1",
      kind: "CiliumL2AnnouncementPolicy",
      metadata: { name: "fleetmesh-ingress" },
      spec: { serviceSelector: { matchLabels: { "fleetmesh.io/ingress": "true" } }, loadBalancerIPs: true, interfaces: ["^eth0$"] },
    });
  });

  it("the Service asks LB-IPAM for the pinned address, shared between the member's ingress Services", () => {
    assert.deepEqual(pinnedIngressMetadata("172.18.255.1"), {
      annotations: { "lbipam.cilium.io/ips": "172.18.255.1", "lbipam.cilium.io/sharing-key": "fleetmesh-ingress" },
      labels: { "fleetmesh.io/ingress": "true" },
    });
  });
});
