import type { FakeState, Faults } from "./state";

export const STATE_FILE: string;
export const FAULTS_FILE: string;
export function initialState(): FakeState;
export function stateDir(env?: NodeJS.ProcessEnv): string;
export function withLock<T>(dir: string, fn: () => T): T;
export function readState(dir: string): FakeState;
/** The state with pending sleeps added to the clock (under the lock). */
export function load(dir: string): FakeState;
export function writeState(dir: string, state: FakeState): void;
export function readFaults(dir: string): Faults;
export function writeFaults(dir: string, faults: Faults): void;
export function update<T>(dir: string, fn: (state: FakeState) => T): T;
