// The `az` commands fleetmesh's scripts run (components/core/azure/azure-mesh-commands.ts) and the
// ones Azure's own fleet scripts run, over the Azure model (azure.js):
//   account show | set | list
//   fleet show | list
//   fleet member create | update | delete | show | list
//   fleet clustermeshprofile create | apply [--what-if] | show | list | list-members [--selector] | delete
//   resource show --ids ... [--api-version V]
// with the global --subscription, -o/--output (json, jsonc, tsv, none), --query (jmespath.js) and
// --only-show-errors.
//
// Parsing as the fleet extension declares its arguments (Azure/azure-cli-extensions
// src/fleet/azext_fleet/_params.py): `--labels`/`--member-labels` is `labels_type`, a
// CLIArgumentType with a `type` and no `nargs`, so argparse gives it exactly one word; that word is
// split on whitespace into `key=value` labels, and further words are "unrecognized arguments". Its
// `type`, `validate_labels` (azext_fleet/_validators.py of the fleet 2.0.4 wheel Azure/telescope vendors
// in scenarios/perf-eval/clustermesh-scale/vendor), raises ValueError for an item without `=`, which
// argparse reports as "invalid validate_labels value" (exit 2).
// Output and exit codes as azure-cli prints them: errors as `ERROR: <message>` on stderr; a service
// error as `(Code) Message` then `Code:` and `Message:` lines (azure-core HttpResponseError); exit 0
// for success, 1 for a failed command, 2 for a parser error, 3 for a missing ARM resource (the exit
// code table of the Azure/azure-cli README); JSON with keys sorted and two-space indents (knack's
// json output), tsv as one line per value, tab-separated within an object.
"use strict";

const azure = require("./azure");
const { search, QueryGap } = require("./jmespath");
const { TemplateGap } = require("./gotemplate");

class UsageError extends Error {
  constructor(message, exit = 2) {
    super(message);
    this.exit = exit;
  }
}

const RG = { names: ["--resource-group", "-g"], dest: "resourceGroup" };
const FLEET = { names: ["--fleet-name", "-f"], dest: "fleet" };
const NAME = { names: ["--name", "-n"], dest: "name" };
const LABELS = { names: ["--labels", "--member-labels"], dest: "labels" };
const YES = { names: ["--yes", "-y"], dest: "yes", flag: true };
const NO_WAIT = { names: ["--no-wait"], dest: "noWait", flag: true };

/** Each command's own arguments (`required` by dest) and handler. */
const COMMANDS = {
  "account show": { args: [], run: accountShow },
  "account list": {
    args: [{ names: ["--all"], dest: "all", flag: true }],
    run: (ctx) => ctx.state.azure.account.subscriptions.map((s) => account(ctx, s)),
  },
  "account set": { args: [{ names: ["--name", "-n"], dest: "name" }], run: accountSet },
  "fleet show": { args: [RG, NAME], required: ["resourceGroup", "name"], run: fleetShow },
  "fleet list": { args: [RG], run: fleetList },
  "fleet member create": {
    args: [
      RG,
      FLEET,
      NAME,
      { names: ["--member-cluster-id"], dest: "memberClusterId" },
      { names: ["--update-group"], dest: "group" },
      LABELS,
      NO_WAIT,
    ],
    required: ["resourceGroup", "fleet", "name", "memberClusterId"],
    run: memberCreate,
  },
  "fleet member update": {
    args: [RG, FLEET, NAME, { names: ["--update-group"], dest: "group" }, LABELS],
    required: ["resourceGroup", "fleet", "name"],
    run: memberUpdate,
  },
  "fleet member delete": { args: [RG, FLEET, NAME, YES, NO_WAIT], required: ["resourceGroup", "fleet", "name"], run: memberDelete },
  "fleet member show": { args: [RG, FLEET, NAME], required: ["resourceGroup", "fleet", "name"], run: memberShow },
  "fleet member list": {
    args: [RG, FLEET, { names: ["--cluster-mesh-profile"], dest: "profile" }],
    required: ["resourceGroup", "fleet"],
    run: memberList,
  },
  "fleet clustermeshprofile create": {
    args: [RG, FLEET, NAME, { names: ["--member-selector"], dest: "selector" }, NO_WAIT],
    required: ["resourceGroup", "fleet", "name", "selector"],
    run: profileCreate,
  },
  "fleet clustermeshprofile apply": {
    args: [RG, FLEET, NAME, { names: ["--what-if"], dest: "whatIf", flag: true }, NO_WAIT],
    required: ["resourceGroup", "fleet", "name"],
    run: profileApply,
  },
  "fleet clustermeshprofile show": { args: [RG, FLEET, NAME], required: ["resourceGroup", "fleet", "name"], run: profileShow },
  "fleet clustermeshprofile list": { args: [RG, FLEET], required: ["resourceGroup", "fleet"], run: profileList },
  "fleet clustermeshprofile list-members": {
    args: [RG, FLEET, NAME, { names: ["--selector"], dest: "selector", flag: true }],
    required: ["resourceGroup", "fleet", "name"],
    run: profileListMembers,
  },
  "fleet clustermeshprofile delete": {
    args: [RG, FLEET, NAME, YES, NO_WAIT],
    required: ["resourceGroup", "fleet", "name"],
    run: profileDelete,
  },
  "resource show": {
    args: [{ names: ["--ids"], dest: "ids", many: true }, { names: ["--api-version"], dest: "apiVersion" }, RG, NAME],
    run: resourceShow,
  },
};

