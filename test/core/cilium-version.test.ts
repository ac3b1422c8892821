import { strict as assert } from "assert";
import fc from "fast-check";
import {
  CiliumChartFeatures,
  CiliumVersion,
  DEFAULT_CILIUM_VERSION,
  SUPPORTED,
  checkCiliumVersion,
  checkMeshMinorSkew,
  ciliumChartFeatures,
  compareCiliumVersions,
  formatCiliumVersion,
  isSupportedCiliumVersion,
  minorSkew,
  normalizeCiliumVersion,
  parseCiliumVersion,
  policyScopeFinding,
  requireSupportedCiliumVersion,
  tryParseCiliumVersion,
} from "../../components/core/cilium/cilium-version";

const v = (major: number, minor: number, patch: number): CiliumVersion => ({ major, minor, patch });

describe("cilium-version", () => {
  describe("parsing", () => {
    const accepted: Array<[string, CiliumVersion]> = [
      ["1.18.12", v(1, 18, 12)],
      ["v1.18.12", v(1, 18, 12)],
      ["1.16.0", v(1, 16, 0)],
      ["1.20.0", v(1, 20, 0)],
      ["0.0.0", v(0, 0, 0)],
    ];
    for (const [text, expected] of accepted) {
      it(`reads ${JSON.stringify(text)} as ${formatCiliumVersion(expected)}`, () => {
        assert.deepEqual(parseCiliumVersion(text), expected);
      });
    }

    const refused = [
      "",
      "1.18",
      "1",
      "1.18.12-rc.1",
      "1.19.0-pre.3",
      "1.18.12+build",
      "01.18.0",
      "1.018.0",
      " 1.18.12",
      "1.18.12 ",
      "V1.18.12",
      "vv1.18.12",
      "1.18.x",
      "latest",
    ];
    for (const text of refused) {
      it(`refuses ${JSON.stringify(text)}`, () => {
        assert.equal(tryParseCiliumVersion(text), undefined);
        assert.throws(() => parseCiliumVersion(text), /is not a Cilium chart version/);
      });
    }

    it("normalises the image-tag spelling to the chart spelling", () => {
      assert.equal(normalizeCiliumVersion("v1.17.18"), "1.17.18");
      assert.equal(normalizeCiliumVersion("1.17.18"), "1.17.18");
    });

    it("round-trips every formatted version", () => {
      const part = fc.integer({ min: 0, max: 999 });
      fc.assert(
        fc.property(part, part, part, (major, minor, patch) => {
          const version = v(major, minor, patch);
          assert.deepEqual(parseCiliumVersion(formatCiliumVersion(version)), version);
        }),
      );
    });
  });

  describe("ordering", () => {
    const ordered = ["1.9.9", "1.16.0", "1.16.19", "1.17.0", "1.17.18", "1.18.0", "1.18.2", "1.18.12", "1.19.6", "1.20.0", "2.0.0"];
    it("orders versions numerically, not as text", () => {
      const shuffled = [...ordered].reverse().sort((a, b) => a.localeCompare(b));
      const sorted = shuffled.sort((a, b) => compareCiliumVersions(parseCiliumVersion(a), parseCiliumVersion(b)));
      assert.deepEqual(sorted, ordered);
    });

    it("is antisymmetric and zero only for equal versions", () => {
      const arb = fc.record({
        major: fc.integer({ min: 0, max: 3 }),
        minor: fc.integer({ min: 0, max: 25 }),
        patch: fc.integer({ min: 0, max: 20 }),
      });
      fc.assert(
        fc.property(arb, arb, (a, b) => {
          assert.equal(Math.sign(compareCiliumVersions(a, b)) + Math.sign(compareCiliumVersions(b, a)), 0);
          assert.equal(compareCiliumVersions(a, b) === 0, formatCiliumVersion(a) === formatCiliumVersion(b));
        }),
      );
    });
  });

  describe("the supported range", () => {
    const cases: Array<[string, boolean]> = [
      ["1.15.19", false],
      ["1.16.0", true],
      ["1.17.18", true],
      ["1.18.12", true],
      ["1.19.6", true],
      ["1.20.0", true],
      ["1.20.99", true],
      ["1.21.0", false],
      ["2.0.0", false],
      ["0.16.0", false],
    ];
    for (const [text, supported] of cases) {
      it(`${supported ? "accepts" : "refuses"} ${text}`, () => {
        assert.equal(isSupportedCiliumVersion(parseCiliumVersion(text)), supported);
        assert.equal(checkCiliumVersion(text).length, supported ? 0 : 1);
      });
    }

    it("labels the range 1.16.0–1.20.x", () => {
      assert.equal(SUPPORTED.label, "1.16.0–1.20.x");
    });

    it("defaults to 1.18.12, which is supported", () => {
      assert.equal(DEFAULT_CILIUM_VERSION, "1.18.12");
      assert.deepEqual(checkCiliumVersion(DEFAULT_CILIUM_VERSION), []);
    });

    it("reports an unsupported version with the path, the quoted value and the rule", () => {
      assert.deepEqual(checkCiliumVersion("1.15.19"), [
        { path: "cilium.version", message: '"1.15.19" is not supported: fleetmesh generates Helm values for Cilium charts 1.16.0–1.20.x' },
      ]);
    });

    it("reports a malformed version under the path it is given", () => {
      assert.deepEqual(checkCiliumVersion("1.18", "members.c1.cilium.version"), [
        {
          path: "members.c1.cilium.version",
          message: '"1.18" is not a Cilium chart version: write MAJOR.MINOR.PATCH, e.g. "1.18.12" (pre-releases are not supported)',
        },
      ]);
    });

    it("throws the violation's text from requireSupportedCiliumVersion", () => {
      assert.throws(() => requireSupportedCiliumVersion("1.21.0"), /^Error: cilium\.version: "1\.21\.0" is not supported/);
      assert.deepEqual(requireSupportedCiliumVersion("v1.20.1"), v(1, 20, 1));
    });
  });

  describe("minor skew (rule 16)", () => {
    it("counts minors within a major and refuses to compare across majors", () => {
      assert.equal(minorSkew(v(1, 18, 12), v(1, 18, 0)), 0);
      assert.equal(minorSkew(v(1, 17, 0), v(1, 18, 12)), 1);
      assert.equal(minorSkew(v(1, 20, 0), v(1, 18, 12)), 2);
      assert.equal(minorSkew(v(2, 0, 0), v(1, 20, 0)), Number.POSITIVE_INFINITY);
    });

    it("allows one minor of skew during an upgrade", () => {
      const entries = [
        { path: "members.c1.cilium.version", version: "1.18.12" },
        { path: "members.c2.cilium.version", version: "1.19.6" },
        { path: "members.c3.cilium.version", version: "1.18.0" },
      ];
      assert.deepEqual(checkMeshMinorSkew(entries), []);
    });

    it("reports every member more than one minor ahead of the oldest", () => {
      const entries = [
        { path: "members.c1.cilium.version", version: "1.18.12" },
        { path: "members.c2.cilium.version", version: "1.20.0" },
        { path: "members.c3.cilium.version", version: "1.17.18" },
      ];
      assert.deepEqual(checkMeshMinorSkew(entries), [
        {
          path: "members.c2.cilium.version",
          message:
            '"1.20.0" is more than 1 minor version away from "1.17.18" (members.c3.cilium.version): Cluster Mesh members must run the same Cilium minor, with at most one minor of skew during an upgrade',
        },
      ]);
    });

    it("leaves malformed versions to checkCiliumVersion", () => {
      assert.deepEqual(
        checkMeshMinorSkew([
          { path: "a", version: "x" },
          { path: "b", version: "1.20.0" },
        ]),
        [],
      );
    });
  });

  describe("chart features", () => {
    /** Every key, per version: a new feature flag must be added here for every chart. */
    const ALL_FALSE: CiliumChartFeatures = {
      policyDefaultLocalCluster: false,
      defaultGlobalNamespace: false,
      clustersMapForm: false,
      enableMCSAPISupport: false,
      mcsapi: false,
      cacheTTL: false,
      sharedNodePortBug: false,
      l2announcements: false,
      remoteUsersFollowConfig: false,
      hostAliasesInConfig: false,
      autoServerSans: false,
    };
    const v116: CiliumChartFeatures = { ...ALL_FALSE, enableMCSAPISupport: true, sharedNodePortBug: true, l2announcements: true };
    const v118: CiliumChartFeatures = { ...v116, policyDefaultLocalCluster: true };
    const v119: CiliumChartFeatures = {
      ...v118,
      clustersMapForm: true,
      mcsapi: true,
      cacheTTL: true,
      sharedNodePortBug: false,
      remoteUsersFollowConfig: true,
    };
    const v120: CiliumChartFeatures = {
      ...v119,
      defaultGlobalNamespace: true,
      enableMCSAPISupport: false,
      hostAliasesInConfig: true,
      autoServerSans: true,
    };
    const table: Array<[string, CiliumChartFeatures]> = [
      ["1.16.0", v116],
      ["1.16.19", v116],
      ["1.17.18", v116],
      ["1.18.0", v118],
      ["1.18.12", v118],
      ["1.19.0", v119],
      ["1.19.6", v119],
      ["1.20.0", v120],
      ["1.20.3", v120],
    ];
    for (const [text, expected] of table) {
      it(`knows which keys and behaviours chart ${text} has`, () => {
        assert.deepStrictEqual(ciliumChartFeatures(parseCiliumVersion(text)), expected);
      });
    }

    it("spells out the version-dependent behaviours of the peer objects: the users ConfigMap, host aliases, the server SANs", () => {
      const pick = (text: string) => {
        const { remoteUsersFollowConfig, hostAliasesInConfig, autoServerSans } = ciliumChartFeatures(parseCiliumVersion(text));
        return { remoteUsersFollowConfig, hostAliasesInConfig, autoServerSans };
      };
      assert.deepStrictEqual(["1.16.19", "1.17.18", "1.18.12", "1.19.6", "1.20.0"].map(pick), [
        { remoteUsersFollowConfig: false, hostAliasesInConfig: false, autoServerSans: false },
        { remoteUsersFollowConfig: false, hostAliasesInConfig: false, autoServerSans: false },
        { remoteUsersFollowConfig: false, hostAliasesInConfig: false, autoServerSans: false },
        { remoteUsersFollowConfig: true, hostAliasesInConfig: false, autoServerSans: false },
        { remoteUsersFollowConfig: true, hostAliasesInConfig: true, autoServerSans: true },
      ]);
    });
  });
});

