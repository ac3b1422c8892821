// convertKubeconfigLogin against kubeconfigs of the shapes Azure hands out: `az aks get-credentials` /
// listClusterUserCredential of an Entra cluster and `az fleet get-credentials` / fleets listCredentials
// (exec kubelogin in device-code mode, with --environment, --server-id, --client-id, --tenant-id), the
// legacy `auth-provider: azure` of older AKS clusters, and kubeconfigs it must leave alone. Expectations
// follow kubelogin's converter (Azure/kubelogin pkg/internal/converter/convert.go and its convert_test.go).
import { strict as assert } from "assert";
import { parse } from "yaml";
import {
  KubeloginOptions,
  convertKubeconfigLogin,
  hasEntraUser,
  kubeloginOptionProblems,
} from "../../components/core/azure/kubeconfig-login";

const SERVER_ID = "6dae42f8-4368-4678-94ff-3960e28e3630";
const AKS_CLIENT_ID = "80faf920-1908-4b52-b5ef-a8e7bedfc67a";
const TENANT = "3d219147-6204-4fec-92f6-fcf16f76d211";
const HINT =
  "\n\nkubelogin is not installed which is required to connect to AAD enabled cluster.\n\nTo learn more, please go to https://aka.ms/aks/kubelogin\n";

/** An Entra kubeconfig as AKS (clusterUser_<rg>_<cluster>) and the Fleet hub return it: device code. */
function entraKubeconfig(cluster: string, user: string, server: string): string {
  return `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: RkFLRS1DQQ==
    server: ${server}
  name: ${cluster}
contexts:
- context:
    cluster: ${cluster}
    user: ${user}
  name: ${cluster}
current-context: ${cluster}
kind: Config
preferences: {}
users:
- name: ${user}
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      args:
      - get-token
      - --environment
      - AzurePublicCloud
      - --server-id
      - ${SERVER_ID}
      - --client-id
      - ${AKS_CLIENT_ID}
      - --tenant-id
      - ${TENANT}
      - --login
      - devicecode
      command: kubelogin
      env: null
      installHint: ${JSON.stringify(HINT)}
      interactiveMode: IfAvailable
      provideClusterInfo: false
`;
}

const AKS = entraKubeconfig("east-1", "clusterUser_fleetmesh-demo_east-1", "https://east-1-dns-0f3a.hcp.eastus2.azmk8s.io:443");
const HUB = entraKubeconfig(
  "hub",
  "clusterUser_fleetmesh-demo_aks-fleet",
  "https://aks-fleet-fleetmesh-demo-5f3a9d.hcp.eastus2.azmk8s.io:443",
);

/** An AKS kubeconfig of the azure auth provider (before Kubernetes 1.24): converted as kubelogin does. */
const LEGACY = `apiVersion: v1
kind: Config
clusters:
- name: old
  cluster: { server: "https://old.hcp.westus3.azmk8s.io:443" }
contexts:
- name: old
  context: { cluster: old, user: clusterUser_rg_old }
current-context: old
users:
- name: clusterUser_rg_old
  user:
    auth-provider:
      name: azure
      config:
        apiserver-id: ${SERVER_ID}
        client-id: ${AKS_CLIENT_ID}
        config-mode: "1"
        environment: AzurePublicCloud
        tenant-id: ${TENANT}
`;

/** A local-account kubeconfig (client certificate): nothing to convert. */
const CERTIFICATE = `apiVersion: v1
kind: Config
clusters:
- name: local
  cluster: { server: "https://local:443" }
contexts:
- name: local
  context: { cluster: local, user: clusterAdmin_rg_local }
current-context: local
users:
- name: clusterAdmin_rg_local
  user:
    client-certificate-data: Q0VSVA==
    client-key-data: S0VZ
`;

const execOf = (kubeconfig: string, user: string) =>
  (parse(kubeconfig).users as Array<{ name: string; user: Record<string, unknown> }>).find((u) => u.name === user)!.user;

