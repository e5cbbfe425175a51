import { strict as assert } from "assert";
import fc from "fast-check";
import * as fs from "fs";
import * as path from "path";
import { API, ksvc, obj, runCases } from "./helpers";
import { analyze, optionsFromReleases, proxyResourcesFrom, RULES } from "../../components/analysis";
import { formatQuantity, parseQuantity } from "../../components/analysis/read";

const rule = (expr: string) =>
  obj(API.mon, "PrometheusRule", "shop/orders", {
    spec: { groups: [{ name: "orders.rules", rules: [{ alert: "A", expr, for: "5m" }] }] },
  });

runCases("MS501", [
  {
    name: "the package's error-rate and latency alerts",
    objects: [
      rule(
        'sum(rate(istio_requests_total{reporter="destination",destination_canonical_service="orders",response_code=~"5.."}[5m])) / sum(rate(istio_requests_total{reporter="destination"}[5m])) * 100 > 2',
      ),
      rule(
        'histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination"}[5m]))) > 800',
      ),
      rule(
        "sum(rate(serverless_function_errors_total[5m])) / sum(rate(serverless_function_invocations_total[5m])) * 100 > 5",
      ),
    ],
    fires: [],
  },
  {
    name: "an unbalanced parenthesis",
    objects: [rule("sum(rate(x_total[5m]) > 1")],
    fires: [
      "error MS501 PrometheusRule shop/orders: orders.rules/A: does not parse as PromQL at column",
    ],
  },
  {
    name: "a misspelt Istio metric and an Istio label that does not exist",
    objects: [
      rule(
        'sum(rate(istio_request_total{reporter="destination"}[5m])) + sum(rate(istio_requests_total{destination_service_nam="x"}[5m]))',
      ),
    ],
    fires: [
      "error MS501 PrometheusRule shop/orders: orders.rules/A: istio_request_total is not an Istio standard metric",
      "warning MS501 PrometheusRule shop/orders: orders.rules/A: istio_requests_total has no label destination_service_nam",
    ],
  },
]);

describe("MS501 parses each expression shape once", () => {
  const found = (expr: string) =>
    analyze(
      [rule(expr)],
      {},
      RULES.filter((r) => r.code === "MS501"),
    ).map((f) => f.message);
  it("gives expressions that differ only in label values the same findings", () => {
    const shape = (svc: string) =>
      `sum(rate(istio_requests_total{reporter="destination",destination_service_nam="${svc}"}[5m])) > 1`;
    const first = found(shape("orders"));
    assert.equal(first.length, 1);
    assert.deepEqual(found(shape("payments")), first);
  });
  it("quotes each unparsable expression's own text, whatever was parsed before", () => {
    const broken = (svc: string) => `sum(rate(x_total{job="${svc}"}[5m]) > 1`;
    // The error is at the end: the message quotes the 20 characters before it.
    const [a] = found(broken("orders-one"));
    const [b] = found(broken("payments-two"));
    assert.match(a, /does not parse as PromQL at column \d+: .*rs-one.*\) > 1"$/);
    assert.match(b, /does not parse as PromQL at column \d+: .*ts-two.*\) > 1"$/);
  });
});

const GI = 1024 ** 3;
describe("quantities", () => {
  it("parses Kubernetes quantities in base units", () => {
    assert.deepEqual(
      ["250m", "1", "1.5", "128Mi", "1Gi", "1G", "2k", "1e3", "x", 3].map(parseQuantity),
      [0.25, 1, 1.5, 128 * 1024 ** 2, GI, 1e9, 2000, 1000, undefined, 3],
    );
  });
  it("writes CPU and memory back readably", () => {
    assert.deepEqual(
      [
        formatQuantity("limits.cpu", 44),
        formatQuantity("cpu", 0.225),
        formatQuantity("limits.memory", 16.5 * GI),
        formatQuantity("memory", 384 * 1024 ** 2),
      ],
      ["44", "225m", "16.5Gi", "384Mi"],
    );
  });
});

