/**
 * Cross-object references: what one object names must exist. A reference that resolves to
 * nothing in the input is an error when the input holds what it should find (the same
 * namespace's Gateways, a DestinationRule for the host) and a warning when the target may live
 * outside the input (service accounts, workloads deployed by other means).
 */
import { istioObjects } from "./istio-routing";
import { Inventory, K8sObject, Rule } from "./model";
import {
  groupBy,
  labelsMatch,
  labelsOf,
  nsOf,
  obj,
  objs,
  qualifiedHost,
  spec,
  splitNamespaced,
  str,
  strs,
} from "./read";

/** Gateways net-istio creates in knative-serving (net-istio config/ 203-local-gateway.yaml, 202-gateway.yaml). */
const KNATIVE_GATEWAYS = new Set([
  "knative-serving/knative-ingress-gateway",
  "knative-serving/knative-local-gateway",
]);

export const virtualServiceSubsets: Rule = {
  code: "MS401",
  summary: "a VirtualService subset is defined by a DestinationRule for that host",
  source:
    "istio/istio pkg/config/analysis/analyzers/virtualservice/destinationrules.go (IST0101 analogue)",
  check(index, report) {
    const subsets = new Map<string, Set<string>>();
    for (const dr of istioObjects(index, "DestinationRule")) {
      const host = qualifiedHost(str(spec(dr).host) ?? "", nsOf(dr));
      const set = subsets.get(host) ?? new Set<string>();
      for (const s of objs(spec(dr).subsets)) set.add(str(s.name) ?? "");
      subsets.set(host, set);
    }
    for (const vs of istioObjects(index, "VirtualService")) {
      const s = spec(vs);
      for (const r of [...objs(s.http), ...objs(s.tcp), ...objs(s.tls)])
        for (const d of objs(r.route)) {
          const dest = obj(d.destination);
          const subset = str(dest.subset);
          if (!subset) continue;
          const host = qualifiedHost(str(dest.host) ?? "", nsOf(vs));
          const defined = subsets.get(host);
          if (!defined)
            report(
              vs,
              "warning",
              `subset ${subset} of ${host}: no DestinationRule for that host in the input; without one Istio answers 503`,
            );
          else if (!defined.has(subset))
            report(
              vs,
              "error",
              `subset ${subset} of ${host} is not defined by its DestinationRule (has: ${[...defined].sort().join(", ") || "none"}); requests get 503`,
            );
        }
    }
  },
};

export const virtualServiceGateways: Rule = {
  code: "MS402",
  summary: "a VirtualService's gateways exist (`mesh` and Knative's gateways count)",
  source: "istio/istio pkg/config/analysis/analyzers/virtualservice/gateways.go (IST0101 analogue)",
  check(index, report) {
    const gateways = new Set(
      istioObjects(index, "Gateway").map((g) => `${nsOf(g)}/${g.metadata.name}`),
    );
    const check = (vs: K8sObject, ref: string) => {
      if (ref === "mesh") return;
      const [ns, name] = splitNamespaced(ref, nsOf(vs));
      const key = `${ns}/${name}`;
      if (gateways.has(key) || KNATIVE_GATEWAYS.has(key)) return;
      const ours = ns === nsOf(vs) || index.createdNamespaces.has(ns);
      report(
        vs,
        ours ? "error" : "warning",
        `gateway ${key} does not exist${ours ? "" : " in the input"}; the routes never apply`,
      );
    };
    for (const vs of istioObjects(index, "VirtualService")) {
      const s = spec(vs);
      strs(s.gateways).forEach((g) => check(vs, g));
      for (const r of objs(s.http))
        for (const m of objs(r.match)) strs(m.gateways).forEach((g) => check(vs, g));
    }
  },
};

const SELECTED = [
  "AuthorizationPolicy",
  "PeerAuthentication",
  "RequestAuthentication",
  "Telemetry",
  "Sidecar",
];

/** Workloads a policy's selector picks; the root namespace's policies reach every namespace. */
export function selectedWorkloads(
  index: Inventory,
  namespace: string,
  selector: Record<string, string>,
) {
  const candidates = namespace === "istio-system" ? index.workloads : index.workloadsIn(namespace);
  return candidates.filter((w) => labelsMatch(selector, w.podLabels));
}

export const policySelectors: Rule = {
  code: "MS403",
  summary: "workload selectors of Istio policies match a workload or Knative Service in the input",
  source:
    "istio/istio pkg/config/analysis/analyzers/authz/authorizationpolicies.go, sidecar/selector.go, telemetry/selector.go",
  check(index, report) {
    for (const kind of SELECTED)
      for (const o of istioObjects(index, kind)) {
        const s = spec(o);
        const selector = labelsOf(
          kind === "Sidecar" ? obj(s.workloadSelector).labels : obj(s.selector).matchLabels,
        );
        if (Object.keys(selector).length === 0) continue;
        if (selectedWorkloads(index, nsOf(o), selector).length === 0)
          report(
            o,
            "warning",
            `selector ${JSON.stringify(selector)} matches no workload or Knative Service in ${nsOf(o)} in the input`,
          );
      }
  },
};

