import * as pulumi from "@pulumi/pulumi";

/**
 * The value, or undefined while it is unknown (during preview, before a resource exists). `apply`
 * skips unknown values altogether, which would drop a what-if row; this keeps the row and lets it
 * say "(known after up)".
 */
export function knownOrUndefined<T>(value: pulumi.Output<T>): pulumi.Output<T | undefined> {
  const isKnown = (value as unknown as { isKnown: Promise<boolean> }).isKnown;
  return pulumi.output(isKnown).apply((known) => (known ? value : undefined)) as pulumi.Output<T | undefined>;
}
