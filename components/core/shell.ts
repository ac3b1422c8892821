// Shell quoting for the commands fleetmesh hands to `local.Command` (kind, az, docker).

/** `text` as one single-quoted POSIX shell word. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
