// Plugin results as values, mirroring the status codes of KubeFleet's scheduler framework.

export type PluginStatus =
  | { code: "Success" }
  | { code: "Skip" }
  | { code: "ClusterUnschedulable"; plugin: string; reasons: string[] }
  | { code: "ClusterAlreadySelected"; plugin: string };

export const SUCCESS: PluginStatus = { code: "Success" };
export const SKIP: PluginStatus = { code: "Skip" };

export function unschedulable(plugin: string, ...reasons: string[]): PluginStatus {
  return { code: "ClusterUnschedulable", plugin, reasons };
}

/** Upstream `Status.String()`: the code name, then the reasons, joined by ", ". */
export function describeStatus(status: PluginStatus): string {
  if (status.code === "ClusterUnschedulable") return [status.code, ...status.reasons].join(", ");
  return status.code;
}

/**
 * An internal error: upstream aborts the whole scheduling cycle for the placement and changes nothing
 * (e.g. a property value that is not a quantity, or a malformed resource property name).
 */
export class SchedulingCycleError extends Error {
  constructor(
    readonly plugin: string,
    message: string,
  ) {
    super(`scheduling cycle aborted by plugin ${plugin}: ${message}`);
    this.name = "SchedulingCycleError";
  }
}
