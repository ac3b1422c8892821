import { strict as assert } from "assert";
import { isKubernetesObject, manifestViolations } from "../../../components/core/kubefleet/placement/manifests";
import { FieldViolation } from "../../../components/core/k8s/field-errors";

const NAMESPACE = { apiVersion: "v1", kind: "Namespace", metadata: { name: "app" } };
const TO_STRING =
  "Forbidden: a top-level field named toString: the Pulumi SDK reads it as the object's text conversion and cannot register the manifest (no Kubernetes kind has this field)";

describe("manifestViolations: what every manifest of a placement's inventory must have", () => {
  const cases: Array<{ name: string; resources: unknown[]; want: FieldViolation[] }> = [
    { name: "accepts no manifests", resources: [], want: [] },
    {
      name: "accepts manifests of any kind with whatever fields their kind has",
      resources: [
        NAMESPACE,
        {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: "web", namespace: "app", labels: { app: "web" }, annotations: { a: "b" }, uid: "u" },
          spec: { replicas: 2 },
        },
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "app", toString: "x" }, data: { a: "b" } },
      ],
      want: [],
    },
    {
      name: "refuses a manifest that is not an object, at its index",
      resources: [NAMESPACE, "kind: Namespace", null],
      want: [
        { path: "resources[1]", message: 'Invalid value: "kind: Namespace": must be of type object: "string"' },
        { path: "resources[2]", message: 'Invalid value: null: must be of type object: "null"' },
      ],
    },
    {
      name: "refuses a missing apiVersion and kind, saying what they name",
      resources: [{ metadata: { name: "app" } }],
      want: [
        { path: "resources[0].apiVersion", message: 'Required value (a manifest names its API group and version, e.g. "v1" or "apps/v1")' },
        { path: "resources[0].kind", message: 'Required value (a manifest names its kind, e.g. "Namespace" or "Deployment")' },
      ],
    },
    {
      name: "refuses an apiVersion and a kind that are not strings or are empty",
      resources: [
        { apiVersion: 1, kind: ["Namespace"], metadata: { name: "a" } },
        { apiVersion: "", kind: "", metadata: { name: "b" } },
      ],
      want: [
        { path: "resources[0].apiVersion", message: 'Invalid value: 1: must be of type string: "number"' },
        { path: "resources[0].kind", message: 'Invalid value: ["Namespace"]: must be of type string: "array"' },
        {
          path: "resources[1].apiVersion",
          message: 'Invalid value: "": must not be empty (a manifest names its API group and version, e.g. "v1" or "apps/v1")',
        },
        {
          path: "resources[1].kind",
          message: 'Invalid value: "": must not be empty (a manifest names its kind, e.g. "Namespace" or "Deployment")',
        },
      ],
    },
    {
      name: "refuses missing metadata, and metadata that is not an object",
      resources: [
        { apiVersion: "v1", kind: "Namespace" },
        { apiVersion: "v1", kind: "Namespace", metadata: "app" },
      ],
      want: [
        { path: "resources[0].metadata", message: "Required value (a manifest's metadata holds at least its name)" },
        { path: "resources[1].metadata", message: 'Invalid value: "app": must be of type object: "string"' },
      ],
    },
    {
      name: "refuses metadata without a name, a name or namespace that is not a string, and labels that are not strings",
      resources: [
        { apiVersion: "v1", kind: "Namespace", metadata: { labels: { team: "a" } } },
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: 5, namespace: false, labels: { "app.kubernetes.io/name": 1, ok: "y" } } },
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", labels: ["team"] } },
      ],
      want: [
        { path: "resources[0].metadata.name", message: "Required value (every Kubernetes object has a name)" },
        { path: "resources[1].metadata.name", message: 'Invalid value: 5: must be of type string: "number"' },
        { path: "resources[1].metadata.namespace", message: 'Invalid value: false: must be of type string: "boolean"' },
        { path: 'resources[1].metadata.labels["app.kubernetes.io/name"]', message: 'Invalid value: 1: must be of type string: "number"' },
        { path: "resources[2].metadata.labels", message: 'Invalid value: ["team"]: must be of type object: "array"' },
      ],
    },
    {
      name: "refuses a top-level toString field, which the Pulumi SDK cannot register, and no other",
      resources: [{ ...NAMESPACE, toString: [] }],
      want: [{ path: "resources[0].toString", message: TO_STRING }],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepStrictEqual(manifestViolations(c.resources), c.want));
});

describe("isKubernetesObject: a manifest the selectors can read", () => {
  const cases: Array<{ name: string; manifest: unknown; want: boolean }> = [
    { name: "holds for a manifest with apiVersion, kind and a named metadata", manifest: NAMESPACE, want: true },
    { name: "fails for a manifest without a name", manifest: { apiVersion: "v1", kind: "Namespace", metadata: {} }, want: false },
    { name: "fails for a value that is not an object", manifest: 7, want: false },
  ];
  for (const c of cases) it(c.name, () => assert.equal(isKubernetesObject(c.manifest), c.want));
});
