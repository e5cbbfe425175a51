// Public API of this area, re-exported by name.
export { MeshNetwork } from "./mesh-network";
export type {
  MeshNetworkArgs,
  LatticeMeshNetworkArgs,
  AppMeshMeshNetworkArgs,
  MeshBackend,
  LatticeNetworkOptions,
  AppMeshNetworkOptions,
  MeshNetworkSettings,
} from "./mesh-network";
export { MeshedFunction } from "./meshed-function";
export { INSTANCE_ATTRIBUTES } from "./instance-attributes";
export type { MeshedFunctionArgs, MeshBackendRef } from "./meshed-function";
export type {
  FunctionAlias,
  FunctionUrlOptions,
  CustomDomainArgs,
  LatticeFunctionOptions,
  AppMeshFunctionOptions,
} from "./function-args";
export type {
  RoutingArgs,
  RetryPolicyArgs,
  RouteTimeoutArgs,
  RouteRuleArgs,
  RouteMatchArgs,
  HeaderMatchArgs,
  PathMatchArgs,
  RouteTargetArgs,
} from "./routing";
export type {
  AccessLogDestination,
  CloudWatchAccessLogs,
  S3AccessLogs,
  FirehoseAccessLogs,
} from "./access-logs";
export type { PolicyDocument, PolicyStatement } from "./policies";
// Types the public args and components refer to, so a program can name them.
export type { AccessLogs } from "./access-logs";
export type { AppMeshWiring } from "./app-mesh-wiring";
export type { LatticeWiring } from "./lattice-wiring";
export type { NetworkMember } from "./mesh-network";
export type { EnvoyLogLevel, HttpRetryEvent, LatticeMethod } from "./limits";
