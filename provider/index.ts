/**
 * The plugin's entry (PulumiPlugin.yaml `main`). Pulumi's Node plugin runner
 * (@pulumi/pulumi cmd/run-plugin) requires this module and, because its export is a function,
 * calls it; it must export no component class, or the runner would start Pulumi's analyzer-based
 * component host instead (which rejects our argument types). `main` starts the gRPC server and
 * prints its port for the engine.
 */
import * as provider from "@pulumi/pulumi/provider";
import { MeshServerlessProvider } from "./provider";

function main(args: string[] = process.argv.slice(2)): Promise<void> {
  return provider.main(new MeshServerlessProvider(), args);
}

export = main;
