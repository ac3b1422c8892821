// Real certificates and keys for the user-CA checks, made once per test process with openssl in a
// temporary folder (removed at once): roots of each key type Cilium's Go code reads, a leaf and an
// intermediate signed by a root, a self-signed certificate that is not a CA, and keys in the PEM
// forms Helm cannot read (encrypted, EC PARAMETERS first).
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export interface Pem {
  cert: string;
  key: string;
}

export interface TestCas {
  /** A P-256 root CA, valid for two days from now. */
  root: Pem;
  /** Another P-256 root: its key is not `root`'s. */
  otherRoot: Pem;
  rsaRoot: Pem;
  ed25519Root: Pem;
  /** A root on secp256k1, a curve Go's crypto/x509 does not read. */
  secp256k1Root: Pem;
  /** CA:FALSE, signed by `root`. */
  leaf: Pem;
  /** CA:TRUE, signed by `root`. */
  intermediate: Pem;
  /** Self-signed, CA:FALSE. */
  selfSignedLeaf: Pem;
  /** `root`'s key, PKCS#8-encrypted. */
  encryptedRootKey: string;
  /** A root whose key file starts with an EC PARAMETERS block (`openssl ecparam -genkey`). */
  ecParametersRoot: Pem;
  /** A root valid on 1 January 2020 only. */
  expiredRoot: Pem;
}

const CA_EXTENSIONS = ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"];

function openssl(args: string[]): void {
  execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
}

function read(dir: string, name: string): string {
  return fs.readFileSync(path.join(dir, name), "utf8");
}

function selfSigned(dir: string, name: string, keyArgs: string[], extensions: string[] = CA_EXTENSIONS): Pem {
  const [key, cert] = [path.join(dir, `${name}.key`), path.join(dir, `${name}.crt`)];
  openssl(["req", "-x509", ...keyArgs, "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", `/CN=${name}`, ...extensions]);
  return { cert: read(dir, `${name}.crt`), key: read(dir, `${name}.key`) };
}

/** A P-256 key and a certificate for it signed by `issuer`, with these extensions. */
function signedBy(dir: string, name: string, issuer: string, extensions: string): Pem {
  const [key, csr, cert, ext] = ["key", "csr", "crt", "ext"].map((suffix) => path.join(dir, `${name}.${suffix}`));
  fs.writeFileSync(ext, extensions);
  openssl([
    "req",
    "-new",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    key,
    "-out",
    csr,
    "-subj",
    `/CN=${name}`,
  ]);
  const issuerFiles = ["-CA", path.join(dir, `${issuer}.crt`), "-CAkey", path.join(dir, `${issuer}.key`), "-CAcreateserial"];
  openssl(["x509", "-req", "-in", csr, ...issuerFiles, "-days", "2", "-extfile", ext, "-out", cert]);
  return { cert: read(dir, `${name}.crt`), key: read(dir, `${name}.key`) };
}

/** A self-signed CA with fixed dates: `openssl ca -selfsign` takes a start and an end date, `req -x509` does not. */
function datedRoot(dir: string, name: string, start: string, end: string): Pem {
  const [key, csr, cert, ext, conf, db] = ["key", "csr", "crt", "ext", "cnf", "db"].map((suffix) => path.join(dir, `${name}.${suffix}`));
  fs.mkdirSync(db);
  fs.writeFileSync(path.join(db, "index.txt"), "");
  fs.writeFileSync(path.join(db, "serial"), "01\n");
  fs.writeFileSync(ext, "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n");
  const section = `database = ${db}/index.txt\nnew_certs_dir = ${db}\nserial = ${db}/serial\ndefault_md = sha256\npolicy = p\nunique_subject = no\n`;
  fs.writeFileSync(conf, `[ ca ]\ndefault_ca = x\n[ x ]\n${section}[ p ]\ncommonName = supplied\n`);
  openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key]);
  openssl(["req", "-new", "-key", key, "-subj", `/CN=${name}`, "-out", csr]);
  const dates = ["-startdate", start, "-enddate", end];
  openssl(["ca", "-batch", "-config", conf, "-selfsign", "-keyfile", key, "-in", csr, ...dates, "-extfile", ext, "-notext", "-out", cert]);
  return { cert: read(dir, `${name}.crt`), key: read(dir, `${name}.key`) };
}

const P256 = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];

function generate(dir: string): TestCas {
  const root = selfSigned(dir, "root", P256);
  openssl(["pkcs8", "-topk8", "-in", path.join(dir, "root.key"), "-passout", "pass:test", "-out", path.join(dir, "root-encrypted.key")]);
  openssl(["ecparam", "-name", "prime256v1", "-genkey", "-out", path.join(dir, "params.key")]);
  const paramsCert = path.join(dir, "params.crt");
  openssl([
    "req",
    "-x509",
    "-key",
    path.join(dir, "params.key"),
    "-out",
    paramsCert,
    "-days",
    "2",
    "-subj",
    "/CN=params",
    ...CA_EXTENSIONS,
  ]);
  return {
    root,
    otherRoot: selfSigned(dir, "other-root", P256),
    rsaRoot: selfSigned(dir, "rsa-root", ["-newkey", "rsa:2048"]),
    ed25519Root: selfSigned(dir, "ed25519-root", ["-newkey", "ed25519"]),
    secp256k1Root: selfSigned(dir, "k1-root", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp256k1"]),
    leaf: signedBy(dir, "leaf", "root", "basicConstraints=critical,CA:FALSE\n"),
    intermediate: signedBy(dir, "intermediate", "root", "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"),
    selfSignedLeaf: selfSigned(dir, "self-signed-leaf", P256, ["-addext", "basicConstraints=critical,CA:FALSE"]),
    encryptedRootKey: read(dir, "root-encrypted.key"),
    ecParametersRoot: { cert: read(dir, "params.crt"), key: read(dir, "params.key") },
    expiredRoot: datedRoot(dir, "expired-root", "20200101000000Z", "20200102000000Z"),
  };
}

let made: TestCas | undefined;

/** The test CAs (made on first use; the keys stay in memory only). */
export function testCas(): TestCas {
  if (made) return made;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetmesh-test-cas-"));
  try {
    made = generate(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return made;
}
