import { strict as assert } from "assert";
import { parse } from "yaml";
import {
  KindClusterConfig,
  kindClusterConfig,
  kindConfigHash,
  kindNodeCount,
  renderKindConfig,
} from "../../components/core/fleet/kind-config";

const base = { name: "c1", podSubnet: "10.1.0.0/16", serviceSubnet: "10.96.1.0/24", workers: 0, kubeProxyMode: "none" as const };

describe("kindClusterConfig", () => {
  it("builds one control-plane node, kindnet disabled, kube-proxy off", () => {
    assert.deepEqual(kindClusterConfig(base), {
      kind: "Cluster",
      apiVersion: "kind.x-k8s.io/v1alpha4",
      name: "c1",
      nodes: [{ role: "control-plane" }],
      networking: { podSubnet: "10.1.0.0/16", serviceSubnet: "10.96.1.0/24", disableDefaultCNI: true, kubeProxyMode: "none" },
    });
  });

  it("adds N workers and puts the node image on every node", () => {
    const image = "kindest/node:v1.32.2@sha256:f226345927d7e348497136874b6d207e0b32cc52154ad8323129352923a3142f";
    assert.deepEqual(kindClusterConfig({ ...base, workers: 2, nodeImage: image, kubeProxyMode: "iptables" }), {
      kind: "Cluster",
      apiVersion: "kind.x-k8s.io/v1alpha4",
      name: "c1",
      nodes: [
        { role: "control-plane", image },
        { role: "worker", image },
        { role: "worker", image },
      ],
      networking: { podSubnet: "10.1.0.0/16", serviceSubnet: "10.96.1.0/24", disableDefaultCNI: true, kubeProxyMode: "iptables" },
    });
  });

  it("omits image when no node image is given (no undefined members)", () => {
    const nodes = kindClusterConfig({ ...base, workers: 1 }).nodes;
    assert.deepEqual(
      nodes.map((n) => Object.keys(n)),
      [["role"], ["role"]],
    );
  });

  const badWorkers: Array<[string, number]> = [
    ["negative", -1],
    ["fractional", 1.5],
    ["NaN", Number.NaN],
  ];
  for (const [name, workers] of badWorkers) {
    it(`refuses a ${name} worker count`, () => {
      assert.throws(() => kindClusterConfig({ ...base, workers }), {
        name: "RangeError",
        message: `kind workers ${String(workers)} is invalid: must be a non-negative integer`,
      });
    });
  }

  it("refuses a kube-proxy mode kind does not know", () => {
    const input = { ...base, kubeProxyMode: "userspace" } as unknown as Parameters<typeof kindClusterConfig>[0];
    assert.throws(() => kindClusterConfig(input), {
      name: "RangeError",
      message: 'invalid kubeProxyMode: "userspace" (kind accepts iptables, ipvs, nftables, none)',
    });
  });
});

describe("renderKindConfig", () => {
  it("renders the exact YAML, kind's field order, sequences not indented", () => {
    const text = renderKindConfig(kindClusterConfig({ ...base, workers: 1, nodeImage: "kindest/node:v1.32.2" }));
    assert.equal(
      text,
      [
        "kind: Cluster",
        "apiVersion: kind.x-k8s.io/v1alpha4",
        "name: c1",
        "nodes:",
        "- role: control-plane",
        "  image: kindest/node:v1.32.2",
        "- role: worker",
        "  image: kindest/node:v1.32.2",
        "networking:",
        "  podSubnet: 10.1.0.0/16",
        "  serviceSubnet: 10.96.1.0/24",
        "  disableDefaultCNI: true",
        "  kubeProxyMode: none",
        "",
      ].join("\n"),
    );
  });

  it("is independent of key insertion order", () => {
    const built = kindClusterConfig(base);
    const shuffled = {
      networking: { kubeProxyMode: "none", disableDefaultCNI: true, serviceSubnet: "10.96.1.0/24", podSubnet: "10.1.0.0/16" },
      nodes: [{ role: "control-plane" }],
      name: "c1",
      apiVersion: "kind.x-k8s.io/v1alpha4",
      kind: "Cluster",
    } as KindClusterConfig;
    assert.equal(renderKindConfig(shuffled), renderKindConfig(built));
  });

  it("quotes names a YAML 1.1 reader would turn into booleans or numbers", () => {
    for (const name of ["on", "no", "y", "123", "0777", "1e3"]) {
      const text = renderKindConfig(kindClusterConfig({ ...base, name }));
      assert.ok(text.includes(`name: "${name}"\n`), text);
      assert.equal(parse(text, { version: "1.1" }).name, name);
    }
  });

  it("round-trips to the same object", () => {
    const config = kindClusterConfig({ ...base, workers: 3, nodeImage: "kindest/node:v1.33.1" });
    assert.deepEqual(parse(renderKindConfig(config)), config);
  });
});

describe("kindNodeCount", () => {
  it("counts the one control-plane node and the workers", () => {
    assert.deepEqual([0, 1, 3].map(kindNodeCount), [1, 2, 4]);
  });
});

describe("kindConfigHash", () => {
  it("is the sha256 hex of the text", () => {
    assert.equal(kindConfigHash(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert.equal(kindConfigHash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("changes when the config changes and not otherwise", () => {
    const a = kindConfigHash(renderKindConfig(kindClusterConfig(base)));
    const again = kindConfigHash(renderKindConfig(kindClusterConfig({ ...base })));
    const more = kindConfigHash(renderKindConfig(kindClusterConfig({ ...base, workers: 1 })));
    assert.equal(a, again);
    assert.notEqual(a, more);
    assert.match(a, /^[0-9a-f]{64}$/);
  });
});
