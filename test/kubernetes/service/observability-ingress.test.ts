import { strict as assert } from "assert";
import fc from "fast-check";
import * as h from "../../harness";
import { ServiceObservability } from "../../../components/kubernetes/service/service-observability";
import { IngressGateway } from "../../../components/kubernetes/service/ingress-gateway";
import { IngressRoute } from "../../../components/kubernetes/service/ingress-route";
import { FakeRelease, labels, meta, parent, RELEASE, spec, T } from "./helpers";

const SEL =
  'reporter="destination",destination_workload_namespace="shop",destination_canonical_service="orders"';

describe("kubernetes/service ServiceObservability", () => {
  beforeEach(() => h.reset());

  it("GIVEN monitor, both alerts and telemetry THEN emits them with the mesh's labels and provider", async () => {
    const release = new FakeRelease("istio-base");
    new ServiceObservability("orders", {
      namespace: "shop",
      mesh: { dependsOn: [release], monitorLabels: { release: "kps" }, tracingProvider: "jaeger" },
      monitor: { port: "http-metrics" },
      alerts: {
        errorRate: { thresholdPercent: 2, for: "10m" },
        latency: { thresholdMs: 500, quantile: 0.99, window: "10m" },
      },
      telemetry: { samplingPercentage: 25, accessLogs: true },
    });
    await h.settled();
    assert.deepEqual(spec(T.sm, "shop/orders"), {
      selector: { matchLabels: { app: "orders" } },
      endpoints: [{ port: "http-metrics", path: "/metrics", interval: "30s" }],
    });
    assert.deepEqual(meta(T.sm, "shop/orders").labels, {
      ...labels("orders", "observability"),
      release: "kps",
    });
    assert.deepEqual(meta(T.pr, "shop/orders").labels, {
      ...labels("orders", "observability"),
      release: "kps",
    });
    assert.deepEqual(spec(T.pr, "shop/orders"), {
      groups: [
        {
          name: "orders.rules",
          rules: [
            {
              alert: "OrdersHighErrorRate",
              expr: `sum(rate(istio_requests_total{${SEL},response_code=~"5.."}[5m])) / sum(rate(istio_requests_total{${SEL}}[5m])) * 100 > 2`,
              for: "10m",
              // Whose alert it is: Alertmanager routes by namespace, inhibits by service.
              labels: { severity: "warning", namespace: "shop", service: "orders" },
              annotations: {
                summary: "High error rate on shop/orders",
                description: "Error rate of shop/orders is above 2%",
              },
            },
            {
              alert: "OrdersHighLatency",
              expr: `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${SEL}}[10m]))) > 500`,
              for: "5m",
              // Whose alert it is: Alertmanager routes by namespace, inhibits by service.
              labels: { severity: "warning", namespace: "shop", service: "orders" },
              annotations: {
                summary: "High latency on shop/orders",
                description: "p99 latency of shop/orders is above 500ms",
              },
            },
          ],
        },
      ],
    });
    assert.deepEqual(spec(T.tel, "shop/orders"), {
      selector: { matchLabels: { app: "orders" } },
      tracing: [{ providers: [{ name: "jaeger" }], randomSamplingPercentage: 25 }],
      accessLogging: [{ providers: [{ name: "envoy" }], disabled: false }],
    });
    for (const t of [T.sm, T.pr, T.tel]) {
      const r = h.get(t, "shop/orders");
      assert.deepEqual(h.dependencies(r), [RELEASE]);
      assert.equal(parent(r), "mesh-serverless:service:ServiceObservability::orders");
    }
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  it("a PodMonitor elsewhere, with namespaces and a custom selector", async () => {
    new ServiceObservability("fn", {
      namespace: "serverless",
      selector: { "serving.knative.dev/service": "fn" },
      monitor: {
        kind: "PodMonitor",
        port: "user-port",
        namespace: "monitoring",
        namespaces: ["serverless"],
        interval: "15s",
        name: "fn-pods",
      },
      telemetry: { samplingPercentage: 0 },
    });
    await h.settled();
    assert.deepEqual(spec(T.pm, "monitoring/fn-pods"), {
      selector: { matchLabels: { "serving.knative.dev/service": "fn" } },
      namespaceSelector: { matchNames: ["serverless"] },
      podMetricsEndpoints: [{ port: "user-port", path: "/metrics", interval: "15s" }],
    });
    // No tracing provider in the mesh: the sampling override applies to the default provider.
    assert.deepEqual(spec(T.tel, "serverless/fn"), {
      selector: { matchLabels: { "serving.knative.dev/service": "fn" } },
      tracing: [{ randomSamplingPercentage: 0 }],
    });
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  describe("rejects bad input", () => {
    const cases: [string, () => unknown, string, ...string[]][] = [
      [
        "a fractional Prometheus duration",
        () => new ServiceObservability("a", { monitor: { port: "http", interval: "1.5s" } }),
        "monitor.interval",
        "Prometheus duration",
      ],
      [
        "a threshold above 100%",
        () => new ServiceObservability("a", { alerts: { errorRate: { thresholdPercent: 120 } } }),
        "alerts.errorRate.thresholdPercent",
        "0 to 100",
      ],
      [
        "a bad alert name",
        () =>
          new ServiceObservability("a", {
            alerts: { latency: { thresholdMs: 1, alert: "high latency" } },
          }),
        "alerts.latency.alert",
        "alert name",
      ],
      [
        "a quantile of 1",
        () =>
          new ServiceObservability("a", { alerts: { latency: { thresholdMs: 1, quantile: 1 } } }),
        "alerts.latency.quantile",
      ],
      [
        "alerts without any alert",
        () => new ServiceObservability("a", { alerts: {} }),
        "alerts",
        "errorRate and/or latency",
      ],
      [
        "sampling above 100",
        () => new ServiceObservability("a", { telemetry: { samplingPercentage: 101 } }),
        "telemetry.samplingPercentage",
        "0 to 100",
      ],
      [
        "a monitor without port",
        () => new ServiceObservability("a", { monitor: {} as never }),
        "monitor.port",
        "metrics port",
      ],
      ["nothing", () => new ServiceObservability("a", {}), "monitor", "nothing would be created"],
    ];
    for (const [what, build, arg, ...mentions] of cases)
      it(what, () => h.expectInvalid(build, arg, ...mentions));
  });

  it("property: the `for` of an alert is emitted as given for any valid Prometheus duration", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 120 }),
        fc.constantFrom("s", "m", "h"),
        fc.integer({ min: 0, max: 100 }),
        async (n, unit, threshold) => {
          await h.reset();
          new ServiceObservability("p", {
            alerts: { errorRate: { thresholdPercent: threshold, for: `${n}${unit}` } },
          });
          await h.settled();
          const groups = (
            spec(T.pr, "default/p") as { groups: { rules: { for: string; expr: string }[] }[] }
          ).groups;
          assert.equal(groups[0].rules[0].for, `${n}${unit}`);
          assert.ok(groups[0].rules[0].expr.endsWith(`* 100 > ${threshold}`));
        },
      ),
      { numRuns: 20 },
    );
  });
});

