import * as pulumi from "@pulumi/pulumi";
import { ClusterMesh } from "./cluster-mesh";
import { Fleet } from "./fleet";
import { FleetValidationError } from "./errors";
import { ownValue } from "./core/fleet/own";

/**
 * The fleet a service, policy or placement works on. A TypeScript program passes the Fleet itself; a
 * program in another language passes `{ urn: fleet.urn }` and the fleetmesh provider hands the
 * component the Fleet it constructed under that URN in the same deployment.
 * @instanceOf Fleet
 */
export interface FleetRef {
  /** The Fleet's URN (`fleet.urn`). */
  readonly urn: pulumi.Input<string>;
}

/**
 * A mesh of the fleet: a ClusterMesh in TypeScript (`fleet.meshes.<name>`), or `{ meshName }`.
 * @instanceOf ClusterMesh
 */
export interface MeshRef {
  /** The mesh's name in its fleet (a key of `FleetArgs.meshes`, or a ClusterMesh's `meshName`). */
  readonly meshName: string;
}

/**
 * The Fleet behind a reference, refused (before the component registers anything) when it is a
 * reference by URN: only the fleetmesh provider, serving programs in other languages, resolves one.
 */
export function requireFleet(component: string, ref: FleetRef, path = "fleet"): Fleet {
  if (ref instanceof Fleet) return ref;
  const urn = (ref as { urn?: unknown }).urn;
  const given = typeof urn === "string" ? `{ urn: ${JSON.stringify(urn)} }` : "{ urn }";
  throw new FleetValidationError(component, [
    {
      path,
      message: `${given} is a reference by URN, which only the fleetmesh provider resolves (for programs in other languages): a TypeScript program passes the Fleet itself`,
    },
  ]);
}

/** The fleet's ClusterMesh a reference names, refused when the fleet has no such mesh or it is another fleet's. */
export function requireMesh(component: string, fleet: Fleet, ref: MeshRef, path = "mesh"): ClusterMesh {
  const mesh = ownValue(fleet.meshes, ref.meshName);
  if (mesh !== undefined && (!(ref instanceof ClusterMesh) || ref === mesh)) return mesh;
  const known = Object.keys(fleet.meshes);
  const message =
    mesh !== undefined
      ? `is a ClusterMesh of another fleet: pass a mesh of this fleet (fleet.meshes.${ref.meshName})`
      : `mesh "${ref.meshName}" is not a mesh of the fleet (its meshes: ${known.length > 0 ? known.map((m) => `"${m}"`).join(", ") : "none"})`;
  throw new FleetValidationError(component, [{ path, message }]);
}
