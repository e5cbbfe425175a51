import { strict as assert } from "assert";
import fc from "fast-check";
import * as h from "../../harness";
import { ServiceAccess } from "../../../components/kubernetes/service/service-access";
import { MeshServiceEntry } from "../../../components/kubernetes/service/mesh-service-entry";
import { isPolicyPath } from "../../../components/kubernetes/service/access";
import { FakeRelease, labels, meta, parent, RELEASE, spec, T } from "./helpers";

describe("kubernetes/service ServiceAccess", () => {
  beforeEach(() => h.reset());

  it("GIVEN callers, operations and JWT claims THEN emits ALLOW, DENY and RequestAuthentication", async () => {
    const release = new FakeRelease("istio-base");
    new ServiceAccess("orders", {
      namespace: "shop",
      mesh: { dependsOn: [release] },
      jwt: [
        {
          issuer: "https://auth.example.com",
          jwksUri: "https://auth.example.com/jwks.json",
          audiences: ["orders"],
        },
      ],
      allow: [
        {
          serviceAccounts: ["frontend/web"],
          principals: ["cluster.local/ns/shop/sa/batch"],
          methods: ["GET", "POST"],
          paths: ["/api/*"],
          ports: [8080],
          when: [{ key: "request.auth.claims[groups]", values: ["functions", "admins"] }],
        },
        { namespaces: ["monitoring"], paths: ["/metrics"] },
      ],
      deny: [{ requestPrincipals: ["*"], paths: ["/admin/*"] }],
    });
    await h.settled();
    const selector = { matchLabels: { app: "orders" } };
    assert.deepEqual(spec(T.ap, "shop/orders"), {
      selector,
      action: "ALLOW",
      rules: [
        {
          from: [
            {
              source: {
                principals: ["cluster.local/ns/shop/sa/batch", "cluster.local/ns/frontend/sa/web"],
              },
            },
          ],
          to: [{ operation: { methods: ["GET", "POST"], paths: ["/api/*"], ports: ["8080"] } }],
          when: [{ key: "request.auth.claims[groups]", values: ["functions", "admins"] }],
        },
        {
          from: [{ source: { namespaces: ["monitoring"] } }],
          to: [{ operation: { paths: ["/metrics"] } }],
        },
      ],
    });
    assert.deepEqual(spec(T.ap, "shop/orders-deny"), {
      selector,
      action: "DENY",
      rules: [
        {
          from: [{ source: { requestPrincipals: ["*"] } }],
          to: [{ operation: { paths: ["/admin/*"] } }],
        },
      ],
    });
    assert.deepEqual(spec(T.ra, "shop/orders"), {
      selector,
      jwtRules: [
        {
          issuer: "https://auth.example.com",
          jwksUri: "https://auth.example.com/jwks.json",
          audiences: ["orders"],
        },
      ],
    });
    assert.deepEqual(meta(T.ap, "shop/orders").labels, labels("orders", "access"));
    const allow = h.get(T.ap, "shop/orders");
    assert.equal(parent(allow), "mesh-serverless:service:ServiceAccess::orders");
    // Claims are only checked once the token is validated: policies wait for the RequestAuthentication.
    assert.deepEqual(h.dependencies(allow), [RELEASE, `${T.ra}::shop/orders`].sort());
    assert.deepEqual(
      h.dependencies(h.get(T.ap, "shop/orders-deny")),
      [RELEASE, `${T.ra}::shop/orders`].sort(),
    );
    assert.deepEqual(h.dependencies(h.get(T.ra, "shop/orders")), [RELEASE]);
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  it("an empty allow list emits an ALLOW policy without rules (denies everything)", async () => {
    new ServiceAccess("locked", {
      allow: [],
      selector: { app: "locked", tier: "db" },
      policyName: "locked-down",
    });
    await h.settled();
    assert.deepEqual(spec(T.ap, "default/locked-down"), {
      selector: { matchLabels: { app: "locked", tier: "db" } },
      action: "ALLOW",
    });
    assert.deepEqual(h.names(T.ra), []);
  });

  describe("rejects bad input at construction", () => {
    const cases: [string, () => unknown, string, ...string[]][] = [
      [
        "a JWT claim condition without an issuer",
        () =>
          new ServiceAccess("a", {
            allow: [{ when: [{ key: "request.auth.claims[groups]", values: ["x"] }] }],
          }),
        "allow[0].when[0].key",
        "RequestAuthentication",
        "jwt",
      ],
      [
        "requestPrincipals without an issuer",
        () => new ServiceAccess("a", { allow: [{ requestPrincipals: ["*"] }] }),
        "allow[0].requestPrincipals[0]",
        "jwt",
      ],
      [
        "an unknown condition key",
        () =>
          new ServiceAccess("a", { allow: [{ when: [{ key: "request.body", values: ["x"] }] }] }),
        "allow[0].when[0].key",
        "supported condition key",
      ],
      [
        "a condition without values",
        () => new ServiceAccess("a", { allow: [{ when: [{ key: "source.namespace" }] }] }),
        "allow[0].when[0].values",
        "values or notValues",
      ],
      [
        "a wildcard inside a path",
        () => new ServiceAccess("a", { allow: [{ paths: ["/api/*/x"] }] }),
        "allow[0].paths[0]",
        "'*' only",
      ],
      [
        "a lowercase method",
        () => new ServiceAccess("a", { allow: [{ methods: ["get"] }] }),
        "allow[0].methods[0]",
        "GET",
      ],
      [
        "a malformed service account",
        () => new ServiceAccess("a", { allow: [{ serviceAccounts: ["web"] }] }),
        "allow[0].serviceAccounts[0]",
        "<namespace>/<service account>",
      ],
      [
        "an empty rule",
        () => new ServiceAccess("a", { allow: [{}] }),
        "allow[0]",
        "matches every request",
      ],
      [
        "a port out of range",
        () => new ServiceAccess("a", { allow: [{ ports: [0] }] }),
        "allow[0].ports[0]",
        "1 to 65535",
      ],
      [
        "an issuer twice",
        () => new ServiceAccess("a", { jwt: [{ issuer: "x" }, { issuer: "x" }] }),
        "jwt",
        "unique",
      ],
      [
        "jwks and jwksUri together",
        () =>
          new ServiceAccess("a", { jwt: [{ issuer: "x", jwks: "{}", jwksUri: "https://x/jwks" }] }),
        "jwt[0].jwks",
        "not both",
      ],
      [
        "an empty selector",
        () => new ServiceAccess("a", { allow: [], selector: {} }),
        "selector",
        "whole namespace",
      ],
      ["nothing to create", () => new ServiceAccess("a", {}), "allow", "nothing would be created"],
    ];
    for (const [what, build, arg, ...mentions] of cases)
      it(what, () => h.expectInvalid(build, arg, ...mentions));

    // Istio's negative matchers and fields, validated as istio/istio pkg/config/security does.
    const negative: [string, Record<string, unknown>, string, string][] = [
      [
        "an IP block that is no address or CIDR",
        { deny: [{ notIpBlocks: ["10.0.0.0/33"] }] },
        "deny[0].notIpBlocks[0]",
        "CIDR",
      ],
      [
        "an empty host (Istio rejects empty values)",
        { allow: [{ notHosts: [""] }] },
        "allow[0].notHosts[0]",
        "must not be empty",
      ],
      [
        "a notPaths template with {**} before another operator",
        { deny: [{ notPaths: ["/a/{**}/{*}"] }] },
        "deny[0].notPaths[0]",
        "path template",
      ],
      [
        "an unknown notMethod",
        { allow: [{ notMethods: ["FETCH"] }] },
        "allow[0].notMethods[0]",
        "must be one of",
      ],
      [
        "a notPort out of range",
        { allow: [{ notPorts: [70000] }] },
        "allow[0].notPorts[0]",
        "1 to 65535",
      ],
    ];
    for (const [what, args, arg, mention] of negative)
      it(what, () => h.expectInvalid(() => new ServiceAccess("a", args), arg, mention));
  });

  it("GIVEN Istio's negative matchers THEN they keep their meaning (not inverted)", async () => {
    // Istio's "require JWT on /headers" task: DENY requests without a token to /headers.
    new ServiceAccess("httpbin", {
      deny: [{ notRequestPrincipals: ["*"], paths: ["/headers"] }],
      allow: [
        {
          notPrincipals: ["cluster.local/ns/shop/sa/batch"],
          notNamespaces: ["sandbox"],
          ipBlocks: ["10.0.0.0/8", "fd00::/8"],
          notIpBlocks: ["10.1.2.3"],
          remoteIpBlocks: ["203.0.113.0/24"],
          notRemoteIpBlocks: ["203.0.113.7"],
          hosts: ["api.example.com"],
          notHosts: ["*.internal"],
          notMethods: ["DELETE"],
          notPaths: ["/admin/{**}"],
          notPorts: [9090],
        },
      ],
    });
    await h.settled();
    assert.deepEqual((spec(T.ap, "default/httpbin-deny") as { rules: unknown }).rules, [
      {
        from: [{ source: { notRequestPrincipals: ["*"] } }],
        to: [{ operation: { paths: ["/headers"] } }],
      },
    ]);
    assert.deepEqual((spec(T.ap, "default/httpbin") as { rules: unknown }).rules, [
      {
        from: [
          {
            source: {
              notPrincipals: ["cluster.local/ns/shop/sa/batch"],
              notNamespaces: ["sandbox"],
              ipBlocks: ["10.0.0.0/8", "fd00::/8"],
              notIpBlocks: ["10.1.2.3"],
              remoteIpBlocks: ["203.0.113.0/24"],
              notRemoteIpBlocks: ["203.0.113.7"],
            },
          },
        ],
        to: [
          {
            operation: {
              hosts: ["api.example.com"],
              notHosts: ["*.internal"],
              notMethods: ["DELETE"],
              notPaths: ["/admin/{**}"],
              notPorts: ["9090"],
            },
          },
        ],
      },
    ]);
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  it("GIVEN audit and custom THEN emits AUDIT and CUSTOM policies as Istio's ext-authz task writes them", async () => {
    // https://istio.io/latest/docs/tasks/security/authorization/authz-custom/
    const release = new FakeRelease("istio-base");
    const access = new ServiceAccess("httpbin", {
      namespace: "foo",
      mesh: { dependsOn: [release], extensionProviders: ["jaeger", "sample-ext-authz-grpc"] },
      custom: {
        provider: { name: "sample-ext-authz-grpc" },
        rules: [{ paths: ["/headers"], when: [{ key: "request.headers[x-ext]", values: ["1"] }] }],
      },
      audit: [{ methods: ["DELETE"], remoteIpBlocks: ["203.0.113.0/24"] }],
    });
    await h.settled();
    const selector = { matchLabels: { app: "httpbin" } };
    assert.deepEqual(spec(T.ap, "foo/httpbin-custom"), {
      selector,
      action: "CUSTOM",
      provider: { name: "sample-ext-authz-grpc" },
      rules: [
        {
          to: [{ operation: { paths: ["/headers"] } }],
          when: [{ key: "request.headers[x-ext]", values: ["1"] }],
        },
      ],
    });
    assert.deepEqual(spec(T.ap, "foo/httpbin-audit"), {
      selector,
      action: "AUDIT",
      rules: [
        {
          from: [{ source: { remoteIpBlocks: ["203.0.113.0/24"] } }],
          to: [{ operation: { methods: ["DELETE"] } }],
        },
      ],
    });
    assert.deepEqual(h.names(T.ap), ["foo/httpbin-audit", "foo/httpbin-custom"]);
    assert.deepEqual(h.names(T.ra), []);
    for (const n of ["foo/httpbin-audit", "foo/httpbin-custom"]) {
      assert.equal(parent(h.get(T.ap, n)), "mesh-serverless:service:ServiceAccess::httpbin");
      assert.deepEqual(h.dependencies(h.get(T.ap, n)), [RELEASE]);
    }
    assert.equal(access.authorizationPolicy, undefined);
    assert.ok(access.customPolicy && access.auditPolicy);
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  it("GIVEN custom without rules THEN every request goes to the provider (Istio's empty rule), any name when providers are unknown", async () => {
    new ServiceAccess("api", {
      custom: { provider: { name: "opa" } },
      customPolicyName: "api-ext-authz",
    });
    await h.settled();
    assert.deepEqual(spec(T.ap, "default/api-ext-authz"), {
      selector: { matchLabels: { app: "api" } },
      action: "CUSTOM",
      provider: { name: "opa" },
      rules: [{}],
    });
  });

  describe("rejects AUDIT and CUSTOM input Istio rejects (istio/istio pkg/config/validation/validation.go ValidateAuthorizationPolicy)", () => {
    const custom = (rule: Record<string, unknown>) => ({
      custom: { provider: { name: "ext" }, rules: [rule] },
    });
    const cases: [string, Record<string, unknown>, string, string][] = [
      [
        "a provider the mesh does not declare",
        { mesh: { extensionProviders: ["ext"] }, custom: { provider: { name: "opa" } } },
        "custom.provider.name",
        'must be one of "ext"',
      ],
      [
        "a provider when the mesh declares none",
        { mesh: { extensionProviders: [] }, custom: { provider: { name: "opa" } } },
        "custom.provider.name",
        "must be one of",
      ],
      [
        "an empty provider name",
        { custom: { provider: { name: "" } } },
        "custom.provider.name",
        "a provider name",
      ],
      [
        "custom rules [] (never triggers)",
        { custom: { provider: { name: "ext" }, rules: [] } },
        "custom.rules",
        "leave rules unset",
      ],
      ...(
        [
          ["principals", "cluster.local/ns/a/sa/b"],
          ["notPrincipals", "*"],
          ["serviceAccounts", "a/b"],
          ["namespaces", "a"],
          ["notNamespaces", "a"],
          ["requestPrincipals", "*"],
          ["notRequestPrincipals", "*"],
        ] as const
      ).map(([field, v]): [string, Record<string, unknown>, string, string] => [
        `${field} with CUSTOM`,
        custom({ [field]: [v] }),
        `custom.rules[0].${field}`,
        "not supported with CUSTOM",
      ]),
      ...[
        "source.namespace",
        "source.serviceAccount",
        "source.principal",
        "request.auth.claims[iss]",
      ].map((key): [string, Record<string, unknown>, string, string] => [
        `condition ${key} with CUSTOM`,
        custom({ when: [{ key, values: ["x"] }] }),
        "custom.rules[0].when[0].key",
        "not supported with CUSTOM",
      ]),
      [
        "a bad path in a custom rule",
        custom({ paths: ["/a/*/b"] }),
        "custom.rules[0].paths[0]",
        "'*' only",
      ],
      ["an empty custom rule", custom({}), "custom.rules[0]", "matches every request"],
      ["an empty audit rule", { audit: [{}] }, "audit[0]", "matches every request"],
      [
        "an audit IP block that is no CIDR",
        { audit: [{ ipBlocks: ["10.0.0.0/40"] }] },
        "audit[0].ipBlocks[0]",
        "CIDR",
      ],
      [
        "a bad audit policy name",
        { audit: [{ paths: ["/x"] }], auditPolicyName: "A_B" },
        "auditPolicyName",
        "DNS-1123",
      ],
      [
        "a bad custom policy name",
        { custom: { provider: { name: "e" } }, customPolicyName: "-x" },
        "customPolicyName",
        "DNS-1123",
      ],
      [
        "a provider without name (schema)",
        { custom: { provider: {} } },
        "custom.provider.name",
        "required",
      ],
      [
        "an unknown provider key (schema)",
        { custom: { provider: { name: "e", nme: "e" } } },
        "custom.provider.nme",
        "name",
      ],
      ["an empty audit list alone", { audit: [] }, "allow", "nothing would be created"],
    ];
    for (const [what, args, arg, mention] of cases)
      it(what, () => h.expectInvalid(() => new ServiceAccess("a", args), arg, mention));
  });

  it("property: policy paths allow '*' only whole, as prefix or as suffix", () => {
    const seg = fc.stringMatching(/^[a-z0-9/_-]{1,12}$/);
    fc.assert(
      fc.property(
        seg,
        (s) => isPolicyPath(`/${s}`) && isPolicyPath(`/${s}*`) && isPolicyPath(`*${s}`),
      ),
    );
    fc.assert(
      fc.property(seg, seg, (a, b) => !isPolicyPath(`/${a}*${b}`) && !isPolicyPath(`*/${a}*`)),
    );
    assert.equal(isPolicyPath("*"), true);
    assert.equal(isPolicyPath("api"), false);
  });

  it("accepts Istio path templates as CheckValidPathTemplate does (istio/istio pkg/config/security)", () => {
    for (const ok of ["/api/{*}/users", "/api/{**}", "/{*}/{*}/x", "/a/{**}/b.json", "/v1/{*}"])
      assert.equal(isPolicyPath(ok), true, ok);
    // {**} must be the last template operator; literals are pchar; no other braces or '*'.
    for (const bad of [
      "/api/{**}/{*}",
      "/{**}/{**}",
      "/api/{*}/x*",
      "/api/{id}/{*}",
      "api/{*}",
      "/a//{*}",
    ])
      assert.equal(isPolicyPath(bad), false, bad);
  });
});

describe("kubernetes/service MeshServiceEntry", () => {
  beforeEach(() => h.reset());

  it("emits a ServiceEntry; wildcard hosts default to resolution NONE", async () => {
    new MeshServiceEntry("openfaas-functions", {
      namespace: "openfaas",
      hosts: ["*.openfaas-fn.svc.cluster.local"],
      location: "MESH_INTERNAL",
      ports: [{ number: 8080, name: "http", protocol: "HTTP" }],
    });
    new MeshServiceEntry("payments-api", {
      hosts: ["api.payments.example.com"],
      ports: [{ number: 443, protocol: "HTTPS" }],
      exportTo: ["."],
    });
    await h.settled();
    assert.deepEqual(spec(T.se, "openfaas/openfaas-functions"), {
      hosts: ["*.openfaas-fn.svc.cluster.local"],
      location: "MESH_INTERNAL",
      ports: [{ number: 8080, name: "http", protocol: "HTTP" }],
      resolution: "NONE",
    });
    assert.deepEqual(spec(T.se, "default/payments-api"), {
      hosts: ["api.payments.example.com"],
      location: "MESH_EXTERNAL",
      ports: [{ number: 443, name: "https-443", protocol: "HTTPS" }],
      resolution: "DNS",
      exportTo: ["."],
    });
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  it("rejects DNS resolution of a wildcard host without endpoints, as istiod does", () =>
    h.expectInvalid(
      () =>
        new MeshServiceEntry("x", {
          hosts: ["*.fn.svc.cluster.local"],
          ports: [{ number: 8080 }],
          resolution: "DNS",
        }),
      "resolution",
      "wildcard",
      "NONE",
    ));
  it("rejects STATIC without endpoints, bad ports and empty hosts", async () => {
    await h.expectInvalid(
      () =>
        new MeshServiceEntry("x", {
          hosts: ["a.b"],
          ports: [{ number: 80 }],
          resolution: "STATIC",
        }),
      "endpoints",
      "STATIC",
    );
    await h.expectInvalid(
      () => new MeshServiceEntry("x", { hosts: ["a.b"], ports: [{ number: 0 }] }),
      "ports[0].number",
      "1 to 65535",
    );
    await h.expectInvalid(
      () => new MeshServiceEntry("x", { hosts: [], ports: [{ number: 80 }] }),
      "hosts",
      "at least one host",
    );
    await h.expectInvalid(
      () =>
        new MeshServiceEntry("x", {
          hosts: ["a.b"],
          ports: [{ number: 80, protocol: "UDP" as "TCP" }],
        }),
      "ports[0].protocol",
      "UDP",
    );
  });
  // istio pkg/config/validation (ServiceEntry): STATIC endpoints are IPs, DNS ones FQDNs or IPs.
  it("rejects a STATIC endpoint that is not an IP and a DNS endpoint that is not a host", async () => {
    const entry = (resolution: "STATIC" | "DNS", address: string) => () =>
      new MeshServiceEntry("x", {
        hosts: ["a.b"],
        ports: [{ number: 80 }],
        resolution,
        endpoints: [{ address: "10.0.0.1" }, { address }],
      });
    for (const bad of ["not-an-ip", "300.1.1.1", "10.0.0.0/8"])
      await h.expectInvalid(entry("STATIC", bad), "endpoints[1].address", `"${bad}"`, "IPv4/IPv6");
    await h.expectInvalid(entry("DNS", "Not A Host"), "endpoints[1].address", "FQDN");
  });
  it("accepts STATIC IPv4, IPv6 and unix sockets, DNS host names", async () => {
    new MeshServiceEntry("s", {
      hosts: ["s.example.com"],
      ports: [{ number: 80 }],
      resolution: "STATIC",
      endpoints: [
        { address: "10.0.0.1" },
        { address: "2001:db8::1" },
        { address: "unix:///var/run/s.sock" },
      ],
    });
    new MeshServiceEntry("d", {
      hosts: ["d.example.com"],
      ports: [{ number: 80 }],
      resolution: "DNS",
      endpoints: [{ address: "backend.example.com" }, { address: "192.0.2.7" }],
    });
    await h.settled();
    assert.deepEqual(
      (spec(T.se, "default/s") as { endpoints: { address: string }[] }).endpoints.map(
        (e) => e.address,
      ),
      ["10.0.0.1", "2001:db8::1", "unix:///var/run/s.sock"],
    );
    assert.deepEqual(
      (spec(T.se, "default/d") as { endpoints: { address: string }[] }).endpoints.map(
        (e) => e.address,
      ),
      ["backend.example.com", "192.0.2.7"],
    );
  });
});
