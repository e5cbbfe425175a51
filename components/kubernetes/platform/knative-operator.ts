/**
 * What the Knative Operator's two custom resources (`KnativeServing`, `KnativeEventing`) have in
 * common: a release version `x.y.z`, the system namespace enrolled in the mesh before the operator
 * fills it, and the `spec.registry` an image mirror rewrites.
 * https://knative.dev/docs/install/operator/knative-with-operators/
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { managedLabels } from "../../core/kube";
import { ArgChecker } from "../../core/validate";
import { injectionLabels, MeshInfo } from "../mesh-info";

const RELEASE = /^\d+\.\d+\.\d+$/;

/**
 * Checks a release of `product` ("Knative Serving", "Knative Eventing": `spec.version` of an
 * operator CR) and returns it or `fallback`.
 */
export function knativeRelease(
  check: ArgChecker,
  argument: string,
  value: string | undefined,
  fallback: string,
  product: string,
): string {
  const version = value ?? fallback;
  check.pattern(
    argument,
    version,
    RELEASE,
    `must be a ${product} release "x.y.z" such as "${fallback}"`,
  );
  return version;
}

/**
 * The namespace an operator CR installs into, created here (not by the operator) so it carries
 * the mesh's injection labels before any Knative pod starts. Kept on delete.
 */
export function knativeNamespace(
  resourceName: string,
  i: { namespace: string; app: string; enrol: Pick<MeshInfo, "dataPlane" | "revision"> },
  parent: pulumi.Resource,
): k8s.core.v1.Namespace {
  return new k8s.core.v1.Namespace(
    resourceName,
    {
      metadata: {
        name: i.namespace,
        labels: { ...managedLabels(i.app, "namespace"), ...injectionLabels(i.enrol) },
      },
    },
    // Holds Secrets and claims Pulumi did not create: turning the add-on off or renaming it must
    // not delete it (issue 11).
    { parent, retainOnDelete: true },
  );
}

/**
 * `spec.registry` for an image mirror: the operator replaces `${NAME}` with each container's name.
 * https://knative.dev/docs/install/operator/configuring-serving-cr/#download-images-in-a-predefined-format-without-secrets
 */
export function knativeRegistry(
  registry: string | undefined,
  version: string,
): { registry?: { default: string } } {
  if (registry === undefined) return {};
  return { registry: { default: `${registry}/knative-releases/\${NAME}:v${version}` } };
}
