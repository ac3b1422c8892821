import { strict as assert } from "assert";
import fc from "fast-check";
import {
  Cidr,
  CidrParseResult,
  addressCount,
  addressRange,
  cidr,
  contains,
  formatAddress,
  formatCidr,
  nthAddress,
  overlaps,
  parseAddress,
  parseCidr,
  slotCount,
  subnetAt,
  subnetIndex,
} from "../../components/core/fleet/cidr";

const TEN = 10 * 2 ** 24; // 10.0.0.0 as an integer

describe("parseCidr", () => {
  const cases: Array<{ name: string; input: unknown; want: CidrParseResult }> = [
    { name: "parses a /16", input: "10.0.0.0/16", want: { ok: true, cidr: { network: TEN, prefixLength: 16 } } },
    { name: "parses the whole address space", input: "0.0.0.0/0", want: { ok: true, cidr: { network: 0, prefixLength: 0 } } },
    { name: "parses a single address", input: "255.255.255.255/32", want: { ok: true, cidr: { network: 2 ** 32 - 1, prefixLength: 32 } } },
    {
      name: "rejects host bits, naming the network address",
      input: "10.1.2.0/16",
      want: { ok: false, reason: "host bits are set: 10.1.2.0/16 is not a network address (its network is 10.1.0.0/16)" },
    },
    {
      name: "rejects a missing prefix length",
      input: "10.0.0.0",
      want: { ok: false, reason: 'the prefix length is missing: expected "a.b.c.d/n", e.g. "10.0.0.0/16"' },
    },
    {
      name: "rejects IPv6",
      input: "fd00::/64",
      want: { ok: false, reason: 'only IPv4 CIDRs are supported: expected "a.b.c.d/n", e.g. "10.0.0.0/16"' },
    },
    { name: "rejects a non-string", input: 42, want: { ok: false, reason: 'not a string: expected "a.b.c.d/n", e.g. "10.0.0.0/16"' } },
    {
      name: "rejects three octets",
      input: "10.0.0/8",
      want: { ok: false, reason: '"10.0.0" is not an IPv4 address: expected four decimal octets a.b.c.d' },
    },
    {
      name: "rejects an octet above 255",
      input: "10.256.0.0/16",
      want: { ok: false, reason: 'octet "256" of "10.256.0.0" is not a decimal number from 0 to 255 without leading zeros' },
    },
    {
      name: "rejects an octet with a leading zero (octal or decimal?)",
      input: "010.0.0.0/8",
      want: { ok: false, reason: 'octet "010" of "010.0.0.0" is not a decimal number from 0 to 255 without leading zeros' },
    },
    {
      name: "rejects surrounding whitespace",
      input: " 10.0.0.0/8",
      want: { ok: false, reason: 'octet " 10" of " 10.0.0.0" is not a decimal number from 0 to 255 without leading zeros' },
    },
    {
      name: "rejects a prefix length above 32",
      input: "10.0.0.0/33",
      want: { ok: false, reason: 'prefix length "33" is not a decimal number from 0 to 32' },
    },
    {
      name: "rejects a prefix length with a leading zero",
      input: "10.0.0.0/08",
      want: { ok: false, reason: 'prefix length "08" is not a decimal number from 0 to 32' },
    },
    {
      name: "rejects an empty prefix length",
      input: "10.0.0.0/",
      want: { ok: false, reason: 'prefix length "" is not a decimal number from 0 to 32' },
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepStrictEqual(parseCidr(c.input), c.want));

  it("throws for an invalid trusted literal, with the reason", () => {
    assert.throws(() => cidr("10.1.2.0/16"), {
      message: 'invalid CIDR "10.1.2.0/16": host bits are set: 10.1.2.0/16 is not a network address (its network is 10.1.0.0/16)',
    });
  });

  it("parses addresses and formats them back", () => {
    assert.deepStrictEqual([parseAddress("10.96.0.10"), formatAddress(TEN + 96 * 65536 + 10)], [TEN + 96 * 65536 + 10, "10.96.0.10"]);
  });
});

describe("CIDR relations", () => {
  const cases: Array<{ name: string; a: string; b: string; overlaps: boolean; aContainsB: boolean }> = [
    { name: "a CIDR overlaps and contains itself", a: "10.0.0.0/16", b: "10.0.0.0/16", overlaps: true, aContainsB: true },
    { name: "a pool contains its subnets", a: "10.0.0.0/12", b: "10.15.255.0/24", overlaps: true, aContainsB: true },
    { name: "a subnet does not contain its pool", a: "10.15.255.0/24", b: "10.0.0.0/12", overlaps: true, aContainsB: false },
    { name: "adjacent CIDRs are disjoint", a: "10.0.0.0/16", b: "10.1.0.0/16", overlaps: false, aContainsB: false },
    { name: "0.0.0.0/0 contains the last address", a: "0.0.0.0/0", b: "255.255.255.255/32", overlaps: true, aContainsB: true },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepStrictEqual([overlaps(c.a, c.b), contains(c.a, c.b)], [c.overlaps, c.aContainsB]));
  }
});

