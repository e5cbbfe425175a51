import { strict as assert } from "assert";
import * as h from "../../harness";
import {
  OpenFaasFunction,
  OpenFaasFunctionArgs,
  scaleLabels,
} from "../../../components/kubernetes/service/openfaas-function";
import { MeshNamespace } from "../../../components/kubernetes/service/mesh-namespace";
import { FakeRelease, labels, parent, spec, T } from "./helpers";
import { functionProblems, skipWithoutCrd } from "./openfaas-crd";

const FN = "kubernetes:openfaas.com/v1:Function";
const IMAGE = "ghcr.io/acme/image-processor:1.2.0";
const COMPONENT = "mesh-serverless:service:OpenFaasFunction::image-processor";
const GATEWAY = "cluster.local/ns/openfaas/sa/openfaas-operator";

/** Every Function recorded so far, checked against the Function CRD's schema. */
function crdProblems(): string[] {
  return h.resources(FN).flatMap((r) => functionProblems(r.inputs).map((p) => `${r.name}: ${p}`));
}

describe("kubernetes/service OpenFaasFunction", () => {
  before(function () {
    skipWithoutCrd(this);
  });
  beforeEach(() => h.reset());

  it("GIVEN a function with every field THEN one Function after the OpenFaaS release, its mesh parts after the mesh", async () => {
    const istio = new FakeRelease("istio-base");
    const openfaas = new FakeRelease("openfaas");
    const fn = new OpenFaasFunction("image-processor", {
      mesh: {
        dependsOn: [istio],
        gateway: "istio-ingress/public",
        openfaas: { dependsOn: [openfaas] },
      },
      image: IMAGE,
      env: { write_debug: "true" },
      secrets: ["s3-credentials"],
      scale: {
        min: 1,
        max: 20,
        zero: true,
        zeroDuration: "15m",
        type: "capacity",
        target: 10,
        targetProportion: 0.8,
      },
      labels: { team: "media" },
      annotations: { "example.com/owner": "media" },
      metrics: { port: 8081 },
      limits: { cpu: "1", memory: "512Mi" },
      requests: { cpu: "100m", memory: "128Mi" },
      constraints: ["kubernetes.io/arch=arm64"],
      access: { allow: [{ namespaces: ["web"], methods: ["POST"] }] },
      traffic: { policy: { outlierDetection: { consecutive5xxErrors: 5 } } },
      ingress: { hosts: ["images.example.com"], paths: ["/resize"] },
      monitor: { kind: "PodMonitor", port: "http" },
    });
    await h.settled();
    assert.deepEqual(h.countByType(), {
      "mesh-serverless:service:OpenFaasFunction": 1,
      "kubernetes:helm.sh/v3:Release": 2,
      [FN]: 1,
      [T.dr]: 1,
      [T.vs]: 1,
      [T.ap]: 1,
      [T.pm]: 1,
    });
    const f = h.get(FN, "openfaas-fn/image-processor");
    assert.deepEqual(f.inputs.metadata, {
      name: "image-processor",
      namespace: "openfaas-fn",
      labels: labels("image-processor", "openfaas-function"),
    });
    assert.deepEqual(f.inputs.spec, {
      name: "image-processor",
      image: IMAGE,
      environment: { write_debug: "true" },
      secrets: ["s3-credentials"],
      labels: {
        team: "media",
        "com.openfaas.scale.min": "1",
        "com.openfaas.scale.max": "20",
        "com.openfaas.scale.zero": "true",
        "com.openfaas.scale.zero-duration": "15m",
        "com.openfaas.scale.type": "capacity",
        "com.openfaas.scale.target": "10",
        "com.openfaas.scale.target-proportion": "0.8",
      },
      annotations: {
        "example.com/owner": "media",
        "prometheus.io.scrape": "true",
        "prometheus.io/port": "8081",
        "prometheus.io/path": "/metrics",
      },
      limits: { cpu: "1", memory: "512Mi" },
      requests: { cpu: "100m", memory: "128Mi" },
      readOnlyRootFilesystem: true,
      constraints: ["kubernetes.io/arch=arm64"],
    });
    // CRD before CR: the Function waits for the release that installs its CRD and operator.
    assert.deepEqual(h.dependencies(f), [
      "kubernetes:helm.sh/v3:Release::istio-base",
      "kubernetes:helm.sh/v3:Release::openfaas",
    ]);
    for (const r of h
      .resources()
      .filter(
        (r) => r.type.startsWith("kubernetes:") && r.type !== "kubernetes:helm.sh/v3:Release",
      ))
      assert.equal(parent(r), COMPONENT, r.name);
    for (const type of [T.dr, T.vs, T.ap, T.pm])
      assert.deepEqual(h.dependencies(h.resources(type)[0]), [
        "kubernetes:helm.sh/v3:Release::istio-base",
      ]);
    // The gateway forwards the allowed callers' requests as itself, and probes /_/health.
    assert.deepEqual(spec(T.ap, "openfaas-fn/image-processor"), {
      action: "ALLOW",
      selector: { matchLabels: { faas_function: "image-processor" } },
      rules: [
        { from: [{ source: { namespaces: ["web"] } }], to: [{ operation: { methods: ["POST"] } }] },
        {
          from: [{ source: { principals: [GATEWAY] } }],
          to: [{ operation: { methods: ["POST"] } }],
        },
        {
          from: [{ source: { principals: [GATEWAY] } }],
          to: [{ operation: { methods: ["GET"], paths: ["/_/health"] } }],
        },
      ],
    });
    assert.deepEqual(spec(T.dr, "openfaas-fn/image-processor"), {
      host: "image-processor.openfaas-fn.svc.cluster.local",
      trafficPolicy: { outlierDetection: { consecutive5xxErrors: 5 } },
    });
    // The operator's Service listens on 8080.
    assert.deepEqual(spec(T.vs, "openfaas-fn/image-processor-ingress-route"), {
      gateways: ["istio-ingress/public"],
      hosts: ["images.example.com"],
      http: [
        {
          match: [{ uri: { prefix: "/resize" } }],
          route: [
            {
              destination: {
                host: "image-processor.openfaas-fn.svc.cluster.local",
                port: { number: 8080 },
              },
            },
          ],
        },
      ],
    });
    assert.deepEqual(spec(T.pm, "openfaas-fn/image-processor"), {
      podMetricsEndpoints: [{ interval: "30s", path: "/metrics", port: "http" }],
      selector: { matchLabels: { faas_function: "image-processor" } },
    });
    assert.equal(await h.resolve(fn.host), "image-processor.openfaas-fn.svc.cluster.local");
    assert.deepEqual(crdProblems(), []);
    // Function has no published model: the render reports it unvalidated, everything else valid.
    assert.deepEqual(await h.expectValidManifests(), ["openfaas.com/v1 Function"]);
  });

  it("GIVEN the platform's OpenFaaS info and a MeshNamespace THEN the function goes there, after the namespace and the release", async () => {
    const openfaas = new FakeRelease("openfaas");
    const ns = new MeshNamespace("functions", {});
    new OpenFaasFunction("resize", {
      namespace: ns,
      mesh: {
        openfaas: {
          namespace: "faas",
          functionNamespace: "functions",
          release: "of",
          dependsOn: [openfaas],
        },
      },
      image: IMAGE,
      readOnlyRootFilesystem: false,
      access: { allow: [{ serviceAccounts: ["web/frontend"] }] },
    });
    await h.settled();
    const f = h.get(FN, "functions/resize");
    assert.deepEqual(f.inputs.spec, {
      name: "resize",
      image: IMAGE,
      readOnlyRootFilesystem: false,
    });
    assert.deepEqual(h.dependencies(f), [
      // A MeshNamespace hands out its Namespace and its mTLS policy as what to wait for.
      "kubernetes:core/v1:Namespace::functions",
      "kubernetes:helm.sh/v3:Release::openfaas",
      "kubernetes:security.istio.io/v1:PeerAuthentication::functions/default",
    ]);
    const gateway = "cluster.local/ns/faas/sa/of-operator";
    assert.deepEqual((spec(T.ap, "functions/resize") as { rules: unknown[] }).rules.slice(1), [
      { from: [{ source: { principals: [gateway] } }] },
      {
        from: [{ source: { principals: [gateway] } }],
        to: [{ operation: { methods: ["GET"], paths: ["/_/health"] } }],
      },
    ]);
    assert.deepEqual(crdProblems(), []);
  });

  it("the CRD check catches what the API server would prune or reject", () => {
    const base = { apiVersion: "openfaas.com/v1", kind: "Function", metadata: { name: "f" } };
    assert.deepEqual(functionProblems({ ...base, spec: { name: "f", image: "i" } }), []);
    assert.match(functionProblems({ ...base, spec: { name: "f" } }).join(), /image/);
    assert.match(
      functionProblems({ ...base, spec: { name: "f", image: "i", replicas: 2 } }).join(),
      /additional properties.*replicas/,
    );
    assert.match(
      functionProblems({ ...base, spec: { name: "f", image: "i", labels: { a: 1 } } }).join(),
      /labels\/a must be string/,
    );
  });

  it("scaleLabels writes nothing for unset bounds and strings for the rest", () => {
    assert.deepEqual(scaleLabels(undefined), {});
    assert.deepEqual(scaleLabels({}), {});
    assert.deepEqual(scaleLabels({ max: 5, zero: false }), {
      "com.openfaas.scale.max": "5",
      "com.openfaas.scale.zero": "false",
    });
  });

  const valid: OpenFaasFunctionArgs = { image: IMAGE };
  const cases: [string, Partial<OpenFaasFunctionArgs>, string, ...string[]][] = [
    [
      "Function resources on OpenFaaS CE",
      { mesh: { openfaas: { edition: "ce" } } },
      "mesh.openfaas.edition",
      "OpenFaaS operator",
      "openfaasPro",
      "CE runs only the legacy controller",
      "60-day",
      "OpenFaaS Pro/Standard",
    ],
    ["min above max", { scale: { min: 5, max: 2 } }, "scale.min", "must not exceed scale.max (2)"],
    ["min zero (scale.zero scales to zero)", { scale: { min: 0 } }, "scale.min", "from 1 to 1000"],
    ["max above 1000", { scale: { max: 1001 } }, "scale.max", "from 1 to 1000"],
    ["fractional min", { scale: { min: 1.5 } }, "scale.min", "integer"],
    [
      "zero-duration without zero",
      { scale: { zeroDuration: "15m" } },
      "scale.zeroDuration",
      "scale.zero: true",
    ],
    ["bad zero-duration", { scale: { zero: true, zeroDuration: "soon" } }, "scale.zeroDuration"],
    ["target 0", { scale: { target: 0 } }, "scale.target", "from 1 to 1000000"],
    [
      "target proportion above 1",
      { scale: { targetProportion: 1.5 } },
      "scale.targetProportion",
      "at most 1",
    ],
    [
      "a scale label by hand",
      { labels: { "com.openfaas.scale.max": "3" } },
      "labels.com.openfaas.scale.max",
      "`scale`",
    ],
    [
      "the operator's label",
      { labels: { faas_function: "x" } },
      "labels.faas_function",
      "OpenFaaS",
    ],
    ["bad label value", { labels: { team: "a b" } }, "labels.team", "label values"],
    [
      "metrics annotations by hand",
      { annotations: { "prometheus.io.port": "8081" } },
      "annotations.prometheus.io.port",
      "`metrics`",
    ],
    [
      "bad annotation key",
      { annotations: { "bad key": "v" } },
      "annotations.bad key",
      "label keys",
    ],
    ["metrics port 0", { metrics: { port: 0 } }, "metrics.port", "from 1 to 65535"],
    ["metrics path", { metrics: { port: 8081, path: "metrics" } }, "metrics.path", "'/'"],
    ["limits quantity", { limits: { memory: "lots" } }, "limits.memory", "quantity"],
    ["requests quantity", { requests: { cpu: "1 core" } }, "requests.cpu", "quantity"],
    ["secret name", { secrets: ["S3"] }, "secrets[0]", "DNS-1123"],
    ["duplicate secret", { secrets: ["a", "a"] }, "secrets", "unique"],
    ["env name", { env: { "1x": "v" } }, "env.1x", "env var names"],
    ["image with spaces", { image: "bad image" }, "image", "a container image reference"],
    ["constraint without =", { constraints: ["arm64"] }, "constraints[0]", '"key=value"'],
    ["namespace", { namespace: "Bad_NS" }, "namespace", "DNS-1123"],
    ["mesh namespaces", { mesh: { openfaas: { namespace: "OF" } } }, "mesh.openfaas.namespace"],
    ["ingress without a gateway", { ingress: { hosts: ["a.example.com"] } }, "ingress.gateway"],
    ["unknown key", { scale: { minimum: 1 } as never }, "scale.minimum", "known keys: min, max"],
  ];
  for (const [what, change, argument, ...mentions] of cases)
    it(`rejects ${what} (\`${argument}\`) before creating anything`, async () => {
      await h.expectInvalid(
        () => new OpenFaasFunction("image-processor", { ...valid, ...change } as never),
        argument,
        ...mentions,
      );
    });

  it("rejects a function name that is not a DNS label", async () => {
    await h.expectInvalid(() => new OpenFaasFunction("Image_Processor", valid), "name", "DNS-1123");
  });
});
