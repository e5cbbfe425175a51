/**
 * References that decide whether anything is scraped or reachable: monitor selectors and
 * ports, and namespace Sidecars that hide a service the namespace is declared to call.
 */
import { istioObjects } from "./istio-routing";
import { Inventory, K8sObject, Rule, Workload } from "./model";
import {
  hostMatches,
  labelsMatch,
  labelsOf,
  nsOf,
  obj,
  Obj,
  objs,
  qualifiedHost,
  serviceOfHost,
  spec,
  splitNamespaced,
  str,
  strs,
} from "./read";
import { selectedWorkloads } from "./references";

/** A metav1.LabelSelector (matchLabels + matchExpressions) against a label set. */
function selectorMatches(selector: Obj, labels: Record<string, string>): boolean {
  if (!labelsMatch(labelsOf(selector.matchLabels), labels)) return false;
  return objs(selector.matchExpressions).every((e) => {
    const key = str(e.key) ?? "";
    const values = strs(e.values);
    switch (e.operator) {
      case "In":
        return key in labels && values.includes(labels[key]);
      case "NotIn":
        return !(key in labels) || !values.includes(labels[key]);
      case "Exists":
        return key in labels;
      case "DoesNotExist":
        return !(key in labels);
      default:
        return false;
    }
  });
}

interface Target {
  namespace: string;
  labels: Record<string, string>;
  ports: Set<string>;
}

// A Knative revision's Services carry the template labels plus serving.knative.dev/service, and
// these port names (knative/serving pkg/apis/serving/v1/revision_helpers.go; knative/networking
// ServicePortName*).
const KNATIVE_SERVICE_PORTS = [
  "http",
  "http2",
  "https",
  "http-queueadm",
  "http-autometric",
  "http-usermetric",
];

function serviceTargets(index: Inventory): Target[] {
  const plain = index
    .byKind("Service")
    .filter((s) => s.apiVersion === "v1")
    .map((s) => ({
      namespace: nsOf(s),
      labels: labelsOf(s.metadata.labels),
      ports: new Set(objs(spec(s).ports).map((p) => str(p.name) ?? "")),
    }));
  const knative = index.workloads
    .filter((w) => w.knative)
    .map((w) => ({
      namespace: w.namespace,
      labels: w.podLabels,
      ports: new Set(KNATIVE_SERVICE_PORTS),
    }));
  return [...plain, ...knative];
}

function podTargets(index: Inventory): Target[] {
  return index.workloads.map((w) => ({
    namespace: w.namespace,
    labels: w.podLabels,
    ports: new Set(
      objs(w.podSpec.containers).flatMap((c) => objs(c.ports).map((p) => str(p.name) ?? "")),
    ),
  }));
}

function namespacesOf(monitor: K8sObject): (ns: string) => boolean {
  const sel = obj(spec(monitor).namespaceSelector);
  if (sel.any === true) return () => true;
  const names = strs(sel.matchNames);
  return names.length > 0 ? (ns) => names.includes(ns) : (ns) => ns === nsOf(monitor);
}

export const monitorTargets: Rule = {
  code: "MS405",
  summary:
    "ServiceMonitor/PodMonitor selector + namespaceSelector find a Service/pod with the port",
  source:
    "prometheus-operator pkg/prometheus/promcfg.go (endpoints by port name; namespaceSelector defaults to the monitor's namespace)",
  check(index, report) {
    const targets = { ServiceMonitor: serviceTargets(index), PodMonitor: podTargets(index) };
    for (const kind of ["ServiceMonitor", "PodMonitor"] as const)
      for (const m of index
        .byKind(kind)
        .filter((o) => o.apiVersion.startsWith("monitoring.coreos.com/"))) {
        const inNs = namespacesOf(m);
        const selector = obj(spec(m).selector);
        const matched = targets[kind].filter(
          (t) => inNs(t.namespace) && selectorMatches(selector, t.labels),
        );
        const what = kind === "ServiceMonitor" ? "Service" : "pod";
        const where =
          obj(spec(m).namespaceSelector).any === true
            ? "any namespace"
            : strs(obj(spec(m).namespaceSelector).matchNames).join(", ") || nsOf(m);
        if (matched.length === 0) {
          report(
            m,
            "warning",
            `selects no ${what} of the input in ${where}; it scrapes nothing unless one exists there`,
          );
          continue;
        }
        const endpoints = objs(
          spec(m)[kind === "ServiceMonitor" ? "endpoints" : "podMetricsEndpoints"],
        );
        for (const e of endpoints) {
          const port = str(e.port);
          if (port && !matched.some((t) => t.ports.has(port)))
            report(
              m,
              "error",
              `no selected ${what} in ${where} has a port named ${port}; name the metrics port or fix endpoints[].port`,
            );
        }
      }
  },
};

