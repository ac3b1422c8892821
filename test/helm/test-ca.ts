// A real, freshly generated root CA for rendering the chart: the chart parses `tls.ca.cert` /
// `tls.ca.key` (cilium/cilium install/kubernetes/cilium/templates/_helpers.tpl, "cilium.ca.setup",
// sprig's buildCustomCert), so the plan's placeholder CA cannot be rendered. The key stays in the
// caller's temporary folder and in memory; the caller removes the folder.
import { execFileSync } from "child_process";
import { X509Certificate } from "crypto";
import * as fs from "fs";
import * as path from "path";

/** `tls.ca` as the chart reads it: base64 of the PEM texts. */
export interface ChartCa {
  cert: string;
  key: string;
}

/** A self-signed P-256 CA (CA:TRUE, keyCertSign), valid for two days, made with openssl in `dir`. */
export function generateTestCa(dir: string): ChartCa {
  const [certFile, keyFile] = [path.join(dir, "ca.crt"), path.join(dir, "ca.key")];
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      keyFile,
      "-out",
      certFile,
      "-days",
      "2",
      "-subj",
      "/CN=fleetmesh test CA",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  const cert = fs.readFileSync(certFile);
  if (!new X509Certificate(cert).ca) throw new Error("openssl made a certificate that is not a CA");
  return { cert: cert.toString("base64"), key: fs.readFileSync(keyFile).toString("base64") };
}

/** The values with `tls.ca` replaced by `ca` (a deep copy: the input is left alone). */
export function withCa(values: Record<string, unknown>, ca: ChartCa): Record<string, unknown> {
  const copy = structuredClone(values) as Record<string, any>;
  copy.tls = { ...copy.tls, ca: { ...copy.tls?.ca, cert: ca.cert, key: ca.key } };
  return copy;
}
