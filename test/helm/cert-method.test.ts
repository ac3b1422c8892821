import { strict as assert } from "assert";
import * as fs from "fs";
import { isDeepStrictEqual } from "util";
import { resetRootStack } from "../../plan/run-program";
import { helmBinary } from "../support/helm";
import { CHART_VERSIONS, K8sObject, chartFile, helmTemplate, pool } from "./helm-template";
import { planProgram } from "./planned-values";
import { workDir } from "./scenarios";
import { generateTestCa, withCa } from "./test-ca";

// Why fleetmesh pins the `cronJob` certificate method: with the chart's default `helm`
// (values.yaml `hubble.tls.auto.method` and `clustermesh.apiserver.tls.auto.method`), the templates
// sign new leaf certificates on every render (templates/hubble/tls-helm/ and
// templates/clustermesh-apiserver/tls-helm/, sprig genSignedCert), even with a fixed CA, so every
// `pulumi up` would change them. With fleetmesh's values two renders are byte-identical
// (cilium-chart.test.ts); with the default method these Secrets differ between two renders.

const RE_SIGNED = [
  "Secret clustermesh-apiserver-admin-cert",
  "Secret clustermesh-apiserver-local-cert",
  "Secret clustermesh-apiserver-remote-cert",
  "Secret clustermesh-apiserver-server-cert",
  "Secret hubble-server-certs",
];

const label = (o: K8sObject) => `${o.kind} ${o.metadata.name}`;

/** The objects of `a` that `b` renders differently. */
function differing(a: K8sObject[], b: K8sObject[]): string[] {
  return a
    .filter(
      (obj) =>
        !isDeepStrictEqual(
          obj,
          b.find((other) => label(other) === label(obj)),
        ),
    )
    .map(label)
    .sort();
}

describe("the chart's default certificate method", function () {
  this.timeout(300_000);
  let dir: string;
  const changed = new Map<string, string[]>();

  before(async () => {
    dir = workDir();
    const [helm, ca] = [(await helmBinary()).path, generateTestCa(dir)];
    const limit = pool(4);
    const renders: Array<Promise<void>> = [];
    // Planned one at a time (the Pulumi runtime is process-wide), rendered while the next plans.
    for (const version of CHART_VERSIONS) {
      const planned = await planProgram("kind-mesh", "kind-mesh", { ciliumVersion: version });
      const values = withCa(planned.releases.find((r) => r.member === "cluster1")!.values, ca) as Record<string, any>;
      values.hubble.tls.auto.method = "helm";
      values.clustermesh.apiserver.tls.auto.method = "helm";
      const render = () => limit(() => helmTemplate(helm, chartFile(version), values, dir));
      const rendered = Promise.all([render(), render()]).then(
        ([first, second]) => void changed.set(version, differing(first.objects, second.objects)),
      );
      rendered.catch(() => undefined); // reported by the Promise.all below
      renders.push(rendered);
    }
    await Promise.all(renders);
  });
  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    resetRootStack();
  });

  for (const version of CHART_VERSIONS) {
    it(`re-signs the Hubble and clustermesh-apiserver certificates on every render of chart ${version}`, () => {
      assert.deepEqual(changed.get(version), RE_SIGNED);
    });
  }
});
