// IPv4 CIDR arithmetic for the allocator and the kind / AKS config builders.
//
// Addresses are unsigned 32-bit integers held in plain numbers (exact up to 2^53), so the math
// never uses JavaScript's signed 32-bit bitwise operators. Parsing is strict: four decimal octets
// without leading zeros, a prefix length 0..32, and no host bits set.

/** A parsed IPv4 CIDR. Build it with parseCidr (or cidr for trusted literals): `network` is canonical. */
export interface Cidr {
  /** The network address as an unsigned 32-bit integer, with every host bit zero. */
  readonly network: number;
  readonly prefixLength: number;
}

/** Functions below take a parsed Cidr or a trusted CIDR string (an invalid string throws). */
export type CidrLike = Cidr | string;

export type CidrParseResult = { ok: true; cidr: Cidr } | { ok: false; reason: string };

const EXAMPLE = `expected "a.b.c.d/n", e.g. "10.0.0.0/16"`;

// ---- parsing and formatting ----

/** Parses user input; never throws. The reason says what is wrong, for a violation message. */
export function parseCidr(text: unknown): CidrParseResult {
  if (typeof text !== "string") return fail(`not a string: ${EXAMPLE}`);
  if (text.includes(":")) return fail(`only IPv4 CIDRs are supported: ${EXAMPLE}`);
  const slash = text.indexOf("/");
  if (slash < 0) return fail(`the prefix length is missing: ${EXAMPLE}`);
  const address = parseAddress(text.slice(0, slash));
  if (typeof address === "string") return fail(address);
  const prefixLength = parsePrefixLength(text.slice(slash + 1));
  if (typeof prefixLength === "string") return fail(prefixLength);
  const network = address - (address % blockSize(prefixLength));
  if (network !== address) {
    const canonical = formatCidr({ network, prefixLength });
    return fail(`host bits are set: ${text} is not a network address (its network is ${canonical})`);
  }
  return { ok: true, cidr: { network, prefixLength } };
}

/** Parses a dotted-quad IPv4 address to an integer, or returns why it is not one. */
export function parseAddress(text: string): number | string {
  const octets = text.split(".");
  if (octets.length !== 4) return `"${text}" is not an IPv4 address: expected four decimal octets a.b.c.d`;
  let address = 0;
  for (const octet of octets) {
    const value = parseDecimal(octet, 255);
    if (value === undefined) return `octet "${octet}" of "${text}" is not a decimal number from 0 to 255 without leading zeros`;
    address = address * 256 + value;
  }
  return address;
}

function parsePrefixLength(text: string): number | string {
  const value = parseDecimal(text, 32);
  return value ?? `prefix length "${text}" is not a decimal number from 0 to 32`;
}

/** A canonical decimal (no sign, no leading zero) from 0 to max. */
function parseDecimal(text: string, max: number): number | undefined {
  if (!/^(0|[1-9][0-9]{0,2})$/.test(text)) return undefined;
  const value = Number(text);
  return value <= max ? value : undefined;
}

function fail(reason: string): CidrParseResult {
  return { ok: false, reason };
}

/** Parses a trusted CIDR (a literal or an already validated value); throws on an invalid one. */
export function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(`invalid CIDR "${text}": ${parsed.reason}`);
  return parsed.cidr;
}

function toCidr(value: CidrLike): Cidr {
  return typeof value === "string" ? cidr(value) : value;
}

export function formatAddress(address: number): string {
  const octets: number[] = [];
  let rest = address;
  for (let i = 0; i < 4; i++) {
    octets.unshift(rest % 256);
    rest = Math.floor(rest / 256);
  }
  return octets.join(".");
}

export function formatCidr(value: CidrLike): string {
  const c = toCidr(value);
  return `${formatAddress(c.network)}/${c.prefixLength}`;
}

// ---- sizes and ranges ----

/** Number of addresses in a block with this prefix length. */
function blockSize(prefixLength: number): number {
  return 2 ** (32 - prefixLength);
}

/** Number of addresses in the CIDR (2^(32 - prefix)). */
export function addressCount(value: CidrLike): number {
  return blockSize(toCidr(value).prefixLength);
}

/** The first and last address of the CIDR, inclusive. */
export function addressRange(value: CidrLike): { first: number; last: number } {
  const c = toCidr(value);
  return { first: c.network, last: c.network + blockSize(c.prefixLength) - 1 };
}

export function overlaps(a: CidrLike, b: CidrLike): boolean {
  const x = addressRange(a);
  const y = addressRange(b);
  return x.first <= y.last && y.first <= x.last;
}

/** True when every address of inner lies in outer (a CIDR contains itself). */
export function contains(outer: CidrLike, inner: CidrLike): boolean {
  const o = addressRange(outer);
  const i = addressRange(inner);
  return o.first <= i.first && i.last <= o.last;
}

// ---- splitting a pool into equal slots ----

function isSlotPrefix(pool: Cidr, prefixLength: number): boolean {
  return Number.isInteger(prefixLength) && prefixLength >= pool.prefixLength && prefixLength <= 32;
}

/** How many subnets of this prefix length the pool holds; 0 when the prefix is shorter than the pool's or invalid. */
export function slotCount(pool: CidrLike, prefixLength: number): number {
  const p = toCidr(pool);
  return isSlotPrefix(p, prefixLength) ? 2 ** (prefixLength - p.prefixLength) : 0;
}

/** The index-th (from 0) subnet of the pool at this prefix length; undefined when there is none. */
export function subnetAt(pool: CidrLike, prefixLength: number, index: number): Cidr | undefined {
  const p = toCidr(pool);
  if (!Number.isInteger(index) || index < 0 || index >= slotCount(p, prefixLength)) return undefined;
  return { network: p.network + index * blockSize(prefixLength), prefixLength };
}

/** The inverse of subnetAt: the slot index of value, or undefined when it is not exactly one slot of the pool. */
export function subnetIndex(pool: CidrLike, prefixLength: number, value: CidrLike): number | undefined {
  const p = toCidr(pool);
  const c = toCidr(value);
  if (!isSlotPrefix(p, prefixLength) || c.prefixLength !== prefixLength || !contains(p, c)) return undefined;
  const offset = c.network - p.network;
  const size = blockSize(prefixLength);
  return offset % size === 0 ? offset / size : undefined;
}

/**
 * The n-th address of the CIDR, counting the network address as 0 (AKS dnsServiceIP is
 * nthAddress(serviceCidr, 10)); undefined when the CIDR has no such address.
 */
export function nthAddress(value: CidrLike, n: number): string | undefined {
  const c = toCidr(value);
  if (!Number.isInteger(n) || n < 0 || n >= blockSize(c.prefixLength)) return undefined;
  return formatAddress(c.network + n);
}