/** The hosts a namespace-wide Sidecar's catch-all egress listener lets its workloads see. */
function egressAllows(sidecar: K8sObject, host: string, hostNamespace: string): boolean {
  const listeners = objs(spec(sidecar).egress).filter((e) => e.port === undefined);
  if (listeners.length === 0) return true; // port listeners only scope those ports
  return listeners.some((l) =>
    strs(l.hosts).some((h) => {
      const [ns, pattern] = splitNamespaced(h, nsOf(sidecar));
      return (ns === "*" || ns === hostNamespace) && hostMatches(pattern, host);
    }),
  );
}

function calleeHosts(index: Inventory, w: Workload): string[] {
  if (w.knative) return [`${w.owner.metadata.name}.${w.namespace}.svc.cluster.local`];
  return index
    .inNamespace("Service", w.namespace)
    .filter((s) => s.apiVersion === "v1")
    .filter(
      (s) =>
        Object.keys(labelsOf(spec(s).selector)).length > 0 &&
        labelsMatch(labelsOf(spec(s).selector), w.podLabels),
    )
    .map((s) => `${s.metadata.name}.${w.namespace}.svc.cluster.local`);
}

const CALLER = /^[^/]+\/ns\/([^/]+)\/sa\/[^/]+$/;

export const sidecarEgress: Rule = {
  code: "MS407",
  summary:
    "a namespace Sidecar's egress lets its workloads reach the services they are declared to call",
  source:
    "https://istio.io/latest/docs/reference/config/networking/sidecar/ (egress hosts scope what a proxy sees)",
  check(index, report) {
    const sidecars = new Map<string, K8sObject>();
    for (const sc of istioObjects(index, "Sidecar"))
      if (spec(sc).workloadSelector === undefined) sidecars.set(nsOf(sc), sc);
    const blocked = (callerNs: string, host: string, hostNs: string, why: string) => {
      const sc = sidecars.get(callerNs);
      if (sc && !egressAllows(sc, host, hostNs))
        report(
          sc,
          "error",
          `egress hides ${host}, which ${why}; add "${hostNs}/${host}" (or "${hostNs}/*") to egress hosts`,
        );
    };
    // Mesh routes: a VirtualService's destinations are what its namespace calls.
    for (const vs of istioObjects(index, "VirtualService")) {
      const gws = strs(spec(vs).gateways);
      if (gws.length > 0 && !gws.includes("mesh")) continue;
      for (const r of [...objs(spec(vs).http), ...objs(spec(vs).tcp)])
        for (const d of objs(r.route)) {
          const host = str(obj(d.destination).host);
          const svc = host ? serviceOfHost(host, nsOf(vs)) : undefined;
          if (svc)
            blocked(
              nsOf(vs),
              qualifiedHost(host!, nsOf(vs)),
              svc.namespace,
              `VirtualService ${nsOf(vs)}/${vs.metadata.name} routes to`,
            );
        }
    }
    // Declared callees: a ServiceEntry is a host its namespace's workloads mean to call.
    for (const se of istioObjects(index, "ServiceEntry"))
      for (const host of strs(spec(se).hosts))
        blocked(
          nsOf(se),
          host,
          nsOf(se),
          `ServiceEntry ${nsOf(se)}/${se.metadata.name} declares as a callee`,
        );
    // Access grants: a principal or namespace allowed to call a service declares that call.
    for (const ap of istioObjects(index, "AuthorizationPolicy")) {
      const s = spec(ap);
      if ((str(s.action) ?? "ALLOW") !== "ALLOW") continue;
      const callees = selectedWorkloads(
        index,
        nsOf(ap),
        labelsOf(obj(s.selector).matchLabels),
      ).flatMap((w) => calleeHosts(index, w).map((h) => ({ host: h, ns: w.namespace })));
      for (const r of objs(s.rules))
        for (const f of objs(r.from)) {
          const src = obj(f.source);
          const callers = new Set([
            ...strs(src.namespaces),
            ...strs(src.principals)
              .map((p) => CALLER.exec(p)?.[1])
              .filter((n): n is string => !!n),
          ]);
          for (const caller of callers)
            for (const c of callees)
              blocked(
                caller,
                c.host,
                c.ns,
                `AuthorizationPolicy ${nsOf(ap)}/${ap.metadata.name} lets ${caller} call`,
              );
        }
    }
  },
};
