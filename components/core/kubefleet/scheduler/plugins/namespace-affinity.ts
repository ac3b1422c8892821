import { Plugin } from "../framework/plugin";
import { SKIP } from "../framework/status";

// KubeFleet namespaceaffinity plugin: it only applies to namespaced ResourcePlacements (the target
// namespace must exist on the cluster). fleetmesh schedules ClusterResourcePlacements, so it always skips.

export const namespaceAffinity: Plugin = {
  name: "NamespaceAffinity",
  bindingIndependent: true,
  preFilter() {
    return SKIP;
  },
};
