// The fleets whose Cilium values the Helm tests render: each example program that installs Cilium,
// on each chart the vendored set has (kind-mesh takes `ciliumVersion`), and a fleet of kind,
// kubeconfig and AKS BYOCNI members the programs do not cover.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FleetArgs } from "../../components";
import { CHART_VERSIONS, Rendered, chartFile, helmTemplate, pool } from "./helm-template";
import { MemberRun } from "./mesh-view";
import { Exposure, PlannedFleet, kindExposure, planFleet, planProgram } from "./planned-values";
import { ChartCa, withCa } from "./test-ca";
import { fakeKubeconfig } from "../../plan/fake-cloud";

export interface Scenario {
  title: string;
  /** The chart every member's release must pin. */
  version: string;
  /** The members expected to get a Cilium release. */
  members: string[];
  plan: () => Promise<PlannedFleet>;
}

const AKS_INTERNAL_LB = { "service.beta.kubernetes.io/azure-load-balancer-internal": "true" };

/** kind, a kubeconfig member behind a LoadBalancer, one behind a NodePort, and AKS BYOCNI, in one mesh. */
export function mixedFleet(version: string): FleetArgs {
  const meshed = { labels: { mesh: "demo" } };
  return {
    cilium: { version },
    members: {
      c1: { kind: {}, ...meshed },
      dc: { kubeconfig: fakeKubeconfig("dc"), ...meshed, serviceCidr: "10.140.0.0/20", meshEndpoint: { loadBalancerIP: "192.168.50.10" } },
      edge: {
        kubeconfig: fakeKubeconfig("edge"),
        ...meshed,
        serviceCidr: "10.141.0.0/20",
        meshEndpoint: { serviceType: "NodePort", ips: ["192.168.60.11", "192.168.60.12"] },
      },
      az: {
        aks: {
          resourceGroupName: "rg",
          location: "eastus2",
          networkPlugin: "none",
          virtualNetwork: { name: "v", resourceGroupName: "rg" },
          nodeSubnetCidr: "10.200.9.0/24",
        },
        ...meshed,
        meshEndpoint: { loadBalancerIP: "10.200.9.200" },
      },
    },
    meshes: { demo: { memberSelector: { matchLabels: { mesh: "demo" } } } },
  };
}

/** How the mixed fleet's members are reached, as declared above (AKS members get the internal-LB annotation). */
export const MIXED_EXPOSURE: Record<string, Exposure> = {
  ...kindExposure("mixed", ["c1"]),
  dc: { loadBalancerIP: "192.168.50.10" },
  edge: { nodeIps: ["192.168.60.11", "192.168.60.12"] },
  az: { loadBalancerIP: "10.200.9.200", annotations: AKS_INTERNAL_LB },
};

export const mixedTitle = (version: string) => `a kind, two kubeconfig and an AKS BYOCNI member meshed on chart ${version}`;

export const SCENARIOS: Scenario[] = [
  ...CHART_VERSIONS.map((version) => ({
    title: `programs/kind-mesh with ciliumVersion ${version}`,
    version,
    members: ["cluster1", "cluster2"],
    plan: () => planProgram("kind-mesh", "kind-mesh", { ciliumVersion: version }),
  })),
  {
    title: "programs/placement (four kind members in no mesh, default chart)",
    version: "1.18.12",
    members: ["prod-east", "prod-west", "stage-east", "stage-west"],
    plan: () => planProgram("placement", "placement-demo"),
  },
  ...CHART_VERSIONS.map((version) => ({
    title: mixedTitle(version),
    version,
    members: ["az", "c1", "dc", "edge"],
    plan: () => planFleet("mixed", mixedFleet(version), MIXED_EXPOSURE),
  })),
];

/** A member's release rendered twice from the same values. */
export interface MemberRender {
  first: Rendered;
  second: Rendered;
}

export interface ScenarioRender {
  planned: PlannedFleet;
  renders: Record<string, MemberRender>;
}

/** What each member of a rendered scenario runs with: its first render plus the peer objects planned for it. */
export function memberRuns({ planned, renders }: ScenarioRender): Record<string, MemberRun> {
  return Object.fromEntries(
    planned.releases.map((r) => [
      r.member,
      { version: r.chartVersion, render: renders[r.member].first.objects, peerObjects: planned.peerObjects[r.member] ?? [] },
    ]),
  );
}

/** A temporary folder for values files and the test CA; remove it when done. */
export function workDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "fleetmesh-helm-"));
}

/**
 * Plans every scenario (one at a time: the Pulumi runtime is process-wide) and renders each release
 * twice with the test CA, up to `parallel` Helm processes at once, rendering while the next plans.
 */
export async function renderScenarios(
  scenarios: readonly Scenario[],
  helm: string,
  ca: ChartCa,
  dir: string,
  parallel = 4,
): Promise<Map<string, ScenarioRender>> {
  const limit = pool(parallel);
  const pending: Array<Promise<[string, ScenarioRender]>> = [];
  for (const scenario of scenarios) {
    const planned = await scenario.plan();
    const renderTwice = async ({ member, chartVersion, values }: PlannedFleet["releases"][number]): Promise<[string, MemberRender]> => {
      const render = () => limit(() => helmTemplate(helm, chartFile(chartVersion), withCa(values, ca), dir));
      const [first, second] = await Promise.all([render(), render()]);
      return [member, { first, second }];
    };
    const rendered = Promise.all(planned.releases.map(renderTwice)).then((renders): [string, ScenarioRender] => [
      scenario.title,
      { planned, renders: Object.fromEntries(renders) },
    ]);
    rendered.catch(() => undefined); // reported by the Promise.all below, once planning is done
    pending.push(rendered);
  }
  return new Map(await Promise.all(pending));
}
