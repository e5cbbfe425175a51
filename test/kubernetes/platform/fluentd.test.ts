import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as h from "../../harness";
import {
  Fluentd,
  fluentdPipeline,
  fluentdValues,
} from "../../../components/kubernetes/platform/fluentd";
import { CHARTS } from "../../../components/kubernetes/platform/versions";
import { chartDir, skipWithoutChartData } from "./upstream-charts";

const RELEASE = "kubernetes:helm.sh/v3:Release";

describe("platform/Fluentd", () => {
  beforeEach(() => h.reset());

  it("GIVEN defaults THEN a DaemonSet tails container logs -> kubernetes_metadata -> stdout", async () => {
    new Fluentd("logs");
    await h.settled();
    assert.deepEqual(h.countByType(), { "mesh-serverless:platform:Fluentd": 1, [RELEASE]: 1 });
    const r = h.get(RELEASE, "logs-release").inputs;
    assert.equal(r.name, "fluentd");
    assert.equal(r.chart, "fluentd");
    assert.equal(r.version, "0.6.0");
    assert.equal(r.namespace, "logging");
    assert.equal(r.createNamespace, true);
    assert.deepEqual(r.repositoryOpts, { repo: "https://fluent.github.io/helm-charts" });
    const values = r.values as { kind: string; fileConfigs: Record<string, string> };
    assert.deepEqual(Object.keys(values), ["fileConfigs", "kind"]);
    assert.equal(values.kind, "DaemonSet");
    const files = values.fileConfigs;
    assert.deepEqual(Object.keys(files), [
      "01_sources.conf",
      "02_filters.conf",
      "03_dispatch.conf",
      "04_outputs.conf",
    ]);
    assert.match(
      files["01_sources.conf"],
      /@type tail\n[\s\S]*path \/var\/log\/containers\/\*\.log\n/,
    );
    assert.match(files["01_sources.conf"], /@label @KUBERNETES/);
    assert.match(
      files["02_filters.conf"],
      /<filter kubernetes\.\*\*>\n\s+@type kubernetes_metadata/,
    );
    assert.match(files["02_filters.conf"], /@label @DISPATCH/);
    assert.match(files["03_dispatch.conf"], /@label @OUTPUT/);
    assert.equal(
      files["04_outputs.conf"],
      "<label @OUTPUT>\n  <match **>\n    @type stdout\n    @id out_stdout\n  </match>\n</label>",
    );
  });

  it("GIVEN Elasticsearch with TLS and credentials THEN both come from Kubernetes Secrets", async () => {
    new Fluentd("logs", {
      namespace: "log",
      version: "0.6.1",
      path: "/var/log/containers/*_apps_*.log",
      output: {
        type: "elasticsearch",
        host: "es.logging.svc.cluster.local",
        port: 9243,
        index: "mesh-logs",
        tls: { ca: { name: "es-ca", key: "ca.crt" } },
        credentials: { secretName: "es-auth", usernameKey: "user", passwordKey: "pass" },
      },
      registry: "r.local",
    });
    await h.settled();
    const r = h.get(RELEASE, "logs-release").inputs;
    assert.equal(r.version, "0.6.1");
    assert.equal(r.namespace, "log");
    const v = r.values as Record<string, unknown> & { fileConfigs: Record<string, string> };
    assert.deepEqual(v.env, [
      { name: "FLUENT_OUTPUT_USER", valueFrom: { secretKeyRef: { key: "user", name: "es-auth" } } },
      {
        name: "FLUENT_OUTPUT_PASSWORD",
        valueFrom: { secretKeyRef: { key: "pass", name: "es-auth" } },
      },
    ]);
    assert.deepEqual(v.volumes, [{ name: "output-tls", secret: { secretName: "es-ca" } }]);
    assert.deepEqual(v.volumeMounts, [
      { mountPath: "/fluentd/tls", name: "output-tls", readOnly: true },
    ]);
    assert.deepEqual(v.image, { repository: "r.local/fluent/fluentd-kubernetes-daemonset" });
    assert.match(
      v.fileConfigs["01_sources.conf"],
      /path \/var\/log\/containers\/\*_apps_\*\.log\n/,
    );
    assert.equal(
      v.fileConfigs["04_outputs.conf"],
      [
        "<label @OUTPUT>",
        "  <match **>",
        "    @type elasticsearch",
        "    @id out_elasticsearch",
        "    host es.logging.svc.cluster.local",
        "    port 9243",
        "    scheme https",
        "    index_name mesh-logs",
        "    ssl_verify true",
        "    ca_file /fluentd/tls/ca.crt",
        "    user \"#{ENV['FLUENT_OUTPUT_USER']}\"",
        "    password \"#{ENV['FLUENT_OUTPUT_PASSWORD']}\"",
        "    <buffer>",
        "      @type file",
        "      path /var/log/fluentd-buffers/out_elasticsearch.*.buffer",
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
        "  </match>",
        "</label>",
      ].join("\n"),
    );
    assert.ok(!JSON.stringify(v).includes("changeme"), "no chart default credentials survive");
  });

  it("GIVEN OpenSearch without TLS THEN plain http and no secret mounts", () => {
    const out = fluentdPipeline(
      { type: "opensearch", host: "10.0.0.5", tls: { enabled: false } },
      "/x/*.log",
      "logging",
    );
    assert.match(
      out["04_outputs.conf"],
      /@type opensearch\n\s+@id out_opensearch\n\s+host 10\.0\.0\.5\n\s+port 9200\n\s+scheme http\n\s+index_name fluentd\n/,
    );
    assert.ok(!out["04_outputs.conf"].includes("ssl_verify"));
  });

  it("rejects bad input", async () => {
    const es = { type: "elasticsearch" as const, host: "es" };
    const cases: [object, string, string, string][] = [
      [
        { output: { type: "kafka" } },
        "output.type",
        '"kafka"',
        '"elasticsearch", "opensearch", "stdout"',
      ],
      [{ output: { type: "elasticsearch" } }, "output.host", "undefined", "is required"],
      [
        { output: { ...es, host: "https://es:9200" } },
        "output.host",
        '"https://es:9200"',
        "no scheme, no port",
      ],
      [{ output: { ...es, port: 70000 } }, "output.port", "70000", "from 1 to 65535"],
      [{ output: { ...es, index: "Logs" } }, "output.index", '"Logs"', "lowercase index name"],
      [
        { output: { ...es, tls: { ca: { name: "Bad_Name", key: "ca" } } } },
        "output.tls.ca.name",
        '"Bad_Name"',
        "DNS-1123 subdomain",
      ],
      [
        { output: { ...es, tls: { ca: { name: "ca", key: "a/b" } } } },
        "output.tls.ca.key",
        '"a/b"',
        "Secret key",
      ],
      [
        { output: { ...es, tls: { enabled: false, ca: { name: "ca", key: "k" } } } },
        "output.tls.ca",
        "ca",
        "output.tls.enabled: true",
      ],
      [
        { output: { ...es, credentials: { secretName: "" } } },
        "output.credentials.secretName",
        '""',
        "DNS-1123 subdomain",
      ],
      [
        { output: { ...es, credentials: { secretName: "s", passwordKey: "p w" } } },
        "output.credentials.passwordKey",
        '"p w"',
        "Secret key",
      ],
      [{ path: "relative/*.log" }, "path", '"relative/*.log"', "absolute file path"],
      [{ version: "0.6" }, "version", '"0.6"', "exact semantic version"],
      [{ registry: "r.io:port" }, "registry", '"r.io:port"', "image registry host"],
    ];
    for (const [args, arg, value, allowed] of cases) {
      await h.expectInvalid(() => new Fluentd("bad", args), arg, value, allowed);
    }
  });

  it("keeps the metrics source the chart's probes GET (/metrics on 24231)", () => {
    const sources = fluentdPipeline({ type: "stdout" }, "/var/log/containers/*.log", "logging")[
      "01_sources.conf"
    ];
    assert.match(
      sources,
      /<source>\n {2}@type prometheus\n {2}bind 0\.0\.0\.0\n {2}port 24231\n {2}metrics_path \/metrics\n<\/source>/,
    );
  });

  it("an OpenSearch output picks the chart's `opensearch` image variant, never a tag of its own", () => {
    const path = "/var/log/containers/*.log";
    const namespace = "logging";
    const os = fluentdValues({
      output: { type: "opensearch", host: "os.logging.svc" },
      path,
      namespace,
    });
    // The chart derives the tag from its appVersion and the variant: image and chart move together.
    assert.equal(os.variant, "opensearch");
    assert.equal(os.image, undefined);
    const mirrored = fluentdValues({
      output: { type: "opensearch", host: "os.logging.svc" },
      path,
      namespace,
      registry: "harbor.corp/mirror",
    });
    assert.equal(mirrored.variant, "opensearch");
    assert.deepEqual(mirrored.image, {
      repository: "harbor.corp/mirror/fluent/fluentd-kubernetes-daemonset",
    });
    const es = fluentdValues({
      output: { type: "elasticsearch", host: "es.logging.svc" },
      path,
      namespace,
    });
    assert.equal(es.variant, undefined, "the chart's default variant carries Elasticsearch");
    assert.equal(es.image, undefined);
  });

  it("`opensearch` is a variant the pinned chart lists", function () {
    skipWithoutChartData(this);
    // values.yaml documents the variants in the comment above `variant:`.
    const text = fs.readFileSync(
      path.join(chartDir("fluentd", CHARTS.fluentd.version), "values.yaml"),
      "utf8",
    );
    const comment = /^# (.*)\nvariant: /m.exec(text);
    assert.ok(comment, "no variant list above `variant:`");
    assert.ok(comment[1].split(/,\s*/).includes("opensearch"), comment[1]);
  });
});
