import { API, ap, dr, gw, ksvc, obj, route, runCases, vs } from "./helpers";

/** Cross-object references: subsets, gateways, selectors, principals, monitors, egress. */

const HOST = "reviews.default.svc.cluster.local";
const subsetRoute = (subset: string) => ({ route: [{ destination: { host: "reviews", subset } }] });
const deployment = (
  ref: string,
  labels: Record<string, string>,
  extra: Record<string, unknown> = {},
) =>
  obj(API.apps, "Deployment", ref, {
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: "app", image: "x", ...extra }] },
      },
    },
  });
const service = (ref: string, labels: Record<string, string>, ports: string[], selector = labels) =>
  obj(
    API.v1,
    "Service",
    ref,
    { spec: { selector, ports: ports.map((name, i) => ({ name, port: 80 + i })) } },
    labels,
  );

runCases("MS401", [
  {
    name: "subset v1 defined for the short host",
    objects: [
      vs("default/reviews", { hosts: ["reviews"], http: [subsetRoute("v1")] }),
      dr("default/reviews", { host: HOST, subsets: [{ name: "v1" }] }),
    ],
    fires: [],
  },
  {
    name: "subset v3 missing from the host's DestinationRule",
    objects: [
      vs("default/reviews", { hosts: ["reviews"], http: [subsetRoute("v3")] }),
      dr("default/reviews", { host: "reviews", subsets: [{ name: "v1" }, { name: "v2" }] }),
    ],
    fires: [
      `error MS401 VirtualService default/reviews: subset v3 of ${HOST} is not defined by its DestinationRule (has: v1, v2)`,
    ],
  },
  {
    name: "no DestinationRule for the host in the input (a warning)",
    objects: [vs("default/reviews", { hosts: ["reviews"], http: [subsetRoute("v1")] })],
    fires: [
      `warning MS401 VirtualService default/reviews: subset v1 of ${HOST}: no DestinationRule for that host in the input`,
    ],
  },
]);

const GW = { servers: [{ port: { number: 80, name: "http", protocol: "HTTP" }, hosts: ["*"] }] };
runCases("MS402", [
  {
    name: "own-namespace Gateway, Knative's gateways, mesh",
    objects: [
      gw("shop/public", GW),
      vs("shop/a", {
        hosts: ["a.example.com"],
        gateways: ["public", "knative-serving/knative-ingress-gateway", "mesh"],
        http: [route(HOST)],
      }),
    ],
    fires: [],
  },
  {
    name: "a missing Gateway in the VirtualService's namespace (error) and one elsewhere (warning)",
    objects: [
      vs("shop/a", {
        hosts: ["a.example.com"],
        gateways: ["shop/public", "edge/public"],
        http: [route(HOST)],
      }),
    ],
    fires: [
      "error MS402 VirtualService shop/a: gateway shop/public does not exist; the routes never apply",
      "warning MS402 VirtualService shop/a: gateway edge/public does not exist in the input",
    ],
  },
]);

runCases("MS403", [
  {
    name: "selectors matching a Deployment and a Knative Service",
    objects: [
      deployment("shop/catalog", { app: "catalog" }),
      ksvc("shop/orders"),
      ap("shop/catalog", { selector: { matchLabels: { app: "catalog" } }, rules: [{}] }),
      obj(API.net, "Sidecar", "shop/orders", {
        spec: { workloadSelector: { labels: { app: "orders" } }, egress: [{ hosts: ["./*"] }] },
      }),
    ],
    fires: [],
  },
  {
    name: "a selector in another namespace than the workload",
    objects: [
      deployment("web/catalog", { app: "catalog" }),
      ap("shop/catalog", { selector: { matchLabels: { app: "catalog" } }, rules: [{}] }),
    ],
    fires: [
      'warning MS403 AuthorizationPolicy shop/catalog: selector {"app":"catalog"} matches no workload or Knative Service in shop',
    ],
  },
  {
    name: "a root-namespace (istio-system) policy selecting a workload in any namespace",
    objects: [
      deployment("web/catalog", { app: "catalog" }),
      ap("istio-system/catalog", { selector: { matchLabels: { app: "catalog" } }, rules: [{}] }),
    ],
    fires: [],
  },
  {
    name: "every label of the selector must match, not one of them",
    objects: [
      deployment("shop/catalog", { app: "catalog", version: "v1" }),
      ap("shop/catalog", {
        selector: { matchLabels: { app: "catalog", version: "v2" } },
        rules: [{}],
      }),
    ],
    fires: [
      'warning MS403 AuthorizationPolicy shop/catalog: selector {"app":"catalog","version":"v2"} matches no workload',
    ],
  },
]);

