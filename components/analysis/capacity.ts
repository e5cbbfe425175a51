/**
 * Capacity: in each namespace with a ResourceQuota, every workload at its maximum scale, with the
 * containers the cluster adds (istio-proxy, Knative's queue-proxy) and LimitRange defaults, must
 * fit the quota; otherwise pods beyond the quota are never created.
 */
import { knativeConfig } from "./inventory";
import { AnalysisOptions, Inventory, K8sObject, PodResources, Rule, Workload } from "./model";
import { formatQuantity, labelsOf, nsOf, obj, objs, parseQuantity, spec } from "./read";

/**
 * istio-proxy per pod: istiod chart values `global.proxy.resources` (manifests/charts/istiod
 * values.yaml, 1.30.5 and 1.31.1: requests 100m/128Mi, limits 2000m/1024Mi). The renderer passes
 * the rendered istiod release's own values instead when they set them (`proxyResourcesFrom`).
 */
const ISTIO_PROXY_DEFAULT: PodResources = {
  requests: { cpu: 0.1, memory: 128 * 1024 ** 2 },
  limits: { cpu: 2, memory: 1024 * 1024 ** 2 },
};

/**
 * queue-proxy per Knative pod: only `queue-sidecar-cpu-request` 25m is set by default
 * (knative/serving pkg/deployment/config.go defaultConfig); the rest comes from LimitRange defaults.
 */
const QUEUE_PROXY_DEFAULT: PodResources = { requests: { cpu: 0.025 }, limits: {} };

/** `resources` as written in chart values ({requests, limits} of quantities) over `base`. */
export function proxyResourcesFrom(values: unknown, base = ISTIO_PROXY_DEFAULT): PodResources {
  const res = obj(values);
  const part = (p: "requests" | "limits") => ({
    cpu: parseQuantity(obj(res[p]).cpu) ?? base[p].cpu,
    memory: parseQuantity(obj(res[p]).memory) ?? base[p].memory,
  });
  return { requests: part("requests"), limits: part("limits") };
}

/** A Helm release as the analyzer reads it: its chart name (a repository path is fine) and values. */
export interface ReleaseValues {
  chart?: string;
  values?: unknown;
}

/**
 * Cluster facts the Kubernetes objects do not carry but the Helm releases beside them do: the
 * istiod release's `global.proxy.resources` (the sidecar every injected pod gets). The renderer
 * and the policy pack both pass what this returns to `analyze`.
 */
export function optionsFromReleases(releases: readonly ReleaseValues[]): AnalysisOptions {
  const istiod = releases.find((r) => (r.chart ?? "").split("/").pop() === "istiod");
  const resources = obj(obj(obj(istiod?.values).global).proxy).resources;
  return resources === undefined ? {} : { proxyResources: proxyResourcesFrom(resources) };
}

/** queue-proxy as the KnativeServing CR's `config.deployment` queue-sidecar-* keys set it. */
function queueProxyOf(index: Inventory, base: PodResources): PodResources {
  const d = knativeConfig(index, "deployment");
  const q = (k: string, fallback?: number) => parseQuantity(d[`queue-sidecar-${k}`]) ?? fallback;
  return {
    requests: {
      cpu: q("cpu-request", base.requests.cpu),
      memory: q("memory-request", base.requests.memory),
    },
    limits: { cpu: q("cpu-limit", base.limits.cpu), memory: q("memory-limit", base.limits.memory) },
  };
}

export const DEFAULT_OPTIONS: Required<AnalysisOptions> = {
  proxyResources: ISTIO_PROXY_DEFAULT,
  queueProxyResources: QUEUE_PROXY_DEFAULT,
};

type Res = "cpu" | "memory";
const RESOURCES: Res[] = ["cpu", "memory"];

interface Defaults {
  request: Partial<Record<Res, number>>;
  limit: Partial<Record<Res, number>>;
}

/** LimitRange `Container` defaults; defaultRequest falls back to default (core/v1 defaults.go). */
function limitRangeDefaults(ranges: K8sObject[]): Defaults {
  const out: Defaults = { request: {}, limit: {} };
  for (const lr of ranges)
    for (const l of objs(spec(lr).limits).filter((x) => x.type === "Container"))
      for (const r of RESOURCES) {
        const limit = parseQuantity(obj(l.default)[r] ?? obj(l.max)[r]);
        const request = parseQuantity(obj(l.defaultRequest)[r]) ?? limit;
        if (limit !== undefined) out.limit[r] ??= limit;
        if (request !== undefined) out.request[r] ??= request;
      }
  return out;
}

/**
 * One container as admitted: a request defaults to its own limit, then to the LimitRange's
 * defaultRequest; a limit to the LimitRange's default (plugin/pkg/admission/limitranger).
 */
function admitted(c: PodResources, d: Defaults): PodResources {
  const out: PodResources = { requests: {}, limits: {} };
  for (const r of RESOURCES) {
    out.limits[r] = c.limits[r] ?? d.limit[r];
    out.requests[r] = c.requests[r] ?? c.limits[r] ?? d.request[r];
  }
  return out;
}

function containerResources(c: Record<string, unknown>): PodResources {
  const res = obj(c.resources);
  const read = (part: unknown) => ({
    cpu: parseQuantity(obj(part).cpu),
    memory: parseQuantity(obj(part).memory),
  });
  return { requests: read(res.requests), limits: read(res.limits) };
}

