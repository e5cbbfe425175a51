import { strict as assert } from "assert";
import * as h from "../../harness";
import { MeshPlatform } from "../../../components/kubernetes/platform/platform";
import { IstioMesh } from "../../../components/kubernetes/platform/istio";
import { ServiceAccess } from "../../../components/kubernetes/service/service-access";
import type { IstioExtAuthzProvider } from "../../../components/kubernetes/platform/ext-authz";

const RELEASE = "kubernetes:helm.sh/v3:Release";

function meshConfig(resourceName: string): Record<string, unknown> {
  const values = h.get(RELEASE, resourceName).inputs.values as Record<string, unknown>;
  return values.meshConfig as Record<string, unknown>;
}

// Istio's ext-authz task: an HTTP server on 8000 and a gRPC one on 9000 in namespace foo.
// https://istio.io/latest/docs/tasks/security/authorization/authz-custom/
const HTTP: IstioExtAuthzProvider = {
  protocol: "http",
  service: "ext-authz.foo.svc.cluster.local",
  port: 8000,
  includeRequestHeadersInCheck: ["x-ext-authz"],
};
const GRPC: IstioExtAuthzProvider = {
  protocol: "grpc",
  service: "ext-authz.foo.svc.cluster.local",
  port: 9000,
};

describe("platform/ext-authz (meshConfig.extensionProviders for CUSTOM access rules)", () => {
  beforeEach(() => h.reset());

  it("GIVEN ext-authz providers THEN istiod lists them after the tracing provider and the mesh names them all", async () => {
    const p = new MeshPlatform("plat", {
      istio: {
        extAuthz: {
          "sample-ext-authz-http": { ...HTTP, timeout: "1m", statusOnError: "503" },
          "sample-ext-authz-grpc": {
            ...GRPC,
            failOpen: true,
            includeRequestBodyInCheck: { maxRequestBytes: 1024, packAsBytes: true },
          },
        },
      },
    });
    await h.settled();
    assert.deepEqual(meshConfig("plat-istio-istiod").extensionProviders, [
      {
        name: "jaeger",
        opentelemetry: { port: 4317, service: "jaeger.tracing.svc.cluster.local" },
      },
      {
        envoyExtAuthzGrpc: {
          failOpen: true,
          includeRequestBodyInCheck: { maxRequestBytes: 1024, packAsBytes: true },
          port: 9000,
          service: "ext-authz.foo.svc.cluster.local",
        },
        name: "sample-ext-authz-grpc",
      },
      {
        envoyExtAuthzHttp: {
          includeRequestHeadersInCheck: ["x-ext-authz"],
          port: 8000,
          service: "ext-authz.foo.svc.cluster.local",
          statusOnError: "503",
          // A protobuf Duration in JSON form (seconds), as istiod parses mesh config.
          timeout: "60s",
        },
        name: "sample-ext-authz-http",
      },
    ]);
    // Tracing stays the only default provider: ext-authz servers are chosen per policy.
    assert.deepEqual(meshConfig("plat-istio-istiod").defaultProviders, { tracing: ["jaeger"] });
    assert.deepEqual(p.mesh.extensionProviders, [
      "jaeger",
      "sample-ext-authz-grpc",
      "sample-ext-authz-http",
    ]);
  });

  it("GIVEN the platform's mesh THEN a CUSTOM rule naming a configured provider passes and an unknown one fails", async () => {
    const p = new MeshPlatform("plat", {
      jaeger: false,
      istio: { extAuthz: { "sample-ext-authz-http": HTTP } },
    });
    new ServiceAccess("httpbin", {
      namespace: "foo",
      mesh: p.mesh,
      custom: { provider: { name: "sample-ext-authz-http" } },
    });
    await h.settled();
    assert.equal(h.resources("kubernetes:security.istio.io/v1:AuthorizationPolicy").length, 1);
    await h.expectInvalid(
      () =>
        new ServiceAccess("orders", {
          namespace: "foo",
          mesh: p.mesh,
          custom: { provider: { name: "opa" } },
        }),
      "custom.provider.name",
      '"opa"',
      '"sample-ext-authz-http"',
    );
  });

  it("GIVEN no ext-authz THEN nothing is added and the mesh declares only tracing", async () => {
    const m = new IstioMesh("mesh", {});
    await h.settled();
    assert.equal(meshConfig("mesh-istiod").extensionProviders, undefined);
    assert.deepEqual(m.extensionProviders, []);
  });

  const bad: Array<[string, Partial<IstioExtAuthzProvider> | string, string, string]> = [
    ["bad name", "-authz", "istio.extAuthz.-authz", "letters, digits"],
    ["same name as tracing", "jaeger", "istio.extAuthz.jaeger", "must differ from the tracing"],
    ["short host", { service: "ext-authz" }, "istio.extAuthz.p.service", "fully qualified host"],
    [
      "bad namespace/host",
      { service: "Foo/ext.foo" },
      "istio.extAuthz.p.service",
      "namespace/host",
    ],
    ["port 0", { port: 0 }, "istio.extAuthz.p.port", "from 1 to 65535"],
    ["port too high", { port: 70000 }, "istio.extAuthz.p.port", "from 1 to 65535"],
    ["bad timeout", { timeout: "soon" }, "istio.extAuthz.p.timeout", "duration"],
    ["zero timeout", { timeout: "0s" }, "istio.extAuthz.p.timeout", "at least 1ms"],
    ["unknown status", { statusOnError: "299" }, "istio.extAuthz.p.statusOnError", "HTTP status"],
    [
      "status not a number",
      { statusOnError: "abc" },
      "istio.extAuthz.p.statusOnError",
      "HTTP status",
    ],
    [
      "relative pathPrefix",
      { pathPrefix: "check" },
      "istio.extAuthz.p.pathPrefix",
      'start with "/"',
    ],
    [
      "bad header",
      { headersToUpstreamOnAllow: ["x y"] },
      "istio.extAuthz.p.headersToUpstreamOnAllow[0]",
      "header name",
    ],
    [
      "grpc with pathPrefix",
      { protocol: "grpc", pathPrefix: "/c" },
      "istio.extAuthz.p.pathPrefix",
      '"http" only',
    ],
    [
      "http with packAsBytes",
      { includeRequestBodyInCheck: { packAsBytes: true } },
      "istio.extAuthz.p.includeRequestBodyInCheck.packAsBytes",
      '"grpc" only',
    ],
    [
      "maxRequestBytes 0",
      { includeRequestBodyInCheck: { maxRequestBytes: 0 } },
      "istio.extAuthz.p.includeRequestBodyInCheck.maxRequestBytes",
      "from 1",
    ],
  ];
  for (const [what, change, argument, mention] of bad) {
    it(`GIVEN ${what} THEN MeshPlatform fails at construction naming \`${argument}\``, async () => {
      const extAuthz =
        typeof change === "string" ? { [change]: HTTP } : { p: { ...HTTP, ...change } };
      await h.expectInvalid(
        () => new MeshPlatform("plat", { istio: { extAuthz } as never }),
        argument,
        mention,
      );
    });
  }

  it("accepts Istio's service spellings: FQDN, IP and namespace/host", async () => {
    for (const service of [
      "ext-authz.foo.svc.cluster.local",
      "10.0.0.7",
      "foo/ext-authz.foo.svc.cluster.local",
    ]) {
      await h.reset();
      const m = new IstioMesh("mesh", { extAuthz: { p: { ...GRPC, service } } });
      assert.deepEqual(m.extensionProviders, ["p"]);
    }
  });
});
