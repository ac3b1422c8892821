// The Fleet hub as `pulumi` reaches it: which Azure RBAC role lets the deploying identity write a
// ClusterResourcePlacement, and the bounded wait until the hub honours a new grant. Plain strings, no
// Pulumi: the wait script is tested by running it.
//
// Role: "Azure Kubernetes Fleet Manager RBAC Cluster Admin" (built-in role 18ab4d3d-a1bf-4477-8ad9-8359bc988f69,
// "Grants read/write access to all Kubernetes resources in the fleet-managed hub cluster"), assigned at the
// fleet's scope as MicrosoftDocs/azure-aks-docs articles/kubernetes-fleet/access-fleet-hub-cluster-kubernetes-api.md
// does (`az role assignment create --role "Azure Kubernetes Fleet Manager RBAC Cluster Admin" --scope $FLEET_ID`).
// A ClusterResourcePlacement is cluster-scoped, so the namespace-scoped Admin/Writer roles
// (articles/kubernetes-fleet/concepts-rbac.md) do not cover it.
// Azure RBAC grants reach the hub's API server some time after the assignment exists; the wait asks the
// hub itself (`kubectl auth can-i create clusterresourceplacements...`, through the converted kubeconfig)
// until it says yes, within a bound, rather than sleeping a guessed time.

/** Azure Kubernetes Fleet Manager RBAC Cluster Admin. */
export const FLEET_RBAC_CLUSTER_ADMIN_ROLE_ID = "18ab4d3d-a1bf-4477-8ad9-8359bc988f69";

/** The resource the wait asks about: what a hub-mode Placement writes. */
export const PLACEMENT_RESOURCE = "clusterresourceplacements.placement.kubernetes-fleet.io";

export const HUB_KUBECONFIG_ENV = "FLEETMESH_HUB_KUBECONFIG";
export const HUB_WAIT_ATTEMPTS_ENV = "FLEETMESH_HUB_WAIT_ATTEMPTS";
export const HUB_WAIT_SECONDS_ENV = "FLEETMESH_HUB_WAIT_SECONDS";
/** Seconds between two asks. */
export const HUB_POLL_SECONDS = 10;
/** How long the wait lasts by default: RBAC changes usually reach the hub within minutes. */
export const DEFAULT_HUB_WAIT_SECONDS = 600;

/** How many asks fit in `seconds` (at least one). */
export function hubWaitAttempts(seconds: number): number {
  return Math.max(1, Math.ceil(seconds / HUB_POLL_SECONDS));
}

/**
 * Asks the hub, through the kubeconfig in $FLEETMESH_HUB_KUBECONFIG (written to a private temporary
 * file, removed on exit), whether this identity may create ClusterResourcePlacements; retries while it
 * says no (or cannot answer yet), at most $FLEETMESH_HUB_WAIT_ATTEMPTS times, then fails with the hub's
 * last answer. A missing kubectl (exit 127) fails at once.
 */
export function hubAccessWaitScript(): string {
  return `set -u
config=$(mktemp) || exit 1
trap 'rm -f "$config"' EXIT
chmod 600 "$config"
printf '%s' "$${HUB_KUBECONFIG_ENV}" > "$config"
attempts=\${${HUB_WAIT_ATTEMPTS_ENV}:-${hubWaitAttempts(DEFAULT_HUB_WAIT_SECONDS)}}; delay=\${${HUB_WAIT_SECONDS_ENV}:-${HUB_POLL_SECONDS}}
n=1
while :; do
  if answer=$(kubectl auth can-i create ${PLACEMENT_RESOURCE} --kubeconfig "$config" 2>&1); then
    echo "fleetmesh: the Fleet hub lets this identity create ClusterResourcePlacements"
    exit 0
  else
    status=$?
  fi
  if [ "$status" -eq 127 ]; then
    echo "$answer" >&2
    echo "fleetmesh: kubectl is needed to check access to the Fleet hub" >&2
    exit 127
  fi
  if [ "$n" -ge "$attempts" ]; then
    echo "$answer" >&2
    echo "fleetmesh: the Fleet hub still refuses to let this identity create ClusterResourcePlacements after $n checks \${delay}s apart: the role assignment has not taken effect (or another identity is logged in)" >&2
    exit 1
  fi
  n=$((n + 1))
  sleep "$delay"
done
`;
}
