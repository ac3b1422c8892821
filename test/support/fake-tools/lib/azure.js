// A model of the Azure resources fleetmesh's scripts and ARM resources touch: resource groups, AKS
// clusters (only as something a fleet member points at), Fleets, Fleet members with labels, and
// ClusterMeshProfiles with a label selector and a long-running `apply`. Shared by the fake `az`
// (az.js) and the TS API (index.ts, FakeAzureState), so ARM-resource mocks and scripts see one Azure.
//
// Behaviour and where it comes from:
// - `fleet member create` answers DependentResourceNotFound for the first calls after a cluster
//   appears (the Fleet RP lags the AKS RP by 30-60 s), and ManagedClusterNotInExpectedState while
//   the cluster is still updating: Azure/telescope modules/terraform/azure/fleet/main.tf (its
//   member-create retry loop and the reasons it gives).
// - `clustermeshprofile apply` is a long-running POST; while it runs, another apply (or a write to
//   the profile) is refused with AnotherOperationInProgress, and the profile's
//   properties.provisioningState reads Applying: Azure/telescope
//   steps/topology/clustermesh-scale/staged-fleet-enrollment.sh (apply_profile treats
//   ResourceNotFinalState|OperationNotAllowed|AnotherOperationInProgress as "still active") and
//   reuse/reset-fleet-overlay.sh (re-applies only when the profile is not Applying|Updating|Creating).
// - Members selected by an applied profile reach meshProperties.status.state Connected (or Failed)
//   some time after the apply, and deselected ones leave the same way; `list-members` lists the
//   members applied to the profile, `--selector` those its selector picks:
//   Azure/azure-cli-extensions src/fleet/azext_fleet/tests/latest/test_fleet_clustermesh_scenario.py
//   (list-members before and after apply, `wait --custom "properties.status.state=='Connected'"`,
//   member `meshProperties.status.state`, what-if rows with Name/Action/ErrorMessage, and a member
//   already in another profile reported as an Error naming it).
// - A profile that still has members cannot be deleted (CannotDeleteClusterMeshProfileWithMembers):
//   Azure/telescope modules/terraform/azure/fleet/main.tf (destroy provisioner).
// - Deletes of absent resources succeed (ARM DELETE answers 204 for a resource that is not there).
// - Only `key=value` selectors: ClusterMeshProfileProperties.memberSelector in the Fleet API
//   (Microsoft docs for @azure/arm-containerservicefleet, ClusterMeshProfileProperties).
// Time: the real `az ... apply` waits for the POST's long-running operation unless --no-wait; the
// fake returns once the apply is accepted and the operation runs on for settings.applyTicks, so two
// scripts that apply one profile meet the running apply deterministically, whatever their timing.
// Model choices where no source says: state names other than Connected, Failed and NotConnected
// ("Connecting", "Disconnecting", "Updating"), the wording of messages under the documented codes,
// `member update --labels` replacing the label map (settings.memberUpdateLabels can make it merge),
// deleting a meshed member being accepted (settings.memberDeleteWhileMeshed can refuse it, with the
// MemberBelongsToClusterMesh code telescope's main.tf names; telescope
// deletes members before the profile), and writes to a profile refused while it applies.
"use strict";

