// A kubeconfig member's kubeconfig and context: the kubeconfig must be one (a YAML mapping with
// clusters, contexts and users) and must name a usable context, so that the member's Kubernetes
// provider talks to that cluster and nothing else. The Kubernetes provider reads an empty kubeconfig
// as "none given" and falls back to $KUBECONFIG or ~/.kube/config, and reads a string that is not
// YAML as a file path (pulumi-kubernetes provider/pkg/provider/provider.go, Configure; the SDK's
// Provider class itself substitutes $KUBECONFIG for an absent `kubeconfig`): fleetmesh refuses both.
//
// The context rules are client-go's (kubernetes/client-go tools/clientcmd/validation.go,
// ConfirmUsable and validateContext, validateClusterInfo): the context is the one passed, else the
// current-context; it must exist, name a user and a cluster that exist, and the cluster must have a
// server. The list shapes are the v1 Config's (tools/clientcmd/api/v1/types.go: NamedCluster,
// NamedContext, NamedAuthInfo).
//
// A kubeconfig carries credentials: messages name contexts, clusters and users (names are not
// secrets) and never quote anything else of it.

import { LineCounter, parseDocument } from "yaml";
import { FieldViolation, requiredValue, violation } from "../../k8s/field-errors";
import { memberPath } from "./findings";
import { typeOfValue } from "./secret-text";
import { Mapping, isMapping, ownValue } from "../own";

/** What fleetmesh never does: the rule every "no kubeconfig" message ends with. */
export const NO_AMBIENT_KUBECONFIG = "fleetmesh never falls back to the ambient kubeconfig ($KUBECONFIG, ~/.kube/config)";

const LIST_FIELDS = ["clusters", "contexts", "users"] as const;
type ListField = (typeof LIST_FIELDS)[number];
/** The entry body of each list: `clusters[].cluster`, `contexts[].context`, `users[].user`. */
const ENTRY_BODY: Record<ListField, string> = { clusters: "cluster", contexts: "context", users: "user" };

const nonEmptyString = (value: unknown): value is string => typeof value === "string" && value.length > 0;
const quote = (name: string) => JSON.stringify(name);
/** Stands in for the kubeconfig in "Invalid value: …": its text is never quoted. */
const NOT_SHOWN = "(kubeconfig text, not shown)";

export function kubeconfigPath(member: string): string {
  return `${memberPath(member)}.kubeconfig`;
}

export function contextPath(member: string): string {
  return `${memberPath(member)}.context`;
}

/**
 * What can be said of a member's `context` from the arguments alone: a non-empty string, and only
 * on a kubeconfig member (kind and AKS hand fleetmesh a kubeconfig whose current context is the cluster).
 */
export function contextArgumentViolations(member: string, context: unknown, isKubeconfigMember: boolean): FieldViolation[] {
  if (context === undefined || context === null) return [];
  const path = contextPath(member);
  if (typeof context !== "string")
    return [violation(path, `Invalid value: ${typeOfValue(context)}: must be the name of a context in the kubeconfig`)];
  if (context.length === 0)
    return [
      violation(path, `Invalid value: "": must be the name of a context in the kubeconfig (leave it out to use its current-context)`),
    ];
  if (!isKubeconfigMember) {
    return [
      violation(
        path,
        `Invalid value: ${quote(context)}: only a kubeconfig member takes a context; kind and AKS members use the current context of the kubeconfig their cluster hands out`,
      ),
    ];
  }
  return [];
}

/**
 * Every problem with a kubeconfig member's kubeconfig text and the context it selects ([] = usable).
 * `context` is the member's `context` argument (undefined: the kubeconfig's current-context).
 */
export function kubeconfigViolations(member: string, kubeconfig: unknown, context?: unknown): FieldViolation[] {
  const path = kubeconfigPath(member);
  const text = kubeconfigTextProblem(kubeconfig);
  if (text) return [violation(path, text)];
  const parsed = parseKubeconfig(kubeconfig as string);
  if (typeof parsed === "string") return [violation(path, `Invalid value: ${NOT_SHOWN}: ${parsed}`)];
  const selected = nonEmptyString(context) ? context : undefined;
  return contextProblems(parsed, selected).map((p) => violation(p.onContext ? contextPath(member) : path, p.message));
}

/**
 * The kubeconfig's problems as plain sentences, for a kubeconfig fleetmesh did not take from the
 * user (kind's, AKS's): [] when a provider can use it with this context.
 */
export function kubeconfigProblems(kubeconfig: unknown, context?: string): string[] {
  return kubeconfigViolations("kubeconfig", kubeconfig, context).map((v) => v.message);
}

/** Absent, not a string, or blank: the value itself is not a kubeconfig's text. */
function kubeconfigTextProblem(kubeconfig: unknown): string | undefined {
  if (kubeconfig === undefined || kubeconfig === null) {
    return `${requiredValue()}: a kubeconfig member needs its cluster's kubeconfig, not null; ${NO_AMBIENT_KUBECONFIG}`;
  }
  if (typeof kubeconfig !== "string") return `Invalid value: ${typeOfValue(kubeconfig)}: must be the kubeconfig's YAML text`;
  if (kubeconfig.trim().length === 0) {
    const shown = kubeconfig.length === 0 ? `""` : "a blank string";
    return `Invalid value: ${shown}: must be the kubeconfig's YAML text; ${NO_AMBIENT_KUBECONFIG}`;
  }
  return undefined;
}