describe("kubernetes/service IngressGateway and IngressRoute", () => {
  beforeEach(() => h.reset());

  it("a Gateway on the mesh's gateway pods, TLS from a secret, HTTP redirect", async () => {
    new IngressGateway("public", {
      namespace: "istio-ingress",
      mesh: { gatewaySelector: { istio: "ingress" } },
      servers: [
        { port: 443, hosts: ["*.example.com"], tls: { secret: "example-cert" } },
        { port: 80, hosts: ["*.example.com"], tls: { httpsRedirect: true } },
        {
          port: 8443,
          hosts: ["api.example.com"],
          tls: { secret: "api-cert", mode: "MUTUAL", minProtocolVersion: "TLSV1_3" },
        },
        { port: 9443, protocol: "TLS", hosts: ["db.example.com"], tls: { mode: "PASSTHROUGH" } },
      ],
    });
    await h.settled();
    assert.deepEqual(spec(T.gw, "istio-ingress/public"), {
      selector: { istio: "ingress" },
      servers: [
        {
          port: { number: 443, name: "https", protocol: "HTTPS" },
          hosts: ["*.example.com"],
          // TLS 1.2 at least where the gateway terminates TLS, unless told otherwise.
          tls: { mode: "SIMPLE", credentialName: "example-cert", minProtocolVersion: "TLSV1_2" },
        },
        {
          port: { number: 80, name: "http", protocol: "HTTP" },
          hosts: ["*.example.com"],
          tls: { httpsRedirect: true },
        },
        {
          port: { number: 8443, name: "https", protocol: "HTTPS" },
          hosts: ["api.example.com"],
          tls: { mode: "MUTUAL", credentialName: "api-cert", minProtocolVersion: "TLSV1_3" },
        },
        {
          // PASSTHROUGH: the backend terminates TLS, so no version is set here.
          port: { number: 9443, name: "tls", protocol: "TLS" },
          hosts: ["db.example.com"],
          tls: { mode: "PASSTHROUGH" },
        },
      ],
    });
    assert.deepEqual(meta(T.gw, "istio-ingress/public").labels, labels("public", "ingress"));
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  it("a route binds hosts and path prefixes to the service through the mesh's shared gateway", async () => {
    new IngressRoute("shop", {
      namespace: "web",
      mesh: { gateway: "istio-ingress/public" },
      hosts: ["shop.example.com"],
      paths: ["/cart", "/checkout"],
      port: 8080,
    });
    await h.settled();
    const host = "shop.web.svc.cluster.local";
    assert.deepEqual(spec(T.vs, "web/shop"), {
      hosts: ["shop.example.com"],
      gateways: ["istio-ingress/public"],
      http: ["/cart", "/checkout"].map((p) => ({
        match: [{ uri: { prefix: p } }],
        route: [{ destination: { host, port: { number: 8080 } } }],
      })),
    });
    assert.deepEqual(meta(T.vs, "web/shop").labels, labels("shop", "ingress"));
  });

  it("rejects bad gateways and routes", async () => {
    await h.expectInvalid(
      () => new IngressGateway("g", { servers: [] }),
      "servers",
      "at least one server",
    );
    await h.expectInvalid(
      () => new IngressGateway("g", { servers: [{ port: 0, hosts: ["*"] }] }),
      "servers[0].port",
      "1 to 65535",
    );
    await h.expectInvalid(
      () =>
        new IngressGateway("g", {
          servers: [{ port: 443, hosts: ["a.com"], tls: { mode: "SIMPLE" } }],
        }),
      "servers[0].tls.secret",
      "needs the Secret",
    );
    // istio pkg/config/validation validateServer: HTTPS/TLS servers must have TLS settings.
    for (const protocol of ["HTTPS", "TLS"] as const)
      await h.expectInvalid(
        () => new IngressGateway("g", { servers: [{ port: 443, protocol, hosts: ["a.com"] }] }),
        "servers[0].tls",
        `a ${protocol} server needs \`tls\``,
      );
    await h.expectInvalid(
      () =>
        new IngressGateway("g", {
          servers: [
            {
              port: 443,
              hosts: ["a.com"],
              tls: { secret: "c", minProtocolVersion: "TLSV1_1" as "TLSV1_2" },
            },
          ],
        }),
      "servers[0].tls.minProtocolVersion",
      '"TLSV1_1"',
    );
    await h.expectInvalid(
      () =>
        new IngressGateway("g", {
          servers: [
            {
              port: 443,
              protocol: "TLS",
              hosts: ["a.com"],
              tls: { mode: "PASSTHROUGH", minProtocolVersion: "TLSV1_3" },
            },
          ],
        }),
      "servers[0].tls.minProtocolVersion",
      "terminates TLS",
    );
    await h.expectInvalid(
      () => new IngressGateway("g", { servers: [{ port: 80, hosts: ["a b"] }] }),
      "servers[0].hosts[0]",
    );
    await h.expectInvalid(
      () => new IngressRoute("r", { hosts: ["a.com"] }),
      "gateway",
      "no shared gateway",
    );
    await h.expectInvalid(
      () => new IngressRoute("r", { gateway: "g", hosts: [] }),
      "hosts",
      "at least one",
    );
    await h.expectInvalid(
      () => new IngressRoute("r", { gateway: "g", hosts: ["a.com"], paths: ["api"] }),
      "paths[0]",
      "starting with '/'",
    );
    await h.expectInvalid(
      () => new IngressRoute("r", { gateway: "g", hosts: ["a.com"], port: 65536 }),
      "port",
      "1 to 65535",
    );
  });
});
