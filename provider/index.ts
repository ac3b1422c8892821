// The component provider's entry point: the Pulumi CLI runs it as a plugin (PulumiPlugin.yaml) and
// talks to it over gRPC. It exports nothing, so the plugin runner does not host every component class
// it can find but exactly the ones FleetmeshProvider names.
import * as pulumi from "@pulumi/pulumi";
import { FleetmeshProvider } from "./provider";

void pulumi.provider.main(new FleetmeshProvider(), process.argv.slice(2));
