/**
 * Defensive readers for arbitrary manifests (a user's folder may hold anything), plus the few
 * value formats the rules compare: hosts, label selectors, Kubernetes quantities.
 */
import { K8sObject } from "./model";

export type Obj = Record<string, unknown>;

/** Items grouped by key, in input order. */
export function groupBy<T>(items: Iterable<T>, key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

export function obj(value: unknown): Obj {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Obj) : {};
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function objs(value: unknown): Obj[] {
  return arr(value).map(obj);
}

export function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function strs(value: unknown): string[] {
  return arr(value).filter((v): v is string => typeof v === "string");
}

export function spec(o: K8sObject): Obj {
  return obj(o.spec);
}

export function nsOf(o: K8sObject): string {
  return o.metadata?.namespace ?? "default";
}

export function labelsOf(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(value))) if (typeof v === "string") out[k] = v;
  return out;
}

/** A host as Istio resolves it from a config in `namespace`: short names are namespace-relative. */
export function qualifiedHost(host: string, namespace: string): string {
  if (host.includes("*") || host.endsWith(".svc.cluster.local")) return host;
  const parts = host.split(".");
  if (parts.length === 1) return `${host}.${namespace}.svc.cluster.local`;
  if (parts.length === 2) return `${host}.svc.cluster.local`;
  return host;
}

/** `name.namespace` of an in-cluster service host, or undefined for an external host. */
export function serviceOfHost(
  host: string,
  namespace: string,
): { name: string; namespace: string } | undefined {
  const q = qualifiedHost(host, namespace);
  const m = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local$/.exec(q);
  return m ? { name: m[1], namespace: m[2] } : undefined;
}

/** Istio's wildcard host match (`*.example.com` covers `a.example.com`, `*` covers all). */
export function hostMatches(pattern: string, host: string): boolean {
  if (pattern === "*" || pattern === host) return true;
  if (pattern.startsWith("*.")) return host.endsWith(pattern.slice(1));
  if (pattern.startsWith("*")) return host.endsWith(pattern.slice(1));
  return false;
}

/** True when every `matchLabels` pair is in `labels` (an empty selector matches everything). */
export function labelsMatch(selector: Record<string, string>, labels: Record<string, string>) {
  for (const k in selector) if (labels[k] !== selector[k]) return false;
  return true;
}

/**
 * A Kubernetes quantity in base units (cores, bytes): `250m`, `1.5`, `128Mi`, `1G`, `1e3`.
 * https://github.com/kubernetes/apimachinery/blob/master/pkg/api/resource/quantity.go
 */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value !== "string") return undefined;
  const m =
    /^([+-]?\d+(?:\.\d+)?|[+-]?\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/.exec(
      value.trim(),
    );
  if (!m) return undefined;
  const n = Number(m[1]);
  const suffix = m[2] ?? "";
  const binary: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
  const decimal: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12 };
  if (suffix in binary) return n * 1024 ** binary[suffix];
  if (suffix in decimal) return n * 10 ** decimal[suffix];
  if (suffix === "P") return n * 1e15;
  if (suffix === "E") return n * 1e18;
  return n * 10 ** Number(suffix.slice(1));
}

/** CPU cores and bytes, written back the way a quota author reads them. */
export function formatQuantity(resource: string, value: number): string {
  if (resource.endsWith("memory")) {
    const gi = value / 1024 ** 3;
    return gi >= 1 ? `${+gi.toFixed(2)}Gi` : `${+(value / 1024 ** 2).toFixed(1)}Mi`;
  }
  return value >= 1 ? `${+value.toFixed(3)}` : `${Math.round(value * 1000)}m`;
}

/** The `<ns>/<name>` form Istio uses for gateways and Sidecar hosts, split. */
export function splitNamespaced(ref: string, namespace: string): [string, string] {
  const i = ref.indexOf("/");
  if (i < 0) return [namespace, ref];
  const ns = ref.slice(0, i);
  return [ns === "." ? namespace : ns, ref.slice(i + 1)];
}