const allowFrom = (principal: string) => ({
  rules: [{ from: [{ source: { principals: [principal] } }] }],
});
runCases("MS404", [
  {
    name: "default SA, a rendered SA, a workload's serviceAccountName",
    objects: [
      obj(API.v1, "ServiceAccount", "web/frontend"),
      deployment("web/api", { app: "api" }, {}),
      {
        ...deployment("web/worker", { app: "worker" }),
        spec: {
          template: {
            metadata: { labels: { app: "worker" } },
            spec: { serviceAccountName: "worker", containers: [] },
          },
        },
      },
      ap("shop/a", {
        rules: [
          {
            from: [
              {
                source: {
                  principals: [
                    "cluster.local/ns/shop/sa/default",
                    "cluster.local/ns/web/sa/frontend",
                    "cluster.local/ns/web/sa/worker",
                    "*",
                  ],
                },
              },
            ],
          },
        ],
      }),
    ],
    fires: [],
  },
  {
    name: "Knative Serving's own accounts exist where a KnativeServing is installed",
    objects: [
      obj("operator.knative.dev/v1beta1", "KnativeServing", "knative-serving/knative-serving"),
      ap("shop/a", allowFrom("cluster.local/ns/knative-serving/sa/activator")),
      ap("shop/b", allowFrom("cluster.local/ns/knative-serving/sa/controller")),
    ],
    fires: [],
  },
  {
    name: "without a KnativeServing, the activator's account is not known",
    objects: [ap("shop/a", allowFrom("cluster.local/ns/knative-serving/sa/activator"))],
    fires: [
      "warning MS404 AuthorizationPolicy shop/a: principal cluster.local/ns/knative-serving/sa/activator: service account knative-serving/activator is not in the input; until it exists the rule matches nobody",
    ],
  },
  {
    name: "Knative Eventing's data-plane accounts exist where a KnativeEventing is installed",
    objects: [
      obj("operator.knative.dev/v1beta1", "KnativeEventing", "events-system/knative-eventing"),
      ap("shop/a", allowFrom("cluster.local/ns/events-system/sa/mt-broker-filter")),
      ap("shop/b", allowFrom("cluster.local/ns/events-system/sa/pingsource-mt-adapter")),
    ],
    fires: [],
  },
  {
    name: "without a KnativeEventing, the broker filter's account is not known",
    objects: [ap("shop/a", allowFrom("cluster.local/ns/knative-eventing/sa/mt-broker-filter"))],
    fires: [
      "warning MS404 AuthorizationPolicy shop/a: principal cluster.local/ns/knative-eventing/sa/mt-broker-filter: service account knative-eventing/mt-broker-filter is not in the input; until it exists the rule matches nobody",
    ],
  },
  {
    name: "a service account nobody creates",
    objects: [ap("shop/a", allowFrom("cluster.local/ns/serverless/sa/function-sa"))],
    fires: [
      "warning MS404 AuthorizationPolicy shop/a: principal cluster.local/ns/serverless/sa/function-sa: service account serverless/function-sa is not in the input",
    ],
  },
]);

const monitor = (kind: string, ref: string, spec: Record<string, unknown>) =>
  obj(API.mon, kind, ref, { spec });
runCases("MS405", [
  {
    name: "ServiceMonitor across namespaces finds the port; Knative service monitor on http; PodMonitor on a named container port",
    objects: [
      service("shop/catalog", { app: "catalog" }, ["http", "http-metrics"]),
      ksvc("shop/orders"),
      deployment(
        "shop/worker",
        { app: "worker" },
        { ports: [{ name: "metrics", containerPort: 9090 }] },
      ),
      monitor("ServiceMonitor", "monitoring/catalog", {
        selector: { matchLabels: { app: "catalog" } },
        namespaceSelector: { matchNames: ["shop"] },
        endpoints: [{ port: "http-metrics" }],
      }),
      monitor("ServiceMonitor", "shop/orders", {
        selector: { matchLabels: { "serving.knative.dev/service": "orders" } },
        endpoints: [{ port: "http" }],
      }),
      monitor("PodMonitor", "shop/worker", {
        selector: { matchExpressions: [{ key: "app", operator: "In", values: ["worker"] }] },
        podMetricsEndpoints: [{ port: "metrics" }],
      }),
    ],
    fires: [],
  },
  {
    name: "no namespaceSelector: only the monitor's own namespace (the seeds' serverless-monitor)",
    objects: [
      service("serverless/fn", { app: "serverless-function" }, ["http-metrics"]),
      monitor("ServiceMonitor", "monitoring/serverless-monitor", {
        selector: { matchLabels: { app: "serverless-function" } },
        endpoints: [{ port: "http-metrics" }],
      }),
    ],
    fires: [
      "warning MS405 ServiceMonitor monitoring/serverless-monitor: selects no Service of the input in monitoring",
    ],
  },
  {
    name: "the Service is found but has no port of that name",
    objects: [
      service("shop/catalog", { app: "catalog" }, ["http"]),
      monitor("ServiceMonitor", "shop/catalog", {
        selector: { matchLabels: { app: "catalog" } },
        endpoints: [{ port: "metrics" }],
      }),
    ],
    fires: [
      "error MS405 ServiceMonitor shop/catalog: no selected Service in shop has a port named metrics",
    ],
  },
]);

