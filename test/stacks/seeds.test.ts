import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as h from "../harness";
import { render } from "../../cli/render";
import { rejects, renderedManifests } from "./run";
import type { ServicesConfig } from "../../stacks/config-types";
import { deployServices } from "../../stacks/services";
import { FUNCTION_CRD, functionProblems } from "../kubernetes/service/openfaas-crd";

/**
 * The acceptance set: every Kubernetes object of the two seed documents, written out here by hand
 * from the seeds in current API terms (v1 APIs, consecutive5xxErrors, LEAST_REQUEST, min-scale),
 * compared field by field with what `render --stack seeds` writes. Differences from the seed YAML
 * are commented where they occur.
 */

interface Expected {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  /** The whole `spec` (or, for kinds without one, the top-level fields listed). */
  spec?: unknown;
  top?: Record<string, unknown>;
}

const ISTIO_GW = { istio: "ingressgateway" };
/** Pod Security Standards "restricted" plus a read-only root filesystem, on every container. */
const RESTRICTED = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  seccompProfile: { type: "RuntimeDefault" },
};
const principal = (ns: string, sa: string) => `cluster.local/ns/${ns}/sa/${sa}`;
const allowRule = (p: string) => ({
  from: [{ source: { principals: [p] } }],
  to: [{ operation: { methods: ["GET", "POST"], paths: ["/api/*"] } }],
});

