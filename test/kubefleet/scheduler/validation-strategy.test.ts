import { strict as assert } from "assert";
import { RolloutStrategy, validateRolloutStrategy, validateStrategyUpdate } from "../../../components/core/kubefleet/scheduler/validation";
import { FieldViolation } from "../../../components/core/kubefleet/scheduler/types";

// spec.strategy: CRD schema (enum, IntOrString pattern, minimum, CEL) and the webhook's
// validateRolloutStrategy, plus the External-type transition rule.

const RU = "strategy.rollingUpdate";
const PATTERN = "'^((100|[0-9]{1,2})%|[0-9]+)$'";

interface Case {
  name: string;
  strategy: RolloutStrategy | undefined;
  want: FieldViolation[];
}

const cases: Case[] = [
  { name: "accepts an undefined strategy", strategy: undefined, want: [] },
  { name: "accepts an empty strategy (RollingUpdate with defaults)", strategy: {}, want: [] },
  { name: "accepts an External strategy", strategy: { type: "External" }, want: [] },
  {
    name: "accepts a rolling update with integers, percentages and a zero period",
    strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "100%", unavailablePeriodSeconds: 0 } },
    want: [],
  },
  {
    name: "accepts single-digit and zero-padded percentages",
    strategy: { rollingUpdate: { maxUnavailable: "5%", maxSurge: "07%" } },
    want: [],
  },
  {
    name: "rejects rollingUpdate with the External type",
    strategy: { type: "External", rollingUpdate: { unavailablePeriodSeconds: 10 } },
    want: [
      { path: RU, message: 'rollingUpdateConifg is not valid for ExternalRollout strategy type (got {"unavailablePeriodSeconds":10})' },
    ],
  },
  {
    name: "rejects an unknown type with the enum error (not the webhook's duplicate)",
    strategy: { type: "random type" as never },
    want: [{ path: "strategy.type", message: 'Unsupported value: "random type": supported values: "RollingUpdate", "External"' }],
  },
  {
    name: "rejects a negative unavailablePeriodSeconds with the schema minimum",
    strategy: { rollingUpdate: { unavailablePeriodSeconds: -10 } },
    want: [{ path: `${RU}.unavailablePeriodSeconds`, message: "Invalid value: -10: should be greater than or equal to 0" }],
  },
  {
    name: "rejects a maxUnavailable string without % although the pattern allows it",
    strategy: { rollingUpdate: { maxUnavailable: "25" } },
    want: [
      {
        path: `${RU}.maxUnavailable`,
        message: "maxUnavailable `25` is invalid: invalid value for IntOrString: invalid type: string is not a percentage",
      },
    ],
  },
  {
    name: "rejects a maxSurge string without %",
    strategy: { rollingUpdate: { maxSurge: "25" } },
    want: [
      {
        path: `${RU}.maxSurge`,
        message: "maxSurge `25` is invalid: invalid value for IntOrString: invalid type: string is not a percentage",
      },
    ],
  },
  {
    name: "rejects a negative integer maxUnavailable",
    strategy: { rollingUpdate: { maxUnavailable: -10 } },
    want: [{ path: `${RU}.maxUnavailable`, message: "maxUnavailable must be greater than or equal to 0, got `-10`" }],
  },
  {
    name: "rejects a negative integer maxSurge",
    strategy: { rollingUpdate: { maxSurge: -10 } },
    want: [{ path: `${RU}.maxSurge`, message: "maxSurge must be greater than or equal to 0, got `-10`" }],
  },
  {
    name: "rejects a negative string maxUnavailable with the pattern",
    strategy: { rollingUpdate: { maxUnavailable: "-10" } },
    want: [{ path: `${RU}.maxUnavailable`, message: `Invalid value: "-10": should match ${PATTERN}` }],
  },
  {
    name: "rejects a percentage above 100 with the pattern",
    strategy: { rollingUpdate: { maxSurge: "101%" } },
    want: [{ path: `${RU}.maxSurge`, message: `Invalid value: "101%": should match ${PATTERN}` }],
  },
  {
    name: "rejects a fractional percentage and a word with the pattern",
    strategy: { rollingUpdate: { maxUnavailable: "2.5%", maxSurge: "all" } },
    want: [
      { path: `${RU}.maxUnavailable`, message: `Invalid value: "2.5%": should match ${PATTERN}` },
      { path: `${RU}.maxSurge`, message: `Invalid value: "all": should match ${PATTERN}` },
    ],
  },
  {
    name: "rejects a fractional number maxUnavailable",
    strategy: { rollingUpdate: { maxUnavailable: 1.5 } },
    want: [{ path: `${RU}.maxUnavailable`, message: "maxUnavailable must be an integer or a percentage string, got 1.5" }],
  },
  {
    name: "accepts maxUnavailable 0 together with maxSurge 0 (nothing enforces the documented rule)",
    strategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } },
    want: [],
  },
  {
    name: "rejects serverSideApplyConfig with the ClientSideApply type",
    strategy: { applyStrategy: { type: "ClientSideApply", serverSideApplyConfig: { force: false } } },
    want: [
      {
        path: "strategy.applyStrategy.serverSideApplyConfig",
        message: 'serverSideApplyConfig is only valid for ServerSideApply strategy type (got type "ClientSideApply")',
      },
    ],
  },
  {
    name: "rejects serverSideApplyConfig when the apply type defaults to ClientSideApply",
    strategy: { applyStrategy: { serverSideApplyConfig: { force: true } } },
    want: [
      {
        path: "strategy.applyStrategy.serverSideApplyConfig",
        message: 'serverSideApplyConfig is only valid for ServerSideApply strategy type (got type "ClientSideApply")',
      },
    ],
  },
  {
    name: "accepts serverSideApplyConfig with ServerSideApply and every valid apply option",
    strategy: {
      applyStrategy: {
        type: "ServerSideApply",
        serverSideApplyConfig: { force: true },
        comparisonOption: "FullComparison",
        whenToApply: "IfNotDrifted",
        whenToTakeOver: "IfNoDiff",
        allowCoOwnership: true,
      },
    },
    want: [],
  },
  {
    name: "rejects unknown apply options with the enum errors",
    strategy: {
      applyStrategy: {
        type: "Replace" as never,
        comparisonOption: "Some" as never,
        whenToApply: "Never" as never,
        whenToTakeOver: "Sometimes" as never,
      },
    },
    want: [
      {
        path: "strategy.applyStrategy.type",
        message: 'Unsupported value: "Replace": supported values: "ClientSideApply", "ServerSideApply", "ReportDiff"',
      },
      {
        path: "strategy.applyStrategy.comparisonOption",
        message: 'Unsupported value: "Some": supported values: "PartialComparison", "FullComparison"',
      },
      { path: "strategy.applyStrategy.whenToApply", message: 'Unsupported value: "Never": supported values: "Always", "IfNotDrifted"' },
      {
        path: "strategy.applyStrategy.whenToTakeOver",
        message: 'Unsupported value: "Sometimes": supported values: "Always", "IfNoDiff", "Never"',
      },
    ],
  },
  {
    name: "rejects an unknown delete propagation policy",
    strategy: { deleteStrategy: { propagationPolicy: "Orphan" as never } },
    want: [
      { path: "strategy.deleteStrategy.propagationPolicy", message: 'Unsupported value: "Orphan": supported values: "Abandon", "Delete"' },
    ],
  },
  {
    name: "rejects a Mirror report-back strategy without a destination",
    strategy: { reportBackStrategy: { type: "Mirror" } },
    want: [
      {
        path: "strategy.reportBackStrategy",
        message: "when reportBackStrategy.type is 'Mirror', a destination must be specified (got no destination)",
      },
    ],
  },
  {
    name: "accepts a Mirror report-back strategy with a destination",
    strategy: { reportBackStrategy: { type: "Mirror", destination: "WorkAPI" } },
    want: [],
  },
  {
    name: "rejects a report-back strategy without type",
    strategy: { reportBackStrategy: {} as never },
    want: [{ path: "strategy.reportBackStrategy.type", message: "Required value" }],
  },
];

