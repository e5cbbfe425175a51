import type { ComputeResources } from "./resources";
import type { ArgChecker } from "../../core/validate";
import type { Values } from "./helm";
import { extAuthzProviders, type IstioExtAuthzProvider } from "./ext-authz";

/**
 * Types and pure values builders of the Istio charts (`istiod`, `gateway`, `cni`, `ztunnel`),
 * used by IstioMesh and tested without mocks.
 */
/** Data plane profile. @see https://istio.io/latest/docs/ambient/install/helm/ */
export type IstioProfile = "default" | "ambient";
export const ISTIO_PROFILES: readonly IstioProfile[] = ["default", "ambient"];

/** Mesh-wide mTLS mode. `DISABLE` is not offered: the platform is secure by default. */
export type MtlsMode = "STRICT" | "PERMISSIVE";
export const MTLS_MODES: readonly MtlsMode[] = ["STRICT", "PERMISSIVE"];

export type GatewayServiceType = "LoadBalancer" | "NodePort" | "ClusterIP";

/** An OpenTelemetry tracing provider for `meshConfig.extensionProviders`. */
export interface IstioTracingProvider {
  /** Provider name that `Telemetry` resources select. */
  name: string;
  /** Fully qualified host of the OTLP gRPC receiver, e.g. `jaeger.tracing.svc.cluster.local`. */
  service: string;
  /** OTLP gRPC port. */
  port: number;
  /**
   * Percentage of requests traced mesh-wide where no `Telemetry` sets a rate, 0.01-100 with 0.01
   * precision (`meshConfig.defaultConfig.tracing.sampling`). @default Istio's 1
   */
  samplingPercentage?: number;
}

/**
 * Checks a trace sampling percentage: `min`-100 with 0.01 precision, as Istio's Telemetry API and
 * MeshConfig take it (https://istio.io/latest/docs/tasks/observability/distributed-tracing/sampling/).
 */
export function checkSamplingPercentage(
  check: ArgChecker,
  argument: string,
  value: number | undefined,
  min: number,
): void {
  check.number(argument, value, min, 100);
  if (value !== undefined && Math.abs(Math.round(value * 100) - value * 100) > 1e-9) {
    check.fail(argument, value, "must have at most two decimals (precision 0.01)");
  }
}

/** The ingress gateway (chart `gateway`). */
export interface IstioGatewayArgs {
  /** Helm release name; also the Deployment/Service name and the pods' `app` label. @default "istio-ingressgateway" */
  name?: string;
  /** Namespace of the gateway. @default the root namespace */
  namespace?: string;
  /** Service type. @default "LoadBalancer" */
  serviceType?: GatewayServiceType;
}

/** Value overrides per Istio chart, deep-merged last. */
export interface IstioValues {
  base?: Values;
  istiod?: Values;
  gateway?: Values;
  cni?: Values;
  ztunnel?: Values;
}

/** Labels of the gateway chart's pods (its `gateway.selectorLabels` helper). */
export function gatewaySelector(releaseName: string): Record<string, string> {
  return { app: releaseName, istio: releaseName.replace(/^istio-/, "") };
}

export interface IstiodValuesInput {
  namespace: string;
  profile: IstioProfile;
  revision?: string;
  cni: boolean;
  registry?: string;
  accessLogFile: string;
  accessLogEncoding: "TEXT" | "JSON";
  trustDomain: string;
  tracing?: IstioTracingProvider;
  /** Minimum istiod replicas (HPA minimum); unset keeps the chart's default of 1. */
  replicas?: number;
  /** Requests/limits of every injected istio-proxy (`global.proxy.resources`). */
  proxyResources?: ComputeResources;
  /** Checked ext-authz providers, added to `meshConfig.extensionProviders` after tracing's. */
  extAuthz?: Array<IstioExtAuthzProvider & { name: string }>;
}

/** The charts' HPA maximum is 5 (istiod `autoscaleMax`, gateway `autoscaling.maxReplicas`). */
const CHART_HPA_MAX = 5;