const EXPECTED: Expected[] = [
  // --- seed 1: Istio + Knative fusion ---
  {
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    namespace: "default",
    name: "reviews",
    spec: {
      hosts: ["reviews"],
      http: [
        {
          route: [
            { destination: { host: "reviews", subset: "v1" }, weight: 80 },
            { destination: { host: "reviews", subset: "v2" }, weight: 20 },
          ],
        },
      ],
    },
  },
  {
    apiVersion: "networking.istio.io/v1",
    kind: "DestinationRule",
    namespace: "default",
    name: "reviews",
    spec: {
      host: "reviews",
      subsets: [
        { name: "v1", labels: { version: "v1" } },
        { name: "v2", labels: { version: "v2" } },
      ],
    },
  },
  {
    apiVersion: "networking.istio.io/v1",
    kind: "DestinationRule",
    namespace: "default",
    name: "productpage",
    spec: {
      host: "productpage",
      trafficPolicy: {
        connectionPool: { http: { maxRequestsPerConnection: 1 }, tcp: { connectTimeout: "30ms" } },
        // seed: consecutiveErrors: 7
        outlierDetection: { consecutive5xxErrors: 7, interval: "10s", baseEjectionTime: "15m" },
      },
    },
  },
  {
    apiVersion: "serving.knative.dev/v1",
    kind: "Service",
    namespace: "default",
    name: "helloworld-go",
    spec: {
      template: {
        // `app` lets Istio selectors (AuthorizationPolicy, Telemetry) find the revision pods.
        metadata: { labels: { app: "helloworld-go" } },
        spec: {
          containers: [
            {
              name: "user-container", // Knative's default name, explicit (the schema needs one)
              image: "gcr.io/my-project/helloworld-go",
              securityContext: RESTRICTED, // not in the seed: the package default
              ports: [{ containerPort: 8080 }],
              resources: {
                requests: { memory: "64Mi", cpu: "25m" },
                limits: { memory: "128Mi", cpu: "50m" },
              },
            },
          ],
        },
      },
    },
  },
  {
    apiVersion: "networking.istio.io/v1",
    kind: "Gateway",
    namespace: "default",
    name: "knative-gateway",
    spec: {
      selector: ISTIO_GW,
      servers: [{ port: { number: 80, name: "http", protocol: "HTTP" }, hosts: ["*"] }],
    },
  },
  {
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    namespace: "default",
    name: "knative-service",
    spec: {
      hosts: ["knative-service.example.com"],
      gateways: ["knative-gateway"],
      http: [{ route: [{ destination: { host: "knative-service", port: { number: 80 } } }] }],
    },
  },
  {
    apiVersion: "security.istio.io/v1",
    kind: "AuthorizationPolicy",
    namespace: "default",
    name: "knative-allow",
    spec: {
      selector: { matchLabels: { app: "knative-service" } },
      action: "ALLOW", // the default, explicit
      rules: [allowRule(principal("default", "knative-sa"))],
    },
  },
  {
    apiVersion: "serving.knative.dev/v1",
    kind: "Service",
    namespace: "default",
    name: "order-processing",
    spec: {
      template: {
        metadata: { labels: { app: "order-processing" } },
        spec: {
          containers: [
            {
              name: "user-container",
              image: "gcr.io/my-ecommerce/order-processing:latest",
              securityContext: RESTRICTED, // not in the seed: the package default
              env: [
                {
                  name: "DATABASE_URL",
                  valueFrom: { secretKeyRef: { name: "db-secret", key: "url" } },
                },
              ],
              resources: {
                requests: { memory: "128Mi", cpu: "100m" },
                limits: { memory: "256Mi", cpu: "200m" },
              },
            },
          ],
        },
      },
    },
  },
  {
    apiVersion: "networking.istio.io/v1",
    kind: "DestinationRule",
    namespace: "default",
    name: "order-processing",
    spec: {
      host: "order-processing",
      trafficPolicy: {
        connectionPool: { http: { maxRequestsPerConnection: 10 } },
        outlierDetection: { consecutive5xxErrors: 5 },
      },
    },
  },
  {
    apiVersion: "networking.istio.io/v1",
    kind: "DestinationRule",
    namespace: "default",
    name: "high-availability",
    spec: {
      host: "order-processing",
      trafficPolicy: {
        connectionPool: { http: { maxRequestsPerConnection: 50 } },
        outlierDetection: { consecutive5xxErrors: 3, interval: "5s", baseEjectionTime: "10m" },
        loadBalancer: { simple: "LEAST_REQUEST" }, // seed: LEAST_CONN (deprecated alias)
      },
    },
  },
  {
    apiVersion: "networking.istio.io/v1",
    kind: "DestinationRule",
    namespace: "default",
    name: "performance-optimized",
    spec: {
      host: "api-service",
      trafficPolicy: {
        connectionPool: {
          http: { maxRequestsPerConnection: 100, maxRetries: 3 },
          tcp: { connectTimeout: "50ms", maxConnections: 1000 },
        },
        outlierDetection: { consecutive5xxErrors: 1, interval: "1s", baseEjectionTime: "30s" },
      },
    },
  },
  {
    apiVersion: "security.istio.io/v1",
    kind: "PeerAuthentication",
    namespace: "default",
    name: "mtls-strict",
    spec: { mtls: { mode: "STRICT" } },
  },
  {
    apiVersion: "security.istio.io/v1",
    kind: "AuthorizationPolicy",
    namespace: "default",
    name: "api-access-control",
    spec: {
      selector: { matchLabels: { app: "api-service" } },
      action: "ALLOW",
      rules: [allowRule(principal("default", "api-sa"))],
    },
  },
  {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    namespace: "default",
    name: "knative-service-monitor",
    spec: {
      selector: { matchLabels: { "serving.knative.dev/service": "helloworld-go" } },
      endpoints: [{ port: "http", path: "/metrics", interval: "30s" }],
    },
  },
  {
    // seed: a bare Pod `health-check-pod`; a Deployment with the same container and probes.
    apiVersion: "apps/v1",
    kind: "Deployment",
    namespace: "default",
    name: "health-check",
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: "health-check" } },
      template: {
        metadata: { labels: { app: "health-check" } },
        spec: {
          serviceAccountName: "health-check",
          containers: [
            {
              name: "app",
              image: "my-app:latest",
              securityContext: RESTRICTED, // not in the seed: the package default
              ports: [{ containerPort: 8080 }],
              livenessProbe: {
                httpGet: { path: "/health", port: 8080 },
                initialDelaySeconds: 30,
                periodSeconds: 10,
              },
              readinessProbe: {
                httpGet: { path: "/ready", port: 8080 },
                initialDelaySeconds: 5,
                periodSeconds: 5,
              },
            },
          ],
        },
      },
    },
  },
  // --- seed 2: service mesh for FaaS ---
  {
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    namespace: "serverless",
    name: "serverless-function-routing",
    spec: {
      hosts: ["user-service.serverless.example.com"],
      http: [
        {
          match: [{ headers: { "user-type": { exact: "premium" } } }],
          route: [{ destination: { host: "premium-user-function.serverless.svc.cluster.local" } }],
        },
        {
          route: [
            {
              destination: { host: "standard-user-function.serverless.svc.cluster.local" },
              weight: 90,
            },
            {
              destination: { host: "backup-user-function.serverless.svc.cluster.local" },
              weight: 10,
            },
          ],
        },
      ],
    },
  },
  {
    apiVersion: "networking.istio.io/v1",
    kind: "DestinationRule",
    namespace: "serverless",
    name: "serverless-function-dr",
    spec: {
      host: "user-function.serverless.svc.cluster.local",
      trafficPolicy: {
        connectionPool: {
          tcp: { maxConnections: 100, connectTimeout: "30ms" },
          http: { http1MaxPendingRequests: 1000, maxRequestsPerConnection: 10 },
        },
        outlierDetection: { consecutive5xxErrors: 7, interval: "30s", baseEjectionTime: "30s" },
      },
    },
  },
  {
    apiVersion: "security.istio.io/v1",
    kind: "PeerAuthentication",
    namespace: "serverless",
    name: "serverless-mtls",
    spec: { mtls: { mode: "STRICT" } },
  },
  {
    apiVersion: "security.istio.io/v1",
    kind: "AuthorizationPolicy",
    namespace: "serverless",
    name: "serverless-authz",
    spec: {
      selector: { matchLabels: { app: "user-function" } },
      action: "ALLOW",
      rules: [
        {
          ...allowRule(principal("serverless", "function-sa")),
          when: [{ key: "request.auth.claims[groups]", values: ["functions", "admins"] }],
        },
        // Not in the seed: Knative's activator forwards what the callers may do (at zero pods)
        // and probes /healthz; its autoscaler scrapes /metrics. Nothing else of knative-serving.
        {
          ...allowRule(principal("knative-serving", "activator")),
          when: [{ key: "request.auth.claims[groups]", values: ["functions", "admins"] }],
        },
        {
          from: [{ source: { principals: [principal("knative-serving", "activator")] } }],
          to: [{ operation: { methods: ["GET"], paths: ["/healthz"] } }],
        },
        {
          from: [{ source: { principals: [principal("knative-serving", "controller")] } }],
          to: [{ operation: { methods: ["GET"], paths: ["/metrics"] } }],
        },
      ],
    },
  },
  {
    // Not in the seed: the `groups` claim only exists once a RequestAuthentication validates the token.
    apiVersion: "security.istio.io/v1",
    kind: "RequestAuthentication",
    namespace: "serverless",
    name: "user-function",
    spec: {
      selector: { matchLabels: { app: "user-function" } },
      jwtRules: [
        {
          issuer: "https://auth.example.com",
          jwksUri: "https://auth.example.com/.well-known/jwks.json",
        },
      ],
    },
  },
  {
    apiVersion: "serving.knative.dev/v1",
    kind: "Service",
    namespace: "serverless",
    name: "hello-serverless",
    spec: {
      template: {
        metadata: {
          labels: { app: "hello-serverless" },
          // seed: autoscaling.knative.dev/minScale / maxScale
          annotations: {
            "autoscaling.knative.dev/min-scale": "1",
            "autoscaling.knative.dev/max-scale": "10",
          },
        },
        spec: {
          containers: [
            {
              name: "user-container",
              image: "gcr.io/my-project/hello-serverless:latest",
              securityContext: RESTRICTED, // not in the seed: the package default
              ports: [{ containerPort: 8080 }],
              env: [{ name: "TARGET", value: "Serverless World" }],
            },
          ],
        },
      },
    },
  },
  {
    apiVersion: "networking.istio.io/v1",
    kind: "Gateway",
    namespace: "serverless",
    name: "serverless-gateway",
    spec: {
      selector: ISTIO_GW,
      servers: [
        { port: { number: 80, name: "http", protocol: "HTTP" }, hosts: ["serverless.example.com"] },
      ],
    },
  },
  {
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    namespace: "serverless",
    name: "serverless-vs",
    spec: {
      hosts: ["serverless.example.com"],
      gateways: ["serverless-gateway"],
      http: [
        {
          match: [{ uri: { prefix: "/hello" } }],
          // Not as the seed wrote it: Knative routes by Host, so the request goes to Knative's
          // local gateway carrying the service's cluster host (Knative's documented pattern).
          route: [
            {
              destination: {
                host: "knative-local-gateway.istio-system.svc.cluster.local",
                port: { number: 80 },
              },
            },
          ],
          rewrite: { authority: "hello-serverless.serverless.svc.cluster.local" },
        },
      ],
    },
  },
  {
    apiVersion: "networking.istio.io/v1",
    kind: "ServiceEntry",
    namespace: "openfaas",
    name: "openfaas-functions",
    spec: {
      hosts: ["*.openfaas-fn.svc.cluster.local"],
      location: "MESH_INTERNAL",
      ports: [{ number: 8080, name: "http", protocol: "HTTP" }],
      // seed: DNS, which istiod rejects for a wildcard host without endpoints.
      resolution: "NONE",
    },
  },
  {
    // seed 2's OpenFaaS function, next to the ServiceEntry for its namespace.
    apiVersion: "openfaas.com/v1",
    kind: "Function",
    namespace: "openfaas-fn",
    name: "image-processor",
    spec: {
      name: "image-processor",
      image: "functions/image-processor:latest",
      labels: { "com.openfaas.scale.min": "1", "com.openfaas.scale.max": "20" },
      annotations: {
        "prometheus.io.scrape": "true",
        // seed: prometheus.io.port "8081". Written as the keys Istio's metrics merging reads
        // (it serves the function's metrics on :15020); Prometheus would read the dot form and
        // Istio's rewritten prometheus.io/port as one label, prometheus_io_port.
        "prometheus.io/port": "8081",
        "prometheus.io/path": "/metrics",
      },
      readOnlyRootFilesystem: true, // not in the seed: the package default
    },
  },
  {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    namespace: "monitoring",
    name: "serverless-monitor",
    spec: {
      selector: { matchLabels: { app: "serverless-function" } },
      // seed: no namespaceSelector, so only `monitoring` (where nothing has the label) is looked
      // in; the seeds' functions run in default and serverless.
      namespaceSelector: { matchNames: ["default", "serverless"] },
      endpoints: [{ port: "http-metrics", path: "/metrics", interval: "30s" }],
    },
  },
  {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    namespace: "monitoring",
    name: "serverless-alerts",
    spec: {
      groups: [
        {
          name: "serverless.rules",
          rules: [
            {
              alert: "HighFunctionErrorRate",
              expr:
                "sum(rate(serverless_function_errors_total[5m])) / " +
                "sum(rate(serverless_function_invocations_total[5m])) * 100 > 5",
              for: "5m",
              // Not in the seed: whose alert it is, for Alertmanager's routes and inhibition.
              labels: {
                severity: "warning",
                namespace: "monitoring",
                service: "serverless-function",
              },
              annotations: {
                summary: "High function error rate detected",
                description: "Function error rate is above 5%",
              },
            },
          ],
        },
      ],
    },
  },
  {
    apiVersion: "networking.istio.io/v1",
    kind: "DestinationRule",
    namespace: "serverless",
    name: "function-connection-pool",
    spec: {
      host: "user-function.serverless.svc.cluster.local",
      trafficPolicy: {
        connectionPool: {
          tcp: {
            maxConnections: 1000,
            connectTimeout: "10ms",
            tcpKeepalive: { time: "7200s", interval: "75s" },
          },
          http: { http1MaxPendingRequests: 10000, maxRequestsPerConnection: 100, maxRetries: 3 },
        },
      },
    },
  },
  {
    // seed: the curl warm-up Deployment `function-warmup`, replaced by min/initial scale.
    apiVersion: "serving.knative.dev/v1",
    kind: "Service",
    namespace: "serverless",
    name: "user-function",
    spec: {
      template: {
        metadata: {
          labels: { app: "user-function" },
          annotations: {
            // Not in the seed: with caller rules, Knative's activator leaves the request path
            // once pods exist, so the rules see the real caller.
            "autoscaling.knative.dev/target-burst-capacity": "0",
            "autoscaling.knative.dev/min-scale": "1",
            "autoscaling.knative.dev/initial-scale": "1",
          },
        },
        spec: {
          containers: [
            {
              name: "user-container",
              image: "gcr.io/my-project/user-function:latest",
              securityContext: RESTRICTED, // not in the seed: the package default
              ports: [{ containerPort: 8080 }],
            },
          ],
        },
      },
    },
  },
  {
    apiVersion: "v1",
    kind: "ResourceQuota",
    namespace: "serverless",
    name: "serverless-quota",
    spec: {
      hard: {
        "requests.cpu": "4",
        "requests.memory": "8Gi",
        // seed: limits.cpu "8", limits.memory 16Gi. At max scale the pods need 44 CPU / 16.5Gi of
        // limits (istio-proxy's 2 CPU / 1Gi limit each); analyzer rule MS601.
        "limits.cpu": "48",
        "limits.memory": "24Gi",
      },
    },
  },
  {
    apiVersion: "scheduling.k8s.io/v1",
    kind: "PriorityClass",
    name: "serverless-priority",
    top: {
      value: 1000000,
      globalDefault: false,
      description: "Priority class for serverless functions",
    },
  },
];

