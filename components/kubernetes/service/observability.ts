/**
 * How a service is watched: prometheus-operator `ServiceMonitor` / `PodMonitor`, a
 * `PrometheusRule` with ready-made alerts (error-rate ratio, latency quantile), and an Istio
 * `Telemetry` (trace sampling override, access logs) for its pods.
 * https://prometheus-operator.dev/docs/api-reference/api/
 * https://istio.io/latest/docs/reference/config/telemetry/
 */
import type { IServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor" with {
  "resolution-mode": "import",
};
import type { IPodMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor" with {
  "resolution-mode": "import",
};
import type { IPrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule" with {
  "resolution-mode": "import",
};
import type { ITelemetry } from "@kubernetes-models/istio/telemetry.istio.io/v1/Telemetry" with {
  "resolution-mode": "import",
};
import { ArgChecker } from "../../core/validate";
import { KubeObject, managedLabels } from "../../core/kube";
import { metaFor, ServiceContext } from "./spec";
import { defined } from "../../core/values";
import { AlertsArgs, promDuration, ResolvedAlerts, resolveAlerts } from "./alerts";

export type { AlertsArgs, ErrorRateAlertArgs, LatencyAlertArgs } from "./alerts";
type Rule = NonNullable<NonNullable<IPrometheusRule["spec"]["groups"]>[number]["rules"]>[number];
/** @internal */
export type TelemetrySpec = NonNullable<ITelemetry["spec"]>;

/** Scraping of the service's metrics. */
export interface MonitorArgs {
  /** `ServiceMonitor` scrapes through the Kubernetes Service, `PodMonitor` the pods. @default "ServiceMonitor" */
  kind?: "ServiceMonitor" | "PodMonitor";
  /** Name of the metrics port (on the Service for ServiceMonitor, the container for PodMonitor). */
  port: string;
  /** @default "/metrics" */
  path?: string;
  /** Scrape interval. @default "30s" */
  interval?: string;
  scrapeTimeout?: string;
  /** Labels selecting the Services/pods. @default the service's selector */
  selector?: Record<string, string>;
  /** Namespaces to look in when the monitor lives elsewhere. @default the monitor's own namespace */
  namespaces?: string[];
  /** @default the service name */
  name?: string;
  /** Namespace of the monitor object. @default the service's namespace */
  namespace?: string;
}

/** Per-service Istio telemetry. */
export interface TelemetryArgs {
  /** Trace sampling override in percent (0-100), sent to the mesh's tracing provider. */
  samplingPercentage?: number;
  /** Envoy access logs for the service's pods. Unset: the mesh default. */
  accessLogs?: boolean;
  /** @default the service name */
  name?: string;
}

export interface ObservabilityArgs {
  monitor?: MonitorArgs;
  alerts?: AlertsArgs;
  telemetry?: TelemetryArgs;
}

const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A monitor with every default applied. */
export interface ResolvedMonitor {
  kind: "ServiceMonitor" | "PodMonitor";
  name: string;
  namespace: string;
  endpoint: { port: string; path: string; interval: string; scrapeTimeout?: string };
  selector: Record<string, string>;
  namespaces?: string[];
}

export interface ResolvedTelemetry {
  name: string;
  samplingPercentage?: number;
  accessLogs?: boolean;
}

/** Observability arguments with every default applied: what `observabilityObjects` emits. @internal */
export interface ResolvedObservability {
  monitor?: ResolvedMonitor;
  alerts?: ResolvedAlerts;
  /** Unset when neither sampling nor access logs are asked for (nothing to emit). */
  telemetry?: ResolvedTelemetry;
}

/**
 * Checks observability arguments under `prefix` and applies their defaults; `monitorSelector`
 * is the monitor's default selector where it differs from the pods' (a Knative service's
 * revisions' Services carry `serving.knative.dev/service`).
 * @internal
 */
