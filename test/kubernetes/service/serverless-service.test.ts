import { strict as assert } from "assert";
import fc from "fast-check";
import * as h from "../../harness";
import { ServerlessService } from "../../../components/kubernetes/service/serverless-service";
import { MeshNamespace } from "../../../components/kubernetes/service/mesh-namespace";
import { FakeRelease, labels, meta, parent, RELEASE, RESTRICTED, spec, T } from "./helpers";

const IMAGE = "gcr.io/shop/orders:1.4.2";

describe("kubernetes/service ServerlessService", () => {
  beforeEach(() => h.reset());

  it("GIVEN one service described in one place THEN every part is consistently named, labelled and ordered", async () => {
    const release = new FakeRelease("istio-base");
    const ns = new MeshNamespace("shop", { mesh: { dependsOn: [release] } });
    const svc = new ServerlessService("orders", {
      namespace: ns,
      mesh: {
        dependsOn: [release],
        gateway: "istio-ingress/public",
        monitorLabels: { release: "kps" },
        tracingProvider: "jaeger",
      },
      image: IMAGE,
      ports: [{ containerPort: 8080, name: "h2c" }],
      env: { LOG_LEVEL: "info" },
      secretEnv: { DATABASE_URL: { secret: "db-secret", key: "url" } },
      resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
      readinessProbe: { httpGet: { path: "/ready" }, periodSeconds: 5 },
      scale: { min: 1, max: 20, initial: 2, target: 50, scaleDownDelay: "5m", window: "60s" },
      containerConcurrency: 100,
      timeout: "300s",
      serviceAccountName: "orders-sa",
      revisionName: "orders-v2",
      traffic: {
        revisions: [
          { revision: "orders-v1", percent: 80, tag: "blue" },
          { percent: 20, tag: "green" },
        ],
        policy: { outlierDetection: { consecutiveErrors: 5 } },
      },
      access: { allow: [{ serviceAccounts: ["web/frontend"], methods: ["POST"] }] },
      monitor: { port: "http-usermetric" },
      alerts: { errorRate: { thresholdPercent: 5 }, latency: { thresholdMs: 800 } },
      telemetry: { samplingPercentage: 10 },
      ingress: { hosts: ["orders.example.com"], paths: ["/orders"] },
    });
    await h.settled();
    assert.deepEqual(spec(T.ksvc, "shop/orders"), {
      template: {
        metadata: {
          name: "orders-v2",
          labels: { app: "orders" },
          annotations: {
            // Caller rules: the activator leaves the path once pods exist.
            "autoscaling.knative.dev/target-burst-capacity": "0",
            "autoscaling.knative.dev/min-scale": "1",
            "autoscaling.knative.dev/max-scale": "20",
            "autoscaling.knative.dev/initial-scale": "2",
            "autoscaling.knative.dev/target": "50",
            "autoscaling.knative.dev/scale-down-delay": "5m",
            "autoscaling.knative.dev/window": "60s",
          },
        },
        spec: {
          containerConcurrency: 100,
          timeoutSeconds: 300,
          serviceAccountName: "orders-sa",
          containers: [
            {
              name: "user-container",
              image: IMAGE,
              ports: [{ containerPort: 8080, name: "h2c" }],
              env: [
                { name: "LOG_LEVEL", value: "info" },
                {
                  name: "DATABASE_URL",
                  valueFrom: { secretKeyRef: { name: "db-secret", key: "url" } },
                },
              ],
              resources: {
                requests: { cpu: "100m", memory: "128Mi" },
                limits: { memory: "256Mi" },
              },
              // The probe schema needs a port: the serving port, as Knative requires.
              readinessProbe: { httpGet: { path: "/ready", port: 8080 }, periodSeconds: 5 },
              securityContext: RESTRICTED,
            },
          ],
        },
      },
      traffic: [
        { revisionName: "orders-v1", latestRevision: false, percent: 80, tag: "blue" },
        { latestRevision: true, percent: 20, tag: "green" },
      ],
    });
    const host = "orders.shop.svc.cluster.local";
    assert.deepEqual(spec(T.dr, "shop/orders"), {
      host,
      trafficPolicy: { outlierDetection: { consecutive5xxErrors: 5 } },
    });
    assert.deepEqual(spec(T.ap, "shop/orders"), {
      selector: { matchLabels: { app: "orders" } },
      action: "ALLOW",
      rules: [
        {
          from: [{ source: { principals: ["cluster.local/ns/web/sa/frontend"] } }],
          to: [{ operation: { methods: ["POST"] } }],
        },
        // Knative's activator forwards only what the callers may do, probes /healthz; the
        // autoscaler scrapes /metrics.
        {
          from: [{ source: { principals: ["cluster.local/ns/knative-serving/sa/activator"] } }],
          to: [{ operation: { methods: ["POST"] } }],
        },
        {
          from: [{ source: { principals: ["cluster.local/ns/knative-serving/sa/activator"] } }],
          to: [{ operation: { methods: ["GET"], paths: ["/healthz"] } }],
        },
        {
          from: [{ source: { principals: ["cluster.local/ns/knative-serving/sa/controller"] } }],
          to: [{ operation: { methods: ["GET"], paths: ["/metrics"] } }],
        },
      ],
    });
    assert.deepEqual((spec(T.sm, "shop/orders") as { selector: unknown }).selector, {
      matchLabels: { "serving.knative.dev/service": "orders" },
    });
    assert.deepEqual(spec(T.vs, "shop/orders-ingress-route"), {
      hosts: ["orders.example.com"],
      gateways: ["istio-ingress/public"],
      http: [
        {
          match: [{ uri: { prefix: "/orders" } }],
          // Through Knative's local gateway, with the Host Knative routes by.
          route: [
            {
              destination: {
                host: "knative-local-gateway.istio-system.svc.cluster.local",
                port: { number: 80 },
              },
            },
          ],
          rewrite: { authority: host },
        },
      ],
    });
    assert.deepEqual(spec(T.tel, "shop/orders"), {
      selector: { matchLabels: { app: "orders" } },
      tracing: [{ providers: [{ name: "jaeger" }], randomSamplingPercentage: 10 }],
    });
    const component = "mesh-serverless:service:ServerlessService::orders";
    const parts: [string, string, string][] = [
      [T.ksvc, "shop/orders", "serverless-service"],
      [T.dr, "shop/orders", "traffic"],
      [T.ap, "shop/orders", "access"],
      [T.sm, "shop/orders", "observability"],
      [T.pr, "shop/orders", "observability"],
      [T.tel, "shop/orders", "observability"],
      [T.vs, "shop/orders-ingress-route", "ingress"],
    ];
    for (const [type, name, part] of parts) {
      const r = h.get(type, name);
      assert.equal(parent(r), component, name);
      // Depending on the MeshNamespace component means waiting for its children: the Namespace
      // and its STRICT PeerAuthentication exist before anything of the service.
      assert.deepEqual(
        h.dependencies(r),
        [RELEASE, `${T.ns}::shop`, `${T.pa}::shop/default`].sort(),
        `${type} ${name}`,
      );
      const extra =
        type === T.sm || type === T.pr
          ? { release: "kps" }
          : type === T.ksvc
            ? // Private: the ingress route reaches it through knative-local-gateway.
              { "networking.knative.dev/visibility": "cluster-local" }
            : {};
      assert.deepEqual(
        meta(type, name).labels,
        { ...labels("orders", part), ...extra },
        `${type} labels`,
      );
    }
    assert.equal(h.resources("mesh-serverless:service:ServerlessService").length, 1);
    assert.equal(await h.resolve(svc.host), host);
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  it("GIVEN a securityContext override THEN only the given fields replace the restricted defaults", async () => {
    new ServerlessService("web", {
      image: IMAGE,
      securityContext: {
        runAsUser: 65532,
        capabilities: { add: ["NET_BIND_SERVICE"] },
        seccompProfile: { type: "Localhost", localhostProfile: "profiles/web.json" },
      },
    });
    await h.settled();
    const tpl = (spec(T.ksvc, "default/web") as { template: unknown }).template as {
      spec: { containers: unknown[] };
    };
    assert.deepEqual(tpl.spec.containers, [
      {
        name: "user-container",
        image: IMAGE,
        securityContext: {
          allowPrivilegeEscalation: false,
          capabilities: { add: ["NET_BIND_SERVICE"], drop: ["ALL"] },
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          runAsUser: 65532,
          seccompProfile: { type: "Localhost", localhostProfile: "profiles/web.json" },
        },
      },
    ]);
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  it("the smallest service: image only, all traffic to the latest revision, private", async () => {
    new ServerlessService("hello", {
      image: "ghcr.io/knative/helloworld-go:latest",
      containerName: "app",
    });
    await h.settled();
    assert.deepEqual(h.countByType(), {
      "mesh-serverless:service:ServerlessService": 1,
      [T.ksvc]: 1,
    });
    assert.deepEqual(spec(T.ksvc, "default/hello"), {
      template: {
        metadata: { labels: { app: "hello" } },
        spec: {
          containers: [
            {
              name: "app",
              image: "ghcr.io/knative/helloworld-go:latest",
              securityContext: RESTRICTED,
            },
          ],
        },
      },
    });
    assert.equal(
      (meta(T.ksvc, "default/hello").labels as Record<string, string>)[
        "networking.knative.dev/visibility"
      ],
      "cluster-local",
    );
    assert.deepEqual(h.dependencies(h.get(T.ksvc, "default/hello")), []);
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  describe("rejects bad input, registering nothing", () => {
    const cases: [string, Record<string, unknown>, string, ...string[]][] = [
      ["min scale above max scale", { scale: { min: 5, max: 2 } }, "scale.min", "scale.max (2)"],
      [
        "initial scale above max scale",
        { scale: { initial: 5, max: 2 } },
        "scale.initial",
        "scale.max",
      ],
      ["cpu scaling with kpa", { scale: { metric: "cpu" } }, "scale.metric", "hpa"],
      ["a window under 6s", { scale: { window: "2s" } }, "scale.window", "at least 6s"],
      [
        "revision percents not summing to 100",
        { traffic: { revisions: [{ percent: 50 }, { revision: "orders-a", percent: 20 }] } },
        "traffic.revisions",
        "sum to 100",
      ],
      [
        "a revision of another service",
        { traffic: { revisions: [{ revision: "billing-a", percent: 100 }] } },
        "traffic.revisions[0].revision",
        "orders-<suffix>",
      ],
      [
        "two entries following latest",
        { traffic: { revisions: [{ percent: 50 }, { percent: 50 }] } },
        "traffic.revisions",
        "at most one",
      ],
      [
        "two serving ports",
        { ports: [{ containerPort: 8080 }, { containerPort: 9090 }] },
        "ports",
        "exactly one",
      ],
      [
        "a port outside 1-65535",
        { ports: [{ containerPort: 0 }] },
        "ports[0].containerPort",
        "1 to 65535",
      ],
      [
        "a secret also in plain env",
        { env: { DB: "x" }, secretEnv: { DB: { secret: "s", key: "k" } } },
        "secretEnv.DB",
        "also set in `env`",
      ],
      ["a bad env name", { env: { "1BAD": "x" } }, "env.1BAD", "env var names"],
      [
        "a bad quantity",
        { resources: { limits: { memory: "lots" } } },
        "resources.limits.memory",
        "quantity",
      ],
      [
        "a probe with two handlers",
        { livenessProbe: { httpGet: { path: "/h" }, tcpSocket: {} } },
        "livenessProbe",
        "exactly one",
      ],
      ["a timeout that does not parse", { timeout: "5 minutes" }, "timeout", "duration"],
      [
        "a JWT claim without an issuer",
        {
          access: { allow: [{ when: [{ key: "request.auth.claims[role]", values: ["admin"] }] }] },
        },
        "access.allow[0].when[0].key",
        "RequestAuthentication",
      ],
      [
        "an unknown subset in a route",
        {
          traffic: {
            subsets: [{ name: "v1", labels: { version: "v1" } }],
            routes: [{ destinations: [{ subset: "v9" }] }],
          },
        },
        "traffic.routes[0].destinations[0].subset",
        "defined subsets: v1 (declared by this component)",
      ],
      [
        "ingress without a gateway",
        { ingress: { hosts: ["a.example.com"] } },
        "ingress.gateway",
        "no shared gateway",
      ],
      ["a negative concurrency", { containerConcurrency: -1 }, "containerConcurrency", "0 to 1000"],
      [
        "a revision name of another service",
        { revisionName: "billing-v2" },
        "revisionName",
        "orders-<suffix>",
      ],
      ["a missing image", { image: "" }, "image", "container image"],
      // knative/serving pkg/apis/serving/fieldmask.go CapabilitiesMask: NET_BIND_SERVICE only.
      [
        "an added capability Knative rejects",
        { securityContext: { capabilities: { add: ["NET_ADMIN"] } } },
        "securityContext.capabilities.add",
        '["NET_ADMIN"]',
        "NET_BIND_SERVICE",
      ],
      [
        "a lower-case capability (drops nothing)",
        { securityContext: { capabilities: { drop: ["all"] } } },
        "securityContext.capabilities.drop[0]",
        '"all"',
        "upper case",
      ],
      [
        "root with runAsNonRoot left on",
        { securityContext: { runAsUser: 0 } },
        "securityContext.runAsUser",
        "runAsNonRoot",
      ],
      [
        "a negative UID",
        { securityContext: { runAsGroup: -1 } },
        "securityContext.runAsGroup",
        "0 to 2147483647",
      ],
      [
        "a Localhost seccomp profile without its file",
        { securityContext: { seccompProfile: { type: "Localhost" } } },
        "securityContext.seccompProfile.localhostProfile",
        "required",
      ],
      [
        "a profile file with another seccomp type",
        {
          securityContext: {
            seccompProfile: { type: "RuntimeDefault", localhostProfile: "a.json" },
          },
        },
        "securityContext.seccompProfile.localhostProfile",
        '"a.json"',
      ],
    ];
    for (const [what, extra, arg, ...mentions] of cases) {
      it(what, () =>
        h.expectInvalid(
          () => new ServerlessService("orders", { image: IMAGE, ...extra } as never),
          arg,
          ...mentions,
        ),
      );
    }
    it("a name too long for Knative's revision names", () =>
      h.expectInvalid(
        () => new ServerlessService("a".repeat(50), { image: IMAGE }),
        "name",
        "1-49",
      ));
  });

  describe("properties", () => {
    it("scale bounds are accepted exactly when min <= max", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: 1000 }),
          fc.integer({ min: 1, max: 1000 }),
          async (min, max) => {
            await h.reset();
            const build = () => new ServerlessService("s", { image: IMAGE, scale: { min, max } });
            if (min <= max) {
              build();
              await h.settled();
              const ann = (
                spec(T.ksvc, "default/s") as {
                  template: { metadata: { annotations: Record<string, string> } };
                }
              ).template.metadata.annotations;
              assert.deepEqual(ann, {
                "autoscaling.knative.dev/min-scale": String(min),
                "autoscaling.knative.dev/max-scale": String(max),
              });
            } else {
              await h.expectInvalid(build, "scale.min", String(min));
            }
          },
        ),
        { numRuns: 40 },
      );
    });

    it("any JWT claim condition without an issuer fails; with one it passes", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/),
          fc.boolean(),
          async (claim, withIssuer) => {
            await h.reset();
            const access = {
              allow: [{ when: [{ key: `request.auth.claims[${claim}]`, values: ["x"] }] }],
              ...(withIssuer ? { jwt: [{ issuer: "https://issuer.example.com" }] } : {}),
            };
            const build = () => new ServerlessService("j", { image: IMAGE, access });
            if (withIssuer) {
              build();
              await h.settled();
              assert.equal(h.names(T.ra).length, 1);
            } else {
              await h.expectInvalid(build, "access.allow[0].when[0].key", "RequestAuthentication");
            }
          },
        ),
        { numRuns: 20 },
      );
    });

    it("ports outside 1-65535 are rejected", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.integer({ max: 0 }),
            fc.integer({ min: 65536 }),
            fc.double({ min: 1.1, max: 100, noInteger: true }),
          ),
          async (port) => {
            await h.reset();
            await h.expectInvalid(
              () => new ServerlessService("p", { image: IMAGE, ports: [{ containerPort: port }] }),
              "ports[0].containerPort",
            );
          },
        ),
        { numRuns: 30 },
      );
    });
  });
});