function injected(index: Inventory, w: Workload): boolean {
  const flag =
    w.podLabels["sidecar.istio.io/inject"] ?? w.podAnnotations["sidecar.istio.io/inject"];
  if (flag !== undefined) return flag === "true";
  const ns = labelsOf(index.createdNamespaces.get(w.namespace)?.metadata.labels);
  return (
    ns["istio-injection"] === "enabled" ||
    (ns["istio.io/rev"] !== undefined && ns["istio-injection"] !== "disabled")
  );
}

/** istio-proxy resources with the pod's sidecar.istio.io/proxy* annotations applied. */
function proxyOf(w: Workload, base: PodResources): PodResources {
  const a = w.podAnnotations;
  const q = (k: string, fallback?: number) => parseQuantity(a[`sidecar.istio.io/${k}`]) ?? fallback;
  return {
    requests: {
      cpu: q("proxyCPU", base.requests.cpu),
      memory: q("proxyMemory", base.requests.memory),
    },
    limits: {
      cpu: q("proxyCPULimit", base.limits.cpu),
      memory: q("proxyMemoryLimit", base.limits.memory),
    },
  };
}

interface PodNeeds {
  containers: { name: string; res: PodResources }[];
}

function podNeeds(
  index: Inventory,
  w: Workload,
  d: Defaults,
  o: Required<AnalysisOptions>,
): PodNeeds {
  const containers = objs(w.podSpec.containers).map((c) => ({
    name: String(c.name ?? "container"),
    res: admitted(containerResources(c), d),
  }));
  if (w.knative)
    containers.push({
      name: "queue-proxy",
      res: admitted(queueProxyOf(index, o.queueProxyResources), d),
    });
  if (injected(index, w))
    containers.push({ name: "istio-proxy", res: admitted(proxyOf(w, o.proxyResources), d) });
  return { containers };
}

const QUOTA_KEYS: [string, "requests" | "limits", Res][] = [
  ["requests.cpu", "requests", "cpu"],
  ["cpu", "requests", "cpu"],
  ["requests.memory", "requests", "memory"],
  ["memory", "requests", "memory"],
  ["limits.cpu", "limits", "cpu"],
  ["limits.memory", "limits", "memory"],
];

export const quotaFits: Rule = {
  code: "MS601",
  summary:
    "each namespace's workloads at max scale (+ istio-proxy, queue-proxy, LimitRange defaults) fit its ResourceQuota",
  source:
    "kubernetes plugin/pkg/admission/limitranger + resourcequota; istiod chart values global.proxy.resources; knative/serving pkg/deployment/config.go",
  check(index, report, options) {
    for (const quota of index.byKind("ResourceQuota")) {
      const s = spec(quota);
      if (s.scopes !== undefined || s.scopeSelector !== undefined) continue;
      const ns = nsOf(quota);
      const hard = obj(s.hard);
      const defaults = limitRangeDefaults(index.inNamespace("LimitRange", ns));
      const workloads = index.workloadsIn(ns);
      const used: Record<string, number> = {};
      const parts: Record<string, string[]> = {};
      let pods = 0;
      for (const w of workloads) {
        const needs = podNeeds(index, w, defaults, options);
        const count = w.maxPods ?? w.minPods;
        if (w.maxPods === undefined)
          report(
            w.owner,
            "warning",
            `has no max-scale in namespace ${ns}, which has ResourceQuota ${quota.metadata.name}: counted at min-scale ${w.minPods}; set autoscaling.knative.dev/max-scale so scale-out stays within the quota`,
          );
        pods += count;
        for (const [key, part, r] of QUOTA_KEYS) {
          if (hard[key] === undefined) continue;
          const missing = needs.containers
            .filter((c) => c.res[part][r] === undefined)
            .map((c) => c.name);
          if (missing.length > 0) {
            report(
              w.owner,
              "error",
              `containers ${missing.join(", ")} have no ${key} and namespace ${ns} has no LimitRange default for it: ResourceQuota ${quota.metadata.name} rejects the pods`,
            );
            continue;
          }
          const perPod = needs.containers.reduce((sum, c) => sum + (c.res[part][r] ?? 0), 0);
          used[key] = (used[key] ?? 0) + count * perPod;
          (parts[key] ??= []).push(
            `${w.owner.metadata.name} ${count} x ${formatQuantity(key, perPod)}`,
          );
        }
      }
      const hardPods = parseQuantity(hard.pods ?? hard["count/pods"]);
      if (hardPods !== undefined && pods > hardPods)
        report(
          quota,
          "error",
          `pods: workloads at max scale run ${pods}, quota ${hardPods}: over by ${pods - hardPods}`,
        );
      for (const [key] of QUOTA_KEYS) {
        const limit = parseQuantity(hard[key]);
        if (limit === undefined || used[key] === undefined || used[key] <= limit * (1 + 1e-9))
          continue;
        report(
          quota,
          "error",
          `${key}: workloads at max scale need ${formatQuantity(key, used[key])} (${parts[key].join(", ")}), quota ${hard[key]}: over by ${formatQuantity(key, used[key] - limit)}; raise the quota or lower max scale`,
        );
      }
    }
  },
};