class AzureError extends Error {
  /** `status` is the HTTP status ARM would answer with (404: az exits 3). */
  constructor(code, message, status = 400) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

const PROVIDER = "Microsoft.ContainerService";

const ids = {
  resourceGroup: (sub, rg) => `/subscriptions/${sub}/resourceGroups/${rg}`,
  cluster: (sub, rg, name) => `${ids.resourceGroup(sub, rg)}/providers/${PROVIDER}/managedClusters/${name}`,
  fleet: (sub, rg, name) => `${ids.resourceGroup(sub, rg)}/providers/${PROVIDER}/fleets/${name}`,
  member: (sub, rg, fleet, name) => `${ids.fleet(sub, rg, fleet)}/members/${name}`,
  profile: (sub, rg, fleet, name) => `${ids.fleet(sub, rg, fleet)}/clusterMeshProfiles/${name}`,
};

/** ARM ids compare case-insensitively. */
const key = (id) => id.toLowerCase();

/** The parts of an ARM id; undefined when it is not one (azure-mgmt-core is_valid_resource_id, roughly). */
function parseId(id) {
  const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/([^/]+)\/([^/]+)(?:\/([^/]+)\/([^/]+))?$/i.exec(
    id ?? "",
  );
  if (!m) return undefined;
  return { subscription: m[1], resourceGroup: m[2], namespace: m[3], type: m[4], name: m[5], childType: m[6], childName: m[7] };
}

function notFound(type, name, rg) {
  return new AzureError(
    "ResourceNotFound",
    `The Resource '${type}/${name}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    404,
  );
}

function requireResourceGroup(state, sub, rg) {
  const group = state.azure.resourceGroups[key(ids.resourceGroup(sub, rg))];
  if (!group) throw new AzureError("ResourceGroupNotFound", `Resource group '${rg}' could not be found.`, 404);
  return group;
}

function requireFleet(state, sub, rg, fleet) {
  requireResourceGroup(state, sub, rg);
  const found = state.azure.fleets[key(ids.fleet(sub, rg, fleet))];
  if (!found) {
    throw new AzureError(
      "ParentResourceNotFound",
      `Can not perform requested operation on nested resource. Parent resource '${fleet}' not found.`,
      404,
    );
  }
  return found;
}

function settings(state) {
  return state.azure.settings;
}

// ---- time ----

/** Finishes what has finished by now: applies that ran their course, members that joined or left. */
function settle(state) {
  const now = state.clock;
  for (const profile of Object.values(state.azure.profiles)) {
    if (profile.operation && profile.operation.doneAt <= now) {
      profile.provisioningState = "Succeeded";
      delete profile.operation;
    }
  }
  for (const member of Object.values(state.azure.members)) {
    const mesh = member.mesh;
    if (!mesh || mesh.readyAt === undefined || mesh.readyAt > now) continue;
    if (mesh.phase === "joining") {
      member.mesh = { profileId: mesh.profileId, phase: mesh.outcome === "Failed" ? "failed" : "connected", since: mesh.readyAt };
    } else if (mesh.phase === "leaving") delete member.mesh;
  }
}

// ---- writes ----

function putResourceGroup(state, { subscription, name, location = "eastus" }) {
  const id = ids.resourceGroup(subscription, name);
  state.azure.resourceGroups[key(id)] = { id, name, location, subscription };
  return id;
}

/**
 * An AKS cluster as the Fleet RP will see it: `lagCalls` member-create calls answered
 * DependentResourceNotFound (default settings.memberCreateLagCalls), then `notReadyCalls` answered
 * ManagedClusterNotInExpectedState (a second update still running, e.g. ACNS).
 */
function putManagedCluster(state, { subscription, resourceGroup, name, location = "eastus", lagCalls, notReadyCalls = 0 }) {
  requireResourceGroup(state, subscription, resourceGroup);
  const id = ids.cluster(subscription, resourceGroup, name);
  state.azure.clusters[key(id)] = {
    id,
    name,
    resourceGroup,
    subscription,
    location,
    provisioningState: "Succeeded",
    lagCalls: lagCalls ?? settings(state).memberCreateLagCalls,
    notReadyCalls,
    createdTick: state.clock,
  };
  return id;
}

function deleteManagedCluster(state, id) {
  delete state.azure.clusters[key(id)];
}

function putFleet(state, { subscription, resourceGroup, name, location = "eastus" }) {
  requireResourceGroup(state, subscription, resourceGroup);
  const id = ids.fleet(subscription, resourceGroup, name);
  state.azure.fleets[key(id)] = { id, name, resourceGroup, subscription, location, provisioningState: "Succeeded" };
  return id;
}

/** `PUT .../members/{name}` (az fleet member create): create or replace, after the Fleet RP's checks of the cluster. */
function createMember(state, { subscription, resourceGroup, fleet, name, clusterResourceId, labels = {}, group, joinFailures = 0 }) {
  requireFleet(state, subscription, resourceGroup, fleet);
  const cluster = state.azure.clusters[key(clusterResourceId)];
  // The Fleet RP cannot tell a cluster it does not see yet from one that does not exist.
  const dependentNotFound = () =>
    new AzureError(
      "DependentResourceNotFound",
      `The managed cluster '${clusterResourceId}' was not found by the fleet resource provider.`,
      400,
    );
  if (!cluster) throw dependentNotFound();
  if (cluster.lagCalls > 0) {
    cluster.lagCalls -= 1;
    throw dependentNotFound();
  }
  if (cluster.notReadyCalls > 0) {
    cluster.notReadyCalls -= 1;
    throw new AzureError(
      "ManagedClusterNotInExpectedState",
      `The managed cluster '${clusterResourceId}' is not in an expected state: its provisioning state is Updating.`,
      409,
    );
  }
  const id = ids.member(subscription, resourceGroup, fleet, name);
  const existing = state.azure.members[key(id)];
  state.azure.members[key(id)] = {
    id,
    name,
    fleetId: ids.fleet(subscription, resourceGroup, fleet),
    resourceGroup,
    subscription,
    clusterResourceId: cluster.id,
    labels: { ...labels },
    ...(group !== undefined ? { group } : {}),
    provisioningState: "Succeeded",
    joinFailures: existing?.joinFailures ?? joinFailures,
    ...(existing?.mesh ? { mesh: existing.mesh } : {}),
  };
  return state.azure.members[key(id)];
}

function requireMember(state, sub, rg, fleet, name) {
  requireFleet(state, sub, rg, fleet);
  const member = state.azure.members[key(ids.member(sub, rg, fleet, name))];
  if (!member) throw notFound(`${PROVIDER}/fleets/${fleet}/members`, name, rg);
  return member;
}

/** `PATCH .../members/{name}` (az fleet member update). */
function updateMember(state, { subscription, resourceGroup, fleet, name, labels, group }) {
  const member = requireMember(state, subscription, resourceGroup, fleet, name);
  if (labels !== undefined)
    member.labels = settings(state).memberUpdateLabels === "merge" ? { ...member.labels, ...labels } : { ...labels };
  if (group !== undefined) member.group = group;
  return member;
}

/** `DELETE .../members/{name}`: absent is fine. */
function deleteMember(state, { subscription, resourceGroup, fleet, name }) {
  requireFleet(state, subscription, resourceGroup, fleet);
  const k = key(ids.member(subscription, resourceGroup, fleet, name));
  const member = state.azure.members[k];
  if (!member) return false;
  if (member.mesh && settings(state).memberDeleteWhileMeshed === "refuse") {
    // The code Azure/telescope modules/terraform/azure/fleet/main.tf names for this refusal; the message is the model's.
    throw new AzureError(
      "MemberBelongsToClusterMesh",
      `Fleet member '${name}' is still in cluster mesh profile '${member.mesh.profileId.split("/").pop()}'.`,
      409,
    );
  }
  delete state.azure.members[k];
  return true;
}

function parseSelector(text) {
  const m = /^([^=\s]+)=([^=\s]*)$/.exec(text ?? "");
  if (!m) throw new AzureError("InvalidParameter", `memberSelector '${text}' is invalid: only one key=value label is accepted.`, 400);
  return { key: m[1], value: m[2] };
}

function requireProfile(state, sub, rg, fleet, name) {
  requireFleet(state, sub, rg, fleet);
  const profile = state.azure.profiles[key(ids.profile(sub, rg, fleet, name))];
  if (!profile) throw notFound(`${PROVIDER}/fleets/${fleet}/clusterMeshProfiles`, name, rg);
  return profile;
}

function refuseWhileApplying(profile) {
  if (profile && profile.operation) {
    throw new AzureError(
      "AnotherOperationInProgress",
      `Another operation (apply) is in progress on cluster mesh profile '${profile.name}'. Please retry after it completes.`,
      409,
    );
  }
}

/** `PUT .../clusterMeshProfiles/{name}` (az fleet clustermeshprofile create): create or replace the selector. */
function putProfile(state, { subscription, resourceGroup, fleet, name, memberSelector }) {
  requireFleet(state, subscription, resourceGroup, fleet);
  parseSelector(memberSelector);
  const id = ids.profile(subscription, resourceGroup, fleet, name);
  const existing = state.azure.profiles[key(id)];
  refuseWhileApplying(existing);
  state.azure.profiles[key(id)] = {
    id,
    name,
    fleetId: ids.fleet(subscription, resourceGroup, fleet),
    resourceGroup,
    subscription,
    memberSelector: { byLabel: memberSelector },
    provisioningState: "Succeeded",
  };
  return state.azure.profiles[key(id)];
}

function fleetMembers(state, fleetId) {
  return Object.values(state.azure.members)
    .filter((m) => key(m.fleetId) === key(fleetId))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

function selects(profile, member) {
  const { key: k, value } = parseSelector(profile.memberSelector.byLabel);
  return member.labels[k] === value;
}

function inProfile(member, profile) {
  return member.mesh !== undefined && key(member.mesh.profileId) === key(profile.id);
}

/** What an apply of `profile` would do to each member of its fleet (the rows of `apply --what-if`). */
function applyPlan(state, profile) {
  const rows = [];
  for (const member of fleetMembers(state, profile.fleetId)) {
    const selected = selects(profile, member);
    const mine = inProfile(member, profile);
    let action;
    let error;
    if (selected && member.mesh && !mine) {
      action = "Error";
      error = `Fleet member '${member.name}' is already a member of cluster mesh profile '${member.mesh.profileId.split("/").pop()}'.`;
    } else if (selected) action = mine && member.mesh.phase !== "leaving" && member.mesh.phase !== "failed" ? "-" : "Add";
    else if (mine && member.mesh.phase !== "leaving") action = "Remove";
    else continue;
    rows.push({ member, action, error });
  }
  return rows;
}

/**
 * `POST .../clusterMeshProfiles/{name}/apply`: refused while an apply runs; otherwise the profile
 * applies for settings.applyTicks, selected members start joining and deselected ones leaving.
 */
function applyProfile(state, { subscription, resourceGroup, fleet, name }) {
  const profile = requireProfile(state, subscription, resourceGroup, fleet, name);
  refuseWhileApplying(profile);
  const now = state.clock;
  const { applyTicks, connectTicks, disconnectTicks } = settings(state);
  for (const { member, action } of applyPlan(state, profile)) {
    if (action === "Add") {
      const fails = member.joinFailures > 0;
      if (fails) member.joinFailures -= 1;
      member.mesh = {
        profileId: profile.id,
        phase: "joining",
        since: now,
        readyAt: now + connectTicks,
        outcome: fails ? "Failed" : "Connected",
      };
    } else if (action === "Remove") member.mesh = { profileId: profile.id, phase: "leaving", since: now, readyAt: now + disconnectTicks };
  }
  profile.provisioningState = "Applying";
  profile.operation = { kind: "apply", startedAt: now, doneAt: now + applyTicks };
  return profile;
}

/** `DELETE .../clusterMeshProfiles/{name}`: absent is fine; refused while it has members or applies. */
function deleteProfile(state, { subscription, resourceGroup, fleet, name }) {
  requireFleet(state, subscription, resourceGroup, fleet);
  const k = key(ids.profile(subscription, resourceGroup, fleet, name));
  const profile = state.azure.profiles[k];
  if (!profile) return false;
  refuseWhileApplying(profile);
  if (Object.values(state.azure.members).some((m) => inProfile(m, profile))) {
    throw new AzureError(
      "CannotDeleteClusterMeshProfileWithMembers",
      `Cluster mesh profile '${name}' still has members. Disconnect them (change the selector and apply) before deleting it.`,
      409,
    );
  }
  delete state.azure.profiles[k];
  return true;
}

// ---- reads (views as the az CLI prints them) ----

const MESH_STATE = { joining: "Connecting", connected: "Connected", failed: "Failed", leaving: "Disconnecting" };

function memberMeshState(member) {
  return member.mesh ? MESH_STATE[member.mesh.phase] : undefined;
}

/** A member as `az fleet member show/list` and `clustermeshprofile list-members` print it (properties flattened). */
function memberView(member) {
  return {
    clusterResourceId: member.clusterResourceId,
    eTag: `"${member.name}-etag"`,
    group: member.group ?? null,
    id: member.id,
    labels: { ...member.labels },
    meshProperties: member.mesh
      ? { clusterMeshProfileResourceId: member.mesh.profileId, status: { state: memberMeshState(member) } }
      : null,
    name: member.name,
    provisioningState: member.provisioningState,
    resourceGroup: member.resourceGroup,
    status: { lastOperationError: null, lastOperationId: null },
    systemData: null,
    type: `${PROVIDER}/fleets/members`,
  };
}

/** The profile's overall state (model names but Connected and NotConnected). */
function profileState(state, profile) {
  const members = Object.values(state.azure.members).filter((m) => inProfile(m, profile));
  if (members.length === 0) return "NotConnected";
  if (members.some((m) => m.mesh.phase === "joining" || m.mesh.phase === "leaving")) return "Updating";
  if (members.some((m) => m.mesh.phase === "failed")) return "Failed";
  return "Connected";
}

function profileView(state, profile) {
  return {
    eTag: `"${profile.name}-etag"`,
    id: profile.id,
    name: profile.name,
    properties: {
      memberSelector: { ...profile.memberSelector },
      provisioningState: profile.provisioningState,
      status: { state: profileState(state, profile) },
    },
    resourceGroup: profile.resourceGroup,
    systemData: null,
    type: `${PROVIDER}/fleets/clusterMeshProfiles`,
  };
}

function fleetView(fleet) {
  return {
    id: fleet.id,
    location: fleet.location,
    name: fleet.name,
    provisioningState: fleet.provisioningState,
    resourceGroup: fleet.resourceGroup,
    type: `${PROVIDER}/fleets`,
  };
}

/** Any modelled resource the way `az resource show --ids` prints it: ARM's own shape, properties nested. */
function armView(state, id) {
  const k = key(id);
  const member = state.azure.members[k];
  if (member) {
    const { id: _id, name, resourceGroup: _rg, type, eTag, systemData: _sd, ...properties } = memberView(member);
    return { eTag, id: member.id, name, properties, resourceGroup: member.resourceGroup, type };
  }
  const profile = state.azure.profiles[k];
  if (profile) return profileView(state, profile);
  const fleet = state.azure.fleets[k];
  if (fleet) {
    const { provisioningState, ...rest } = fleetView(fleet);
    return { ...rest, properties: { provisioningState } };
  }
  const cluster = state.azure.clusters[k];
  if (cluster) {
    return {
      id: cluster.id,
      location: cluster.location,
      name: cluster.name,
      properties: { provisioningState: cluster.provisioningState },
      resourceGroup: cluster.resourceGroup,
      type: `${PROVIDER}/managedClusters`,
    };
  }
  const parts = parseId(id);
  if (!parts) throw new AzureError("InvalidResourceId", `'${id}' is not a valid resource id.`, 400);
  const type = parts.childType ? `${parts.namespace}/${parts.type}/${parts.name}/${parts.childType}` : `${parts.namespace}/${parts.type}`;
  throw notFound(type, parts.childName ?? parts.name, parts.resourceGroup);
}

module.exports = {
  AzureError,
  ids,
  key,
  parseId,
  settle,
  putResourceGroup,
  putManagedCluster,
  deleteManagedCluster,
  putFleet,
  requireFleet,
  createMember,
  requireMember,
  updateMember,
  deleteMember,
  putProfile,
  requireProfile,
  applyPlan,
  applyProfile,
  deleteProfile,
  fleetMembers,
  selects,
  inProfile,
  memberMeshState,
  memberView,
  profileView,
  fleetView,
  armView,
};
