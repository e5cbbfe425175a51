import { strict as assert } from "assert";
import * as h from "../../harness";
import { Prometheus } from "../../../components/kubernetes/platform/prometheus";

const RELEASE = "kubernetes:helm.sh/v3:Release";
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const values = (name: string): any => h.get(RELEASE, name).inputs.values;

describe("platform telemetry that survives a restart", () => {
  beforeEach(() => h.reset());

  it("Prometheus: a claim template per pod with the class and size given; none by default", async () => {
    new Prometheus("durable", { storage: { size: "250Gi", storageClass: "premium-rwo" } });
    new Prometheus("classless", { namespace: "mon2", storage: { size: "10Gi" } });
    new Prometheus("scratch", { namespace: "mon3", storage: false });
    await h.settled();
    assert.deepEqual(values("durable-release").prometheus.prometheusSpec.storageSpec, {
      volumeClaimTemplate: {
        spec: {
          accessModes: ["ReadWriteOnce"],
          resources: { requests: { storage: "250Gi" } },
          storageClassName: "premium-rwo",
        },
      },
    });
    // No class: the cluster's default StorageClass.
    assert.deepEqual(values("classless-release").prometheus.prometheusSpec.storageSpec, {
      volumeClaimTemplate: {
        spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } } },
      },
    });
    assert.equal(values("scratch-release").prometheus.prometheusSpec.storageSpec, undefined);
  });

  it("Grafana: dashboards given replace Istio's; {} provisions none; none without Grafana", async () => {
    new Prometheus("own", { dashboards: { "my-mesh": { gnetId: 7639, revision: 300 } } });
    new Prometheus("none", { namespace: "m2", dashboards: {} });
    new Prometheus("nografana", { namespace: "m3", grafana: false });
    await h.settled();
    assert.deepEqual(values("own-release").grafana.dashboards, {
      istio: { "my-mesh": { gnetId: 7639, revision: 300, datasource: "Prometheus" } },
    });
    assert.deepEqual(values("none-release").grafana, { enabled: true });
    assert.deepEqual(values("nografana-release").grafana, { enabled: false });
  });

  it("rejects bad storage and dashboards, naming the argument", async () => {
    const cases: [object, string, string, string][] = [
      [{ storage: { size: "lots" } }, "storage.size", '"lots"', "Kubernetes quantity"],
      [{ storage: { size: "0Gi" } }, "storage.size", '"0Gi"', "positive"],
      [{ storage: {} }, "storage.size", "undefined", '"50Gi"'],
      [
        { storage: { size: "1Gi", storageClass: "Fast SSD" } },
        "storage.storageClass",
        '"Fast SSD"',
        "DNS-1123 subdomain",
      ],
      [
        { dashboards: { mesh: { gnetId: 7639 } } },
        "dashboards.mesh.revision",
        "undefined",
        "revision",
      ],
      [
        { dashboards: { mesh: { revision: 3 } } },
        "dashboards.mesh.gnetId",
        "undefined",
        "dashboard id",
      ],
      [
        { dashboards: { Mesh: { gnetId: 7639, revision: 3 } } },
        "dashboards.Mesh",
        '"Mesh"',
        "DNS-1123 label",
      ],
    ];
    for (const [args, arg, value, allowed] of cases)
      await h.expectInvalid(() => new Prometheus("bad", args), arg, value, allowed);
  });
});
