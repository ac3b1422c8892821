import { Profile } from "./framework/plugin";
import { clusterAffinity } from "./plugins/cluster-affinity";
import { clusterEligibility } from "./plugins/cluster-eligibility";
import { namespaceAffinity } from "./plugins/namespace-affinity";
import { samePlacementAffinity } from "./plugins/same-placement-affinity";
import { taintToleration } from "./plugins/taint-toleration";
import { topologySpreadConstraints } from "./plugins/topology-spread-constraints";

/**
 * KubeFleet's default scheduler profile, stage by stage in upstream order. The filter chain stops at the
 * first plugin that rejects a cluster, so this order decides which reason a cluster is reported with.
 */
export const defaultProfile: Profile = {
  postBatch: [topologySpreadConstraints],
  preFilter: [clusterAffinity, namespaceAffinity, topologySpreadConstraints],
  filter: [clusterAffinity, clusterEligibility, namespaceAffinity, taintToleration, samePlacementAffinity, topologySpreadConstraints],
  preScore: [clusterAffinity, samePlacementAffinity, topologySpreadConstraints],
  score: [clusterAffinity, samePlacementAffinity, topologySpreadConstraints],
};
