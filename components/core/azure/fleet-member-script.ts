// A Fleet member's lifecycle as `az fleet member` calls with bounded retries, for a `local.Command`
// (plain strings, no Pulumi: tested by running them against the fake az). The scripts are constant
// text; what they act on comes in the Command's environment, so a change of labels is an update of the
// Command (not a replacement) and the delete script always acts on the state's own member.
//
// Why a Command and not the ARM FleetMember resource (azure-native has no retry for either):
// - the Fleet resource provider lags the AKS one: `az fleet member create` answers
//   DependentResourceNotFound for a cluster created moments before, and ManagedClusterNotInExpectedState
//   while the cluster is still updating (a second update follows ACNS, and another the Network
//   Contributor grant on its VNet). Azure's own fleet scale tests join members with a retry loop on
//   `az fleet member create` for exactly these (Azure/telescope modules/terraform/azure/fleet/main.tf,
//   `terraform_data.member`: 60 attempts 20 s apart, "the happy path exits on the first attempt"), and
//   relabel with bounded retries that stop at once on non-transient errors
//   (steps/topology/clustermesh-scale/staged-fleet-enrollment.sh, update_member_label);
// - the Fleet CLI's own scenario test waits for the cluster to be Succeeded before each member create,
//   and again before the next one, because "ACNS enablement may trigger a secondary update after the
//   initial create completes" (Azure/azure-cli-extensions src/fleet/azext_fleet/tests/latest/
//   test_fleet_clustermesh_scenario.py). A wait on provisioningState cannot prove it outlasts an update
//   that has not started yet; a retry on the codes the Fleet RP answers can, within its bound;
// - labels go through `az`, the surface Azure's scripts use (telescope main.tf: "az CLI is the
//   supported surface today" for member labels).
// Labels are one `--labels` word of space-separated key=value pairs: the fleet extension's `labels_type`
// has no nargs and its `validate_labels` splits the one word on whitespace and requires `=` in each
// item (src/fleet/azext_fleet/_params.py and _validators.py of the fleet 2.0.x extension; the form of
// MicrosoftDocs/azure-aks-docs articles/kubernetes-fleet/concepts-member-cluster-labels.md).
// `member create` is a PUT without If-None-Match (create_fleet_member in azext_fleet/custom.py), so a
// run that failed halfway converges when run again. A member delete answers 204 when the member is
// already gone, and a 404 of its fleet or resource group means the same here.

/** Fleet RP answers for a member whose cluster it does not see yet, or sees updating: retried. */
export const JOIN_TRANSIENT_CODES = ["DependentResourceNotFound", "ManagedClusterNotInExpectedState"] as const;
/**
 * A member still in a cluster mesh cannot be deleted (Azure/telescope modules/terraform/azure/fleet/main.tf,
 * destroy provisioner: "`az fleet member delete` rejects with `MemberBelongsToClusterMesh`"): retried while
 * the mesh's own teardown finishes disconnecting it.
 */
export const LEAVE_TRANSIENT_CODES = ["MemberBelongsToClusterMesh"] as const;
/** Codes that mean the member (or its fleet, or their resource group) is gone already. */
export const GONE_CODES = ["ResourceNotFound", "ParentResourceNotFound", "ResourceGroupNotFound"] as const;

/** Azure's scale tests' bound: 60 attempts 20 s apart, 20 minutes (telescope fleet/main.tf). */
export const DEFAULT_ATTEMPTS = 60;
export const DEFAULT_RETRY_SECONDS = 20;

/** The environment variables the scripts read. */
export const MEMBER_ENV = {
  subscription: "FLEETMESH_AZ_SUBSCRIPTION",
  resourceGroup: "FLEETMESH_FLEET_RESOURCE_GROUP",
  fleet: "FLEETMESH_FLEET_NAME",
  member: "FLEETMESH_MEMBER_NAME",
  clusterId: "FLEETMESH_MEMBER_CLUSTER_ID",
  labels: "FLEETMESH_MEMBER_LABELS",
  attempts: "FLEETMESH_AZ_ATTEMPTS",
  retrySeconds: "FLEETMESH_AZ_RETRY_SECONDS",
} as const;

export interface FleetMemberTarget {
  /** The subscription of the fleet and its members' clusters: every call names it. */
  subscription: string;
  resourceGroup: string;
  fleet: string;
  member: string;
  /** The ARM id of the AKS cluster that joins. */
  clusterId: string;
  labels: Record<string, string>;
  /** @default 60 */
  attempts?: number;
  /** @default 20 */
  retrySeconds?: number;
}

/** The `--labels` word: `key=value` pairs sorted by key, space-separated. */
export function labelsWord(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((key) => `${key}=${labels[key]}`)
    .join(" ");
}

