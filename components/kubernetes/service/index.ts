// Public API of this area, re-exported by name.
export { MeshNamespace } from "./mesh-namespace";
export type { MeshNamespaceArgs } from "./mesh-namespace";
export { ServerlessService, scaleAnnotations, knativeService } from "./serverless-service";
export type { ServerlessServiceArgs, ScaleArgs, RevisionTrafficArgs } from "./serverless-service";
export { OpenFaasFunction, resolveOpenFaasFunction, scaleLabels } from "./openfaas-function";
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
export { EventBroker, brokerObjects, resolveEventBroker } from "./event-broker";
export type { EventBrokerArgs, ResolvedEventBroker } from "./event-broker";
export { EventTrigger, triggerObject, resolveEventTrigger } from "./event-trigger";
export type {
  EventTriggerArgs,
  TriggerSubscriberArgs,
  ResolvedEventTrigger,
} from "./event-trigger";
export { PingSource, pingSourceObject, resolvePingSource } from "./ping-source";
export type { PingSourceArgs, ResolvedPingSource } from "./ping-source";
export { triggerDeliveryRule, withTriggerDelivery, brokerServiceAccount } from "./event-access";
export type { EventDeliveryArgs } from "../event-delivery";
export { trafficPolicy, trafficObjects } from "./traffic";
export { checkSubsetReferences } from "./subsets";
export type {
  TrafficArgs,
  TrafficPolicyArgs,
  HttpRouteArgs,
  MatchArgs,
  DestinationArgs,
  SubsetArgs,
  StringMatchArgs,
} from "./traffic";
export { accessObjects, isPolicyPath } from "./access";
export type { AccessArgs, AccessRuleArgs, ConditionArgs, JwtArgs } from "./access";
export { errorRateExpr, latencyExpr, observabilityObjects } from "./observability";
export type {
  MonitorArgs,
  AlertsArgs,
  ErrorRateAlertArgs,
  LatencyAlertArgs,
  TelemetryArgs,
} from "./observability";
export type { GatewayArgs, GatewayServerArgs, IngressArgs } from "./ingress";
export type { ContainerArgs, PortArgs, ProbeArgs, SecretKeyArgs, NamespaceRef } from "./spec";
export type { ServicePartsArgs, ServiceParts } from "./service-parts";
export { securityContext, RESTRICTED_SECURITY_CONTEXT } from "./security-context";
export type { SecurityContextArgs } from "./security-context";
