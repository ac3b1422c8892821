// Turns a planned run into what a person reads (the resource tree and the what-if tables) and what
// a GitOps repository would hold (every Kubernetes object and Helm values file, per cluster).
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { PlanRun, PlannedResource } from "./run-program";

const key = (r: PlannedResource) => `${r.type}::${r.name}`;

/** The resource tree: components with their children, indented, in registration order. */
export function renderTree(run: PlanRun): string {
  const children = new Map<string | undefined, PlannedResource[]>();
  for (const resource of run.resources) {
    const siblings = children.get(resource.parent) ?? [];
    siblings.push(resource);
    children.set(resource.parent, siblings);
  }
  const known = new Set(run.resources.map(key));
  const roots = run.resources.filter((r) => r.parent === undefined || !known.has(r.parent));
  const lines: string[] = [];
  const walk = (resource: PlannedResource, depth: number) => {
    const via = resource.provider ? `  (on ${resource.provider})` : "";
    lines.push(`${"  ".repeat(depth)}${resource.type}  ${resource.name}${via}`);
    for (const child of children.get(key(resource)) ?? []) walk(child, depth + 1);
  };
  for (const root of roots) walk(root, 0);
  return lines.join("\n");
}

/** Everything the components printed (allocation, mesh and placement what-ifs), errors first. */
export function renderWhatIf(run: PlanRun): string {
  const order = { error: 0, warn: 1, info: 2 } as const;
  return [...run.logs]
    .sort((a, b) => order[a.severity] - order[b.severity])
    .map((log) => (log.severity === "info" ? log.message : `${log.severity.toUpperCase()}: ${log.message}`))
    .join("\n\n");
}

interface Manifest {
  file: string;
  content: unknown;
}

function fileName(obj: Record<string, any>): string {
  const parts = [obj.kind, obj.metadata?.namespace, obj.metadata?.name].filter(Boolean).map((p: string) => String(p).toLowerCase());
  return `${parts.join("-").replace(/[^a-z0-9.-]/g, "-")}.yaml`;
}

/** The objects a resource puts on a cluster, as that cluster would receive them. */
function manifestsOf(resource: PlannedResource): Manifest[] {
  const inputs = resource.inputs as Record<string, any>;
  if (resource.type === "kubernetes:yaml/v2:ConfigGroup") return (inputs.objs ?? []).map((obj: Record<string, any>) => ({ file: fileName(obj), content: obj }));
  if (resource.type === "kubernetes:helm.sh/v3:Release") {
    return [{ file: `helm-${inputs.name ?? resource.name}-values.yaml`, content: inputs.values }];
  }
  if (resource.type.startsWith("kubernetes:") && inputs.apiVersion && inputs.kind) {
    const { apiVersion, kind, metadata, ...rest } = inputs;
    return [{ file: fileName(inputs), content: { apiVersion, kind, metadata, ...rest } }];
  }
  return [];
}

/**
 * Writes every Kubernetes object and Helm values file under `outDir/<cluster>/`, the cluster being
 * the provider the resource is registered with. Secrets appear as `[secret]`. Returns the files written.
 */
export function writeManifests(run: PlanRun, outDir: string): string[] {
  const written: string[] = [];
  for (const resource of run.resources) {
    if (!resource.provider) continue;
    for (const manifest of manifestsOf(resource)) {
      const dir = path.join(outDir, resource.provider);
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, manifest.file);
      fs.writeFileSync(file, stringify(manifest.content, { sortMapEntries: true }));
      written.push(file);
    }
  }
  return written.sort();
}
