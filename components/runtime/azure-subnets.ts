import * as pulumi from "@pulumi/pulumi";

/**
 * One fleet's subnet writes, one VNet at a time: Azure refuses a subnet write while another write to
 * the same virtual network is in progress (AnotherOperationInProgress), which is why Terraform's azurerm
 * provider takes a lock on the VNet's name around every subnet create, update and delete
 * (hashicorp/terraform-provider-azurerm internal/services/network/subnet_resource.go,
 * `locks.ByName(id.VirtualNetworkName, VirtualNetworkResourceName)`). Here each subnet depends on the
 * one registered before it on the same VNet, so the engine creates them one after another (and deletes
 * them in the reverse order). Members register in the fleet's order, so the chain is the same every run.
 */
export class VnetWriteQueue {
  private readonly last = new Map<string, pulumi.Resource>();
  private readonly ids = new WeakMap<object, number>();
  private nextId = 0;

  /** The subnet registered last on this VNet (the one a new subnet waits for), if any. */
  public previous(vnet: { name: pulumi.Input<string>; resourceGroupName: pulumi.Input<string> }): pulumi.Resource | undefined {
    return this.last.get(this.key(vnet));
  }

  /** Records `subnet` as the last write on its VNet. */
  public push(vnet: { name: pulumi.Input<string>; resourceGroupName: pulumi.Input<string> }, subnet: pulumi.Resource): void {
    this.last.set(this.key(vnet), subnet);
  }

  /** A VNet's identity: its names when they are plain strings, else the very Output (one per VNet resource property). */
  private key(vnet: { name: pulumi.Input<string>; resourceGroupName: pulumi.Input<string> }): string {
    return `${this.part(vnet.resourceGroupName)}/${this.part(vnet.name)}`;
  }

  private part(value: pulumi.Input<string>): string {
    if (typeof value === "string") return `s:${value.toLowerCase()}`;
    const object = value as object;
    let id = this.ids.get(object);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(object, id);
    }
    return `o:${id}`;
  }
}
