import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as command from "@pulumi/command";
import * as authorization from "@pulumi/azure-native/authorization";
import * as containerservice from "@pulumi/azure-native/containerservice";
import { KubeloginOptions, convertKubeconfigLogin } from "../core/azure/kubeconfig-login";
import {
  FLEET_RBAC_CLUSTER_ADMIN_ROLE_ID,
  HUB_KUBECONFIG_ENV,
  HUB_WAIT_ATTEMPTS_ENV,
  hubAccessWaitScript,
  hubWaitAttempts,
} from "../core/azure/hub-access";
import { AzureLoginMode, PrincipalType } from "../core/azure/enums";

/** Reaching the Fleet hub: the role `pulumi`'s identity needs there, and the wait for it. */
export interface AzureHubAccessArgs {
  /**
   * Grant the identity `pulumi` runs as (the azure-native provider's client) the built-in "Azure
   * Kubernetes Fleet Manager RBAC Cluster Admin" role on the fleet, which a hub-mode Placement's
   * ClusterResourcePlacement needs, and wait (with `kubectl auth can-i`, through the hub provider's
   * kubeconfig) until the hub honours it before anything is written to the hub.
   * @default false: the identity must already hold a Fleet Manager RBAC role on the fleet that can write ClusterResourcePlacements
   */
  readonly grantClusterAdmin?: boolean;
  /**
   * The kind of principal that identity is (a new service principal is found sooner when it is said).
   * @default left to Azure to find out
   */
  readonly principalType?: PrincipalType;
  /**
   * How long to wait for the role to take effect on the hub, in seconds (checked every 10 seconds).
   * @default 600
   */
  readonly waitSeconds?: number;
}

/** How `pulumi` logs in to Entra-only clusters (the Fleet hub, AKS members without local accounts), as kubelogin login modes. */
export interface AzureLoginArgs {
  /**
   * `azurecli`: the `az login` session; `spn`: a service principal (its secret or certificate from
   * AAD_SERVICE_PRINCIPAL_CLIENT_SECRET / AZURE_CLIENT_SECRET / AZURE_CLIENT_CERTIFICATE_PATH when
   * `pulumi` runs); `msi`: a managed identity; `workloadidentity`: a federated token (AZURE_* variables).
   * @default "azurecli"
   */
  readonly mode?: AzureLoginMode;
  /**
   * spn (required), msi, workloadidentity: the identity's application (client) id.
   * @default none
   */
  readonly clientId?: string;
  /**
   * azurecli, spn, workloadidentity: the Entra tenant.
   * @default the tenant of the login (spn: the kubeconfig's)
   */
  readonly tenantId?: string;
  /**
   * azurecli: the subscription `az` takes the token for.
   * @default az's current subscription
   */
  readonly subscription?: string;
  /**
   * msi: the user-assigned identity's resource id (when no clientId).
   * @default the machine's default identity
   */
  readonly identityResourceId?: string;
  /**
   * workloadidentity: the Entra authority host.
   * @default AZURE_AUTHORITY_HOST
   */
  readonly authorityHost?: string;
  /**
   * workloadidentity: the file holding the federated token.
   * @default AZURE_FEDERATED_TOKEN_FILE
   */
  readonly federatedTokenFile?: string;
}

export function kubeloginOptions(login: AzureLoginArgs | undefined): KubeloginOptions {
  return { ...login, mode: login?.mode ?? "azurecli" };
}

/**
 * A kubeconfig Azure returned (base64), with its Entra users converted to `login`: a device-code
 * login would wait for a person at a non-interactive `pulumi up`. Secret.
 */
export function entraKubeconfig(
  what: string,
  kubeconfigs: pulumi.Output<{ value: string }[] | undefined>,
  login: KubeloginOptions,
): pulumi.Output<string> {
  return pulumi.secret(
    kubeconfigs.apply((configs) => {
      const first = configs?.[0]?.value;
      if (!first) throw new Error(`${what}: Azure returned no kubeconfig`);
      const conversion = convertKubeconfigLogin(Buffer.from(first, "base64").toString("utf8"), login);
      if (conversion.problems.length > 0) throw new Error(`${what}: ${conversion.problems.join("; ")}`);
      return conversion.kubeconfig;
    }),
  );
}

export interface HubAccess {
  provider: k8s.Provider;
  kubeconfig: pulumi.Output<string>;
  roleAssignment?: authorization.RoleAssignment;
  ready?: command.local.Command;
}

/**
 * The Kubernetes provider of the fleet's hub: the hub's kubeconfig from `listCredentials`, its Entra user
 * switched to a non-interactive login; with `grantClusterAdmin`, after the role is granted and honoured.
 */
export function hubAccess(
  name: string,
  fleet: containerservice.Fleet,
  resourceGroupName: pulumi.Input<string>,
  login: KubeloginOptions,
  access: AzureHubAccessArgs | undefined,
  parent: pulumi.Resource,
): HubAccess {
  const credentials = containerservice.listFleetCredentialsOutput({ resourceGroupName, fleetName: fleet.name }, { parent });
  const kubeconfig = entraKubeconfig(`the hub of fleet "${name}"`, credentials.kubeconfigs, login);
  const granted = access?.grantClusterAdmin ? grantHubRole(name, fleet, kubeconfig, access, parent) : undefined;
  const provider = new k8s.Provider(`${name}-hub`, { kubeconfig }, { parent, ...(granted ? { dependsOn: [granted.ready] } : {}) });
  return { provider, kubeconfig, ...granted };
}

function grantHubRole(
  name: string,
  fleet: containerservice.Fleet,
  kubeconfig: pulumi.Output<string>,
  access: AzureHubAccessArgs,
  parent: pulumi.Resource,
): { roleAssignment: authorization.RoleAssignment; ready: command.local.Command } {
  const client = authorization.getClientConfigOutput({ parent });
  const roleAssignment = new authorization.RoleAssignment(
    `${name}-hub-access`,
    {
      scope: fleet.id,
      principalId: client.objectId,
      ...(access.principalType ? { principalType: access.principalType } : {}),
      roleDefinitionId: pulumi.interpolate`/subscriptions/${client.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${FLEET_RBAC_CLUSTER_ADMIN_ROLE_ID}`,
    },
    { parent },
  );
  const ready = new command.local.Command(
    `${name}-hub-access-ready`,
    {
      create: hubAccessWaitScript(),
      environment: { [HUB_KUBECONFIG_ENV]: kubeconfig, [HUB_WAIT_ATTEMPTS_ENV]: String(hubWaitAttempts(access.waitSeconds ?? 600)) },
      // A new assignment (a new principal) is waited for again.
      triggers: [roleAssignment.id],
    },
    { parent, dependsOn: [roleAssignment] },
  );
  return { roleAssignment, ready };
}
