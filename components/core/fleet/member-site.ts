// Where a member runs, as a reader of the fleet groups it: its provisioner and its region.
import { Provisioner } from "./types";
import { ownValue } from "./own";

/** A member's provisioner and region (absent when nothing says where it runs). */
export interface MemberSite {
  /** How the member's cluster is provisioned. */
  provisioner: Provisioner;
  /** Its region: an AKS member's location, else its region label; absent when neither is set. */
  region?: string;
}

/**
 * The labels a region is read from, in order: Kubernetes' well-known node label
 * (kubernetes.io/docs/reference/labels-annotations-taints/#topologykubernetesioregion), then a plain
 * `region` label, the one fleet programs and KubeFleet's own examples select members by.
 */
export const REGION_LABELS = ["topology.kubernetes.io/region", "region"] as const;

/** An AKS member's region is its location; any other member's comes from its labels. */
export function memberSite(provisioner: Provisioner, labels: Readonly<Record<string, string>>, location?: string): MemberSite {
  const labelled = REGION_LABELS.map((label) => ownValue(labels, label)).find((value) => value !== undefined && value !== "");
  const region = location ?? labelled;
  return region === undefined ? { provisioner } : { provisioner, region };
}
