// A component's working state and handles, kept off the class. The component analyzer that builds
// the package schema for other languages (@pulumi/pulumi provider/experimental/analyzer.ts) takes every
// field of a component class, private ones included, for an output; getters it leaves alone. So each
// component keeps what is not an output here and reads it through a getter.

/** One component class's private state, by instance. */
export interface PrivateState<C extends object, S> {
  set(owner: C, state: S): void;
  /** The state of `owner`; a read before the constructor set it is a programming error. */
  of(owner: C): S;
}

export function privateState<C extends object, S>(className: string): PrivateState<C, S> {
  const states = new WeakMap<C, S>();
  return {
    set: (owner, state) => void states.set(owner, state),
    of: (owner) => {
      const state = states.get(owner);
      if (state === undefined) throw new Error(`a ${className} is read before its constructor finished`);
      return state;
    },
  };
}
