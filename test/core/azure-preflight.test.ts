// The Azure preflight (components/core/azure/preflight.ts): what Azure would refuse, or label otherwise,
// about an Azure Fleet and its AKS members, decided before anything is registered.
import { strict as assert } from "assert";
import {
  AksAddressFacts,
  allocatedPodCidrViolations,
  azureLocationName,
  azurePreflightViolations,
  fleetNameProblems,
  locationProblems,
} from "../../components/core/azure/preflight";

describe("fleetNameProblems: the Fleet API's name rule, and the hub's DNS prefix", () => {
  const long = (n: number) => "f".repeat(n);
  const cases: Array<[string, string, boolean, string[]]> = [
    ["a lower-case name with a dash", "aks-fleet", true, []],
    ["63 characters without a hub", long(63), false, []],
    [
      "63 characters with a hub (its DNS prefix has at most 54)",
      long(63),
      true,
      [
        `fleet name "${long(63)}" is too long for a fleet with a hub: it is also the hub's DNS prefix, which has at most 54 characters (it has 63)`,
      ],
    ],
    [
      "64 characters",
      long(64),
      false,
      [
        `fleet name "${long(64)}" is invalid: an Azure Fleet name has 1 to 63 lower-case letters, digits or '-', and starts and ends with a letter or digit`,
      ],
    ],
    [
      "an upper-case letter",
      "Fleet",
      false,
      [
        `fleet name "Fleet" is invalid: an Azure Fleet name has 1 to 63 lower-case letters, digits or '-', and starts and ends with a letter or digit`,
      ],
    ],
    [
      "a trailing dash",
      "fleet-",
      false,
      [
        `fleet name "fleet-" is invalid: an Azure Fleet name has 1 to 63 lower-case letters, digits or '-', and starts and ends with a letter or digit`,
      ],
    ],
  ];
  for (const [name, value, hub, want] of cases) it(name, () => assert.deepEqual(fleetNameProblems(value, hub), want));
});

describe("locationProblems: regions as Azure names them", () => {
  it("accepts programmatic names and refuses display names, suggesting the Azure spelling", () => {
    assert.deepEqual(
      ["eastus2", "westus3", "East US 2", "east-us"].map((l) => locationProblems(l).map((m) => m.replace(/ \(lower-case.*on/, " …on"))),
      [
        [],
        [],
        ['location "East US 2" is not spelled as Azure names regions …on: write "eastus2"'],
        ['location "east-us" is not spelled as Azure names regions …on: write "eastus"'],
      ],
    );
    assert.equal(azureLocationName("Central India"), "centralindia");
  });
});

const facts = (extra: Partial<AksAddressFacts> = {}): AksAddressFacts => ({
  member: "east-1",
  location: "eastus2",
  addressPrefixes: ["10.10.0.0/16", "10.64.0.0/13"],
  nodeSubnetCidr: "10.10.1.0/24",
  podSubnetInVnet: true,
  ...extra,
});

describe("azurePreflightViolations: the fleet's name and location, and each AKS member's subnets in its VNet", () => {
  const cases: Array<[string, Parameters<typeof azurePreflightViolations>, Array<[string, RegExp]>]> = [
    ["a fleet and a member that fit", [{ name: "aks-fleet", nameGiven: true, hub: true, location: "eastus2" }, [facts()]], []],
    [
      "a fleet named by default after a component name Azure refuses",
      [{ name: "My_Fleet", nameGiven: false, hub: true }, []],
      [["azureFleet.fleetName", /"My_Fleet" is invalid: .* \(the fleet name defaults to the Fleet component's name\)$/]],
    ],
    [
      "the fleet's location as a display name",
      [{ name: "f", nameGiven: true, hub: false, location: "East US 2" }, []],
      [["azureFleet.location", /"East US 2"/]],
    ],
    [
      "a member's location as a display name",
      [undefined, [facts({ location: "West US 3" })]],
      [["members.east-1.aks.location", /write "westus3"/]],
    ],
    [
      "a node subnet outside the VNet's prefixes",
      [undefined, [facts({ nodeSubnetCidr: "10.30.1.0/24" })]],
      [
        [
          "members.east-1.aks.nodeSubnetCidr",
          /^nodeSubnetCidr "10\.30\.1\.0\/24" is outside the VNet's address prefixes \["10\.10\.0\.0\/16","10\.64\.0\.0\/13"\]/,
        ],
      ],
    ],
    [
      "a pinned pod CIDR outside them, with Azure CNI",
      [undefined, [facts({ podCidr: "10.72.0.0/16" })]],
      [["members.east-1.podCidr", /^podCidr "10\.72\.0\.0\/16" is outside the VNet's address prefixes/]],
    ],
    [
      "a pinned pod CIDR outside them with BYOCNI (not a VNet subnet)",
      [undefined, [facts({ podCidr: "10.72.0.0/16", podSubnetInVnet: false })]],
      [],
    ],
    [
      "a prefix that is not a CIDR, and none at all",
      [undefined, [facts({ addressPrefixes: ["10.10.0.0/16", "10.64/13"] }), facts({ member: "Bad.Name", addressPrefixes: [] })]],
      [
        ["members.east-1.aks.virtualNetwork.addressPrefixes[1]", /^"10\.64\/13" is not a valid IPv4 CIDR/],
        ['members["Bad.Name"].aks.virtualNetwork.addressPrefixes', /must list at least one address prefix/],
      ],
    ],
    ["no prefixes given: nothing to check", [undefined, [facts({ addressPrefixes: undefined, nodeSubnetCidr: "192.168.0.0/24" })]], []],
  ];
  for (const [name, args, want] of cases) {
    it(name, () => {
      const got = azurePreflightViolations(...args);
      assert.deepEqual(
        got.map((v) => v.path),
        want.map(([path]) => path),
      );
      got.forEach((v, i) => assert.match(v.message, want[i][1]));
    });
  }
});

describe("allocatedPodCidrViolations: an allocated pod CIDR outside its VNet, known once the allocation is", () => {
  it("names the member's prefixes and the allocated CIDR, and leaves pinned, BYOCNI and unconstrained members alone", () => {
    const members = [
      facts(),
      facts({ member: "east-2" }),
      facts({ member: "pinned", podCidr: "10.64.0.0/16" }),
      facts({ member: "byocni", podSubnetInVnet: false }),
      facts({ member: "free", addressPrefixes: undefined }),
    ];
    const pods = {
      "east-1": "10.64.0.0/16",
      "east-2": "10.80.0.0/16",
      pinned: "10.64.0.0/16",
      byocni: "10.90.0.0/16",
      free: "10.91.0.0/16",
    };
    assert.deepEqual(allocatedPodCidrViolations(members, pods), [
      {
        path: "members.east-2.aks.virtualNetwork.addressPrefixes",
        message:
          '["10.10.0.0/16","10.64.0.0/13"] do not contain the member\'s pod CIDR "10.80.0.0/16", allocated from pools.podCidrPool: with Azure CNI ' +
          "the pod CIDR is the member's pod subnet, and Azure creates a subnet only inside one of its VNet's address prefixes; widen the prefixes, or pin podCidr inside them",
      },
    ]);
  });
});
