/**
 * Facts that cannot change within one schedule() call (cluster data, the policy, the clock), computed
 * once and shared by every cycle of the call. Upstream recomputes them each cycle; the results are the same.
 */
export class CallMemo {
  private readonly values = new Map<unknown, unknown>();

  /** A per-call array indexed by cluster position, created on first use; callers fill its slots lazily. */
  perPosition<T>(key: unknown): Array<T | undefined> {
    return this.once(key, () => [] as Array<T | undefined>);
  }

  once<T>(key: unknown, compute: () => T): T {
    if (this.values.has(key)) return this.values.get(key) as T;
    const value = compute();
    this.values.set(key, value);
    return value;
  }
}