/** The kubeconfig as a mapping, or why it is not one (never quoting its text). */
function parseKubeconfig(text: string): Mapping | string {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const error = document.errors[0];
  if (error) {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    return `not valid YAML (${error.code} at line ${line}, column ${col}): must be the kubeconfig's YAML text`;
  }
  const value: unknown = document.toJS();
  if (typeof value === "string") {
    return "a single YAML string, not a kubeconfig: a file path is not read, pass the file's contents (as a secret)";
  }
  if (!isMapping(value))
    return `a YAML ${Array.isArray(value) ? "list" : "scalar"}, not a kubeconfig (a mapping of clusters, contexts and users)`;
  const shape = configShapeProblem(value);
  return shape ?? value;
}

/** `kind: Config`, `apiVersion: v1` when given, and the three lists of named entries. */
function configShapeProblem(config: Mapping): string | undefined {
  const kind = ownValue(config, "kind");
  if (kind !== undefined && kind !== null && kind !== "Config") return `its kind is not "Config": not a kubeconfig`;
  const apiVersion = ownValue(config, "apiVersion");
  if (apiVersion !== undefined && apiVersion !== null && apiVersion !== "v1")
    return `its apiVersion is not "v1": a kubeconfig is a v1 Config`;
  for (const field of LIST_FIELDS) {
    const list = ownValue(config, field);
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) return `its ${field} is not a list`;
    const bad = list.findIndex((entry) => !isMapping(entry) || !nonEmptyString(ownValue(entry, "name")));
    if (bad >= 0) return `its ${field}[${bad}] is not a mapping with a name`;
    const body = ENTRY_BODY[field];
    const noBody = list.findIndex((entry) => !isMapping(ownValue(entry as Mapping, body)));
    if (noBody >= 0) return `its ${field}[${noBody}] (${quote(String(ownValue(list[noBody] as Mapping, "name")))}) has no ${body} mapping`;
  }
  return undefined;
}

/** The named entries of one list, name → body (the first of a repeated name, as client-go's conversion keeps one). */
function entries(config: Mapping, field: ListField): Map<string, Mapping> {
  const list = ownValue(config, field);
  const found = new Map<string, Mapping>();
  for (const entry of Array.isArray(list) ? (list as Mapping[]) : []) {
    const name = ownValue(entry, "name") as string;
    if (!found.has(name)) found.set(name, ownValue(entry, ENTRY_BODY[field]) as Mapping);
  }
  return found;
}

interface ContextProblem {
  /** Reported on the member's `context` argument rather than on the kubeconfig. */
  onContext: boolean;
  message: string;
}

function contextProblems(config: Mapping, passed: string | undefined): ContextProblem[] {
  const contexts = entries(config, "contexts");
  const current = ownValue(config, "current-context");
  const name = passed ?? (nonEmptyString(current) ? current : undefined);
  const onKubeconfig = (message: string): ContextProblem => ({ onContext: false, message: `Invalid value: ${NOT_SHOWN}: ${message}` });
  if (contexts.size === 0) return [onKubeconfig("has no contexts: a usable kubeconfig names the context (cluster and user) to use")];
  if (name === undefined) return [onKubeconfig(`sets no current-context: set the member's context to one of ${listed(contexts)}`)];
  const context = contexts.get(name);
  if (!context && passed !== undefined) {
    return [
      { onContext: true, message: `Invalid value: ${quote(passed)}: not a context of the kubeconfig, which has ${listed(contexts)}` },
    ];
  }
  if (!context) return [onKubeconfig(`its current-context ${quote(name)} is not one of its contexts (${listed(contexts)})`)];
  return referenceProblems(config, name, context).map(onKubeconfig);
}

/** The context's user and cluster exist, and the cluster has a server (client-go validateContext, validateClusterInfo). */
function referenceProblems(config: Mapping, name: string, context: Mapping): string[] {
  const problems: string[] = [];
  const user = ownValue(context, "user");
  if (!nonEmptyString(user)) problems.push(`context ${quote(name)} names no user`);
  else if (!entries(config, "users").has(user)) problems.push(`user ${quote(user)} of context ${quote(name)} is not in its users`);
  const clusterName = ownValue(context, "cluster");
  if (!nonEmptyString(clusterName)) return [...problems, `context ${quote(name)} names no cluster`];
  const cluster = entries(config, "clusters").get(clusterName);
  if (!cluster) return [...problems, `cluster ${quote(clusterName)} of context ${quote(name)} is not in its clusters`];
  if (!nonEmptyString(ownValue(cluster, "server"))) problems.push(`cluster ${quote(clusterName)} of context ${quote(name)} has no server`);
  return problems;
}

function listed(contexts: Map<string, Mapping>): string {
  return [...contexts.keys()].map(quote).join(", ");
}
