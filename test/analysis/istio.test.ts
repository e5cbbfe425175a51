import { API, dr, gw, obj, route, runCases, vs } from "./helpers";

/**
 * Istio's webhook rules for traffic objects (istio/istio pkg/config/validation/validation.go, virtualservice.go,
 * agent/validation.go): each case is an object the webhook rejects (or warns about), next to the
 * closest one it admits.
 */

const HOST = "orders.shop.svc.cluster.local";

runCases("MS101", [
  {
    name: "a routed host",
    objects: [vs("shop/a", { hosts: [HOST], http: [route(HOST)] })],
    fires: [],
  },
  {
    name: '"*" bound to the mesh',
    objects: [vs("shop/a", { hosts: ["*"], http: [route(HOST)] })],
    fires: [
      'error MS101 VirtualService shop/a: host "*" is not allowed on a VirtualService bound to the mesh',
    ],
  },
  {
    name: '"*" on a gateway',
    objects: [vs("shop/a", { hosts: ["*"], gateways: ["shop/gw"], http: [route(HOST)] })],
    fires: [],
  },
  {
    name: "a duplicate host and a bad label",
    objects: [
      vs("shop/a", {
        hosts: ["a.example.com", "a.example.com", "b_c.example.com"],
        http: [route(HOST)],
      }),
    ],
    fires: [
      "error MS101 VirtualService shop/a: duplicate host a.example.com",
      'error MS101 VirtualService shop/a: host "b_c.example.com" is invalid (label "b_c")',
    ],
  },
  {
    name: "no routes",
    objects: [vs("shop/a", { hosts: [HOST] })],
    fires: ["error MS101 VirtualService shop/a: a VirtualService needs http, tcp or tls routes"],
  },
]);

runCases("MS102", [
  {
    name: "redirect only",
    objects: [vs("shop/a", { hosts: [HOST], http: [{ redirect: { uri: "/x" } }] })],
    fires: [],
  },
  {
    name: "route and redirect, rewrite with redirect",
    objects: [
      vs("shop/a", {
        hosts: [HOST],
        http: [{ ...route(HOST), redirect: { uri: "/x" }, rewrite: { uri: "/y" } }],
      }),
    ],
    fires: [
      "error MS102 VirtualService shop/a: http[0] combines route and redirect; keep one",
      "error MS102 VirtualService shop/a: http[0]: rewrite cannot be combined with redirect or directResponse",
    ],
  },
  {
    name: "no action, empty rewrite, authority set twice",
    objects: [
      vs("shop/a", {
        hosts: [HOST],
        http: [
          { match: [{ uri: { prefix: "/" } }] },
          route(HOST, { rewrite: {} }),
          route(HOST, {
            rewrite: { authority: "x" },
            headers: { request: { set: { Host: "y" } } },
          }),
        ],
      }),
    ],
    fires: [
      "error MS102 VirtualService shop/a: http[0] has no route, redirect or directResponse",
      "error MS102 VirtualService shop/a: http[1].rewrite needs uri, uriRegexRewrite or authority",
      "error MS102 VirtualService shop/a: http[2] sets the authority twice",
    ],
  },
]);

runCases("MS103", [
  {
    name: "weighted subsets",
    objects: [
      vs("shop/a", {
        hosts: [HOST],
        http: [
          {
            route: [
              { destination: { host: HOST, subset: "v1" }, weight: 90 },
              { destination: { host: HOST, subset: "v2" }, weight: 10 },
            ],
          },
        ],
      }),
    ],
    fires: [],
  },
  {
    name: "all weights 0, a bad subset, a negative weight, destination *",
    objects: [
      vs("shop/a", {
        hosts: [HOST],
        http: [
          {
            route: [
              { destination: { host: HOST, subset: "V_1" }, weight: 0 },
              { destination: { host: HOST }, weight: 0 },
            ],
          },
          { route: [{ destination: { host: "*" }, weight: -1 }] },
        ],
      }),
    ],
    fires: [
      'error MS103 VirtualService shop/a: http[0].route[0]: subset "V_1" must be a DNS-1123 label',
      "error MS103 VirtualService shop/a: http[0]: every destination has weight 0",
      'error MS103 VirtualService shop/a: http[1].route[0]: destination host "*" is not a valid service host',
      "error MS103 VirtualService shop/a: http[1].route[0]: weight -1 is negative",
    ],
  },
]);

