// A CA the user brings (`FleetArgs.ca`): checked with Node's own crypto before anything uses it.
//
// What Cilium needs of it: its chart puts `tls.ca.cert` / `tls.ca.key` through Helm's
// `buildCustomCert` (cilium/cilium install/kubernetes/cilium/templates/_helpers.tpl, "cilium.ca.setup"),
// which decodes the FIRST PEM block of each (Masterminds/sprig crypto.go, buildCustomCertificate and
// parsePrivateKeyPEM: `PRIVATE KEY`, `RSA PRIVATE KEY` or `EC PRIVATE KEY`, never an encrypted key),
// and certgen signs every member's clustermesh and Hubble certificates with the pair, so the
// certificate must be a CA (basicConstraints CA:TRUE) whose key is the one given. It must be a root,
// not an intermediate: peers trust the bundle Cilium hands out, which holds this certificate alone
// (cilium/cilium#43099). Go's crypto/x509 (ParsePKCS8PrivateKey, ParseECPrivateKey) reads RSA,
// ECDSA on P-224/256/384/521 and Ed25519 keys only.
//
// Node APIs: https://nodejs.org/api/crypto.html (X509Certificate: ca, checkIssued, verify,
// checkPrivateKey, validFrom/validTo; createPrivateKey, KeyObject.asymmetricKeyType/asymmetricKeyDetails).
//
// The key is a secret, and so may be whatever was passed by mistake in its place: messages quote the
// certificate's subject, issuer and dates and the PEM block labels, and never any PEM body.

import { createPrivateKey, KeyObject, X509Certificate } from "crypto";
import { FieldViolation, requiredValue, violation } from "../../k8s/field-errors";
import { typeOfValue } from "./secret-text";

export const CA_CERT_PATH = "ca.certPem";
export const CA_KEY_PATH = "ca.keyPem";

const CERTIFICATE = "CERTIFICATE";
const PRIVATE_KEY_LABELS = ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"];
const SUPPORTED_KEY_TYPES = ["rsa", "ec", "ed25519"];
const SUPPORTED_CURVES = ["secp224r1", "prime256v1", "secp384r1", "secp521r1"];
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** The user's CA, as given (any shape: it is checked). */
export interface ExistingCaValues {
  certPem: unknown;
  keyPem: unknown;
}

/** The labels of the PEM blocks in `text`, in order (`["CERTIFICATE"]`). */
export function pemLabels(text: string): string[] {
  return [...text.matchAll(PEM_BLOCK)].map((m) => m[1]);
}

const isPrivateKeyLabel = (label: string) => label.endsWith("PRIVATE KEY");
const labelList = (labels: readonly string[]) => labels.map((l) => JSON.stringify(l)).join(", ");

/** `ca` itself: absent (fleetmesh makes one) or an object with the two fields. */
export function existingCaShapeViolations(ca: unknown): FieldViolation[] {
  if (ca === undefined || ca === null) return [];
  if (typeof ca !== "object" || Array.isArray(ca)) {
    return [
      violation(
        "ca",
        `Invalid value: ${typeOfValue(ca)}: must be an object with certPem and keyPem (or left out: fleetmesh makes a root CA)`,
      ),
    ];
  }
  return [];
}

/** Everything about the certificate alone ([] = a usable root CA certificate). */
export function caCertViolations(certPem: unknown, now: Date = new Date()): FieldViolation[] {
  const text = textProblem(certPem, "the CA certificate, PEM-encoded");
  if (text) return [violation(CA_CERT_PATH, text)];
  const labels = pemLabels(certPem as string);
  const label = certLabelProblem(labels);
  if (label) return [violation(CA_CERT_PATH, label)];
  const cert = parseCertificate(certPem as string);
  if (!cert)
    return [violation(CA_CERT_PATH, `Invalid value: ${notShown("certificate")}: its CERTIFICATE block is not a valid X.509 certificate`)];
  return certificateProblems(cert, now).map((p) => violation(CA_CERT_PATH, `Invalid value: ${describeCert(cert)}: ${p}`));
}

/** Everything about the key alone ([] = a private key Cilium can sign with). */
export function caKeyViolations(keyPem: unknown): FieldViolation[] {
  const text = textProblem(keyPem, "the CA's private key, PEM-encoded (as a Pulumi secret)");
  if (text) return [violation(CA_KEY_PATH, text)];
  const problem = keyProblem(keyPem as string);
  return problem ? [violation(CA_KEY_PATH, problem)] : [];
}

/**
 * Every problem with a user CA: each field alone, the two swapped, and the key not being the
 * certificate's. [] when Cilium can sign its certificates with it.
 */
export function existingCaViolations(ca: ExistingCaValues, now: Date = new Date()): FieldViolation[] {
  if (swapped(ca)) {
    const rule = "ca.certPem and ca.keyPem are swapped: certPem takes the CERTIFICATE, keyPem the PRIVATE KEY";
    return [
      violation(CA_CERT_PATH, `Invalid value: ${notShown("private key")}: holds a private key, not a certificate: ${rule}`),
      violation(CA_KEY_PATH, `Invalid value: ${notShown("certificate")}: holds a certificate, not a private key: ${rule}`),
    ];
  }
  const own = [...caCertViolations(ca.certPem, now), ...caKeyViolations(ca.keyPem)];
  if (own.length > 0) return own;
  return pairViolations(ca.certPem as string, ca.keyPem as string);
}

/** Absent, not a string, or blank: nothing to parse. */
function textProblem(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null) return `${requiredValue()}: ${what}`;
  if (typeof value !== "string") return `Invalid value: ${typeOfValue(value)}: must be ${what}`;
  if (value.trim().length === 0) return `Invalid value: ${value.length === 0 ? `""` : "a blank string"}: must be ${what}`;
  return undefined;
}

