/**
 * Fluentd's pipeline as the fluentd chart's `fileConfigs`: tail CRI container logs (containerd,
 * CRI-O: `<time> <stream> <P|F> <message>`), join partial lines, add Kubernetes metadata, parse
 * istio-proxy's JSON access logs into fields, and ship to one output through a file buffer.
 * Every plugin is in the image the chart runs (fluent/fluentd-kubernetes-daemonset tag
 * v1.19.3-1.1, docker-image/v1.19/debian-{elasticsearch7,opensearch}/Gemfile):
 * fluent-plugin-parser-cri 0.1 (`@type cri`), fluent-plugin-concat 2.6 (`use_partial_cri_logtag`),
 * fluent-plugin-kubernetes_metadata_filter 3.8, fluent-plugin-prometheus 2.2, and the output's
 * plugin (fluent-plugin-elasticsearch 5.2 / fluent-plugin-opensearch 1.1). Every value pasted in
 * is checked by fluentd.ts against a pattern that cannot open or close a section or start a
 * parameter or comment.
 * https://docs.fluentd.org/input/tail https://docs.fluentd.org/filter/parser
 * https://docs.fluentd.org/configuration/buffer-section
 */
import type * as pulumi from "@pulumi/pulumi";
import type { FluentdOutput } from "./fluentd";

/** An output with every Input known (what the pipeline text is written from). */
type KnownOutput = pulumi.Unwrap<FluentdOutput>;

export const TLS_DIR = "/fluentd/tls";
export const USER_ENV = "FLUENT_OUTPUT_USER";
export const PASSWORD_ENV = "FLUENT_OUTPUT_PASSWORD";

/** Where the output buffers chunks on the node (the chart mounts the host's /var/log). */
const BUFFER_DIR = "/var/log/fluentd-buffers";

/** Whether a search output speaks https (OutputTls `enabled`, default true). */
export function outputUsesTls(o: KnownOutput): boolean {
  return o.type !== "stdout" && (o.tls?.enabled ?? true);
}

function outputBlock(o: KnownOutput): string {
  if (o.type === "stdout") return ["    @type stdout", "    @id out_stdout"].join("\n");
  const tls = outputUsesTls(o);
  const lines = [
    `    @type ${o.type}`,
    `    @id out_${o.type}`,
    `    host ${o.host}`,
    `    port ${o.port ?? 9200}`,
    `    scheme ${tls ? "https" : "http"}`,
    `    index_name ${o.index ?? "fluentd"}`,
  ];
  if (tls) lines.push(`    ssl_verify ${o.tls?.verify ?? true}`);
  if (tls && o.tls?.ca) lines.push(`    ca_file ${TLS_DIR}/${o.tls.ca.key}`);
  if (o.credentials) {
    lines.push(`    user "#{ENV['${USER_ENV}']}"`, `    password "#{ENV['${PASSWORD_ENV}']}"`);
  }
  // Chunks on the node's disk survive a Fluentd restart; retries back off up to 30s and never
  // give up, and a full buffer blocks the tail (which then resumes from its position file)
  // instead of dropping logs.
  lines.push(
    "    <buffer>",
    "      @type file",
    `      path ${BUFFER_DIR}/out_${o.type}.*.buffer`,
    "      flush_mode interval",
    "      flush_interval 5s",
    "      flush_thread_count 2",
    "      chunk_limit_size 8MB",
    "      total_limit_size 2GB",
    "      overflow_action block",
    "      retry_type exponential_backoff",
    "      retry_max_interval 30s",
    "      retry_forever true",
    "    </buffer>",
  );
  return lines.join("\n");
}

/**
 * The pipeline as the chart's `fileConfigs`; all four files are set so none of the chart's
 * defaults (which ship to a hard-coded Elasticsearch) survive Helm's map merge. Fluentd's own
 * pods (`fluentd-*` in `namespace`) are not tailed: shipping its own errors would loop.
 */
export function fluentdPipeline(
  output: KnownOutput,
  path: string,
  namespace: string,
): Record<string, string> {
  return {
    "01_sources.conf": [
      "<source>",
      "  @type tail",
      "  @id in_tail_container_logs",
      "  @label @KUBERNETES",
      `  path ${path}`,
      `  exclude_path ["/var/log/containers/fluentd-*_${namespace}_*.log"]`,
      "  pos_file /var/log/fluentd-containers.log.pos",
      "  tag kubernetes.*",
      "  read_from_head true",
      // CRI lines: time, stream, logtag (P partial / F full), message.
      "  <parse>",
      "    @type cri",
      "  </parse>",
      "</source>",
      // The chart's liveness/readiness probes GET /metrics on port 24231 ("metrics"); its own
      // 01_sources.conf serves it, and this file replaces that one.
      "<source>",
      "  @type prometheus",
      "  bind 0.0.0.0",
      "  port 24231",
      "  metrics_path /metrics",
      "</source>",
    ].join("\n"),
    "02_filters.conf": [
      "<label @KUBERNETES>",
      // Lines the runtime split (logtag P) joined with the final one (F), per stream.
      "  <filter kubernetes.**>",
      "    @type concat",
      "    @id filter_concat_cri",
      "    key message",
      "    use_partial_cri_logtag true",
      "    partial_cri_logtag_key logtag",
      "    partial_cri_stream_key stream",
      '    separator ""',
      "    flush_interval 5",
      "    timeout_label @DISPATCH",
      "  </filter>",
      "  <filter kubernetes.**>",
      "    @type kubernetes_metadata",
      "    @id filter_kube_metadata",
      "    skip_labels false",
      "    skip_container_metadata false",
      "    skip_namespace_metadata true",
      "    skip_master_url true",
      "  </filter>",
      // istio-proxy's access log lines are JSON (accessLogEncoding JSON): their fields join the
      // record; its other lines (Envoy's own log) stay as they are.
      "  <filter kubernetes.var.log.containers.*_istio-proxy-*.log>",
      "    @type parser",
      "    @id filter_istio_access_log",
      "    key_name message",
      "    reserve_data true",
      "    remove_key_name_field true",
      "    emit_invalid_record_to_error false",
      "    <parse>",
      "      @type json",
      "    </parse>",
      "  </filter>",
      "  <match **>",
      "    @type relabel",
      "    @label @DISPATCH",
      "  </match>",
      "</label>",
    ].join("\n"),
    "03_dispatch.conf": [
      "<label @DISPATCH>",
      "  <filter **>",
      "    @type prometheus",
      "    <metric>",
      "      name fluentd_input_status_num_records_total",
      "      type counter",
      "      desc The total number of incoming records",
      "      <labels>",
      "        tag ${tag}",
      "        hostname ${hostname}",
      "      </labels>",
      "    </metric>",
      "  </filter>",
      "  <match **>",
      "    @type relabel",
      "    @label @OUTPUT",
      "  </match>",
      "</label>",
    ].join("\n"),
    "04_outputs.conf": [
      "<label @OUTPUT>",
      "  <match **>",
      outputBlock(output),
      "  </match>",
      "</label>",
    ].join("\n"),
  };
}
