import { strict as assert } from "assert";
import { contextArgumentViolations, kubeconfigProblems, kubeconfigViolations } from "../../components/core/fleet/validation/kubeconfig";
import { FieldViolation } from "../../components/core/k8s/field-errors";
import { fakeKubeconfig } from "../../plan/fake-cloud";

// A kubeconfig member's kubeconfig must be a kubeconfig with a usable context (client-go's
// ConfirmUsable rules), and no message ever quotes its text: only context, cluster and user names.

const AMBIENT = "fleetmesh never falls back to the ambient kubeconfig ($KUBECONFIG, ~/.kube/config)";
const HIDDEN = "Invalid value: (kubeconfig text, not shown)";
const SECRET = "s3cr3t-token-value";

/** A kubeconfig with a token user, from parts (YAML lines). */
function kubeconfig(parts: { clusters?: string; contexts?: string; users?: string; current?: string; head?: string }): string {
  return [
    parts.head ?? "apiVersion: v1\nkind: Config",
    parts.clusters ?? "clusters:\n- name: dc\n  cluster:\n    server: https://10.0.0.1:6443",
    parts.contexts ?? "contexts:\n- name: admin\n  context:\n    cluster: dc\n    user: admin",
    parts.users ?? `users:\n- name: admin\n  user:\n    token: ${SECRET}`,
    parts.current === undefined ? "current-context: admin" : parts.current,
  ].join("\n");
}

const at = (field: "kubeconfig" | "context", message: string): FieldViolation => ({ path: `members.dc.${field}`, message });

