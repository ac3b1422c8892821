import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";

/** A CA the user already has: PEM text (the key must be a Pulumi secret). */
export interface ExistingCa {
  /** The CA certificate, PEM-encoded: a root, never an intermediate. */
  readonly certPem: pulumi.Input<string>;
  /** The CA's private key, PEM-encoded; pass it as a Pulumi secret. */
  readonly keyPem: pulumi.Input<string>;
}

/** The fleet's root CA as Cilium's `tls.ca` wants it: base64 of the PEM; the key is always secret. */
export interface SharedCa {
  certPem: pulumi.Output<string>;
  certPemBase64: pulumi.Output<string>;
  keyPemBase64: pulumi.Output<string>;
}

const TEN_YEARS_HOURS = 10 * 365 * 24;

function base64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}

/**
 * One root CA for the whole fleet (Cilium's chart `tls.ca`, install/kubernetes/cilium/values.yaml; the
 * cronJob certificate job signs with it): every member signs its clustermesh and
 * Hubble certificates with it, so no secret is ever copied between clusters. A root, never an
 * intermediate (cilium#43099).
 */
export function sharedCa(name: string, existing: ExistingCa | undefined, parent: pulumi.Resource): SharedCa {
  if (existing) {
    const certPem = pulumi.output(existing.certPem);
    return { certPem, certPemBase64: certPem.apply(base64), keyPemBase64: pulumi.secret(pulumi.output(existing.keyPem).apply(base64)) };
  }
  const key = new tls.PrivateKey(`${name}-ca-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, { parent });
  const cert = new tls.SelfSignedCert(
    `${name}-ca`,
    {
      privateKeyPem: key.privateKeyPem,
      isCaCertificate: true,
      validityPeriodHours: TEN_YEARS_HOURS,
      allowedUses: ["cert_signing", "crl_signing", "digital_signature", "key_encipherment"],
      subject: { commonName: `${name} fleetmesh root CA`, organization: "fleetmesh" },
    },
    { parent },
  );
  return {
    certPem: cert.certPem,
    certPemBase64: cert.certPem.apply(base64),
    keyPemBase64: pulumi.secret(key.privateKeyPem.apply(base64)),
  };
}
