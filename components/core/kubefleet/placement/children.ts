// The children a Placement registers, in an order where every child comes after the children it
// waits for, each named after what it is (never after a position). Direct mode: every selected
// object on every target member, namespaces first, the rollout batches one after the other with a
// wait gate where upstream's rollout controller waits `unavailablePeriodSeconds`
// (kubefleet-dev/kubefleet pkg/controllers/rollout/controller.go). Hub mode: the objects and the
// ClusterResourcePlacement (kubefleet-dev/kubefleet
// apis/placement/v1beta1/clusterresourceplacement_types.go) on the hub, whose own controllers then
// decide. Pure: no Pulumi import.

import { PlacementPolicy, Taint } from "../scheduler/types";
import { MEMBER_CLUSTER_API_VERSION } from "./member-clusters";
import { RolloutStrategy } from "../scheduler/validation/strategy";
import { KubernetesObject, ResourceSelectorTerm } from "./resource-selection";
import { RolloutBatch } from "./rollout";

/** One selected object and its key in child names (see objectKey). */
export interface KeyedObject {
  key: string;
  object: KubernetesObject;
}

/** A Kubernetes object registered on a member (direct mode) or on the hub (hub mode). */
export interface PlacedObjectChild {
  type: "object";
  /** `<placement>-<member>-<objectKey>`, or `<placement>-hub-<objectKey>`. */
  name: string;
  /** The member it goes to; undefined for the hub. */
  member?: string;
  object: KubernetesObject;
  /** Hub objects only: nothing runs on the hub, so nothing there ever becomes ready. */
  skipAwait: boolean;
  /** Names of earlier children it waits for. */
  dependsOn: string[];
}

/** A pause before a rollout batch: `<placement>-<first member of the batch>-rollout-wait`. */
export interface RolloutWaitChild {
  type: "rolloutWait";
  name: string;
  /** The batch it holds back (1-based). */
  batch: number;
  seconds: number;
  /** Runs again when these change (the objects' hash): every rollout waits anew. */
  triggers: string[];
  /** The previous batch's objects. */
  dependsOn: string[];
}

/** The ClusterResourcePlacement versions a hub serves (kubefleet-dev/kubefleet apis/placement). */
export const CrpApiVersion = {
  /** `placement.kubernetes-fleet.io/v1`. */
  V1: "placement.kubernetes-fleet.io/v1",
  /** `placement.kubernetes-fleet.io/v1beta1`: v1 and the delete and report-back strategies. */
  V1beta1: "placement.kubernetes-fleet.io/v1beta1",
} as const;
export type CrpApiVersion = (typeof CrpApiVersion)[keyof typeof CrpApiVersion];
export const CRP_API_VERSIONS: readonly CrpApiVersion[] = Object.values(CrpApiVersion);
export const DEFAULT_CRP_API_VERSION: CrpApiVersion = CrpApiVersion.V1beta1;

/**
 * Hub mode, a member of the Azure Fleet with taints: its declared taints written to `spec.taints` of the
 * hub's MemberCluster (which the Fleet RP creates, and whose taints any user may change: kubefleet-dev/kubefleet
 * pkg/webhook/validation/uservalidation.go), so the hub schedules as the prediction does. `<placement>-<member>-taints`.
 */
export interface MemberClusterTaintsChild {
  type: "memberClusterTaints";
  name: string;
  member: string;
  manifest: MemberClusterTaintsManifest;
  dependsOn: string[];
}

export interface MemberClusterTaintsManifest {
  apiVersion: typeof MEMBER_CLUSTER_API_VERSION;
  kind: "MemberCluster";
  metadata: { name: string; annotations: Record<string, string> };
  spec: { taints: Taint[] };
}

export interface ClusterResourcePlacementManifest {
  apiVersion: CrpApiVersion;
  kind: "ClusterResourcePlacement";
  metadata: { name: string };
  spec: { resourceSelectors: ResourceSelectorTerm[]; policy?: PlacementPolicy; strategy?: RolloutStrategy };
}

/** Hub mode: `<placement>-crp`, after every hub object and the members' taints. */
export interface ClusterResourcePlacementChild {
  type: "clusterResourcePlacement";
  name: string;
  manifest: ClusterResourcePlacementManifest;
  /** Delete and re-create it: this run changes what the hub refuses to update, and the user opted into a replacement. */
  replace: boolean;
  dependsOn: string[];
}

export type PlacementChild = PlacedObjectChild | RolloutWaitChild | MemberClusterTaintsChild | ClusterResourcePlacementChild;

export interface MemberChildrenInput {
  placement: string;
  objects: readonly KeyedObject[];
  /** Members that hold the objects after this run, in rollout order. */
  targets: readonly string[];
  /** The rollout batches of the targets whose objects change. */
  batches: readonly RolloutBatch[];
  /** The wait gates' trigger. */
  objectsHash: string;
}

