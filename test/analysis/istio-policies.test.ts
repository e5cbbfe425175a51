import { API, ap, obj, runCases } from "./helpers";

/**
 * Istio's webhook rules for security, Sidecar and Telemetry objects (istio/istio
 * pkg/config/validation/validation.go): each case is an object the webhook rejects (or warns
 * about), next to the closest one it admits.
 */

const sec = (kind: string, ref: string, spec: unknown) => obj(API.sec, kind, ref, { spec });

runCases("MS140", [
  {
    name: "ALLOW by principal and method; allow-nothing {}",
    objects: [
      ap("shop/a", {
        action: "ALLOW",
        rules: [
          {
            from: [{ source: { principals: ["cluster.local/ns/web/sa/f"] } }],
            to: [{ operation: { methods: ["GET"] } }],
          },
        ],
      }),
      ap("shop/none", {}),
    ],
    fires: [],
  },
  {
    name: "DENY without rules, provider on ALLOW",
    objects: [
      ap("shop/d", { action: "DENY" }),
      ap("shop/p", { action: "ALLOW", provider: { name: "ext" }, rules: [{}] }),
    ],
    fires: [
      "error MS140 AuthorizationPolicy shop/d: DENY without rules never triggers",
      "error MS140 AuthorizationPolicy shop/p: provider is only allowed with action CUSTOM, not ALLOW",
    ],
  },
  {
    name: "empty source, serviceAccounts with principals, when without values, empty from",
    objects: [
      ap("shop/a", {
        rules: [
          { from: [{ source: {} }] },
          {
            from: [{ source: { principals: ["p"], serviceAccounts: ["shop/x"] } }],
            when: [{ key: "request.headers[x]" }],
          },
          { from: [] },
        ],
      }),
    ],
    fires: [
      "error MS140 AuthorizationPolicy shop/a: rules[0]: from.source must not be empty",
      "error MS140 AuthorizationPolicy shop/a: rules[1]: serviceAccounts cannot be combined with principals or namespaces",
      "error MS140 AuthorizationPolicy shop/a: rules[1]: when key request.headers[x] needs values or notValues",
      "error MS140 AuthorizationPolicy shop/a: rules[2].from must not be empty",
    ],
  },
  {
    name: "DENY on HTTP attributes only (a warning, as the webhook gives)",
    objects: [
      ap("shop/d", { action: "DENY", rules: [{ to: [{ operation: { paths: ["/admin"] } }] }] }),
    ],
    fires: [
      "warning MS140 AuthorizationPolicy shop/d: rules[0] uses only HTTP attributes in a DENY rule",
    ],
  },
  {
    name: "CUSTOM ext-authz and AUDIT as the upstream tasks write them",
    objects: [
      ap("foo/ext", {
        action: "CUSTOM",
        provider: { name: "sample-ext-authz-grpc" },
        rules: [{ to: [{ operation: { paths: ["/headers"] } }] }],
      }),
      ap("foo/all", { action: "CUSTOM", provider: { name: "opa" }, rules: [{}] }),
      ap("foo/audit", {
        action: "AUDIT",
        rules: [{ to: [{ operation: { methods: ["GET"], paths: ["/user-agent"] } }] }],
      }),
    ],
    fires: [],
  },
  {
    name: "CUSTOM on identities, JWT and source conditions; unknown action; dry-run on AUDIT",
    objects: [
      ap("foo/c", {
        action: "CUSTOM",
        provider: { name: "ext" },
        rules: [
          { from: [{ source: { notPrincipals: ["*"], notNamespaces: ["a"] } }] },
          { when: [{ key: "source.serviceAccount", values: ["a/b"] }] },
          { when: [{ key: "request.auth.claims[iss]", values: ["x"] }] },
        ],
      }),
      ap("foo/l", { action: "LOG", rules: [{}] }),
      obj(API.sec, "AuthorizationPolicy", "foo/dry", {
        metadata: { name: "dry", namespace: "foo", annotations: { "istio.io/dry-run": "true" } },
        spec: { action: "AUDIT", rules: [{ to: [{ operation: { ports: ["80"] } }] }] },
      }),
    ],
    fires: [
      "error MS140 AuthorizationPolicy foo/c: rules[0]: notPrincipals, notNamespaces not supported with CUSTOM",
      "error MS140 AuthorizationPolicy foo/c: rules[1]: source.serviceAccount is not supported with CUSTOM",
      "error MS140 AuthorizationPolicy foo/c: rules[2]: request.auth.claims[iss] is not supported with CUSTOM",
      "error MS140 AuthorizationPolicy foo/dry: the istio.io/dry-run annotation supports only ALLOW and DENY, not AUDIT",
      "error MS140 AuthorizationPolicy foo/l: action LOG is not one of ALLOW, DENY, AUDIT, CUSTOM",
    ],
  },
  {
    name: "DENY on a port",
    objects: [
      ap("shop/d", {
        action: "DENY",
        rules: [{ to: [{ operation: { paths: ["/admin"], ports: ["8080"] } }] }],
      }),
    ],
    fires: [],
  },
]);