const GLOBAL = [
  { names: ["--subscription"], dest: "subscription" },
  { names: ["--output", "-o"], dest: "output" },
  { names: ["--query"], dest: "query" },
  { names: ["--only-show-errors"], dest: "onlyShowErrors", flag: true },
  { names: ["--debug"], dest: "debug", flag: true },
  { names: ["--verbose"], dest: "verbose", flag: true },
];

function parse(args) {
  const words = [];
  let i = 0;
  while (i < args.length && !args[i].startsWith("-")) words.push(args[i++]);
  let command;
  for (let n = words.length; n > 0 && !command; n--) if (COMMANDS[words.slice(0, n).join(" ")]) command = words.slice(0, n).join(" ");
  if (!command) throw new UsageError(`'${words.join(" ")}' is misspelled or not recognized by the system.`);
  const extra = words.slice(command.split(" ").length);
  const spec = [...COMMANDS[command].args, ...GLOBAL];
  const values = {};
  for (; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const option = spec.find((o) => o.names.includes(name));
    if (!option) {
      extra.push(arg);
      continue;
    }
    if (option.flag) {
      values[option.dest] = true;
      continue;
    }
    if (option.many) {
      const list = eq > 0 && arg.startsWith("--") ? [arg.slice(eq + 1)] : [];
      while (i + 1 < args.length && !args[i + 1].startsWith("-")) list.push(args[++i]);
      if (list.length === 0) throw new UsageError(`argument ${option.names[0]}: expected at least one argument`);
      values[option.dest] = list;
      continue;
    }
    const value = eq > 0 && arg.startsWith("--") ? arg.slice(eq + 1) : args[++i];
    if (value === undefined) throw new UsageError(`argument ${option.names.join("/")}: expected one argument`);
    values[option.dest] = value;
  }
  if (extra.length > 0) throw new UsageError(`unrecognized arguments: ${extra.join(" ")}`);
  const missing = (COMMANDS[command].required ?? []).filter((d) => values[d] === undefined);
  if (missing.length > 0) {
    const flagOf = (d) => [...COMMANDS[command].args].find((o) => o.dest === d).names.join("/");
    throw new UsageError(`the following arguments are required: ${missing.map(flagOf).join(", ")}`);
  }
  return { command, values };
}

/** `labels_type`: one word of whitespace-separated `key=value` labels (validate_labels: `k, v = item.split('=', 1)`). */
function parseLabels(text) {
  const labels = {};
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    const eq = word.indexOf("=");
    if (eq < 0) throw new UsageError(`argument --labels/--member-labels: invalid validate_labels value: '${text}'`);
    labels[word.slice(0, eq)] = word.slice(eq + 1);
  }
  return labels;
}

