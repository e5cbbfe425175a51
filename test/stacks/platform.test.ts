import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { render } from "../../cli/render";
import { deployPlatform } from "../../stacks/platform";
import type { MeshPlatformArgs } from "../../components/kubernetes/platform/platform";
import { rejects } from "./run";
import * as h from "../harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const section = (value: Record<string, unknown>) => value as MeshPlatformArgs;

describe("stacks/platform", () => {
  afterEach(() => h.reset());

  describe("the dev stack renders the whole platform", () => {
    let out: string;
    let result: Awaited<ReturnType<typeof render>>;

    before(async () => {
      out = fs.mkdtempSync(path.join(os.tmpdir(), "platform-dev-"));
      result = await render({ stack: "dev", out });
    });

    it("writes a helmfile with every release, pinned, in dependency order", () => {
      assert.equal(result.releases, 7);
      const helmfile = parse(fs.readFileSync(path.join(out, "helmfile.yaml"), "utf8"));
      const releases = Object.fromEntries(
        (
          helmfile.releases as { name: string; chart: string; version: string; needs?: string[] }[]
        ).map((r) => [r.name, { chart: r.chart, version: r.version, needs: r.needs ?? [] }]),
      );
      assert.deepEqual(releases, {
        "istio-base": { chart: "istio-release/base", version: "1.31.1", needs: [] },
        istiod: {
          chart: "istio-release/istiod",
          version: "1.31.1",
          needs: ["istio-system/istio-base"],
        },
        "istio-ingressgateway": {
          chart: "istio-release/gateway",
          version: "1.31.1",
          needs: ["istio-system/istio-base", "istio-system/istiod"],
        },
        "knative-operator": { chart: "knative/knative-operator", version: "v1.23.0", needs: [] },
        jaeger: { chart: "jaegertracing/jaeger", version: "4.11.1", needs: [] },
        "kube-prometheus-stack": {
          chart: "prometheus-community/kube-prometheus-stack",
          version: "88.5.3",
          needs: [],
        },
        fluentd: { chart: "fluent/fluentd", version: "0.6.0", needs: [] },
      });
      // Istio's charts come from its current repository (the GCS bucket is retired after 1.30).
      assert.ok(
        (helmfile.repositories as { name: string; url: string }[]).some(
          (r) =>
            r.name === "istio-release" && r.url === "https://blob.istio.io/istio-release/charts",
        ),
        JSON.stringify(helmfile.repositories),
      );
    });

    it("writes a manifest for every CR, all valid against their upstream schema", () => {
      // Other config keys of the stack may add objects: every one must validate, and the
      // platform's own are all there.
      assert.ok(result.manifests >= 6, String(result.manifests));
      assert.equal(result.validated, result.manifests);
      assert.deepEqual(result.unvalidated, {});
      const kinds = (file: string) =>
        fs
          .readFileSync(path.join(out, "manifests", file), "utf8")
          .split("---\n")
          .map((doc) => {
            const m = parse(doc) as {
              apiVersion: string;
              kind: string;
              metadata: { name: string };
            };
            return `${m.apiVersion} ${m.kind} ${m.metadata.name}`;
          });
      const expected: [string, string][] = [
        [
          "2-resources/istio-system.yaml",
          "monitoring.coreos.com/v1 PodMonitor envoy-stats-monitor",
        ],
        ["2-resources/istio-system.yaml", "security.istio.io/v1 PeerAuthentication default"],
        [
          "2-resources/istio-system.yaml",
          "monitoring.coreos.com/v1 ServiceMonitor istio-component-monitor",
        ],
        ["2-resources/istio-system.yaml", "telemetry.istio.io/v1 Telemetry mesh-default"],
        [
          "2-resources/knative-serving.yaml",
          "operator.knative.dev/v1beta1 KnativeServing knative-serving",
        ],
        ["1-cluster/_cluster.yaml", "v1 Namespace knative-serving"],
      ];
      for (const [file, object] of expected)
        assert.ok(kinds(file).includes(object), `${file}: ${object}`);
    });

    it("applies the dev config: sampling 100%, JSON access logs, retention 2d, stdout logs", () => {
      const yaml = (f: string) => parse(fs.readFileSync(path.join(out, "values", f), "utf8"));
      assert.equal(yaml("istio-system/istiod.yaml").meshConfig.accessLogEncoding, "JSON");
      assert.equal(yaml("istio-system/istio-ingressgateway.yaml").service.type, "NodePort");
      assert.equal(
        yaml("monitoring/kube-prometheus-stack.yaml").prometheus.prometheusSpec.retention,
        "2d",
      );
      assert.equal(yaml("monitoring/kube-prometheus-stack.yaml").alertmanager.enabled, false);
      assert.match(yaml("logging/fluentd.yaml").fileConfigs["04_outputs.conf"], /@type stdout/);
      assert.equal(
        yaml("tracing/jaeger.yaml").userconfig.extensions.jaeger_storage.backends.primary_store
          .memory.max_traces,
        50000,
      );
      const istio = fs.readFileSync(
        path.join(out, "manifests", "2-resources", "istio-system.yaml"),
        "utf8",
      );
      assert.match(istio, /randomSamplingPercentage: 100/);
      const outputs = JSON.parse(fs.readFileSync(path.join(out, "outputs.json"), "utf8"));
      assert.deepEqual(outputs.platform, {
        addOns: ["istio", "knative", "eventing", "jaeger", "prometheus", "fluentd"],
        dashboards: {
          grafana: "http://kube-prometheus-stack-grafana.monitoring.svc:80",
          jaeger: "http://jaeger.tracing.svc:16686",
          prometheus: "http://kube-prometheus-stack-prometheus.monitoring.svc:9090",
        },
        gateway: "knative-serving/knative-ingress-gateway",
        gatewayService: "istio-ingressgateway.istio-system.svc.cluster.local",
        monitorLabels: {},
        rootNamespace: "istio-system",
        tracingProvider: "jaeger",
      });
    });
  });

  describe("deployPlatform translates config into MeshPlatform args", () => {
    beforeEach(() => h.reset());

    it("turns add-ons off, passes versions, registry and nested args", async () => {
      const d = deployPlatform(
        section({
          registry: "mirror.local",
          versions: { istio: "1.31.0" },
          istio: { revision: "canary", gateway: { name: "edge" } },
          knative: false,
          jaeger: false,
          prometheus: true,
          fluentd: {
            output: { type: "opensearch", host: "os.logging", credentials: { secretName: "os" } },
          },
        }),
        {},
      );
      await h.settled();
      assert.deepEqual(h.names(RELEASE), [
        "platform-fluentd-release",
        "platform-istio-base",
        "platform-istio-gateway",
        "platform-istio-istiod",
        "platform-prometheus-release",
      ]);
      assert.equal(h.get(RELEASE, "platform-istio-istiod").inputs.name, "istiod-canary");
      assert.equal(h.get(RELEASE, "platform-istio-base").inputs.version, "1.31.0");
      assert.equal(d.mesh.revision, "canary");
      assert.deepEqual(d.mesh.gatewaySelector, { app: "edge", istio: "edge" });
      assert.equal(d.mesh.tracingProvider, undefined);
      assert.deepEqual(d.mesh.monitorLabels, {});
    });

    it("rejects unknown keys and wrong shapes naming the full key, before building anything", async () => {
      const platform = (value: Record<string, unknown>) => ({
        environment: "dev",
        platform: value,
      });
      await rejects(
        platform({ jager: {} }),
        /^invalid `mesh-serverless:platform.jager` \{\}: unknown key; did you mean `jaeger`\?/,
      );
      await rejects(
        platform({ knative: { autoscaler: { stableWindw: "60s" } } }),
        /^invalid `mesh-serverless:platform.knative.autoscaler.stableWindw` "60s": unknown key; did you mean `stableWindow`\?/,
      );
      await rejects(
        platform({ istio: false }),
        "invalid `mesh-serverless:platform.istio` false: must be a mapping",
      );
      await rejects(
        platform({ jaeger: "yes" }),
        'invalid `mesh-serverless:platform.jaeger` "yes": must be a boolean or a PlatformJaegerArgs',
      );
      await rejects(
        platform({ versions: { istio: 1.3 } }),
        "invalid `mesh-serverless:platform.versions.istio` 1.3: must be a string or a `secure:` value",
      );
    });

    it("leaves value checks to the components (ResourceError naming the argument)", async () => {
      await h.expectInvalid(
        () => deployPlatform(section({ jaeger: { samplingPercentage: 250 } }), {}),
        "jaeger.samplingPercentage",
        "250",
        "from 0 to 100",
      );
    });
  });
});
