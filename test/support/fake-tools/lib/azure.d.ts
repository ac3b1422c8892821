import type { FakeState, ManagedClusterRecord, MemberRecord, ProfileRecord, FleetRecord } from "./state";

export class AzureError extends Error {
  code: string;
  status: number;
}

export const ids: {
  resourceGroup(sub: string, rg: string): string;
  cluster(sub: string, rg: string, name: string): string;
  fleet(sub: string, rg: string, name: string): string;
  member(sub: string, rg: string, fleet: string, name: string): string;
  profile(sub: string, rg: string, fleet: string, name: string): string;
};
export function key(id: string): string;
export function settle(state: FakeState): void;

interface InGroup {
  subscription: string;
  resourceGroup: string;
}
interface InFleet extends InGroup {
  fleet: string;
  name: string;
}

export function putResourceGroup(state: FakeState, args: { subscription: string; name: string; location?: string }): string;
export function putManagedCluster(
  state: FakeState,
  args: InGroup & { name: string; location?: string; lagCalls?: number; notReadyCalls?: number },
): string;
export function deleteManagedCluster(state: FakeState, id: string): void;
export function putFleet(state: FakeState, args: InGroup & { name: string; location?: string }): string;
export function requireFleet(state: FakeState, sub: string, rg: string, fleet: string): FleetRecord;
export function createMember(
  state: FakeState,
  args: InFleet & { clusterResourceId: string; labels?: Record<string, string>; group?: string; joinFailures?: number },
): MemberRecord;
export function requireMember(state: FakeState, sub: string, rg: string, fleet: string, name: string): MemberRecord;
export function updateMember(state: FakeState, args: InFleet & { labels?: Record<string, string>; group?: string }): MemberRecord;
export function deleteMember(state: FakeState, args: InFleet): boolean;
export function putProfile(state: FakeState, args: InFleet & { memberSelector: string }): ProfileRecord;
export function requireProfile(state: FakeState, sub: string, rg: string, fleet: string, name: string): ProfileRecord;
export function applyProfile(state: FakeState, args: InFleet): ProfileRecord;
export function deleteProfile(state: FakeState, args: InFleet): boolean;
export function fleetMembers(state: FakeState, fleetId: string): MemberRecord[];
export function inProfile(member: MemberRecord, profile: ProfileRecord): boolean;
export function memberMeshState(member: MemberRecord): string | undefined;
export function memberView(member: MemberRecord): Record<string, unknown>;
export function profileView(state: FakeState, profile: ProfileRecord): Record<string, unknown>;
export function armView(state: FakeState, id: string): Record<string, unknown>;
export type { ManagedClusterRecord };