// ---- accounts and subscriptions ----

function subscriptionOf(ctx) {
  const { account } = ctx.state.azure;
  const wanted = ctx.values.subscription ?? account.defaultSubscription;
  const found = account.subscriptions.find(
    (s) => s.id.toLowerCase() === wanted.toLowerCase() || s.name.toLowerCase() === wanted.toLowerCase(),
  );
  if (!found) throw new UsageError(`The subscription of '${wanted}' doesn't exist in cloud 'AzureCloud'.`, 1);
  return found;
}

function account(ctx, s) {
  const { account: a } = ctx.state.azure;
  return {
    environmentName: "AzureCloud",
    homeTenantId: s.tenantId,
    id: s.id,
    isDefault: s.id === a.defaultSubscription,
    managedByTenants: [],
    name: s.name,
    state: "Enabled",
    tenantId: s.tenantId,
    user: { ...a.user },
  };
}

function accountShow(ctx) {
  return account(ctx, subscriptionOf(ctx));
}

function accountSet(ctx) {
  const wanted = ctx.values.subscription ?? ctx.values.name;
  if (wanted === undefined) throw new UsageError("Please provide subscription id or unique name.", 1);
  const found = subscriptionOf({ ...ctx, values: { subscription: wanted } });
  ctx.state.azure.account.defaultSubscription = found.id;
  return undefined;
}

// ---- fleets, members, profiles ----

function scope(ctx) {
  const { resourceGroup, fleet, name } = ctx.values;
  return { subscription: subscriptionOf(ctx).id, resourceGroup, fleet, name };
}

function fleetShow(ctx) {
  const s = scope(ctx);
  return azure.fleetView(azure.requireFleet(ctx.state, s.subscription, s.resourceGroup, s.name));
}

function fleetList(ctx) {
  const sub = subscriptionOf(ctx).id.toLowerCase();
  return Object.values(ctx.state.azure.fleets)
    .filter(
      (f) =>
        f.subscription.toLowerCase() === sub &&
        (ctx.values.resourceGroup === undefined || f.resourceGroup.toLowerCase() === ctx.values.resourceGroup.toLowerCase()),
    )
    .map(azure.fleetView);
}

function memberCreate(ctx) {
  if (!azure.parseId(ctx.values.memberClusterId)) throw new UsageError("--member-cluster-id is not a valid Azure resource ID.", 1);
  const labels = ctx.values.labels === undefined ? {} : parseLabels(ctx.values.labels);
  return azure.memberView(
    azure.createMember(ctx.state, { ...scope(ctx), clusterResourceId: ctx.values.memberClusterId, labels, group: ctx.values.group }),
  );
}

function memberUpdate(ctx) {
  const labels = ctx.values.labels === undefined ? undefined : parseLabels(ctx.values.labels);
  return azure.memberView(azure.updateMember(ctx.state, { ...scope(ctx), labels, group: ctx.values.group }));
}

function memberDelete(ctx) {
  azure.deleteMember(ctx.state, scope(ctx));
  return undefined;
}

function memberShow(ctx) {
  const s = scope(ctx);
  return azure.memberView(azure.requireMember(ctx.state, s.subscription, s.resourceGroup, s.fleet, s.name));
}

function memberList(ctx) {
  const s = scope(ctx);
  const fleet = azure.requireFleet(ctx.state, s.subscription, s.resourceGroup, s.fleet);
  let members = azure.fleetMembers(ctx.state, fleet.id);
  if (ctx.values.profile !== undefined) {
    const profile = azure.requireProfile(ctx.state, s.subscription, s.resourceGroup, s.fleet, ctx.values.profile);
    members = members.filter((m) => azure.inProfile(m, profile));
  }
  return members.map(azure.memberView);
}

function profileCreate(ctx) {
  return azure.profileView(ctx.state, azure.putProfile(ctx.state, { ...scope(ctx), memberSelector: ctx.values.selector }));
}

