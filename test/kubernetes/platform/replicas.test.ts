import { strict as assert } from "assert";
import * as h from "../../harness";
import { gatewayValues, istiodValues } from "../../../components/kubernetes/platform/istio-values";
import {
  prometheusDashboards,
  prometheusValues,
} from "../../../components/kubernetes/platform/prometheus";
import { MeshPlatform } from "../../../components/kubernetes/platform/platform";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const KS = "kubernetes:operator.knative.dev/v1beta1:KnativeServing";

const istiodInput = {
  namespace: "istio-system",
  profile: "default" as const,
  cni: false,
  accessLogFile: "/dev/stdout",
  accessLogEncoding: "TEXT" as const,
  trustDomain: "cluster.local",
};

describe("platform replicas (per-environment high availability)", () => {
  beforeEach(() => h.reset());

  it("istiod: the HPA minimum and replica count; the maximum rises only above the chart's 5", () => {
    assert.equal(istiodValues(istiodInput).pilot, undefined);
    assert.deepEqual(istiodValues({ ...istiodInput, replicas: 3 }).pilot, {
      autoscaleMin: 3,
      replicaCount: 3,
    });
    assert.deepEqual(istiodValues({ ...istiodInput, replicas: 8, cni: true }).pilot, {
      autoscaleMax: 8,
      autoscaleMin: 8,
      cni: { enabled: true },
      replicaCount: 8,
    });
  });

  it("gateway: replicaCount and autoscaling.minReplicas", () => {
    assert.deepEqual(gatewayValues({ serviceType: "LoadBalancer", replicas: 2 }), {
      autoscaling: { minReplicas: 2 },
      replicaCount: 2,
      service: { type: "LoadBalancer" },
    });
    assert.deepEqual(gatewayValues({ serviceType: "LoadBalancer", replicas: 6 }).autoscaling, {
      minReplicas: 6,
      maxReplicas: 6,
    });
    assert.deepEqual(gatewayValues({ serviceType: "NodePort" }), { service: { type: "NodePort" } });
  });

  it("prometheus: prometheusSpec.replicas only when given", () => {
    const base = { retention: "10d", grafana: true, alertmanager: true };
    const spec = (v: Record<string, unknown>) =>
      (v.prometheus as { prometheusSpec: Record<string, unknown> }).prometheusSpec;
    assert.equal(spec(prometheusValues({ ...base, replicas: 2 })).replicas, 2);
    assert.equal("replicas" in spec(prometheusValues(base)), false);
  });

  it("MeshPlatform passes each knob to its release or CR", async () => {
    new MeshPlatform("p", {
      istio: { replicas: 3 },
      knative: { highAvailability: 2 },
      prometheus: { replicas: 2 },
      fluentd: false,
    });
    await h.settled();
    const istiod = h.resources(RELEASE).find((r) => r.inputs.chart === "istiod")!;
    const gateway = h.resources(RELEASE).find((r) => r.inputs.chart === "gateway")!;
    const prom = h.resources(RELEASE).find((r) => r.inputs.chart === "kube-prometheus-stack")!;
    assert.deepEqual((istiod.inputs.values as { pilot: unknown }).pilot, {
      autoscaleMin: 3,
      replicaCount: 3,
    });
    assert.equal((gateway.inputs.values as { replicaCount: number }).replicaCount, 3);
    const promSpec = (
      prom.inputs.values as { prometheus: { prometheusSpec: { replicas: number } } }
    ).prometheus.prometheusSpec;
    assert.equal(promSpec.replicas, 2);
    const serving = h.resources(KS)[0].inputs.spec as Record<string, unknown>;
    assert.deepEqual(serving["high-availability"], { replicas: 2 });
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  it("rejects replicas outside their ranges, naming the scoped argument", async () => {
    await h.expectInvalid(
      () => new MeshPlatform("p", { istio: { replicas: 0 } }),
      "istio.replicas",
      "0",
      "from 1 to 50",
    );
    await h.expectInvalid(
      () => new MeshPlatform("p", { knative: { highAvailability: 2.5 } }),
      "knative.highAvailability",
      "2.5",
      "from 1 to 10",
    );
    await h.expectInvalid(
      () => new MeshPlatform("p", { prometheus: { replicas: 11 } }),
      "prometheus.replicas",
      "11",
      "from 1 to 10",
    );
  });

  it("MeshPlatform lists the in-cluster UI addresses of what it installed", () => {
    assert.deepEqual(prometheusDashboards("mon", false, true), {
      alertmanager: "http://kube-prometheus-stack-alertmanager.mon.svc:9093",
      prometheus: "http://kube-prometheus-stack-prometheus.mon.svc:9090",
    });
    const p = new MeshPlatform("p", {
      jaeger: { namespace: "obs" },
      prometheus: { grafana: false },
    });
    assert.deepEqual(p.dashboards, {
      alertmanager: "http://kube-prometheus-stack-alertmanager.monitoring.svc:9093",
      jaeger: "http://jaeger.obs.svc:16686",
      prometheus: "http://kube-prometheus-stack-prometheus.monitoring.svc:9090",
    });
    assert.deepEqual(new MeshPlatform("q", { jaeger: false, prometheus: false }).dashboards, {});
  });
});
