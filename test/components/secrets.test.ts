import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { Fleet, FleetArgs } from "../../components";
import { FAKE_CA_KEY, RecordedResource, complete, fakeKubeconfig, recorder, useMocks } from "./harness";

/** Text that must never stand in a registered input unless that input is a Pulumi secret. */
const SECRET_MATERIAL = [FAKE_CA_KEY, Buffer.from(FAKE_CA_KEY).toString("base64"), "FAKE-CLIENT-KEY", "KUBECONFIG-TEXT"];

const FLEETS: Record<string, FleetArgs> = {
  "kind members": { members: { k1: { kind: {} }, k2: { kind: { workers: 2 } } } },
  "an AKS member": {
    azureFleet: { resourceGroupName: "rg", location: "eastus2" },
    members: {
      a1: {
        aks: {
          resourceGroupName: "rg",
          location: "eastus2",
          kubernetesVersion: "1.33",
          virtualNetwork: { name: "v", resourceGroupName: "rg" },
          nodeSubnetCidr: "10.200.0.0/24",
        },
      },
    },
  },
  "a kubeconfig member": { members: { d1: { kubeconfig: pulumi.secret(fakeKubeconfig("d1")) } } },
  "a kubeconfig member given as plain text": { members: { d2: { kubeconfig: fakeKubeconfig("d2") } } },
};

function leaks(records: readonly RecordedResource[]): string[] {
  const found: string[] = [];
  for (const record of records) {
    for (const [key, value] of Object.entries(record.inputs)) {
      if (record.secretInputs.includes(key)) continue;
      const text = JSON.stringify(value) ?? "";
      if (SECRET_MATERIAL.some((secret) => text.includes(JSON.stringify(secret).slice(1, -1))))
        found.push(`${record.type} ${record.name}.${key}`);
    }
  }
  return found;
}

describe("no secret leaks", () => {
  for (const preview of [false, true]) {
    for (const [name, args] of Object.entries(FLEETS)) {
      it(`keeps the CA key and kubeconfigs inside secrets for ${name}${preview ? " (preview)" : ""}`, async () => {
        await useMocks(preview);
        const records: RecordedResource[] = [];
        const fleet = new Fleet("leak", args, { transformations: [recorder(records)] });
        await complete(records);
        assert.deepEqual(leaks(records), []);
        for (const member of Object.values(fleet.members)) assert.equal(await pulumi.isSecret(member.kubeconfig), true, member.memberName);
      });
    }
  }
});
