import { FieldViolation } from "./core/types";

/**
 * Bad input, found before anything is registered: every problem at once, each naming the field,
 * quoting the value and stating the rule.
 */
export class FleetValidationError extends Error {
  constructor(readonly component: string, readonly violations: readonly FieldViolation[]) {
    super(`${component}: ${violations.length} problem(s) in the arguments:\n${violations.map((v) => `  - ${v.path}: ${v.message}`).join("\n")}`);
    this.name = "FleetValidationError";
  }
}

/** Throws a FleetValidationError when there is anything to report. */
export function refuse(component: string, violations: readonly FieldViolation[]): void {
  if (violations.length > 0) throw new FleetValidationError(component, violations);
}