/** What kubelogin writes: get-token, the login, the server id, then the mode's own flags. */
function expectedExec(mode: string, modeArgs: string[], installHint = HINT) {
  return {
    exec: {
      apiVersion: "client.authentication.k8s.io/v1beta1",
      command: "kubelogin",
      args: ["get-token", "--login", mode, "--server-id", SERVER_ID, ...modeArgs],
      installHint,
      interactiveMode: "Never",
      provideClusterInfo: false,
    },
  };
}

describe("convertKubeconfigLogin: kubelogin's convert-kubeconfig on the kubeconfigs Azure returns", () => {
  const cases: Array<{ name: string; kubeconfig: string; user: string; options: KubeloginOptions; want: unknown }> = [
    {
      name: "the Fleet hub's device-code kubeconfig becomes an azurecli login, its tenant dropped",
      kubeconfig: HUB,
      user: "clusterUser_fleetmesh-demo_aks-fleet",
      options: { mode: "azurecli" },
      want: expectedExec("azurecli", []),
    },
    {
      name: "azurecli with a tenant and a subscription passes both",
      kubeconfig: AKS,
      user: "clusterUser_fleetmesh-demo_east-1",
      options: { mode: "azurecli", tenantId: "t-2", subscription: "sub-2" },
      want: expectedExec("azurecli", ["--tenant-id", "t-2", "--subscription", "sub-2"]),
    },
    {
      name: "spn takes the given client id, keeps the kubeconfig's tenant and environment, and writes no secret",
      kubeconfig: AKS,
      user: "clusterUser_fleetmesh-demo_east-1",
      options: { mode: "spn", clientId: "sp-app" },
      want: expectedExec("spn", ["--client-id", "sp-app", "--tenant-id", TENANT, "--environment", "AzurePublicCloud"]),
    },
    {
      name: "msi with a client id",
      kubeconfig: HUB,
      user: "clusterUser_fleetmesh-demo_aks-fleet",
      options: { mode: "msi", clientId: "mi-client" },
      want: expectedExec("msi", ["--client-id", "mi-client"]),
    },
    {
      name: "msi with a user-assigned identity's resource id",
      kubeconfig: HUB,
      user: "clusterUser_fleetmesh-demo_aks-fleet",
      options: {
        mode: "msi",
        identityResourceId: "/subscriptions/s/resourceGroups/r/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ci",
      },
      want: expectedExec("msi", [
        "--identity-resource-id",
        "/subscriptions/s/resourceGroups/r/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ci",
      ]),
    },
    {
      name: "msi alone uses the machine's identity",
      kubeconfig: HUB,
      user: "clusterUser_fleetmesh-demo_aks-fleet",
      options: { mode: "msi" },
      want: expectedExec("msi", []),
    },
    {
      name: "workloadidentity passes what is given, in kubelogin's order",
      kubeconfig: AKS,
      user: "clusterUser_fleetmesh-demo_east-1",
      options: {
        mode: "workloadidentity",
        clientId: "wi",
        tenantId: "t",
        authorityHost: "https://login.microsoftonline.com/",
        federatedTokenFile: "/var/run/token",
      },
      want: expectedExec("workloadidentity", [
        "--client-id",
        "wi",
        "--tenant-id",
        "t",
        "--authority-host",
        "https://login.microsoftonline.com/",
        "--federated-token-file",
        "/var/run/token",
      ]),
    },
    {
      name: "the legacy azure auth provider is replaced by the exec plugin",
      kubeconfig: LEGACY,
      user: "clusterUser_rg_old",
      options: { mode: "azurecli" },
      want: {
        exec: {
          ...expectedExec("azurecli", []).exec,
          installHint:
            "\nkubelogin is not installed which is required to connect to AAD enabled cluster.\n\nTo learn more, please go to https://azure.github.io/kubelogin/\n",
        },
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const result = convertKubeconfigLogin(c.kubeconfig, c.options);
      assert.deepEqual([result.converted, result.problems, execOf(result.kubeconfig, c.user)], [[c.user], [], c.want]);
    });
  }

  it("keeps everything but the converted user's login: clusters, contexts, current context", () => {
    const converted = parse(convertKubeconfigLogin(HUB, { mode: "azurecli" }).kubeconfig);
    const original = parse(HUB);
    assert.deepEqual(
      [converted.clusters, converted.contexts, converted["current-context"], converted.users[0].name],
      [original.clusters, original.contexts, original["current-context"], original.users[0].name],
    );
  });

  const untouched: Array<[string, string]> = [
    ["a client-certificate kubeconfig (local accounts enabled)", CERTIFICATE],
    [
      "an exec plugin that is not kubelogin",
      CERTIFICATE.replace(
        /client-certificate-data: .*\n.*client-key-data: .*\n/,
        "exec: { apiVersion: client.authentication.k8s.io/v1beta1, command: aws-iam-authenticator, args: [token] }\n",
      ),
    ],
    ["text that is not YAML", "{ not: yaml: at all"],
  ];
  for (const [name, kubeconfig] of untouched) {
    it(`leaves ${name} exactly as it is`, () => {
      assert.deepEqual(convertKubeconfigLogin(kubeconfig, { mode: "azurecli" }), { kubeconfig, converted: [], problems: [] });
    });
  }

  it("converts only the Entra user of a kubeconfig that also has a certificate user", () => {
    const mixed = HUB.replace(
      "users:\n",
      "users:\n- name: clusterAdmin_rg_hub\n  user:\n    client-certificate-data: Q0VSVA==\n    client-key-data: S0VZ\n",
    );
    const result = convertKubeconfigLogin(mixed, { mode: "azurecli" });
    assert.deepEqual(
      [result.converted, execOf(result.kubeconfig, "clusterAdmin_rg_hub")],
      [["clusterUser_fleetmesh-demo_aks-fleet"], { "client-certificate-data": "Q0VSVA==", "client-key-data": "S0VZ" }],
    );
  });

  it("reports a kubelogin user without --server-id by name, and never quotes the kubeconfig", () => {
    const broken = HUB.replace(`      - --server-id\n      - ${SERVER_ID}\n`, "");
    const result = convertKubeconfigLogin(broken, { mode: "azurecli" });
    assert.deepEqual(
      [result.kubeconfig, result.converted, result.problems],
      [broken, [], ['user "clusterUser_fleetmesh-demo_aks-fleet" cannot be converted to the azurecli login: --server-id is required']],
    );
  });

  it("tells Entra kubeconfigs from others", () => {
    assert.deepEqual([AKS, HUB, LEGACY, CERTIFICATE, "nope: ["].map(hasEntraUser), [true, true, true, false, false]);
  });
});

