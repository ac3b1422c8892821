// A kind member's create script (components/core/fleet/kind-scripts.ts) against the fake kind and
// docker: the kind version it refuses, the node image it pins per kind release and Cilium version,
// the image a user names, and the LoadBalancer pool it checks against the Docker network `kind`.
import { strict as assert } from "assert";
import { kindClusterConfig, renderKindConfig } from "../../components/core/fleet/kind-config";
import { kindNodeImageChoice } from "../../components/core/fleet/kind-node-images";
import { KindCreateScriptInput, kindCreateScript } from "../../components/core/fleet/kind-scripts";
import { FakeTools, FakeToolsOptions } from "../support/fake-tools";
import { CommandRun, runCommandOperation } from "../support/fake-tools/run-command";

const OWNER = { key: "fleetmesh.io/owner-stack", value: "org.proj.dev" };
/** kind's default images at v0.27.0 and v0.29.0 (pkg/apis/config/defaults/image.go at each tag). */
const KIND_0_27_IMAGE = "kindest/node:v1.32.2@sha256:f226345927d7e348497136874b6d207e0b32cc52154ad8323129352923a3142f";
const KIND_0_29_IMAGE = "kindest/node:v1.33.1@sha256:050072256b9a903bd914c0b2866828150cb229cea0efe5892e2b644d5dd3b34f";

function memberInput(overrides: Partial<KindCreateScriptInput> & { cilium?: string } = {}): KindCreateScriptInput {
  const { cilium, ...rest } = overrides;
  return {
    member: "a",
    clusterName: "demo-a",
    workers: 0,
    podSubnet: "10.0.0.0/17",
    serviceSubnet: "10.128.0.0/20",
    kubeProxyMode: "none",
    owner: OWNER,
    images: kindNodeImageChoice(cilium ?? "1.18.12"),
    loadBalancerPool: { cidr: "172.18.255.0/24", isDefault: true },
    ...rest,
  };
}

function configOf(input: KindCreateScriptInput): string {
  return renderKindConfig(
    kindClusterConfig({
      name: input.clusterName,
      podSubnet: input.podSubnet,
      serviceSubnet: input.serviceSubnet,
      workers: input.workers,
      nodeImage: input.nodeImage,
      kubeProxyMode: input.kubeProxyMode,
      nodeLabels: { [input.owner.key]: input.owner.value },
    }),
  );
}

interface Outcome {
  run: CommandRun;
  /** The fake's clusters afterwards, with each one's control-plane image. */
  clusters: Record<string, string>;
  /** `kind create` calls the script made. */
  creates: string[][];
}

async function createWith(
  input: KindCreateScriptInput,
  options: FakeToolsOptions & { before?: (tools: FakeTools) => Promise<unknown> } = {},
) {
  const tools = FakeTools.create(options);
  try {
    await options.before?.(tools);
    const calls = tools.calls().length;
    const run = await runCommandOperation(
      "create",
      { inputs: { create: kindCreateScript(input), stdin: configOf(input) } },
      { env: tools.env() },
    );
    const state = tools.state();
    const clusters = Object.fromEntries(
      Object.keys(state.kind.clusters).map((name) => [name, state.docker.containers[`${name}-control-plane`].image]),
    );
    const creates = state.calls
      .slice(calls)
      .filter((c) => c.tool === "kind" && c.args[0] === "create")
      .map((c) => c.args);
    return { run, clusters, creates } satisfies Outcome;
  } finally {
    tools.remove();
  }
}

const kindAt = (version: string) => (s: { kind: { version: string } }) => void (s.kind.version = version);

