import { strict as assert } from "assert";
import {
  KIND_RELEASE_IMAGES,
  MINIMUM_KIND_RELEASE,
  compareKindVersions,
  kindNodeImageChoice,
  parseKindVersion,
  pinnedNodeImage,
} from "../../components/core/fleet/kind-node-images";
import {
  currentKindNodeAddress,
  kindCreateScript,
  kindCreateScriptDescription,
  kindNodeNames,
  kindNodeProbeScript,
  kindNodeRecordScript,
  parseKindNodeRecord,
} from "../../components/core/fleet/kind-scripts";

const ID_A = "a".repeat(64);
const ID_B = "b".repeat(64);

describe("kind node address", () => {
  const cases: Array<[string, string, string, ReturnType<typeof currentKindNodeAddress>]> = [
    ["nothing moved: the address Docker has now", `${ID_A} 172.18.0.2`, `${ID_A} 172.18.0.2`, { address: "172.18.0.2" }],
    [
      "the same node came back at another address: the new one, and where it was",
      `${ID_A} 172.18.0.2`,
      `${ID_A} 172.18.0.3`,
      { address: "172.18.0.3", movedFrom: "172.18.0.2" },
    ],
    [
      "another container (the cluster is replaced in this run): what its create recorded",
      `${ID_B} 172.18.0.5`,
      `${ID_A} 172.18.0.2`,
      { address: "172.18.0.5" },
    ],
    ["no such container yet (a first run): what the create recorded", `${ID_A} 172.18.0.2`, "", { address: "172.18.0.2" }],
    ["the node is stopped: what the create recorded", `${ID_A} 172.18.0.2`, `${ID_A} `, { address: "172.18.0.2" }],
    [
      "a record from before container ids were kept: the address Docker has now",
      "172.18.0.2",
      `${ID_A} 172.18.0.4`,
      { address: "172.18.0.4", movedFrom: "172.18.0.2" },
    ],
  ];
  for (const [name, recorded, observed, expected] of cases) {
    it(name, () => assert.deepEqual(currentKindNodeAddress(recorded, observed), expected));
  }

  it("parses what the record and probe scripts print", () => {
    assert.deepEqual(
      [
        parseKindNodeRecord(`${ID_A} 172.18.0.2\n`),
        parseKindNodeRecord(`${ID_A} `),
        parseKindNodeRecord("172.18.0.2"),
        parseKindNodeRecord(""),
      ],
      [{ containerId: ID_A, address: "172.18.0.2" }, { containerId: ID_A, address: "" }, { address: "172.18.0.2" }, undefined],
    );
  });

  it("reads the control plane with docker inspect; the probe never fails", () => {
    assert.deepEqual(
      [kindNodeRecordScript("demo-a-control-plane"), kindNodeProbeScript("demo-a-control-plane")],
      [
        `docker inspect -f '{{.Id}} {{(index .NetworkSettings.Networks "kind").IPAddress}}' 'demo-a-control-plane'`,
        `docker inspect -f '{{.Id}} {{(index .NetworkSettings.Networks "kind").IPAddress}}' 'demo-a-control-plane' 2>/dev/null || true`,
      ],
    );
  });
});

describe("kind node images", () => {
  it("lists kind releases newest first, each with a digest-pinned image", () => {
    const releases = KIND_RELEASE_IMAGES.map((e) => e.release);
    assert.deepEqual(
      releases,
      [...releases].sort((a, b) => compareKindVersions(b, a)),
    );
    for (const entry of KIND_RELEASE_IMAGES) {
      assert.match(entry.image, new RegExp(`^kindest/node:v${entry.kubernetes.replace(".", "\\.")}\\.\\d+@sha256:[0-9a-f]{64}$`));
    }
    assert.equal(MINIMUM_KIND_RELEASE, "0.23.0");
  });

  it("keeps, for a Cilium version, the releases whose image is of a Kubernetes version it is tested on", () => {
    const choice = kindNodeImageChoice("1.19.6");
    assert.deepEqual(
      { ...choice, images: choice.images.map((e) => `${e.release} ${e.kubernetes}`) },
      {
        ciliumMinor: "1.19",
        kubernetes: ["1.32", "1.33", "1.34", "1.35"],
        images: ["0.31.0 1.35", "0.30.0 1.34", "0.29.0 1.33", "0.28.0 1.33", "0.27.0 1.32", "0.26.0 1.32"],
        minimumKind: "0.26.0",
      },
    );
  });

  const picks: Array<[string, string, string | undefined]> = [
    ["1.18.12", "0.32.0", "0.29.0"],
    ["1.18.12", "0.28.1", "0.28.0"],
    ["1.18.12", "0.33.0-alpha.3", "0.29.0"],
    ["1.16.19", "0.32.0", "0.23.0"],
    ["1.20.0", "0.32.0", "0.32.0"],
    ["1.20.0", "0.27.0", undefined],
  ];
  for (const [cilium, kind, release] of picks) {
    it(`Cilium ${cilium} on kind ${kind}: ${release === undefined ? "no pinned image" : `kind ${release}'s image`}`, () => {
      assert.equal(pinnedNodeImage(kindNodeImageChoice(cilium), kind)?.release, release);
    });
  }

  it("compares kind versions by their release, ignoring a pre-release suffix", () => {
    assert.deepEqual(
      [
        compareKindVersions("0.32.0", "0.29.0") > 0,
        compareKindVersions("0.29.0-alpha", "0.29.0"),
        parseKindVersion("kind"),
        parseKindVersion("v0.30.1"),
      ],
      [true, 0, undefined, [0, 30, 1]],
    );
  });
});

describe("kind create script", () => {
  const input = {
    member: "a",
    clusterName: "demo-a",
    workers: 2,
    podSubnet: "10.0.0.0/17",
    serviceSubnet: "10.128.0.0/20",
    kubeProxyMode: "none" as const,
    owner: { key: "fleetmesh.io/owner-stack", value: "org.proj.dev" },
    images: kindNodeImageChoice("1.17.18"),
    loadBalancerPool: { cidr: "172.18.255.0/24", isDefault: true },
  };

  it("names kind's node containers as kind does", () => {
    assert.deepEqual(kindNodeNames("demo-a", 2), ["demo-a-control-plane", "demo-a-worker", "demo-a-worker2"]);
  });

  it("describes itself in its leading comments: the command line, the image per kind release, the adoption and pool rules", () => {
    assert.deepEqual(kindCreateScriptDescription(kindCreateScript(input)), [
      '# kind cluster "demo-a" of member "a", created by fleetmesh from the kind config on stdin:',
      "#   kind create cluster --name demo-a --image <node image> --config -",
      "# node image, by the installed kind release (Cilium 1.17 is e2e-tested on Kubernetes 1.29, 1.30, 1.31, 1.32):",
      ...["0.27.0 or newer", "0.26.x", "0.25.x", "0.24.x", "0.23.x"].map(
        (release, i) => `#   kind ${release}: ${kindNodeImageChoice("1.17.18").images[i].image}`,
      ),
      '# an existing cluster "demo-a" is adopted only when it has this config and no other stack owns it;',
      '# the LoadBalancer pool 172.18.255.0/24 must lie inside the Docker network "kind".',
    ]);
    assert.deepEqual(kindCreateScriptDescription(kindCreateScript({ ...input, nodeImage: "kindest/node:v1.31.0" })).slice(1, 3), [
      "#   kind create cluster --name demo-a --config -",
      "# node image: kindest/node:v1.31.0 (members.a.kind.nodeImage)",
    ]);
  });
});
