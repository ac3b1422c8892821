import { strict as assert } from "assert";
import * as path from "path";
import { FAKE_CA_KEY, isWrappedSecret } from "../../plan/fake-cloud";
import { resetRootStack, runProgram } from "../../plan/run-program";

// Walks every input of every resource the example programs register, and every stack output, and
// fails when a CA key, a kubeconfig or a client key stands anywhere outside a Pulumi secret.

const PROGRAMS = ["kind-mesh", "placement", "aks-fleet"];
const KEY_MATERIAL = [FAKE_CA_KEY.trim(), Buffer.from(FAKE_CA_KEY).toString("base64"), "FAKE-CLIENT-KEY", "kind: Config"];

/** Paths of plain (non-secret) strings that carry key material. */
function leaks(value: unknown, at: string): string[] {
  if (isWrappedSecret(value)) return [];
  if (typeof value === "string") return KEY_MATERIAL.some((k) => value.includes(k)) ? [at] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => leaks(v, `${at}[${i}]`));
  if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => leaks(v, `${at}.${k}`));
  return [];
}

describe("no secret leaks in the example programs", function () {
  this.timeout(120_000);
  after(resetRootStack);

  for (const program of PROGRAMS) {
    it(`keeps every CA key, kubeconfig and client key of programs/${program} inside a secret`, async () => {
      const run = await runProgram(path.resolve(__dirname, "../../programs", program), { raw: true });
      const found = run.resources.flatMap((r) => leaks(r.rawInputs, `${r.type}::${r.name}`));
      assert.deepEqual(found, []);
      assert.ok(
        run.resources.some((r) => r.type === "kubernetes:helm.sh/v3:Release" || r.type === "azure-native:containerservice:ManagedCluster"),
        "the walk saw the resources that carry keys",
      );
      assert.deepEqual(leaks(run.outputs, "outputs"), []);
    });
  }
});
