import { strict as assert } from "assert";
import * as k8s from "@pulumi/kubernetes";
import * as h from "../../harness";
import {
  envoyStatsMonitor,
  istiodMonitor,
  Prometheus,
} from "../../../components/kubernetes/platform/prometheus";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const POD_MONITOR = "kubernetes:monitoring.coreos.com/v1:PodMonitor";
const SERVICE_MONITOR = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor";

function istioStandIn(): k8s.helm.v3.Release[] {
  return [
    new k8s.helm.v3.Release("base", { chart: "base", name: "istio-base" }),
    new k8s.helm.v3.Release("istiod", { chart: "istiod", name: "istiod" }),
  ];
}

describe("platform/Prometheus", () => {
  beforeEach(() => h.reset());

  it("GIVEN defaults THEN kube-prometheus-stack selects monitors and rules from every namespace", async () => {
    const p = new Prometheus("mon");
    await h.settled();
    assert.deepEqual(h.countByType(), { "mesh-serverless:platform:Prometheus": 1, [RELEASE]: 1 });
    const r = h.get(RELEASE, "mon-release").inputs;
    assert.equal(r.name, "kube-prometheus-stack");
    assert.equal(r.chart, "kube-prometheus-stack");
    assert.equal(r.version, "88.5.3");
    assert.equal(r.namespace, "monitoring");
    assert.equal(r.createNamespace, true);
    assert.deepEqual(r.repositoryOpts, {
      repo: "https://prometheus-community.github.io/helm-charts",
    });
    assert.deepEqual(r.values, {
      alertmanager: { enabled: true },
      // Helm never upgrades CRDs; the chart's hook Job applies the ones it packs.
      crds: { upgradeJob: { enabled: true } },
      grafana: { enabled: true },
      prometheus: {
        prometheusSpec: {
          podMonitorSelectorNilUsesHelmValues: false,
          probeSelectorNilUsesHelmValues: false,
          retention: "10d",
          ruleSelectorNilUsesHelmValues: false,
          scrapeConfigSelectorNilUsesHelmValues: false,
          serviceMonitorSelectorNilUsesHelmValues: false,
        },
      },
    });
    assert.deepEqual(p.monitorLabels, {});
  });

  it("GIVEN Istio THEN adds Istio's PodMonitor and ServiceMonitor after the CRD release and Istio", async () => {
    new Prometheus("mon", {
      retention: "24h",
      retentionSize: "20GB",
      resources: { requests: { cpu: "500m", memory: "2Gi" }, limits: { memory: "4Gi" } },
      grafana: false,
      alertmanager: false,
      registry: "mirror.local:5000",
      istio: { rootNamespace: "istio-system", dependsOn: istioStandIn() },
      values: { prometheus: { prometheusSpec: { replicas: 2 } } },
    });
    await h.settled();
    const r = h.get(RELEASE, "mon-release").inputs;
    assert.deepEqual(r.values, {
      alertmanager: { enabled: false },
      crds: { upgradeJob: { enabled: true } },
      global: { imageRegistry: "mirror.local:5000" },
      grafana: { enabled: false },
      prometheus: {
        prometheusSpec: {
          podMonitorSelectorNilUsesHelmValues: false,
          probeSelectorNilUsesHelmValues: false,
          replicas: 2,
          resources: { limits: { memory: "4Gi" }, requests: { cpu: "500m", memory: "2Gi" } },
          retention: "24h",
          retentionSize: "20GB",
          ruleSelectorNilUsesHelmValues: false,
          scrapeConfigSelectorNilUsesHelmValues: false,
          serviceMonitorSelectorNilUsesHelmValues: false,
        },
      },
    });
    const deps = [`${RELEASE}::base`, `${RELEASE}::istiod`, `${RELEASE}::mon-release`];
    const pm = h.get(POD_MONITOR, "mon-envoy-stats");
    const sm = h.get(SERVICE_MONITOR, "mon-istiod");
    assert.deepEqual(h.dependencies(pm), deps);
    assert.deepEqual(h.dependencies(sm), deps);
    assert.deepEqual(pm.inputs, envoyStatsMonitor("istio-system"));
    assert.deepEqual(sm.inputs, istiodMonitor("istio-system"));
    const pmSpec = pm.inputs.spec as {
      podMetricsEndpoints: { path: string }[];
      namespaceSelector: object;
    };
    assert.equal(pmSpec.podMetricsEndpoints[0].path, "/stats/prometheus");
    assert.deepEqual(pmSpec.namespaceSelector, { any: true });
    const smSpec = sm.inputs.spec as { endpoints: { port: string }[]; selector: object };
    assert.deepEqual(smSpec.endpoints, [{ interval: "15s", port: "http-monitoring" }]);
    assert.deepEqual(smSpec.selector, {
      matchExpressions: [{ key: "istio", operator: "In", values: ["pilot"] }],
    });
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  it("rejects bad input", async () => {
    const cases: [object, string, string, string][] = [
      [{ retention: "10 days" }, "retention", '"10 days"', "Prometheus duration"],
      [{ retention: "1.5d" }, "retention", '"1.5d"', "Prometheus duration"],
      [{ retentionSize: "20G" }, "retentionSize", '"20G"', '"50GB"'],
      [
        { resources: { requests: { cpu: "lots" } } },
        "resources.requests.cpu",
        '"lots"',
        "Kubernetes quantity",
      ],
      [
        { resources: { limits: { memory: "-1Gi" } } },
        "resources.limits.memory",
        '"-1Gi"',
        "Kubernetes quantity",
      ],
      [{ version: "latest" }, "version", '"latest"', "exact semantic version"],
      [{ registry: "Mirror" }, "registry", '"Mirror"', "image registry host"],
      [
        { istio: { rootNamespace: "Istio", dependsOn: [] } },
        "istio.rootNamespace",
        '"Istio"',
        "DNS-1123 label",
      ],
    ];
    for (const [args, arg, value, allowed] of cases) {
      await h.expectInvalid(() => new Prometheus("bad", args), arg, value, allowed);
    }
  });
});
