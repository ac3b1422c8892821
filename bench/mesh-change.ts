// What one run changes on the members that were already there: compared from what the components
// registered on the mock runtime in the run before and the run after (scale-child.ts digests), and,
// for a few members, from the real chart rendered with their registered Helm values before and after.
import { isDeepStrictEqual } from "util";
import type { DigestEntry } from "./scale-child";
import type { K8sObject, Rendered } from "../test/helm/helm-template";

const MEMBER_TYPE = "fleetmesh:index:Member";
const RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";

/** One existing member's peer-object writes. */
export interface MemberWrites {
  member: string;
  /** Patch objects whose inputs differ. */
  objects: number;
  /** Bytes of those objects' data, decoded (what the member's files hold after the write). */
  bytes: number;
  /** The same data as stored (Secret data is base64): what the write carries. */
  storedBytes: number;
  /** Entries (peer files, users) added, removed or changed, over those objects. */
  entries: number;
  /** Bytes of the entries added or changed (after) and removed (before), decoded. */
  entryBytes: number;
  /** The largest of those objects as stored (Kubernetes caps one object's data at 1 MiB). */
  largestObject: number;
}

export interface MeshChange {
  /** Members in both runs, in the after run's order. */
  existing: string[];
  /** Existing members' resources whose inputs differ (or that appeared or went), by type. */
  changedByType: Record<string, number>;
  /** Resources of no member (fleet, CA, mesh, services) whose inputs differ, appeared or went. */
  fleetLevel: string[];
  /** Existing members' Cilium releases whose inputs differ. */
  releasesChanged: number;
  perMember: MemberWrites[];
  /** Existing member → its Release before and after. */
  releases: Map<string, { before: DigestEntry; after: DigestEntry }>;
}

const key = (r: DigestEntry) => `${r.type}::${r.name}`;

function membersOf(digest: DigestEntry[]): string[] {
  return digest.filter((r) => r.type === MEMBER_TYPE).map((r) => r.member!);
}

/** Entries of `object` added, removed or changed against `old`, and their bytes. */
function entryChanges(old: DigestEntry["object"], now: DigestEntry["object"]): { entries: number; bytes: number } {
  const [was, is] = [old?.entries ?? {}, now?.entries ?? {}];
  let entries = 0;
  let bytes = 0;
  for (const [name, hash] of Object.entries(is)) {
    if (was[name] === hash) continue;
    entries++;
    bytes += now!.entryBytes[name];
  }
  for (const name of Object.keys(was)) {
    if (name in is) continue;
    entries++;
    bytes += old!.entryBytes[name];
  }
  return { entries, bytes };
}

export function meshChange(before: DigestEntry[], after: DigestEntry[]): MeshChange {
  const was = new Set(membersOf(before));
  const existing = membersOf(after).filter((m) => was.has(m));
  const isExisting = new Set(existing);
  const old = new Map(before.map((r) => [key(r), r]));
  const now = new Map(after.map((r) => [key(r), r]));
  const changedByType: Record<string, number> = {};
  const fleetLevel: string[] = [];
  const writes = new Map<string, MemberWrites>(
    existing.map((m) => [m, { member: m, objects: 0, bytes: 0, storedBytes: 0, entries: 0, entryBytes: 0, largestObject: 0 }]),
  );
  const releases = new Map<string, { before: DigestEntry; after: DigestEntry }>();
  const changed = (r: DigestEntry, previous: DigestEntry | undefined) => {
    if (r.member === undefined) fleetLevel.push(`${key(r)}${previous ? "" : " (appeared)"}`);
    else if (isExisting.has(r.member)) changedByType[r.type] = (changedByType[r.type] ?? 0) + 1;
  };
  for (const r of after) {
    const previous = old.get(key(r));
    if (r.type === RELEASE_TYPE && previous && r.member && isExisting.has(r.member)) releases.set(r.member, { before: previous, after: r });
    if (previous?.hash === r.hash) continue;
    changed(r, previous);
    if (r.object && r.member && isExisting.has(r.member)) {
      const w = writes.get(r.member)!;
      const delta = entryChanges(previous?.object, r.object);
      w.objects++;
      w.bytes += r.object.bytes;
      w.storedBytes += r.object.storedBytes;
      w.entries += delta.entries;
      w.entryBytes += delta.bytes;
      w.largestObject = Math.max(w.largestObject, r.object.storedBytes);
    }
  }
  for (const r of before) {
    if (now.has(key(r))) continue;
    if (r.member === undefined) fleetLevel.push(`${key(r)} (went)`);
    else if (isExisting.has(r.member)) changedByType[r.type] = (changedByType[r.type] ?? 0) + 1;
  }
  return {
    existing,
    changedByType,
    fleetLevel,
    releasesChanged: changedByType[RELEASE_TYPE] ?? 0,
    perMember: existing.map((m) => writes.get(m)!),
    releases,
  };
}

/** A true median (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `count` members spread over the list: first, middle(s), last. */
export function sample<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  const picked = new Set<number>();
  for (let i = 0; i < count; i++) picked.add(Math.round((i * (items.length - 1)) / (count - 1)));
  return [...picked].sort((a, b) => a - b).map((i) => items[i]);
}

/** Workload kinds and where their pod template sits. */
const POD_TEMPLATE_PATHS: Record<string, string[]> = {
  Deployment: ["spec", "template"],
  DaemonSet: ["spec", "template"],
  StatefulSet: ["spec", "template"],
  ReplicaSet: ["spec", "template"],
  Job: ["spec", "template"],
  CronJob: ["spec", "jobTemplate", "spec", "template"],
};

const label = (o: K8sObject) => `${o.kind} ${o.metadata.name}`;

/** The rendered objects that carry a pod template, by `<kind> <name>`. */
export function podTemplateObjects(objects: readonly K8sObject[]): Map<string, K8sObject> {
  return new Map(objects.filter((o) => POD_TEMPLATE_PATHS[o.kind]).map((o) => [label(o), o]));
}

export interface RenderChange {
  /** Objects with a pod template in the render after. */
  podTemplateObjects: string[];
  /** Of those, the ones whose spec (pod template included) differs from the render before, or that appeared or went. */
  podTemplatesChanged: string[];
  /** Every object that differs, appeared or went. */
  objectsChanged: string[];
  /** Whether the rendered manifests differ at all (byte for byte). */
  manifestDiffers: boolean;
}

export function renderChange(before: Rendered, after: Rendered): RenderChange {
  const [was, is] = [new Map(before.objects.map((o) => [label(o), o])), new Map(after.objects.map((o) => [label(o), o]))];
  const objectsChanged = [...new Set([...was.keys(), ...is.keys()])].filter((k) => !isDeepStrictEqual(was.get(k), is.get(k))).sort();
  const [templatesWas, templatesIs] = [podTemplateObjects(before.objects), podTemplateObjects(after.objects)];
  const podTemplatesChanged = [...new Set([...templatesWas.keys(), ...templatesIs.keys()])]
    .filter((k) => !isDeepStrictEqual(templatesWas.get(k)?.spec, templatesIs.get(k)?.spec))
    .sort();
  return {
    podTemplateObjects: [...templatesIs.keys()].sort(),
    podTemplatesChanged,
    objectsChanged,
    manifestDiffers: before.text !== after.text,
  };
}