export function resolveObservability(
  check: ArgChecker,
  prefix: string,
  ctx: ServiceContext,
  o: ObservabilityArgs,
  monitorSelector?: Record<string, string>,
): ResolvedObservability {
  const m = o.monitor;
  if (m) {
    const mp = `${prefix}monitor`;
    check.pattern(
      `${mp}.port`,
      m.port,
      PORT_NAME,
      "a port name: lowercase letters, digits and '-'",
    );
    check.pattern(`${mp}.path`, m.path, /^\/\S*$/, "must start with '/'");
    promDuration(check, `${mp}.interval`, m.interval);
    promDuration(check, `${mp}.scrapeTimeout`, m.scrapeTimeout);
    check.dnsSubdomain(`${mp}.name`, m.name);
    check.dnsLabel(`${mp}.namespace`, m.namespace);
    (m.namespaces ?? []).forEach((n, i) => check.dnsLabel(`${mp}.namespaces[${i}]`, n));
  }
  const alerts = o.alerts && resolveAlerts(check, `${prefix}alerts`, ctx, o.alerts);
  check.number(`${prefix}telemetry.samplingPercentage`, o.telemetry?.samplingPercentage, 0, 100);
  check.dnsSubdomain(`${prefix}telemetry.name`, o.telemetry?.name);
  const out: ResolvedObservability = {};
  if (m)
    out.monitor = {
      kind: m.kind ?? "ServiceMonitor",
      name: m.name ?? ctx.name,
      namespace: m.namespace ?? ctx.namespace,
      endpoint: defined({
        port: m.port,
        path: m.path ?? "/metrics",
        interval: m.interval ?? "30s",
        scrapeTimeout: m.scrapeTimeout,
      }),
      selector: m.selector ?? monitorSelector ?? ctx.selector,
      ...(m.namespaces ? { namespaces: m.namespaces } : {}),
    };
  if (alerts) out.alerts = alerts;
  const t = o.telemetry;
  if (t && (t.samplingPercentage !== undefined || t.accessLogs !== undefined))
    out.telemetry = {
      name: t.name ?? ctx.name,
      ...(t.samplingPercentage !== undefined ? { samplingPercentage: t.samplingPercentage } : {}),
      ...(t.accessLogs !== undefined ? { accessLogs: t.accessLogs } : {}),
    };
  return out;
}

type Obj<S, K extends string, V extends string> = KubeObject<S> & { apiVersion: V; kind: K };
/** @internal */
export interface ObservabilityObjects {
  monitor?: Obj<
    IServiceMonitor["spec"] | IPodMonitor["spec"],
    "ServiceMonitor" | "PodMonitor",
    "monitoring.coreos.com/v1"
  >;
  rule?: Obj<IPrometheusRule["spec"], "PrometheusRule", "monitoring.coreos.com/v1">;
  telemetry?: Obj<TelemetrySpec, "Telemetry", "telemetry.istio.io/v1">;
}

/** @internal */
export function observabilityObjects(
  ctx: ServiceContext,
  o: ResolvedObservability,
  component = "observability",
): ObservabilityObjects {
  const out: ObservabilityObjects = {};
  const monitorLabels = ctx.mesh.monitorLabels;
  const meta = (name: string, namespace: string) => ({
    name,
    namespace,
    labels: { ...managedLabels(ctx.name, component), ...monitorLabels },
  });
  const m = o.monitor;
  if (m) {
    const selector = { matchLabels: m.selector };
    const namespaceSelector = m.namespaces
      ? { namespaceSelector: { matchNames: m.namespaces } }
      : {};
    out.monitor =
      m.kind === "PodMonitor"
        ? {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "PodMonitor",
            metadata: meta(m.name, m.namespace),
            spec: {
              selector,
              ...namespaceSelector,
              podMetricsEndpoints: [m.endpoint],
            } satisfies IPodMonitor["spec"],
          }
        : {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "ServiceMonitor",
            metadata: meta(m.name, m.namespace),
            spec: {
              selector,
              ...namespaceSelector,
              endpoints: [m.endpoint],
            } satisfies IServiceMonitor["spec"],
          };
  }
  const a = o.alerts;
  if (a) {
    // Alertmanager routes by namespace and inhibits a service's warnings while it has a critical
    // alert (platform/alerting.ts): both need to know whose alert it is.
    const rules = a.rules.map((r): Rule => ({
      alert: r.alert,
      expr: r.expr,
      for: r.for,
      labels: { severity: r.severity, namespace: ctx.namespace, service: ctx.name },
      annotations: { summary: r.summary, description: r.description },
    }));
    out.rule = {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PrometheusRule",
      metadata: meta(a.name, a.namespace),
      spec: { groups: [{ name: a.group, rules }] },
    };
  }
  const t = o.telemetry;
  if (t) {
    const spec: TelemetrySpec = { selector: { matchLabels: ctx.selector } };
    const providers = ctx.mesh.tracingProvider ? [{ name: ctx.mesh.tracingProvider }] : undefined;
    if (t.samplingPercentage !== undefined)
      spec.tracing = [defined({ providers, randomSamplingPercentage: t.samplingPercentage })];
    if (t.accessLogs !== undefined)
      spec.accessLogging = [{ providers: [{ name: "envoy" }], disabled: !t.accessLogs }];
    out.telemetry = {
      apiVersion: "telemetry.istio.io/v1",
      kind: "Telemetry",
      metadata: metaFor(ctx, t.name, component),
      spec,
    };
  }
  return out;
}