const ns = (name: string, labels: Record<string, string> = { "istio-injection": "enabled" }) =>
  obj(API.v1, "Namespace", name, {}, labels);
const quota = (hard: Record<string, string>) =>
  obj(API.v1, "ResourceQuota", "fn/quota", { spec: { hard } });
const limitRange = obj(API.v1, "LimitRange", "fn/limits", {
  spec: {
    limits: [
      {
        type: "Container",
        default: { cpu: "1", memory: "256Mi" },
        defaultRequest: { cpu: "100m", memory: "128Mi" },
      },
    ],
  },
});
const AS = "autoscaling.knative.dev/";
const scaled = (name: string, max?: number) =>
  ksvc(`fn/${name}`, {
    [`${AS}min-scale`]: "1",
    ...(max ? { [`${AS}max-scale`]: String(max) } : {}),
  });

runCases("MS601", [
  {
    name: "10 pods of 4 CPU / 1.5Gi limits fit 48 CPU / 24Gi",
    objects: [
      ns("fn"),
      quota({
        "limits.cpu": "48",
        "limits.memory": "24Gi",
        "requests.cpu": "4",
        "requests.memory": "8Gi",
      }),
      limitRange,
      scaled("a", 10),
    ],
    fires: [],
  },
  {
    // Per pod: user container + queue-proxy at the LimitRange default (1 CPU, 256Mi each) and
    // istio-proxy (2 CPU, 1Gi): 4 CPU, 1.5Gi; requests 100m + 25m + 100m, 128Mi x 3.
    name: "the seeds' original quota: 11 pods need 44 CPU / 16.5Gi of limits",
    objects: [
      ns("fn"),
      quota({
        "limits.cpu": "8",
        "limits.memory": "16Gi",
        "requests.cpu": "4",
        "requests.memory": "8Gi",
      }),
      limitRange,
      scaled("a", 10),
      scaled("b"),
    ],
    fires: [
      "error MS601 ResourceQuota fn/quota: limits.cpu: workloads at max scale need 44 (a 10 x 4, b 1 x 4), quota 8: over by 36",
      "error MS601 ResourceQuota fn/quota: limits.memory: workloads at max scale need 16.5Gi (a 10 x 1.5Gi, b 1 x 1.5Gi), quota 16Gi: over by 512Mi",
      "warning MS601 Service fn/b: has no max-scale in namespace fn",
    ],
  },
  {
    name: "without injection only the user container and queue-proxy count",
    objects: [ns("fn", {}), quota({ "limits.cpu": "20" }), limitRange, scaled("a", 10)],
    fires: [],
  },
  {
    name: "a quota on limits.cpu without a LimitRange: pods without limits are rejected",
    objects: [ns("fn"), quota({ "limits.cpu": "8" }), scaled("a", 2)],
    fires: [
      "error MS601 Service fn/a: containers user-container, queue-proxy have no limits.cpu and namespace fn has no LimitRange default",
    ],
  },
  {
    name: "a pod count over the quota's pods",
    objects: [ns("fn", {}), quota({ pods: "5" }), scaled("a", 10)],
    fires: [
      "error MS601 ResourceQuota fn/quota: pods: workloads at max scale run 10, quota 5: over by 5",
    ],
  },
]);

