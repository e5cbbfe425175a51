import { strict as assert } from "assert";
import fc from "fast-check";
import * as h from "../../harness";
import {
  gatewaySelector,
  istiodValues,
  IstioMesh,
} from "../../../components/kubernetes/platform/istio";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const PEER = "kubernetes:security.istio.io/v1:PeerAuthentication";
const REPO = "https://blob.istio.io/istio-release/charts";

function release(name: string): Record<string, unknown> {
  return h.get(RELEASE, name).inputs;
}

describe("platform/IstioMesh", () => {
  beforeEach(() => h.reset());

  it("GIVEN defaults THEN installs base -> istiod -> gateway and a STRICT mesh-wide PeerAuthentication", async () => {
    const mesh = new IstioMesh("mesh");
    await h.settled();
    assert.deepEqual(h.countByType(), {
      "mesh-serverless:platform:IstioMesh": 1,
      [RELEASE]: 3,
      [PEER]: 1,
    });
    assert.deepEqual(release("mesh-base"), {
      chart: "base",
      compat: "true",
      createNamespace: true,
      name: "istio-base",
      namespace: "istio-system",
      repositoryOpts: { repo: REPO },
      values: {},
      version: "1.31.1",
    });
    const istiod = release("mesh-istiod");
    assert.equal(istiod.name, "istiod");
    assert.equal(istiod.chart, "istiod");
    assert.equal(istiod.version, "1.31.1");
    assert.equal(istiod.namespace, "istio-system");
    assert.equal(istiod.createNamespace, undefined);
    assert.deepEqual(istiod.repositoryOpts, { repo: REPO });
    assert.deepEqual(istiod.values, {
      global: { istioNamespace: "istio-system" },
      meshConfig: {
        accessLogEncoding: "TEXT",
        accessLogFile: "/dev/stdout",
        trustDomain: "cluster.local",
      },
    });
    const gateway = release("mesh-gateway");
    assert.equal(gateway.name, "istio-ingressgateway");
    assert.equal(gateway.chart, "gateway");
    assert.equal(gateway.namespace, "istio-system");
    assert.equal(gateway.createNamespace, undefined);
    assert.deepEqual(gateway.values, { service: { type: "LoadBalancer" } });

    assert.deepEqual(h.dependencies(h.get(RELEASE, "mesh-istiod")), [`${RELEASE}::mesh-base`]);
    assert.deepEqual(h.dependencies(h.get(RELEASE, "mesh-gateway")), [
      `${RELEASE}::mesh-base`,
      `${RELEASE}::mesh-istiod`,
    ]);
    const peer = h.get(PEER, "mesh-mtls");
    assert.deepEqual(h.dependencies(peer), [`${RELEASE}::mesh-base`, `${RELEASE}::mesh-istiod`]);
    assert.deepEqual(peer.inputs, {
      apiVersion: "security.istio.io/v1",
      kind: "PeerAuthentication",
      metadata: {
        name: "default",
        namespace: "istio-system",
        labels: {
          "app.kubernetes.io/managed-by": "pulumi",
          "app.kubernetes.io/name": "istio",
          "app.kubernetes.io/part-of": "mesh-serverless",
          "mesh-serverless/component": "mesh-mtls",
        },
      },
      spec: { mtls: { mode: "STRICT" } },
    });
    for (const r of h.resources().filter((r) => r.custom))
      assert.equal(h.parentOf(r)?.name, "mesh", r.name);
    assert.equal(mesh.dataPlane, "sidecar");
    assert.deepEqual(mesh.gatewaySelector, {
      app: "istio-ingressgateway",
      istio: "ingressgateway",
    });
    assert.deepEqual(mesh.dependsOn, [mesh.base, mesh.istiod]);
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  it("GIVEN profile ambient THEN adds the CNI (ambient) and ztunnel, in order", async () => {
    const mesh = new IstioMesh("amb", { profile: "ambient" });
    await h.settled();
    assert.deepEqual(h.names(RELEASE), [
      "amb-base",
      "amb-cni",
      "amb-gateway",
      "amb-istiod",
      "amb-ztunnel",
    ]);
    assert.deepEqual(release("amb-cni").values, { profile: "ambient" });
    assert.equal(release("amb-cni").name, "istio-cni");
    assert.equal(release("amb-cni").chart, "cni");
    assert.equal(release("amb-ztunnel").chart, "ztunnel");
    assert.deepEqual(release("amb-ztunnel").values, { istioNamespace: "istio-system" });
    assert.equal((release("amb-istiod").values as { profile: string }).profile, "ambient");
    assert.deepEqual(h.dependencies(h.get(RELEASE, "amb-cni")), [`${RELEASE}::amb-base`]);
    assert.deepEqual(h.dependencies(h.get(RELEASE, "amb-istiod")), [
      `${RELEASE}::amb-base`,
      `${RELEASE}::amb-cni`,
    ]);
    assert.deepEqual(h.dependencies(h.get(RELEASE, "amb-ztunnel")), [`${RELEASE}::amb-istiod`]);
    assert.deepEqual(h.dependencies(h.get(RELEASE, "amb-gateway")), [
      `${RELEASE}::amb-base`,
      `${RELEASE}::amb-istiod`,
      `${RELEASE}::amb-ztunnel`,
    ]);
    assert.equal(mesh.dataPlane, "ambient");
  });

  it("GIVEN revision, cni, tracing, gateway and overrides THEN istiod is revisioned beside the old one", async () => {
    const mesh = new IstioMesh("canary", {
      namespace: "mesh-root",
      version: "1.31.0",
      revision: "1-31-0",
      cni: true,
      gateway: { name: "edge-gateway", namespace: "ingress", serviceType: "NodePort" },
      accessLogFile: "",
      accessLogEncoding: "JSON",
      trustDomain: "prod.example.com",
      tracing: { name: "otel", service: "jaeger.tracing.svc.cluster.local", port: 4317 },
      mtls: "PERMISSIVE",
      registry: "registry.local:5000/mirror",
      values: {
        istiod: { resources: { requests: { cpu: "1" } } },
        gateway: { autoscaling: { enabled: false }, replicaCount: 2 },
      },
    });
    await h.settled();
    const istiod = release("canary-istiod");
    assert.equal(istiod.name, "istiod-1-31-0");
    assert.equal(istiod.version, "1.31.0");
    assert.equal(istiod.namespace, "mesh-root");
    assert.deepEqual(istiod.values, {
      global: { hub: "registry.local:5000/mirror/istio", istioNamespace: "mesh-root" },
      meshConfig: {
        accessLogEncoding: "JSON",
        accessLogFile: "",
        defaultProviders: { tracing: ["otel"] },
        enableTracing: true,
        extensionProviders: [
          {
            name: "otel",
            opentelemetry: { port: 4317, service: "jaeger.tracing.svc.cluster.local" },
          },
        ],
        trustDomain: "prod.example.com",
      },
      // The chart reads `cni` and `resources` at the top level (IstioOperator nests them in `pilot`).
      cni: { enabled: true },
      resources: { requests: { cpu: "1" } },
      revision: "1-31-0",
    });
    assert.deepEqual(release("canary-cni").values, {
      global: { hub: "registry.local:5000/mirror/istio" },
      revision: "1-31-0",
    });
    const gw = release("canary-gateway");
    assert.equal(gw.name, "edge-gateway");
    assert.equal(gw.namespace, "ingress");
    assert.equal(gw.createNamespace, true);
    assert.deepEqual(gw.values, {
      autoscaling: { enabled: false },
      replicaCount: 2,
      revision: "1-31-0",
      service: { type: "NodePort" },
    });
    const peer = h.get(PEER, "canary-mtls").inputs;
    assert.deepEqual(peer.spec, { mtls: { mode: "PERMISSIVE" } });
    assert.equal((peer.metadata as { namespace: string }).namespace, "mesh-root");
    for (const r of h.resources(RELEASE)) assert.equal(r.inputs.version, "1.31.0", r.name);
    assert.deepEqual(mesh.gatewaySelector, { app: "edge-gateway", istio: "edge-gateway" });
    assert.equal(mesh.revision, "1-31-0");
    assert.equal(mesh.tracingProvider, "otel");
    assert.equal(mesh.gatewayNamespace, "ingress");
  });

  it("GIVEN tracing THEN the provider is the mesh's default, so every proxy reports spans at the given rate", async () => {
    // Without defaultProviders (or a Telemetry selecting it) istiod gives proxies no tracer for
    // an extension provider: istio/istio pilot/pkg/model/telemetry.go `Tracing`.
    const collector = "otel-collector.observability.svc.cluster.local";
    new IstioMesh("plain");
    new IstioMesh("traced", {
      tracing: { name: "otel", service: collector, port: 4317, samplingPercentage: 12.5 },
    });
    await h.settled();
    const meshConfig = (name: string) =>
      (release(name).values as { meshConfig: Record<string, unknown> }).meshConfig;
    // No tracing: no provider and no sampling in the mesh config.
    assert.deepEqual(Object.keys(meshConfig("plain-istiod")), [
      "accessLogEncoding",
      "accessLogFile",
      "trustDomain",
    ]);
    assert.deepEqual(meshConfig("traced-istiod"), {
      ...meshConfig("plain-istiod"),
      defaultConfig: { tracing: { sampling: 12.5 } },
      defaultProviders: { tracing: ["otel"] },
      enableTracing: true,
      extensionProviders: [{ name: "otel", opentelemetry: { port: 4317, service: collector } }],
    });
  });

  it("GIVEN gateway false THEN installs no gateway", async () => {
    const mesh = new IstioMesh("nogw", { gateway: false });
    await h.settled();
    assert.deepEqual(h.names(RELEASE), ["nogw-base", "nogw-istiod"]);
    assert.equal(mesh.gatewaySelector, undefined);
  });

  it("ztunnel takes the registry as `hub`", async () => {
    new IstioMesh("z", { profile: "ambient", registry: "r.local", revision: "canary" });
    await h.settled();
    assert.deepEqual(release("z-ztunnel").values, {
      hub: "r.local/istio",
      istioNamespace: "istio-system",
      revision: "canary",
    });
  });

  it("rejects bad input naming the argument, the value and what is allowed", async () => {
    const cases: [object, string, string, string][] = [
      [{ profile: "minimal" }, "profile", '"minimal"', 'must be one of "default", "ambient"'],
      [{ revision: "1.31" }, "revision", '"1.31"', "DNS-1123 label"],
      [{ revision: "a".repeat(47) }, "revision", "a".repeat(47), "at most 46 characters"],
      [{ profile: "ambient", cni: false }, "cni", "false", "ambient mode needs the Istio CNI"],
      [{ version: "1.30" }, "version", '"1.30"', "exact semantic version"],
      [{ version: "latest" }, "version", '"latest"', "exact semantic version"],
      [{ namespace: "Istio" }, "namespace", '"Istio"', "DNS-1123 label"],
      [{ gateway: { name: "GW" } }, "gateway.name", '"GW"', "DNS-1123 label"],
      [
        { gateway: { serviceType: "Ingress" } },
        "gateway.serviceType",
        '"Ingress"',
        '"LoadBalancer", "NodePort", "ClusterIP"',
      ],
      [{ accessLogFile: "stdout" }, "accessLogFile", '"stdout"', "absolute path"],
      [{ accessLogEncoding: "XML" }, "accessLogEncoding", '"XML"', '"TEXT", "JSON"'],
      [{ trustDomain: "Bad_Domain" }, "trustDomain", '"Bad_Domain"', "DNS-1123 subdomain"],
      [{ mtls: "DISABLE" }, "mtls", '"DISABLE"', 'must be one of "STRICT", "PERMISSIVE"'],
      [
        { tracing: { name: "", service: "j.t", port: 4317 } },
        "tracing.name",
        '""',
        "provider name",
      ],
      [
        { tracing: { name: "x", service: "http://j", port: 4317 } },
        "tracing.service",
        "http://j",
        "DNS-1123 subdomain",
      ],
      [{ tracing: { name: "x", service: "j.t", port: 0 } }, "tracing.port", "0", "from 1 to 65535"],
      [
        { tracing: { name: "x", service: "j.t", port: 4317, samplingPercentage: 0 } },
        "tracing.samplingPercentage",
        "0",
        "from 0.01 to 100",
      ],
      [
        { tracing: { name: "x", service: "j.t", port: 4317, samplingPercentage: 100.5 } },
        "tracing.samplingPercentage",
        "100.5",
        "from 0.01 to 100",
      ],
      [
        { tracing: { name: "x", service: "j.t", port: 4317, samplingPercentage: 0.125 } },
        "tracing.samplingPercentage",
        "0.125",
        "at most two decimals",
      ],
      [{ registry: "https://r.io" }, "registry", "https://r.io", "image registry host"],
      [{ values: { istiod: [1] } }, "values.istiod", "[1]", "must be a mapping"],
    ];
    for (const [args, arg, value, allowed] of cases) {
      await h.expectInvalid(() => new IstioMesh("bad", args), arg, value, allowed);
    }
  });

  it("property: any revision that is a DNS-1123 label of <= 46 chars is accepted, others rejected", async () => {
    const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,44}[a-z0-9])?$/);
    fc.assert(
      fc.property(label, (rev) => {
        const v = istiodValues({
          namespace: "istio-system",
          profile: "default",
          revision: rev,
          cni: false,
          accessLogFile: "/dev/stdout",
          accessLogEncoding: "TEXT",
          trustDomain: "cluster.local",
        });
        assert.equal(v.revision, rev);
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[a-z0-9-]*[A-Z_.][a-z0-9-]*$/), async (rev) => {
        await h.reset();
        await h.expectInvalid(() => new IstioMesh("p", { revision: rev }), "revision");
      }),
      { numRuns: 15 },
    );
  });

  it("gatewaySelector mirrors the chart's selector labels", () => {
    assert.deepEqual(gatewaySelector("istio-ingressgateway"), {
      app: "istio-ingressgateway",
      istio: "ingressgateway",
    });
    assert.deepEqual(gatewaySelector("edge"), { app: "edge", istio: "edge" });
  });
});
