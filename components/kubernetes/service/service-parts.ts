/**
 * The mesh parts every service can have (traffic, access, observability, ingress), checked and
 * registered the same way by `ServerlessService`, `MeshedWorkload` and the one-part components.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ArgChecker } from "../../core/validate";
import { AccessArgs, accessObjects, ResolvedAccess, resolveAccess } from "./access";
import { IngressArgs, ingressObjects, ingressRouteName, resolveIngress } from "./ingress";
import {
  AlertsArgs,
  MonitorArgs,
  observabilityObjects,
  ResolvedObservability,
  resolveObservability,
  TelemetryArgs,
} from "./observability";
import {
  MeshServiceEntryArgs,
  ResolvedServiceEntry,
  resolveServiceEntry,
  serviceEntryObject,
} from "./mesh-service-entry";
import { registerObject, ServiceContext } from "./spec";
import { ResolvedTraffic, resolveTraffic, TrafficArgs, trafficObjects } from "./traffic";

/** Mesh settings of one service, each optional. */
export interface ServicePartsArgs {
  /** Routes (VirtualService) and destination policy (DestinationRule). */
  traffic?: TrafficArgs;
  /** Who may call the service (AuthorizationPolicy, RequestAuthentication). */
  access?: AccessArgs;
  /** Metrics scraping (ServiceMonitor/PodMonitor). */
  monitor?: MonitorArgs;
  /** Ready-made alerts (PrometheusRule). */
  alerts?: AlertsArgs;
  /** Trace sampling and access logs (Telemetry). */
  telemetry?: TelemetryArgs;
  /** Public hosts/paths through an ingress Gateway (VirtualService). */
  ingress?: IngressArgs;
  /**
   * Callees outside the mesh's registry (external APIs, functions on another platform), by
   * ServiceEntry name; each becomes a `ServiceEntry` in the service's namespace.
   */
  callees?: Record<string, Omit<MeshServiceEntryArgs, "namespace" | "mesh">>;
}

/** The registered objects of a service's parts (undefined when not asked for). */
export interface ServiceParts {
  virtualService?: k8s.apiextensions.CustomResource;
  destinationRule?: k8s.apiextensions.CustomResource;
  requestAuthentication?: k8s.apiextensions.CustomResource;
  authorizationPolicy?: k8s.apiextensions.CustomResource;
  denyPolicy?: k8s.apiextensions.CustomResource;
  auditPolicy?: k8s.apiextensions.CustomResource;
  customPolicy?: k8s.apiextensions.CustomResource;
  monitor?: k8s.apiextensions.CustomResource;
  prometheusRule?: k8s.apiextensions.CustomResource;
  telemetry?: k8s.apiextensions.CustomResource;
  ingressRoute?: k8s.apiextensions.CustomResource;
  /** ServiceEntries of `callees`, by name. */
  callees?: Record<string, k8s.apiextensions.CustomResource>;
}

/** A service's parts with every default applied: what `registerParts` registers. @internal */
export interface ResolvedParts {
  traffic?: ResolvedTraffic;
  access?: ResolvedAccess;
  observability: ResolvedObservability;
  /** The ingress binding as the traffic it amounts to. */
  ingress?: ResolvedTraffic;
  callees?: Record<string, ResolvedServiceEntry>;
}

/** How a kind of service resolves its parts. */
export interface PartsOptions {
  /** The monitor's default selector when it differs from the pods' selector. */
  monitorSelector?: Record<string, string>;
}

/** Checks the parts' arguments (paths under their keys) and applies their defaults. @internal */
export function resolveParts(
  check: ArgChecker,
  ctx: ServiceContext,
  a: ServicePartsArgs,
  opts: PartsOptions = {},
): ResolvedParts {
  const out: ResolvedParts = { observability: {} };
  if (a.traffic) out.traffic = resolveTraffic(check, "traffic.", ctx, a.traffic);
  if (a.access) out.access = resolveAccess(check, "access.", ctx, a.access);
  out.observability = resolveObservability(
    check,
    "",
    ctx,
    { monitor: a.monitor, alerts: a.alerts, telemetry: a.telemetry },
    opts.monitorSelector,
  );
  if (a.ingress)
    out.ingress = resolveIngress(check, "ingress.", ctx, a.ingress, ingressRouteName(ctx.name));
  if (a.callees) {
    out.callees = {};
    for (const [name, callee] of Object.entries(a.callees)) {
      check.dnsSubdomain(`callees.${name}`, name);
      out.callees[name] = resolveServiceEntry(check, `callees.${name}.`, callee);
    }
  }
  return out;
}

/**
 * Registers the parts as children of `parent`, each after `dependsOn` (mesh install, namespace,
 * the workload itself); an allow policy with JWT rules also waits for its RequestAuthentication.
 * @internal
 */
export function registerParts(
  parent: pulumi.Resource,
  ctx: ServiceContext,
  a: ResolvedParts,
  dependsOn: pulumi.Input<pulumi.Resource>[],
): ServiceParts {
  const out: ServiceParts = {};
  const reg = (o: Parameters<typeof registerObject>[1] | undefined, deps = dependsOn) =>
    o ? registerObject(parent, o, deps) : undefined;
  if (a.traffic) {
    const t = trafficObjects(ctx, a.traffic);
    out.destinationRule = reg(t.destinationRule);
    out.virtualService = reg(t.virtualService);
  }
  if (a.access) {
    const acc = accessObjects(ctx, a.access);
    out.requestAuthentication = reg(acc.requestAuthentication);
    const jwtDeps = out.requestAuthentication
      ? [...dependsOn, out.requestAuthentication]
      : dependsOn;
    out.denyPolicy = reg(acc.denyPolicy, jwtDeps);
    out.authorizationPolicy = reg(acc.allowPolicy, jwtDeps);
    out.auditPolicy = reg(acc.auditPolicy, jwtDeps);
    out.customPolicy = reg(acc.customPolicy);
  }
  const obs = observabilityObjects(ctx, a.observability);
  out.monitor = reg(obs.monitor);
  out.prometheusRule = reg(obs.rule);
  out.telemetry = reg(obs.telemetry);
  if (a.ingress) out.ingressRoute = reg(ingressObjects(ctx, a.ingress).virtualService);
  if (a.callees) {
    out.callees = Object.fromEntries(
      Object.entries(a.callees).map(([name, c]) => [
        name,
        reg(serviceEntryObject(ctx, name, c, "access"))!,
      ]),
    );
  }
  return out;
}