runCases("MS104", [
  {
    name: "timeouts, retries and a fault in range",
    objects: [
      vs("shop/a", {
        hosts: [HOST],
        http: [
          route(HOST, {
            timeout: "1.5s",
            retries: { attempts: 3, perTryTimeout: "500ms", retryOn: "5xx,503" },
            fault: { delay: { fixedDelay: "1s", percentage: { value: 10 } } },
          }),
        ],
      }),
    ],
    fires: [],
  },
  {
    name: "sub-millisecond timeout, retries off but configured, bad retryOn, bad fault",
    objects: [
      vs("shop/a", {
        hosts: [HOST],
        http: [
          route(HOST, {
            timeout: "500us",
            retries: { attempts: 0, perTryTimeout: "1s", retryOn: "sometimes" },
            fault: { abort: { httpStatus: 700, percentage: { value: 150 } } },
          }),
          route(HOST, { fault: {} }),
        ],
      }),
    ],
    fires: [
      "error MS104 VirtualService shop/a: http[0].fault.abort.httpStatus 700 is outside 200..599",
      "error MS104 VirtualService shop/a: http[0].fault.abort.percentage 150 is outside 0..100",
      'error MS104 VirtualService shop/a: http[0].retries.retryOn: "sometimes" is not a retry policy',
      "error MS104 VirtualService shop/a: http[0].retries configures retries with attempts 0 (disabled)",
      "error MS104 VirtualService shop/a: http[0].timeout: duration 500us must be at least 1ms",
      "error MS104 VirtualService shop/a: http[1].fault needs an abort and/or a delay",
    ],
  },
]);

runCases("MS105", [
  {
    name: "namespaced and mesh",
    objects: [
      vs("shop/a", {
        hosts: ["a.example.com"],
        gateways: ["mesh", "shop/gw", "gw"],
        http: [route(HOST)],
      }),
    ],
    fires: [],
  },
  {
    name: "legacy and malformed names",
    objects: [
      vs("shop/a", {
        hosts: ["a.example.com"],
        gateways: ["gw.shop", "a/b/c"],
        http: [route(HOST)],
      }),
    ],
    fires: [
      'error MS105 VirtualService shop/a: gateway "a/b/c" must be "<name>" or "<namespace>/<name>"',
      'warning MS105 VirtualService shop/a: gateway "gw.shop" uses the legacy <name>.<namespace> form',
    ],
  },
]);

const matching = (match: unknown[], gateways?: string[]) =>
  vs("shop/a", {
    hosts: [HOST],
    ...(gateways ? { gateways } : {}),
    http: [route(HOST, { match })],
  });
runCases("MS106", [
  {
    name: "prefix, RE2 regex, header token, pseudo-header, port, sourceNamespace; a claim route on a gateway",
    objects: [
      matching([
        {
          uri: { prefix: "/api" },
          headers: { "x-user": { regex: "^[a-z]+$" }, ":method": { exact: "GET" } },
          port: 8080,
          sourceNamespace: "web",
        },
        { withoutHeaders: { "x-debug": { regex: "*" } } },
      ]),
      {
        ...matching(
          [{ headers: { "@request.auth.claims.group": { exact: "admin" } } }],
          ["shop/gw"],
        ),
        metadata: { name: "b", namespace: "shop" },
      },
    ],
    fires: [],
  },
  {
    name: "empty prefix, lookahead regex, bad header name, port 0, claim route on the mesh",
    objects: [
      matching([
        {
          method: { prefix: "" },
          headers: {
            "x user": { exact: "a" },
            "x-id": { regex: "^(?!admin)" },
            "@request.auth.claims.group": { exact: "a" },
          },
          port: 0,
        },
      ]),
    ],
    fires: [
      'error MS106 VirtualService shop/a: http[0].match[0].headers: "x user" is not a valid header name',
      "error MS106 VirtualService shop/a: http[0].match[0].headers.x-id: regex ^(?!admin) uses lookaround",
      "error MS106 VirtualService shop/a: http[0].match[0].headers: JWT claim routing (@request.auth.claims.group) only works on a VirtualService bound to gateways",
      "error MS106 VirtualService shop/a: http[0].match[0].method: prefix must not be empty",
      "error MS106 VirtualService shop/a: http[0].match[0].port 0 is outside 1..65535",
    ],
  },
]);

const server = (port: number, protocol: string, extra: Record<string, unknown> = {}) => ({
  port: { number: port, name: protocol.toLowerCase(), protocol },
  hosts: ["shop.example.com"],
  ...extra,
});

