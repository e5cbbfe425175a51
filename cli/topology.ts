/**
 * A picture of the mesh, as a graph built from the rendered objects: gateways and their hosts,
 * services (Knative, workloads, functions, ServiceEntries), routes with weights and subsets, who
 * may call whom (AuthorizationPolicies), mTLS per namespace, and AWS functions with their
 * backends. Pure: plain objects in, a sorted graph out (see topology-render.ts for the pictures).
 */

import { addAws, AwsPlanResource } from "./topology-aws";
import { objectAt, objectsAt, stringsAt } from "./plain";

export type { AwsPlanResource };
type Json = Record<string, unknown>;

export type NodeKind =
  | "host"
  | "gateway"
  | "route"
  | "knative"
  | "workload"
  | "function"
  | "service-entry"
  | "external"
  | "principal"
  | "namespace"
  | "aws-function";

export type EdgeKind = "serves" | "route" | "allow" | "calls";

export interface TopologyNode {
  id: string;
  kind: NodeKind;
  label: string;
  /** Namespace (Kubernetes) or `aws:<network>` the node is drawn in; none for outside hosts. */
  group?: string;
}

export interface TopologyEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  label?: string;
}

export interface TopologyGroup {
  id: string;
  /** `namespace shop`, `AWS network dev-mesh (vpc-lattice)`. */
  label: string;
  /** Kubernetes namespaces: the peer-authentication mode in force. */
  mtls?: string;
  /** An ALLOW policy without rules for the whole namespace: nothing is allowed unless a policy says so. */
  denyByDefault?: boolean;
}

export interface Topology {
  nodes: TopologyNode[];
  edges: TopologyEdge[];
  groups: TopologyGroup[];
}

/** Istio's root namespace: a PeerAuthentication there is the mesh-wide default. */
const ROOT_NAMESPACE = "istio-system";
const KNATIVE_LOCAL_GATEWAY = /^knative-local-gateway\.istio-system(\.svc(\.cluster\.local)?)?$/;

export class Builder {
  /** `namespace/serviceAccount` -> the service node whose pods run as it. */
  readonly accounts = new Map<string, string>();
  readonly nodes = new Map<string, TopologyNode>();
  readonly edges = new Map<string, TopologyEdge>();
  readonly groups = new Map<string, TopologyGroup>();

  node(n: TopologyNode): string {
    if (!this.nodes.has(n.id)) this.nodes.set(n.id, n);
    if (n.group && !this.groups.has(n.group)) this.group(n.group);
    return n.id;
  }

  group(id: string, extra: Partial<TopologyGroup> = {}): TopologyGroup {
    const g = this.groups.get(id) ?? { id, label: id.startsWith("aws:") ? id : `namespace ${id}` };
    Object.assign(g, extra);
    this.groups.set(id, g);
    return g;
  }

  edge(e: TopologyEdge): void {
    const key = `${e.from} ${e.to} ${e.kind} ${e.label ?? ""}`;
    this.edges.set(key, e);
  }
}

interface Meta {
  name: string;
  namespace: string;
  labels: Record<string, string>;
}

function meta(m: Json): Meta {
  const md = objectAt(m.metadata);
  return {
    name: String(md.name ?? ""),
    namespace: String(md.namespace ?? "default"),
    labels: objectAt(md.labels) as Record<string, string>,
  };
}

const kindKey = (m: Json): string => `${String(m.apiVersion).split("/")[0]}/${String(m.kind)}`;

/** `reviews`, `reviews.shop`, `reviews.shop.svc.cluster.local` -> `shop/reviews`. */
export function serviceOf(host: string, namespace: string): string | undefined {
  if (host.includes("*")) return undefined;
  const parts = host.split(".");
  if (parts.length === 1) return `${namespace}/${host}`;
  if (parts.length === 2 || (parts[2] === "svc" && parts.length <= 5))
    return `${parts[1]}/${parts[0]}`;
  return undefined;
}

