// A model of the steps `pulumi up` takes, and their order, given the previous run's resources and
// this run's registrations, so later tests can run scripts (kind, Azure CLI) in the engine's order.
// Pure: no Pulumi import. Rules from pulumi/pulumi:
//   pkg/resource/deploy/step_generator.go  which step a registration gets (continueStepsFromDiff),
//       delete-before-replace and its dependents (calculateDependentReplacements), provider changes
//       (providerChanged), the order of deletes (ScheduleDeletes);
//   pkg/resource/deploy/step_executor.go   a registration's steps run as one chain, in order; the
//       first failure cancels what has not started (executeChain, cancelDueToError);
//   pkg/resource/deploy/deployment_executor.go  registrations' steps first, deletes after them all,
//       antichain by antichain (performPostSteps);
//   pkg/resource/graph/dependency_graph.go  what a resource depends on (DependenciesOf, DependingOn).
// Docs: https://www.pulumi.com/docs/iac/concepts/how-pulumi-works/ and
// https://www.pulumi.com/docs/iac/concepts/options/deletebeforereplace/ (create-before-delete by default).

/** A resource of the previous run, as its state records it. */
export interface OldResource {
  urn: string;
  type: string;
  inputs: Record<string, unknown>;
  /** URNs it depends on: explicit dependsOn plus every property's dependencies. */
  dependencies: string[];
  /** Input property → the URNs its value came from. */
  propertyDependencies?: Record<string, string[]>;
  parent?: string;
  /** The provider resource's URN (absent: the default provider, or a component). */
  provider?: string;
  /** False for a component: it has no provider, so its changes are updates, never replacements. @default true */
  custom?: boolean;
  /** Inputs whose change replaces the resource: top-level names, dotted paths, or "*" for any. */
  replaceOnChanges?: string[];
}

/** A registration of this run. */
export interface NewResource extends OldResource {
  deleteBeforeReplace?: boolean;
}

export type StepOp = "create" | "update" | "same" | "replace" | "delete";

export interface Step {
  op: StepOp;
  urn: string;
  type: string;
  /** update, replace: the top-level inputs that changed (sorted). */
  changed?: string[];
  /** delete: the resource left the program, or its replacement was created (or is about to be). */
  reason?: "removed" | "replaced";
}

export interface StepOptions {
  /**
   * Whether a change of these inputs replaces the resource: the provider's Diff answering "replace"
   * (e.g. a type whose every change is a replacement). Asked only when inputs changed.
   * @default never
   */
  replaces?: (resource: OldResource, changed: string[]) => boolean;
}

/** Canonical JSON: objects with sorted keys, so key order never reads as a change. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "undefined";
}

/** The top-level inputs whose values differ, sorted. */
export function changedInputs(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => canonical(before[k]) !== canonical(after[k])).sort();
}

/**
 * A property path's segments (`a.b`, `a[0]`, `a["b"]`), cut at the first wildcard: a path with `*`
 * covers everything under its prefix (the engine's resource.PropertyPath, simplified).
 */
