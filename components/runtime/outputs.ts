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
