// Cilium chart versions: parsing, ordering, the supported range and the Cluster Mesh skew rule.
// Pure: no Pulumi import (components/core/ rule).
//
// Accepted spelling: `MAJOR.MINOR.PATCH` as published in the chart index (`1.18.12`). A leading
// `v` (the image-tag spelling, `v1.18.12`) is accepted too and dropped by `normalizeCiliumVersion`,
// so pass the normalised string to `helm.v3.Release.version`. Pre-releases (`1.19.0-rc.1`),
// build metadata and partial versions (`1.18`) are refused: the chart facts below are per release.

import { FieldViolation } from "../fleet/types";

/** A parsed chart version. */
export interface CiliumVersion {
  major: number;
  minor: number;
  patch: number;
}

/** Chart versions fleetmesh generates values for: target 1.16–1.18, plus 1.19 and 1.20. */
export const SUPPORTED = {
  /** Oldest supported chart (the first with `values.schema.json`, and KVStoreMesh on by default). */
  min: { major: 1, minor: 16, patch: 0 } as const satisfies CiliumVersion,
  /** Newest supported minor; any patch of it is accepted. */
  maxMinor: { major: 1, minor: 20 } as const,
  /** How the range reads in messages. */
  label: "1.16.0–1.20.x",
} as const;

/** The newest 1.18 patch in cilium/charts at 009b5e9 (its `values.schema.json` is vendored under test/support/upstream/). */
export const DEFAULT_CILIUM_VERSION = "1.18.12";

/** Default path of the version in the Fleet args (`cilium: { version }`). */
export const CILIUM_VERSION_PATH = "cilium.version";

/** Cluster Mesh supports at most one minor version of skew between members (cilium/cilium#32505; CI tests ±1 minor, #28355). */
export const MAX_MESH_MINOR_SKEW = 1;

const VERSION_PATTERN = /^v?(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})$/;