describe("fake tools: a kind member's create script", function () {
  this.timeout(120_000);

  describe("the kind CLI and the node image", () => {
    const cases: Array<[string, string, string, string | RegExp]> = [
      [
        "kind 0.32.0 with Cilium 1.18 runs kind 0.29.0's Kubernetes 1.33 image, the newest Cilium 1.18 is tested on",
        "0.32.0",
        "1.18.12",
        KIND_0_29_IMAGE,
      ],
      [
        "kind 0.33.0-alpha (a build past the table) runs the newest pinned image too",
        "0.33.0-alpha.12+0123456789abcd",
        "1.18.12",
        KIND_0_29_IMAGE,
      ],
      ["kind 0.27.0 with Cilium 1.18 runs its own default image (Kubernetes 1.32)", "0.27.0", "1.18.12", KIND_0_27_IMAGE],
      [
        "kind 0.25.0 with Cilium 1.19 is refused: none of its images is of a Kubernetes version Cilium 1.19 is tested on",
        "0.25.0",
        "1.19.6",
        /^fleetmesh: kind 0\.25\.0 has no node image pinned for this fleet \(Cilium 1\.19 is e2e-tested on Kubernetes 1\.32, 1\.33, 1\.34, 1\.35\): install kind 0\.26\.0 or newer, or set members\.a\.kind\.nodeImage to a node image of one of those versions\n$/,
      ],
      [
        "kind 0.22.0 is refused as older than the oldest release fleetmesh supports",
        "0.22.0",
        "1.18.12",
        /^fleetmesh: kind 0\.22\.0 is older than 0\.23\.0, the oldest kind release fleetmesh supports: install a newer kind/,
      ],
    ];
    for (const [name, kindVersion, cilium, expected] of cases) {
      it(name, async () => {
        const { run, clusters, creates } = await createWith(memberInput({ cilium }), { seed: kindAt(kindVersion) });
        if (typeof expected === "string") {
          assert.equal(run.exitCode, 0, run.error);
          assert.deepEqual(
            [clusters, creates],
            [{ "demo-a": expected }, [["create", "cluster", "--name", "demo-a", "--image", expected, "--config", "-"]]],
          );
        } else {
          assert.equal(run.exitCode, 1);
          assert.match(run.stderr, expected);
          assert.deepEqual([clusters, creates], [{}, []]);
        }
      });
    }

    it("an image the user names is the one in the config: no --image, whatever the kind release", async () => {
      const image = "kindest/node:v1.31.0";
      const { run, clusters, creates } = await createWith(memberInput({ nodeImage: image, cilium: "1.19.6" }), { seed: kindAt("0.25.0") });
      assert.equal(run.exitCode, 0, run.error);
      assert.deepEqual([clusters, creates], [{ "demo-a": image }, [["create", "cluster", "--name", "demo-a", "--config", "-"]]]);
    });

    it("an existing cluster with another image than the one the user names is not adopted", async () => {
      const input = memberInput({ nodeImage: "kindest/node:v1.31.0" });
      const { run } = await createWith(input, {
        before: (tools) =>
          tools.run("kind create cluster --name demo-a --image kindest/node:v1.30.0 --config -", { stdin: configOf(memberInput()) }),
      });
      assert.equal(run.exitCode, 1);
      assert.match(run.stderr, /\n {2}- node image: kindest\/node:v1\.30\.0 \(this member uses kindest\/node:v1\.31\.0\)\n/);
    });

    it("a kind that cannot run is refused with where to get one", async () => {
      const { run } = await createWith(memberInput(), {
        before: async (tools) => tools.injectFaults({ "kind version": [{ exit: 127, stderr: "kind: not found\n" }] }),
      });
      assert.equal(run.exitCode, 1);
      assert.match(
        run.stderr,
        /fleetmesh: cannot run `kind version`: install kind 0\.23\.0 or newer \(https:\/\/kind\.sigs\.k8s\.io\/docs\/user\/quick-start\/#installation\)\n$/,
      );
    });
  });

  describe("the LoadBalancer pool and the Docker network kind", () => {
    it("a pool inside the network's IPv4 subnet passes", async () => {
      const { run } = await createWith(memberInput(), { kindSubnet: "172.18.0.0/16" });
      assert.equal(run.exitCode, 0, run.error);
    });

    it("the default pool on a machine where Docker gave the network 172.19.0.0/16 fails after the first cluster creates the network, with the fix", async () => {
      const { run, clusters } = await createWith(memberInput(), { kindSubnet: "172.19.0.0/16" });
      assert.equal(run.exitCode, 1);
      assert.equal(
        run.stderr
          .split("\n")
          .filter((l) => l.startsWith("fleetmesh:"))
          .join("\n"),
        "fleetmesh: the fleet's loadBalancerPool 172.18.255.0/24 (the default) is not inside the Docker network kind (IPv4 172.19.0.0/16): " +
          "Docker gave that network another range on this machine, and LoadBalancer addresses outside it do not reach the nodes. " +
          'Set the Fleet\'s loadBalancerPool to a free range inside it, e.g. "172.19.255.0/24" (member N takes its N-th address)',
      );
      // kind made the network with the cluster: the next run adopts this member's own cluster and checks again.
      assert.deepEqual(Object.keys(clusters), ["demo-a"]);
    });

    it("when the network exists already, a pool outside it is refused before any cluster is created", async () => {
      const { run, clusters, creates } = await createWith(memberInput({ loadBalancerPool: { cidr: "10.250.0.0/24", isDefault: false } }), {
        before: (tools) => tools.run("kind create cluster --name other"),
      });
      assert.equal(run.exitCode, 1);
      assert.match(
        run.stderr,
        /^fleetmesh: the fleet's loadBalancerPool 10\.250\.0\.0\/24 is not inside the Docker network kind \(IPv4 172\.18\.0\.0\/16\)/,
      );
      assert.deepEqual([Object.keys(clusters), creates], [["other"], []]);
    });

    it("a cluster adopted after a failed pool check passes once the pool is moved inside the network", async () => {
      const input = memberInput({ loadBalancerPool: { cidr: "172.19.255.0/24", isDefault: false } });
      const { run, creates } = await createWith(input, {
        kindSubnet: "172.19.0.0/16",
        before: (tools) => tools.run("kind create cluster --name demo-a --config -", { stdin: configOf(input) }),
      });
      assert.deepEqual([run.exitCode, creates], [0, []]);
    });
  });
});