describe("kubeloginOptionProblems: the login options a mode uses", () => {
  const cases: Array<[string, Partial<KubeloginOptions>, ReturnType<typeof kubeloginOptionProblems>]> = [
    ["azurecli with nothing else is fine", {}, []],
    [
      "spn without the service principal's client id",
      { mode: "spn" },
      [{ field: "clientId", message: "is required by the spn login: the service principal's application (client) id" }],
    ],
    [
      "an option the mode does not use",
      { mode: "azurecli", clientId: "x" },
      [
        {
          field: "clientId",
          message: "is not used by the azurecli login (kubelogin convert-kubeconfig -l azurecli takes tenantId, subscription)",
        },
      ],
    ],
    [
      "msi given both ways",
      { mode: "msi", clientId: "a", identityResourceId: "b" },
      [
        {
          field: "identityResourceId",
          message: "set clientId or identityResourceId, not both (kubelogin uses clientId and ignores the other)",
        },
      ],
    ],
    [
      "an interactive login",
      { mode: "devicecode" as never },
      [
        {
          field: "mode",
          message: '"devicecode" is not a non-interactive kubelogin login: use one of azurecli, spn, msi, workloadidentity',
        },
      ],
    ],
  ];
  for (const [name, options, want] of cases) it(name, () => assert.deepEqual(kubeloginOptionProblems(options), want));
});
