import * as pulumi from "@pulumi/pulumi";

// Fleet and Placement register their children in one forward pass, once the data their plan needs
// has arrived: the pattern of awsx's components (ComponentResource's async `initialize()`). The
// constructor validates what the arguments alone decide (refusing synchronously, before anything is
// registered) and creates what users must hold synchronously; `build()` awaits the previous run's
// state, calls a pure planner and registers every other child; then the outputs are registered, and
// nothing is added after that. Each class extends ComponentResource itself (the component analyzer
// behind the package schema finds only direct subclasses) and uses these two helpers.

/**
 * Runs `build` once the subclass constructor has finished: ComponentResource calls `initialize()`
 * from its own constructor, before the subclass has set its fields.
 */
export async function afterConstruction(build: () => Promise<pulumi.Inputs>): Promise<pulumi.Inputs> {
  await Promise.resolve();
  return build();
}

/**
 * Settles when every child is registered, and rejects with the component's refusal when a rule that
 * needs the previous run's state refused: children that would consume the refused values are then
 * never registered. Left unhandled, that rejection fails the Pulumi program (preview or update) with
 * the refusal's message, as any exception in a program does.
 */
export function readyOf(component: pulumi.ComponentResource): Promise<void> {
  // `getData()` is the promise of `initialize()`; it is protected, and this is its one reader.
  return (component as unknown as { getData(): Promise<void> }).getData();
}
