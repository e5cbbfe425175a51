import { strict as assert } from "assert";
import * as h from "../../harness";
import { gatewayValues, istiodValues } from "../../../components/kubernetes/platform/istio-values";
import {
  prometheusDashboards,
  prometheusValues,
} from "../../../components/kubernetes/platform/prometheus";
import { MeshPlatform } from "../../../components/kubernetes/platform/platform";
import { CHARTS } from "../../../components/kubernetes/platform/versions";
import { deepMerge, Values } from "../../../components/core/values";
import { chartDefaults } from "./chart-values-check";
import { readChartYaml, skipWithoutChartData } from "./upstream-charts";

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

  it("istiod: the HPA minimum at the top level; the maximum rises only above the chart's 5", () => {
    for (const key of ["autoscaleMin", "autoscaleMax", "replicaCount", "pilot"])
      assert.equal(key in istiodValues(istiodInput), false, key);
    assert.deepEqual(istiodValues({ ...istiodInput, replicas: 3 }), {
      ...istiodValues(istiodInput),
      autoscaleMin: 3,
    });
    assert.deepEqual(istiodValues({ ...istiodInput, replicas: 8, cni: true }), {
      ...istiodValues(istiodInput),
      autoscaleMax: 8,
      autoscaleMin: 8,
      cni: { enabled: true },
    });
  });

  it("gateway: autoscaling.minReplicas (and maxReplicas above 5), no replicaCount", () => {
    assert.deepEqual(gatewayValues({ serviceType: "LoadBalancer", replicas: 2 }), {
      autoscaling: { minReplicas: 2 },
      service: { type: "LoadBalancer" },
    });
    assert.deepEqual(gatewayValues({ serviceType: "LoadBalancer", replicas: 6 }).autoscaling, {
      minReplicas: 6,
      maxReplicas: 6,
    });
    assert.deepEqual(gatewayValues({ serviceType: "NodePort" }), { service: { type: "NodePort" } });
  });

  describe("what the charts' templates make of it (../shared/charts values.yaml + template rules)", () => {
    before(function () {
      skipWithoutChartData(this);
    });
    const merged = (chart: string, values: Values) =>
      deepMerge(chartDefaults(readChartYaml(chart, CHARTS.istio.version, "values.yaml")), values);
    /**
     * Replica bounds per istiod's templates: autoscale.yaml renders the HPA only `if and
     * .Values.autoscaleEnabled .Values.autoscaleMin .Values.autoscaleMax`; deployment.yaml sets
     * `replicas: .Values.replicaCount` only `if not .Values.autoscaleEnabled`.
     */
    function istiodReplicas(values: Values): { min: unknown; max: unknown } {
      const v = merged("istiod", values);
      if (!v.autoscaleEnabled) return { min: v.replicaCount ?? 1, max: v.replicaCount ?? 1 };
      if (v.autoscaleMin && v.autoscaleMax) return { min: v.autoscaleMin, max: v.autoscaleMax };
      return { min: 1, max: 1 };
    }
    /**
     * Per the gateway's templates: hpa.yaml renders `if and .Values.autoscaling.enabled (eq
     * .Values.kind "Deployment")`; deployment.yaml sets replicas only `if not` autoscaling.
     */
    function gatewayReplicas(values: Values): { min: unknown; max: unknown } {
      const v = merged("gateway", values);
      const a = v.autoscaling as { enabled: boolean; minReplicas: number; maxReplicas: number };
      if (a.enabled && v.kind === "Deployment") return { min: a.minReplicas, max: a.maxReplicas };
      return { min: v.replicaCount ?? 1, max: v.replicaCount ?? 1 };
    }

    it("istiod runs at least the requested replicas", () => {
      const values = (n: number) => istiodValues({ ...istiodInput, replicas: n });
      assert.deepEqual(istiodReplicas(values(3)), { min: 3, max: 5 });
      assert.deepEqual(istiodReplicas(values(8)), { min: 8, max: 8 });
      assert.deepEqual(istiodReplicas(istiodValues(istiodInput)), { min: 1, max: 5 });
      // IstioOperator's spelling, which this package used to write, changes nothing.
      assert.deepEqual(istiodReplicas({ pilot: { autoscaleMin: 3, replicaCount: 3 } }), {
        min: 1,
        max: 5,
      });
    });

    it("the gateway runs at least the requested replicas", () => {
      const values = (n: number) => gatewayValues({ serviceType: "LoadBalancer", replicas: n });
      assert.deepEqual(gatewayReplicas(values(3)), { min: 3, max: 5 });
      assert.deepEqual(gatewayReplicas(values(8)), { min: 8, max: 8 });
      // replicaCount alone is ignored while the chart autoscales.
      assert.deepEqual(gatewayReplicas({ replicaCount: 3 }), { min: 1, max: 5 });
    });
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
    assert.equal((istiod.inputs.values as Values).autoscaleMin, 3);
    assert.equal("pilot" in (istiod.inputs.values as Values), false);
    assert.deepEqual((gateway.inputs.values as Values).autoscaling, { minReplicas: 3 });
    assert.equal("replicaCount" in (gateway.inputs.values as Values), false);
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
