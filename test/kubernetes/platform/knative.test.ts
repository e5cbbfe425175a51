import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import fc from "fast-check";
import * as h from "../../harness";
import { KnativeServing, knativeConfig } from "../../../components/kubernetes/platform/knative";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const KS = "kubernetes:operator.knative.dev/v1beta1:KnativeServing";
const SELECTOR = { app: "istio-ingressgateway", istio: "ingressgateway" };

/** A stand-in for Istio's releases (what the CR must wait for). */
function istioStandIn(): pulumi.Resource[] {
  return [new k8s.helm.v3.Release("istiod", { chart: "istiod", name: "istiod" })];
}

describe("platform/KnativeServing", () => {
  beforeEach(() => h.reset());

  it("GIVEN defaults THEN installs the operator chart, the namespace and a KnativeServing on Istio", async () => {
    const ks = new KnativeServing("kn", {
      istio: { gatewaySelector: SELECTOR, dependsOn: istioStandIn() },
    });
    await h.settled();
    assert.deepEqual(h.countByType(), {
      [RELEASE]: 2,
      "mesh-serverless:platform:KnativeServing": 1,
      "kubernetes:core/v1:Namespace": 1,
      [KS]: 1,
      "kubernetes:security.istio.io/v1:PeerAuthentication": 1,
    });
    // Knative's documented mTLS setup: the API server calls the webhooks here without mTLS.
    const pa = h.get("kubernetes:security.istio.io/v1:PeerAuthentication", "kn-mtls");
    assert.deepEqual(pa.inputs.spec, { mtls: { mode: "PERMISSIVE" } });
    assert.deepEqual((pa.inputs.metadata as { namespace: string }).namespace, "knative-serving");
    assert.deepEqual(h.dependencies(pa), [
      "kubernetes:core/v1:Namespace::kn-namespace",
      "kubernetes:helm.sh/v3:Release::istiod",
    ]);
    assert.deepEqual(h.get(RELEASE, "kn-operator").inputs, {
      chart: "knative-operator",
      compat: "true",
      createNamespace: true,
      name: "knative-operator",
      namespace: "knative-operator",
      repositoryOpts: { repo: "https://knative.github.io/operator" },
      values: {},
      version: "v1.23.0",
    });
    const cr = h.get(KS, "kn-serving");
    assert.deepEqual(h.dependencies(cr), [
      "kubernetes:core/v1:Namespace::kn-namespace",
      `${RELEASE}::istiod`,
      `${RELEASE}::kn-operator`,
    ]);
    assert.equal(h.parentOf(cr)?.name, "kn");
    assert.deepEqual(
      (cr.inputs.metadata as { name: string; namespace: string }).name,
      "knative-serving",
    );
    assert.deepEqual((cr.inputs.metadata as { namespace: string }).namespace, "knative-serving");
    assert.deepEqual(cr.inputs.spec, {
      config: {
        autoscaler: { "enable-scale-to-zero": "true" },
        network: { "ingress-class": "istio.ingress.networking.knative.dev" },
      },
      ingress: {
        istio: {
          enabled: true,
          "knative-ingress-gateway": { selector: SELECTOR },
          "knative-local-gateway": { selector: SELECTOR },
        },
      },
      version: "1.23.0",
    });
    assert.equal(ks.gateway, "knative-serving/knative-ingress-gateway");
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  it("GIVEN a typed config THEN spec.config carries domain, autoscaler, features, gateway service", async () => {
    new KnativeServing("kn", {
      namespace: "serving",
      operatorNamespace: "ops",
      version: "1.22.3",
      servingVersion: "1.22.3",
      domain: "apps.example.com",
      autoscaler: {
        scaleToZero: false,
        scaleToZeroGracePeriod: "45s",
        stableWindow: "2m",
        target: 50,
        targetUtilizationPercentage: 80,
        initialScale: 0,
        allowZeroInitialScale: true,
        maxScale: 20,
      },
      features: { "kubernetes.podspec-fieldref": "enabled", "multi-container": "allowed" },
      istio: {
        gatewaySelector: { app: "edge", istio: "edge" },
        gatewayService: "edge.ingress.svc.cluster.local",
        dependsOn: [],
      },
      registry: "registry.local/mirror",
      values: { knative_operator: { knative_operator: { tag: "v1.22.3" } } },
    });
    await h.settled();
    const op = h.get(RELEASE, "kn-operator").inputs;
    assert.equal(op.version, "1.22.3");
    assert.equal(op.namespace, "ops");
    assert.deepEqual(op.values, {
      knative_operator: {
        knative_operator: {
          image: "registry.local/mirror/knative-releases/knative.dev/operator/cmd/operator",
          tag: "v1.22.3",
        },
        operator_webhook: {
          image: "registry.local/mirror/knative-releases/knative.dev/operator/cmd/webhook",
        },
      },
    });
    const spec = h.get(KS, "kn-serving").inputs.spec as Record<string, unknown>;
    assert.deepEqual(spec.config, {
      autoscaler: {
        "allow-zero-initial-scale": "true",
        "container-concurrency-target-default": "50",
        "container-concurrency-target-percentage": "80",
        "enable-scale-to-zero": "false",
        "initial-scale": "0",
        "max-scale": "20",
        "scale-to-zero-grace-period": "45s",
        "stable-window": "2m",
      },
      domain: { "apps.example.com": "" },
      features: { "kubernetes.podspec-fieldref": "enabled", "multi-container": "allowed" },
      istio: {
        "external-gateways":
          "- name: knative-ingress-gateway\n  namespace: serving\n  service: edge.ingress.svc.cluster.local\n",
      },
      network: { "ingress-class": "istio.ingress.networking.knative.dev" },
    });
    assert.deepEqual(spec.registry, {
      default: "registry.local/mirror/knative-releases/${NAME}:v1.22.3",
    });
    assert.equal(spec.version, "1.22.3");
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  it("rejects bad input naming the argument, the value and what is allowed", async () => {
    const istio = { gatewaySelector: SELECTOR, dependsOn: [] };
    const cases: [object, string, string, string][] = [
      [
        { autoscaler: { stableWindow: "5s" } },
        "autoscaler.stableWindow",
        '"5s"',
        "at least 6s and at most 1h",
      ],
      [{ autoscaler: { stableWindow: "2h" } }, "autoscaler.stableWindow", '"2h"', "at most 1h"],
      [{ autoscaler: { stableWindow: "soon" } }, "autoscaler.stableWindow", '"soon"', "duration"],
      [
        { autoscaler: { scaleToZeroGracePeriod: "1s" } },
        "autoscaler.scaleToZeroGracePeriod",
        '"1s"',
        "at least 6s",
      ],
      [{ autoscaler: { target: 0 } }, "autoscaler.target", "0", "from 0.01"],
      [
        { autoscaler: { targetUtilizationPercentage: 120 } },
        "autoscaler.targetUtilizationPercentage",
        "120",
        "from 1 to 100",
      ],
      [{ autoscaler: { initialScale: -1 } }, "autoscaler.initialScale", "-1", "integer from 0"],
      [
        { autoscaler: { initialScale: 0 } },
        "autoscaler.initialScale",
        "0",
        "allowZeroInitialScale: true",
      ],
      [{ autoscaler: { maxScale: 1.5 } }, "autoscaler.maxScale", "1.5", "integer"],
      [{ domain: "Example.COM" }, "domain", '"Example.COM"', "DNS-1123 subdomain"],
      [
        { features: { "multi-container": "on" } },
        "features.multi-container",
        '"on"',
        '"enabled", "disabled", "allowed"',
      ],
      [
        { features: { "Bad Flag": "enabled" } },
        "features.Bad Flag",
        '"Bad Flag"',
        "feature flag name",
      ],
      [{ servingVersion: "latest" }, "servingVersion", '"latest"', "Knative Serving release"],
      [{ servingVersion: "1.23" }, "servingVersion", '"1.23"', '"x.y.z"'],
      [{ version: "1.23" }, "version", '"1.23"', "exact semantic version"],
      [{ namespace: "knative_serving" }, "namespace", '"knative_serving"', "DNS-1123 label"],
      [{ registry: "r.io/" }, "registry", '"r.io/"', "image registry host"],
    ];
    for (const [args, arg, value, allowed] of cases) {
      await h.expectInvalid(
        () => new KnativeServing("bad", { istio, ...args }),
        arg,
        value,
        allowed,
      );
    }
    // The harden fuzz's hostile label values: a Gateway selector that would match no pod.
    for (const value of ["ingressgateway a b", "ingressgateway\r\n@type null"])
      await h.expectInvalid(
        () =>
          new KnativeServing("bad", {
            istio: { gatewaySelector: { istio: value }, dependsOn: [] },
          }),
        "istio.gatewaySelector.istio",
        JSON.stringify(value),
        "label values must be at most 63 characters",
      );
    await h.expectInvalid(
      () => new KnativeServing("bad", {} as never),
      "istio",
      "undefined",
      "is required: Istio as the ingress",
    );
  });

  it("property: stable windows from 6s to 1h are kept verbatim", () => {
    fc.assert(
      fc.property(fc.integer({ min: 6, max: 3600 }), (s) => {
        const c = knativeConfig({
          autoscaler: { stableWindow: `${s}s` },
          gatewayService: "istio-ingressgateway.istio-system.svc.cluster.local",
          namespace: "knative-serving",
        });
        assert.equal(c.autoscaler["stable-window"], `${s}s`);
        assert.equal(c.istio, undefined);
      }),
    );
  });
});
