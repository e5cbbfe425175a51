import { strict as assert } from "assert";
import * as h from "../../harness";
import { ServiceObservability } from "../../../components/kubernetes/service/service-observability";
import { ServiceTraffic } from "../../../components/kubernetes/service/service-traffic";
import { IngressRoute } from "../../../components/kubernetes/service/ingress-route";
import { ServerlessService } from "../../../components/kubernetes/service/serverless-service";
import { spec, T } from "./helpers";

/**
 * Issue 11, injection: every value this area pastes into generated text is checked for that
 * text's grammar. Alert series go into PromQL (Prometheus's lezer grammar decides), rewrites
 * into header values Envoy writes.
 */
describe("kubernetes/service hostile strings in generated text (issue 11)", () => {
  beforeEach(() => h.reset());

  const series = (key: "errors" | "total" | "buckets", value: string) =>
    key === "buckets"
      ? { latency: { thresholdMs: 100, buckets: value } }
      : { errorRate: { thresholdPercent: 5, [key]: value } };
  const alertPath = (key: string) =>
    key === "buckets" ? "alerts.latency.buckets" : `alerts.errorRate.${key}`;

  const hostile: [string, string][] = [
    ["a selector closed early by `}` and another expression", 'up{job="a"} or vector(1)'],
    ["a range and a closing parenthesis", 'istio_requests_total{a="x"}[5m])) or vector(1) #'],
    ['an unterminated label value (a stray `"`)', 'istio_requests_total{job="a}'],
    ["a newline inside a label value", 'istio_requests_total{job="a\nb"}'],
    ["a stray `}`", "istio_requests_total}"],
    ["an offset after the selector", "istio_requests_total offset 1h"],
    ["a function instead of a series", "vector(1)"],
    ["empty", ""],
  ];
  for (const key of ["errors", "total", "buckets"] as const)
    for (const [what, value] of hostile)
      it(`alerts: ${key} as ${what} is rejected, nothing registered`, () =>
        h.expectInvalid(
          () => new ServiceObservability("a", { alerts: series(key, value) }),
          alertPath(key),
          "one PromQL series selector and nothing else",
        ));

  it("a series whose label value holds an escaped quote and a brace is one selector: emitted as given", async () => {
    const errors = 'app_errors_total{reason="bad \\"quote\\" }"}';
    new ServiceObservability("a", {
      namespace: "shop",
      alerts: { errorRate: { thresholdPercent: 5, errors, total: "app_requests_total" } },
    });
    await h.settled();
    const rules = (spec(T.pr, "shop/a") as { groups: { rules: { expr: string }[] }[] }).groups[0]
      .rules;
    assert.equal(
      rules[0].expr,
      `sum(rate(${errors}[5m])) / sum(rate(app_requests_total[5m])) * 100 > 5`,
    );
  });

  const rewrites: [string, Record<string, string>, string][] = [
    ["a uri with a newline (a second header line)", { uri: "/v2\nx-admin: 1" }, "rewrite.uri"],
    ["a uri with a space", { uri: "/v2 HTTP/1.1" }, "rewrite.uri"],
    ["an authority with a newline", { authority: "a.example.com\r\nx: 1" }, "rewrite.authority"],
    ["an authority with a path", { authority: "a.example.com/x" }, "rewrite.authority"],
    ["an authority with a quote", { authority: 'a"b' }, "rewrite.authority"],
  ];
  for (const [what, rewrite, field] of rewrites)
    it(`routes: ${what} is rejected`, () =>
      h.expectInvalid(
        () => new ServiceTraffic("a", { routes: [{ rewrite }] }),
        `routes[0].${field}`,
        field.endsWith("uri") ? "no whitespace or control characters" : "a host name",
      ));

  it("ingress: an authority with a newline is rejected under its own argument", () =>
    h.expectInvalid(
      () =>
        new IngressRoute("r", {
          gateway: "gw",
          hosts: ["a.example.com"],
          authority: "orders\nx",
        }),
      "authority",
      "a host name",
    ));

  it("an authority with a port is accepted as written", async () => {
    new ServiceTraffic("a", { routes: [{ rewrite: { authority: "api.example.com:8443" } }] });
    await h.settled();
    assert.deepEqual((spec(T.vs, "default/a") as { http: unknown[] }).http[0], {
      route: [{ destination: { host: "a.default.svc.cluster.local" } }],
      rewrite: { authority: "api.example.com:8443" },
    });
  });
});

/**
 * Image references as the kubelet parses them (distribution/reference regexp.go): the harden
 * fuzz found `…:3.1.0</match>`, `…"}`, `…${x}` and a NUL accepted by the old "no whitespace" rule,
 * which the kubelet refuses only at pull time (InvalidImageName).
 */
describe("kubernetes/service image references (issue 11)", () => {
  beforeEach(() => h.reset());
  const DIGEST = `sha256:${"a1".repeat(32)}`;

  it("accepts what the reference grammar accepts", async () => {
    for (const image of [
      "nginx",
      "i:1",
      "gcr.io/my-project/helloworld-go",
      "localhost:5000/app:1.0",
      "registry.example.com:443/a/b_c__d-e.f:v1.2.3-rc.1",
      `ghcr.io/acme/orders@${DIGEST}`,
      `ghcr.io/acme/orders:1.2.3@${DIGEST}`,
    ]) {
      await h.reset();
      new ServerlessService("orders", { image });
      await h.settled();
      const ksvc = h.get("kubernetes:serving.knative.dev/v1:Service", "default/orders");
      const spec = ksvc.inputs.spec as { template: { spec: { containers: { image: string }[] } } };
      assert.equal(spec.template.spec.containers[0].image, image);
    }
  });

  it("rejects hostile and malformed references naming `image`", async () => {
    for (const image of [
      "ghcr.io/example/shop/catalog:3.1.0</match>",
      'ghcr.io/example/app:1.0"}',
      "ghcr.io/example/app:1.0${x}",
      "ghcr.io/example/app:1.0a\u0000b",
      "ghcr.io/Example/App:1",
      "a//b",
      "app:",
      "app:-x",
      `app:${"t".repeat(129)}`,
      "app@sha256:xyz",
    ])
      await h.expectInvalid(
        () => new ServerlessService("orders", { image }),
        "image",
        "a container image reference [registry[:port]/]path[:tag][@digest]",
      );
  });
});
