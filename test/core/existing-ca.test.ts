import { strict as assert } from "assert";
import { X509Certificate } from "crypto";
import {
  caCertViolations,
  caKeyViolations,
  existingCaViolations,
  ExistingCaValues,
  pemLabels,
} from "../../components/core/fleet/validation/existing-ca";
import { FieldViolation } from "../../components/core/k8s/field-errors";
import { testCas } from "./ca-fixtures";

// A user CA is checked with Node's crypto: a self-signed CA certificate, currently valid, with its
// own key in a form Helm and Go read. Messages name the certificate by subject and never quote a PEM body.

const DAY = 24 * 60 * 60 * 1000;
const cas = testCas();
const rootValidity = new X509Certificate(cas.root.cert);

/** The body lines of every PEM given, none of which may appear in a message. */
function pemBodies(...texts: unknown[]): string[] {
  return texts
    .filter((t): t is string => typeof t === "string")
    .flatMap((t) => t.split("\n"))
    .filter((line) => line.length > 16 && !line.startsWith("-----"));
}

const v = (path: string, message: string): FieldViolation => ({ path, message });
const NOT_A_ROOT = (subject: string, issuer: string) =>
  v(
    "ca.certPem",
    `Invalid value: certificate "${subject}": is not a root: it is issued by "${issuer}", not self-signed; give the root CA (Cilium hands its peers this certificate alone)`,
  );
const NOT_A_CA = (subject: string) =>
  v(
    "ca.certPem",
    `Invalid value: certificate "${subject}": is not a CA: its basicConstraints do not say CA:TRUE, so Cilium cannot sign its certificates with it`,
  );
const SWAPPED_RULE = "ca.certPem and ca.keyPem are swapped: certPem takes the CERTIFICATE, keyPem the PRIVATE KEY";

