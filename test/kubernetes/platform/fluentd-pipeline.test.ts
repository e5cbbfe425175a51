import { strict as assert } from "assert";
import * as h from "../../harness";
import { Fluentd, fluentdPipeline } from "../../../components/kubernetes/platform/fluentd";

/**
 * Plugins of the image the fluentd 0.6.0 chart runs (fluent/fluentd-kubernetes-daemonset tag
 * v1.19.3-1.1, docker-image/v1.19/debian-{elasticsearch7,opensearch}/Gemfile), by section kind:
 * fluentd core (tail, relabel, stdout, parser, json, file), fluent-plugin-parser-cri (cri),
 * fluent-plugin-concat (concat), fluent-plugin-kubernetes_metadata_filter
 * (kubernetes_metadata), fluent-plugin-prometheus (prometheus), fluent-plugin-elasticsearch /
 * fluent-plugin-opensearch (the outputs).
 */
const IMAGE_PLUGINS: Record<string, string[]> = {
  source: ["tail", "prometheus"],
  filter: ["concat", "kubernetes_metadata", "parser", "prometheus"],
  match: ["relabel", "stdout", "elasticsearch", "opensearch"],
  parse: ["cri", "json"],
  buffer: ["file"],
};
/** Sections of Fluentd's config grammar (https://docs.fluentd.org/configuration/config-file). */
const SECTIONS = ["source", "filter", "match", "label", "parse", "buffer", "metric", "labels"];

/** Checks the config's structure: balanced sections, one directive a line, known plugins. */
function structure(conf: string): string[] {
  const problems: string[] = [];
  const stack: { name: string; type?: string }[] = [];
  for (const raw of conf.split("\n")) {
    const line = raw.trim();
    const open = /^<([a-z_]+)(\s+[^<>]+)?>$/.exec(line);
    const close = /^<\/([a-z_]+)>$/.exec(line);
    if (open) {
      if (!SECTIONS.includes(open[1])) problems.push(`unknown section <${open[1]}>`);
      stack.push({ name: open[1] });
    } else if (close) {
      const top = stack.pop();
      if (top?.name !== close[1]) problems.push(`</${close[1]}> closes <${top?.name}>`);
      else if (IMAGE_PLUGINS[top.name] && top.type === undefined && top.name !== "buffer")
        problems.push(`<${top.name}> without @type`);
    } else if (/^@type\s/.test(line)) {
      const top = stack[stack.length - 1];
      const type = line.split(/\s+/)[1];
      if (!top) problems.push(`@type ${type} outside a section`);
      else {
        top.type = type;
        const allowed = IMAGE_PLUGINS[top.name];
        if (!allowed?.includes(type))
          problems.push(`<${top.name}> @type ${type} is not in the image`);
      }
    } else if (!/^@?[a-z_]+(\s+\S.*)?$/.test(line)) problems.push(`not a directive: ${line}`);
  }
  if (stack.length > 0) problems.push(`unclosed <${stack.map((s) => s.name).join("> <")}>`);
  return problems;
}

describe("platform/Fluentd pipeline: logs that are parsed", () => {
  beforeEach(() => h.reset());

  it("every output's config is balanced and uses only plugins of the pinned image", () => {
    const outputs = [
      { type: "stdout" as const },
      { type: "elasticsearch" as const, host: "es", credentials: { secretName: "es" } },
      { type: "opensearch" as const, host: "os", tls: { ca: { name: "ca", key: "ca.crt" } } },
    ];
    for (const o of outputs) {
      const files = fluentdPipeline(o, "/var/log/containers/*.log", "logging");
      for (const [file, conf] of Object.entries(files))
        assert.deepEqual(structure(conf), [], `${o.type} ${file}`);
    }
  });

  it("tails CRI lines without Fluentd's own, joins partial lines, parses istio-proxy's JSON", () => {
    const files = fluentdPipeline({ type: "stdout" }, "/var/log/containers/*.log", "obs");
    assert.equal(
      files["01_sources.conf"].split("\n").slice(0, 13).join("\n"),
      [
        "<source>",
        "  @type tail",
        "  @id in_tail_container_logs",
        "  @label @KUBERNETES",
        "  path /var/log/containers/*.log",
        '  exclude_path ["/var/log/containers/fluentd-*_obs_*.log"]',
        "  pos_file /var/log/fluentd-containers.log.pos",
        "  tag kubernetes.*",
        "  read_from_head true",
        "  <parse>",
        "    @type cri",
        "  </parse>",
        "</source>",
      ].join("\n"),
    );
    const filters = files["02_filters.conf"];
    // Order matters: join first (the metadata and the JSON need the whole line), then metadata,
    // then istio-proxy's access log fields.
    const order = ["@type concat", "@type kubernetes_metadata", "@type parser"].map((t) =>
      filters.indexOf(t),
    );
    assert.ok(order[0] > 0 && order[0] < order[1] && order[1] < order[2], String(order));
    assert.match(
      filters,
      /@type concat\n\s+@id filter_concat_cri\n\s+key message\n\s+use_partial_cri_logtag true\n\s+partial_cri_logtag_key logtag\n\s+partial_cri_stream_key stream\n\s+separator ""\n/,
    );
    assert.match(
      filters,
      /<filter kubernetes\.var\.log\.containers\.\*_istio-proxy-\*\.log>\n\s+@type parser\n\s+@id filter_istio_access_log\n\s+key_name message\n\s+reserve_data true\n\s+remove_key_name_field true\n\s+emit_invalid_record_to_error false\n\s+<parse>\n\s+@type json\n/,
    );
  });

  it("a value that would open or close a section, start a parameter or a comment is rejected", async () => {
    const cases: [object, string, string][] = [
      [{ path: "/var/log/x.log\n</source>" }, "path", "absolute file path"],
      [{ path: "/var/log/</match>" }, "path", "absolute file path"],
      [{ path: "/var/log/x #comment" }, "path", "absolute file path"],
      [{ path: "/var/log/x#y" }, "path", "absolute file path"],
      [{ output: { type: "opensearch", host: "os\n@type stdout" } }, "output.host", "DNS host"],
      [{ output: { type: "opensearch", host: "os", index: "a</match>" } }, "output.index", "index"],
      [
        { output: { type: "opensearch", host: "os", tls: { ca: { name: "ca", key: "a b" } } } },
        "output.tls.ca.key",
        "Secret key",
      ],
    ];
    for (const [args, arg, allowed] of cases)
      await h.expectInvalid(() => new Fluentd("bad", args as never), arg, allowed);
  });
});
