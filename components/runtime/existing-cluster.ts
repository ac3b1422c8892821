import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { ClusterCheckSpec, clusterCheckScript, restartApiserverScript } from "../core/fleet/existing-cluster-check";

/**
 * The read-only check of a kubeconfig member (core/fleet/existing-cluster-check.ts), named
 * `<name>-cluster-check`: it runs when the member is added (comparing the Cilium there with the
 * declaration) and again whenever its inputs change (a new kubeconfig, context or fleet Cilium
 * version), never on a run where nothing changed. The kubeconfig reaches `kubectl` on stdin only.
 * Everything written to the cluster depends on it, so a refusal stops the member before any write.
 */
export function checkExistingCluster(
  name: string,
  spec: pulumi.Output<ClusterCheckSpec>,
  kubeconfig: pulumi.Output<string>,
  parent: pulumi.Resource,
): command.local.Command {
  return new command.local.Command(
    `${name}-cluster-check`,
    {
      create: spec.apply((s) => clusterCheckScript(s, true)),
      update: spec.apply((s) => clusterCheckScript(s, false)),
      stdin: pulumi.secret(kubeconfig),
      logging: "stderr",
    },
    { parent },
  );
}

/**
 * After a Cilium fleetmesh took over is re-keyed to the fleet CA, restarts its clustermesh-apiserver,
 * named `<name>-rekey-restart`. The upgrade's post-upgrade certificate job re-issues every certificate
 * from the new CA before the release step ends (Helm waits for hook Jobs: helm/helm
 * pkg/action/hooks.go `execHook`), but the apiserver's etcd reads its trusted CA only when it starts
 * (go.etcd.io/etcd client/pkg/transport listener.go, `TLSInfo.ServerConfig` builds `ClientCAs` once).
 * Runs once per CA (its trigger, which replaces it), after the release.
 */
export function restartAfterRekey(
  name: string,
  member: string,
  context: string | undefined,
  caCertPem: pulumi.Output<string>,
  kubeconfig: pulumi.Output<string>,
  release: pulumi.Resource,
  parent: pulumi.Resource,
): command.local.Command {
  return new command.local.Command(
    `${name}-rekey-restart`,
    {
      create: restartApiserverScript(member, context),
      // A new kubeconfig (a rotated token) changes the inputs but not the CA: nothing to restart.
      update: "true",
      stdin: pulumi.secret(kubeconfig),
      triggers: [caCertPem],
      logging: "stderr",
    },
    { parent, dependsOn: [release] },
  );
}