describe("validateRolloutStrategy", () => {
  for (const c of cases) {
    it(c.name, () => assert.deepStrictEqual(validateRolloutStrategy(c.strategy), c.want));
  }
});

const EXTERNAL_RULE = "cannot change rollout strategy type from 'External' to other types";

interface UpdateCase {
  name: string;
  old: RolloutStrategy | undefined;
  next: RolloutStrategy | undefined;
  want: FieldViolation[];
}

const updateCases: UpdateCase[] = [
  { name: "accepts RollingUpdate changing to External", old: { type: "RollingUpdate" }, next: { type: "External" }, want: [] },
  { name: "accepts an unset type changing to External", old: undefined, next: { type: "External" }, want: [] },
  { name: "accepts External staying External", old: { type: "External" }, next: { type: "External" }, want: [] },
  {
    name: "rejects External changing to RollingUpdate",
    old: { type: "External" },
    next: { type: "RollingUpdate" },
    want: [{ path: "strategy.type", message: `${EXTERNAL_RULE} (got "RollingUpdate")` }],
  },
  {
    name: "rejects External changing to an unset type, which defaults to RollingUpdate",
    old: { type: "External" },
    next: {},
    want: [{ path: "strategy.type", message: `${EXTERNAL_RULE} (got "RollingUpdate")` }],
  },
];

describe("validateStrategyUpdate", () => {
  for (const c of updateCases) {
    it(c.name, () => assert.deepStrictEqual(validateStrategyUpdate(c.old, c.next), c.want));
  }
});
