import { strict as assert } from "assert";
import * as h from "../harness";
import { injectionLabels, meshDefaults } from "../../components/kubernetes/mesh-info";
import { MeshPlatform } from "../../components/kubernetes/platform/platform";

const NS = "kubernetes:core/v1:Namespace";

describe("kubernetes/mesh-info", () => {
  beforeEach(() => h.reset());

  it("injectionLabels: ambient, then a revision, then default sidecar injection", () => {
    assert.deepEqual(injectionLabels({}), { "istio-injection": "enabled" });
    assert.deepEqual(injectionLabels({ revision: "1-30-5" }), { "istio.io/rev": "1-30-5" });
    assert.deepEqual(injectionLabels({ dataPlane: "ambient", revision: "1-30-5" }), {
      "istio.io/dataplane-mode": "ambient",
    });
  });

  it("meshDefaults fills the stock install's values", () => {
    assert.deepEqual(meshDefaults(), {
      rootNamespace: "istio-system",
      knativeNamespace: "knative-serving",
      gatewaySelector: { istio: "ingressgateway" },
      domain: undefined,
      gateway: undefined,
      revision: undefined,
      dataPlane: "sidecar",
      tracingProvider: undefined,
      tracingService: undefined,
      extensionProviders: undefined,
      monitorLabels: {},
      dependsOn: [],
    });
  });

  for (const [what, istio, labels] of [
    ["sidecar injection", {}, { "istio-injection": "enabled" }],
    ["the canary revision", { revision: "1-30-5" }, { "istio.io/rev": "1-30-5" }],
    ["ambient mode", { profile: "ambient" as const }, { "istio.io/dataplane-mode": "ambient" }],
  ] as const) {
    it(`MeshPlatform enrols knative-serving in the mesh (${what}): the activator is in the request path`, async () => {
      new MeshPlatform("p", { istio, jaeger: false, prometheus: false, fluentd: false });
      await h.settled();
      const ns = h.get(NS, "p-knative-namespace").inputs.metadata as {
        labels: Record<string, string>;
      };
      assert.deepEqual(ns.labels, {
        "app.kubernetes.io/managed-by": "pulumi",
        "app.kubernetes.io/name": "knative-serving",
        "app.kubernetes.io/part-of": "mesh-serverless",
        "mesh-serverless/component": "namespace",
        ...labels,
      });
    });
  }
});
