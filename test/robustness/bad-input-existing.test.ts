// Existing clusters (kubeconfig members): `existingCilium` and the pod and service CIDRs they declare
// as facts, refused before anything is registered, under the user's field path, quoting the value.
import { FleetArgs, MemberDeclaration } from "../../components";
import { aks, Case, fleetCase, kind, runCatalogue } from "./catalogue";
import { fakeKubeconfig } from "../components/harness";

const KUBECONFIG = fakeKubeconfig("dc");
/** A kubeconfig member that already runs Cilium 1.17.6 as cluster `name`, id `id`, with kubespray's CIDRs. */
const existing = (name: string, id: number, extra: Partial<MemberDeclaration> = {}): MemberDeclaration => ({
  kubeconfig: KUBECONFIG,
  existingCilium: { clusterName: name, clusterId: id, version: "1.17.6" },
  podCidr: "10.233.64.0/18",
  serviceCidr: "10.233.0.0/18",
  ...extra,
});
const fleet = (members: FleetArgs["members"], extra: Partial<FleetArgs> = {}): FleetArgs => ({ members, ...extra });
const withVersion = (version: string) => existing("dc", 1, { existingCilium: { clusterName: "dc", clusterId: 1, version } });

const CASES: Case[] = [
  fleetCase(
    "existingCilium on a kind member",
    fleet({ a: { ...kind(), existingCilium: { clusterName: "a", clusterId: 1, version: "1.17.6" } } }),
    "members.a.existingCilium",
    "only kubeconfig members",
  ),
  fleetCase(
    "an existing cluster name other than the member name",
    fleet({ dc: existing("dce-a", 1) }),
    "members.dc.existingCilium.clusterName",
    '"dce-a"',
  ),
  fleetCase("an existing cluster id of 0", fleet({ dc: existing("dc", 0) }), "members.dc.existingCilium.clusterId", "clusterId 0"),
  fleetCase(
    "an existing cluster id above maxConnectedClusters",
    fleet({ dc: existing("dc", 300) }),
    "members.dc.existingCilium.clusterId",
    "clusterId 300",
  ),
  fleetCase(
    "a clusterId pin other than the existing id",
    fleet({ dc: existing("dc", 4, { clusterId: 3 }) }),
    "members.dc.clusterId",
    "clusterId 3",
  ),
  fleetCase(
    "an existing id another member pins",
    fleet({ a: { ...kind(), clusterId: 5 }, dc: existing("dc", 5) }),
    "members.dc.existingCilium.clusterId",
    "clusterId 5",
  ),
  fleetCase(
    "a pin equal to an earlier member's existing id",
    fleet({ dc: existing("dc", 5), z: { ...kind(), clusterId: 5 } }),
    "members.z.clusterId",
    "clusterId 5",
  ),
  fleetCase("a malformed existing version", fleet({ dc: withVersion("latest") }), "members.dc.existingCilium.version", '"latest"'),
  fleetCase("an existing Cilium older than 1.16", fleet({ dc: withVersion("1.15.7") }), "members.dc.existingCilium.version", '"1.15.7"'),
  fleetCase(
    "an existing Cilium newer than the fleet's",
    fleet({ dc: withVersion("1.19.1") }),
    "members.dc.existingCilium.version",
    '"1.19.1"',
  ),
  fleetCase(
    "an existing Cilium two minors behind the fleet's",
    fleet({ dc: withVersion("1.16.3") }, { cilium: { version: "1.18.12" } }),
    "members.dc.existingCilium.version",
    '"1.16.3"',
  ),
  fleetCase(
    "an existing Cilium without its pod CIDR",
    fleet({ dc: existing("dc", 1, { podCidr: undefined }) }),
    "members.dc.podCidr",
    "podCidr is required with existingCilium",
  ),
  fleetCase(
    "an existing Cilium without its service CIDR",
    fleet({ dc: existing("dc", 1, { serviceCidr: undefined }) }),
    "members.dc.serviceCidr",
    "serviceCidr is required with existingCilium",
  ),
  fleetCase(
    "an existing cluster's pod CIDR overlapping the pod pool without lying inside it",
    fleet({ dc: existing("dc", 1, { podCidr: "10.0.0.0/8" }) }),
    "members.dc.podCidr",
    '"10.0.0.0/8"',
  ),
  fleetCase(
    "an existing cluster's service CIDR inside the pod pool",
    fleet({ dc: existing("dc", 1, { serviceCidr: "10.1.0.0/20" }) }),
    "members.dc.serviceCidr",
    '"10.1.0.0/20"',
  ),
  fleetCase(
    "an existing cluster's pod CIDR outside the pod pool with native routing",
    fleet({ dc: existing("dc", 1) }, { cilium: { routingMode: "native" } }),
    "members.dc.podCidr",
    '"10.233.64.0/18"',
  ),
  fleetCase(
    "two existing clusters with the same kubespray pod CIDR",
    fleet({ a: existing("a", 1), b: existing("b", 2, { serviceCidr: "10.234.0.0/18" }) }),
    "members.b.podCidr",
    '"10.233.64.0/18"',
  ),
  fleetCase(
    "an AKS node subnet overlapping an existing cluster's pod CIDR outside the pools",
    fleet({ dc: existing("dc", 1), e1: aks({ nodeSubnetCidr: "10.233.64.0/24" }) }),
    "members.e1.aks.nodeSubnetCidr",
    '"10.233.64.0/24"',
  ),
];

runCatalogue("Existing clusters: existingCilium and CIDR facts refused before anything is registered", CASES, 15);
