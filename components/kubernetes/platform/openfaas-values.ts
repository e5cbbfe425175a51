/**
 * Values of the `openfaas` chart (openfaas/faas-netes chart/openfaas, pinned in versions.ts) for
 * OpenFaaS in an Istio mesh, as OpenFaaS documents it:
 * - chart README "Service meshes" / "Istio mTLS": `gateway.directFunctions=true` (the gateway
 *   calls a function's Service and Envoy balances between its pods), `gateway.probeFunctions=true`
 *   ("a workaround for openfaas/faas#1721": Envoy may not route to an endpoint Kubernetes already
 *   reports ready), OpenFaaS Pro ("Istio requires OpenFaaS Pro to function correctly");
 * - the OpenFaaS blog "Learn how Istio can provide a service mesh for your functions"
 *   (openfaas.com/blog/istio-functions, 2021-05-12): the same flags, plus `operator.create` for
 *   the `Function` CRD and the licence in Secret `openfaas-license`;
 * - values-pro.yaml: `operator.create`, `leaderElection` with more than one gateway replica,
 *   `clusterRole: true`, the restricted container securityContext;
 * - "GitOps" in the chart README: `generateBasicAuth=false` with a pre-created `basic-auth`
 *   Secret, so the admin password stays stable across upgrades.
 */
import { Values } from "./helm";

/** `openfaasPro: true` (Standard or for Enterprises, with the operator), or the Community Edition. */
export type OpenFaasEdition = "pro" | "ce";

/** What the values depend on, resolved. */
export interface OpenFaasValuesInput {
  edition: OpenFaasEdition;
  functionNamespace: string;
  gatewayReplicas: number;
  probes: "http" | "exec";
  registry?: string;
}

/**
 * The container securityContext of values-pro.yaml ("applied to the OpenFaaS components deployed
 * by this chart other than Prometheus"); the chart's own default is `{}`.
 */
const SECURITY_CONTEXT = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  runAsUser: 10001,
};

/** Values of chart `openfaas` (before the caller's overrides). */
export function openfaasValues(i: OpenFaasValuesInput): Values {
  const pro = i.edition === "pro";
  const http = i.probes === "http";
  return {
    // The Function CRD's operator: the chart refuses `operator.create` without `openfaasPro`
    // (templates/gateway-dep.yaml: "enabling 'operator.create' is only supported for OpenFaaS Pro").
    openfaasPro: pro,
    operator: {
      create: pro,
      // values-pro.yaml: "leaderElection is required if gateway.replicas > 1".
      leaderElection: { enabled: pro && i.gatewayReplicas > 1 },
    },
    // values-pro.yaml: the Pro autoscaler's CPU/RAM metrics and multiple function namespaces.
    clusterRole: pro,
    functionNamespace: i.functionNamespace,
    basic_auth: true,
    generateBasicAuth: false,
    // The gateway is reached through Istio's ingress gateway, not a NodePort.
    exposeServices: false,
    // HTTP probes pass STRICT mTLS because Istio's injector rewrites them to the sidecar's
    // agent (chart README: "compatible with Istio >= 1.1.5"); `exec` needs no rewrite.
    httpProbe: http,
    functions: { httpProbe: http },
    gateway: { directFunctions: true, probeFunctions: true, replicas: i.gatewayReplicas },
    // The chart's own policies are security.istio.io/v1beta1; `OpenFaas` emits v1 ones instead.
    istio: { mtls: false },
    securityContext: { ...SECURITY_CONTEXT },
    // templates/_helpers.tpl "openfaas.image": replaces the image's registry (docker.io, ghcr.io).
    ...(i.registry !== undefined ? { registryPrefix: i.registry } : {}),
  };
}
