"""kind-mesh in Python: the kind example (programs/kind-mesh) through fleetmesh's component provider.

    npm ci                          # in the repository root: the provider runs from its sources
    cd examples/kind-mesh-python
    pulumi package add ../../provider   # generates the pulumi_fleetmesh SDK
    pulumi up

The fleet's state must be exported under kindMeshFleetState (the output the Fleet named kind-mesh
reads back on the next run): ids, CIDRs and NodePorts then never move.
"""

import pulumi
import pulumi_kubernetes as k8s
import pulumi_fleetmesh as fleetmesh

DEMO_NAMESPACE = "rebel-base-demo"
config = pulumi.Config()
regions = ["east", "west"]
member_count = config.get_int("members") or 2
members = {
    f"cluster{i + 1}": {"kind": {}, "labels": {"mesh": "demo", "region": regions[i % len(regions)]}}
    for i in range(member_count)
}

fleet = fleetmesh.Fleet(
    "kind-mesh",
    cilium={"version": config.get("ciliumVersion") or "1.18.12"},
    members=members,
    meshes={
        "demo": {
            "member_selector": {"match_labels": {"mesh": "demo"}},
            "default_global_namespace": False,
            "global_namespaces": [DEMO_NAMESPACE],
        }
    },
)


def demo_apps(member: str) -> None:
    """Cilium's Cluster Mesh demo on one member: rebel-base answers with its cluster's name, x-wing calls it."""
    provider = k8s.Provider(member, kubeconfig=fleet.kubeconfigs.apply(lambda configs: configs[member]))
    # The mesh creates the global namespace: wait for the fleet.
    opts = pulumi.ResourceOptions(provider=provider, depends_on=[fleet])
    k8s.core.v1.ConfigMap(
        f"{member}-rebel-base-response",
        metadata={"name": "rebel-base-response", "namespace": DEMO_NAMESPACE},
        data={"message": f'{{"Galaxy": "Alderaan", "Cluster": "{member}"}}\n'},
        opts=opts,
    )
    for app, image in [("rebel-base", "docker.io/nginx:1.27-alpine"), ("x-wing", "quay.io/cilium/json-mock:v1.3.8")]:
        html = [{"name": "html", "mountPath": "/usr/share/nginx/html/"}] if app == "rebel-base" else []
        volumes = (
            [{"name": "html", "configMap": {"name": "rebel-base-response", "items": [{"key": "message", "path": "index.html"}]}}]
            if app == "rebel-base"
            else []
        )
        k8s.apps.v1.Deployment(
            f"{member}-{app}",
            metadata={"name": app, "namespace": DEMO_NAMESPACE},
            spec={
                "replicas": 2,
                "selector": {"matchLabels": {"name": app}},
                "template": {
                    "metadata": {"labels": {"name": app}},
                    "spec": {
                        "containers": [{"name": app, "image": image, "volumeMounts": html}],
                        "volumes": volumes,
                    },
                },
            },
            opts=opts,
        )


for name in members:
    demo_apps(name)

# Services and policies name the fleet by its URN and the mesh by its name.
fleetmesh.GlobalService(
    "rebel-base",
    fleet={"urn": fleet.urn},
    mesh={"mesh_name": "demo"},
    namespace=DEMO_NAMESPACE,
    selector={"name": "rebel-base"},
    ports=[{"name": "http", "port": 80}],
)

fleetmesh.CrossClusterPolicy(
    "x-wing-to-rebel-base",
    fleet={"urn": fleet.urn},
    from_={"member": "cluster1", "namespace": DEMO_NAMESPACE, "labels": {"name": "x-wing"}},
    to={"member": "cluster2", "namespace": DEMO_NAMESPACE, "labels": {"name": "rebel-base"}},
    ports=[{"port": 80, "protocol": "TCP"}],
)

entry = fleetmesh.MultiClusterService(
    "x-wing-entry",
    fleet={"urn": fleet.urn},
    namespace=DEMO_NAMESPACE,
    service_name="x-wing-entry",
    export_from={"match_labels": {"mesh": "demo"}},
    ingress_member="cluster1",
    ports=[{"name": "http", "port": 80}],
    selector={"name": "x-wing"},
)

# Read back on the next run under this name: the state of the Fleet named kind-mesh.
pulumi.export("kindMeshFleetState", fleet.state)
pulumi.export("meshMembers", fleet.mesh_members.apply(lambda meshes: meshes["demo"]))
pulumi.export("entryAddress", entry.address)
