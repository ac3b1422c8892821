// Rewrites the Entra ID (Azure AD) users of a kubeconfig to a non-interactive kubelogin login, the way
// `kubelogin convert-kubeconfig -l <mode>` does (Azure/kubelogin pkg/internal/converter/convert.go,
// Convert; docs/book/src/cli/convert-kubeconfig.md and docs/book/src/concepts/login-modes/*.md):
// - a user is converted when its exec plugin's command contains "kubelogin", or when it uses the legacy
//   `auth-provider: azure`; every other user (client certificates, tokens) is left as it is;
// - the new exec is `kubelogin get-token --login <mode> --server-id <id> [--cache-dir <dir>]` followed by
//   the mode's own arguments; `--server-id` (the AKS AAD server application, the same in every cloud:
//   docs/book/src/concepts/aks.md) is taken from the old exec arguments or auth-provider config, and a
//   user without one cannot be converted (kubelogin: "--server-id is required");
// - azurecli: the token comes from the `az login` session; the old tenant is dropped (it must come from
//   `tenantId` when wanted: Azure/kubelogin#123) and `--subscription` is passed when given;
// - spn: `--client-id` and `--tenant-id` (given, else the old ones), `--environment` and `--legacy` kept;
//   the secret or certificate is never written here: kubelogin reads it at get-token time from
//   AAD_SERVICE_PRINCIPAL_CLIENT_SECRET / AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH
//   (docs/book/src/concepts/login-modes/sp.md);
// - msi: `--client-id`, else `--identity-resource-id`, when given (the default identity otherwise);
// - workloadidentity: `--client-id`, `--tenant-id`, `--authority-host`, `--federated-token-file` when
//   given (AZURE_* environment variables otherwise: login-modes/workloadidentity.md).
// One deliberate difference: the exec's `interactiveMode` is set to "Never", so client-go never hands the
// plugin a terminal (k8s.io/client-go/tools/clientcmd/api/v1 ExecConfig.InteractiveMode): a login that
// would need one fails instead of waiting for a device code nobody enters.
//
// The Azure Fleet CLI converts its hub kubeconfig the same way (`kubelogin convert-kubeconfig -l azurecli`
// after `az fleet get-credentials`: Azure/azure-cli-extensions src/fleet HISTORY.rst 1.8.3,
// azext_fleet/custom.py _convert_kubeconfig_to_azurecli): the kubeconfig `listCredentials` returns is in
// device-code mode. A kubeconfig carries credentials: problems name users, never values.

import { parse, stringify } from "yaml";
import { Mapping, isMapping, ownValue } from "../fleet/own";

/** The login modes fleetmesh offers: the non-interactive ones of kubelogin. */
export const KUBELOGIN_MODES = ["azurecli", "spn", "msi", "workloadidentity"] as const;
export type KubeloginMode = (typeof KUBELOGIN_MODES)[number];

/** How kubelogin logs in, as `kubelogin convert-kubeconfig` flags. */
export interface KubeloginOptions {
  mode: KubeloginMode;
  /** spn, msi, workloadidentity: the application (client) id of the identity. */
  clientId?: string;
  /** azurecli, spn, workloadidentity: the Entra tenant. */
  tenantId?: string;
  /** azurecli: the subscription `az` takes the token for. */
  subscription?: string;
  /** msi: the user-assigned identity's resource id (when no clientId). */
  identityResourceId?: string;
  /** workloadidentity: the Entra authority. */
  authorityHost?: string;
  /** workloadidentity: the file holding the federated token. */
  federatedTokenFile?: string;
}

export interface KubeconfigConversion {
  /** The kubeconfig with its Entra users converted (the input itself when nothing needed it). */
  kubeconfig: string;
  /** The names of the users converted, in kubeconfig order. */
  converted: string[];
  /** Why a user could not be converted (names only, never values). */
  problems: string[];
}

const EXEC_API_VERSION = "client.authentication.k8s.io/v1beta1";
const KUBELOGIN = "kubelogin";
const INSTALL_HINT =
  "\nkubelogin is not installed which is required to connect to AAD enabled cluster.\n\nTo learn more, please go to https://azure.github.io/kubelogin/\n";

