// Which kind node image a kind member runs when the user names none: an image of a kind release
// whose Kubernetes version the fleet's Cilium is tested on, picked at create by the installed kind.
// Pure: no Pulumi import.
//
// Node images belong to kind releases: "node images will create a working Kubernetes node at the
// advertised version with the kind version they were released with (and best effort with other
// releases)" (kind.sigs.k8s.io/docs/design/node-image). Each release's default image is the first
// one its release notes list (github.com/kubernetes-sigs/kind/releases); the digests below are the
// `defaults.Image` constant of each tag (kubernetes-sigs/kind pkg/apis/config/defaults/image.go).
//
// Cilium lists the Kubernetes minors it e2e-tests per release in its docs
// (cilium/cilium Documentation/network/kubernetes/compatibility.rst, or .../requirements.rst before
// 1.17, on each release branch; docs.cilium.io/en/v1.X/network/kubernetes/compatibility/).

import { CiliumVersion, parseCiliumVersion } from "../cilium/cilium-version";
import { ownValue } from "./own";

/** A kind release and the node image it defaults to. */
export interface KindReleaseImage {
  /** `MAJOR.MINOR.PATCH` of the kind CLI (`kind version -q`). */
  release: string;
  /** The image with its digest, as kind pins it. */
  image: string;
  /** The Kubernetes minor of the image (`1.33`). */
  kubernetes: string;
}

/** Default node images of the kind releases fleetmesh knows, newest first. */
export const KIND_RELEASE_IMAGES: readonly KindReleaseImage[] = [
  {
    release: "0.32.0",
    image: "kindest/node:v1.36.1@sha256:3489c7674813ba5d8b1a9977baea8a6e553784dab7b84759d1014dbd78f7ebd5",
    kubernetes: "1.36",
  },
  {
    release: "0.31.0",
    image: "kindest/node:v1.35.0@sha256:452d707d4862f52530247495d180205e029056831160e22870e37e3f6c1ac31f",
    kubernetes: "1.35",
  },
  {
    release: "0.30.0",
    image: "kindest/node:v1.34.0@sha256:7416a61b42b1662ca6ca89f02028ac133a309a2a30ba309614e8ec94d976dc5a",
    kubernetes: "1.34",
  },
  {
    release: "0.29.0",
    image: "kindest/node:v1.33.1@sha256:050072256b9a903bd914c0b2866828150cb229cea0efe5892e2b644d5dd3b34f",
    kubernetes: "1.33",
  },
  {
    release: "0.28.0",
    image: "kindest/node:v1.33.1@sha256:8d866994839cd096b3590681c55a6fa4a071fdaf33be7b9660e5697d2ed13002",
    kubernetes: "1.33",
  },
  {
    release: "0.27.0",
    image: "kindest/node:v1.32.2@sha256:f226345927d7e348497136874b6d207e0b32cc52154ad8323129352923a3142f",
    kubernetes: "1.32",
  },
  {
    release: "0.26.0",
    image: "kindest/node:v1.32.0@sha256:c48c62eac5da28cdadcf560d1d8616cfa6783b58f0d94cf63ad1bf49600cb027",
    kubernetes: "1.32",
  },
  {
    release: "0.25.0",
    image: "kindest/node:v1.31.2@sha256:18fbefc20a7113353c7b75b5c869d7145a6abd6269154825872dc59c1329912e",
    kubernetes: "1.31",
  },
  {
    release: "0.24.0",
    image: "kindest/node:v1.31.0@sha256:53df588e04085fd41ae12de0c3fe4c72f7013bba32a20e7325357a1ac94ba865",
    kubernetes: "1.31",
  },
  {
    release: "0.23.0",
    image: "kindest/node:v1.30.0@sha256:047357ac0cfea04663786a612ba1eaba9702bef25227a794b52890dd8bcd692e",
    kubernetes: "1.30",
  },
];

/**
 * The oldest kind release fleetmesh runs: the oldest in the table above (kubeProxyMode `none` and
 * node `labels`, which fleetmesh's kind config uses, are older still: kind v0.11.0).
 */
export const MINIMUM_KIND_RELEASE = KIND_RELEASE_IMAGES[KIND_RELEASE_IMAGES.length - 1].release;

/** Kubernetes minors each Cilium minor is e2e-tested on (its docs, see the top of this file). */
export const CILIUM_TESTED_KUBERNETES: Readonly<Record<string, readonly string[]>> = {
  "1.16": ["1.27", "1.28", "1.29", "1.30"],
  "1.17": ["1.29", "1.30", "1.31", "1.32"],
  "1.18": ["1.30", "1.31", "1.32", "1.33"],
  "1.19": ["1.32", "1.33", "1.34", "1.35"],
  "1.20": ["1.33", "1.34", "1.35", "1.36"],
};

/** What a kind member's create script picks its node image from. */
export interface KindNodeImageChoice {
  /** `1.18`: the Cilium minor the images were chosen for. */
  ciliumMinor: string;
  /** The Kubernetes minors that Cilium minor is tested on. */
  kubernetes: readonly string[];
  /**
   * Newest first: with kind at `release` or newer (and older than the entry before), the member runs
   * `image`. Only releases whose default image is of a tested Kubernetes minor are listed.
   */
  images: readonly KindReleaseImage[];
  /** The oldest kind release with a listed image (refused below it, unless the user names an image). */
  minimumKind: string;
}

function minorOf(version: CiliumVersion): string {
  return `${version.major}.${version.minor}`;
}

/** The images a kind member of a fleet on Cilium `ciliumVersion` may be created from, by kind release. */
export function kindNodeImageChoice(ciliumVersion: string): KindNodeImageChoice {
  const ciliumMinor = minorOf(parseCiliumVersion(ciliumVersion));
  const kubernetes = ownValue(CILIUM_TESTED_KUBERNETES, ciliumMinor) ?? [];
  const images = KIND_RELEASE_IMAGES.filter((entry) => kubernetes.includes(entry.kubernetes));
  return { ciliumMinor, kubernetes, images, minimumKind: images.length > 0 ? images[images.length - 1].release : MINIMUM_KIND_RELEASE };
}

/** `[major, minor, patch]` of a kind version (`0.33.0-alpha.12+abc` → 0, 33, 0); undefined when it is none. */
export function parseKindVersion(text: string): [number, number, number] | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(text.trim());
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

/** Negative, zero or positive as kind version `a` is older than, equal to or newer than `b` (pre-release suffixes ignored). */
export function compareKindVersions(a: string, b: string): number {
  const [x, y] = [parseKindVersion(a), parseKindVersion(b)];
  if (!x || !y) throw new Error(`compareKindVersions: ${JSON.stringify(x ? b : a)} is not a kind version`);
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** The image a kind CLI at `kindVersion` creates the member from; undefined when none of the choice fits (too old a kind). */
export function pinnedNodeImage(choice: KindNodeImageChoice, kindVersion: string): KindReleaseImage | undefined {
  return choice.images.find((entry) => compareKindVersions(kindVersion, entry.release) >= 0);
}
