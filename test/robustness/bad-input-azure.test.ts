// Bad Azure input, refused before anything is registered: the Azure Fleet's name and location, AKS
// members' locations and subnets against their VNet's address prefixes, and the kubelogin options.
import { strict as assert } from "assert";
import { FleetValidationError } from "../../components";
import { deploy } from "../components/harness";
import { Case, aks, fleetCase, runCatalogue } from "./catalogue";

const vnet = (addressPrefixes: string[]) => ({ name: "v", resourceGroupName: "rg", addressPrefixes });

const CASES: Case[] = [
  fleetCase(
    "an Azure Fleet name with capitals",
    { azureFleet: { resourceGroupName: "rg", location: "eastus2", fleetName: "AksFleet" }, members: { a: aks() } },
    "azureFleet.fleetName",
    '"AksFleet"',
  ),
  fleetCase(
    "an Azure Fleet with a hub whose name is longer than the hub's DNS prefix allows",
    { azureFleet: { resourceGroupName: "rg", location: "eastus2", fleetName: "f".repeat(60) }, members: { a: aks() } },
    "azureFleet.fleetName",
    `"${"f".repeat(60)}"`,
  ),
  fleetCase(
    "the Azure Fleet's location as its display name",
    { azureFleet: { resourceGroupName: "rg", location: "East US 2" }, members: { a: aks() } },
    "azureFleet.location",
    '"East US 2"',
  ),
  fleetCase(
    "an AKS member's location as its display name",
    { members: { a: aks({ location: "West US 3" }) } },
    "members.a.aks.location",
    '"West US 3"',
  ),
  fleetCase(
    "a node subnet outside the VNet's address prefixes",
    { members: { a: aks({ virtualNetwork: vnet(["10.10.0.0/16"]) }) } },
    "members.a.aks.nodeSubnetCidr",
    '"10.200.0.0/24"',
  ),
  fleetCase(
    "a pinned pod CIDR outside the VNet's address prefixes",
    { members: { a: { ...aks({ virtualNetwork: vnet(["10.200.0.0/16"]) }), podCidr: "10.0.0.0/17" } } },
    "members.a.podCidr",
    '"10.0.0.0/17"',
  ),
  fleetCase(
    "an address prefix that is not a CIDR",
    { members: { a: aks({ virtualNetwork: vnet(["10.200.0.0/33"]) }) } },
    "members.a.aks.virtualNetwork.addressPrefixes[0]",
    '"10.200.0.0/33"',
  ),
  fleetCase(
    "a service-principal login without its client id",
    { azureLogin: { mode: "spn" }, members: { a: aks() } },
    "azureLogin.clientId",
    "spn",
  ),
  fleetCase(
    "a login option the login mode does not use",
    { azureLogin: { mode: "azurecli", federatedTokenFile: "/token" }, members: { a: aks() } },
    "azureLogin.federatedTokenFile",
    "azurecli",
  ),
  fleetCase(
    "a hub-access wait of no time",
    {
      azureFleet: { resourceGroupName: "rg", location: "eastus2", hubAccess: { grantClusterAdmin: true, waitSeconds: 0 } },
      members: { a: aks() },
    },
    "azureFleet.hubAccess.waitSeconds",
    "0",
  ),
  fleetCase(
    "hub access asked of a fleet without a hub",
    {
      azureFleet: { resourceGroupName: "rg", location: "eastus2", hub: false, hubAccess: { grantClusterAdmin: true } },
      members: { a: aks() },
    },
    "azureFleet.hubAccess",
    "hub: false",
  ),
];

runCatalogue("bad-input catalogue, Azure: refused before anything is registered", CASES, 11);

describe("bad-input, Azure, known once the allocation is: an allocated pod CIDR outside its VNet's address prefixes", () => {
  it("fails the preview with the refusal, naming the prefixes and the CIDR, before any subnet or cluster is registered", async () => {
    const { records, refusal } = await deploy(
      "outside",
      {
        pools: { podCidrPool: "10.64.0.0/12", podCidrPrefixLength: 16 },
        members: { a: aks({ virtualNetwork: vnet(["10.200.0.0/16", "10.80.0.0/13"]) }) },
      },
      { preview: true },
    );
    assert.ok(refusal instanceof FleetValidationError, String(refusal));
    assert.deepEqual(
      refusal.violations.map((v) => [
        v.path,
        v.message.includes('"10.64.0.0/16"') && v.message.includes('["10.200.0.0/16","10.80.0.0/13"]'),
      ]),
      [["members.a.aks.virtualNetwork.addressPrefixes", true]],
    );
    assert.deepEqual(
      records.filter((r) => r.type.startsWith("azure-native:") || r.type === "command:local:Command").map((r) => r.name),
      [],
    );
  });
});
