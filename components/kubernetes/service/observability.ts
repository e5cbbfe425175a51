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

/** Alert when errors / requests over `window`, in percent, stays above `thresholdPercent` for `for`. */
export interface ErrorRateAlertArgs {
  thresholdPercent: number;
  /** @default "<Name>HighErrorRate" */
  alert?: string;
  /** Series counting failures. @default Istio's `istio_requests_total` with 5xx response codes of this service */
  errors?: string;
  /** Series counting all requests. @default Istio's `istio_requests_total` of this service */
  total?: string;
  /** Rate window. @default "5m" */
  window?: string;
  /** How long the condition must hold. @default "5m" */
  for?: string;
  /** @default "warning" */
  severity?: string;
  summary?: string;
  description?: string;
}

/** Alert when the latency quantile over `window` stays above `thresholdMs` for `for`. */
export interface LatencyAlertArgs {
  thresholdMs: number;
  /** @default 0.99 */
  quantile?: number;
  /** @default "<Name>HighLatency" */
  alert?: string;
  /** Histogram buckets in milliseconds. @default Istio's `istio_request_duration_milliseconds_bucket` of this service */
  buckets?: string;
  /** @default "5m" */
  window?: string;
  /** @default "5m" */
  for?: string;
  /** @default "warning" */
  severity?: string;
  summary?: string;
  description?: string;
}

