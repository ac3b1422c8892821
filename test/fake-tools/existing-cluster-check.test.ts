// The read-only check of a kubeconfig member (components/core/fleet/existing-cluster-check.ts), run
// as its `<member>-cluster-check` Command runs it at `up` (run-command.ts: `/bin/sh -c`, the
// kubeconfig on stdin) against a fake kubectl (test/support/fake-tools/lib/kubectl.js), one row per
// way a cluster can differ from what the check accepts. The inputs are the DCE seed's
// (fixtures/dce-pair): member dce-a declares the Cilium 1.17.6 its cluster runs, installed by Helm
// as release `cilium` in `kube-system` with IPAM `kubernetes`, in a fleet on Cilium 1.18.12 (which
// lists Kubernetes 1.30 to 1.33 as tested) with tunnel routing and 255 connected clusters.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { clusterCheckScript, memberCheckSpec } from "../../components/core/fleet/existing-cluster-check";
import { FakeTools, Faults, KubernetesClusterRecord } from "../support/fake-tools";
import { runCommandOperation } from "../support/fake-tools/run-command";
import { CLUSTERS, KUBECONFIG, SERVERS, member } from "./fixtures/dce-pair/seed";
import { AGENT, CILIUM_CONFIG, ciliumCluster } from "./fixtures/dce-pair/clusters";

const FACTS = CLUSTERS["dce-a"];
const DECLARED = member("dce-a", KUBECONFIG);
const WHO = 'fleetmesh: member "dce-a": ';

type CheckInput = Parameters<typeof memberCheckSpec>[0];

/** What the fleet program gives memberCheckSpec for dce-a (components/runtime/existing-member.ts): the declaration, the fleet's Cilium settings, its allocation. */
const INPUT: CheckInput = {
  member: "dce-a",
  context: DECLARED.context,
  declaredServiceCidr: DECLARED.serviceCidr,
  ciliumVersion: "1.18.12",
  routingMode: "tunnel",
  maxConnectedClusters: 255,
  existing: DECLARED.existingCilium,
  allocation: { clusterId: FACTS.id, podCidr: FACTS.podCidr },
  newMember: false,
};

/** The dce-a cluster as the DCE seed has it: Kubernetes 1.31, Cilium 1.17.6 installed by Helm (kubespray-style: IPAM kubernetes), one node. */
const dceA = () => ciliumCluster("dce-a");

interface Row {
  name: string;
  /** A change to the seeded cluster. */
  cluster?: (cluster: KubernetesClusterRecord) => void;
  /** A change to what the check is given (the declaration, the fleet's settings). */
  input?: Partial<CheckInput>;
  /** The kubeconfig on stdin (default: the DCE seed's). */
  kubeconfig?: string;
  /** kubectl answers as the fault says (an error of the real server the model does not make). */
  faults?: Faults;
  /** Run with a PATH that holds node but no kubectl. */
  withoutKubectl?: true;
  exitCode: number;
  /** Every line of stderr. */
  stderr: string[];
  /** What a passing check prints on stdout. */
  found?: Record<string, string>;
}

const config = (c: KubernetesClusterRecord) => c.objects[CILIUM_CONFIG];
const differs = (what: string) => [`${WHO}its Cilium differs from the declaration: ${what}`];
const notHelmReleaseCilium = (found: string) => [
  `${WHO}its Cilium was not installed by Helm as release "cilium" in namespace "kube-system" (${found}): ` +
    "fleetmesh takes over only that (the cilium CLI installs it so); reinstall Cilium that way, then run again",
];