function profileApply(ctx) {
  const s = scope(ctx);
  if (ctx.values.whatIf) {
    const profile = azure.requireProfile(ctx.state, s.subscription, s.resourceGroup, s.fleet, s.name);
    return azure.applyPlan(ctx.state, profile).map(({ member, action, error }) => ({
      Action: action,
      ClusterResourceId: member.clusterResourceId,
      ETag: `"${member.name}-etag"`,
      MeshMembershipState: azure.memberMeshState(member) ?? "NotConnected",
      Name: member.name,
      ...(error ? { ErrorMessage: error } : {}),
    }));
  }
  return azure.profileView(ctx.state, azure.applyProfile(ctx.state, s));
}

function profileShow(ctx) {
  const s = scope(ctx);
  return azure.profileView(ctx.state, azure.requireProfile(ctx.state, s.subscription, s.resourceGroup, s.fleet, s.name));
}

function profileList(ctx) {
  const s = scope(ctx);
  const fleet = azure.requireFleet(ctx.state, s.subscription, s.resourceGroup, s.fleet);
  return Object.values(ctx.state.azure.profiles)
    .filter((p) => azure.key(p.fleetId) === azure.key(fleet.id))
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((p) => azure.profileView(ctx.state, p));
}

function profileListMembers(ctx) {
  const s = scope(ctx);
  const profile = azure.requireProfile(ctx.state, s.subscription, s.resourceGroup, s.fleet, s.name);
  const members = azure.fleetMembers(ctx.state, profile.fleetId);
  return members.filter((m) => (ctx.values.selector ? azure.selects(profile, m) : azure.inProfile(m, profile))).map(azure.memberView);
}

function profileDelete(ctx) {
  azure.deleteProfile(ctx.state, scope(ctx));
  return undefined;
}

function resourceShow(ctx) {
  if (ctx.values.ids === undefined) throw new TemplateGap("fake az: `resource show` is modelled with --ids only");
  subscriptionOf(ctx);
  const views = ctx.values.ids.map((id) => azure.armView(ctx.state, id));
  return views.length === 1 ? views[0] : views;
}

// ---- output ----

function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys(value[k])]),
    );
  }
  return value;
}

function tsvValue(v) {
  if (v === null || v === undefined) return "";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "object") return "";
  return String(v);
}

/** knack's tsv output: a list one row per item, an object its scalar values tab-separated. */
function tsv(value) {
  if (value === null || value === undefined) return "";
  const rows = Array.isArray(value) ? value : [value];
  return rows
    .map((row) =>
      row && typeof row === "object" && !Array.isArray(row)
        ? Object.keys(row)
            .sort()
            .filter((k) => row[k] === null || typeof row[k] !== "object")
            .map((k) => tsvValue(row[k]))
            .join("\t")
        : Array.isArray(row)
          ? row.map(tsvValue).join("\t")
          : tsvValue(row),
    )
    .map((line) => line + "\n")
    .join("");
}

function format(result, output) {
  if (result === undefined) return "";
  switch (output ?? "json") {
    case "json":
    case "jsonc":
      return JSON.stringify(sortKeys(result), null, 2) + "\n";
    case "tsv":
      return tsv(result);
    case "none":
      return "";
    default:
      throw new TemplateGap(`fake az: output format ${output} is not modelled`);
  }
}

function serviceError(error) {
  return `ERROR: (${error.code}) ${error.message}\nCode: ${error.code}\nMessage: ${error.message}\n`;
}

function run({ args, state }) {
  try {
    if (!state.azure.account.loggedIn) throw new UsageError("Please run 'az login' to setup account.", 1);
    const { command, values } = parse(args);
    azure.settle(state);
    const result = COMMANDS[command].run({ state, values });
    const queried = values.query === undefined || result === undefined ? result : search(result, values.query);
    return { stdout: format(queried, values.output), stderr: "", exit: 0 };
  } catch (error) {
    if (error instanceof azure.AzureError) return { stdout: "", stderr: serviceError(error), exit: error.status === 404 ? 3 : 1 };
    if (error instanceof UsageError) return { stdout: "", stderr: `ERROR: ${error.message}\n`, exit: error.exit };
    if (error instanceof QueryGap) throw new TemplateGap(error.message);
    throw error;
  }
}

module.exports = { run, wantsStdin: () => false, serviceError, parseLabels };