describe("policyScopeFinding: cilium.policyDefaultLocalCluster against the chart version", () => {
  const cases: Array<{ name: string; version: string; requested: boolean | undefined; expected: ReturnType<typeof policyScopeFinding> }> = [
    { name: "accepts any setting on 1.18, where the option exists", version: "1.18.12", requested: true, expected: {} },
    { name: "accepts an unset option on 1.20", version: "1.20.0", requested: undefined, expected: {} },
    { name: "accepts false on 1.17: that is how 1.17 behaves anyway", version: "1.17.6", requested: false, expected: {} },
    {
      name: "refuses true on 1.17, naming the field and the version",
      version: "1.17.6",
      requested: true,
      expected: {
        violation: {
          path: "cilium.policyDefaultLocalCluster",
          message: "true needs Cilium 1.18 or later (the chart option does not exist in 1.17.6); leave it unset or upgrade cilium.version",
        },
      },
    },
    {
      name: "warns when unset on 1.16 that policies select every meshed cluster",
      version: "1.16.3",
      requested: undefined,
      expected: {
        warning:
          "Cilium 1.16.3 has no policyDefaultLocalCluster: network policies without an io.cilium.k8s.policy.cluster label select endpoints in every meshed cluster (fleetmesh's CrossClusterPolicy always names the cluster)",
      },
    },
    { name: "leaves an unparseable version to the version check", version: "latest", requested: true, expected: {} },
  ];
  for (const { name, version, requested, expected } of cases)
    it(name, () => assert.deepEqual(policyScopeFinding(version, requested), expected));
});