/**
 * Targets whose objects do not change first (registered again as they are, waiting for nothing),
 * then each batch after the one before it, through a wait gate when the batch waits.
 */
export function memberChildren(input: MemberChildrenInput): PlacementChild[] {
  const batched = new Set(input.batches.flatMap((batch) => batch.members));
  const children: PlacementChild[] = input.targets
    .filter((t) => !batched.has(t))
    .flatMap((member) => objectsOn(input.placement, member, input.objects, []));
  let previous: string[] = [];
  for (const batch of input.batches) {
    const gate = batch.waitSecondsBefore > 0 && previous.length > 0 ? rolloutWait(input, batch, previous) : undefined;
    const placed = batch.members.flatMap((member) => objectsOn(input.placement, member, input.objects, gate ? [gate.name] : previous));
    children.push(...(gate ? [gate] : []), ...placed);
    previous = placed.map((child) => child.name);
  }
  return children;
}

function rolloutWait(input: MemberChildrenInput, batch: RolloutBatch, previous: string[]): RolloutWaitChild {
  return {
    type: "rolloutWait",
    name: `${input.placement}-${batch.members[0]}-rollout-wait`,
    batch: batch.index,
    seconds: batch.waitSecondsBefore,
    triggers: [input.objectsHash],
    dependsOn: previous,
  };
}

export interface HubChildrenInput {
  placement: string;
  objects: readonly KeyedObject[];
  resourceSelectors: ResourceSelectorTerm[];
  policy?: PlacementPolicy;
  strategy?: RolloutStrategy;
  /** @default DEFAULT_CRP_API_VERSION */
  apiVersion?: CrpApiVersion;
  /** Members of the Azure Fleet whose taints go to their MemberCluster on the hub. @default none */
  memberTaints?: ReadonlyArray<{ member: string; taints: readonly Taint[] }>;
  /** @default false */
  replace?: boolean;
}

/**
 * The selected objects on the hub (namespaces first) and the members' taints, then the
 * ClusterResourcePlacement after them: the hub schedules it knowing the taints.
 */
export function hubChildren(input: HubChildrenInput): PlacementChild[] {
  const objects = objectsOn(input.placement, undefined, input.objects, []);
  const taints = (input.memberTaints ?? []).map(({ member, taints }) => memberClusterTaints(input.placement, member, taints));
  const crp: ClusterResourcePlacementChild = {
    type: "clusterResourcePlacement",
    name: `${input.placement}-crp`,
    manifest: {
      apiVersion: input.apiVersion ?? DEFAULT_CRP_API_VERSION,
      kind: "ClusterResourcePlacement",
      metadata: { name: input.placement },
      spec: {
        resourceSelectors: input.resourceSelectors,
        ...(input.policy && { policy: input.policy }),
        ...(input.strategy && { strategy: input.strategy }),
      },
    },
    replace: input.replace ?? false,
    dependsOn: [...objects, ...taints].map((child) => child.name),
  };
  return [...objects, ...taints, crp];
}

/**
 * A server-side apply patch of the MemberCluster's `spec.taints` only. Forced: the member's declared
 * taints win over taints set on the hub by hand (pulumi-kubernetes' `pulumi.com/patchForce`).
 */
function memberClusterTaints(placement: string, member: string, taints: readonly Taint[]): MemberClusterTaintsChild {
  return {
    type: "memberClusterTaints",
    name: `${placement}-${member}-taints`,
    member,
    manifest: {
      apiVersion: MEMBER_CLUSTER_API_VERSION,
      kind: "MemberCluster",
      metadata: { name: member, annotations: { "pulumi.com/patchForce": "true" } },
      spec: { taints: taints.map((t) => ({ ...t })) },
    },
    dependsOn: [],
  };
}

/** The objects on one member (or the hub): core Namespaces after `after`, every other object after them too. */
function objectsOn(placement: string, member: string | undefined, objects: readonly KeyedObject[], after: string[]): PlacedObjectChild[] {
  const place = (keyed: KeyedObject, dependsOn: string[]): PlacedObjectChild => ({
    type: "object",
    name: `${placement}-${member ?? "hub"}-${keyed.key}`,
    ...(member !== undefined && { member }),
    object: keyed.object,
    skipAwait: member === undefined,
    dependsOn,
  });
  const namespaces = objects.filter((keyed) => isCoreNamespace(keyed.object)).map((keyed) => place(keyed, after));
  const rest = objects
    .filter((keyed) => !isCoreNamespace(keyed.object))
    .map((keyed) => place(keyed, [...after, ...namespaces.map((ns) => ns.name)]));
  return [...namespaces, ...rest];
}

function isCoreNamespace(obj: KubernetesObject): boolean {
  return obj.kind === "Namespace" && !obj.apiVersion.includes("/");
}
