/**
 * PrometheusRule expressions: each parses as PromQL (Prometheus's own lezer grammar,
 * @prometheus-io/lezer-promql), and metrics named `istio_*` are Istio standard metrics with
 * Istio's labels.
 */
import type { parser as PromqlParser } from "@prometheus-io/lezer-promql" with {
  "resolution-mode": "import",
};
import { Rule } from "./model";
import { obj, objs, spec, str } from "./read";

// The package ships CommonJS next to its ESM build (exports "require"), so a plain require works
// on Node 20 from CommonJS; the type comes from the ESM declaration above.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parser } = require("@prometheus-io/lezer-promql") as { parser: typeof PromqlParser };

/** Istio's standard metrics (https://istio.io/latest/docs/reference/config/metrics/). */
const ISTIO_COUNTERS = [
  "istio_requests_total",
  "istio_request_messages_total",
  "istio_response_messages_total",
  "istio_tcp_sent_bytes_total",
  "istio_tcp_received_bytes_total",
  "istio_tcp_connections_opened_total",
  "istio_tcp_connections_closed_total",
];
const ISTIO_DISTRIBUTIONS = [
  "istio_request_duration_milliseconds",
  "istio_request_bytes",
  "istio_response_bytes",
];
const ISTIO_METRICS = new Set([
  ...ISTIO_COUNTERS,
  ...ISTIO_DISTRIBUTIONS.flatMap((m) => [`${m}_bucket`, `${m}_sum`, `${m}_count`]),
]);
/** Istio's standard labels, plus `le` and the target labels Prometheus adds. */
const ISTIO_LABELS = new Set([
  "reporter",
  "source_workload",
  "source_workload_namespace",
  "source_principal",
  "source_app",
  "source_version",
  "source_canonical_service",
  "source_canonical_revision",
  "source_cluster",
  "destination_workload",
  "destination_workload_namespace",
  "destination_principal",
  "destination_app",
  "destination_version",
  "destination_service",
  "destination_service_name",
  "destination_service_namespace",
  "destination_canonical_service",
  "destination_canonical_revision",
  "destination_cluster",
  "request_protocol",
  "response_code",
  "grpc_response_status",
  "response_flags",
  "connection_security_policy",
  "le",
  "__name__",
  "job",
  "instance",
  "namespace",
  "pod",
  "container",
]);

export interface PromqlProblem {
  severity: "error" | "warning";
  message: string;
}

/**
 * String literals of letters, digits and `_ . : / * | -` only: no escape can be wrong in them and
 * what they hold changes neither the parse nor a metric or label name, so the expressions a stack
 * generates per service (`destination_service_name="orders"`) are parsed once per shape.
 */
const PLAIN_STRING = /"[A-Za-z0-9_.:/*|-]*"|'[A-Za-z0-9_.:/*|-]*'/g;
const problemsByShape = new Map<string, PromqlProblem[]>();

/** Problems of one expression: a parse error, or Istio metrics and labels that do not exist. */
function promqlProblems(expr: string): PromqlProblem[] {
  const shape = expr.replace(PLAIN_STRING, '""');
  const known = problemsByShape.get(shape);
  if (known) return known;
  const problems = parseProblems(expr);
  // A parse error's message quotes the expression itself: only clean shapes are shared.
  if (problems.every((p) => p.severity !== "error" || !p.message.startsWith("does not parse"))) {
    if (problemsByShape.size > 10_000) problemsByShape.clear();
    problemsByShape.set(shape, problems);
  }
  return problems;
}

function parseProblems(expr: string): PromqlProblem[] {
  const out: PromqlProblem[] = [];
  const tree = parser.parse(expr);
  let firstError: number | undefined;
  let metric: string | undefined;
  tree.iterate({
    enter: (n) => {
      if (n.type.isError && firstError === undefined) firstError = n.from;
      if (n.name === "VectorSelector") metric = undefined;
      if (n.name === "Identifier" && n.node.parent?.name === "VectorSelector") {
        metric = expr.slice(n.from, n.to);
        if (metric.startsWith("istio_") && !ISTIO_METRICS.has(metric))
          out.push({ severity: "error", message: `${metric} is not an Istio standard metric` });
      }
      if (n.name === "LabelName" && n.node.parent?.parent?.parent?.name === "VectorSelector") {
        const label = expr.slice(n.from, n.to);
        if (metric && ISTIO_METRICS.has(metric) && !ISTIO_LABELS.has(label))
          out.push({
            severity: "warning",
            message: `${metric} has no label ${label} in Istio's standard set`,
          });
      }
    },
  });
  if (firstError !== undefined)
    out.unshift({
      severity: "error",
      message: `does not parse as PromQL at column ${firstError + 1}: ${JSON.stringify(expr.slice(Math.max(0, firstError - 20), firstError + 20))}`,
    });
  return out;
}

export const prometheusRules: Rule = {
  code: "MS501",
  summary: "every PrometheusRule expr parses; `istio_*` metrics and labels are Istio's",
  source:
    "prometheus/prometheus web/ui/module/lezer-promql (grammar); https://istio.io/latest/docs/reference/config/metrics/",
  check(index, report) {
    for (const pr of index
      .byKind("PrometheusRule")
      .filter((o) => o.apiVersion.startsWith("monitoring.coreos.com/")))
      objs(spec(pr).groups).forEach((g) =>
        objs(g.rules).forEach((r, i) => {
          const name = str(r.alert) ?? str(r.record) ?? `rules[${i}]`;
          const expr = r.expr === undefined ? "" : String(r.expr);
          if (!expr.trim()) report(pr, "error", `${str(obj(g).name)}/${name}: expr is empty`);
          else
            for (const p of promqlProblems(expr))
              report(pr, p.severity, `${str(g.name)}/${name}: ${p.message}`);
        }),
      );
  },
};
