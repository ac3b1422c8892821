// The fake tools' shared state: one JSON file in the directory $FLEETMESH_FAKE_STATE, read and
// written under a lock (scripts run the tools in parallel: the engine runs a wave's steps at once),
// and a faults file beside it. Plain CommonJS so the executables start fast under plain `node`.
//
// Time is logical: every invocation of a fake tool advances `clock` by one tick, and the fake
// `sleep N` by N ticks; slow operations (an Azure apply, a member joining a mesh) finish at a tick,
// never after a real wait.
"use strict";

const fs = require("fs");
const path = require("path");

const STATE_FILE = "state.json";
const FAULTS_FILE = "faults.json";
const LOCK_DIR = "state.lock";
/** A lock older than this is taken to belong to a process that died holding it. */
const STALE_LOCK_MS = 10_000;

/** The state a fresh directory starts with; `seed` is merged over it by the TS API. */
function initialState() {
  return {
    version: 1,
    clock: 0,
    /** Every invocation, in order: what the tests assert step order on. */
    calls: [],
    /** How much of the `sleeps` file the clock has taken in (sleep.js fold). */
    sleepsOffset: 0,
    counters: { container: 0, hostPort: 0, network: 0 },
    kind: {
      // kubernetes-sigs/kind pkg/cmd/kind/version/version.go (versionCore of the v0.32.0 tag).
      version: "0.32.0",
      // kubernetes-sigs/kind pkg/apis/config/defaults/image.go at v0.32.0.
      defaultImage: "kindest/node:v1.36.1@sha256:3489c7674813ba5d8b1a9977baea8a6e553784dab7b84759d1014dbd78f7ebd5",
      clusters: {},
    },
    docker: {
      // Below 29 the CLI says "Error: No such object: X"; from 29 "error: no such object: X"
      // (docker/cli cli/command/system/inspect.go, commit 9ba1314d3a "fix error formatting").
      clientVersion: "28.5.1",
      daemonRunning: true,
      /** The subnet Docker gives the `kind` network when kind creates it (see docker.js ensureKindNetwork). */
      kindSubnet: "172.18.0.0/16",
      networks: {},
      containers: {},
    },
    /** Kubernetes clusters kubectl reaches, by server address (kubectl.js). */
    kubernetes: { clusters: {} },
    azure: {
      settings: {
        /** Ticks an accepted `clustermeshprofile apply` keeps the profile Applying. */
        applyTicks: 5,
        /** Ticks from an apply to a selected member being Connected (or Failed). */
        connectTicks: 20,
        /** Ticks from an apply to a deselected member having left the mesh. */
        disconnectTicks: 20,
        /** `fleet member create` calls answered DependentResourceNotFound after a cluster appears. */
        memberCreateLagCalls: 1,
        /** How `fleet member update --labels` treats labels it does not name: "replace" them or "merge". */
        memberUpdateLabels: "replace",
        /** Whether deleting a member still in a mesh is accepted ("allow") or refused ("refuse"). */
        memberDeleteWhileMeshed: "allow",
      },
      account: {
        loggedIn: true,
        user: { name: "fleetmesh-test@example.com", type: "user" },
        defaultSubscription: "00000000-0000-0000-0000-000000000001",
        subscriptions: [
          { id: "00000000-0000-0000-0000-000000000001", name: "fleetmesh-test", tenantId: "00000000-0000-0000-0000-0000000000aa" },
        ],
      },
      resourceGroups: {},
      clusters: {},
      fleets: {},
      members: {},
      profiles: {},
    },
  };
}

function stateDir(env = process.env) {
  const dir = env.FLEETMESH_FAKE_STATE;
  if (!dir) throw new Error("FLEETMESH_FAKE_STATE is not set: the fake tools need a state directory");
  return dir;
}

/** Blocks the thread for `ms` (lock contention only: never used to model time). */
function pause(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs `fn` holding the directory's lock (a directory: mkdir is atomic). */
function withLock(dir, fn) {
  const lock = path.join(dir, LOCK_DIR);
  const started = Date.now();
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > STALE_LOCK_MS) fs.rmSync(lock, { recursive: true, force: true });
      } catch {
        // Released meanwhile: try again.
      }
      if (Date.now() - started > 60_000) throw new Error(`fake tools: could not take the state lock ${lock}`);
      pause(2);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

function readJson(file, fallback) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    if (error.code === "ENOENT") return fallback;
    throw error;
  }
}

/** Written whole to a temporary file, then renamed over the old one: readers never see half a file. */
function writeJson(file, value) {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2) + "\n");
  fs.renameSync(tmp, file);
}

function readState(dir) {
  return readJson(path.join(dir, STATE_FILE), initialState());
}

function writeState(dir, state) {
  writeJson(path.join(dir, STATE_FILE), state);
}

function readFaults(dir) {
  return readJson(path.join(dir, FAULTS_FILE), {});
}

function writeFaults(dir, faults) {
  writeJson(path.join(dir, FAULTS_FILE), faults);
}

/** The state with the sleeps since the last look added to its clock (call under the lock). */
function load(dir) {
  const state = readState(dir);
  require("./sleep").fold(dir, state);
  return state;
}

/** Reads, changes and writes the state under the lock; returns what `fn` returns. */
function update(dir, fn) {
  return withLock(dir, () => {
    const state = load(dir);
    const result = fn(state);
    writeState(dir, state);
    return result;
  });
}

/**
 * The first injected fault whose command prefix matches `words` (the tool and its arguments, as
 * words), consumed: its `times` goes down by one and it is dropped at zero. A prefix is matched
 * word by word (`az fleet member create` matches `az fleet member create -g rg ...`).
 */
function takeFault(dir, words) {
  const faults = readFaults(dir);
  for (const [prefix, list] of Object.entries(faults)) {
    const want = prefix.split(/\s+/).filter((w) => w !== "");
    if (want.length > words.length || !want.every((w, i) => w === words[i])) continue;
    if (!Array.isArray(list) || list.length === 0) continue;
    const fault = list[0];
    const times = fault.times ?? 1;
    if (times <= 1) list.shift();
    else list[0] = { ...fault, times: times - 1 };
    if (list.length === 0) delete faults[prefix];
    writeFaults(dir, faults);
    return fault;
  }
  return undefined;
}

module.exports = {
  STATE_FILE,
  FAULTS_FILE,
  initialState,
  stateDir,
  withLock,
  readState,
  load,
  writeState,
  readFaults,
  writeFaults,
  update,
  takeFault,
};