runCases("MS406", [
  {
    name: "one rule per host",
    objects: [dr("shop/a", { host: "orders" }), dr("other/a", { host: "orders" })],
    fires: [],
  },
  {
    name: "a short and a full name of one host",
    objects: [
      dr("shop/a", { host: "orders" }),
      dr("shop/b", { host: "orders.shop.svc.cluster.local" }),
    ],
    fires: [
      "warning MS406 DestinationRule shop/a: DestinationRules shop/a, shop/b all configure host orders.shop.svc.cluster.local",
    ],
  },
]);

const sidecar = (ns: string, hosts: string[]) =>
  obj(API.net, "Sidecar", `${ns}/default`, { spec: { egress: [{ hosts }] } });
runCases("MS407", [
  {
    name: "egress that shows the namespace, istio-system and the callee's namespace",
    objects: [
      sidecar("web", ["./*", "istio-system/*", "shop/*"]),
      ksvc("shop/orders"),
      ap("shop/orders", {
        selector: { matchLabels: { app: "orders" } },
        ...allowFrom("cluster.local/ns/web/sa/frontend"),
      }),
      vs("web/r", {
        hosts: ["orders.shop.svc.cluster.local"],
        http: [route("orders.shop.svc.cluster.local")],
      }),
      obj(API.net, "ServiceEntry", "web/psp", {
        spec: { hosts: ["api.psp.example"], resolution: "DNS" },
      }),
    ],
    fires: [],
  },
  {
    name: "egress without the callee's namespace: an allowed caller, a mesh route and a declared external callee are hidden",
    objects: [
      sidecar("web", ["istio-system/*"]),
      deployment("shop/catalog", { app: "catalog" }),
      service("shop/catalog", { app: "catalog" }, ["http"]),
      ap("shop/catalog", {
        selector: { matchLabels: { app: "catalog" } },
        ...allowFrom("cluster.local/ns/web/sa/frontend"),
      }),
      vs("web/r", {
        hosts: ["payments.shop.svc.cluster.local"],
        http: [route("payments.shop.svc.cluster.local")],
      }),
      obj(API.net, "ServiceEntry", "web/psp", {
        spec: { hosts: ["api.psp.example"], resolution: "DNS" },
      }),
    ],
    fires: [
      "error MS407 Sidecar web/default: egress hides api.psp.example, which ServiceEntry web/psp declares as a callee",
      "error MS407 Sidecar web/default: egress hides catalog.shop.svc.cluster.local, which AuthorizationPolicy shop/catalog lets web call",
      "error MS407 Sidecar web/default: egress hides payments.shop.svc.cluster.local, which VirtualService web/r routes to",
    ],
  },
]);

const claims = (ref: string, selector: Record<string, string>) =>
  ap(ref, {
    selector: { matchLabels: selector },
    rules: [{ when: [{ key: "request.auth.claims[groups]", values: ["admins"] }] }],
  });
const ra = (ref: string, selector?: Record<string, string>) =>
  obj(API.sec, "RequestAuthentication", ref, {
    spec: {
      ...(selector ? { selector: { matchLabels: selector } } : {}),
      jwtRules: [{ issuer: "https://a" }],
    },
  });
runCases("MS408", [
  {
    name: "claims with a RequestAuthentication for the same workloads, namespace-wide, or in the root namespace",
    objects: [
      claims("shop/a", { app: "a" }),
      ra("shop/a", { app: "a" }),
      claims("web/b", { app: "b" }),
      ra("web/all"),
      claims("ops/c", { app: "c" }),
      ra("istio-system/mesh"),
    ],
    fires: [],
  },
  {
    name: "claims and request principals with no RequestAuthentication, or one for other workloads",
    objects: [
      claims("shop/a", { app: "a" }),
      ra("shop/other", { app: "other" }),
      ap("web/b", { rules: [{ from: [{ source: { requestPrincipals: ["*"] } }] }] }),
    ],
    fires: [
      "warning MS408 AuthorizationPolicy shop/a: uses request principals or request.auth claims, but no RequestAuthentication",
      "warning MS408 AuthorizationPolicy web/b: uses request principals",
    ],
  },
]);
