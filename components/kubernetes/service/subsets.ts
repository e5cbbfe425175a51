/**
 * Subsets known program-wide, per cluster-qualified host: Istio's own task layout has one
 * DestinationRule per host and several VirtualServices routing to its subsets, so a route of one
 * component may name subsets another component declares. A route built before the component that
 * declares its subsets is checked at the end of the program (`checkSubsetReferences`, which the
 * stack program calls; the renderer's analyzer rule MS401 checks the rendered objects as well).
 * https://istio.io/latest/docs/tasks/traffic-management/request-routing/
 */
import * as pulumi from "@pulumi/pulumi";
import { isIP } from "net";

interface Registry {
  /** Subset name -> `namespace/name` of the component that declares it, per host. */
  declared: Map<string, Map<string, string>>;
  /** References not resolvable when made: each throws its error if still unresolved. */
  pending: { host: string; subset: string; own: boolean; fail: (message: string) => never }[];
}

// One registry per program run: the renderer and the tests run several in one process.
const registries = new WeakMap<object, Registry>();
const outside: Registry = { declared: new Map(), pending: [] };

function registry(): Registry {
  const monitor = pulumi.runtime.getMonitor() as object | undefined;
  if (!monitor) return outside;
  let r = registries.get(monitor);
  if (!r) registries.set(monitor, (r = { declared: new Map(), pending: [] }));
  return r;
}

/**
 * A host as Istio reads it in a rule of `namespace`, so the registry is keyed by what Istio
 * matches: a short name (no '.') is a Service in that namespace, `<name>.<namespace>.svc.<cluster
 * domain>`; `*`, an IP address and any name with a '.' (`reviews.shop` included) are taken as
 * written. As istio/istio pkg/config/model.go ResolveShortnameToFQDN (formerly
 * pilot/pkg/model/config.go) with the default cluster domain `cluster.local`.
 */
export function qualifiedHost(host: string, namespace: string): string {
  if (host === "*" || host.includes(".") || isIP(host) !== 0) return host;
  return `${host}.${namespace}.svc.cluster.local`;
}

/** Records the subsets a component (`by`, "namespace/name") declares for `host` (qualified). */
export function declareSubsets(host: string, names: string[], by: string): void {
  const { declared } = registry();
  const known = declared.get(host) ?? new Map<string, string>();
  for (const n of names) if (!known.has(n)) known.set(n, by);
  declared.set(host, known);
}

function unknownSubset(host: string, known: Map<string, string>): string {
  if (known.size === 0)
    return `no component declares subsets of ${host}; add the subset (name and pod labels) to \`subsets\` of the traffic that owns its DestinationRule`;
  const by = [...new Set(known.values())].join(", ");
  return `is not a subset of ${host}; defined subsets: ${[...known.keys()].join(", ")} (declared by ${by}); add it to that component's \`subsets\` with the labels of its pods`;
}

/**
 * Checks that `subset` of `host` (qualified) is declared, by this component (`local`) or any
 * other. When no subsets of the host are known yet, the check waits for the end of the program;
 * `own` marks the component's own host, which must have its subsets declared somewhere in the
 * program, while another host's may come from outside it.
 */
export function referSubset(
  host: string,
  subset: string,
  local: string[],
  own: boolean,
  fail: (message: string) => never,
): void {
  if (local.includes(subset)) return;
  const known = new Map([
    ...local.map((n): [string, string] => [n, "this component"]),
    ...(registry().declared.get(host) ?? []),
  ]);
  if (known.has(subset)) return;
  if (known.size > 0) fail(unknownSubset(host, known));
  registry().pending.push({ host, subset, own, fail });
}

/**
 * Fails, naming the component and argument, for the first route whose subset no component
 * declared by the end of the program. Call once after every component is built.
 */
export function checkSubsetReferences(): void {
  const { declared, pending } = registry();
  for (const p of pending.splice(0)) {
    const known = declared.get(p.host);
    if (known?.has(p.subset)) continue;
    if (known || p.own) p.fail(unknownSubset(p.host, known ?? new Map()));
  }
}