/** Nodes for what serves traffic: Knative Services, workload Services, functions, ServiceEntries. */
function addServices(b: Builder, objects: Json[]): void {
  const workloads = new Set<string>();
  for (const m of objects) {
    const { name, namespace } = meta(m);
    const id = `svc:${namespace}/${name}`;
    const account = objectAt(objectAt(objectAt(m.spec).template).spec).serviceAccountName;
    if (typeof account === "string") b.accounts.set(`${namespace}/${account}`, id);
    switch (kindKey(m)) {
      case "serving.knative.dev/Service":
        b.node({ id, kind: "knative", label: `${name} (Knative)`, group: namespace });
        break;
      case "v1/Service":
        workloads.add(id);
        break;
      case "apps/Deployment":
      case "apps/StatefulSet":
        workloads.add(id);
        break;
      case "openfaas.com/Function":
        b.node({ id, kind: "function", label: `${name} (function)`, group: namespace });
        break;
      case "networking.istio.io/ServiceEntry": {
        const spec = objectAt(m.spec);
        for (const host of stringsAt(spec.hosts))
          b.node({
            id: `host:${host}`,
            kind: "service-entry",
            label: `${host} (${String(spec.location ?? "MESH_EXTERNAL")})`,
            group: namespace,
          });
        break;
      }
    }
  }
  for (const id of [...workloads].sort()) {
    const [, ref] = id.split(":");
    const [namespace, name] = ref.split("/");
    b.node({ id, kind: "workload", label: name, group: namespace });
  }
}

/** Where a route's destination lands: a known service, the Knative service behind the local gateway, or a host. */
function destination(b: Builder, host: string, namespace: string, authority?: string): string {
  if (authority && KNATIVE_LOCAL_GATEWAY.test(host)) return destination(b, authority, namespace);
  const svc = serviceOf(host, namespace);
  if (svc && b.nodes.has(`svc:${svc}`)) return `svc:${svc}`;
  if (b.nodes.has(`host:${host}`)) return `host:${host}`;
  const entry = [...b.nodes.values()].find(
    (n) => n.kind === "service-entry" && n.id.startsWith("host:*.") && host.endsWith(n.id.slice(6)),
  );
  if (entry) return entry.id;
  if (svc) {
    const [ns, name] = svc.split("/");
    return b.node({
      id: `svc:${svc}`,
      kind: "workload",
      label: `${name} (not rendered)`,
      group: ns,
    });
  }
  return b.node({ id: `host:${host}`, kind: "external", label: host });
}

