import { AgentStatus, Condition, MemberCluster, Timestamp } from "../types";
import { formatGoFixed2, goDurationMinutes } from "../go-format";
import { CycleState, Plugin } from "../framework/plugin";
import { SUCCESS, unschedulable } from "../framework/status";
import { isLeaving } from "../framework/bindings";

// Mirrors KubeFleet's clustereligibilitychecker: only the MemberAgent's own status is read,
// never the MemberCluster's conditions. Checks run in upstream order; the first failure wins.

export type Eligibility = { eligible: true } | { eligible: false; reason: string };

export interface EligibilityTimeouts {
  heartbeatTimeoutMs: number;
  healthTimeoutMs: number;
}

const MEMBER_AGENT = "MemberAgent";
/** Go's zero time.Time (0001-01-01T00:00:00Z): what upstream measures from when a timestamp is missing. */
const GO_ZERO_TIME_MS = new Date("0001-01-01T00:00:00Z").getTime();

function timestampMs(value: Timestamp | undefined | null): number {
  if (value === undefined || value === null) return GO_ZERO_TIME_MS;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isNaN(ms) ? GO_ZERO_TIME_MS : ms;
}

function minutesSince(now: Date, value: Timestamp | undefined): number {
  return goDurationMinutes(now.getTime() - timestampMs(value));
}

function memberAgentStatus(cluster: MemberCluster): AgentStatus | undefined {
  return cluster.status?.agentStatus?.find((status) => status.type === MEMBER_AGENT);
}

function agentCondition(status: AgentStatus, type: string): Condition | undefined {
  return status.conditions?.find((condition) => condition.type === type);
}

export function checkEligibility(cluster: MemberCluster, now: Date, timeouts: EligibilityTimeouts): Eligibility {
  if (isLeaving(cluster)) return { eligible: false, reason: "cluster has left the fleet" };
  const agent = memberAgentStatus(cluster);
  if (!agent) return { eligible: false, reason: "cluster is not connected to the fleet: member agent not online yet" };

  const sinceHeartbeatMs = now.getTime() - timestampMs(agent.lastReceivedHeartbeat);
  if (sinceHeartbeatMs > timeouts.heartbeatTimeoutMs) {
    const minutes = formatGoFixed2(minutesSince(now, agent.lastReceivedHeartbeat));
    return {
      eligible: false,
      reason: `cluster is not connected to the fleet: no recent heartbeat signals (last received ${minutes} minutes ago)`,
    };
  }
  const joined = agentCondition(agent, "Joined");
  if (!joined || joined.status !== "True") {
    return { eligible: false, reason: "cluster is not connected to the fleet: member agent not joined yet" };
  }
  const healthy = agentCondition(agent, "Healthy");
  if (!healthy) {
    return { eligible: false, reason: "cluster is not connected to the fleet: health condition from member agent is not available" };
  }
  const sinceTransitionMs = now.getTime() - timestampMs(healthy.lastTransitionTime);
  // A recent failure (within the health timeout) does not make the cluster ineligible.
  if (healthy.status !== "True" && sinceTransitionMs > timeouts.healthTimeoutMs) {
    const minutes = formatGoFixed2(minutesSince(now, healthy.lastTransitionTime));
    return {
      eligible: false,
      reason: `cluster is not connected to the fleet: unhealthy for a prolonged period of time (last transitioned ${minutes} minutes ago)`,
    };
  }
  return { eligible: true };
}

export const clusterEligibility: Plugin = {
  name: "ClusterEligibility",
  bindingIndependent: true,
  filter(state: CycleState, cluster: MemberCluster) {
    const result = checkEligibility(cluster, state.now, state.options);
    return result.eligible ? SUCCESS : unschedulable(this.name, result.reason);
  },
};
