// Deterministic stand-ins for what only a real deployment knows (cluster addresses, kubeconfigs,
// keys, ARM ids), so a program can run on Pulumi's mock runtime: for the offline plan, and for tests.
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";

export const FAKE_CA_KEY = "-----BEGIN EC PRIVATE KEY-----\nFAKE-CA-KEY\n-----END EC PRIVATE KEY-----\n";
export const FAKE_CA_CERT = "-----BEGIN CERTIFICATE-----\nFAKE-CA-CERT\n-----END CERTIFICATE-----\n";

export function fakeKubeconfig(cluster: string): string {
  return `apiVersion: v1\nkind: Config\nclusters:\n- name: ${cluster}\n  cluster:\n    server: https://127.0.0.1:6443\nusers:\n- name: ${cluster}\n  user:\n    client-key-data: FAKE-CLIENT-KEY-${cluster}\n`;
}

/** The mock monitor's wrapping of a secret value. */
const SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d";
const SECRET_SIGNATURE_VALUE = "1b47061264138c4ac30d75fd1eb44270";

export function asSecret(value: unknown): Record<string, unknown> {
  return { [SECRET_SIGNATURE]: SECRET_SIGNATURE_VALUE, value };
}

export function isWrappedSecret(value: unknown): value is { value: unknown } {
  return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SECRET_SIGNATURE] === SECRET_SIGNATURE_VALUE;
}

/** Secrets unwrapped, or replaced by `redaction` when one is given. */
export function unwrapSecrets(value: unknown, redaction?: string): unknown {
  if (Array.isArray(value)) return value.map((v) => unwrapSecrets(v, redaction));
  if (isWrappedSecret(value)) return redaction ?? unwrapSecrets(value.value);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, unwrapSecrets(v, redaction)]));
  }
  return value;
}

const KEY_MATERIAL = /PRIVATE KEY|client-key-data/;

function isKeyMaterial(text: string): boolean {
  if (KEY_MATERIAL.test(text)) return true;
  if (!/^[A-Za-z0-9+/=\s]{24,}$/.test(text)) return false;
  return KEY_MATERIAL.test(Buffer.from(text, "base64").toString("utf8"));
}

/**
 * Secrets for people to read: a secret string becomes `[secret]`; a secret object (e.g. Helm values
 * that carry a key) is shown with only its key material (PEM private keys, raw or base64, kubeconfig
 * client keys) replaced by `[secret]`.
 */
export function redactSecrets(value: unknown): unknown {
  if (isWrappedSecret(value)) return typeof value.value === "string" ? "[secret]" : redactSecrets(value.value);
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, redactSecrets(v)]));
  }
  return typeof value === "string" && isKeyMaterial(value) ? "[secret]" : value;
}

/**
 * A node IP on the kind network for a cluster, derived from its name: a cluster keeps its address
 * whatever other clusters come and go (as a real one keeps the IP Docker gave it).
 */
export function fakeNodeAddress(cluster: string): string {
  const digest = createHash("sha256").update(cluster).digest();
  return `172.18.${digest[0] % 255}.${2 + (digest[1] % 250)}`;
}

/** A mock cloud: what each provider would answer, in preview (commands not run) or in an update. */
export class FakeCloud {
  /** Inputs of every registered resource, by `type::name`. */
  readonly inputs = new Map<string, Record<string, unknown>>();

  /**
   * `placeholders`: answer for commands even in preview (the offline plan wants concrete values);
   * without it, command outputs are unknown in preview, as in a real `pulumi preview`.
   */
  constructor(
    private readonly preview: boolean,
    private readonly stackOutputs: Record<string, unknown> = {},
    private readonly placeholders = false,
  ) {}

  mocks(): pulumi.runtime.Mocks {
    return {
      newResource: (args) => {
        this.inputs.set(`${args.type}::${args.name}`, args.inputs);
        // New resources come with id "" (not undefined): only a read or import carries a real id.
        return { id: args.id || (this.preview && args.custom ? undefined : `${args.name}-id`), state: this.state(args) };
      },
      call: (args) => this.call(args),
    };
  }

  private state(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
    const { type, name, inputs } = args;
    switch (type) {
      case "pulumi:pulumi:StackReference":
        return { name: inputs.name, outputs: this.stackOutputs, secretOutputNames: [] };
      case "tls:index/privateKey:PrivateKey":
        // The tls SDK declares privateKeyPem an additional secret output; the engine (not the mock) applies that.
        return { ...inputs, privateKeyPem: asSecret(FAKE_CA_KEY), publicKeyPem: "PUBLIC" };
      case "tls:index/selfSignedCert:SelfSignedCert":
        return { ...inputs, certPem: FAKE_CA_CERT };
      case "command:local:Command":
        return this.commandState(name, inputs);
      case "azure-native:containerservice:ManagedCluster":
        return { ...inputs, name: inputs.resourceName, identity: { type: "SystemAssigned", principalId: `${inputs.resourceName}-principal` } };
      case "azure-native:containerservice:Fleet":
        return { ...inputs, name: inputs.fleetName };
      default:
        return { ...inputs };
    }
  }

  private commandState(name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    // Commands do not run during preview: their output is unknown then (unless placeholders are asked for).
    if (this.preview && !this.placeholders) return { ...inputs };
    if (name.endsWith("-kind-kubeconfig")) return { ...inputs, stdout: fakeKubeconfig(name.replace(/-kind-kubeconfig$/, "")) };
    if (name.endsWith("-kind-address")) return { ...inputs, stdout: `${fakeNodeAddress(name.replace(/-kind-address$/, ""))}\n` };
    return { ...inputs, stdout: "" };
  }

  private call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    switch (args.token) {
      case "azure-native:containerservice:listManagedClusterUserCredentials":
        return { kubeconfigs: [{ name: "clusterUser", value: Buffer.from(fakeKubeconfig(args.inputs.resourceName)).toString("base64") }] };
      case "azure-native:containerservice:listFleetCredentials":
        return { kubeconfigs: [{ name: "hub", value: Buffer.from(fakeKubeconfig(`${args.inputs.fleetName}-hub`)).toString("base64") }] };
      case "azure-native:authorization:getClientConfig":
        return { subscriptionId: "sub-1", tenantId: "tenant-1", clientId: "client-1", objectId: "object-1" };
      default:
        throw new Error(`the offline plan has no stand-in for the invoke ${args.token}`);
    }
  }
}