describe("pool slots", () => {
  const cases: Array<{ name: string; got: () => unknown; want: unknown }> = [
    { name: "a /12 holds 16 /16 slots", got: () => slotCount("10.0.0.0/12", 16), want: 16 },
    { name: "a pool is one slot of its own prefix length", got: () => slotCount("10.0.0.0/12", 12), want: 1 },
    { name: "a prefix shorter than the pool's gives no slot", got: () => slotCount("10.0.0.0/12", 8), want: 0 },
    { name: "a non-integer prefix gives no slot", got: () => slotCount("10.0.0.0/12", 16.5), want: 0 },
    { name: "0.0.0.0/0 holds 2^32 /32 slots", got: () => slotCount("0.0.0.0/0", 32), want: 2 ** 32 },
    { name: "the first slot is the pool's start", got: () => formatCidr(subnetAt("10.96.0.0/12", 16, 0)!), want: "10.96.0.0/16" },
    { name: "the last slot ends the pool", got: () => formatCidr(subnetAt("10.96.0.0/12", 16, 15)!), want: "10.111.0.0/16" },
    { name: "there is no slot past the end", got: () => subnetAt("10.96.0.0/12", 16, 16), want: undefined },
    { name: "there is no negative slot", got: () => subnetAt("10.96.0.0/12", 16, -1), want: undefined },
    { name: "a slot's index is found again", got: () => subnetIndex("10.96.0.0/12", 16, "10.101.0.0/16"), want: 5 },
    { name: "a CIDR of another prefix length is not a slot", got: () => subnetIndex("10.96.0.0/12", 16, "10.101.0.0/17"), want: undefined },
    { name: "a CIDR outside the pool is not a slot", got: () => subnetIndex("10.96.0.0/12", 16, "10.112.0.0/16"), want: undefined },
    { name: "the size of a /16", got: () => addressCount("10.0.0.0/16"), want: 65536 },
    { name: "the range of a /30", got: () => addressRange("10.0.0.4/30"), want: { first: TEN + 4, last: TEN + 7 } },
  ];
  for (const c of cases) it(c.name, () => assert.deepStrictEqual(c.got(), c.want));
});

describe("nthAddress", () => {
  const cases: Array<{ name: string; cidr: string; n: number; want: string | undefined }> = [
    { name: "gives AKS's dnsServiceIP as the 10th address", cidr: "10.0.0.0/16", n: 10, want: "10.0.0.10" },
    { name: "counts the network address as 0", cidr: "10.96.0.0/12", n: 0, want: "10.96.0.0" },
    { name: "carries into the next octet", cidr: "10.96.0.0/12", n: 256, want: "10.96.1.0" },
    { name: "gives the last address of the CIDR", cidr: "10.0.0.0/29", n: 7, want: "10.0.0.7" },
    { name: "has no address past the end", cidr: "10.0.0.0/29", n: 10, want: undefined },
    { name: "has no negative address", cidr: "10.0.0.0/29", n: -1, want: undefined },
  ];
  for (const c of cases) it(c.name, () => assert.strictEqual(nthAddress(c.cidr, c.n), c.want));
});

describe("CIDR properties", () => {
  const anyCidr: fc.Arbitrary<Cidr> = fc
    .record({ address: fc.integer({ min: 0, max: 2 ** 32 - 1 }), prefixLength: fc.integer({ min: 0, max: 32 }) })
    .map(({ address, prefixLength }) => {
      const size = 2 ** (32 - prefixLength);
      return { network: address - (address % size), prefixLength };
    });

  it("parses what it formats", () => {
    fc.assert(fc.property(anyCidr, (c) => assert.deepStrictEqual(parseCidr(formatCidr(c)), { ok: true, cidr: c })));
  });

  it("finds every slot's index again, and slots are disjoint and inside the pool", () => {
    const poolAndSlots = anyCidr.chain((pool) =>
      fc.record({
        pool: fc.constant(pool),
        prefixLength: fc.integer({ min: pool.prefixLength, max: Math.min(32, pool.prefixLength + 20) }),
        i: fc.nat(),
        j: fc.nat(),
      }),
    );
    fc.assert(
      fc.property(poolAndSlots, ({ pool, prefixLength, i, j }) => {
        const count = slotCount(pool, prefixLength);
        const [a, b] = [i % count, j % count];
        const [slotA, slotB] = [subnetAt(pool, prefixLength, a)!, subnetAt(pool, prefixLength, b)!];
        assert.deepStrictEqual([subnetIndex(pool, prefixLength, slotA), contains(pool, slotA), overlaps(slotA, slotB)], [a, true, a === b]);
      }),
    );
  });
});
