import type { FakeState } from "./state";

export const DAEMON_DOWN: string;
export class DockerError extends Error {
  exit: number;
}
export function parseCidr(cidr: string): { base: number; bits: number; size: number };
export function ipString(n: number): string;
/** Stops the named containers, starts them in `startOrder`; each one's addresses by network, before and after. */
export function restartContainers(
  state: FakeState,
  names: string[],
  startOrder?: string[],
): Record<string, { before: Record<string, string>; after: Record<string, string> }>;
