// The report model drawn as a picture: meshes as groups holding the sites (provisioner and region)
// their members run in, members outside any mesh in their sites, services and placements as boxes
// with edges to the members they reach. A fleet too large to draw member by member shows one counted
// box per mesh and site instead. Pure.
import { MemberEntry, ReportModel, memberKey } from "./model";
import { CHANGES, Change, Picture, PictureEdge, PictureGroup, PictureNode } from "./picture";

/** Above this many members the picture counts members per mesh and site instead of drawing each. */
export const MEMBER_BOXES_LIMIT = 64;

/** One change for many: all the same, that one; any mix, changed. */
export function combinedChange(changes: readonly Change[]): Change {
  const distinct = new Set(changes);
  if (distinct.size === 1) return changes[0];
  return distinct.size === 0 ? "unchanged" : "changed";
}

/** Ids safe in Mermaid and DOT: a kind prefix and the name's letters and digits, numbered when two collide. */
class Ids {
  private readonly taken = new Set<string>();
  private readonly given = new Map<string, string>();

  of(kind: string, ...parts: string[]): string {
    const key = [kind, ...parts].join("\u0000");
    const known = this.given.get(key);
    if (known) return known;
    const base = [kind, ...parts.map((p) => p.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_|_$/g, "") || "x")].join("_");
    let id = base;
    for (let n = 2; this.taken.has(id); n++) id = `${base}_${n}`;
    this.taken.add(id);
    this.given.set(key, id);
    return id;
  }
}

function siteLabel(member: MemberEntry): string {
  return member.region === undefined ? member.provisioner : `${member.provisioner} · ${member.region}`;
}

function countLabel(members: readonly MemberEntry[]): string {
  const counts = CHANGES.filter((c) => c !== "unchanged")
    .map((c) => [c, members.filter((m) => m.change === c).length] as const)
    .filter(([, n]) => n > 0)
    .map(([c, n]) => `${n} ${c}`);
  const total = `${members.length} ${members.length === 1 ? "member" : "members"}`;
  return counts.length === 0 ? total : `${total} (${counts.join(", ")})`;
}

interface Drawn {
  nodes: PictureNode[];
  /** member key (fleet/name) → the node that stands for it. */
  nodeOf: Map<string, string>;
}

/** Members grouped by a key, in first-seen order. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

/** The site groups of some members, each holding a box per member or one counted box. */
function siteGroups(
  members: readonly MemberEntry[],
  scope: string[],
  counted: boolean,
  manyFleets: boolean,
  ids: Ids,
  drawn: Drawn,
): PictureGroup[] {
  return [...groupBy(members, siteLabel)].map(([label, inSite]) => {
    const id = ids.of("site", ...scope, label);
    const change = combinedChange(inSite.map((m) => m.change));
    if (counted) {
      const node = ids.of("members", ...scope, label);
      drawn.nodes.push({ id: node, label: countLabel(inSite), kind: "members", change });
      for (const m of inSite) drawn.nodeOf.set(memberKey(m.fleet, m.name), node);
      return { id, label, kind: "site", change, nodes: [node], groups: [] };
    }
    const nodes = inSite.map((m) => {
      const node = ids.of("member", m.fleet, m.name);
      drawn.nodes.push({ id: node, label: manyFleets ? `${m.fleet}/${m.name}` : m.name, kind: "member", change: m.change });
      drawn.nodeOf.set(memberKey(m.fleet, m.name), node);
      return node;
    });
    return { id, label, kind: "site", change, nodes, groups: [] };
  });
}