const ROWS: Row[] = [
  {
    name: "a cluster that runs the declared Cilium, installed by Helm as release cilium in kube-system, passes with nothing on stderr",
    exitCode: 0,
    stderr: [],
    found: { context: "dce-a", kubernetes: "1.31", ipam: "kubernetes" },
  },
  {
    name: "a new member whose cluster runs no Cilium yet (fleetmesh installs it) passes with nothing on stderr",
    input: { existing: undefined, newMember: true },
    cluster: (c) => {
      delete c.objects[CILIUM_CONFIG];
      delete c.objects[AGENT];
    },
    exitCode: 0,
    stderr: [],
    found: { context: "dce-a", kubernetes: "1.31" },
  },
  {
    name: "a machine without kubectl is refused, saying to install it",
    withoutKubectl: true,
    exitCode: 1,
    stderr: [`${WHO}kubectl could not be run (ENOENT): install kubectl on the machine running pulumi`],
  },
  {
    name: "a kubeconfig kubectl cannot read is refused with kubectl's error",
    faults: {
      "kubectl --kubeconfig /dev/stdin config get-contexts": [
        { stderr: `error: error loading config file "/dev/stdin": yaml: line 1: did not find expected ',' or ']'\n`, exit: 1 },
      ],
    },
    exitCode: 1,
    stderr: [
      `${WHO}its kubeconfig cannot be read by kubectl (error: error loading config file "/dev/stdin": yaml: line 1: did not find expected ',' or ']')`,
    ],
  },
  {
    name: "a context missing from the kubeconfig is refused, naming the contexts it has",
    kubeconfig: KUBECONFIG.replace(/- name: dce-a\n {2}context:\n {4}cluster: dce-a\n {4}user: dce-admin\n/, ""),
    exitCode: 1,
    stderr: [`${WHO}context "dce-a" does not exist in its kubeconfig (it has "dce-b"): set the member's context to one of them`],
  },
  {
    name: "a member that names no context, over a kubeconfig without a current-context, is refused, saying to set its context",
    input: { context: undefined },
    kubeconfig: KUBECONFIG.replace("current-context: dce-a\n", ""),
    exitCode: 1,
    stderr: [`${WHO}its kubeconfig has no current-context (error: current-context is not set): set the member's context`],
  },
  {
    name: "a cluster that does not answer is refused with kubectl's error",
    cluster: (c) => (c.answering = false),
    exitCode: 1,
    stderr: [
      `${WHO}its cluster does not answer through context "dce-a" (The connection to the server 10.6.0.10:6443 was refused - did you specify the right host or port?): ` +
        "check the kubeconfig's server address and credentials, and that the cluster is running",
    ],
  },
  {
    name: "a Kubernetes older than the fleet's Cilium lists as tested is refused, with Cilium's tested versions",
    cluster: (c) => (c.gitVersion = "v1.29.4"),
    exitCode: 1,
    stderr: [
      `${WHO}its cluster runs Kubernetes v1.29.4, older than Cilium 1.18.12 lists Kubernetes 1.30 to 1.33 as tested ` +
        "(cilium/cilium Documentation/network/kubernetes/compatibility.rst): upgrade the cluster, or choose a cilium.version that supports Kubernetes 1.29",
    ],
  },
  {
    name: "a Kubernetes newer than the fleet's Cilium lists as tested passes, with a note on stderr",
    cluster: (c) => (c.gitVersion = "v1.34.1"),
    exitCode: 0,
    stderr: [
      `${WHO}Kubernetes v1.34.1 is newer than Cilium 1.18.12 lists Kubernetes 1.30 to 1.33 as tested ` +
        "(cilium/cilium Documentation/network/kubernetes/compatibility.rst); it relies on Kubernetes' backward compatibility",
    ],
    found: { context: "dce-a", kubernetes: "1.34", ipam: "kubernetes" },
  },
  {
    name: "a serviceCidr that does not hold the kubernetes Service address is refused, saying to declare the real one",
    cluster: (c) => (c.objects["services/default/kubernetes"].spec.clusterIP = "10.96.0.1"),
    exitCode: 1,
    stderr: [
      `${WHO}serviceCidr "10.233.0.0/18" does not hold the cluster's kubernetes Service address 10.96.0.1: ` +
        "declare the cluster's real service CIDR (kube-apiserver --service-cluster-ip-range)",
    ],
  },
  {
    name: "a kubectl get the cluster refuses (no right to read kube-system) is refused with the server's error",
    faults: {
      "kubectl --kubeconfig /dev/stdin --context dce-a get configmap cilium-config": [
        {
          stderr:
            'Error from server (Forbidden): configmaps "cilium-config" is forbidden: User "dce-viewer" cannot get resource "configmaps" in API group "" in the namespace "kube-system"\n',
          exit: 1,
        },
      ],
    },
    exitCode: 1,
    stderr: [
      `${WHO}kubectl get configmap cilium-config -n kube-system failed (Error from server (Forbidden): configmaps "cilium-config" is forbidden: ` +
        'User "dce-viewer" cannot get resource "configmaps" in API group "" in the namespace "kube-system")',
    ],
  },
  {
    name: "a cluster that runs no Cilium at all, though existingCilium says it does, is refused",
    cluster: (c) => {
      delete c.objects[CILIUM_CONFIG];
      delete c.objects[AGENT];
    },
    exitCode: 1,
    stderr: [
      `${WHO}its cluster runs no Cilium (no ConfigMap kube-system/cilium-config), but existingCilium says it does: ` +
        "leave existingCilium out so fleetmesh installs Cilium, or point the kubeconfig at the cluster that runs it",
    ],
  },
  {
    name: "a Cilium not installed by Helm is refused, saying to reinstall it as release cilium in kube-system",
    cluster: (c) => delete config(c).metadata.annotations,
    exitCode: 1,
    stderr: notHelmReleaseCilium("it carries no Helm release annotations"),
  },
  {
    name: "a Cilium installed by Helm under another release name is refused, naming that release",
    cluster: (c) => (config(c).metadata.annotations["meta.helm.sh/release-name"] = "cilium-cni"),
    exitCode: 1,
    stderr: notHelmReleaseCilium('it belongs to Helm release "cilium-cni" in "kube-system"'),
  },
  {
    name: "a Cilium installed by Helm as release cilium in another namespace is refused, naming that namespace",
    cluster: (c) => (config(c).metadata.annotations["meta.helm.sh/release-namespace"] = "cilium"),
    exitCode: 1,
    stderr: notHelmReleaseCilium('it belongs to Helm release "cilium" in "cilium"'),
  },
  {
    name: "a Cilium with another cluster-name is refused, saying to name the member after it",
    cluster: (c) => (config(c).data["cluster-name"] = "default"),
    exitCode: 1,
    stderr: differs('cluster-name "default", declared "dce-a" (name the member after the cluster\'s cluster-name)'),
  },
  {
    name: "a Cilium with another cluster-id is refused, saying to set existingCilium.clusterId",
    cluster: (c) => (config(c).data["cluster-id"] = "7"),
    exitCode: 1,
    stderr: differs('cluster-id "7", declared "1" (set existingCilium.clusterId to the cluster\'s cluster-id)'),
  },
  {
    name: "a Cilium agent of another version is refused, saying to set existingCilium.version",
    cluster: (c) => (c.objects[AGENT].spec.template.spec.containers[0].image = "quay.io/cilium/cilium:v1.17.4@sha256:0123abcd"),
    exitCode: 1,
    stderr: differs('version "1.17.4", declared "1.17.6" (set existingCilium.version to the version it runs)'),
  },
  {
    name: "a Cilium with native routing in a tunnel fleet is refused, saying to set cilium.routingMode",
    cluster: (c) => {
      config(c).data["routing-mode"] = "native";
      delete config(c).data["tunnel-protocol"];
    },
    exitCode: 1,
    stderr: differs(
      'routing-mode "native", declared "tunnel" (every member of a mesh needs the same routing mode: set cilium.routingMode)',
    ),
  },
  {
    name: "a Cilium tunnelling with geneve is refused, since every member of the mesh tunnels with vxlan",
    cluster: (c) => (config(c).data["tunnel-protocol"] = "geneve"),
    exitCode: 1,
    stderr: differs('tunnel-protocol "geneve", declared "vxlan" (every member of a mesh needs the same tunnel protocol)'),
  },
  {
    name: "a Cilium with another max-connected-clusters is refused, saying to set maxConnectedClusters to it",
    cluster: (c) => (config(c).data["max-connected-clusters"] = "511"),
    exitCode: 1,
    stderr: differs(
      'max-connected-clusters "511", declared "255" (Cilium cannot change it on a running cluster: set maxConnectedClusters to the cluster\'s value)',
    ),
  },
  {
    name: "a Cilium with an IPAM mode other than cluster-pool or kubernetes is refused",
    cluster: (c) => (config(c).data.ipam = "multi-pool"),
    exitCode: 1,
    stderr: differs('ipam "multi-pool" (fleetmesh takes over Cilium with cluster-pool or kubernetes IPAM only)'),
  },
  {
    name: "a Cilium with kubernetes IPAM and a node's pod CIDR outside podCidr is refused, saying to declare the real pod CIDR",
    cluster: (c) =>
      (c.objects["nodes//dce-a-node-2"] = { apiVersion: "v1", kind: "Node", spec: { podCIDRs: ["10.244.1.0/24", "fd00:10:244:1::/64"] } }),
    exitCode: 1,
    stderr: differs(
      'node pod CIDRs "10.244.1.0/24" lie outside podCidr "10.233.64.0/18" (declare the cluster\'s real pod CIDR as podCidr)',
    ),
  },
  {
    name: "a Cilium with cluster-pool IPAM and a pool outside podCidr is refused, saying to declare the real pod CIDR",
    cluster: (c) => Object.assign(config(c).data, { ipam: "cluster-pool", "cluster-pool-ipv4-cidr": "10.233.64.0/18 10.0.0.0/8" }),
    exitCode: 1,
    stderr: differs(
      'cluster-pool-ipv4-cidr "10.0.0.0/8" lies outside podCidr "10.233.64.0/18" (declare the cluster\'s real pod CIDR as podCidr)',
    ),
  },
  {
    name: "a Cilium differing in several ways is refused once, listing every difference",
    cluster: (c) => Object.assign(config(c).data, { "cluster-id": "7", "max-connected-clusters": "511" }),
    exitCode: 1,
    stderr: differs(
      'cluster-id "7", declared "1" (set existingCilium.clusterId to the cluster\'s cluster-id); ' +
        'max-connected-clusters "511", declared "255" (Cilium cannot change it on a running cluster: set maxConnectedClusters to the cluster\'s value)',
    ),
  },
  {
    name: "a cluster with many nodes (kubectl get nodes prints more than 1 MiB) is checked like any other, not taken for a machine without kubectl",
    cluster: (c) => {
      // 200 nodes of ~14 KB each as kubectl prints them (status.images lists up to 50 images per node).
      for (let i = 0; i < 200; i++) {
        const images = Array.from({ length: 40 }, (_, j) => ({
          names: [`registry.example/app-${j}@sha256:${"0".repeat(64)}`, `registry.example/app-${j}:v1.${j}`],
          sizeBytes: 1000 * j,
        }));
        c.objects[`nodes//dce-a-node-${i + 2}`] = {
          apiVersion: "v1",
          kind: "Node",
          spec: { podCIDR: `10.233.${65 + (i % 60)}.0/24` },
          status: { images },
        };
      }
    },
    exitCode: 0,
    stderr: [],
    found: { context: "dce-a", kubernetes: "1.31", ipam: "kubernetes" },
  },
  {
    name: "a new member whose cluster already runs a Helm-installed Cilium is refused, saying to declare it as existingCilium",
    input: { existing: undefined, newMember: true },
    exitCode: 1,
    stderr: [
      `${WHO}its cluster already runs Cilium (cluster-name "dce-a", cluster-id "1", Helm release "cilium") that fleetmesh did not install: ` +
        "declare it as existingCilium { clusterName, clusterId, version } to take it over",
    ],
  },
  {
    name: "a new member whose cluster already runs a Cilium not installed by Helm is refused, saying to declare it as existingCilium",
    input: { existing: undefined, newMember: true },
    cluster: (c) => delete config(c).metadata.annotations,
    exitCode: 1,
    stderr: [
      `${WHO}its cluster already runs Cilium (cluster-name "dce-a", cluster-id "1", not installed by Helm) that fleetmesh did not install: ` +
        "declare it as existingCilium { clusterName, clusterId, version } to take it over",
    ],
  },
];

