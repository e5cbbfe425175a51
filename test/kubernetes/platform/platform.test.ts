import { strict as assert } from "assert";
import * as k8s from "@pulumi/kubernetes";
import * as h from "../../harness";
import { MeshPlatform } from "../../../components/kubernetes/platform/platform";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const KS = "kubernetes:operator.knative.dev/v1beta1:KnativeServing";

function values(resourceName: string): Record<string, unknown> {
  return h.get(RELEASE, resourceName).inputs.values as Record<string, unknown>;
}

describe("platform/MeshPlatform", () => {
  beforeEach(() => h.reset());

  it("GIVEN defaults THEN installs every add-on in order and hands out the mesh", async () => {
    const p = new MeshPlatform("plat");
    await h.settled();
    assert.deepEqual(h.countByType(), {
      "mesh-serverless:platform:MeshPlatform": 1,
      "mesh-serverless:platform:IstioMesh": 1,
      "mesh-serverless:platform:Jaeger": 1,
      "mesh-serverless:platform:Prometheus": 1,
      "mesh-serverless:platform:KnativeServing": 1,
      "mesh-serverless:platform:Fluentd": 1,
      "kubernetes:core/v1:Namespace": 1,
      [RELEASE]: 7,
      "kubernetes:security.istio.io/v1:PeerAuthentication": 2,
      "kubernetes:monitoring.coreos.com/v1:ServiceMonitor": 1,
      "kubernetes:monitoring.coreos.com/v1:PodMonitor": 1,
      "kubernetes:telemetry.istio.io/v1:Telemetry": 1,
      [KS]: 1,
    });
    const releases = h
      .resources(RELEASE)
      .map(
        (r) =>
          `${String(r.inputs.namespace)}/${String(r.inputs.name)} ${String(r.inputs.chart)}@${String(r.inputs.version)}`,
      )
      .sort();
    assert.deepEqual(releases, [
      "istio-system/istio-base base@1.31.1",
      "istio-system/istio-ingressgateway gateway@1.31.1",
      "istio-system/istiod istiod@1.31.1",
      "knative-operator/knative-operator knative-operator@v1.23.0",
      "logging/fluentd fluentd@0.6.0",
      "monitoring/kube-prometheus-stack kube-prometheus-stack@88.5.3",
      "tracing/jaeger jaeger@4.11.1",
    ]);
    // istiod points its tracing provider at the Jaeger component's OTLP receiver and makes it
    // the mesh's default; Jaeger's root-namespace Telemetry sets the rate (it wins over meshConfig).
    const meshConfig = values("plat-istio-istiod").meshConfig as Record<string, unknown>;
    assert.deepEqual(meshConfig.extensionProviders, [
      {
        name: "jaeger",
        opentelemetry: { port: 4317, service: "jaeger.tracing.svc.cluster.local" },
      },
    ]);
    assert.deepEqual(meshConfig.defaultProviders, { tracing: ["jaeger"] });
    assert.equal(meshConfig.defaultConfig, undefined);
    assert.deepEqual(h.dependencies(h.get(KS, "plat-knative-serving")), [
      "kubernetes:core/v1:Namespace::plat-knative-namespace",
      `${RELEASE}::plat-istio-base`,
      `${RELEASE}::plat-istio-gateway`,
      `${RELEASE}::plat-istio-istiod`,
      `${RELEASE}::plat-knative-operator`,
    ]);
    for (const child of [
      "plat-istio",
      "plat-knative",
      "plat-jaeger",
      "plat-prometheus",
      "plat-fluentd",
    ]) {
      const c = h.resources().find((r) => r.name === child);
      assert.equal(c && h.parentOf(c)?.name, "plat", child);
    }
    const { dependsOn, ...mesh } = p.mesh;
    assert.deepEqual(mesh, {
      rootNamespace: "istio-system",
      knativeNamespace: "knative-serving",
      gateway: "knative-serving/knative-ingress-gateway",
      gatewaySelector: { app: "istio-ingressgateway", istio: "ingressgateway" },
      dataPlane: "sidecar",
      cni: false,
      tracingProvider: "jaeger",
      tracingService: "jaeger.tracing.svc.cluster.local",
      // A CUSTOM access rule may name only these (no ext-authz server is configured).
      extensionProviders: ["jaeger"],
      monitorLabels: {},
    });
    assert.deepEqual(dependsOn, [
      p.istio.base,
      p.istio.istiod,
      p.knative!.serving,
      p.prometheus!.release,
    ]);
    assert.equal(p.gatewayService, "istio-ingressgateway.istio-system.svc.cluster.local");
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  it("GIVEN add-ons turned off THEN only Istio is installed and the mesh says so", async () => {
    const p = new MeshPlatform("min", {
      istio: { cni: true },
      knative: false,
      jaeger: false,
      prometheus: false,
      fluentd: false,
    });
    await h.settled();
    assert.deepEqual(h.names(RELEASE), [
      "min-istio-base",
      "min-istio-cni",
      "min-istio-gateway",
      "min-istio-istiod",
    ]);
    assert.equal(
      (values("min-istio-istiod").meshConfig as Record<string, unknown>).extensionProviders,
      undefined,
    );
    const { dependsOn, ...mesh } = p.mesh;
    assert.deepEqual(mesh, {
      rootNamespace: "istio-system",
      gatewaySelector: { app: "istio-ingressgateway", istio: "ingressgateway" },
      dataPlane: "sidecar",
      // The CNI agent is installed: MeshNamespace can enforce "baseline" instead of "privileged".
      cni: true,
      extensionProviders: [],
    });
    assert.deepEqual(dependsOn, [p.istio.base, p.istio.istiod]);
    assert.equal(p.knative, undefined);
  });

  it("GIVEN a registry THEN every chart gets it under its own key; versions and args reach the children", async () => {
    const p = new MeshPlatform("air", {
      registry: "harbor.corp:8443/mirror",
      versions: {
        istio: "1.31.1",
        jaeger: "4.5.0",
        fluentd: "0.6.1",
        kubePrometheusStack: "85.2.0",
        knativeOperator: "1.23.1",
      },
      istio: { profile: "ambient", revision: "1-31-1" },
      jaeger: { samplingPercentage: 100, providerName: "otel" },
      prometheus: { retention: "2d" },
      knative: { domain: "apps.corp" },
      fluentd: { output: { type: "stdout" } },
    });
    await h.settled();
    const hub = "harbor.corp:8443/mirror/istio";
    assert.equal((values("air-istio-istiod").global as Record<string, unknown>).hub, hub);
    assert.equal((values("air-istio-cni").global as Record<string, unknown>).hub, hub);
    assert.equal(values("air-istio-ztunnel").hub, hub);
    assert.deepEqual(values("air-jaeger-release").global, {
      imageRegistry: "harbor.corp:8443/mirror",
    });
    assert.deepEqual(values("air-prometheus-release").global, {
      imageRegistry: "harbor.corp:8443/mirror",
    });
    assert.deepEqual(values("air-fluentd-release").image, {
      repository: "harbor.corp:8443/mirror/fluent/fluentd-kubernetes-daemonset",
    });
    assert.equal(
      (values("air-knative-operator").knative_operator as Record<string, Record<string, string>>)
        .knative_operator.image,
      "harbor.corp:8443/mirror/knative-releases/knative.dev/operator/cmd/operator",
    );
    const spec = h.get(KS, "air-knative-serving").inputs.spec as { registry: { default: string } };
    assert.equal(spec.registry.default, "harbor.corp:8443/mirror/knative-releases/${NAME}:v1.23.0");
    const versions = Object.fromEntries(
      h.resources(RELEASE).map((r) => [r.name, r.inputs.version]),
    );
    assert.deepEqual(versions, {
      "air-istio-base": "1.31.1",
      "air-istio-cni": "1.31.1",
      "air-istio-istiod": "1.31.1",
      "air-istio-ztunnel": "1.31.1",
      "air-istio-gateway": "1.31.1",
      "air-jaeger-release": "4.5.0",
      "air-prometheus-release": "85.2.0",
      "air-knative-operator": "1.23.1",
      "air-fluentd-release": "0.6.1",
    });
    assert.equal(h.get(RELEASE, "air-istio-istiod").inputs.name, "istiod-1-31-1");
    const telemetry = h.get("kubernetes:telemetry.istio.io/v1:Telemetry", "air-jaeger-telemetry");
    assert.deepEqual(telemetry.inputs.spec, {
      tracing: [{ providers: [{ name: "otel" }], randomSamplingPercentage: 100 }],
    });
    assert.equal(p.mesh.revision, "1-31-1");
    assert.equal(p.mesh.dataPlane, "ambient");
    assert.equal(p.mesh.tracingProvider, "otel");
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  it("rejects bad input before creating any child, with the full argument path", async () => {
    const cases: [object, string, string, string][] = [
      [
        { versions: { linkerd: "1.0.0" } },
        "versions.linkerd",
        '"1.0.0"',
        "known keys: istio, knativeOperator, jaeger, kubePrometheusStack, fluentd",
      ],
      [{ versions: { jaeger: "^4.4" } }, "versions.jaeger", '"^4.4"', "exact semantic version"],
      [{ versions: { istio: "latest" } }, "versions.istio", '"latest"', "exact semantic version"],
      [{ istio: false }, "istio", "false", "must be a mapping"],
      [
        { istio: { gateway: false } },
        "istio.gateway",
        "false",
        "must not be false while knative is on",
      ],
      [
        { istio: { tracing: { name: "otel", service: "otel.obs", port: 4317 } } },
        "istio.tracing",
        "otel.obs",
        "must be unset while jaeger is on",
      ],
      [{ istio: { profile: "demo" } }, "istio.profile", '"demo"', '"default", "ambient"'],
      [{ istio: { revision: "Canary" } }, "istio.revision", '"Canary"', "DNS-1123 label"],
      [
        { jaeger: { samplingPercentage: 150 } },
        "jaeger.samplingPercentage",
        "150",
        "from 0 to 100",
      ],
      [
        { knative: { autoscaler: { stableWindow: "3s" } } },
        "knative.autoscaler.stableWindow",
        '"3s"',
        "at least 6s",
      ],
      [
        { prometheus: { retention: "forever" } },
        "prometheus.retention",
        '"forever"',
        "Prometheus duration",
      ],
      [
        { fluentd: { output: { type: "loki" } } },
        "fluentd.output.type",
        '"loki"',
        '"elasticsearch", "opensearch", "stdout"',
      ],
      [{ registry: "http://mirror" }, "registry", '"http://mirror"', "image registry host"],
    ];
    for (const [args, arg, value, allowed] of cases) {
      await h.expectInvalid(() => new MeshPlatform("bad", args), arg, value, allowed);
    }
  });

  it("GIVEN the caller's Kubernetes provider THEN every release and object uses it", async () => {
    const provider = new k8s.Provider("cluster", { context: "dev" });
    new MeshPlatform("prov", {}, { providers: { kubernetes: provider } });
    await h.settled();
    const custom = h
      .resources()
      .filter((r) => r.custom && r.type.startsWith("kubernetes:") && r.name !== "cluster");
    assert.equal(custom.length, 14);
    for (const r of custom)
      assert.equal(h.providerOf(r), "pulumi:providers:kubernetes::cluster", r.name);
  });

  it("GIVEN jaeger off and an own tracing provider THEN every proxy traces there without a Telemetry", async () => {
    const p = new MeshPlatform("own", {
      jaeger: false,
      istio: {
        tracing: {
          name: "otel",
          service: "collector.obs.svc.cluster.local",
          port: 4317,
          samplingPercentage: 5,
        },
      },
    });
    await h.settled();
    const meshConfig = values("own-istio-istiod").meshConfig as Record<string, unknown>;
    assert.deepEqual(meshConfig.extensionProviders, [
      { name: "otel", opentelemetry: { port: 4317, service: "collector.obs.svc.cluster.local" } },
    ]);
    // The mesh's default provider is what makes istiod give proxies a tracer when no Telemetry
    // selects one (istio/istio pilot/pkg/model/telemetry.go `Tracing`).
    assert.deepEqual(meshConfig.defaultProviders, { tracing: ["otel"] });
    assert.deepEqual(meshConfig.defaultConfig, { tracing: { sampling: 5 } });
    assert.equal(p.mesh.tracingProvider, "otel");
    assert.equal(h.resources("kubernetes:telemetry.istio.io/v1:Telemetry").length, 0);
  });

  it("GIVEN knative off THEN Istio may run without a gateway", async () => {
    const p = new MeshPlatform("gwless", { knative: false, istio: { gateway: false } });
    await h.settled();
    assert.equal(p.istio.gateway, undefined);
    assert.equal(p.mesh.gatewaySelector, undefined);
    assert.equal(p.gatewayService, undefined);
  });
});