runCases("MS150", [
  {
    name: "issuer and https jwksUri",
    objects: [
      sec("RequestAuthentication", "shop/r", {
        jwtRules: [{ issuer: "https://a", jwksUri: "https://a/jwks.json" }],
      }),
    ],
    fires: [],
  },
  {
    name: "neither issuer nor jwksUri; a jwksUri that is not a URL; selector and targetRef",
    objects: [
      sec("RequestAuthentication", "shop/r", {
        selector: { matchLabels: { app: "a" } },
        targetRef: { kind: "Service", name: "a" },
        jwtRules: [{ audiences: [""] }, { issuer: "a", jwksUri: "jwks" }],
      }),
    ],
    fires: [
      "error MS150 RequestAuthentication shop/r: jwtRules[0] needs issuer or jwksUri",
      "error MS150 RequestAuthentication shop/r: jwtRules[0]: an audience is empty",
      "error MS150 RequestAuthentication shop/r: jwtRules[1]: jwksUri jwks is not a URL",
      "error MS150 RequestAuthentication shop/r: set only one of selector, targetRef",
    ],
  },
]);

runCases("MS151", [
  {
    name: "namespace STRICT; port level with a selector",
    objects: [
      sec("PeerAuthentication", "shop/default", { mtls: { mode: "STRICT" } }),
      sec("PeerAuthentication", "shop/p", {
        selector: { matchLabels: { app: "a" } },
        portLevelMtls: { "8080": { mode: "PERMISSIVE" } },
      }),
    ],
    fires: [],
  },
  {
    name: "port level without a selector, port 0",
    objects: [
      sec("PeerAuthentication", "shop/default", { portLevelMtls: { "0": { mode: "DISABLE" } } }),
    ],
    fires: [
      "error MS151 PeerAuthentication shop/default: namespace- or mesh-wide PeerAuthentication cannot set portLevelMtls",
      "error MS151 PeerAuthentication shop/default: portLevelMtls port 0 is outside 1..65535",
    ],
  },
]);

runCases("MS160", [
  {
    name: "the package's namespace Sidecar",
    objects: [
      obj(API.net, "Sidecar", "shop/default", {
        spec: {
          egress: [{ hosts: ["./*", "istio-system/*", "*/jaeger.tracing.svc.cluster.local"] }],
        },
      }),
    ],
    fires: [],
  },
  {
    name: "a bare host, catch-all not last, empty config",
    objects: [
      obj(API.net, "Sidecar", "shop/a", {
        spec: {
          egress: [
            { hosts: ["payments.svc"] },
            { port: { number: 80, name: "http", protocol: "HTTP" }, hosts: ["./*"] },
          ],
        },
      }),
      obj(API.net, "Sidecar", "shop/b", { spec: {} }),
    ],
    fires: [
      'error MS160 Sidecar shop/a: egress[0]: host "payments.svc": must be <namespace>/<host>',
      "error MS160 Sidecar shop/a: egress[0]: the listener without a port must be the last one",
      "error MS160 Sidecar shop/b: an empty Sidecar configures nothing",
    ],
  },
]);

runCases("MS170", [
  {
    name: "one provider, 10%",
    objects: [
      obj(API.tel, "Telemetry", "shop/t", {
        spec: { tracing: [{ providers: [{ name: "jaeger" }], randomSamplingPercentage: 10 }] },
      }),
    ],
    fires: [],
  },
  {
    name: "sampling 101%, nameless provider, two providers",
    objects: [
      obj(API.tel, "Telemetry", "shop/t", {
        spec: { tracing: [{ providers: [{ name: "a" }, {}], randomSamplingPercentage: 101 }] },
      }),
    ],
    fires: [
      "error MS170 Telemetry shop/t: tracing[0]: a provider has no name",
      "error MS170 Telemetry shop/t: tracing[0].randomSamplingPercentage 101 is outside 0..100",
      "warning MS170 Telemetry shop/t: tracing[0]: more than one provider is not supported",
    ],
  },
]);