/**
 * Objects the package adds around the seeds' own: the namespace it creates, the workload's
 * Service/SA, and the container defaults without which the seed's quota rejects every pod.
 */
const EXTRA = [
  "v1 LimitRange serverless/serverless-limits",
  "v1 Namespace serverless",
  "v1 Service default/health-check",
  "v1 ServiceAccount default/health-check",
];

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: unknown;
  [k: string]: unknown;
}

const id = (o: { apiVersion: string; kind: string; namespace?: string; name: string }) =>
  `${o.apiVersion} ${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name}`;

describe("seeds stack (acceptance set)", function () {
  this.timeout(60_000);
  let out: string;
  let rendered: Map<string, Manifest>;

  before(async () => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), "seeds-"));
    const result = await render({ stack: "seeds", out });
    // Every object but the OpenFaaS Function has a published schema; that one is checked
    // against its CRD below.
    assert.deepEqual(Object.keys(result.unvalidated), ["openfaas.com/v1 Function"]);
    assert.equal(result.validated, result.manifests - 1);
    rendered = new Map();
    for (const m of renderedManifests<Manifest>(out, result.files))
      rendered.set(id({ ...m, name: m.metadata.name, namespace: m.metadata.namespace }), m);
  });
  after(async () => {
    fs.rmSync(out, { recursive: true, force: true });
    await h.reset();
  });

  it("renders exactly the seed objects plus the namespace and workload plumbing", () => {
    assert.deepEqual([...rendered.keys()].sort(), [...EXPECTED.map(id), ...EXTRA].sort());
  });

  for (const e of EXPECTED) {
    it(`matches the seed's ${e.kind} ${e.name} field by field`, () => {
      const m = rendered.get(id(e));
      assert.ok(m, `${id(e)} was not rendered`);
      if (e.spec !== undefined) assert.deepEqual(m.spec, e.spec);
      for (const [k, v] of Object.entries(e.top ?? {})) assert.deepEqual(m[k], v, k);
      assert.equal(m.metadata.labels?.["app.kubernetes.io/managed-by"], "pulumi");
      assert.equal(m.metadata.labels?.["app.kubernetes.io/part-of"], "mesh-serverless");
    });
  }

  it("renders image-processor valid against the Function CRD (../shared/crds)", function () {
    if (!fs.existsSync(FUNCTION_CRD)) {
      console.log(`      skipped: Function CRD not found at ${FUNCTION_CRD}`);
      return this.skip();
    }
    const fn = rendered.get("openfaas.com/v1 Function openfaas-fn/image-processor");
    assert.deepEqual(functionProblems(fn), []);
  });

  it("labels each service's objects with the service name", () => {
    const name = (k: string) => rendered.get(k)?.metadata.labels?.["app.kubernetes.io/name"];
    assert.equal(
      name("security.istio.io/v1 AuthorizationPolicy serverless/serverless-authz"),
      "user-function",
    );
    assert.equal(
      name("networking.istio.io/v1 DestinationRule serverless/serverless-function-dr"),
      "user-function",
    );
    assert.equal(
      name("networking.istio.io/v1 VirtualService serverless/serverless-vs"),
      "hello-serverless",
    );
    assert.equal(
      name("monitoring.coreos.com/v1 ServiceMonitor default/knative-service-monitor"),
      "helloworld-go",
    );
  });

  it("enrols the created namespace in the mesh", () => {
    assert.deepEqual(rendered.get("v1 LimitRange serverless/serverless-limits")?.spec, {
      limits: [
        {
          type: "Container",
          defaultRequest: { cpu: "100m", memory: "128Mi" },
          default: { cpu: "1", memory: "256Mi" },
        },
      ],
    });
    const ns = rendered.get("v1 Namespace serverless");
    assert.equal(ns?.metadata.labels?.["istio-injection"], "enabled");
  });
});

