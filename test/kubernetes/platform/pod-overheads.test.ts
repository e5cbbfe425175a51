import { strict as assert } from "assert";
import * as k8s from "@pulumi/kubernetes";
import * as h from "../../harness";
import { IstioMesh } from "../../../components/kubernetes/platform/istio";
import { KnativeServing } from "../../../components/kubernetes/platform/knative";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const KS = "kubernetes:operator.knative.dev/v1beta1:KnativeServing";
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

describe("platform per-pod overheads: istio-proxy and queue-proxy, explicit", () => {
  beforeEach(() => h.reset());

  it("istio-proxy resources go to istiod's injection template (global.proxy.resources)", async () => {
    const resources = {
      requests: { cpu: "50m", memory: "64Mi" },
      limits: { cpu: "500m", memory: "256Mi" },
    };
    new IstioMesh("mesh", { proxyResources: resources });
    new IstioMesh("plain", { namespace: "istio-other", gateway: false });
    await h.settled();
    const istiod = (n: string) => h.get(RELEASE, n).inputs.values as Loose;
    assert.deepEqual(istiod("mesh-istiod").global.proxy, { resources });
    assert.equal(istiod("plain-istiod").global.proxy, undefined);
  });

  it("queue-proxy resources go to config-deployment's queue-sidecar keys, only those given", async () => {
    const istio = {
      gatewaySelector: { istio: "ingressgateway" },
      dependsOn: [new k8s.helm.v3.Release("istiod", { chart: "istiod", name: "istiod" })],
    };
    new KnativeServing("kn", {
      istio,
      queueProxy: { requests: { cpu: "25m", memory: "32Mi" }, limits: { memory: "128Mi" } },
    });
    await h.settled();
    const config = (h.get(KS, "kn-serving").inputs.spec as Loose).config;
    assert.deepEqual(config.deployment, {
      "queue-sidecar-cpu-request": "25m",
      "queue-sidecar-memory-request": "32Mi",
      "queue-sidecar-memory-limit": "128Mi",
    });
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  it("rejects quantities that are not Kubernetes quantities, naming the path", async () => {
    await h.expectInvalid(
      () => new IstioMesh("bad", { proxyResources: { limits: { cpu: "two" } } }),
      "proxyResources.limits.cpu",
      '"two"',
      "Kubernetes quantity",
    );
    await h.expectInvalid(
      () =>
        new KnativeServing("bad", {
          istio: { gatewaySelector: { istio: "ingressgateway" }, dependsOn: [] },
          queueProxy: { requests: { memory: "lots" } },
        }),
      "queueProxy.requests.memory",
      '"lots"',
      "Kubernetes quantity",
    );
  });
});
