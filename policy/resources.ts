import type { PolicyResource } from "@pulumi/policy";
import { isK8sObject, K8sObject } from "../components/analysis";

/**
 * The Kubernetes objects a Pulumi program registers, as the analyzer reads them: each resource's
 * inputs, with apiVersion/kind taken from the type token where the inputs lack them
 * (`kubernetes:networking.istio.io/v1:VirtualService`, `kubernetes:core/v1:Service`).
 */
export interface StackObject {
  object: K8sObject;
  urn: string;
  /** The provider's URN: one cluster per provider, as the renderer's manifest folders. */
  cluster: string;
}

const K8S_TYPE = /^kubernetes:([^:]+)\/([^:/]+):([A-Za-z0-9]+)$/;

export function kubernetesObjects(resources: PolicyResource[]): StackObject[] {
  const out: StackObject[] = [];
  for (const r of resources) {
    const m = K8S_TYPE.exec(r.type);
    if (!m || m[1] === "helm.sh" || m[1] === "yaml") continue;
    const apiVersion = m[1] === "core" ? m[2] : `${m[1]}/${m[2]}`;
    const object = { apiVersion, kind: m[3], ...r.props };
    if (isK8sObject(object)) out.push({ object, urn: r.urn, cluster: r.provider?.urn ?? "" });
  }
  return out;
}

/** The URN of the resource a finding names (kind, namespace, name), else undefined. */
export function urnOf(
  objects: StackObject[],
  kind: string,
  namespace: string,
  name: string,
): string | undefined {
  return objects.find(
    (o) =>
      o.object.kind === kind &&
      (o.object.metadata.namespace ?? "") === namespace &&
      o.object.metadata.name === name,
  )?.urn;
}
