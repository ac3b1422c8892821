import * as pulumi from "@pulumi/pulumi";

/** A promise and the functions that settle it, for values a component's `build()` produces later. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((settle, fail) => ((resolve = settle), (reject = fail)));
  return { promise, resolve, reject };
}

/**
 * An Output of what `promise` yields once the component's plan allowed it to be built; when the plan
 * refused (`undefined`), the value is unknown during a preview (nothing consumes it), and an update
 * fails on it instead of going on with a made-up value.
 */
export function plannedOutput<T>(promise: Promise<pulumi.Input<T> | undefined>): pulumi.Output<T> {
  return pulumi.output(
    promise.then((value) => {
      if (value !== undefined) return value;
      if (pulumi.runtime.isDryRun()) return pulumi.unknown as unknown as T;
      throw new Error("not built: the component's plan was refused (see the refusal above)");
    }),
  ) as pulumi.Output<T>;
}