describe("stacks/services config", () => {
  beforeEach(() => h.reset());

  const run = (value: Record<string, unknown>) => () =>
    deployServices(value as ServicesConfig, {}, {});

  const services = (value: Record<string, unknown>) => ({ environment: "dev", services: value });

  it("rejects a misspelt argument with its full config key, before building anything", async () => {
    await rejects(
      services({ serverless: { hello: { imgae: "x", image: "y" } } }),
      /^invalid `mesh-serverless:services.serverless.hello.imgae` "x": unknown key; did you mean `image`\? \(known keys: /,
    );
  });

  it("rejects an unknown kind of entry", async () => {
    await rejects(
      services({ servces: {} }),
      "invalid `mesh-serverless:services.servces` {}: unknown key (known keys: namespaces, serverless, workloads, traffic, access, observability, gateways, routes, serviceEntries, brokers, triggers, pingSources, openfaas)",
    );
  });

  it("passes component errors through and links namespaces by name", async () => {
    assert.throws(
      run({ traffic: { r: { routes: [{ destinations: [{ weight: 50 }, { weight: 10 }] }] } } }),
      /`routes\[0\].destinations`/,
    );
    await h.reset();
    const out = run({
      namespaces: { fns: {} },
      serverless: { hello: { namespace: "fns", image: "hello:1" } },
    })();
    await h.settled();
    const ksvc = h.get("kubernetes:serving.knative.dev/v1:Service", "fns/hello");
    assert.deepEqual(h.dependencies(ksvc), [
      "kubernetes:core/v1:Namespace::fns",
      "kubernetes:security.istio.io/v1:PeerAuthentication::fns/default",
    ]);
    assert.deepEqual(out.meshNamespaces, ["fns"]);
    assert.equal(
      await h.resolve((out.serverlessHosts as Record<string, string>).hello),
      "hello.fns.svc.cluster.local",
    );
  });
});