describe("the existing-cluster check, run against a fake kubectl: each way a cluster can differ from what it accepts", function () {
  this.timeout(120_000);
  let nodeOnly: string;

  before(() => {
    // A PATH with node (the check is a `node -e` program) but no kubectl.
    nodeOnly = fs.mkdtempSync(path.join(os.tmpdir(), "fleetmesh-node-only-"));
    fs.symlinkSync(process.execPath, path.join(nodeOnly, "node"));
  });
  after(() => fs.rmSync(nodeOnly, { recursive: true, force: true }));

  for (const row of ROWS) {
    it(row.name, async () => {
      const fake = FakeTools.create();
      try {
        fake.kubernetesCluster(SERVERS["dce-a"], dceA());
        if (row.cluster) fake.update((s) => row.cluster!(s.kubernetes.clusters[SERVERS["dce-a"]]));
        if (row.faults) fake.injectFaults(row.faults);
        const spec = memberCheckSpec({ ...INPUT, ...row.input });
        const env = row.withoutKubectl ? { ...fake.env(), PATH: nodeOnly } : fake.env();
        const run = await runCommandOperation(
          "create",
          { inputs: { create: clusterCheckScript(spec, true), stdin: row.kubeconfig ?? KUBECONFIG } },
          { env },
        );
        // The check only reads: kubectl ran nothing but `config`, `version` and `get`.
        const writes = fake.calls("kubectl").filter((c) => !["config", "version", "get"].some((verb) => c.args.includes(verb)));
        assert.deepEqual(
          {
            exitCode: run.exitCode,
            stderr: run.stderr.split("\n").filter((line) => line !== ""),
            stdout: run.exitCode === 0 ? JSON.parse(run.stdout) : run.stdout,
            writes,
            faultsLeft: fake.faults(),
          },
          { exitCode: row.exitCode, stderr: row.stderr, stdout: row.found ?? "", writes: [], faultsLeft: {} },
        );
      } finally {
        fake.remove();
      }
    });
  }
});