/** The value after `flag` in the exec arguments (kubelogin getExecArg). */
function execArg(args: readonly unknown[], flag: string): string | undefined {
  const at = args.indexOf(flag);
  const value = at >= 0 ? args[at + 1] : undefined;
  return typeof value === "string" ? value : undefined;
}

/** What a user's old login says: from its exec arguments, or from a legacy `auth-provider: azure` config. */
interface OldLogin {
  serverId?: string;
  clientId?: string;
  tenantId?: string;
  environment?: string;
  cacheDir?: string;
  legacy: boolean;
  installHint?: string;
}

function oldLoginOf(user: Mapping): OldLogin | undefined {
  const exec = ownValue(user, "exec");
  if (isMapping(exec)) {
    const command = ownValue(exec, "command");
    if (typeof command !== "string" || !command.toLowerCase().includes(KUBELOGIN)) return undefined;
    const rawArgs = ownValue(exec, "args");
    const args = Array.isArray(rawArgs) ? rawArgs : [];
    const hint = ownValue(exec, "installHint");
    return {
      serverId: execArg(args, "--server-id"),
      clientId: execArg(args, "--client-id"),
      tenantId: execArg(args, "--tenant-id"),
      environment: execArg(args, "--environment"),
      cacheDir: execArg(args, "--cache-dir") ?? execArg(args, "--token-cache-dir"),
      legacy: args.includes("--legacy"),
      installHint: typeof hint === "string" && hint !== "" ? hint : undefined,
    };
  }
  const provider = ownValue(user, "auth-provider");
  if (!isMapping(provider) || ownValue(provider, "name") !== "azure") return undefined;
  const config = ownValue(provider, "config");
  const value = (key: string) => {
    const v = isMapping(config) ? ownValue(config, key) : undefined;
    return typeof v === "string" ? v : undefined;
  };
  const mode = value("config-mode");
  return {
    serverId: value("apiserver-id"),
    clientId: value("client-id"),
    tenantId: value("tenant-id"),
    environment: value("environment"),
    legacy: mode === undefined || mode === "" || mode === "0",
  };
}

const pair = (flag: string, value: string | undefined): string[] => (value === undefined ? [] : [flag, value]);

/** The arguments a login mode adds after `--server-id` (convert.go, the switch on the login method). */
function modeArgs(options: KubeloginOptions, old: OldLogin): { args: string[]; problem?: string } {
  switch (options.mode) {
    case "azurecli":
      return { args: [...pair("--tenant-id", options.tenantId), ...pair("--subscription", options.subscription)] };
    case "spn": {
      const clientId = options.clientId ?? old.clientId;
      const tenantId = options.tenantId ?? old.tenantId;
      if (clientId === undefined) return { args: [], problem: "--client-id is required" };
      if (tenantId === undefined) return { args: [], problem: "--tenant-id is required" };
      return {
        args: [
          "--client-id",
          clientId,
          "--tenant-id",
          tenantId,
          ...pair("--environment", old.environment),
          ...(old.legacy ? ["--legacy"] : []),
        ],
      };
    }
    case "msi":
      return {
        args:
          options.clientId !== undefined ? ["--client-id", options.clientId] : pair("--identity-resource-id", options.identityResourceId),
      };
    case "workloadidentity":
      return {
        args: [
          ...pair("--client-id", options.clientId),
          ...pair("--tenant-id", options.tenantId),
          ...pair("--authority-host", options.authorityHost),
          ...pair("--federated-token-file", options.federatedTokenFile),
        ],
      };
  }
}

/** The exec a user gets, or why it cannot get one. */
function convertedExec(options: KubeloginOptions, old: OldLogin): { exec?: Mapping; problem?: string } {
  if (old.serverId === undefined) return { problem: "--server-id is required" };
  const { args, problem } = modeArgs(options, old);
  if (problem !== undefined) return { problem };
  return {
    exec: {
      apiVersion: EXEC_API_VERSION,
      command: KUBELOGIN,
      args: ["get-token", "--login", options.mode, "--server-id", old.serverId, ...pair("--cache-dir", old.cacheDir), ...args],
      installHint: old.installHint ?? INSTALL_HINT,
      interactiveMode: "Never",
      provideClusterInfo: false,
    },
  };
}

