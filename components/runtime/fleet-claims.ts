import * as pulumi from "@pulumi/pulumi";

/** A member's pinned ingress address and the objects that hand it out. */
export interface IngressAddress {
  address: pulumi.Output<string>;
  resources: pulumi.Resource[];
}

/**
 * What spans a fleet's components, held by the fleet: one owner per Kubernetes object that several
 * components want. The first component to claim an object creates it as its own child; later ones
 * depend on that resource instead of registering a second one (the engine, and the offline plan,
 * refuse two resources that manage one object).
 */
export class FleetClaims {
  private readonly namespaces = new Map<string, { owner: string; resource: pulumi.Resource }>();
  private readonly serviceOwners = new Map<string, string>();
  private readonly ingress = new Map<string, IngressAddress>();
  private readonly ports = new Map<string, Map<string, string>>();

  /**
   * `namespace` on `member`: the resource that creates it when a component already claimed it;
   * otherwise the one `create` registers (owned by `owner` from now on), or undefined when the
   * caller does not create it.
   */
  public namespace(member: string, namespace: string, owner: string, create?: () => pulumi.Resource): pulumi.Resource | undefined {
    const key = `${member}/${namespace}`;
    const claimed = this.namespaces.get(key);
    if (claimed) return claimed.resource;
    if (!create) return undefined;
    const resource = create();
    this.namespaces.set(key, { owner, resource });
    return resource;
  }

  /** Who owns `namespace` on `member`, if a component created it. */
  public namespaceOwner(member: string, namespace: string): string | undefined {
    return this.namespaces.get(`${member}/${namespace}`)?.owner;
  }

  /** The component serving `key` (`namespace/name`), if one claimed it. */
  public serviceOwner(key: string): string | undefined {
    return this.serviceOwners.get(key);
  }

  /** Records `owner` as the one component serving `key`. */
  public claimService(key: string, owner: string): void {
    if (!this.serviceOwners.has(key)) this.serviceOwners.set(key, owner);
  }

  /** The ports (`port/protocol` → owner) taken on `member`'s pinned ingress address. */
  public pinnedPorts(member: string): Map<string, string> {
    const taken = this.ports.get(member) ?? new Map<string, string>();
    this.ports.set(member, taken);
    return taken;
  }

  /** `member`'s pinned ingress address: registered by the first component that needs it. */
  public ingressAddress(member: string, create: () => IngressAddress): IngressAddress {
    const existing = this.ingress.get(member);
    if (existing) return existing;
    const created = create();
    this.ingress.set(member, created);
    return created;
  }
}