export interface AlertsArgs {
  errorRate?: ErrorRateAlertArgs;
  latency?: LatencyAlertArgs;
  /** Rule group name. @default "<name>.rules" */
  group?: string;
  /** @default the service name */
  name?: string;
  /** @default the service's namespace */
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

/** prometheus-operator's Duration: `30s`, `1m30s`, `5m`, `1h`, `2d` (integers, no fractions). */
const PROM_DURATION = /^(0|(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?)$/;
const PROM_RULE =
  'a Prometheus duration such as "30s", "5m" or "1h30m" (integers with y, w, d, h, m, s, ms)';
const ALERT = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function promDuration(check: ArgChecker, path: string, v: string | undefined): void {
  check.pattern(path, v, PROM_DURATION, `must be ${PROM_RULE}`);
  if (v === "" || v === "0") check.fail(path, v, "must be longer than zero");
}

export function checkObservability(check: ArgChecker, prefix: string, o: ObservabilityArgs): void {
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
  const a = o.alerts;
  if (a) {
    const ap = `${prefix}alerts`;
    if (!a.errorRate && !a.latency) check.fail(ap, a, "give errorRate and/or latency");
    check.dnsSubdomain(`${ap}.name`, a.name);
    check.dnsLabel(`${ap}.namespace`, a.namespace);
    check.length(`${ap}.group`, a.group, 1, 253);
    for (const [key, alert] of [
      ["errorRate", a.errorRate],
      ["latency", a.latency],
    ] as const) {
      if (!alert) continue;
      const p = `${ap}.${key}`;
      check.pattern(
        `${p}.alert`,
        alert.alert,
        ALERT,
        "an alert name: letters, digits and '_', not starting with a digit",
      );
      promDuration(check, `${p}.window`, alert.window);
      promDuration(check, `${p}.for`, alert.for);
      check.length(`${p}.severity`, alert.severity, 1, 63);
    }
    if (a.errorRate)
      check.number(`${ap}.errorRate.thresholdPercent`, a.errorRate.thresholdPercent, 0, 100);
    if (a.latency) {
      check.number(
        `${ap}.latency.thresholdMs`,
        a.latency.thresholdMs,
        0.001,
        Number.MAX_SAFE_INTEGER,
      );
      check.number(`${ap}.latency.quantile`, a.latency.quantile, 0.01, 0.999);
    }
  }
  check.number(`${prefix}telemetry.samplingPercentage`, o.telemetry?.samplingPercentage, 0, 100);
  check.dnsSubdomain(`${prefix}telemetry.name`, o.telemetry?.name);
}

/** "order-processing" -> "OrderProcessing", for alert names. */
function pascal(name: string): string {
  return name
    .split(/[-.]/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join("");
}

/**
 * The service's requests, selected by Istio's canonical service (the pods' `app` /
 * `app.kubernetes.io/name` label): requests to a Knative service reach its revisions' Services
 * (`orders-00001`), so `destination_service_name` would miss them.
 */
function istioSelector(ctx: ServiceContext, extra = ""): string {
  return `{reporter="destination",destination_workload_namespace="${ctx.namespace}",destination_canonical_service="${ctx.name}"${extra}}`;
}

/** `sum(rate(errors[w])) / sum(rate(total[w])) * 100 > threshold` */
export function errorRateExpr(ctx: ServiceContext, a: ErrorRateAlertArgs): string {
  const w = a.window ?? "5m";
  const errors = a.errors ?? `istio_requests_total${istioSelector(ctx, ',response_code=~"5.."')}`;
  const total = a.total ?? `istio_requests_total${istioSelector(ctx)}`;
  return `sum(rate(${errors}[${w}])) / sum(rate(${total}[${w}])) * 100 > ${a.thresholdPercent}`;
}

/** `histogram_quantile(q, sum by (le) (rate(buckets[w]))) > thresholdMs` */
export function latencyExpr(ctx: ServiceContext, a: LatencyAlertArgs): string {
  const buckets = a.buckets ?? `istio_request_duration_milliseconds_bucket${istioSelector(ctx)}`;
  return `histogram_quantile(${a.quantile ?? 0.99}, sum by (le) (rate(${buckets}[${a.window ?? "5m"}]))) > ${a.thresholdMs}`;
}

function alertRule(
  alert: string,
  expr: string,
  a: ErrorRateAlertArgs | LatencyAlertArgs,
  summary: string,
  description: string,
): Rule {
  return {
    alert,
    expr,
    for: a.for ?? "5m",
    labels: { severity: a.severity ?? "warning" },
    annotations: { summary: a.summary ?? summary, description: a.description ?? description },
  };
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
  o: ObservabilityArgs,
  component = "observability",
): ObservabilityObjects {
  const out: ObservabilityObjects = {};
  const monitorLabels = ctx.mesh.monitorLabels;
  const meta = (name: string, namespace: string | undefined) => ({
    name,
    namespace: namespace ?? ctx.namespace,
    labels: { ...managedLabels(ctx.name, component), ...monitorLabels },
  });
  const m = o.monitor;
  if (m) {
    const endpoint = defined({
      port: m.port,
      path: m.path ?? "/metrics",
      interval: m.interval ?? "30s",
      scrapeTimeout: m.scrapeTimeout,
    });
    const selector = { matchLabels: m.selector ?? ctx.selector };
    const namespaceSelector = m.namespaces
      ? { namespaceSelector: { matchNames: m.namespaces } }
      : {};
    out.monitor =
      m.kind === "PodMonitor"
        ? {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "PodMonitor",
            metadata: meta(m.name ?? ctx.name, m.namespace),
            spec: {
              selector,
              ...namespaceSelector,
              podMetricsEndpoints: [endpoint],
            } satisfies IPodMonitor["spec"],
          }
        : {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "ServiceMonitor",
            metadata: meta(m.name ?? ctx.name, m.namespace),
            spec: {
              selector,
              ...namespaceSelector,
              endpoints: [endpoint],
            } satisfies IServiceMonitor["spec"],
          };
  }
  const a = o.alerts;
  if (a) {
    const rules: Rule[] = [];
    const who = `${ctx.namespace}/${ctx.name}`;
    if (a.errorRate)
      rules.push(
        alertRule(
          a.errorRate.alert ?? `${pascal(ctx.name)}HighErrorRate`,
          errorRateExpr(ctx, a.errorRate),
          a.errorRate,
          `High error rate on ${who}`,
          `Error rate of ${who} is above ${a.errorRate.thresholdPercent}%`,
        ),
      );
    if (a.latency) {
      const q = Math.round((a.latency.quantile ?? 0.99) * 1000) / 10;
      rules.push(
        alertRule(
          a.latency.alert ?? `${pascal(ctx.name)}HighLatency`,
          latencyExpr(ctx, a.latency),
          a.latency,
          `High latency on ${who}`,
          `p${q} latency of ${who} is above ${a.latency.thresholdMs}ms`,
        ),
      );
    }
    // Alertmanager routes by namespace and inhibits a service's warnings while it has a critical
    // alert (platform/alerting.ts): both need to know whose alert it is.
    for (const r of rules) r.labels = { ...r.labels, namespace: ctx.namespace, service: ctx.name };
    out.rule = {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PrometheusRule",
      metadata: meta(a.name ?? ctx.name, a.namespace),
      spec: { groups: [{ name: a.group ?? `${ctx.name}.rules`, rules }] },
    };
  }
  const t = o.telemetry;
  if (t && (t.samplingPercentage !== undefined || t.accessLogs !== undefined)) {
    const spec: TelemetrySpec = { selector: { matchLabels: ctx.selector } };
    const providers = ctx.mesh.tracingProvider ? [{ name: ctx.mesh.tracingProvider }] : undefined;
    if (t.samplingPercentage !== undefined)
      spec.tracing = [defined({ providers, randomSamplingPercentage: t.samplingPercentage })];
    if (t.accessLogs !== undefined)
      spec.accessLogging = [{ providers: [{ name: "envoy" }], disabled: !t.accessLogs }];
    out.telemetry = {
      apiVersion: "telemetry.istio.io/v1",
      kind: "Telemetry",
      metadata: metaFor(ctx, t.name ?? ctx.name, component),
      spec,
    };
  }
  return out;
}
