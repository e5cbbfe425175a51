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
import type { parser as PromqlParser } from "@prometheus-io/lezer-promql" with {
  "resolution-mode": "import",
};

// The package ships CommonJS beside its ESM build, so require works from CommonJS; the type
// comes from the ESM declaration above (as components/analysis/promql.ts loads it).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const promql = (require("@prometheus-io/lezer-promql") as { parser: typeof PromqlParser }).parser;

type Rule = NonNullable<NonNullable<IPrometheusRule["spec"]["groups"]>[number]["rules"]>[number];
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

/**
 * A series given for an alert (`errors`, `total`, `buckets`) is pasted into the rule's PromQL
 * (`sum(rate(<series>[5m]))`), so it must be exactly one series selector as Prometheus's own
 * grammar parses it (prometheus/prometheus web/ui/module/lezer-promql): `name{label="value"}`,
 * nothing after it. A `"`, `}` or newline that would close the selector early and append
 * another expression fails to parse as one.
 */
function checkSeries(check: ArgChecker, path: string, v: string | undefined): void {
  if (v === undefined) return;
  const tree = promql.parse(v);
  let broken = false;
  tree.iterate({
    enter: (n) => {
      if (n.type.isError) broken = true;
    },
  });
  const top = tree.topNode.firstChild;
  if (broken || top?.name !== "VectorSelector" || top.from !== 0 || top.to !== v.length)
    check.fail(
      path,
      v,
      'one PromQL series selector and nothing else, e.g. istio_requests_total{response_code=~"5.."}',
    );
}

function promDuration(check: ArgChecker, path: string, v: string | undefined): void {
  check.pattern(path, v, PROM_DURATION, `must be ${PROM_RULE}`);
  if (v === "" || v === "0") check.fail(path, v, "must be longer than zero");
}

/** A monitor with every default applied. */
export interface ResolvedMonitor {
  kind: "ServiceMonitor" | "PodMonitor";
  name: string;
  namespace: string;
  endpoint: { port: string; path: string; interval: string; scrapeTimeout?: string };
  selector: Record<string, string>;
  namespaces?: string[];
}

/** One alert rule, its expression and texts written out. */
export interface ResolvedAlert {
  alert: string;
  expr: string;
  for: string;
  severity: string;
  summary: string;
  description: string;
}

/** Alerts with every default applied. */
export interface ResolvedAlerts {
  name: string;
  namespace: string;
  group: string;
  rules: ResolvedAlert[];
}

export interface ResolvedTelemetry {
  name: string;
  samplingPercentage?: number;
  accessLogs?: boolean;
}

/** Observability arguments with every default applied: what `observabilityObjects` emits. */
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
      for (const series of ["errors", "total", "buckets"] as const)
        checkSeries(
          check,
          `${p}.${series}`,
          (alert as Partial<Record<typeof series, string>>)[series],
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
  if (a) {
    const rules: ResolvedAlert[] = [];
    const who = `${ctx.namespace}/${ctx.name}`;
    if (a.errorRate)
      rules.push({
        ...alertTexts(a.errorRate, `High error rate on ${who}`),
        alert: a.errorRate.alert ?? `${pascal(ctx.name)}HighErrorRate`,
        expr: errorRateExpr(ctx, a.errorRate),
        description:
          a.errorRate.description ??
          `Error rate of ${who} is above ${a.errorRate.thresholdPercent}%`,
      });
    if (a.latency) {
      const q = Math.round((a.latency.quantile ?? 0.99) * 1000) / 10;
      rules.push({
        ...alertTexts(a.latency, `High latency on ${who}`),
        alert: a.latency.alert ?? `${pascal(ctx.name)}HighLatency`,
        expr: latencyExpr(ctx, a.latency),
        description:
          a.latency.description ?? `p${q} latency of ${who} is above ${a.latency.thresholdMs}ms`,
      });
    }
    out.alerts = {
      name: a.name ?? ctx.name,
      namespace: a.namespace ?? ctx.namespace,
      group: a.group ?? `${ctx.name}.rules`,
      rules,
    };
  }
  const t = o.telemetry;
  if (t && (t.samplingPercentage !== undefined || t.accessLogs !== undefined))
    out.telemetry = {
      name: t.name ?? ctx.name,
      ...(t.samplingPercentage !== undefined ? { samplingPercentage: t.samplingPercentage } : {}),
      ...(t.accessLogs !== undefined ? { accessLogs: t.accessLogs } : {}),
    };
  return out;
}

/** An alert's `for`, severity and summary with their defaults. */
function alertTexts(
  a: ErrorRateAlertArgs | LatencyAlertArgs,
  summary: string,
): Pick<ResolvedAlert, "for" | "severity" | "summary"> {
  return { for: a.for ?? "5m", severity: a.severity ?? "warning", summary: a.summary ?? summary };
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

type Obj<S, K extends string, V extends string> = KubeObject<S> & { apiVersion: V; kind: K };
export interface ObservabilityObjects {
  monitor?: Obj<
    IServiceMonitor["spec"] | IPodMonitor["spec"],
    "ServiceMonitor" | "PodMonitor",
    "monitoring.coreos.com/v1"
  >;
  rule?: Obj<IPrometheusRule["spec"], "PrometheusRule", "monitoring.coreos.com/v1">;
  telemetry?: Obj<TelemetrySpec, "Telemetry", "telemetry.istio.io/v1">;
}

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
