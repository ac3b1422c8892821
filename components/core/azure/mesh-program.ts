// The program that runs an Azure Fleet cluster mesh profile's lifecycle, the part azure-native does not
// model (`az fleet clustermeshprofile apply` is a POST action, members leave and join over minutes).
// Plain JavaScript source run by `node` on the machine running `pulumi` (the Command hands it over on
// stdin, the preview probe with `node -e`); it drives the `az` CLI with the fleet extension. No Pulumi
// here: tests run it against the fake `az`.
//
// What it relies on, and where that comes from:
// - Members are selected by the profile's `memberSelector.byLabel`, and a label change takes effect
//   only on `apply`; `apply --what-if` lists each member's Action (Add, Remove, "-", or Error naming
//   the profile that holds it); `list-members` lists the members applied to the profile with their
//   `meshProperties.status.state`: Azure/azure-cli-extensions
//   src/fleet/azext_fleet/tests/latest/test_fleet_clustermesh_scenario.py, and MicrosoftDocs
//   azure-aks-docs articles/kubernetes-fleet/howto-configure-use-cross-cluster-networking.md.
// - A member is in one mesh at a time; a connection attempt ends Failed after 15 minutes, and the fix
//   is another apply; a mesh with members cannot be deleted, nor can a meshed member leave the fleet;
//   teardown is "select nobody, apply, wait for an empty list-members": the same how-to.
// - While an apply runs, another apply or a write to the profile is refused with
//   AnotherOperationInProgress (also ResourceNotFinalState, OperationNotAllowed): the apply is "still
//   active" and the way on is to poll, re-applying only once the profile is no longer
//   Applying/Updating/Creating: Azure/telescope steps/topology/clustermesh-scale/staged-fleet-enrollment.sh
//   (apply_profile) and reuse/reset-fleet-overlay.sh (relabel members one by one, one apply, poll
//   list-members, nudge with an apply when the profile is idle).
// - `--labels` takes ONE word of space-separated key=value labels (azext_fleet/_params.py labels_type
//   has a `type` and no `nargs`); Fleet's own `fleet.azure.com/*` labels are read-only (Azure/fleet#1146).
//
// Modes (the last argument):
//   reconcile  relabel the members this mesh lost since the last run (read from PULUMI_COMMAND_STDOUT),
//              free declared members held by another profile, apply, and poll until every declared
//              member is Connected (a Failed one is re-applied once) and every lost one has left;
//              prints the record the next run reads.
//   teardown   switch the selector to one that picks nobody, apply, poll until no member is left.
//   check      read-only: the fleet members the selector picks that the program does not declare
//              (from `apply --what-if` when the profile already has this selector, else from the
//              members' labels); prints JSON, exits 0 even when az cannot answer.
// Settings read from the environment of the process running `pulumi` (not from the resource's
// inputs, so changing them never re-applies): FLEETMESH_MESH_TIMEOUT_SECONDS (default 3600, the
// overall budget of one run), FLEETMESH_MESH_POLL_SECONDS (default 20, telescope's poll interval).

/** The JSON key of the record a reconcile prints on stdout: the members it declared. */
export const MESH_RECORD_KEY = "fleetmeshMeshMembers";

/** The value a lost member's mesh label is overwritten with (a label write cannot remove a key under merge semantics). */
export const DETACHED_LABEL_VALUE = "fleetmesh-detached";

/** The label key of the selector a mesh is switched to before its profile is deleted; no member carries it. */
export const MESH_TEARDOWN_LABEL_KEY = "fleetmesh.io/mesh-teardown";

/**
 * The program's source (String.raw: its backslashes are JavaScript's). The only substitutions are the
 * three constants above; the program itself uses no template literals.
 */
