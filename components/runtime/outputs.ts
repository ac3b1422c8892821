import * as pulumi from "@pulumi/pulumi";

/**
 * The value, or undefined while it is unknown (during preview, before a resource exists). `apply`
 * skips unknown values altogether, which would drop a what-if row; this keeps the row and lets it
 * say "(known after up)".
 */
export function knownOrUndefined<T>(value: pulumi.Output<T>): pulumi.Output<T | undefined> {
  return pulumi.output(internals(value).isKnown).apply((known) => (known ? value : undefined)) as pulumi.Output<T | undefined>;
}

/** An Output's value once known, for a planner; undefined when it stays unknown (a preview of a not-yet-created value). */
export async function knownValue<T>(output: pulumi.Output<T>): Promise<T | undefined> {
  return (await internals(output).isKnown) ? internals(output).promise() : undefined;
}

/** What every Output has at run time but the SDK's types do not expose: whether it is known, and its value. */
function internals<T>(output: pulumi.Output<T>): { isKnown: Promise<boolean>; promise(): Promise<T> } {
  return output as unknown as { isKnown: Promise<boolean>; promise(): Promise<T> };
}

/**
 * `value`, once `gate` is known too, carrying both's dependencies, as the very object `value` holds:
 * `pulumi.all` would hand on a deep copy of a plain record (the SDK's `outputRec`), and what is keyed by
 * the object (a mesh's peer table, shared by its members) would then be built again for each copy.
 */
export function gatedOn<T, G>(value: pulumi.Output<T>, gate: pulumi.Output<G>): pulumi.Output<T> {
  return gate.apply(() => value);
}
