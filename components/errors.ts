import * as pulumi from "@pulumi/pulumi";
import { FieldViolation } from "./core/k8s/field-errors";

/**
 * fleetmesh's one refusal: bad input, every problem at once, each naming the field, quoting the
 * value and stating the rule. Raised in two ways:
 * - a rule knowable from the arguments alone is refused synchronously, by the component's
 *   constructor, before anything is registered;
 * - a rule that needs the previous run's state (or a secret input's value) fails the preview with
 *   this error before any resource that would consume the value is registered.
 * It is a `pulumi.InputPropertiesError`, so a component provider renders it per property.
 */
export class FleetValidationError extends pulumi.InputPropertiesError {
  readonly violations: readonly FieldViolation[];
  constructor(
    readonly component: string,
    violations: readonly FieldViolation[],
  ) {
    const message = `${component}: ${violations.length} problem(s) in the arguments:\n${violations.map((v) => `  - ${v.path}: ${v.message}`).join("\n")}`;
    super({ message, errors: violations.map((v) => ({ propertyPath: v.path, reason: v.message })) });
    this.name = "FleetValidationError";
    this.violations = violations;
  }
}

/** Throws a FleetValidationError when there is anything to report. */
export function refuse(component: string, violations: readonly FieldViolation[]): void {
  if (violations.length > 0) throw new FleetValidationError(component, violations);
}
