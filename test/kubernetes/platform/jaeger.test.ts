import { strict as assert } from "assert";
import * as k8s from "@pulumi/kubernetes";
import fc from "fast-check";
import * as h from "../../harness";
import { Jaeger, jaegerConfig } from "../../../components/kubernetes/platform/jaeger";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const TELEMETRY = "kubernetes:telemetry.istio.io/v1:Telemetry";

function istioStandIn(): k8s.helm.v3.Release[] {
  return [
    new k8s.helm.v3.Release("base", { chart: "base", name: "istio-base" }),
    new k8s.helm.v3.Release("istiod", { chart: "istiod", name: "istiod" }),
  ];
}

describe("platform/Jaeger", () => {
  beforeEach(() => h.reset());

  it("GIVEN defaults THEN installs Jaeger v2 with an OTLP pipeline and no Telemetry", async () => {
    const j = new Jaeger("tr");
    await h.settled();
    assert.deepEqual(h.countByType(), { "mesh-serverless:platform:Jaeger": 1, [RELEASE]: 1 });
    const r = h.get(RELEASE, "tr-release").inputs;
    assert.equal(r.name, "jaeger");
    assert.equal(r.chart, "jaeger");
    assert.equal(r.version, "4.11.1");
    assert.equal(r.namespace, "tracing");
    assert.equal(r.createNamespace, true);
    assert.deepEqual(r.repositoryOpts, { repo: "https://jaegertracing.github.io/helm-charts" });
    assert.deepEqual(r.values, { jaeger: { enabled: true }, userconfig: jaegerConfig(100000) });
    const cfg = jaegerConfig(100000) as {
      receivers: { otlp: { protocols: Record<string, { endpoint: string }> } };
      service: { pipelines: { traces: { receivers: string[] } } };
    };
    assert.deepEqual(cfg.receivers.otlp.protocols, {
      grpc: { endpoint: "0.0.0.0:4317" },
      http: { endpoint: "0.0.0.0:4318" },
    });
    assert.deepEqual(cfg.service.pipelines.traces.receivers, ["otlp"]);
    assert.deepEqual(j.provider, {
      name: "jaeger",
      service: "jaeger.tracing.svc.cluster.local",
      port: 4317,
    });
  });

  it("GIVEN a telemetry target THEN a mesh-wide Telemetry selects the provider after Istio and Jaeger", async () => {
    new Jaeger("tr", {
      namespace: "obs",
      samplingPercentage: 12.5,
      providerName: "otel-jaeger",
      maxTraces: 5000,
      registry: "r.local/m",
      version: "4.5.0",
      values: { jaeger: { replicas: 2 } },
      telemetry: { rootNamespace: "istio-system", dependsOn: istioStandIn() },
    });
    await h.settled();
    const r = h.get(RELEASE, "tr-release").inputs;
    assert.equal(r.version, "4.5.0");
    assert.deepEqual(r.values, {
      global: { imageRegistry: "r.local/m" },
      jaeger: { enabled: true, replicas: 2 },
      userconfig: jaegerConfig(5000),
    });
    const t = h.get(TELEMETRY, "tr-telemetry");
    assert.deepEqual(h.dependencies(t), [
      `${RELEASE}::base`,
      `${RELEASE}::istiod`,
      `${RELEASE}::tr-release`,
    ]);
    assert.deepEqual(t.inputs.spec, {
      tracing: [{ providers: [{ name: "otel-jaeger" }], randomSamplingPercentage: 12.5 }],
    });
    assert.deepEqual(t.inputs.metadata as { name: string; namespace: string }, {
      name: "mesh-default",
      namespace: "istio-system",
      labels: {
        "app.kubernetes.io/managed-by": "pulumi",
        "app.kubernetes.io/name": "jaeger",
        "app.kubernetes.io/part-of": "mesh-serverless",
        "mesh-serverless/component": "mesh-tracing",
      },
    });
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  it("rejects bad input", async () => {
    const cases: [object, string, string, string][] = [
      [{ samplingPercentage: 101 }, "samplingPercentage", "101", "from 0 to 100"],
      [{ samplingPercentage: -0.5 }, "samplingPercentage", "-0.5", "from 0 to 100"],
      [{ samplingPercentage: 0.001 }, "samplingPercentage", "0.001", "precision 0.01"],
      [{ maxTraces: 0 }, "maxTraces", "0", "integer from 1"],
      [{ providerName: "bad name" }, "providerName", '"bad name"', "provider name"],
      [{ version: "~4.4.8" }, "version", '"~4.4.8"', "exact semantic version"],
      [{ namespace: "-x" }, "namespace", '"-x"', "DNS-1123 label"],
      [{ values: "x" }, "values", '"x"', "must be a mapping"],
    ];
    for (const [args, arg, value, allowed] of cases) {
      await h.expectInvalid(() => new Jaeger("bad", args), arg, value, allowed);
    }
  });

  it("property: sampling outside 0-100 is rejected, within (0.01 steps) accepted", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.double({ min: 100.01, max: 1e6, noNaN: true }),
          fc.double({ max: -0.01, min: -1e6, noNaN: true }),
        ),
        async (p) => {
          await h.reset();
          await h.expectInvalid(
            () => new Jaeger("p", { samplingPercentage: p }),
            "samplingPercentage",
          );
        },
      ),
      { numRuns: 20 },
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 10000 }), async (n) => {
        await h.reset();
        const j = new Jaeger("p", { samplingPercentage: n / 100 });
        assert.equal(j.samplingPercentage, n / 100);
      }),
      { numRuns: 20 },
    );
  });
});
