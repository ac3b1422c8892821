// The fleet's pod and service pools, parsed once for the checks that compare members' CIDRs with them.
import { Cidr, parseCidr } from "../cidr";
import { FleetSpec } from "../types";

/** The pools that parse (an invalid pool is reported by the fleet settings, not again here). */
export interface PoolCidrs {
  podCidrPool?: Cidr;
  serviceCidrPool?: Cidr;
}

export function poolCidrs(spec: FleetSpec): PoolCidrs {
  const parse = (text: string) => {
    const parsed = parseCidr(text);
    return parsed.ok ? parsed.cidr : undefined;
  };
  return { podCidrPool: parse(spec.pools.podCidrPool), serviceCidrPool: parse(spec.pools.serviceCidrPool) };
}