/** The ARM id of an AKS cluster. */
export function managedClusterId(subscription: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${subscription}/resourceGroups/${resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${name}`;
}

/** The Command environment the scripts act on. */
export function fleetMemberEnvironment(target: FleetMemberTarget): Record<string, string> {
  return {
    [MEMBER_ENV.subscription]: target.subscription,
    [MEMBER_ENV.resourceGroup]: target.resourceGroup,
    [MEMBER_ENV.fleet]: target.fleet,
    [MEMBER_ENV.member]: target.member,
    [MEMBER_ENV.clusterId]: target.clusterId,
    [MEMBER_ENV.labels]: labelsWord(target.labels),
    [MEMBER_ENV.attempts]: String(target.attempts ?? DEFAULT_ATTEMPTS),
    [MEMBER_ENV.retrySeconds]: String(target.retrySeconds ?? DEFAULT_RETRY_SECONDS),
  };
}

const codes = (list: readonly string[]) => list.join("|");

// `retry WHAT TRANSIENT DONE CMD...`: runs CMD; on success prints its stdout and returns 0. A failure
// whose az error names one of the TRANSIENT codes (`(Code) message`, azure-core's HttpResponseError
// form, as az prints it) is retried after $FLEETMESH_AZ_RETRY_SECONDS, at most $FLEETMESH_AZ_ATTEMPTS
// times in all, then fails with az's last message. A failure naming one of the DONE codes returns 100
// (the caller decides what that means). Any other failure returns at once with az's own message and
// exit code: nothing loops on an error that will not go away.
const HELPERS = `set -u
errors=$(mktemp) || exit 1
trap 'rm -f "$errors"' EXIT
retry() {
  what=$1; transient=$2; done_codes=$3; shift 3
  attempts=\${${MEMBER_ENV.attempts}:-${DEFAULT_ATTEMPTS}}; delay=\${${MEMBER_ENV.retrySeconds}:-${DEFAULT_RETRY_SECONDS}}
  n=1
  while :; do
    if out=$("$@" 2>"$errors"); then
      [ -z "$out" ] || printf '%s\\n' "$out"
      return 0
    else
      status=$?
    fi
    code=$(grep -Eo "\\\\(($done_codes)\\\\)" "$errors" | head -n 1)
    if [ -n "$code" ]; then
      echo "fleetmesh: $what: az answered $code" >&2
      return 100
    fi
    code=$(grep -Eo "\\\\(($transient)\\\\)" "$errors" | head -n 1)
    if [ -z "$code" ]; then
      cat "$errors" >&2
      echo "fleetmesh: $what failed (az exit $status): not a transient error, not retried" >&2
      return $status
    fi
    if [ "$n" -ge "$attempts" ]; then
      cat "$errors" >&2
      echo "fleetmesh: $what still answered $code after $n attempts \${delay}s apart: giving up" >&2
      return 1
    fi
    echo "fleetmesh: $what: attempt $n of $attempts answered $code; retrying in \${delay}s" >&2
    n=$((n + 1))
    sleep "$delay"
  done
}
`;

// Every az call names the subscription, resource group, fleet and member.
const SCOPE = `--subscription "$${MEMBER_ENV.subscription}" --resource-group "$${MEMBER_ENV.resourceGroup}" --fleet-name "$${MEMBER_ENV.fleet}" --name "$${MEMBER_ENV.member}"`;

const CREATE_FN = `create_member() {
  if [ -n "$${MEMBER_ENV.labels}" ]; then
    az fleet member create ${SCOPE} --member-cluster-id "$${MEMBER_ENV.clusterId}" --labels "$${MEMBER_ENV.labels}" --query id -o tsv --only-show-errors
  else
    az fleet member create ${SCOPE} --member-cluster-id "$${MEMBER_ENV.clusterId}" --query id -o tsv --only-show-errors
  fi
}
`;

const UPDATE_FN = `update_member() {
  az fleet member update ${SCOPE} --labels "$${MEMBER_ENV.labels}" --query id -o tsv --only-show-errors
}
`;

const DELETE_FN = `delete_member() {
  az fleet member delete ${SCOPE} --yes --only-show-errors
}
`;

const NOTHING = "NoSuchCode";
const JOIN = `retry "joining member $${MEMBER_ENV.member} to fleet $${MEMBER_ENV.fleet}" '${codes(JOIN_TRANSIENT_CODES)}' '${NOTHING}' create_member`;

/** Joins the member (PUT, create or replace), printing its ARM id. */
export function fleetMemberCreateScript(): string {
  return `${HELPERS}${CREATE_FN}${JOIN}\n`;
}

/**
 * Writes the member's labels (PATCH), printing its ARM id; a member that is gone (deleted outside this
 * program) is joined again instead.
 */
export function fleetMemberUpdateScript(): string {
  const relabel = `retry "relabelling member $${MEMBER_ENV.member} of fleet $${MEMBER_ENV.fleet}" '${codes(JOIN_TRANSIENT_CODES)}' 'ResourceNotFound' update_member`;
  return `${HELPERS}${CREATE_FN}${UPDATE_FN}${relabel}
status=$?
[ "$status" -eq 100 ] || exit "$status"
echo "fleetmesh: member $${MEMBER_ENV.member} is gone from fleet $${MEMBER_ENV.fleet}: joining it again" >&2
${JOIN}
`;
}

/** Leaves the fleet; a member already gone (or whose fleet or resource group is gone) has nothing to leave. */
export function fleetMemberDeleteScript(): string {
  const leave = `retry "removing member $${MEMBER_ENV.member} from fleet $${MEMBER_ENV.fleet}" '${codes(LEAVE_TRANSIENT_CODES)}' '${codes(GONE_CODES)}' delete_member`;
  return `${HELPERS}${DELETE_FN}${leave}
status=$?
[ "$status" -eq 100 ] && exit 0
exit "$status"
`;
}
