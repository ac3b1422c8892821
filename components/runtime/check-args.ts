import * as k8s from "@pulumi/kubernetes";
import { ArgsChecker, ArgsType, ClassPredicates } from "../core/args";
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
 * Refuses a component's arguments whose structure does not follow its Args interface (types, required
 * and unknown fields, enums, where an Output may stand), every problem at once, before anything else
 * in the constructor runs: the semantic rules that follow assume the structure.
 */
export function checkArgs(component: string, argsType: ArgsType, args: unknown): void {
  checker ??= new ArgsChecker(CLASS_PREDICATES);
  refuse(component, checker.violations(argsType, args));
}
