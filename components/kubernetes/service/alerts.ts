/**
 * Ready-made alerts of one service (error-rate ratio, latency quantile) as prometheus-operator
 * `PrometheusRule` rules. Every value that reaches a rule's PromQL is checked for PromQL's
 * grammar first. https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/
 */
import { ArgChecker } from "../../core/validate";
import { PROM_DURATION } from "../../core/durations";
import { pascalCase } from "../../core/names";
import { ServiceContext } from "./spec";
import type { parser as PromqlParser } from "@prometheus-io/lezer-promql" with {
  "resolution-mode": "import",
};

// The package ships CommonJS beside its ESM build, so require works from CommonJS; the type
// comes from the ESM declaration above (as components/analysis/promql.ts loads it).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const promql = (require("@prometheus-io/lezer-promql") as { parser: typeof PromqlParser }).parser;

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

const PROM_RULE =
  'a Prometheus duration such as "30s", "5m" or "1h30m" (integers with y, w, d, h, m, s, ms)';
/** Checks a prometheus-operator Duration, longer than zero. */
export function promDuration(check: ArgChecker, path: string, v: string | undefined): void {
  check.pattern(path, v, PROM_DURATION, `must be ${PROM_RULE}`);
  if (v === "" || v === "0") check.fail(path, v, "must be longer than zero");
}

const ALERT = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

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

/** One alert rule, its expression and texts written out. */
export interface ResolvedAlert {
  alert: string;
  expr: string;
  for: string;
  severity: string;
  summary: string;
  description: string;
}

/** Alerts with every default applied. @internal */
export interface ResolvedAlerts {
  name: string;
  namespace: string;
  group: string;
  rules: ResolvedAlert[];
}

/** Checks alert arguments under `ap` (e.g. "alerts") and writes out their rules. @internal */
export function resolveAlerts(
  check: ArgChecker,
  ap: string,
  ctx: ServiceContext,
  a: AlertsArgs,
): ResolvedAlerts {
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
  const rules: ResolvedAlert[] = [];
  const who = `${ctx.namespace}/${ctx.name}`;
  if (a.errorRate)
    rules.push({
      ...alertTexts(a.errorRate, `High error rate on ${who}`),
      alert: a.errorRate.alert ?? `${pascalCase(ctx.name)}HighErrorRate`,
      expr: errorRateExpr(ctx, a.errorRate),
      description:
        a.errorRate.description ?? `Error rate of ${who} is above ${a.errorRate.thresholdPercent}%`,
    });
  if (a.latency) {
    const q = Math.round((a.latency.quantile ?? 0.99) * 1000) / 10;
    rules.push({
      ...alertTexts(a.latency, `High latency on ${who}`),
      alert: a.latency.alert ?? `${pascalCase(ctx.name)}HighLatency`,
      expr: latencyExpr(ctx, a.latency),
      description:
        a.latency.description ?? `p${q} latency of ${who} is above ${a.latency.thresholdMs}ms`,
    });
  }
  return {
    name: a.name ?? ctx.name,
    namespace: a.namespace ?? ctx.namespace,
    group: a.group ?? `${ctx.name}.rules`,
    rules,
  };
}

/** An alert's `for`, severity and summary with their defaults. */
function alertTexts(
  a: ErrorRateAlertArgs | LatencyAlertArgs,
  summary: string,
): Pick<ResolvedAlert, "for" | "severity" | "summary"> {
  return { for: a.for ?? "5m", severity: a.severity ?? "warning", summary: a.summary ?? summary };
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
function errorRateExpr(ctx: ServiceContext, a: ErrorRateAlertArgs): string {
  const w = a.window ?? "5m";
  const errors = a.errors ?? `istio_requests_total${istioSelector(ctx, ',response_code=~"5.."')}`;
  const total = a.total ?? `istio_requests_total${istioSelector(ctx)}`;
  return `sum(rate(${errors}[${w}])) / sum(rate(${total}[${w}])) * 100 > ${a.thresholdPercent}`;
}

/** `histogram_quantile(q, sum by (le) (rate(buckets[w]))) > thresholdMs` */
function latencyExpr(ctx: ServiceContext, a: LatencyAlertArgs): string {
  const buckets = a.buckets ?? `istio_request_duration_milliseconds_bucket${istioSelector(ctx)}`;
  return `histogram_quantile(${a.quantile ?? 0.99}, sum by (le) (rate(${buckets}[${a.window ?? "5m"}]))) > ${a.thresholdMs}`;
}