/**
 * The tracing part of `meshConfig`. The extension provider alone traces nothing: a proxy gets a
 * tracer only from a `Telemetry` selecting a provider or from `defaultProviders.tracing`
 * (istio/istio pilot/pkg/model/telemetry.go `Tracing`: with neither it returns nil and
 * pilot/pkg/networking/core/tracing.go falls back to the legacy, provider-less configuration).
 * So the provider is also the mesh's default. The rate, where no Telemetry sets one, is
 * `defaultConfig.tracing.sampling` (tracing.go: provider sampler > Telemetry
 * randomSamplingPercentage > defaultConfig.tracing.sampling > PILOT_TRACE_SAMPLING).
 */
function tracingMeshConfig(t: IstioTracingProvider): Values {
  return {
    ...(t.samplingPercentage !== undefined
      ? { defaultConfig: { tracing: { sampling: t.samplingPercentage } } }
      : {}),
    defaultProviders: { tracing: [t.name] },
    enableTracing: true,
    extensionProviders: [{ name: t.name, opentelemetry: { port: t.port, service: t.service } }],
  };
}

/** Values of chart `istiod`. */
export function istiodValues(i: IstiodValuesInput): Values {
  const meshConfig: Values = {
    accessLogEncoding: i.accessLogEncoding,
    accessLogFile: i.accessLogFile,
    trustDomain: i.trustDomain,
    ...(i.tracing ? tracingMeshConfig(i.tracing) : {}),
  };
  if (i.extAuthz?.length) {
    const tracing = (meshConfig.extensionProviders as Values[] | undefined) ?? [];
    meshConfig.extensionProviders = [...tracing, ...extAuthzProviders(i.extAuthz)];
  }
  const global: Values = { istioNamespace: i.namespace };
  if (i.registry !== undefined) global.hub = `${i.registry}/istio`;
  if (i.proxyResources) global.proxy = { resources: i.proxyResources };
  // The istiod chart reads these at the top level (`.Values.cni`, `.Values.autoscaleMin`, ...):
  // `pilot.*` is IstioOperator's spelling, which the chart ignores.
  return {
    // Sidecar injection without the istio-init container (the ambient profile sets its own).
    ...(i.cni && i.profile !== "ambient" ? { cni: { enabled: true } } : {}),
    ...(i.replicas !== undefined ? hpaBounds("autoscaleMin", "autoscaleMax", i.replicas) : {}),
    global,
    meshConfig,
    ...(i.profile === "ambient" ? { profile: "ambient" } : {}),
    ...(i.revision !== undefined ? { revision: i.revision } : {}),
  };
}

/**
 * A minimum replica count as the charts take it. Both charts autoscale by default and then
 * ignore `replicaCount` (istiod templates/deployment.yaml and gateway templates/deployment.yaml
 * set `spec.replicas` only `if not` autoscaling), so the minimum goes to the HPA, whose maximum
 * rises to match when above the chart's.
 */
function hpaBounds(minKey: string, maxKey: string, n: number): Values {
  return { [minKey]: n, ...(n > CHART_HPA_MAX ? { [maxKey]: n } : {}) };
}

/** Values of chart `gateway` (its image comes from istiod's injection template). */
export function gatewayValues(i: {
  revision?: string;
  serviceType: GatewayServiceType;
  replicas?: number;
}): Values {
  return {
    ...(i.replicas !== undefined
      ? { autoscaling: hpaBounds("minReplicas", "maxReplicas", i.replicas) }
      : {}),
    ...(i.revision !== undefined ? { revision: i.revision } : {}),
    service: { type: i.serviceType },
  };
}

/** Values of chart `cni`. */
export function cniValues(i: {
  profile: IstioProfile;
  revision?: string;
  registry?: string;
}): Values {
  return {
    ...(i.registry !== undefined ? { global: { hub: `${i.registry}/istio` } } : {}),
    ...(i.profile === "ambient" ? { profile: "ambient" } : {}),
    ...(i.revision !== undefined ? { revision: i.revision } : {}),
  };
}

/** Values of chart `ztunnel` (it names its image hub `hub`, not `global.hub`). */
export function ztunnelValues(i: {
  namespace: string;
  revision?: string;
  registry?: string;
}): Values {
  return {
    ...(i.registry !== undefined ? { hub: `${i.registry}/istio` } : {}),
    istioNamespace: i.namespace,
    ...(i.revision !== undefined ? { revision: i.revision } : {}),
  };
}
