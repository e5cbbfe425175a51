// Public API of this area, re-exported by name.
export { IstioMesh } from "./istio";
export type {
  IstioMeshArgs,
  IstioGatewayArgs,
  IstioTracingProvider,
  IstioExtAuthzProvider,
  ExtAuthzRequestBody,
  IstioProfile,
  IstioValues,
  MtlsMode,
  GatewayServiceType,
} from "./istio";
export { KnativeServing } from "./knative";
export type {
  KnativeServingArgs,
  KnativeAutoscalerArgs,
  KnativeIstioTarget,
  FeatureState,
} from "./knative";
export { KnativeEventing } from "./knative-eventing";
export type {
  KnativeEventingArgs,
  EventingBrokerArgs,
  KnativeOperatorTarget,
  KnativeEventingMeshTarget,
} from "./knative-eventing";
export { Jaeger } from "./jaeger";
export type { JaegerArgs, JaegerTelemetryTarget } from "./jaeger";
export { Prometheus } from "./prometheus";
export type {
  PrometheusArgs,
  ComputeResources,
  ResourceList,
  IstioMonitorTarget,
} from "./prometheus";
export { Fluentd } from "./fluentd";
export type {
  FluentdArgs,
  FluentdOutput,
  SearchOutput,
  StdoutOutput,
  OutputTls,
  OutputCredentials,
  SecretKeyRef,
} from "./fluentd";
export { OpenFaas } from "./openfaas";
export type {
  OpenFaasArgs,
  OpenFaasCredentials,
  OpenFaasEdition,
  OpenFaasIstioTarget,
} from "./openfaas";
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
  ISTIO_VERSION,
  KNATIVE_SERVING_VERSION,
  KNATIVE_EVENTING_VERSION,
} from "./versions";
export type { ChartKey, ChartSource, ChartVersions } from "./versions";
export type { Values } from "./helm";
// Types the public args and components refer to, so a program can name them.
export type {
  AlertingArgs,
  AlertReceiverArgs,
  AlertRouteArgs,
  EmailReceiverArgs,
  PagerDutyReceiverArgs,
  SecretFileArgs,
  SlackReceiverArgs,
  WebhookReceiverArgs,
} from "./alerting";
export type { GrafanaDashboard } from "./grafana-dashboards";
export type { JaegerBadgerArgs } from "./jaeger";
export type { PersistentStorageArgs } from "./storage";
