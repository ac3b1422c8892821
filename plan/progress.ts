// Progress on a terminal's stderr while a long plan runs (hundreds of members take a while), so it
// does not look stuck. Stdout, what scripts read, is left as it is; nothing is shown off a terminal.

export interface Progress {
  /** The latest state; shown when the plan has run a while, at most a few times a second. */
  update(text: string): void;
  /** Clears the line. */
  done(): void;
}

/** The part of a stream progress writes to. */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

/** Plans shorter than this show nothing. */
export const QUIET_MS = 1000;
/** At most one redraw per this many milliseconds. */
export const REDRAW_MS = 200;

/** Progress on `stream`, or undefined when it is not a terminal. `now` is the clock (tests give their own). */
export function terminalProgress(stream: ProgressStream, now: () => number = Date.now): Progress | undefined {
  if (!stream.isTTY) return undefined;
  const started = now();
  let drawn = -Infinity;
  let shown = false;
  return {
    update(text) {
      const at = now();
      if (at - started < QUIET_MS || at - drawn < REDRAW_MS) return;
      drawn = at;
      shown = true;
      // Carriage return and "erase in line" (ECMA-48 EL, CSI K): redraw the one line in place.
      stream.write(`\r\x1b[K${text}`);
    },
    done() {
      if (shown) stream.write("\r\x1b[K");
      shown = false;
    },
  };
}
