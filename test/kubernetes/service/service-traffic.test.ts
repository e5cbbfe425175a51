import { strict as assert } from "assert";
import fc from "fast-check";
import * as h from "../../harness";
import { ServiceTraffic } from "../../../components/kubernetes/service/service-traffic";
import { trafficPolicy } from "../../../components/kubernetes/service/destination-policy";
import { FakeRelease, labels, meta, parent, RELEASE, spec, T } from "./helpers";

describe("kubernetes/service ServiceTraffic", () => {
  beforeEach(() => h.reset());

  it("GIVEN routes with every feature THEN emits the VirtualService in current fields", async () => {
    const release = new FakeRelease("istio-base");
    new ServiceTraffic("orders", {
      namespace: "shop",
      mesh: { dependsOn: [release] },
      subsets: [
        { name: "v1", labels: { version: "v1" } },
        { name: "v2", labels: { version: "v2" }, policy: { loadBalancer: "RANDOM" } },
      ],
      routes: [
        {
          name: "canary-header",
          match: [{ headers: { "x-canary": "yes" }, uri: { prefix: "/api" }, method: "GET" }],
          destinations: [{ subset: "v2" }],
          rewrite: { uri: "/v2/api" },
        },
        {
          name: "default",
          destinations: [
            { subset: "v1", weight: 90, port: 8080 },
            { subset: "v2", weight: 10, port: 8080 },
          ],
          timeout: "10s",
          retries: { attempts: 3, perTryTimeout: "2s", retryOn: "5xx,reset" },
          fault: {
            delay: { fixedDelay: "5s", percent: 10 },
            abort: { httpStatus: 503, percent: 1.5 },
          },
          mirror: { host: "orders-shadow", percent: 25 },
        },
      ],
    });
    await h.settled();
    const host = "orders.shop.svc.cluster.local";
    assert.deepEqual(spec(T.vs, "shop/orders"), {
      hosts: [host],
      http: [
        {
          name: "canary-header",
          match: [
            {
              uri: { prefix: "/api" },
              headers: { "x-canary": { exact: "yes" } },
              method: { exact: "GET" },
            },
          ],
          route: [{ destination: { host, subset: "v2" } }],
          rewrite: { uri: "/v2/api" },
        },
        {
          name: "default",
          route: [
            { destination: { host, subset: "v1", port: { number: 8080 } }, weight: 90 },
            { destination: { host, subset: "v2", port: { number: 8080 } }, weight: 10 },
          ],
          timeout: "10s",
          retries: { attempts: 3, perTryTimeout: "2s", retryOn: "5xx,reset" },
          fault: {
            delay: { fixedDelay: "5s", percentage: { value: 10 } },
            abort: { httpStatus: 503, percentage: { value: 1.5 } },
          },
          mirror: { host: "orders-shadow" },
          mirrorPercentage: { value: 25 },
        },
      ],
    });
    assert.deepEqual(spec(T.dr, "shop/orders"), {
      host,
      subsets: [
        { name: "v1", labels: { version: "v1" } },
        {
          name: "v2",
          labels: { version: "v2" },
          trafficPolicy: { loadBalancer: { simple: "RANDOM" } },
        },
      ],
    });
    assert.deepEqual(meta(T.vs, "shop/orders"), {
      name: "orders",
      namespace: "shop",
      labels: labels("orders", "traffic"),
    });
    const vs = h.get(T.vs, "shop/orders");
    assert.equal(parent(vs), "mesh-serverless:service:ServiceTraffic::orders");
    assert.deepEqual(h.dependencies(vs), [RELEASE]);
    assert.deepEqual(h.dependencies(h.get(T.dr, "shop/orders")), [RELEASE]);
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  it("translates the seeds' policy terms to current Istio fields, durations as written", () => {
    assert.deepEqual(
      trafficPolicy({
        connectionPool: {
          tcp: {
            maxConnections: 1000,
            connectTimeout: "10ms",
            tcpKeepalive: { time: "7200s", interval: "75s" },
          },
          http: { http1MaxPendingRequests: 10000, maxRequestsPerConnection: 100, maxRetries: 3 },
        },
        outlierDetection: {
          consecutiveErrors: 3,
          interval: "5s",
          baseEjectionTime: "10m",
          maxEjectionPercent: 50,
        },
        loadBalancer: "LEAST_CONN",
        tls: { mode: "ISTIO_MUTUAL" },
      }),
      {
        connectionPool: {
          tcp: {
            maxConnections: 1000,
            connectTimeout: "10ms",
            tcpKeepalive: { time: "7200s", interval: "75s" },
          },
          http: { http1MaxPendingRequests: 10000, maxRequestsPerConnection: 100, maxRetries: 3 },
        },
        outlierDetection: {
          consecutive5xxErrors: 3,
          interval: "5s",
          baseEjectionTime: "10m",
          maxEjectionPercent: 50,
        },
        loadBalancer: { simple: "LEAST_REQUEST" },
        tls: { mode: "ISTIO_MUTUAL" },
      },
    );
  });

  it("emits only a DestinationRule for a policy, with explicit host and names", async () => {
    new ServiceTraffic("high-availability", {
      host: "order-processing",
      destinationRuleName: "ha",
      policy: { loadBalancer: "ROUND_ROBIN" },
    });
    await h.settled();
    assert.deepEqual(h.names(T.vs), []);
    assert.deepEqual(spec(T.dr, "default/ha"), {
      host: "order-processing",
      trafficPolicy: { loadBalancer: { simple: "ROUND_ROBIN" } },
    });
    assert.deepEqual(h.dependencies(h.get(T.dr, "default/ha")), []);
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  describe("rejects bad input at construction", () => {
    const base = {
      subsets: [
        { name: "v1", labels: { version: "v1" } },
        { name: "v2", labels: { version: "v2" } },
      ],
    };
    const cases: [string, () => unknown, string, ...string[]][] = [
      [
        "weights not summing to 100",
        () =>
          new ServiceTraffic("a", {
            ...base,
            routes: [
              {
                destinations: [
                  { subset: "v1", weight: 80 },
                  { subset: "v2", weight: 30 },
                ],
              },
            ],
          }),
        "routes[0].destinations",
        "sum to 100",
        "110",
      ],
      [
        "a weight above 100",
        () =>
          new ServiceTraffic("a", {
            ...base,
            routes: [
              {
                destinations: [
                  { subset: "v1", weight: 120 },
                  { subset: "v2", weight: -20 },
                ],
              },
            ],
          }),
        "routes[0].destinations[0].weight",
        "0 to 100",
      ],
      [
        "a split without weights",
        () =>
          new ServiceTraffic("a", {
            ...base,
            routes: [{ destinations: [{ subset: "v1" }, { subset: "v2" }] }],
          }),
        "routes[0].destinations[0].weight",
        "needs a weight",
      ],
      [
        "an unknown subset",
        () => new ServiceTraffic("a", { ...base, routes: [{ destinations: [{ subset: "v3" }] }] }),
        "routes[0].destinations[0].subset",
        "v3",
        "defined subsets: v1, v2",
      ],
      [
        "a catch-all route before others",
        () => new ServiceTraffic("a", { routes: [{}, { match: [{ uri: "/x" }] }] }),
        "routes[0].match",
        "put it last",
      ],
      [
        "a bad duration",
        () =>
          new ServiceTraffic("a", {
            policy: { connectionPool: { tcp: { connectTimeout: "30 ms" } } },
          }),
        "policy.connectionPool.tcp.connectTimeout",
        "30 ms",
        "a duration",
      ],
      [
        "both error-count names",
        () =>
          new ServiceTraffic("a", {
            policy: { outlierDetection: { consecutiveErrors: 1, consecutive5xxErrors: 2 } },
          }),
        "policy.outlierDetection.consecutiveErrors",
        "not both",
      ],
      [
        "an unknown load balancer",
        () => new ServiceTraffic("a", { policy: { loadBalancer: "FASTEST" as "RANDOM" } }),
        "policy.loadBalancer",
        "FASTEST",
        "LEAST_REQUEST",
      ],
      ["a non-DNS name", () => new ServiceTraffic("Orders_1", { policy: {} }), "name", "DNS-1123"],
      [
        "a port out of range",
        () => new ServiceTraffic("a", { routes: [{ destinations: [{ port: 70000 }] }] }),
        "routes[0].destinations[0].port",
        "1 to 65535",
      ],
      [
        "an abort status out of range",
        () => new ServiceTraffic("a", { routes: [{ fault: { abort: { httpStatus: 700 } } }] }),
        "routes[0].fault.abort.httpStatus",
        "200 to 599",
      ],
      [
        "a fault percent above 100",
        () =>
          new ServiceTraffic("a", {
            routes: [{ fault: { delay: { fixedDelay: "1s", percent: 101 } } }],
          }),
        "routes[0].fault.delay.percent",
        "0 to 100",
      ],
      [
        "an uppercase header name",
        () => new ServiceTraffic("a", { routes: [{ match: [{ headers: { "User-Type": "x" } }] }] }),
        "routes[0].match[0].headers.User-Type",
        "lowercase",
      ],
      [
        "a match with two kinds",
        () =>
          new ServiceTraffic("a", {
            routes: [{ match: [{ uri: { exact: "/a", prefix: "/b" } as { exact: string } }] }],
          }),
        "routes[0].match[0].uri",
        "must be a string or a mapping with `exact` or a mapping with `prefix`",
      ],
      [
        "a bad host",
        () => new ServiceTraffic("a", { host: "Bad Host", policy: {} }),
        "host",
        "hostname",
      ],
      [
        "a subset without labels",
        () => new ServiceTraffic("a", { subsets: [{ name: "v1", labels: {} }] }),
        "subsets[0].labels",
        "at least one label",
      ],
      [
        "duplicate subsets",
        () =>
          new ServiceTraffic("a", {
            subsets: [
              { name: "v1", labels: { v: "1" } },
              { name: "v1", labels: { v: "2" } },
            ],
          }),
        "subsets",
        "unique",
      ],
      [
        "a rewrite not starting with /",
        () => new ServiceTraffic("a", { routes: [{ rewrite: { uri: "v2" } }] }),
        "routes[0].rewrite.uri",
        "start with '/'",
      ],
      [
        "nothing to create",
        () => new ServiceTraffic("a", {}),
        "routes",
        "nothing would be created",
      ],
      [
        "a bad namespace",
        () => new ServiceTraffic("a", { namespace: "Shop", policy: {} }),
        "namespace",
        "DNS-1123",
      ],
      // Envoy compiles Istio's regex matches with RE2: they must compile, without lookaround.
      [
        "a uri regex that does not compile",
        () => new ServiceTraffic("a", { routes: [{ match: [{ uri: { regex: "(" } }] }] }),
        "routes[0].match[0].uri.regex",
        '"("',
        "does not compile",
      ],
      [
        "a header regex with lookahead (not RE2)",
        () =>
          new ServiceTraffic("a", {
            routes: [{ match: [{ headers: { "x-user": { regex: "(?=admin).*" } } }] }],
          }),
        "routes[0].match[0].headers.x-user.regex",
        "lookaround",
      ],
    ];
    for (const [what, build, arg, ...mentions] of cases) {
      it(what, () => h.expectInvalid(build, arg, ...mentions));
    }
  });

  describe("properties", () => {
    it("a split is accepted exactly when its integer weights lie in 0-100 and sum to 100", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: -50, max: 150 }), { minLength: 2, maxLength: 5 }),
          async (weights) => {
            await h.reset();
            const subsets = weights.map((_, i) => ({
              name: `v${i}`,
              labels: { version: `v${i}` },
            }));
            const build = () =>
              new ServiceTraffic("w", {
                subsets,
                routes: [
                  { destinations: weights.map((weight, i) => ({ subset: `v${i}`, weight })) },
                ],
              });
            const ok =
              weights.every((w) => w >= 0 && w <= 100) &&
              weights.reduce((a, b) => a + b, 0) === 100;
            if (ok) {
              build();
              await h.settled();
              assert.equal(h.names(T.vs).length, 1);
            } else {
              const bad = weights.findIndex((w) => w < 0 || w > 100);
              await h.expectInvalid(
                build,
                bad >= 0 ? `routes[0].destinations[${bad}].weight` : "routes[0].destinations",
              );
            }
          },
        ),
        { numRuns: 40 },
      );
    });

    it("a route to an undefined subset always fails naming it", async () => {
      await fc.assert(
        fc.asyncProperty(fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/), async (subset) => {
          fc.pre(subset !== "v1");
          await h.reset();
          await h.expectInvalid(
            () =>
              new ServiceTraffic("s", {
                subsets: [{ name: "v1", labels: { version: "v1" } }],
                routes: [{ destinations: [{ subset }] }],
              }),
            "routes[0].destinations[0].subset",
            JSON.stringify(subset),
          );
        }),
        { numRuns: 25 },
      );
    });

    it("durations that do not parse are rejected wherever they appear", async () => {
      const notDuration = fc
        .string({ minLength: 1, maxLength: 8 })
        .filter((s) => !/^(\d+(\.\d+)?(h|ms|m|s|us|µs|ns))+$/.test(s));
      await fc.assert(
        fc.asyncProperty(notDuration, async (d) => {
          await h.reset();
          await h.expectInvalid(
            () => new ServiceTraffic("d", { routes: [{ timeout: d }] }),
            "routes[0].timeout",
          );
          await h.expectInvalid(
            () => new ServiceTraffic("d", { policy: { outlierDetection: { interval: d } } }),
            "policy.outlierDetection.interval",
          );
        }),
        { numRuns: 30 },
      );
    });

    it("names that are not DNS-1123 are rejected", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc
            .string({ minLength: 1, maxLength: 70 })
            .filter(
              (s) =>
                !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(s) ||
                s.length > 253,
            ),
          async (name) => {
            await h.reset();
            await h.expectInvalid(() => new ServiceTraffic(name, { policy: {} }), "name");
          },
        ),
        { numRuns: 30 },
      );
    });
  });
});
