import type * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import { customResource, KubeObject, ObjectMeta } from "../../core/kube";

/** An upstream model's body (`IPeerAuthentication`, `IServiceMonitor`, ...) with explicit metadata. */
export type Typed<T> = T & { metadata: ObjectMeta };

/**
 * Registers a custom resource whose body is typed by its upstream model; the model types mark
 * `metadata` optional, `Typed` makes the explicit name and namespace mandatory.
 */
export function typedResource<T extends { apiVersion: string; kind: string }>(
  resourceName: string,
  body: Typed<T>,
  opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
  return customResource(
    resourceName,
    body as unknown as KubeObject & Record<string, unknown>,
    opts,
  );
}
