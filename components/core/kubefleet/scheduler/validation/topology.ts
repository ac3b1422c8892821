// `policy.topologySpreadConstraints` (PickN only; the CEL rule on the policy rejects them elsewhere).
//
// Schema (CRD): no maxItems; `topologyKey` required; `maxSkew` int32, minimum 1 (default 1);
// `whenUnsatisfiable` ∈ {DoNotSchedule, ScheduleAnyway} (default DoNotSchedule). The webhook's only
// check ("unknown unsatisfiable type X") duplicates the enum, which runs first, so it is not
// repeated. An empty-string topologyKey is present and so passes, as upstream; an empty
// whenUnsatisfiable is treated as unset (Go's omitempty never sends it).

import { TopologySpreadConstraint } from "../types";
import { at, checkArray, checkEnum, checkInteger, checkRequired, child, isSet, Violations } from "../../../k8s/field-errors";

export const MIN_MAX_SKEW = 1;
const WHEN_UNSATISFIABLE: readonly string[] = ["DoNotSchedule", "ScheduleAnyway"];

export function topologySpreadViolations(constraints: TopologySpreadConstraint[] | undefined, path: string): Violations {
  const out: Violations = [];
  checkArray(constraints, path, out).forEach((tsc, i) => {
    if (!isSet(tsc)) return;
    const p = at(path, i);
    out.push(
      ...checkInteger(tsc.maxSkew, child(p, "maxSkew"), MIN_MAX_SKEW),
      ...checkRequired(tsc.topologyKey, child(p, "topologyKey")),
      ...checkEnum(tsc.whenUnsatisfiable || undefined, WHEN_UNSATISFIABLE, child(p, "whenUnsatisfiable")),
    );
  });
  return out;
}
