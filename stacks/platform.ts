import * as pulumi from "@pulumi/pulumi";
import { MeshInfo } from "../components/kubernetes/mesh-info";
import { Section } from "./config";

export interface PlatformDeployment {
  /** What services deployed by this stack get to know about the mesh. */
  mesh: MeshInfo;
  outputs: Record<string, pulumi.Input<unknown>>;
}

/** Config key `platform`: the cluster add-ons (issue 3 fills this in). */
export function deployPlatform(
  config: Section,
  _opts: pulumi.ComponentResourceOptions,
): PlatformDeployment {
  config.done();
  return { mesh: {}, outputs: {} };
}
