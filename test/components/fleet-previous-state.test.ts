// A fleet state handed in as `state.previous` is one this version reads: its format version and its
// Azure Fleet membership mode are checked (the package schema types them as a number and a string),
// synchronously when given plainly and once it arrives when given as an Output.
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { Fleet, FleetArgs, FleetValidationError } from "../../components";
import { RecordedResource, recorder, useMocks } from "../components/harness";

const HELD = { clusterId: 1, podCidr: "10.0.0.0/17", serviceCidr: "10.128.0.0/20", nodePort: 30000 };
const args = (previous: unknown): FleetArgs => ({ members: { a: { kind: {} } }, state: { previous: previous as never } });

const CASES: Array<{ name: string; previous: unknown; want: Array<{ path: string; message: string }> }> = [
  {
    name: "a state of another format version",
    previous: { version: 2, members: { a: HELD } },
    want: [
      {
        path: "state.previous.version",
        message: "Unsupported value: 2: supported values: 1 (the one format of a fleet's state this version reads)",
      },
    ],
  },
  {
    name: "a state with an Azure Fleet membership mode this version does not know",
    previous: { version: 1, members: { a: HELD }, azureFleetMembership: "arm" },
    want: [
      {
        path: "state.previous.azureFleetMembership",
        message:
          'Unsupported value: "arm": supported values: "az-fleet-member" (absent in a state written before AKS members joined by `az fleet member`)',
      },
    ],
  },
];

describe("a previous fleet state given as state.previous", function () {
  this.timeout(60000);

  for (const c of CASES) {
    it(`refuses ${c.name} given plainly, before anything is registered`, async () => {
      await useMocks(true);
      const records: RecordedResource[] = [];
      assert.throws(
        () => new Fleet("f", args(c.previous), { transformations: [recorder(records)] }),
        (error: unknown) => error instanceof FleetValidationError && assert.deepEqual(error.violations, c.want) === undefined,
      );
      assert.deepEqual(records, []);
    });

    it(`refuses ${c.name} given as an Output, once it arrives, before any member is built`, async () => {
      await useMocks(true);
      const records: RecordedResource[] = [];
      const fleet = new Fleet("f", args(pulumi.output(c.previous)), { transformations: [recorder(records)] });
      const refusal = await fleet.ready.then(
        () => undefined,
        (error: unknown) => error,
      );
      assert.ok(refusal instanceof FleetValidationError);
      assert.deepEqual(refusal.violations, c.want);
      assert.deepEqual(
        records.filter((r) => r.type === "command:local:Command" || r.type === "kubernetes:helm.sh/v3:Release").map((r) => r.name),
        [],
      );
    });
  }

  it("accepts the state this version writes, given plainly", async () => {
    await useMocks(true);
    const fleet = new Fleet("f", args({ version: 1, members: { a: HELD }, azureFleetMembership: "az-fleet-member" }));
    await fleet.ready;
  });
});