describe("MS601 with the cluster's own sidecar settings", () => {
  const objects = [ns("fn"), quota({ "limits.cpu": "20" }), limitRange, scaled("a", 10)];
  it("takes istio-proxy resources from options (the rendered istiod values)", () => {
    // 10 pods x (1 + 1 + 2) CPU = 40 by default; with a 500m proxy limit, 10 x 2.5 = 25.
    const small = proxyResourcesFrom({ limits: { cpu: "500m" } });
    assert.deepEqual(small, {
      requests: { cpu: 0.1, memory: 128 * 1024 ** 2 },
      limits: { cpu: 0.5, memory: GI },
    });
    const found = analyze(
      objects,
      { proxyResources: small },
      RULES.filter((r) => r.code === "MS601"),
    );
    assert.deepEqual(
      found.map((f) => f.message.split(";")[0]),
      ["limits.cpu: workloads at max scale need 25 (a 10 x 2.5), quota 20: over by 5"],
    );
  });
  it("reads those settings from the istiod Helm release beside the objects (renderer and policy pack)", () => {
    const release = (chart: string, values: unknown) => ({ chart, values });
    const proxy = { global: { proxy: { resources: { limits: { cpu: "500m" } } } } };
    assert.deepEqual(optionsFromReleases([release("istio-release/istiod", proxy)]), {
      proxyResources: proxyResourcesFrom({ limits: { cpu: "500m" } }),
    });
    assert.deepEqual(optionsFromReleases([release("istio-release/base", proxy)]), {});
    assert.deepEqual(optionsFromReleases([release("istiod", { global: {} })]), {});
  });
  it("takes queue-proxy resources from the KnativeServing CR's deployment config", () => {
    const serving = obj("operator.knative.dev/v1beta1", "KnativeServing", "knative-serving/ks", {
      spec: { config: { deployment: { "queue-sidecar-cpu-limit": "100m" } } },
    });
    const found = analyze(
      [...objects, serving],
      {},
      RULES.filter((r) => r.code === "MS601"),
    );
    assert.deepEqual(
      found.map((f) => f.message.split(";")[0]),
      ["limits.cpu: workloads at max scale need 31 (a 10 x 3.1), quota 20: over by 11"],
    );
  });
});

describe("analyze()", () => {
  it("has one rule per code, each with a summary and an upstream source", () => {
    const codes = RULES.map((r) => r.code);
    assert.equal(new Set(codes).size, codes.length);
    for (const r of RULES) assert.ok(/^MS\d{3}$/.test(r.code) && r.summary && r.source, r.code);
  });
  it("is documented: the README lists every code", () => {
    const readme = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
    const listed = [...readme.matchAll(/^\| `(MS\d{3})` \|/gm)].map((m) => m[1]);
    assert.deepEqual(
      listed,
      RULES.map((r) => r.code),
    );
  });

  it("never throws on arbitrary bodies of the kinds it reads (a user's folder may hold anything)", () => {
    const kinds: [string, string][] = [
      [API.net, "VirtualService"],
      [API.net, "DestinationRule"],
      [API.net, "Gateway"],
      [API.net, "ServiceEntry"],
      [API.net, "Sidecar"],
      [API.sec, "AuthorizationPolicy"],
      [API.sec, "RequestAuthentication"],
      [API.sec, "PeerAuthentication"],
      [API.tel, "Telemetry"],
      [API.ksvc, "Service"],
      ["operator.knative.dev/v1beta1", "KnativeServing"],
      [API.mon, "ServiceMonitor"],
      [API.mon, "PodMonitor"],
      [API.mon, "PrometheusRule"],
      [API.v1, "Service"],
      [API.v1, "ResourceQuota"],
      [API.v1, "LimitRange"],
      [API.v1, "Namespace"],
      [API.apps, "Deployment"],
    ];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...kinds), fc.jsonValue(), fc.jsonValue()), {
          maxLength: 6,
        }),
        (items) => {
          const objects = items.map(([[apiVersion, kind], body, labels], i) => ({
            apiVersion,
            kind,
            metadata: { name: `o${i}`, namespace: "ns", labels: labels as never },
            spec: body,
          }));
          analyze(objects);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("skips what is not a Kubernetes object and sorts errors first", () => {
    const found = analyze([
      null as never,
      { kind: "x" } as never,
      obj(API.net, "Gateway", "shop/g", { spec: { servers: [] } }),
      obj(API.net, "DestinationRule", "shop/a", { spec: { host: "a" } }),
      obj(API.net, "DestinationRule", "shop/b", { spec: { host: "a" } }),
    ]);
    assert.deepEqual(
      found.map((f) => `${f.severity} ${f.code} ${f.name}`),
      ["error MS110 g", "warning MS406 a"],
    );
  });
});