function addGatewaysAndRoutes(b: Builder, objects: Json[]): void {
  const gateways = objects.filter((m) => kindKey(m) === "networking.istio.io/Gateway");
  for (const g of gateways) {
    const { name, namespace } = meta(g);
    const gw = b.node({
      id: `gw:${namespace}/${name}`,
      kind: "gateway",
      label: `gateway ${name}`,
      group: namespace,
    });
    for (const server of objectsAt(objectAt(g.spec).servers)) {
      const port = objectAt(server.port);
      const tls = objectAt(server.tls);
      const how = tls.httpsRedirect
        ? "redirect to HTTPS"
        : `${String(port.protocol ?? "")} ${String(port.number ?? "")}`.trim();
      for (const host of stringsAt(server.hosts)) {
        const h = b.node({ id: `host:${host}`, kind: "host", label: host });
        b.edge({ from: h, to: gw, kind: "serves", label: how });
      }
    }
  }
  for (const vs of objects.filter((m) => kindKey(m) === "networking.istio.io/VirtualService")) {
    const { name, namespace } = meta(vs);
    const spec = objectAt(vs.spec);
    const bound = stringsAt(spec.gateways).filter((g) => g !== "mesh");
    const hosts = stringsAt(spec.hosts);
    // A mesh route (no gateway) sits in front of its own hosts: name them instead of a loop.
    const local = (h: string): string => h.replace(`.${namespace}.svc.cluster.local`, "");
    const label = bound.length
      ? `route ${name}`
      : `route ${name}\nfor ${hosts.map(local).join(", ")}`;
    const route = b.node({ id: `vs:${namespace}/${name}`, kind: "route", label, group: namespace });
    for (const g of bound) {
      const ref = g.includes("/") ? g : `${namespace}/${g}`;
      const gw = `gw:${ref}`;
      if (!b.nodes.has(gw))
        b.node({
          id: gw,
          kind: "gateway",
          label: `gateway ${ref.split("/")[1]} (not rendered)`,
          group: ref.split("/")[0],
        });
      b.edge({ from: gw, to: route, kind: "route", label: hosts.join(", ") });
    }
    for (const http of objectsAt(spec.http)) {
      const match = objectsAt(http.match)
        .map((mt) => {
          const uri = objectAt(mt.uri);
          const prefix = uri.prefix ?? uri.exact ?? uri.regex;
          const headers = Object.keys(objectAt(mt.headers));
          return [prefix ? String(prefix) : "", headers.length ? `header ${headers.join(",")}` : ""]
            .filter(Boolean)
            .join(" ");
        })
        .filter(Boolean)
        .join(" | ");
      const authority = objectAt(http.rewrite).authority as string | undefined;
      const dests = objectsAt(http.route);
      for (const d of dests) {
        const dest = objectAt(d.destination);
        const to = destination(b, String(dest.host ?? ""), namespace, authority);
        const parts = [
          match,
          dest.subset ? `subset ${String(dest.subset)}` : "",
          d.weight !== undefined && (dests.length > 1 || d.weight !== 100)
            ? `${String(d.weight)}%`
            : "",
        ].filter(Boolean);
        b.edge({ from: route, to, kind: "route", label: parts.join(" · ") || undefined });
      }
    }
  }
}

/** Services an AuthorizationPolicy's selector picks, or the namespace node when it has none. */
function policyTargets(b: Builder, namespace: string, selector: Json | undefined): string[] {
  const labels = objectAt(selector?.matchLabels) as Record<string, string>;
  const app =
    labels.app ?? labels["serving.knative.dev/service"] ?? labels["app.kubernetes.io/name"];
  if (selector === undefined || Object.keys(labels).length === 0)
    return [
      b.node({
        id: `ns:${namespace}`,
        kind: "namespace",
        label: `every workload in ${namespace}`,
        group: namespace,
      }),
    ];
  if (app && b.nodes.has(`svc:${namespace}/${app}`)) return [`svc:${namespace}/${app}`];
  const sel = Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  return [
    b.node({
      id: `sel:${namespace}/${sel}`,
      kind: "workload",
      label: `pods ${sel}`,
      group: namespace,
    }),
  ];
}

