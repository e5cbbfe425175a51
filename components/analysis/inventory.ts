import { Inventory, K8sObject, Workload } from "./model";
import { groupBy, labelsOf, nsOf, obj, spec, str } from "./read";

/** Knative annotation keys (knative/serving pkg/apis/autoscaling/register.go). */
const KNATIVE_ANNOTATION = {
  class: "autoscaling.knative.dev/class",
  minScale: "autoscaling.knative.dev/min-scale",
  maxScale: "autoscaling.knative.dev/max-scale",
  initialScale: "autoscaling.knative.dev/initial-scale",
} as const;

/** An autoscaling annotation under its current key or the legacy camelCase one. */
export function knativeAnnotation(annotations: Record<string, string>, key: string) {
  const legacy = key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  return annotations[key] ?? annotations[legacy];
}

/** `spec.config.<section>` of the KnativeServing CR (the operator writes it to config-<section>). */
export function knativeConfig(index: Inventory, section: string): Record<string, string> {
  return index.knativeServing ? labelsOf(obj(spec(index.knativeServing).config)[section]) : {};
}

function isKnativeService(o: K8sObject): boolean {
  return o.kind === "Service" && o.apiVersion.startsWith("serving.knative.dev/");
}

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "ReplicaSet", "DaemonSet", "Pod"]);

/**
 * The pods of an OpenFaaS `Function` as its operator makes them (openfaas/faas-netes
 * pkg/handlers/deploy.go): labels `faas_function: <name>` plus `spec.labels`, annotations
 * `spec.annotations`, one container named after the function with port `http` 8080 and the
 * function's requests and limits; between `com.openfaas.scale.min` (default 1; 0 with
 * `com.openfaas.scale.zero`) and `com.openfaas.scale.max` (default 20) replicas
 * (docs.openfaas.com/architecture/autoscaling).
 */
function functionWorkload(o: K8sObject): Workload {
  const s = spec(o);
  const name = str(s.name) ?? o.metadata.name ?? "";
  const labels = labelsOf(s.labels);
  const resources = Object.fromEntries(
    (["limits", "requests"] as const)
      .filter((k) => s[k] !== undefined)
      .map((k) => [k, labelsOf(s[k])]),
  );
  const max = Number(labels["com.openfaas.scale.max"] ?? 20);
  const min =
    labels["com.openfaas.scale.zero"] === "true"
      ? 0
      : Number(labels["com.openfaas.scale.min"] ?? 1);
  return {
    owner: o,
    namespace: nsOf(o),
    podLabels: { ...labels, faas_function: name },
    podAnnotations: labelsOf(s.annotations),
    podSpec: {
      containers: [
        {
          name,
          image: str(s.image),
          ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
          ...(Object.keys(resources).length > 0 ? { resources } : {}),
        },
      ],
    },
    maxPods: Number.isFinite(max) && max > 0 ? max : undefined,
    minPods: Number.isFinite(min) ? min : 1,
    knative: false,
  };
}

function workloadOf(o: K8sObject, index: Pick<Inventory, "knativeServing">): Workload | undefined {
  const namespace = nsOf(o);
  if (isKnativeService(o)) {
    const template = obj(spec(o).template);
    const meta = obj(template.metadata);
    const annotations = labelsOf(meta.annotations);
    const autoscaler = index.knativeServing
      ? labelsOf(obj(spec(index.knativeServing).config).autoscaler)
      : {};
    const max = Number(
      knativeAnnotation(annotations, KNATIVE_ANNOTATION.maxScale) ?? autoscaler["max-scale"] ?? 0,
    );
    const min = Number(
      knativeAnnotation(annotations, KNATIVE_ANNOTATION.minScale) ?? autoscaler["min-scale"] ?? 0,
    );
    return {
      owner: o,
      namespace,
      // Knative labels every pod with its service (knative/serving pkg/apis/serving/register.go).
      podLabels: { ...labelsOf(meta.labels), "serving.knative.dev/service": o.metadata.name ?? "" },
      podAnnotations: annotations,
      podSpec: obj(template.spec),
      maxPods: Number.isFinite(max) && max > 0 ? max : undefined,
      minPods: Number.isFinite(min) ? min : 0,
      knative: true,
    };
  }
  if (o.kind === "Function" && o.apiVersion.startsWith("openfaas.com/")) return functionWorkload(o);
  if (!WORKLOAD_KINDS.has(o.kind) || o.apiVersion.includes("knative")) return undefined;
  const s = spec(o);
  const template = o.kind === "Pod" ? { metadata: o.metadata, spec: s } : obj(s.template);
  const meta = obj(template.metadata);
  const replicas = o.kind === "Pod" || o.kind === "DaemonSet" ? 1 : Number(s.replicas ?? 1);
  return {
    owner: o,
    namespace,
    podLabels: labelsOf(meta.labels),
    podAnnotations: labelsOf(meta.annotations),
    podSpec: obj(template.spec),
    maxPods: replicas,
    minPods: replicas,
    knative: false,
  };
}

export function buildInventory(objects: K8sObject[]): Inventory {
  const kinds = groupBy(objects, (o) => o.kind);
  const createdNamespaces = new Map<string, K8sObject>();
  const knownNamespaces = new Set<string>();
  for (const o of objects) {
    if (o.kind === "Namespace" && o.metadata.name) {
      createdNamespaces.set(o.metadata.name, o);
      knownNamespaces.add(o.metadata.name);
    } else if (o.metadata.namespace) knownNamespaces.add(o.metadata.namespace);
  }
  const base = {
    objects,
    byKind: (kind: string) => kinds.get(kind) ?? [],
    createdNamespaces,
    knownNamespaces,
    knativeServing: (kinds.get("KnativeServing") ?? []).find((o) =>
      str(o.apiVersion)?.startsWith("operator.knative.dev/"),
    ),
  };
  const workloads = objects.map((o) => workloadOf(o, base)).filter((w): w is Workload => !!w);
  const byNamespace = groupBy(workloads, (w) => w.namespace);
  const kindsByNamespace = new Map<string, Map<string, K8sObject[]>>();
  const inNamespace = (kind: string, namespace: string): K8sObject[] => {
    let groups = kindsByNamespace.get(kind);
    if (!groups) kindsByNamespace.set(kind, (groups = groupBy(base.byKind(kind), nsOf)));
    return groups.get(namespace) ?? [];
  };
  return {
    ...base,
    workloads,
    workloadsIn: (namespace) => byNamespace.get(namespace) ?? [],
    inNamespace,
  };
}
