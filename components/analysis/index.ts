/**
 * The analyzer: upstream admission rules, controller ownership, cross-object references,
 * PromQL and capacity, over plain Kubernetes objects. One rule set for three front ends: the
 * renderer, `npm run analyze`, and the policy pack.
 */
import { DEFAULT_OPTIONS, quotaFits } from "./capacity";
export { optionsFromReleases, proxyResourcesFrom } from "./capacity";
export type { ReleaseValues } from "./capacity";
import { gatewayServers, destinationRules, serviceEntries, sidecars } from "./istio-config";
import {
  gatewayNames,
  routeDestinations,
  routeMatches,
  routeTimingAndFaults,
  virtualServiceHosts,
  virtualServiceRoutes,
} from "./istio-routing";
import {
  authorizationPolicies,
  peerAuthentications,
  requestAuthentications,
  telemetries,
} from "./istio-security";
import { buildInventory } from "./inventory";
import {
  autoscalingAnnotations,
  knativeContainers,
  podSpecFeatures,
  revisionLimits,
  trafficTargets,
} from "./knative";
import { AnalysisOptions, Finding, K8sObject, Reporter, Rule } from "./model";
import { istioOwnedNames, knativeChildNames, netIstioNames } from "./ownership";
import { prometheusRules } from "./promql";
import { monitorTargets, sidecarEgress } from "./reachability";
import {
  duplicateDestinationHosts,
  jwtPolicies,
  policySelectors,
  principalAccounts,
  virtualServiceGateways,
  virtualServiceSubsets,
} from "./references";

export type { AnalysisOptions, Finding, K8sObject, PodResources, Rule, Severity } from "./model";

/** Every rule, in code order. */
export const RULES: readonly Rule[] = [
  virtualServiceHosts,
  virtualServiceRoutes,
  routeDestinations,
  routeTimingAndFaults,
  gatewayNames,
  routeMatches,
  gatewayServers,
  destinationRules,
  serviceEntries,
  authorizationPolicies,
  requestAuthentications,
  peerAuthentications,
  sidecars,
  telemetries,
  autoscalingAnnotations,
  revisionLimits,
  podSpecFeatures,
  trafficTargets,
  knativeContainers,
  netIstioNames,
  knativeChildNames,
  istioOwnedNames,
  virtualServiceSubsets,
  virtualServiceGateways,
  policySelectors,
  principalAccounts,
  monitorTargets,
  duplicateDestinationHosts,
  sidecarEgress,
  jwtPolicies,
  prometheusRules,
  quotaFits,
];

/** True for something shaped like a Kubernetes object (apiVersion, kind, metadata). */
export function isK8sObject(value: unknown): value is K8sObject {
  const o = value as K8sObject;
  return (
    !!o &&
    typeof o === "object" &&
    typeof o.apiVersion === "string" &&
    typeof o.kind === "string" &&
    !!o.metadata &&
    typeof o.metadata === "object"
  );
}

/** Runs `rules` (default: all) over the objects of one cluster; findings sorted, each once. */
export function analyze(
  objects: K8sObject[],
  options: AnalysisOptions = {},
  rules: readonly Rule[] = RULES,
): Finding[] {
  const index = buildInventory(objects.filter(isK8sObject));
  const resolved = { ...DEFAULT_OPTIONS, ...options };
  const seen = new Set<string>();
  const findings: Finding[] = [];
  for (const rule of rules) {
    const report: Reporter = (o, severity, message) => {
      const f: Finding = {
        severity,
        code: rule.code,
        kind: o.kind,
        namespace: o.metadata.namespace ?? "",
        name: o.metadata.name ?? "",
        message,
      };
      const key = JSON.stringify(f);
      if (!seen.has(key)) findings.push(f);
      seen.add(key);
    };
    rule.check(index, report, resolved);
  }
  const rank = (f: Finding) => (f.severity === "error" ? 0 : 1);
  return findings.sort(
    (a, b) =>
      rank(a) - rank(b) ||
      a.code.localeCompare(b.code) ||
      a.namespace.localeCompare(b.namespace) ||
      a.kind.localeCompare(b.kind) ||
      a.name.localeCompare(b.name) ||
      a.message.localeCompare(b.message),
  );
}

/** `error <CODE> <Kind> <namespace>/<name>: <message>` (cluster-scoped objects: `<name>`). */
export function formatFinding(f: Finding): string {
  const where = f.namespace ? `${f.namespace}/${f.name}` : f.name;
  return `${f.severity} ${f.code} ${f.kind} ${where}: ${f.message}`;
}

/** The count line printed after the findings. */
export function countLine(findings: Finding[]): string {
  const errors = findings.filter((f) => f.severity === "error").length;
  const warnings = findings.length - errors;
  return `${errors} error(s), ${warnings} warning(s)`;
}
