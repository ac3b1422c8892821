import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { FleetValidationError } from "../errors";
import { existingCaRefusal, heldUntilAccepted } from "./secret-inputs";

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
  /**
   * The refusal of a user CA given as Outputs or Promises, once their values arrive (undefined:
   * accepted, made by fleetmesh, checked with the arguments, or not known in this preview). Members
   * register nothing before it settles, and the outputs above fail with it instead of resolving.
   */
  refusal: Promise<FleetValidationError | undefined>;
  /** How a refusal of the fleet's secret inputs names the component they were given to: `Fleet "x"`. */
  component: string;
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
  const component = `Fleet "${name}"`;
  if (existing) {
    // Checked with the arguments when given as plain text (see secretArgumentViolations); an Output is
    // checked here once it arrives, and nothing reads it before: a bad key never reaches a value or an output.
    const refusal = existingCaRefusal(component, existing);
    const certPem = heldUntilAccepted(existing.certPem, refusal);
    const keyPem = heldUntilAccepted(existing.keyPem, refusal);
    return { certPem, certPemBase64: certPem.apply(base64), keyPemBase64: pulumi.secret(keyPem.apply(base64)), refusal, component };
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
    refusal: Promise.resolve(undefined),
    component,
  };
}
