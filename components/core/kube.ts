import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";

/**
 * A Kubernetes quantity as an object field takes it: `100m`, `0.5`, `64Mi`, `1e3`.
 * https://github.com/kubernetes/apimachinery/blob/master/pkg/api/resource/quantity.go
 */
export const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[KMGTPE]i|[mkMGTPE])?$/;

/** Metadata every object this package emits carries; names are always explicit (no auto-naming). */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A Kubernetes object of a custom kind, its body typed by the caller from the upstream model. */
export interface KubeObject<Spec = unknown> {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: Spec;
}

/** Labels on every object the package creates, so `kubectl get -l` finds them. */
export function managedLabels(app: string, component: string): Record<string, string> {
  return {
    "app.kubernetes.io/managed-by": "pulumi",
    "app.kubernetes.io/name": app,
    "app.kubernetes.io/part-of": "mesh-serverless",
    "mesh-serverless/component": component,
  };
}

/**
 * An upstream model's body (`IVirtualService`, `IPeerAuthentication`, ...) with explicit
 * metadata: the models mark `metadata` optional, this makes the name mandatory.
 */
export type Typed<T> = T & { metadata: ObjectMeta };

/**
 * Registers a custom resource whose body was built (and type-checked) by the caller from the
 * upstream model. The Pulumi resource name is `resourceName`; the Kubernetes name is
 * `body.metadata.name`.
 */
export function customResource<T extends { apiVersion?: string; kind?: string }>(
  resourceName: string,
  body: Typed<T>,
  opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
  // The models have no index signature, which CustomResourceArgs requires.
  const args = body as unknown as k8s.apiextensions.CustomResourceArgs;
  return new k8s.apiextensions.CustomResource(resourceName, args, opts);
}

/** Merges dependency lists, dropping undefined entries. */
export function dependsOnAll(
  ...groups: (pulumi.Input<pulumi.Resource> | pulumi.Input<pulumi.Resource>[] | undefined)[]
): pulumi.Input<pulumi.Resource>[] {
  const out: pulumi.Input<pulumi.Resource>[] = [];
  for (const g of groups) {
    if (g === undefined) continue;
    if (Array.isArray(g)) out.push(...g);
    else out.push(g);
  }
  return out;
}