runCases("MS110", [
  {
    name: "HTTPS with a credential and an HTTP redirect",
    objects: [
      gw("shop/gw", {
        servers: [
          server(443, "HTTPS", { tls: { mode: "SIMPLE", credentialName: "c" } }),
          server(80, "HTTP", { tls: { httpsRedirect: true } }),
        ],
      }),
    ],
    fires: [],
  },
  {
    name: "HTTPS without tls, SIMPLE without a credential, MUTUAL without a CA, TLS on TCP, duplicate port name",
    objects: [
      gw("shop/gw", {
        servers: [
          server(443, "HTTPS"),
          server(8443, "HTTPS", { tls: { mode: "SIMPLE" } }),
          {
            ...server(9443, "TLS", {
              tls: { mode: "MUTUAL", serverCertificate: "/c.pem", privateKey: "/k.pem" },
            }),
            port: { number: 9443, name: "https", protocol: "TLS" },
          },
          server(9000, "TCP", { tls: { mode: "SIMPLE", credentialName: "c" } }),
        ],
      }),
    ],
    fires: [
      "error MS110 Gateway shop/gw: servers[0]: HTTPS needs tls settings",
      "error MS110 Gateway shop/gw: servers[1]: TLS SIMPLE needs credentialName",
      'error MS110 Gateway shop/gw: servers[1]: port name "https" is not unique',
      'error MS110 Gateway shop/gw: servers[2]: port name "https" is not unique',
      "error MS110 Gateway shop/gw: servers[2]: TLS MUTUAL needs a client CA bundle",
      "error MS110 Gateway shop/gw: servers[3]: a plain TCP server can only set tls.httpsRedirect",
    ],
  },
  {
    name: "no servers and a dotted name",
    objects: [gw("shop/my.gw", { servers: [] })],
    fires: [
      "error MS110 Gateway shop/my.gw: a Gateway name must be a DNS-1123 label",
      "error MS110 Gateway shop/my.gw: a Gateway needs at least one server",
    ],
  },
]);

runCases("MS120", [
  {
    name: "policy with durations and subsets",
    objects: [
      dr("shop/a", {
        host: HOST,
        subsets: [{ name: "v1" }],
        trafficPolicy: {
          connectionPool: { tcp: { connectTimeout: "30ms" } },
          outlierDetection: { interval: "10s", baseEjectionTime: "15m", maxEjectionPercent: 50 },
        },
      }),
    ],
    fires: [],
  },
  {
    name: "duplicate subset, 0s interval, ejection over 100%",
    objects: [
      dr("shop/a", {
        host: HOST,
        subsets: [
          { name: "v1" },
          { name: "v1", trafficPolicy: { outlierDetection: { interval: "0s" } } },
        ],
        trafficPolicy: { outlierDetection: { maxEjectionPercent: 120 } },
      }),
    ],
    fires: [
      'error MS120 DestinationRule shop/a: duplicate subset "v1"',
      "error MS120 DestinationRule shop/a: subsets[1].trafficPolicy.outlierDetection.interval: duration 0s must be at least 1ms",
      "error MS120 DestinationRule shop/a: trafficPolicy.outlierDetection.maxEjectionPercent 120 is outside 0..100",
    ],
  },
]);

const se = (ref: string, spec: unknown) => obj(API.net, "ServiceEntry", ref, { spec });
runCases("MS130", [
  {
    name: "wildcard host with resolution NONE (the seeds' openfaas-functions)",
    objects: [
      se("openfaas/f", {
        hosts: ["*.openfaas-fn.svc.cluster.local"],
        resolution: "NONE",
        ports: [{ number: 8080, name: "http", protocol: "HTTP" }],
      }),
    ],
    fires: [],
  },
  {
    name: "wildcard host with DNS and no endpoints, duplicate ports",
    objects: [
      se("openfaas/f", {
        hosts: ["*.openfaas-fn.svc.cluster.local"],
        resolution: "DNS",
        ports: [
          { number: 8080, name: "http", protocol: "HTTP" },
          { number: 8080, name: "http", protocol: "HTTP" },
        ],
      }),
    ],
    fires: [
      'error MS130 ServiceEntry openfaas/f: port name "http" is defined twice',
      "error MS130 ServiceEntry openfaas/f: port 8080 is defined twice",
      'error MS130 ServiceEntry openfaas/f: resolution DNS without endpoints needs FQDN hosts, not "*.openfaas-fn.svc.cluster.local"',
    ],
  },
  {
    name: "NONE with endpoints, CIDR with DNS, host *",
    objects: [
      se("x/f", { hosts: ["*"], resolution: "NONE", endpoints: [{ address: "1.2.3.4" }] }),
      se("x/g", { hosts: ["a.example.com"], addresses: ["10.0.0.0/8"], resolution: "DNS" }),
    ],
    fires: [
      'error MS130 ServiceEntry x/f: host "*": the full wildcard "*" is not allowed',
      "error MS130 ServiceEntry x/f: resolution NONE takes no endpoints",
      "error MS130 ServiceEntry x/g: CIDR addresses are allowed only with resolution NONE or STATIC",
    ],
  },
]);
