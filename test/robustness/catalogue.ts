// The bad-input catalogue's shared parts: a case is a program that must be refused synchronously,
// before anything is registered, with a violation whose path names the field and whose message
// quotes the value and states the rule. Each catalogue file lists its cases and calls runCatalogue.
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { Fleet, FleetArgs, FleetValidationError, Placement, PlacementArgs } from "../../components";
import { recorder, RecordedResource, useMocks } from "../components/harness";

export interface Case {
  name: string;
  /** Builds the component under test, recording what it registers. */
  build: (record: pulumi.ResourceTransformation) => void;
  path: string;
  /** Text the message must contain: the bad value, quoted as the component quotes it. */
  quotes: string;
}

export const kind = (labels: Record<string, string> = {}) => ({ kind: {}, labels });
export const aks = (extra: Record<string, unknown> = {}) => ({
  aks: {
    resourceGroupName: "rg",
    location: "eastus2",
    kubernetesVersion: "1.33",
    virtualNetwork: { name: "v", resourceGroupName: "rg" },
    nodeSubnetCidr: "10.200.0.0/24",
    ...extra,
  },
});
export const fleetCase = (name: string, args: FleetArgs, path: string, quotes: string): Case => ({
  name,
  build: (record) => new Fleet("bad", args, { transformations: [record] }),
  path,
  quotes,
});

export const GOOD_FLEET: FleetArgs = { members: { a: kind({ env: "prod" }), b: kind({ env: "dev" }) } };
export const placementCase = (name: string, args: Omit<PlacementArgs, "fleet">, path: string, quotes: string): Case => ({
  name,
  build: (record) => new Placement("bad", { fleet: new Fleet("ok", GOOD_FLEET), ...args }, { transformations: [record] }),
  path,
  quotes,
});
export const NS = [{ group: "", version: "v1", kind: "Namespace", name: "app" }];
export const INVENTORY = [{ apiVersion: "v1", kind: "Namespace", metadata: { name: "app" } }];

/** Refuses every case synchronously with a FleetValidationError, nothing registered, the violation at its path quoting its value. */
export function runCatalogue(title: string, cases: readonly Case[], minimum = 1): void {
  describe(title, () => {
    it(`has at least ${minimum} distinct cases (${cases.length})`, () => {
      assert.ok(cases.length >= minimum);
      assert.equal(new Set(cases.map((c) => c.name)).size, cases.length);
    });

    for (const c of cases) {
      it(`refuses ${c.name}`, async () => {
        await useMocks(true);
        const records: RecordedResource[] = [];
        let refusal: FleetValidationError | undefined;
        try {
          c.build(recorder(records));
        } catch (error) {
          if (!(error instanceof FleetValidationError)) throw error;
          refusal = error;
        }
        assert.ok(refusal, "refused with a FleetValidationError");
        assert.deepEqual(records, [], "nothing registered by the refused component");
        const violation = refusal.violations.find((v) => v.path === c.path);
        assert.ok(violation, `a violation at ${c.path}; got ${refusal.violations.map((v) => v.path).join(", ")}`);
        assert.ok(violation.message.includes(c.quotes), `the message quotes ${c.quotes}: ${violation.message}`);
      });
    }
  });
}