/** The parsed version, or undefined when `text` is not `[v]MAJOR.MINOR.PATCH`. */
export function tryParseCiliumVersion(text: string): CiliumVersion | undefined {
  const match = VERSION_PATTERN.exec(text);
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

/** Parses `[v]MAJOR.MINOR.PATCH`; throws an Error quoting the text otherwise. */
export function parseCiliumVersion(text: string): CiliumVersion {
  const parsed = tryParseCiliumVersion(text);
  if (!parsed) throw new Error(`cilium version ${JSON.stringify(text)} ${MALFORMED_RULE}`);
  return parsed;
}

/** `MAJOR.MINOR.PATCH`, without a leading `v`. */
export function formatCiliumVersion(version: CiliumVersion): string {
  return `${version.major}.${version.minor}.${version.patch}`;
}

/** The chart spelling of `text` (`v1.18.12` → `1.18.12`); throws when malformed. */
export function normalizeCiliumVersion(text: string): string {
  return formatCiliumVersion(parseCiliumVersion(text));
}

/** Negative, zero or positive as `a` is older than, equal to or newer than `b`. */
export function compareCiliumVersions(a: CiliumVersion, b: CiliumVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** True when `version` is at least `major.minor.patch`. */
export function atLeast(version: CiliumVersion, major: number, minor: number, patch = 0): boolean {
  return compareCiliumVersions(version, { major, minor, patch }) >= 0;
}

/** True when `version` lies in SUPPORTED (1.16.0 up to any 1.20 patch). */
export function isSupportedCiliumVersion(version: CiliumVersion): boolean {
  const { min, maxMinor } = SUPPORTED;
  const aboveMin = compareCiliumVersions(version, min) >= 0;
  const belowMax = version.major < maxMinor.major || (version.major === maxMinor.major && version.minor <= maxMinor.minor);
  return aboveMin && belowMax;
}

const MALFORMED_RULE = 'is not a Cilium chart version: write MAJOR.MINOR.PATCH, e.g. "1.18.12" (pre-releases are not supported)';
const UNSUPPORTED_RULE = `is not supported: fleetmesh generates Helm values for Cilium charts ${SUPPORTED.label}`;

/** [] when `text` is a supported chart version; otherwise one violation naming the path, the value and the rule. */
export function checkCiliumVersion(text: string, path: string = CILIUM_VERSION_PATH): FieldViolation[] {
  const parsed = tryParseCiliumVersion(text);
  if (!parsed) return [{ path, message: `${JSON.stringify(text)} ${MALFORMED_RULE}` }];
  if (!isSupportedCiliumVersion(parsed)) return [{ path, message: `${JSON.stringify(text)} ${UNSUPPORTED_RULE}` }];
  return [];
}

/** Parses and range-checks; throws an Error with the violation's text otherwise. */
export function requireSupportedCiliumVersion(text: string, path: string = CILIUM_VERSION_PATH): CiliumVersion {
  const [violation] = checkCiliumVersion(text, path);
  if (violation) throw new Error(`${violation.path}: ${violation.message}`);
  return parseCiliumVersion(text);
}

/** Minor versions between `a` and `b` (absolute); Infinity across major versions. */
export function minorSkew(a: CiliumVersion, b: CiliumVersion): number {
  if (a.major !== b.major) return Number.POSITIVE_INFINITY;
  return Math.abs(a.minor - b.minor);
}

/** One member's version, with the path to report it under. */
export interface VersionAt {
  path: string;
  version: string;
}

/**
 * Cluster Mesh skew (cilium/cilium#32505): members should run the same minor, and may differ
 * by at most one minor during an upgrade. Reports every entry more than one minor away from the
 * oldest version. Malformed versions are left to `checkCiliumVersion`.
 */
export function checkMeshMinorSkew(entries: readonly VersionAt[]): FieldViolation[] {
  const parsed = entries.flatMap((entry) => {
    const version = tryParseCiliumVersion(entry.version);
    return version ? [{ ...entry, parsed: version }] : [];
  });
  if (parsed.length < 2) return [];
  const oldest = parsed.reduce((low, entry) => (compareCiliumVersions(entry.parsed, low.parsed) < 0 ? entry : low));
  return parsed
    .filter((entry) => minorSkew(entry.parsed, oldest.parsed) > MAX_MESH_MINOR_SKEW)
    .map((entry) => ({
      path: entry.path,
      message:
        `${JSON.stringify(entry.version)} is more than ${MAX_MESH_MINOR_SKEW} minor version away from ` +
        `${JSON.stringify(oldest.version)} (${oldest.path}): Cluster Mesh members must run the same Cilium minor, ` +
        `with at most one minor of skew during an upgrade`,
    }));
}

/** Which version-dependent chart keys and defaults apply (the packaged charts' values.yaml, cilium/charts 1.16–1.20). */
export interface CiliumChartFeatures {
  /** `clustermesh.policyDefaultLocalCluster` exists (chart 1.18+). */
  policyDefaultLocalCluster: boolean;
  /** `clustermesh.defaultGlobalNamespace` exists (chart 1.20+). */
  defaultGlobalNamespace: boolean;
  /** `clustermesh.config.clusters` may be a map, and entries may carry `enabled` (chart 1.19+). */
  clustersMapForm: boolean;
  /** `clustermesh.enableMCSAPISupport` exists (chart 1.16–1.19; removed in 1.20). */
  enableMCSAPISupport: boolean;
  /** `clustermesh.mcsapi.*` exists (chart 1.19+). */
  mcsapi: boolean;
  /** `clustermesh.cacheTTL` exists (chart 1.19+). */
  cacheTTL: boolean;
  /** A shared NodePort in two meshed clusters breaks the mesh under kube-proxy replacement (≤1.18; #24692). */
  sharedNodePortBug: boolean;
  /** `l2announcements.enabled` exists (chart 1.14+, so every supported chart). */
  l2announcements: boolean;
  /**
   * The chart renders ConfigMap `clustermesh-remote-users` only with `clustermesh.config.enabled`
   * (chart 1.19+; before, whenever the apiserver runs with `tls.authMode` other than legacy:
   * templates/clustermesh-apiserver/users-configmap.yaml).
   */
  remoteUsersFollowConfig: boolean;
  /** Peer config files carry `cilium-host-aliases`, resolved by Cilium itself (chart 1.20+: templates/clustermesh-config/_helpers.tpl). */
  hostAliasesInConfig: boolean;
  /** The server certificate's extra SANs live under `clustermesh.apiserver.tls.auto.server` (1.20+), before under `tls.server`. */
  autoServerSans: boolean;
}

/** The feature set of a chart version. */
export function ciliumChartFeatures(version: CiliumVersion): CiliumChartFeatures {
  return {
    policyDefaultLocalCluster: atLeast(version, 1, 18),
    defaultGlobalNamespace: atLeast(version, 1, 20),
    clustersMapForm: atLeast(version, 1, 19),
    enableMCSAPISupport: atLeast(version, 1, 16) && !atLeast(version, 1, 20),
    mcsapi: atLeast(version, 1, 19),
    cacheTTL: atLeast(version, 1, 19),
    sharedNodePortBug: !atLeast(version, 1, 19),
    l2announcements: atLeast(version, 1, 14),
    remoteUsersFollowConfig: atLeast(version, 1, 19),
    hostAliasesInConfig: atLeast(version, 1, 20),
    autoServerSans: atLeast(version, 1, 20),
  };
}

/** What `cilium.policyDefaultLocalCluster` means on a chart version: a refusal, a warning, or nothing. */
export interface PolicyScopeFinding {
  violation?: FieldViolation;
  warning?: string;
}

/**
 * `clustermesh.policyDefaultLocalCluster` only exists from chart 1.18 (the packaged charts' values.yaml in cilium/charts). Asking
 * for it on an older chart is refused; leaving it unset there is allowed but warned about, because a
 * policy without a cluster label then selects endpoints in every meshed cluster.
 */
export function policyScopeFinding(versionText: string, requested: boolean | undefined): PolicyScopeFinding {
  const version = tryParseCiliumVersion(versionText);
  if (!version || ciliumChartFeatures(version).policyDefaultLocalCluster) return {};
  if (requested === true) {
    return {
      violation: {
        path: "cilium.policyDefaultLocalCluster",
        message: `true needs Cilium 1.18 or later (the chart option does not exist in ${versionText}); leave it unset or upgrade cilium.version`,
      },
    };
  }
  if (requested === false) return {};
  return {
    warning: `Cilium ${versionText} has no policyDefaultLocalCluster: network policies without an io.cilium.k8s.policy.cluster label select endpoints in every meshed cluster (fleetmesh's CrossClusterPolicy always names the cluster)`,
  };
}
