import { MemberCluster } from "../types";
import { Quantity, tryParseQuantity } from "../../../k8s/quantity";

/** Properties under this prefix are read from `status.resourceUsage`, not `status.properties`. */
export const RESOURCE_PROPERTY_PREFIX = "resources.kubernetes-fleet.io/";

const CAPACITY_FIELDS = {
  total: "capacity",
  allocatable: "allocatable",
  available: "available",
} as const;

/** A property that cannot be read at all: upstream treats it as an internal error of the cycle. */
export class PropertyLookupError extends Error {}

function resourceUsageValue(cluster: MemberCluster, name: string): string | undefined {
  // `<capacityType>-<resource>`: kubefleet cuts at the first dash only, so a resource name may
  // contain dashes (`available-ephemeral-storage`). Azure/fleet's older copy split on every dash.
  const dash = name.indexOf("-");
  const capacityType = dash < 0 ? "" : name.slice(0, dash);
  const resource = dash < 0 ? "" : name.slice(dash + 1);
  if (capacityType === "" || resource === "") throw new PropertyLookupError(`invalid resource property name: ${name}`);
  if (!Object.prototype.hasOwnProperty.call(CAPACITY_FIELDS, capacityType)) {
    throw new PropertyLookupError(`invalid capacity type ${capacityType} in resource property name ${name}`);
  }
  const field = CAPACITY_FIELDS[capacityType as keyof typeof CAPACITY_FIELDS];
  return ownValue(cluster.status?.resourceUsage?.[field], resource);
}

/** A map lookup like Go's: only the object's own keys count (never `constructor`, `toString`, ...). */
function ownValue<T>(map: Record<string, T> | undefined, key: string): T | undefined {
  return map !== undefined && Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;
}

function parseObserved(value: string, describe: () => string): Quantity {
  const quantity = tryParseQuantity(value);
  if (!quantity) throw new PropertyLookupError(`${describe()} is not a valid quantity`);
  return quantity;
}

/**
 * The cluster's value for a property, or undefined when the cluster does not report it
 * (which upstream does not treat as an error). Throws PropertyLookupError for malformed names or values.
 */
export function lookupProperty(cluster: MemberCluster, name: string): Quantity | undefined {
  const clusterName = cluster.metadata.name;
  if (name.startsWith(RESOURCE_PROPERTY_PREFIX)) {
    const resourceName = name.slice(RESOURCE_PROPERTY_PREFIX.length);
    const raw = resourceUsageValue(cluster, resourceName);
    if (raw === undefined) return undefined;
    return parseObserved(raw, () => `resource property ${resourceName} of cluster ${clusterName} has value ${raw}, which`);
  }
  const observed = ownValue(cluster.status?.properties, name);
  if (observed === undefined) return undefined;
  return parseObserved(observed.value, () => `value ${observed.value} of property ${name} from cluster ${clusterName}`);
}
