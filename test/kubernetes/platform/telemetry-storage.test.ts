import { strict as assert } from "assert";
import * as h from "../../harness";
import { Prometheus } from "../../../components/kubernetes/platform/prometheus";
import { Jaeger } from "../../../components/kubernetes/platform/jaeger";

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

  it("Jaeger: Badger on a claim made before the release, both kept on delete; memory by default", async () => {
    const j = new Jaeger("traces", {
      storage: { backend: "badger", size: "100Gi", storageClass: "premium-rwo", retention: "72h" },
    });
    await h.settled();
    const ns = h.get("kubernetes:core/v1:Namespace", "traces-namespace");
    const pvc = h.get("kubernetes:core/v1:PersistentVolumeClaim", "traces-badger");
    assert.equal((ns.inputs.metadata as { name: string }).name, "tracing");
    assert.deepEqual(pvc.inputs.metadata, {
      name: "jaeger-badger",
      namespace: "tracing",
      labels: {
        "app.kubernetes.io/managed-by": "pulumi",
        "app.kubernetes.io/name": "jaeger",
        "app.kubernetes.io/part-of": "mesh-serverless",
        "mesh-serverless/component": "trace-storage",
      },
    });
    assert.deepEqual(pvc.inputs.spec, {
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "100Gi" } },
      storageClassName: "premium-rwo",
    });
    assert.deepEqual(h.dependencies(pvc), ["kubernetes:core/v1:Namespace::traces-namespace"]);
    assert.deepEqual(h.dependencies(h.get(RELEASE, "traces-release")), [
      "kubernetes:core/v1:PersistentVolumeClaim::traces-badger",
    ]);
    const v = values("traces-release");
    assert.deepEqual(v.jaeger, {
      enabled: true,
      extraVolumeMounts: [{ mountPath: "/badger", name: "badger-data" }],
      extraVolumes: [
        { name: "badger-data", persistentVolumeClaim: { claimName: "jaeger-badger" } },
      ],
      replicas: 1,
    });
    assert.deepEqual(v.userconfig.extensions.jaeger_storage.backends.primary_store, {
      badger: {
        directories: { keys: "/badger/keys", values: "/badger/values" },
        ephemeral: false,
        ttl: { spans: "72h" },
      },
    });
    assert.equal(await h.resolve(j.volumeClaim?.metadata.name), "jaeger-badger");
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  it("Jaeger without storage keeps traces in memory and makes no claim", async () => {
    new Jaeger("mem", { maxTraces: 500 });
    await h.settled();
    assert.deepEqual(h.countByType(), {
      "mesh-serverless:platform:Jaeger": 1,
      [RELEASE]: 1,
    });
    assert.deepEqual(values("mem-release").jaeger, { enabled: true });
    assert.deepEqual(
      values("mem-release").userconfig.extensions.jaeger_storage.backends.primary_store,
      { memory: { max_traces: 500 } },
    );
  });

  it("rejects bad storage and dashboards, naming the argument", async () => {
    const cases: [object, string, string, string][] = [
      [{ storage: { size: "lots" } }, "storage.size", '"lots"', "Kubernetes quantity"],
      [{ storage: { size: "0Gi" } }, "storage.size", '"0Gi"', "positive"],
      [{ storage: {} }, "storage.size", "undefined", "is required"],
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
    const badger = { backend: "badger", size: "1Gi" };
    const jaegerCases: [object, string, string, string][] = [
      [{ storage: { size: "1Gi" } }, "storage.backend", "undefined", "is required"],
      [
        { storage: { ...badger, backend: "cassandra" } },
        "storage.backend",
        '"cassandra"',
        "badger",
      ],
      [{ storage: { ...badger, size: "big" } }, "storage.size", '"big"', "Kubernetes quantity"],
      [{ storage: { ...badger, retention: "7d" } }, "storage.retention", '"7d"', '"168h"'],
      [{ storage: { ...badger, retention: "0h" } }, "storage.retention", '"0h"', "positive"],
    ];
    for (const [args, arg, value, allowed] of jaegerCases)
      await h.expectInvalid(() => new Jaeger("bad", args as never), arg, value, allowed);
  });
});
