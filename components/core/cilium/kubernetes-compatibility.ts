// Which Kubernetes versions each Cilium minor supports: the versions its documentation lists as
// "e2e tested and guaranteed to be compatible" (cilium/cilium Documentation/network/kubernetes/
// compatibility.rst, at each release's tag). Older versions are refused: "Older Kubernetes versions
// not listed here do not have Cilium support" (Documentation/network/kubernetes/requirements.rst).
// Newer ones are accepted with a note: they "depend on the backward compatibility offered by
// Kubernetes" (same files). Every chart 1.16-1.20 also declares `kubeVersion: '>= 1.21.0-0'`
// (install/kubernetes/cilium/Chart.yaml), which the oldest listed versions lie above.
// Pure: no Pulumi import.

import { CiliumVersion, tryParseCiliumVersion } from "./cilium-version";
import { ownValue } from "../fleet/own";

/** A Kubernetes minor version. */
export interface KubernetesMinor {
  major: number;
  minor: number;
}

/** The oldest and newest Kubernetes minor a Cilium minor lists as tested. */
export interface KubernetesRange {
  oldest: KubernetesMinor;
  newest: KubernetesMinor;
}

const range = (oldest: number, newest: number): KubernetesRange => ({
  oldest: { major: 1, minor: oldest },
  newest: { major: 1, minor: newest },
});

/**
 * Cilium minor → its compatibility table. Sources: v1.16.7 lists 1.27-1.30 and v1.18.14 lists
 * 1.30-1.33 (compatibility.rst at those tags); v1.17 lists 1.29-1.32 (Kubernetes 1.32 was added on
 * main before the 1.17 branch, cilium/cilium#36235, and each release lists four); v1.19.3 lists
 * 1.32-1.35; v1.20 lists 1.33-1.36.
 */
export const TESTED_KUBERNETES: Readonly<Record<number, KubernetesRange>> = {
  16: range(27, 30),
  17: range(29, 32),
  18: range(30, 33),
  19: range(32, 35),
  20: range(33, 36),
};

/** `1.30`. */
export function formatKubernetesMinor(version: KubernetesMinor): string {
  return `${version.major}.${version.minor}`;
}

/** The tested range of a Cilium chart version; undefined for a version outside 1.16-1.20 (refused elsewhere). */
export function testedKubernetes(ciliumVersion: string | CiliumVersion): KubernetesRange | undefined {
  const parsed = typeof ciliumVersion === "string" ? tryParseCiliumVersion(ciliumVersion) : ciliumVersion;
  return parsed?.major === 1 ? ownValue(TESTED_KUBERNETES, parsed.minor) : undefined;
}

function compareMinors(a: KubernetesMinor, b: KubernetesMinor): number {
  return a.major - b.major || a.minor - b.minor;
}

/** How a cluster's Kubernetes version stands against a Cilium minor's table. */
export type KubernetesSupport = "tested" | "older" | "newer";

export function kubernetesSupport(tested: KubernetesRange, cluster: KubernetesMinor): KubernetesSupport {
  if (compareMinors(cluster, tested.oldest) < 0) return "older";
  if (compareMinors(cluster, tested.newest) > 0) return "newer";
  return "tested";
}