describe("existingCaViolations", () => {
  const accepted: Array<[string, ExistingCaValues]> = [
    ["a P-256 root with its key", { certPem: cas.root.cert, keyPem: cas.root.key }],
    ["an RSA root with its key", { certPem: cas.rsaRoot.cert, keyPem: cas.rsaRoot.key }],
    ["an Ed25519 root with its key", { certPem: cas.ed25519Root.cert, keyPem: cas.ed25519Root.key }],
  ];
  for (const [name, ca] of accepted) {
    it(`accepts ${name}`, () => assert.deepEqual(existingCaViolations(ca), []));
  }

  const refused: Array<[string, ExistingCaValues, FieldViolation[], Date?]> = [
    [
      "a root with another root's key",
      { certPem: cas.root.cert, keyPem: cas.otherRoot.key },
      [
        v(
          "ca.keyPem",
          `Invalid value: (private key PEM, not shown): is not the key of certificate "CN=root" in ca.certPem: give the private key the CA certificate was made with`,
        ),
      ],
    ],
    [
      "a leaf signed by the root",
      { certPem: cas.leaf.cert, keyPem: cas.leaf.key },
      [NOT_A_CA("CN=leaf"), NOT_A_ROOT("CN=leaf", "CN=root")],
    ],
    ["an intermediate CA", { certPem: cas.intermediate.cert, keyPem: cas.intermediate.key }, [NOT_A_ROOT("CN=intermediate", "CN=root")]],
    [
      "a self-signed certificate that is not a CA",
      { certPem: cas.selfSignedLeaf.cert, keyPem: cas.selfSignedLeaf.key },
      [NOT_A_CA("CN=self-signed-leaf")],
    ],
    [
      "a root that has expired",
      { certPem: cas.root.cert, keyPem: cas.root.key },
      [v("ca.certPem", `Invalid value: certificate "CN=root": expired on ${new Date(rootValidity.validTo).toISOString()}`)],
      new Date(Date.now() + 5 * DAY),
    ],
    [
      "a root not valid yet",
      { certPem: cas.root.cert, keyPem: cas.root.key },
      [
        v(
          "ca.certPem",
          `Invalid value: certificate "CN=root": is not valid yet: valid from ${new Date(rootValidity.validFrom).toISOString()}`,
        ),
      ],
      new Date(Date.now() - 5 * DAY),
    ],
    [
      "the certificate and the key swapped",
      { certPem: cas.root.key, keyPem: cas.root.cert },
      [
        v("ca.certPem", `Invalid value: (private key PEM, not shown): holds a private key, not a certificate: ${SWAPPED_RULE}`),
        v("ca.keyPem", `Invalid value: (certificate PEM, not shown): holds a certificate, not a private key: ${SWAPPED_RULE}`),
      ],
    ],
    [
      "text that is not PEM",
      { certPem: "not a certificate", keyPem: "not a key" },
      [
        v("ca.certPem", "Invalid value: (text, not shown): not PEM: no -----BEGIN CERTIFICATE----- block"),
        v("ca.keyPem", "Invalid value: (text, not shown): not PEM: no -----BEGIN PRIVATE KEY----- block"),
      ],
    ],
    [
      "PEM blocks whose bodies do not decode",
      {
        certPem: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        keyPem: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
      },
      [
        v("ca.certPem", "Invalid value: (certificate PEM, not shown): its CERTIFICATE block is not a valid X.509 certificate"),
        v("ca.keyPem", `Invalid value: (private key PEM, not shown): its "PRIVATE KEY" block is not a valid private key`),
      ],
    ],
    [
      "a missing key",
      { certPem: cas.root.cert, keyPem: undefined },
      [v("ca.keyPem", "Required value: the CA's private key, PEM-encoded (as a Pulumi secret)")],
    ],
    [
      "an empty certificate",
      { certPem: "", keyPem: cas.root.key },
      [v("ca.certPem", `Invalid value: "": must be the CA certificate, PEM-encoded`)],
    ],
    [
      "a certificate that is not text",
      { certPem: 42, keyPem: cas.root.key },
      [v("ca.certPem", "Invalid value: a number: must be the CA certificate, PEM-encoded")],
    ],
    [
      "a certificate followed by another",
      { certPem: cas.root.cert + cas.otherRoot.cert, keyPem: cas.root.key },
      [
        v(
          "ca.certPem",
          `Invalid value: (certificate PEM, not shown): holds the PEM blocks "CERTIFICATE", "CERTIFICATE": must be exactly one CERTIFICATE, the root CA's (Helm reads only the first block)`,
        ),
      ],
    ],
    [
      "an encrypted key",
      { certPem: cas.root.cert, keyPem: cas.encryptedRootKey },
      [
        v(
          "ca.keyPem",
          "Invalid value: (private key PEM, not shown): is encrypted: Helm's buildCustomCert reads an unencrypted key (keep it a Pulumi secret instead)",
        ),
      ],
    ],
    [
      "a key file that starts with EC PARAMETERS",
      { certPem: cas.ecParametersRoot.cert, keyPem: cas.ecParametersRoot.key },
      [
        v(
          "ca.keyPem",
          `Invalid value: (private key PEM, not shown): starts with the block "EC PARAMETERS": Helm's buildCustomCert reads only the first PEM block, which must be the key ("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY")`,
        ),
      ],
    ],
    [
      "a key on a curve Go does not read",
      { certPem: cas.secp256k1Root.cert, keyPem: cas.secp256k1Root.key },
      [
        v(
          "ca.keyPem",
          `Invalid value: (private key PEM, not shown): an ECDSA key on "secp256k1": must be on P-224, P-256, P-384 or P-521 (what Go's crypto/x509 reads)`,
        ),
      ],
    ],
  ];
  for (const [name, ca, expected, now] of refused) {
    it(`refuses ${name}, quoting no PEM body`, () => {
      const found = existingCaViolations(ca, now);
      assert.deepEqual(found, expected);
      const text = JSON.stringify(found);
      for (const line of pemBodies(ca.certPem, ca.keyPem)) assert.ok(!text.includes(line), `a message quotes PEM text`);
    });
  }
});

describe("caCertViolations and caKeyViolations (one field known)", () => {
  it("checks a certificate alone, without its key", () => {
    assert.deepEqual(caCertViolations(cas.intermediate.cert), [NOT_A_ROOT("CN=intermediate", "CN=root")]);
  });
  it("says a key given as the certificate looks like the key, without knowing the key field", () => {
    assert.deepEqual(caCertViolations(cas.root.key), [
      v(
        "ca.certPem",
        `Invalid value: (private key PEM, not shown): holds a private key ("PRIVATE KEY"), not a certificate: is it the CA's keyPem? certPem takes the CA's CERTIFICATE`,
      ),
    ]);
  });
  it("says a certificate given as the key looks like the certificate", () => {
    assert.deepEqual(caKeyViolations(cas.root.cert), [
      v(
        "ca.keyPem",
        `Invalid value: (certificate PEM, not shown): holds "CERTIFICATE", not a private key: is it the CA's certPem? keyPem takes the CA's PRIVATE KEY`,
      ),
    ]);
  });
  it("accepts a key alone", () => assert.deepEqual(caKeyViolations(cas.rsaRoot.key), []));
});

describe("pemLabels", () => {
  it("lists the labels of the PEM blocks in order", () => {
    assert.deepEqual(pemLabels(cas.ecParametersRoot.key + cas.root.cert), ["EC PARAMETERS", "EC PRIVATE KEY", "CERTIFICATE"]);
  });
});
