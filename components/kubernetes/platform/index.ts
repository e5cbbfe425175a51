// Public API of this area, re-exported by name.
export {
  IstioMesh,
  checkIstioArgs,
  gatewaySelector,
  istiodValues,
  gatewayValues,
  cniValues,
  ztunnelValues,
  ISTIO_PROFILES,
  MTLS_MODES,
} from "./istio";
export type {
  IstioMeshArgs,
  IstioGatewayArgs,
  IstioTracingProvider,
  IstioProfile,
  IstioValues,
  MtlsMode,
  GatewayServiceType,
} from "./istio";
export {
  KnativeServing,
  checkKnativeArgs,
  knativeConfig,
  knativeOperatorValues,
  ISTIO_INGRESS_CLASS,
  KNATIVE_INGRESS_GATEWAY,
} from "./knative";
export type {
  KnativeServingArgs,
  KnativeAutoscalerArgs,
  KnativeIstioTarget,
  FeatureState,
} from "./knative";
export { KnativeEventing, resolveKnativeEventing, knativeEventingConfig } from "./knative-eventing";
export type { KnativeEventingArgs, EventingBrokerArgs } from "./knative-eventing";
export {
  Jaeger,
  checkJaegerArgs,
  jaegerConfig,
  jaegerValues,
  jaegerTracingProvider,
  JAEGER_RELEASE,
  OTLP_GRPC_PORT,
} from "./jaeger";
export type { JaegerArgs, JaegerTelemetryTarget } from "./jaeger";
export {
  Prometheus,
  checkPrometheusArgs,
  prometheusValues,
  envoyStatsMonitor,
  istiodMonitor,
  MONITOR_LABELS,
  PROMETHEUS_RELEASE,
} from "./prometheus";
export type {
  PrometheusArgs,
  ComputeResources,
  ResourceList,
  IstioMonitorTarget,
} from "./prometheus";
export { Fluentd, checkFluentdArgs, fluentdPipeline, fluentdValues } from "./fluentd";
export type {
  FluentdArgs,
  FluentdOutput,
  SearchOutput,
  StdoutOutput,
  OutputTls,
  OutputCredentials,
  SecretKeyRef,
} from "./fluentd";
export { OpenFaas, resolveOpenFaas, OPENFAAS_RELEASE } from "./openfaas";
export type {
  OpenFaasArgs,
  OpenFaasCredentials,
  OpenFaasEdition,
  OpenFaasIstioTarget,
} from "./openfaas";
export { openfaasValues } from "./openfaas-values";
export { MeshPlatform } from "./platform";
export type {
  MeshPlatformArgs,
  AddOn,
  PlatformIstioArgs,
  PlatformKnativeArgs,
  PlatformEventingArgs,
  PlatformJaegerArgs,
  PlatformPrometheusArgs,
  PlatformFluentdArgs,
  PlatformOpenFaasArgs,
} from "./platform";
export {
  CHARTS,
  ISTIO_CHARTS,
  ISTIO_VERSION,
  KNATIVE_SERVING_VERSION,
  KNATIVE_EVENTING_VERSION,
  isPinnedVersion,
} from "./versions";
export type { ChartKey, ChartSource, ChartVersions } from "./versions";
export { deepMerge, sortKeys } from "./helm";
export type { Values } from "./helm";
