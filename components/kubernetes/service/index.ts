// Public API of this area, re-exported by name.
export { MeshNamespace } from "./mesh-namespace";
export type { MeshNamespaceArgs } from "./mesh-namespace";
export { ServerlessService } from "./serverless-service";
export type { ServerlessServiceArgs, ScaleArgs, RevisionTrafficArgs } from "./serverless-service";
export { OpenFaasFunction } from "./openfaas-function";
export type {
  OpenFaasFunctionArgs,
  FunctionScaleArgs,
  FunctionMetricsArgs,
  FunctionResourcesArgs,
} from "./openfaas-function";
export { MeshedWorkload } from "./meshed-workload";
export type { MeshedWorkloadArgs } from "./meshed-workload";
export { ServiceTraffic } from "./service-traffic";
export type { ServiceTrafficArgs } from "./service-traffic";
export { ServiceAccess } from "./service-access";
export type { ServiceAccessArgs } from "./service-access";
export { ServiceObservability } from "./service-observability";
export type { ServiceObservabilityArgs } from "./service-observability";
export { IngressGateway } from "./ingress-gateway";
export type { IngressGatewayArgs } from "./ingress-gateway";
export { IngressRoute } from "./ingress-route";
export type { IngressRouteArgs } from "./ingress-route";
export { MeshServiceEntry } from "./mesh-service-entry";
export type { MeshServiceEntryArgs } from "./mesh-service-entry";
export { EventBroker } from "./event-broker";
export type { EventBrokerArgs } from "./event-broker";
export { EventTrigger } from "./event-trigger";
export type { EventTriggerArgs, TriggerSubscriberArgs } from "./event-trigger";
export { PingSource } from "./ping-source";
export type { PingSourceArgs } from "./ping-source";
export { triggerDeliveryRule, withTriggerDelivery } from "./event-access";
export type { EventDeliveryArgs } from "../event-delivery";
export type {
  TrafficArgs,
  TrafficPolicyArgs,
  HttpRouteArgs,
  MatchArgs,
  DestinationArgs,
  SubsetArgs,
  StringMatchArgs,
} from "./traffic";
export type { AccessArgs, AccessRuleArgs, ConditionArgs, JwtArgs } from "./access";
export type {
  MonitorArgs,
  AlertsArgs,
  ErrorRateAlertArgs,
  LatencyAlertArgs,
  TelemetryArgs,
} from "./observability";
export type { GatewayArgs, GatewayServerArgs, IngressArgs } from "./ingress";
export type { ContainerArgs, PortArgs, ProbeArgs, SecretKeyArgs } from "./container";
export type { NamespaceRef } from "./spec";
export type { ServicePartsArgs, ServiceParts } from "./service-parts";
export type { SecurityContextArgs } from "./security-context";
// Types the public args refer to, so a program can name them.
export type { CustomAccessArgs } from "./access";