/** Whether the kubeconfig has a user that logs in through Entra ID (kubelogin or the legacy azure auth provider). */
export function hasEntraUser(kubeconfig: string): boolean {
  return namedUsers(parseQuietly(kubeconfig)).some(({ user }) => oldLoginOf(user) !== undefined);
}

function parseQuietly(text: string): unknown {
  try {
    return parse(text);
  } catch {
    return undefined;
  }
}

function namedUsers(config: unknown): Array<{ name: string; user: Mapping }> {
  const users = isMapping(config) ? ownValue(config, "users") : undefined;
  if (!Array.isArray(users)) return [];
  return users.flatMap((entry) => {
    if (!isMapping(entry)) return [];
    const user = ownValue(entry, "user");
    const name = ownValue(entry, "name");
    return isMapping(user) ? [{ name: typeof name === "string" ? name : "", user }] : [];
  });
}

/**
 * Converts every Entra user of `kubeconfig` to `options`' login. Text that is not a kubeconfig, or one
 * with no Entra user, comes back unchanged.
 */
export function convertKubeconfigLogin(kubeconfig: string, options: KubeloginOptions): KubeconfigConversion {
  const config = parseQuietly(kubeconfig);
  const converted: string[] = [];
  const problems: string[] = [];
  for (const { name, user } of namedUsers(config)) {
    const old = oldLoginOf(user);
    if (old === undefined) continue;
    const { exec, problem } = convertedExec(options, old);
    if (problem !== undefined) {
      problems.push(`user ${JSON.stringify(name)} cannot be converted to the ${options.mode} login: ${problem}`);
      continue;
    }
    user.exec = exec;
    delete user["auth-provider"];
    converted.push(name);
  }
  if (converted.length === 0) return { kubeconfig, converted, problems };
  return { kubeconfig: stringify(config), converted, problems };
}

/** What the login options break, as messages about their fields (for argument validation). */
export function kubeloginOptionProblems(options: Partial<KubeloginOptions>): Array<{ field: keyof KubeloginOptions; message: string }> {
  const mode = options.mode ?? "azurecli";
  const problems: Array<{ field: keyof KubeloginOptions; message: string }> = [];
  if (!(KUBELOGIN_MODES as readonly string[]).includes(mode)) {
    return [
      {
        field: "mode",
        message: `${JSON.stringify(mode)} is not a non-interactive kubelogin login: use one of ${KUBELOGIN_MODES.join(", ")}`,
      },
    ];
  }
  const allowed: Record<KubeloginMode, Array<keyof KubeloginOptions>> = {
    azurecli: ["tenantId", "subscription"],
    spn: ["clientId", "tenantId"],
    msi: ["clientId", "identityResourceId"],
    workloadidentity: ["clientId", "tenantId", "authorityHost", "federatedTokenFile"],
  };
  const fields: Array<keyof KubeloginOptions> = [
    "clientId",
    "tenantId",
    "subscription",
    "identityResourceId",
    "authorityHost",
    "federatedTokenFile",
  ];
  for (const field of fields) {
    if (options[field] !== undefined && !allowed[mode as KubeloginMode].includes(field)) {
      problems.push({
        field,
        message: `is not used by the ${mode} login (kubelogin convert-kubeconfig -l ${mode} takes ${allowed[mode as KubeloginMode].join(", ")})`,
      });
    }
  }
  if (mode === "spn" && options.clientId === undefined) {
    // The device-code kubeconfig's client id is the AKS public client, never a service principal.
    problems.push({ field: "clientId", message: "is required by the spn login: the service principal's application (client) id" });
  }
  if (mode === "msi" && options.clientId !== undefined && options.identityResourceId !== undefined) {
    problems.push({
      field: "identityResourceId",
      message: "set clientId or identityResourceId, not both (kubelogin uses clientId and ignores the other)",
    });
  }
  return problems;
}