const PRINCIPAL = /^([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/;
const KNATIVE_SERVING_ACCOUNTS = ["activator", "controller"];
/**
 * Accounts of the Eventing data plane the operator creates in the KnativeEventing's namespace
 * (knative/eventing config/brokers/mt-channel-broker/roles/{filter,ingress}-serviceaccount.yaml,
 * config/core/deployments/pingsource-mt-adapter.yaml,
 * config/channels/in-memory-channel/200-imc-dispatcher-serviceaccount.yaml).
 */
const KNATIVE_EVENTING_ACCOUNTS = [
  "imc-dispatcher",
  "mt-broker-filter",
  "mt-broker-ingress",
  "pingsource-mt-adapter",
];

export const principalAccounts: Rule = {
  code: "MS404",
  summary:
    "AuthorizationPolicy principals name service accounts that exist (`default` always does)",
  source:
    "https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source (principal <trust-domain>/ns/<ns>/sa/<sa>)",
  check(index, report) {
    const accounts = new Set(
      index.byKind("ServiceAccount").map((sa) => `${nsOf(sa)}/${sa.metadata.name}`),
    );
    for (const w of index.workloads) {
      const sa = str(w.podSpec.serviceAccountName);
      if (sa) accounts.add(`${w.namespace}/${sa}`);
    }
    // The Knative operator creates Serving's own accounts in the KnativeServing's namespace:
    // knative/serving config/core/200-serviceaccount.yaml (`controller`) and
    // config/core/deployments/activator.yaml (`serviceAccountName: activator`).
    for (const ks of index.byKind("KnativeServing"))
      for (const sa of KNATIVE_SERVING_ACCOUNTS) accounts.add(`${nsOf(ks)}/${sa}`);
    for (const ke of index.byKind("KnativeEventing"))
      for (const sa of KNATIVE_EVENTING_ACCOUNTS) accounts.add(`${nsOf(ke)}/${sa}`);
    for (const ap of istioObjects(index, "AuthorizationPolicy"))
      for (const r of objs(spec(ap).rules))
        for (const f of objs(r.from))
          for (const p of [
            ...strs(obj(f.source).principals),
            ...strs(obj(f.source).notPrincipals),
          ]) {
            const m = PRINCIPAL.exec(p);
            if (!m || p.includes("*") || m[3] === "default") continue;
            if (!accounts.has(`${m[2]}/${m[3]}`))
              report(
                ap,
                "warning",
                `principal ${p}: service account ${m[2]}/${m[3]} is not in the input; until it exists the rule matches nobody`,
              );
          }
  },
};

export const duplicateDestinationHosts: Rule = {
  code: "MS406",
  summary: "two DestinationRules for one host (Istio applies one rule's trafficPolicy)",
  source:
    "https://istio.io/latest/docs/ops/best-practices/traffic-management/#split-virtual-services",
  check(index, report) {
    const byHost = groupBy(
      istioObjects(index, "DestinationRule").filter(
        (dr) => spec(dr).workloadSelector === undefined,
      ),
      (dr) => qualifiedHost(str(spec(dr).host) ?? "", nsOf(dr)),
    );
    for (const [host, rules] of byHost) {
      if (rules.length < 2) continue;
      const sorted = [...rules].sort((a, b) =>
        `${nsOf(a)}/${a.metadata.name}`.localeCompare(`${nsOf(b)}/${b.metadata.name}`),
      );
      const names = sorted.map((r) => `${nsOf(r)}/${r.metadata.name}`);
      report(
        sorted[0],
        "warning",
        `DestinationRules ${names.join(", ")} all configure host ${host}: Istio merges only their subsets and applies one rule's top-level trafficPolicy`,
      );
    }
  },
};

/** Keys and sources Istio only fills from a validated JWT. */
function usesJwt(rule: Record<string, unknown>): boolean {
  const sources = objs(rule.from).map((f) => obj(f.source));
  return (
    sources.some(
      (s) => s.requestPrincipals !== undefined || s.notRequestPrincipals !== undefined,
    ) || objs(rule.when).some((w) => (str(w.key) ?? "").startsWith("request.auth."))
  );
}

export const jwtPolicies: Rule = {
  code: "MS408",
  summary:
    "an AuthorizationPolicy on JWT claims or request principals has a RequestAuthentication for its workloads",
  source:
    "https://istio.io/latest/docs/reference/config/security/conditions/ (request.auth.* need a RequestAuthentication)",
  check(index, report) {
    const ras = istioObjects(index, "RequestAuthentication");
    for (const ap of istioObjects(index, "AuthorizationPolicy")) {
      if (!objs(spec(ap).rules).some(usesJwt)) continue;
      const apSelector = labelsOf(obj(spec(ap).selector).matchLabels);
      const covered = ras.some((ra) => {
        const raSelector = labelsOf(obj(spec(ra).selector).matchLabels);
        if (nsOf(ra) === "istio-system")
          return Object.keys(raSelector).length === 0 || labelsMatch(raSelector, apSelector);
        return nsOf(ra) === nsOf(ap) && labelsMatch(raSelector, apSelector);
      });
      if (!covered)
        report(
          ap,
          "warning",
          "uses request principals or request.auth claims, but no RequestAuthentication in the input covers its workloads: without one the JWT is never validated, so those rules never match",
        );
    }
  },
};