describe("kubeconfigViolations", () => {
  const accepted: Array<[string, string, string?]> = [
    ["a kubeconfig whose current-context is usable", kubeconfig({})],
    ["a kubeconfig without a current-context, with the context named", kubeconfig({ current: "" }), "admin"],
    [
      "a named context other than the current one",
      kubeconfig({
        contexts: "contexts:\n- name: admin\n  context: {cluster: dc, user: admin}\n- name: ro\n  context: {cluster: dc, user: admin}",
      }),
      "ro",
    ],
    ["the kubeconfig kind hands out", fakeKubeconfig("kind-a")],
    [
      "a kubeconfig in JSON",
      JSON.stringify({
        clusters: [{ name: "c", cluster: { server: "https://x" } }],
        users: [{ name: "u", user: {} }],
        contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
        "current-context": "x",
      }),
    ],
  ];
  for (const [name, text, context] of accepted) {
    it(`accepts ${name}`, () => assert.deepEqual(kubeconfigViolations("dc", text, context), []));
  }

  const refused: Array<[string, unknown, string | undefined, FieldViolation[]]> = [
    [
      "no kubeconfig (null)",
      null,
      undefined,
      [at("kubeconfig", `Required value: a kubeconfig member needs its cluster's kubeconfig, not null; ${AMBIENT}`)],
    ],
    ["an empty kubeconfig", "", undefined, [at("kubeconfig", `Invalid value: "": must be the kubeconfig's YAML text; ${AMBIENT}`)]],
    [
      "a blank kubeconfig",
      "  \n\t",
      undefined,
      [at("kubeconfig", `Invalid value: a blank string: must be the kubeconfig's YAML text; ${AMBIENT}`)],
    ],
    [
      "a kubeconfig that is not text",
      { clusters: [] },
      undefined,
      [at("kubeconfig", "Invalid value: an object: must be the kubeconfig's YAML text")],
    ],
    [
      "a file path instead of the file's contents",
      "~/.kube/config",
      undefined,
      [
        at(
          "kubeconfig",
          `${HIDDEN}: a single YAML string, not a kubeconfig: a file path is not read, pass the file's contents (as a secret)`,
        ),
      ],
    ],
    [
      "text that is not YAML",
      `token: ${SECRET}\nclusters: [a, b`,
      undefined,
      [at("kubeconfig", `${HIDDEN}: not valid YAML (BAD_INDENT at line 2, column 16): must be the kubeconfig's YAML text`)],
    ],
    [
      "a YAML list",
      `- ${SECRET}`,
      undefined,
      [at("kubeconfig", `${HIDDEN}: a YAML list, not a kubeconfig (a mapping of clusters, contexts and users)`)],
    ],
    [
      "another kind of object",
      kubeconfig({ head: "apiVersion: v1\nkind: Secret" }),
      undefined,
      [at("kubeconfig", `${HIDDEN}: its kind is not "Config": not a kubeconfig`)],
    ],
    [
      "clusters that are not a list",
      kubeconfig({ clusters: "clusters: {dc: {server: x}}" }),
      undefined,
      [at("kubeconfig", `${HIDDEN}: its clusters is not a list`)],
    ],
    [
      "a user entry without a name",
      kubeconfig({ users: `users:\n- user:\n    token: ${SECRET}` }),
      undefined,
      [at("kubeconfig", `${HIDDEN}: its users[0] is not a mapping with a name`)],
    ],
    [
      "no contexts at all",
      kubeconfig({ contexts: "contexts: []", current: "" }),
      undefined,
      [at("kubeconfig", `${HIDDEN}: has no contexts: a usable kubeconfig names the context (cluster and user) to use`)],
    ],
    [
      "no current-context and no context named",
      kubeconfig({ current: "" }),
      undefined,
      [at("kubeconfig", `${HIDDEN}: sets no current-context: set the member's context to one of "admin"`)],
    ],
    [
      "a current-context that is not a context",
      kubeconfig({ current: "current-context: gone" }),
      undefined,
      [at("kubeconfig", `${HIDDEN}: its current-context "gone" is not one of its contexts ("admin")`)],
    ],
    [
      "a named context the kubeconfig lacks",
      kubeconfig({}),
      "prod",
      [at("context", `Invalid value: "prod": not a context of the kubeconfig, which has "admin"`)],
    ],
    [
      "a context naming a missing user and a missing cluster",
      kubeconfig({ contexts: "contexts:\n- name: admin\n  context: {cluster: gone, user: nobody}" }),
      undefined,
      [
        at("kubeconfig", `${HIDDEN}: user "nobody" of context "admin" is not in its users`),
        at("kubeconfig", `${HIDDEN}: cluster "gone" of context "admin" is not in its clusters`),
      ],
    ],
    [
      "a context naming no cluster",
      kubeconfig({ contexts: "contexts:\n- name: admin\n  context: {user: admin}" }),
      undefined,
      [at("kubeconfig", `${HIDDEN}: context "admin" names no cluster`)],
    ],
    [
      "a cluster without a server",
      kubeconfig({ clusters: "clusters:\n- name: dc\n  cluster:\n    insecure-skip-tls-verify: true" }),
      undefined,
      [at("kubeconfig", `${HIDDEN}: cluster "dc" of context "admin" has no server`)],
    ],
  ];
  for (const [name, text, context, expected] of refused) {
    it(`refuses ${name}, quoting none of its text`, () => {
      const found = kubeconfigViolations("dc", text, context);
      assert.deepEqual(found, expected);
      assert.ok(!JSON.stringify(found).includes(SECRET), "a message quotes the kubeconfig's credentials");
    });
  }

  it("names a member whose name is not a plain path segment by its quoted key", () => {
    assert.deepEqual(
      kubeconfigViolations("Bad.Name", "").map((v) => v.path),
      ['members["Bad.Name"].kubeconfig'],
    );
  });
});

describe("contextArgumentViolations", () => {
  const cases: Array<[string, unknown, boolean, FieldViolation[]]> = [
    ["accepts a context on a kubeconfig member", "admin", true, []],
    ["accepts no context", undefined, false, []],
    [
      "refuses an empty context",
      "",
      true,
      [at("context", `Invalid value: "": must be the name of a context in the kubeconfig (leave it out to use its current-context)`)],
    ],
    [
      "refuses a context that is not text",
      7,
      true,
      [at("context", "Invalid value: a number: must be the name of a context in the kubeconfig")],
    ],
    [
      "refuses a context on a member that is not a kubeconfig member",
      "kind-a",
      false,
      [
        at(
          "context",
          `Invalid value: "kind-a": only a kubeconfig member takes a context; kind and AKS members use the current context of the kubeconfig their cluster hands out`,
        ),
      ],
    ],
  ];
  for (const [name, context, isKubeconfigMember, expected] of cases) {
    it(name, () => assert.deepEqual(contextArgumentViolations("dc", context, isKubeconfigMember), expected));
  }
});

describe("kubeconfigProblems (a kubeconfig kind or AKS handed out)", () => {
  it("finds none in kind's kubeconfig", () => assert.deepEqual(kubeconfigProblems(fakeKubeconfig("kind-a")), []));
  it("finds an empty one unusable", () =>
    assert.deepEqual(kubeconfigProblems(""), [`Invalid value: "": must be the kubeconfig's YAML text; ${AMBIENT}`]));
});
