// The Azure login choices, as objects of constants with the type of their values (see
// core/fleet/enums.ts for why: the package schema has them as named enums).

/** The kind of principal a Fleet Manager role is granted to. */
export const PrincipalType = {
  /** An Entra user. */
  User: "User",
  /** A service principal (an application or a managed identity). */
  ServicePrincipal: "ServicePrincipal",
  /** An Entra group. */
  Group: "Group",
} as const;
export type PrincipalType = (typeof PrincipalType)[keyof typeof PrincipalType];

/** How `pulumi` logs in to an Entra-only Kubernetes API server: kubelogin's login modes. */
export const AzureLoginMode = {
  /** The `az login` session. */
  AzureCli: "azurecli",
  /** A service principal, its secret or certificate taken from the environment when `pulumi` runs. */
  ServicePrincipal: "spn",
  /** A managed identity. */
  ManagedIdentity: "msi",
  /** A federated token (the AZURE_* variables of workload identity). */
  WorkloadIdentity: "workloadidentity",
} as const;
export type AzureLoginMode = (typeof AzureLoginMode)[keyof typeof AzureLoginMode];