/** Stands in for a PEM text in "Invalid value: …": its body is never quoted. */
function notShown(what: "certificate" | "private key" | "text"): string {
  return `(${what === "text" ? "text" : `${what} PEM`}, not shown)`;
}

function certLabelProblem(labels: readonly string[]): string | undefined {
  if (labels.some(isPrivateKeyLabel)) {
    return `Invalid value: ${notShown("private key")}: holds a private key (${labelList(labels)}), not a certificate: is it the CA's keyPem? certPem takes the CA's CERTIFICATE`;
  }
  if (labels.length === 0) return `Invalid value: ${notShown("text")}: not PEM: no -----BEGIN CERTIFICATE----- block`;
  if (labels.length !== 1 || labels[0] !== CERTIFICATE) {
    return `Invalid value: ${notShown("certificate")}: holds the PEM blocks ${labelList(labels)}: must be exactly one CERTIFICATE, the root CA's (Helm reads only the first block)`;
  }
  return undefined;
}

function parseCertificate(text: string): X509Certificate | undefined {
  try {
    return new X509Certificate(text);
  } catch {
    return undefined;
  }
}

/** `certificate "CN=…"` (the subject names it; it is public). */
function describeCert(cert: X509Certificate): string {
  return `certificate ${JSON.stringify(oneLine(cert.subject))}`;
}

/** Node prints a distinguished name one attribute per line. */
function oneLine(name: string): string {
  return name.split("\n").filter(Boolean).join(", ");
}

function certificateProblems(cert: X509Certificate, now: Date): string[] {
  const problems: string[] = [];
  if (!cert.ca) problems.push("is not a CA: its basicConstraints do not say CA:TRUE, so Cilium cannot sign its certificates with it");
  if (!isSelfSigned(cert)) {
    problems.push(
      `is not a root: it is issued by ${JSON.stringify(oneLine(cert.issuer))}, not self-signed; give the root CA (Cilium hands its peers this certificate alone)`,
    );
  }
  const validFrom = new Date(cert.validFrom);
  const validTo = new Date(cert.validTo);
  if (now < validFrom) problems.push(`is not valid yet: valid from ${validFrom.toISOString()}`);
  if (now > validTo) problems.push(`expired on ${validTo.toISOString()}`);
  return problems;
}

function isSelfSigned(cert: X509Certificate): boolean {
  try {
    return cert.checkIssued(cert) && cert.verify(cert.publicKey);
  } catch {
    return false;
  }
}

function keyProblem(text: string): string | undefined {
  const labels = pemLabels(text);
  const shown = notShown("private key");
  if (labels.length === 0) return `Invalid value: ${notShown("text")}: not PEM: no -----BEGIN PRIVATE KEY----- block`;
  if (!labels.some(isPrivateKeyLabel)) {
    const swappedHint = labels.includes(CERTIFICATE) ? ": is it the CA's certPem? keyPem takes the CA's PRIVATE KEY" : "";
    return `Invalid value: ${notShown(labels.includes(CERTIFICATE) ? "certificate" : "text")}: holds ${labelList(labels)}, not a private key${swappedHint}`;
  }
  if (labels[0] === "ENCRYPTED PRIVATE KEY")
    return `Invalid value: ${shown}: is encrypted: Helm's buildCustomCert reads an unencrypted key (keep it a Pulumi secret instead)`;
  if (!PRIVATE_KEY_LABELS.includes(labels[0])) {
    return `Invalid value: ${shown}: starts with the block ${JSON.stringify(labels[0])}: Helm's buildCustomCert reads only the first PEM block, which must be the key (${labelList(PRIVATE_KEY_LABELS)})`;
  }
  const key = parsePrivateKey(text);
  if (!key) return `Invalid value: ${shown}: its ${JSON.stringify(labels[0])} block is not a valid private key`;
  return keyTypeProblem(key);
}

function parsePrivateKey(text: string): KeyObject | undefined {
  try {
    return createPrivateKey(text);
  } catch {
    return undefined;
  }
}

function keyTypeProblem(key: KeyObject): string | undefined {
  const type = key.asymmetricKeyType ?? "unknown";
  const shown = notShown("private key");
  if (!SUPPORTED_KEY_TYPES.includes(type))
    return `Invalid value: ${shown}: a ${JSON.stringify(type)} key: must be RSA, ECDSA or Ed25519 (what Go's crypto/x509 reads)`;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (type === "ec" && curve !== undefined && !SUPPORTED_CURVES.includes(curve)) {
    return `Invalid value: ${shown}: an ECDSA key on ${JSON.stringify(curve)}: must be on P-224, P-256, P-384 or P-521 (what Go's crypto/x509 reads)`;
  }
  return undefined;
}

/** certPem holds a private key and keyPem a certificate. */
function swapped(ca: ExistingCaValues): boolean {
  if (typeof ca.certPem !== "string" || typeof ca.keyPem !== "string") return false;
  const certLabels = pemLabels(ca.certPem);
  const keyLabels = pemLabels(ca.keyPem);
  return certLabels.some(isPrivateKeyLabel) && keyLabels.includes(CERTIFICATE) && !keyLabels.some(isPrivateKeyLabel);
}

/** The key is the certificate's own (both parse: checked before). */
function pairViolations(certPem: string, keyPem: string): FieldViolation[] {
  const cert = new X509Certificate(certPem);
  if (cert.checkPrivateKey(createPrivateKey(keyPem))) return [];
  return [
    violation(
      CA_KEY_PATH,
      `Invalid value: ${notShown("private key")}: is not the key of ${describeCert(cert)} in ca.certPem: give the private key the CA certificate was made with`,
    ),
  ];
}