function memberGroups(model: ReportModel, ids: Ids, drawn: Drawn): PictureGroup[] {
  const fleets = new Set(model.members.map((m) => m.fleet));
  const manyFleets = fleets.size > 1;
  const groups: PictureGroup[] = [];
  for (const fleet of fleets) {
    const members = model.members.filter((m) => m.fleet === fleet);
    const counted = members.length > MEMBER_BOXES_LIMIT;
    const fleetMeshes = model.meshes.filter((m) => m.fleet === fleet);
    for (const mesh of fleetMeshes) {
      const inMesh = members.filter((m) => m.mesh === mesh.name);
      const name = manyFleets ? `${fleet}/${mesh.name}` : mesh.name;
      const label = `mesh ${name} (${mesh.backend})`;
      const sites = siteGroups(inMesh, [fleet, mesh.name], counted, manyFleets, ids, drawn);
      groups.push({ id: ids.of("mesh", fleet, mesh.name), label, kind: "mesh", change: mesh.change, nodes: [], groups: sites });
    }
    const meshes = new Set(fleetMeshes.map((m) => m.name));
    const outside = members.filter((m) => m.mesh === undefined || !meshes.has(m.mesh));
    groups.push(...siteGroups(outside, [fleet], counted, manyFleets, ids, drawn));
  }
  return groups;
}

/** Edges from one box to members, merged per target node (a counted box is reached once, labelled with how many). */
function edgesTo(
  from: string,
  targets: ReadonlyArray<{ fleet: string; member: string; change: Change; label: string }>,
  drawn: Drawn,
): PictureEdge[] {
  const byNode = groupBy(
    targets.filter((t) => drawn.nodeOf.has(memberKey(t.fleet, t.member))),
    (t) => drawn.nodeOf.get(memberKey(t.fleet, t.member))!,
  );
  return [...byNode].map(([to, reached]) => {
    const counted = drawn.nodes.find((n) => n.id === to)?.kind === "members";
    const labels = [...new Set(reached.map((r) => r.label).filter((l) => l !== ""))];
    const label = counted
      ? `${reached.length} ${reached.length === 1 ? "member" : "members"}${labels.length ? ` (${labels.join(", ")})` : ""}`
      : labels.join(", ");
    return { from, to, label, change: combinedChange(reached.map((r) => r.change)) };
  });
}

function memberChange(whole: Change, now: boolean, before: boolean | undefined): Change {
  if (whole === "added" || whole === "removed") return whole;
  if (before === undefined) return "unchanged";
  return now && !before ? "added" : !now && before ? "removed" : "unchanged";
}

function serviceBoxes(model: ReportModel, ids: Ids, drawn: Drawn): PictureEdge[] {
  return model.services.flatMap((service) => {
    const id = ids.of(service.kind === "GlobalService" ? "global" : "mcs", service.fleet, service.name);
    drawn.nodes.push({ id, label: `${service.kind} ${service.name}`, kind: "service", change: service.change });
    const ingress = service.ingressMember === undefined ? [] : [service.ingressMember];
    const members = [...new Set([...service.members, ...(service.previousMembers ?? []), ...ingress])].sort();
    return edgesTo(
      id,
      members.map((member) => ({
        fleet: service.fleet,
        member,
        label: member === service.ingressMember ? "ingress" : "",
        change: memberChange(
          service.change,
          service.members.includes(member) || member === service.ingressMember,
          service.previousMembers === undefined ? undefined : service.previousMembers.includes(member) || member === service.ingressMember,
        ),
      })),
      drawn,
    );
  });
}

function placementBoxes(model: ReportModel, ids: Ids, drawn: Drawn): PictureEdge[] {
  return model.placements.flatMap((placement) => {
    const id = ids.of("placement", placement.fleet, placement.name);
    drawn.nodes.push({ id, label: `Placement ${placement.name}`, kind: "placement", change: placement.change });
    const w = placement.whatIf;
    const reach = (members: readonly string[], change: Change) =>
      members.map((member) => ({ fleet: placement.fleet, member, label: "", change }));
    const targets = w
      ? [...reach(w.added, "added"), ...reach(w.kept, "unchanged"), ...reach(w.removed, "removed")]
      : reach(placement.targets, placement.change === "removed" ? "removed" : "unchanged");
    return edgesTo(id, targets, drawn);
  });
}

/** The picture of a report: groups and member boxes first, then services and placements with their edges. */
export function topologyPicture(model: ReportModel): Picture {
  const ids = new Ids();
  const drawn: Drawn = { nodes: [], nodeOf: new Map() };
  const groups = memberGroups(model, ids, drawn);
  const edges = [...serviceBoxes(model, ids, drawn), ...placementBoxes(model, ids, drawn)];
  return { groups, nodes: drawn.nodes, edges };
}