function pathSegments(path: string): string[] {
  const segments = [...path.matchAll(/\[\s*"([^"]*)"\s*\]|\[([^\]]*)\]|([^.[\]]+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
  const wildcard = segments.indexOf("*");
  return wildcard >= 0 ? segments.slice(0, wildcard) : segments;
}

function valueAt(inputs: Record<string, unknown>, path: string): unknown {
  return pathSegments(path).reduce<unknown>(
    (value, key) => (value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined),
    inputs,
  );
}

/**
 * A change the resource's replaceOnChanges names, or that `replaces` calls a replacement
 * (step_generator.go applyReplaceOnChanges: a listed path replaces when it, or a path under it, changed).
 */
function replacedBy(resource: OldResource, before: Record<string, unknown>, after: Record<string, unknown>, options: StepOptions): boolean {
  const changed = changedInputs(before, after);
  if (changed.length === 0 || resource.custom === false) return false;
  const named = (resource.replaceOnChanges ?? []).some((path) => canonical(valueAt(before, path)) !== canonical(valueAt(after, path)));
  return named || (options.replaces?.(resource, changed) ?? false);
}

/** Resources by URN: a URN twice is refused with the engine's message (step_generator.go generateURN). */
function byUrn<T extends OldResource>(resources: readonly T[]): Map<string, T> {
  const map = new Map<string, T>();
  for (const resource of resources) {
    if (map.has(resource.urn)) throw new Error(`Duplicate resource URN '${resource.urn}'; try giving it a unique name`);
    map.set(resource.urn, resource);
  }
  return map;
}

/** What a resource depends on for ordering: dependencies, property dependencies, parent, provider (dependency_graph.go DependenciesOf). */
function dependenciesOf(resource: OldResource): string[] {
  const property = Object.values(resource.propertyDependencies ?? {}).flat();
  return [
    ...new Set(
      [...resource.dependencies, ...property, resource.parent, resource.provider].filter((u): u is string => !!u && u !== resource.urn),
    ),
  ];
}

/** What makes a resource a dependent when replacing: not its parent (dependency_graph.go DependingOn, includeChildren false). */
function dependsOnAny(resource: OldResource, urns: ReadonlySet<string>): boolean {
  const property = Object.values(resource.propertyDependencies ?? {}).flat();
  return [...resource.dependencies, ...property, resource.provider].some((u) => u !== undefined && urns.has(u));
}

interface PlacedStep {
  step: Step;
  level: number;
}

/** One run's planning: the registrations in order, then the deletes. */
class StepPlanner {
  private readonly olds: Map<string, OldResource>;
  private readonly news: Map<string, NewResource>;
  private readonly placed: PlacedStep[] = [];
  /** The level of each registration's last step: what its dependents wait for. */
  private readonly done = new Map<string, number>();
  private readonly replaced = new Set<string>();
  /** Old resources already deleted by a delete-before-replace (the engine's pendingDeletes). */
  private readonly deletedEarly = new Set<string>();
  /** Replaced create-before-delete: their old copies are deleted at the end. */
  private readonly deleteLater: string[] = [];

  constructor(
    private readonly oldList: readonly OldResource[],
    newList: readonly NewResource[],
    private readonly options: StepOptions,
  ) {
    this.olds = byUrn(oldList);
    this.news = byUrn(newList);
    for (const resource of newList) this.register(resource);
  }

  /** Registrations' steps, wave by wave: a step waits for the steps of everything it depends on. */
  registrationWaves(): Step[][] {
    const waves: Step[][] = [];
    for (const { step, level } of this.placed) (waves[level] ??= []).push(step);
    return waves.filter((wave) => wave !== undefined);
  }

  /**
   * Deletes of removed resources and of replaced ones' old copies, after every registration:
   * ScheduleDeletes' antichains (take the condemned with no condemned dependency, repeat), reversed
   * so dependents go before what they depend on.
   */
  deleteWaves(): Step[][] {
    const removed = this.oldList.filter((r) => !this.news.has(r.urn) && !this.deletedEarly.has(r.urn)).map((r) => r.urn);
    const condemned = this.oldList.filter((r) => removed.includes(r.urn) || this.deleteLater.includes(r.urn));
    const remaining = new Set(condemned.map((r) => r.urn));
    const antichains: Step[][] = [];
    while (remaining.size > 0) {
      const free = condemned.filter((r) => remaining.has(r.urn) && !dependenciesOf(r).some((d) => remaining.has(d)));
      if (free.length === 0) throw new Error(`the resources to delete depend on one another in a cycle: ${[...remaining].join(", ")}`);
      for (const r of free) remaining.delete(r.urn);
      antichains.push(
        free.map((r) => ({ op: "delete", urn: r.urn, type: r.type, reason: removed.includes(r.urn) ? "removed" : "replaced" })),
      );
    }
    return antichains.reverse();
  }

  private register(resource: NewResource): void {
    const start = this.startLevel(resource);
    const chain = this.chainFor(resource);
    chain.forEach((step, i) => this.placed.push({ step, level: start + i }));
    this.done.set(resource.urn, start + chain.length - 1);
  }

  /** A registration reaches the engine once everything it depends on is done (the SDK awaits their URNs). */
  private startLevel(resource: NewResource): number {
    let level = 0;
    for (const dependency of dependenciesOf(resource).filter((u) => this.news.has(u))) {
      const done = this.done.get(dependency);
      if (done === undefined) throw new Error(`${resource.urn} is registered before ${dependency}, which it depends on`);
      level = Math.max(level, done + 1);
    }
    return level;
  }

  /** The steps of one registration, run in order (one chain of the step executor). */
  private chainFor(resource: NewResource): Step[] {
    const old = this.olds.get(resource.urn);
    const base = { urn: resource.urn, type: resource.type };
    if (!old) return [{ op: "create", ...base }];
    const changed = changedInputs(old.inputs, resource.inputs);
    const delta = changed.length > 0 ? { changed } : {};
    if (!this.isReplaced(old, resource)) return [{ op: changed.length > 0 ? "update" : "same", ...base, ...delta }];
    this.replaced.add(resource.urn);
    const replace: Step = { op: "replace", ...base, ...delta };
    if (!resource.deleteBeforeReplace) {
      if (!this.deletedEarly.has(resource.urn)) this.deleteLater.push(resource.urn);
      return [replace];
    }
    return [...this.deleteBeforeReplace(old), replace];
  }

  /**
   * Replaced: deleted earlier by a delete-before-replace (the engine's PendingReplacement), its
   * provider replaced or changed in a way that replaces (providerChanged), or an input change that
   * replaces.
   */
  private isReplaced(old: OldResource, resource: NewResource): boolean {
    return (
      this.deletedEarly.has(resource.urn) ||
      this.providerReplaces(old, resource) ||
      replacedBy(resource, old.inputs, resource.inputs, this.options)
    );
  }

  /**
   * The same provider: replaced when it was. Another provider: replaced when either is the default,
   * or when the new provider's configuration differs from the old one's in a way that replaces
   * (the engine asks the new provider's DiffConfig).
   */
  private providerReplaces(old: OldResource, resource: NewResource): boolean {
    if (old.provider === resource.provider) return resource.provider !== undefined && this.replaced.has(resource.provider);
    if (!old.provider || !resource.provider) return true;
    const [before, after] = [this.olds.get(old.provider), this.news.get(resource.provider)];
    return !before || !after || replacedBy(after, before.inputs, after.inputs, this.options);
  }

  /**
   * Delete first: the old resource's dependents that would be replaced too go first, dependents
   * before what they depend on, then the old resource itself (unless a previous one already deleted it).
   */
  private deleteBeforeReplace(old: OldResource): Step[] {
    const dependents = this.dependentReplacements(old).filter((d) => !this.deletedEarly.has(d.urn));
    const steps: Step[] = dependents.reverse().map((d) => ({ op: "delete", urn: d.urn, type: d.type, reason: "replaced" }));
    for (const d of dependents) this.deletedEarly.add(d.urn);
    if (!this.deletedEarly.has(old.urn)) steps.push({ op: "delete", urn: old.urn, type: old.type, reason: "replaced" });
    this.deletedEarly.add(old.urn);
    return steps;
  }

  /**
   * calculateDependentReplacements: the old resource's transitive dependents not registered yet, in
   * snapshot order; one is replaced when it is custom and its provider is being replaced, or an
   * input that came from a replaced resource would replace it (the engine diffs with those inputs unknown).
   */
  private dependentReplacements(root: OldResource): OldResource[] {
    const dependents = new Set([root.urn]);
    const replacing = new Set([root.urn]);
    const found: OldResource[] = [];
    for (const candidate of this.oldList.slice(this.oldList.indexOf(root) + 1)) {
      if (this.done.has(candidate.urn) || this.deletedEarly.has(candidate.urn) || !dependsOnAny(candidate, dependents)) continue;
      dependents.add(candidate.urn);
      if (!this.replacedAsDependent(candidate, replacing)) continue;
      replacing.add(candidate.urn);
      found.push(candidate);
    }
    return found;
  }

  private replacedAsDependent(candidate: OldResource, replacing: ReadonlySet<string>): boolean {
    if (candidate.custom === false) return false;
    if (candidate.provider && replacing.has(candidate.provider)) return true;
    const unknown = Object.entries(candidate.propertyDependencies ?? {})
      .filter(([, urns]) => urns.some((u) => replacing.has(u)))
      .map(([key]) => key)
      .sort();
    if (unknown.length === 0) return false;
    const named = (candidate.replaceOnChanges ?? []).some((path) => {
      const top = pathSegments(path)[0];
      return top === undefined || unknown.includes(top);
    });
    return named || (this.options.replaces?.(candidate, unknown) ?? false);
  }
}

/**
 * The steps of a run, as waves: every step of a wave can run at once, and each wave starts when
 * the one before it is done. The registrations' steps come first (a registration's steps after
 * those of everything it depends on); the deletes of removed resources and of replaced ones' old
 * copies come last, dependents first. The engine starts each registration's chain as soon as the
 * program sends it; waves put a barrier where it has none (as ScheduleDeletes does for deletes),
 * keeping its order between dependent steps.
 */
export function planSteps(olds: readonly OldResource[], news: readonly NewResource[], options: StepOptions = {}): Step[][] {
  const planner = new StepPlanner(olds, news, options);
  return [...planner.registrationWaves(), ...planner.deleteWaves()];
}

export type StepHandler = (step: Step) => Promise<void> | void;

export interface StepsRun {
  /** The steps that completed, in wave order. */
  ran: Step[];
  /** The first step that failed (in wave order), when one did. */
  failed?: { step: Step; error: unknown };
}

/**
 * Runs the waves: a wave's handlers at once, the next wave when they are all done; an op without a
 * handler (e.g. `same`) does nothing. The first failure stops the run: the rest of its wave still
 * finishes (already started, as in the engine) and no later wave starts.
 */
export async function runSteps(waves: readonly Step[][], handlers: Partial<Record<StepOp, StepHandler>>): Promise<StepsRun> {
  const ran: Step[] = [];
  for (const wave of waves) {
    const results = await Promise.allSettled(wave.map(async (step) => handlers[step.op]?.(step)));
    ran.push(...wave.filter((_, i) => results[i].status === "fulfilled"));
    const failedAt = results.findIndex((r) => r.status === "rejected");
    if (failedAt >= 0) return { ran, failed: { step: wave[failedAt], error: (results[failedAt] as PromiseRejectedResult).reason } };
  }
  return { ran };
}

/** The parts of a planned resource (plan/run-program.ts PlannedResource) the model reads. */
export interface PlannedRunResource {
  urn: string;
  type: string;
  inputs: Record<string, unknown>;
  rawInputs?: Record<string, unknown>;
  dependencies: string[];
  propertyDependencies?: Record<string, string[]>;
  parentUrn?: string;
  providerUrn?: string;
  custom?: boolean;
  deleteBeforeReplace?: boolean;
  replaceOnChanges?: string[];
}

function oldResource(r: PlannedRunResource): OldResource {
  return {
    urn: r.urn,
    type: r.type,
    inputs: r.rawInputs ?? r.inputs,
    dependencies: r.dependencies,
    ...(r.propertyDependencies ? { propertyDependencies: r.propertyDependencies } : {}),
    ...(r.parentUrn ? { parent: r.parentUrn } : {}),
    ...(r.providerUrn ? { provider: r.providerUrn } : {}),
    ...(r.custom !== undefined ? { custom: r.custom } : {}),
    ...(r.replaceOnChanges ? { replaceOnChanges: r.replaceOnChanges } : {}),
  };
}

function newResource(r: PlannedRunResource): NewResource {
  return { ...oldResource(r), ...(r.deleteBeforeReplace ? { deleteBeforeReplace: true } : {}) };
}

/** The model's input from two plans of a program (runProgram results): the previous run's state and this run's registrations. */
export function stepModelInput(
  previous: { resources: readonly PlannedRunResource[] },
  current: { resources: readonly PlannedRunResource[] },
): { olds: OldResource[]; news: NewResource[] } {
  return {
    olds: previous.resources.map(oldResource),
    news: current.resources.map(newResource),
  };
}
