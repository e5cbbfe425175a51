import { strict as assert } from "assert";
import * as h from "../harness";
import { injectionLabels, MeshInfo, meshDefaults } from "../../components/kubernetes/mesh-info";
import { MeshNamespace } from "../../components/kubernetes/service/mesh-namespace";
import { ServerlessService } from "../../components/kubernetes/service/serverless-service";
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

  // The audit's "Not A Namespace" became a Sidecar egress host; every component taking `mesh`
  // now rejects it before creating anything.
  const badMesh: [string, MeshInfo, string][] = [
    ["rootNamespace", { rootNamespace: "Not A Namespace" }, '"Not A Namespace"'],
    ["knativeNamespace", { knativeNamespace: "knative_serving" }, '"knative_serving"'],
    ["eventingNamespace", { eventingNamespace: "Events" }, '"Events"'],
    ["revision", { revision: "1.30" }, '"1.30"'],
    ["domain", { domain: "Example.COM" }, '"Example.COM"'],
  ];
  for (const [field, mesh, value] of badMesh) {
    it(`components reject a mesh.${field} that is not a DNS name`, async () => {
      await h.expectInvalid(
        () => new MeshNamespace("shop", { mesh }),
        `mesh.${field}`,
        value,
        "DNS-1123",
      );
      await h.expectInvalid(
        () => new ServerlessService("orders", { image: "x", mesh }),
        `mesh.${field}`,
        value,
      );
    });
  }

  it("meshDefaults fills the stock install's values", () => {
    assert.deepEqual(meshDefaults(), {
      rootNamespace: "istio-system",
      knativeNamespace: "knative-serving",
      eventingNamespace: "knative-eventing",
      gatewaySelector: { istio: "ingressgateway" },
      domain: undefined,
      gateway: undefined,
      revision: undefined,
      dataPlane: "sidecar",
      cni: false,
      tracingProvider: undefined,
      tracingService: undefined,
      extensionProviders: undefined,
      monitorLabels: {},
      dependsOn: [],
      openfaas: undefined,
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
