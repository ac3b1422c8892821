// What Azure would refuse (or silently do differently) for an Azure Fleet and its AKS members, checked
// before anything is registered:
// - the fleet's name: 1 to 63 lower-case letters, digits and '-', alphanumeric at both ends (the
//   `fleetName` path parameter of Microsoft.ContainerService fleets: learn.microsoft.com/rest/api/fleet/
//   fleets/create-or-update, and the fleet CLI's vendored SDK); with a hub, fleetmesh also uses it as the
//   hub's `dnsPrefix`, which has at most 54 characters (FleetHubProfile `dns_prefix` validation in
//   azext_fleet/vendored_sdks/v2026_03_02_preview/models of the fleet extension);
// - a location as Azure names it (`az account list-locations --query [].name`: "eastus2", not
//   "East US 2"): Fleet writes that name into the `fleet.azure.com/location` member label
//   (MicrosoftDocs/azure-aks-docs articles/kubernetes-fleet/concepts-member-cluster-labels.md), which
//   placements and services select on, so any other spelling would predict labels Azure never writes;
// - when the VNet's address prefixes are given: every subnet fleetmesh creates in it (the node subnet,
//   and with Azure CNI the pod subnet, which is the member's pod CIDR) lies inside one of them: each
//   subnet has its address range "within the address space of the virtual network" (MicrosoftDocs/azure-docs
//   articles/virtual-network/virtual-network-vnet-plan-design-arm.md, "Subnets").
// Pure: the components hand in plain values (Pulumi Inputs that are not plain strings are left out).

import { Cidr, contains, parseCidr } from "../fleet/cidr";
import { FieldViolation } from "../k8s/field-errors";
import { memberPath } from "../fleet/validation/findings";
import { ownValue } from "../fleet/own";

export const FLEET_NAME_MAX_LENGTH = 63;
export const FLEET_NAME_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const FLEET_HUB_DNS_PREFIX_MAX_LENGTH = 54;
/** Azure's programmatic region names: lower-case letters and digits. */
export const AZURE_LOCATION_PATTERN = /^[a-z][a-z0-9]*$/;

const quote = (value: unknown) => JSON.stringify(value);

/** The fleet's name against the Fleet API (and the hub's DNS prefix when it has a hub). */
export function fleetNameProblems(name: string, hub: boolean): string[] {
  if (name.length === 0 || name.length > FLEET_NAME_MAX_LENGTH || !FLEET_NAME_PATTERN.test(name)) {
    return [
      `fleet name ${quote(name)} is invalid: an Azure Fleet name has 1 to ${FLEET_NAME_MAX_LENGTH} lower-case letters, digits or '-', ` +
        "and starts and ends with a letter or digit",
    ];
  }
  if (hub && name.length > FLEET_HUB_DNS_PREFIX_MAX_LENGTH) {
    return [
      `fleet name ${quote(name)} is too long for a fleet with a hub: it is also the hub's DNS prefix, ` +
        `which has at most ${FLEET_HUB_DNS_PREFIX_MAX_LENGTH} characters (it has ${name.length})`,
    ];
  }
  return [];
}

/** The spelling Azure uses for a region written as its display name ("East US 2" → "eastus2"). */
export function azureLocationName(location: string): string {
  return location.toLowerCase().replace(/[^a-z0-9]/g, "");
}

export function locationProblems(location: string): string[] {
  if (AZURE_LOCATION_PATTERN.test(location)) return [];
  const suggestion = azureLocationName(location);
  const hint = suggestion !== "" && AZURE_LOCATION_PATTERN.test(suggestion) ? `: write ${quote(suggestion)}` : "";
  return [
    `location ${quote(location)} is not spelled as Azure names regions (lower-case letters and digits, as ` +
      `\`az account list-locations --query [].name\` prints them); Fleet labels members with that name ` +
      `(fleet.azure.com/location), which placements and services select on${hint}`,
  ];
}

/** An AKS member's address facts, as far as they are plain values. */
export interface AksAddressFacts {
  member: string;
  location?: string;
  /** The VNet's address prefixes, when given. */
  addressPrefixes?: readonly string[];
  nodeSubnetCidr?: string;
  /** The pinned pod CIDR (`members.<m>.podCidr`). */
  podCidr?: string;
  /** Azure CNI puts the pod CIDR in the VNet as the pod subnet; BYOCNI ("none") does not. */
  podSubnetInVnet: boolean;
}

export interface AzureFleetFacts {
  /** The name the fleet gets, and whether the user gave it (else it is the component's name). */
  name: string;
  nameGiven: boolean;
  hub: boolean;
  location?: string;
}

