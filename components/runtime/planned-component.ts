import * as pulumi from "@pulumi/pulumi";

/**
 * A component that registers its children in one forward pass, once the data its plan needs has
 * arrived: the pattern of awsx's components (ComponentResource's async `initialize()`). The
 * constructor validates what the arguments alone decide (refusing synchronously, before anything
 * is registered) and creates what users must hold synchronously; `build()` awaits the previous
 * run's state, calls a pure planner and registers every other child; then the outputs are
 * registered, and nothing is added after that.
 *
 * `ready` settles when every child is registered, and rejects with the component's refusal when a
 * rule that needs the previous run's state refused: children that would consume the refused values
 * are then never registered. Left unhandled, that rejection fails the Pulumi program (preview or
 * update) with the refusal's message, as any exception in a program does.
 */
export abstract class PlannedComponent extends pulumi.ComponentResource {
  /** Every child registered (rejects with the refusal error when the plan refused). */
  public get ready(): Promise<void> {
    return this.getData() as Promise<void>;
  }

  protected override async initialize(): Promise<void> {
    // ComponentResource calls initialize() from its own constructor, before the subclass
    // constructor has set its fields: let that constructor finish first.
    await Promise.resolve();
    const outputs = await this.build();
    this.registerOutputs(outputs);
  }

  /** Awaits what the plan needs, plans, registers the children; returns the outputs to register. */
  protected abstract build(): Promise<pulumi.Inputs>;
}