export const MESH_PROGRAM = String.raw`"use strict";
const { spawnSync } = require("child_process");

class Failure extends Error {}

const RECORD_KEY = "${MESH_RECORD_KEY}";
const DETACHED_VALUE = "${DETACHED_LABEL_VALUE}";
const TEARDOWN_KEY = "${MESH_TEARDOWN_LABEL_KEY}";
const FLEET_OWNED_PREFIX = "fleet.azure.com/";
const TRANSIENT = ["AnotherOperationInProgress", "ResourceNotFinalState", "OperationNotAllowed", "TooManyRequests", "InternalServerError", "ServiceUnavailable", "GatewayTimeout"];
const NOT_FOUND = ["ResourceNotFound", "ParentResourceNotFound", "ResourceGroupNotFound"];
const BUSY = ["Applying", "Updating", "Creating", "Deleting"];
const TERMINAL = ["Connected", "Failed"];
const APPLY_CALL_SECONDS = 900;

const env = process.env;
const started = Date.now();
let slept = 0;
let timeoutSeconds = 3600;
let pollSeconds = 20;
let retryTransient = true;
let target;

function seconds(name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!/^[1-9][0-9]*$/.test(raw)) throw new Failure(name + " must be a whole number of seconds above 0, not " + JSON.stringify(raw));
  return Number(raw);
}

function required(name) {
  const value = env[name];
  if (!value) throw new Failure(name + " is not set");
  return value;
}

function names(text) {
  return (text || "").split(",").filter((n) => n !== "").sort();
}

function log(message) {
  process.stderr.write("fleetmesh: " + message + "\n");
}

function elapsed() {
  return Math.max(slept, Math.floor((Date.now() - started) / 1000));
}

function pause(waitingFor) {
  if (elapsed() + pollSeconds > timeoutSeconds) {
    throw new Failure("timed out after " + timeoutSeconds + " s (FLEETMESH_MESH_TIMEOUT_SECONDS) waiting for " + waitingFor);
  }
  const result = spawnSync("sleep", [String(pollSeconds)], { stdio: "ignore" });
  if (result.error || result.status !== 0) throw new Failure("sleep " + pollSeconds + " failed");
  slept += pollSeconds;
}

// ---- az ----

function errorCode(stderr) {
  const match = /^Code: *(\S+)/m.exec(stderr) || /^ERROR: \((\w+)\)/m.exec(stderr);
  return match ? match[1] : undefined;
}

function az(args, limitSeconds) {
  const all = args.concat(target.subscription ? ["--subscription", target.subscription] : [], ["--only-show-errors"]);
  const result = spawnSync("az", all, { encoding: "utf8", maxBuffer: 1 << 26, timeout: limitSeconds ? limitSeconds * 1000 : undefined });
  if (result.error && result.error.code === "ENOENT") {
    throw new Failure("az is not on PATH: the Azure CLI with the fleet extension runs the cluster mesh profile steps");
  }
  const stderr = result.stderr || "";
  return {
    ok: result.status === 0,
    status: result.status,
    stdout: result.stdout || "",
    stderr,
    code: errorCode(stderr),
    timedOut: !!(result.error && result.error.code === "ETIMEDOUT"),
    command: "az " + args.join(" "),
  };
}

function isNotFound(result) {
  return result.status === 3 || NOT_FOUND.includes(result.code);
}

function isTransient(result) {
  return result.timedOut || TRANSIENT.includes(result.code);
}

function failureOf(result) {
  const why = result.timedOut ? "timed out" : "exit " + result.status;
  return new Failure(result.command + " failed (" + why + "):\n" + result.stderr.replace(/\s+$/, ""));
}

/** Runs az, waiting out transient refusals (within the time budget). */
function call(args, what) {
  for (;;) {
    const result = az(args);
    if (result.ok || !isTransient(result) || !retryTransient) return result;
    log(result.command + ": " + result.code + ", retrying in " + pollSeconds + " s");
    pause(what + " (az kept answering " + result.code + ")");
  }
}

function parsed(result) {
  if (!result.ok) throw failureOf(result);
  const text = result.stdout.trim();
  try {
    return text === "" ? null : JSON.parse(text);
  } catch (error) {
    throw new Failure(result.command + " printed what is not JSON: " + text.slice(0, 200));
  }
}

function fleetArgs() {
  return ["--resource-group", target.group, "--fleet-name", target.fleet];
}

function profileArgs(name) {
  return fleetArgs().concat(["--name", name]);
}

function showProfile(name) {
  const result = call(["fleet", "clustermeshprofile", "show"].concat(profileArgs(name), ["-o", "json"]), "profile " + name);
  return isNotFound(result) ? null : parsed(result);
}

function listProfiles() {
  return parsed(call(["fleet", "clustermeshprofile", "list"].concat(fleetArgs(), ["-o", "json"]), "the fleet's profiles")) || [];
}

function fleetMembers() {
  return parsed(call(["fleet", "member", "list"].concat(fleetArgs(), ["-o", "json"]), "the fleet's members")) || [];
}

function meshState(member) {
  const mesh = member.meshProperties;
  return (mesh && mesh.status && mesh.status.state) || "Unknown";
}

function profileMembers(name) {
  const listed = parsed(call(["fleet", "clustermeshprofile", "list-members"].concat(profileArgs(name), ["-o", "json"]), "members of " + name));
  return new Map((listed || []).map((m) => [m.name, meshState(m)]));
}

function whatIf(name) {
  return parsed(call(["fleet", "clustermeshprofile", "apply", "--what-if"].concat(profileArgs(name), ["-o", "json"]), "what-if of " + name)) || [];
}

function byLabelOf(profile) {
  const properties = (profile && profile.properties) || {};
  return properties.memberSelector ? properties.memberSelector.byLabel : undefined;
}

function isIdle(name) {
  const profile = showProfile(name);
  if (!profile) throw new Failure("cluster mesh profile " + name + " of fleet " + target.fleet + " no longer exists");
  return !BUSY.includes((profile.properties || {}).provisioningState);
}

function selects(byLabel, labels) {
  const at = (byLabel || "").indexOf("=");
  if (at <= 0 || !labels) return false;
  const key = byLabel.slice(0, at);
  return Object.prototype.hasOwnProperty.call(labels, key) && labels[key] === byLabel.slice(at + 1);
}

/** One apply; false when another is still running (it is polled, not retried at once). */
function tryApply(name) {
  const limit = Math.max(1, Math.min(APPLY_CALL_SECONDS, timeoutSeconds - elapsed()));
  const result = az(["fleet", "clustermeshprofile", "apply"].concat(profileArgs(name), ["-o", "none"]), limit);
  if (result.ok) {
    log("applied cluster mesh profile " + name);
    return true;
  }
  if (isTransient(result)) {
    log("an apply of " + name + " is still running (" + (result.code || "az timed out") + "): polling");
    return false;
  }
  throw failureOf(result);
}

/** Writes the profile's selector (clustermeshprofile create is create-or-update), waiting out a running apply. */
function ensureSelector(name, byLabel) {
  const profile = showProfile(name);
  if (!profile) throw new Failure("cluster mesh profile " + name + " does not exist in fleet " + target.fleet + " (resource group " + target.group + ")");
  if (byLabelOf(profile) === byLabel) return;
  const result = call(["fleet", "clustermeshprofile", "create"].concat(profileArgs(name), ["--member-selector", byLabel, "-o", "none"]), "the selector of " + name);
  if (!result.ok) throw failureOf(result);
  log("set the selector of " + name + " to " + byLabel);
}

function describe(states, members) {
  return members.map((m) => m + " " + (states.get(m) || "absent")).join(", ");
}

// ---- reconcile ----

function previousMembers() {
  const lines = (env.PULUMI_COMMAND_STDOUT || "").split("\n").reverse();
  for (const line of lines) {
    try {
      const record = JSON.parse(line);
      if (record && Array.isArray(record[RECORD_KEY])) return record[RECORD_KEY].filter((n) => typeof n === "string");
    } catch (error) {
      // not the record line
    }
  }
  return [];
}

function requireDeclaredSelected(declared, byLabel, byName) {
  for (const name of declared) {
    const member = byName.get(name);
    if (!member) throw new Failure("fleet member " + name + " does not exist in fleet " + target.fleet + ": it must join the fleet before the mesh applies");
    if (!selects(byLabel, member.labels)) {
      throw new Failure("fleet member " + name + " has labels " + JSON.stringify(member.labels || {}) + ", which the selector " + byLabel + " of " + target.profile + " does not match");
    }
  }
}

/** Takes the members this mesh lost off its selector, one by one, before the one apply. */
function relabelLost(lost, byLabel, byName) {
  const key = byLabel.slice(0, byLabel.indexOf("="));
  for (const name of lost) {
    const member = byName.get(name);
    if (!member) {
      log(name + " is no longer a fleet member: nothing to relabel");
      continue;
    }
    if (!selects(byLabel, member.labels)) continue;
    if (key.startsWith(FLEET_OWNED_PREFIX)) {
      throw new Failure("fleet member " + name + " is selected by " + byLabel + ", a label Azure Fleet sets itself: it cannot leave " + target.profile + " unless the selector changes");
    }
    const labels = member.labels || {};
    const word = Object.keys(labels)
      .filter((k) => !k.startsWith(FLEET_OWNED_PREFIX))
      .sort()
      .map((k) => k + "=" + (k === key ? DETACHED_VALUE : labels[k]))
      .join(" ");
    const result = call(["fleet", "member", "update"].concat(fleetArgs(), ["--name", name, "--labels", word, "-o", "none"]), "the labels of " + name);
    if (!result.ok) throw failureOf(result);
    log("relabelled " + name + " (" + key + "=" + DETACHED_VALUE + ") so that " + target.profile + " no longer selects it");
  }
}

/** Members of this mesh still held by another profile of the fleet leave it first (a member is in one mesh at a time). */
function releaseFromOtherProfiles(declared, byName) {
  for (const profile of listProfiles()) {
    if (!profile.name || profile.name.toLowerCase() === target.profile.toLowerCase()) continue;
    const members = profileMembers(profile.name);
    const held = declared.filter((m) => members.has(m));
    if (held.length === 0) continue;
    const still = held.filter((m) => selects(byLabelOf(profile), (byName.get(m) || {}).labels));
    if (still.length > 0) {
      throw new Failure(
        "fleet members " + still.join(", ") + " are selected by cluster mesh profile " + profile.name + " (" + byLabelOf(profile) + ") as well as by " + target.profile +
          ": a member is in one mesh at a time; change their labels or that profile's selector",
      );
    }
    log(held.join(", ") + " must leave cluster mesh profile " + profile.name + " before joining " + target.profile);
    waitUntilLeft(profile.name, held);
  }
}

function waitUntilLeft(name, leaving) {
  for (;;) {
    const states = profileMembers(name);
    const still = leaving.filter((m) => states.has(m));
    if (still.length === 0) return;
    if (isIdle(name) && whatIf(name).some((row) => row.Action === "Remove" && still.includes(row.Name))) tryApply(name);
    pause("members to leave " + name + ": " + describe(states, still));
  }
}

function converge(declared, lost) {
  let failedReapply = "none";
  let last = "";
  for (;;) {
    const states = profileMembers(target.profile);
    const joining = declared.filter((m) => !TERMINAL.includes(states.get(m)));
    const leaving = lost.filter((m) => states.has(m));
    const failed = declared.filter((m) => states.get(m) === "Failed");
    const summary = describe(states, declared.concat(leaving));
    if (summary !== last) log(target.profile + ": " + summary);
    last = summary;
    if (joining.length === 0 && leaving.length === 0) {
      if (failed.length === 0) return Object.fromEntries(declared.map((m) => [m, states.get(m)]));
      if (failedReapply === "done") {
        throw new Failure(
          "fleet members " + failed.join(", ") + " are Failed in " + target.profile + " again after a re-apply. Fleet gives a connection 15 minutes; " +
            "check that each cluster identity may manage its subnet (Network Contributor) and that the clustermesh-apiserver Service got an internal load balancer address",
        );
      }
      if (failedReapply === "none") log("fleet members " + failed.join(", ") + " are Failed in " + target.profile + ": re-applying once");
      failedReapply = "pending";
      if (isIdle(target.profile) && tryApply(target.profile)) failedReapply = "done";
    } else if (isIdle(target.profile)) {
      const rows = whatIf(target.profile);
      const needed = rows.filter(
        (row) => (row.Action === "Add" && declared.includes(row.Name) && states.get(row.Name) !== "Failed") || (row.Action === "Remove" && lost.includes(row.Name)),
      );
      const held = rows.filter((row) => row.Action === "Error" && declared.includes(row.Name));
      if (held.length > 0) releaseFromOtherProfiles(declared, new Map(fleetMembers().map((m) => [m.name, m])));
      else if (needed.length > 0) tryApply(target.profile);
    }
    pause("the members of " + target.profile + " to settle: " + summary);
  }
}

function reconcile() {
  const byLabel = required("FLEETMESH_MESH_SELECTOR");
  const declared = names(env.FLEETMESH_MESH_MEMBERS);
  const lost = previousMembers().filter((m) => !declared.includes(m)).sort();
  ensureSelector(target.profile, byLabel);
  const byName = new Map(fleetMembers().map((m) => [m.name, m]));
  requireDeclaredSelected(declared, byLabel, byName);
  relabelLost(lost, byLabel, byName);
  releaseFromOtherProfiles(declared, byName);
  const states = converge(declared, lost);
  process.stdout.write(JSON.stringify({ [RECORD_KEY]: declared, profile: target.profile, states }) + "\n");
}

// ---- teardown ----

function teardown() {
  if (!showProfile(target.profile)) {
    log("cluster mesh profile " + target.profile + " is already gone");
    return;
  }
  ensureSelector(target.profile, TEARDOWN_KEY + "=" + target.profile);
  for (;;) {
    const states = profileMembers(target.profile);
    if (states.size === 0) {
      log("no member is left in " + target.profile);
      return;
    }
    if (isIdle(target.profile) && whatIf(target.profile).some((row) => row.Action === "Remove")) tryApply(target.profile);
    pause("the members of " + target.profile + " to disconnect: " + describe(states, [...states.keys()].sort()));
  }
}

// ---- check (read-only) ----

function check() {
  retryTransient = false;
  const out = (value) => process.stdout.write(JSON.stringify(value) + "\n");
  try {
    const byLabel = required("FLEETMESH_MESH_SELECTOR");
    const declared = names(env.FLEETMESH_MESH_MEMBERS);
    const profile = showProfile(target.profile);
    let selected;
    let source;
    if (profile && byLabelOf(profile) === byLabel) {
      selected = whatIf(target.profile).filter((row) => row.Action !== "Remove").map((row) => row.Name);
      source = "what-if";
    } else {
      const result = call(["fleet", "member", "list"].concat(fleetArgs(), ["-o", "json"]), "the fleet's members");
      const members = isNotFound(result) ? [] : parsed(result) || [];
      selected = members.filter((m) => selects(byLabel, m.labels)).map((m) => m.name);
      source = "member-list";
    }
    out({ undeclared: selected.filter((n) => !declared.includes(n)).sort(), source });
  } catch (error) {
    out({ skipped: String(error && error.message).split("\n").filter((l) => l.trim() !== "").slice(0, 2).join(" ") });
  }
}

// ---- main ----

const MODES = { reconcile, teardown, check };
try {
  // The last argument: "node - <mode>" (the program on stdin) and "node -e <program> <mode>" alike.
  const name = process.argv.length > 1 ? process.argv[process.argv.length - 1] : undefined;
  const mode = Object.prototype.hasOwnProperty.call(MODES, name) ? MODES[name] : undefined;
  if (!mode) throw new Failure("unknown mode " + JSON.stringify(name) + ": reconcile, teardown or check");
  timeoutSeconds = seconds("FLEETMESH_MESH_TIMEOUT_SECONDS", timeoutSeconds);
  pollSeconds = seconds("FLEETMESH_MESH_POLL_SECONDS", pollSeconds);
  target = {
    subscription: env.FLEETMESH_AZ_SUBSCRIPTION || "",
    group: required("FLEETMESH_AZ_RESOURCE_GROUP"),
    fleet: required("FLEETMESH_AZ_FLEET"),
    profile: required("FLEETMESH_MESH_PROFILE"),
  };
  mode();
} catch (error) {
  if (!(error instanceof Failure)) throw error;
  process.stderr.write("fleetmesh: " + error.message + "\n");
  process.exitCode = 1;
}
`;
