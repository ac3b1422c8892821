import * as k8s from "@pulumi/kubernetes";
import { ArgsChecker, ArgsType, ClassPredicates } from "../core/args";
import { isPlainObject } from "../core/args/values";
import { hasOwn, ownValue } from "../core/fleet/own";
import { FieldViolation } from "../core/k8s/field-errors";
import { refuse } from "../errors";
import { ClusterMesh } from "../cluster-mesh";
import { Fleet } from "../fleet";

/**
 * The classes the Args interfaces name, as the generated schema's `instanceOf` spells them. Read at
 * check time only: the component modules import this one, and it imports them.
 */
export const CLASS_PREDICATES: ClassPredicates = {
  Fleet: (value) => value instanceof Fleet,
  ClusterMesh: (value) => value instanceof ClusterMesh,
  "kubernetes.Provider": (value) => k8s.Provider.isInstance(value),
};

let checker: ArgsChecker | undefined;

/**
 * A field whose accepted shapes were split so the package schema can express them without unions: a
 * program written the old way (JavaScript, or TypeScript with casts) gets, instead of the schema's
 * generic "must be of type ...", what to write now.
 */
interface ReshapedField {
  argsTypes: readonly ArgsType[];
  /** The field's path, as the structural check writes it. */
  path: string;
  /** Whether the value there has the shape the field no longer takes. */
  oldShape: (value: unknown) => boolean;
  /** "Invalid value: <shape>: <detail>": the old shape is shown, never the value (it may hold a kubeconfig). */
  shape: string;
  detail: string;
}

/** What `fleet.members` was passed as: a non-empty map of objects (Members), not a `{ urn }` with a typo. */
function isMemberMap(value: unknown): boolean {
  if (!isPlainObject(value) || hasOwn(value, "urn")) return false;
  const members = Object.values(value);
  return members.length > 0 && members.every((member) => typeof member === "object" && member !== null);
}

/** A CrossClusterPolicy side's `member`, given a list of members. */
function peerMembers(side: "from" | "to"): ReshapedField {
  return {
    argsTypes: ["CrossClusterPolicyArgs"],
    path: `${side}.member`,
    oldShape: Array.isArray,
    shape: "[<member>, ...]",
    detail: `is a list: several members are now ${side}.members: [<member>, ...] (${side}.member: <member> is one member)`,
  };
}

/** The fields reshaped for the package schema (no unions): each old shape, and what replaced it. */
const RESHAPED_FIELDS: readonly ReshapedField[] = [
  {
    argsTypes: ["GlobalServiceArgs", "MultiClusterServiceArgs"],
    path: "ports",
    oldShape: isPlainObject,
    shape: "{ <member>: [...] }",
    detail: "is a per-member map: per-member ports are now portsByMember: { <member>: [...] } (ports: [...] is one list for every member)",
  },
  {
    argsTypes: ["GlobalServiceArgs"],
    path: "shared",
    oldShape: isPlainObject,
    shape: "{ <member>: <boolean> }",
    detail:
      "is a per-member map: per-member shared values are now sharedByMember: { <member>: <boolean> } (shared: <boolean> is one value for every member)",
  },
  peerMembers("from"),
  peerMembers("to"),
  {
    argsTypes: ["GlobalServiceArgs"],
    path: "fleet",
    oldShape: isMemberMap,
    shape: "{ <member>: <Member>, ... }",
    detail: "is a map of members: pass the Fleet itself, not its members",
  },
];

/** The own value at a dotted path of plain fields (the reshaped fields' paths are). */
function valueAt(args: unknown, path: string): unknown {
  let value = args;
  for (const field of path.split(".")) {
    if (!isPlainObject(value)) return undefined;
    value = ownValue(value, field);
  }
  return value;
}

function isAtOrBelow(violation: FieldViolation, path: string): boolean {
  return violation.path === path || violation.path.startsWith(`${path}.`) || violation.path.startsWith(`${path}[`);
}

/**
 * Replaces what the structural check reported at (and below) a field given in its old shape with one
 * violation saying what to write now. Only where the check refused already: a rule never adds a
 * refusal. The hint sorts where the violations it replaces did (its path is a prefix of theirs).
 */
function explainReshaped(argsType: ArgsType, args: unknown, violations: readonly FieldViolation[]): FieldViolation[] {
  let out = [...violations];
  for (const rule of RESHAPED_FIELDS) {
    if (!rule.argsTypes.includes(argsType) || !rule.oldShape(valueAt(args, rule.path))) continue;
    const first = out.findIndex((v) => isAtOrBelow(v, rule.path));
    if (first < 0) continue;
    const hint = { path: rule.path, message: `Invalid value: ${rule.shape}: ${rule.detail}` };
    out = [...out.slice(0, first), hint, ...out.slice(first).filter((v) => !isAtOrBelow(v, rule.path))];
  }
  return out;
}

/**
 * Refuses a component's arguments whose structure does not follow its Args interface (types, required
 * and unknown fields, enums, where an Output may stand), every problem at once, before anything else
 * in the constructor runs: the semantic rules that follow assume the structure.
 */
export function checkArgs(component: string, argsType: ArgsType, args: unknown): void {
  checker ??= new ArgsChecker(CLASS_PREDICATES);
  refuse(component, explainReshaped(argsType, args, checker.violations(argsType, args)));
}