/** The prefixes that parse (the others are reported on their own). */
function parsedPrefixes(prefixes: readonly string[]): Cidr[] {
  return prefixes.flatMap((text) => {
    const parsed = parseCidr(text);
    return parsed.ok ? [parsed.cidr] : [];
  });
}

function insideOne(prefixes: readonly Cidr[], text: string | undefined): boolean {
  const parsed = text === undefined ? undefined : parseCidr(text);
  // A CIDR that does not parse is the fleet validation's to report.
  if (!parsed?.ok) return true;
  return prefixes.some((prefix) => contains(prefix, parsed.cidr));
}

const OUTSIDE_RULE = "Azure creates a subnet only inside one of its VNet's address prefixes";

function prefixesPath(member: string): string {
  return `${memberPath(member)}.aks.virtualNetwork.addressPrefixes`;
}

/** The problems of one member's address facts that need no allocation. */
function memberProblems(facts: AksAddressFacts): FieldViolation[] {
  const out: FieldViolation[] = [];
  const path = memberPath(facts.member);
  if (facts.location !== undefined) {
    for (const message of locationProblems(facts.location)) out.push({ path: `${path}.aks.location`, message });
  }
  if (facts.addressPrefixes === undefined) return out;
  const prefixes = facts.addressPrefixes;
  if (prefixes.length === 0) {
    out.push({ path: prefixesPath(facts.member), message: "must list at least one address prefix of the VNet (or be left out)" });
    return out;
  }
  prefixes.forEach((text, i) => {
    const parsed = parseCidr(text);
    if (!parsed.ok)
      out.push({ path: `${prefixesPath(facts.member)}[${i}]`, message: `${quote(text)} is not a valid IPv4 CIDR: ${parsed.reason}` });
  });
  const valid = parsedPrefixes(prefixes);
  if (valid.length === 0) return out;
  if (!insideOne(valid, facts.nodeSubnetCidr)) {
    out.push({
      path: `${path}.aks.nodeSubnetCidr`,
      message: `nodeSubnetCidr ${quote(facts.nodeSubnetCidr)} is outside the VNet's address prefixes ${quote(prefixes)}: ${OUTSIDE_RULE}`,
    });
  }
  if (facts.podSubnetInVnet && facts.podCidr !== undefined && !insideOne(valid, facts.podCidr)) {
    out.push({
      path: `${path}.podCidr`,
      message:
        `podCidr ${quote(facts.podCidr)} is outside the VNet's address prefixes ${quote(prefixes)}: with Azure CNI the pod CIDR ` +
        `is the member's pod subnet, and ${OUTSIDE_RULE}`,
    });
  }
  return out;
}

/** Everything about the fleet and its AKS members that needs no allocation. */
export function azurePreflightViolations(fleet: AzureFleetFacts | undefined, members: readonly AksAddressFacts[]): FieldViolation[] {
  const out: FieldViolation[] = [];
  if (fleet !== undefined) {
    const named = fleet.nameGiven ? "" : " (the fleet name defaults to the Fleet component's name)";
    for (const message of fleetNameProblems(fleet.name, fleet.hub)) out.push({ path: "azureFleet.fleetName", message: message + named });
    if (fleet.location !== undefined) {
      for (const message of locationProblems(fleet.location)) out.push({ path: "azureFleet.location", message });
    }
  }
  for (const facts of members) out.push(...memberProblems(facts));
  return out;
}

/**
 * The allocated pod CIDRs (members without a pinned one) that fall outside their VNet's address
 * prefixes: known once the previous run's allocation is read.
 */
export function allocatedPodCidrViolations(
  members: readonly AksAddressFacts[],
  podCidrs: Readonly<Record<string, string | undefined>>,
): FieldViolation[] {
  return members.flatMap((facts): FieldViolation[] => {
    if (!facts.podSubnetInVnet || facts.podCidr !== undefined || facts.addressPrefixes === undefined) return [];
    const allocated = ownValue(podCidrs, facts.member);
    const valid = parsedPrefixes(facts.addressPrefixes);
    if (allocated === undefined || valid.length === 0 || insideOne(valid, allocated)) return [];
    return [
      {
        path: prefixesPath(facts.member),
        message:
          `${quote(facts.addressPrefixes)} do not contain the member's pod CIDR ${quote(allocated)}, allocated from pools.podCidrPool: ` +
          `with Azure CNI the pod CIDR is the member's pod subnet, and ${OUTSIDE_RULE}; widen the prefixes, or pin podCidr inside them`,
      },
    ];
  });
}