function addAccess(b: Builder, objects: Json[]): void {
  for (const p of objects.filter((m) => kindKey(m) === "security.istio.io/AuthorizationPolicy")) {
    const { namespace } = meta(p);
    const spec = objectAt(p.spec);
    const action = String(spec.action ?? "ALLOW");
    const rules = objectsAt(spec.rules);
    if (action === "ALLOW" && rules.length === 0 && spec.selector === undefined) {
      // https://istio.io/latest/docs/reference/config/security/authorization-policy/ (allow-nothing)
      b.group(namespace, { denyByDefault: true });
      continue;
    }
    if (action !== "ALLOW") continue; // DENY/CUSTOM/AUDIT narrow or observe; the picture shows grants
    const targets = policyTargets(b, namespace, objectAt(p.spec).selector as Json | undefined);
    for (const rule of rules) {
      const ops = objectsAt(rule.to).map((t) => objectAt(t.operation));
      const what = ops
        .map((o) =>
          [stringsAt(o.methods).join(","), stringsAt(o.paths).join(" ")].filter(Boolean).join(" "),
        )
        .filter(Boolean)
        .join(" | ");
      const label = [what, rule.when ? "when …" : ""].filter(Boolean).join(" ") || "any request";
      const sources = objectsAt(rule.from).map((f) => objectAt(f.source));
      const from: string[] = [];
      for (const s of sources) {
        for (const pr of stringsAt(s.principals)) {
          const m = /^[^/]+\/ns\/([^/]+)\/sa\/(.+)$/.exec(pr);
          const runsAs = m ? b.accounts.get(`${m[1]}/${m[2]}`) : undefined;
          from.push(
            runsAs && b.nodes.has(runsAs)
              ? runsAs
              : m
                ? b.node({
                    id: `sa:${m[1]}/${m[2]}`,
                    kind: "principal",
                    label: `sa ${m[2]}`,
                    group: m[1],
                  })
                : b.node({ id: `principal:${pr}`, kind: "principal", label: pr }),
          );
        }
        for (const ns of stringsAt(s.namespaces))
          from.push(
            b.node({
              id: `ns:${ns}`,
              kind: "namespace",
              label: `every workload in ${ns}`,
              group: ns,
            }),
          );
        for (const ip of stringsAt(s.ipBlocks))
          from.push(b.node({ id: `ip:${ip}`, kind: "external", label: `IP ${ip}` }));
      }
      if (sources.length === 0 || from.length === 0)
        from.push(b.node({ id: "any", kind: "external", label: "any caller" }));
      for (const f of from)
        for (const t of targets) b.edge({ from: f, to: t, kind: "allow", label });
    }
  }
}

/**
 * mTLS per namespace: the namespace's own PeerAuthentication, else the mesh-wide one in the root
 * namespace, else Istio's default (PERMISSIVE):
 * https://istio.io/latest/docs/reference/config/security/peer_authentication/
 */
function addMtls(b: Builder, objects: Json[]): void {
  const modes = new Map<string, string>();
  for (const p of objects.filter((m) => kindKey(m) === "security.istio.io/PeerAuthentication")) {
    const spec = objectAt(p.spec);
    if (spec.selector !== undefined) continue; // a workload's exception, not the namespace's mode
    modes.set(meta(p).namespace, String(objectAt(spec.mtls).mode ?? "UNSET"));
  }
  const mesh = modes.get(ROOT_NAMESPACE) ?? "PERMISSIVE (Istio default)";
  for (const m of objects.filter((o) => kindKey(o) === "v1/Namespace")) b.group(meta(m).name);
  // A namespace with nothing else in the picture still shows its mode.
  const used = new Set([...b.nodes.values()].map((n) => n.group));
  for (const g of [...b.groups.values()].filter((x) => !used.has(x.id) && !x.id.startsWith("aws:")))
    b.node({
      id: `ns:${g.id}`,
      kind: "namespace",
      label: `every workload in ${g.id}`,
      group: g.id,
    });
  for (const g of b.groups.values()) if (!g.id.startsWith("aws:")) g.mtls = modes.get(g.id) ?? mesh;
}

/** The graph of a render: Kubernetes objects (as written) and the AWS plan's resources. */
export function buildTopology(objects: Json[], aws: AwsPlanResource[] = []): Topology {
  const b = new Builder();
  addServices(b, objects);
  addGatewaysAndRoutes(b, objects);
  addAccess(b, objects);
  addMtls(b, objects);
  addAws(b, aws);
  const byId = (x: { id: string }, y: { id: string }): number => x.id.localeCompare(y.id);
  return {
    nodes: [...b.nodes.values()].sort(byId),
    edges: [...b.edges.values()].sort(
      (x, y) =>
        x.from.localeCompare(y.from) ||
        x.to.localeCompare(y.to) ||
        x.kind.localeCompare(y.kind) ||
        (x.label ?? "").localeCompare(y.label ?? ""),
    ),
    groups: [...b.groups.values()].sort(byId),
  };
}
