import { strict as assert } from "assert";
import { lines } from "../../analysis/helpers";
import { K8sObject } from "../../../components/analysis";
import * as h from "../../harness";
import { MeshedWorkload } from "../../../components/kubernetes/service/meshed-workload";
import { FakeRelease, labels, parent, RELEASE, spec, T } from "./helpers";

describe("kubernetes/service MeshedWorkload", () => {
  beforeEach(() => h.reset());

  it("GIVEN a traditional service THEN Deployment, Service and ServiceAccount with probes, plus its mesh parts", async () => {
    const release = new FakeRelease("istio-base");
    const w = new MeshedWorkload("reviews", {
      namespace: "shop",
      mesh: { dependsOn: [release] },
      image: "docker.io/istio/examples-bookinfo-reviews-v1:1.20",
      ports: [{ containerPort: 9080 }, { containerPort: 9090, name: "http-metrics" }],
      version: "v1",
      replicas: 3,
      priorityClassName: "shop-priority",
      securityContext: {
        readOnlyRootFilesystem: false,
        runAsUser: 1000,
        capabilities: { add: ["NET_RAW"] },
      },
      livenessProbe: { httpGet: { path: "/health" }, initialDelaySeconds: 30, periodSeconds: 10 },
      readinessProbe: { tcpSocket: {}, periodSeconds: 5 },
      traffic: {
        subsets: [{ name: "v1", labels: { version: "v1" } }],
        routes: [{ destinations: [{ subset: "v1" }], retries: { attempts: 2 } }],
      },
      monitor: { port: "http-metrics" },
      callees: {
        "payments-api": {
          hosts: ["api.pay.example.com"],
          ports: [{ number: 443, protocol: "HTTPS" }],
        },
      },
    });
    await h.settled();
    const selector = { app: "reviews" };
    assert.deepEqual(spec(T.deploy, "shop/reviews"), {
      replicas: 3,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: { app: "reviews", version: "v1" } },
        spec: {
          serviceAccountName: "reviews",
          priorityClassName: "shop-priority",
          containers: [
            {
              name: "app",
              image: "docker.io/istio/examples-bookinfo-reviews-v1:1.20",
              ports: [{ containerPort: 9080 }, { containerPort: 9090, name: "http-metrics" }],
              livenessProbe: {
                httpGet: { path: "/health", port: 9080 },
                initialDelaySeconds: 30,
                periodSeconds: 10,
              },
              readinessProbe: { tcpSocket: { port: 9080 }, periodSeconds: 5 },
              // Each given field replaces its default; an added capability keeps drop ALL.
              securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { add: ["NET_RAW"], drop: ["ALL"] },
                readOnlyRootFilesystem: false,
                runAsNonRoot: true,
                runAsUser: 1000,
                seccompProfile: { type: "RuntimeDefault" },
              },
            },
          ],
        },
      },
    });
    assert.deepEqual(spec(T.svc, "shop/reviews"), {
      selector,
      ports: [
        { name: "http", port: 80, targetPort: 9080 },
        { name: "http-metrics", port: 9090, targetPort: 9090 },
      ],
    });
    const host = "reviews.shop.svc.cluster.local";
    assert.deepEqual(spec(T.vs, "shop/reviews"), {
      hosts: [host],
      http: [{ route: [{ destination: { host, subset: "v1" } }], retries: { attempts: 2 } }],
    });
    assert.deepEqual((spec(T.sm, "shop/reviews") as { selector: unknown }).selector, {
      matchLabels: selector,
    });
    for (const t of [T.deploy, T.svc, T.sa]) {
      const r = h.get(t, "shop/reviews");
      assert.deepEqual(r.inputs.metadata, {
        name: "reviews",
        namespace: "shop",
        // The Service also carries the pod selector: the ServiceMonitor selects Services by it.
        labels: { ...labels("reviews", "workload"), ...(t === T.svc ? selector : {}) },
      });
      assert.equal(parent(r), "mesh-serverless:service:MeshedWorkload::reviews");
    }
    assert.deepEqual(
      lines(
        "MS405",
        [T.svc, T.sm].map((t) => h.get(t, "shop/reviews").inputs as unknown as K8sObject),
      ),
      [],
    );
    assert.deepEqual(
      h.dependencies(h.get(T.deploy, "shop/reviews")),
      [RELEASE, `${T.sa}::shop/reviews`].sort(),
    );
    assert.deepEqual(h.dependencies(h.get(T.dr, "shop/reviews")), [RELEASE]);
    assert.deepEqual(spec(T.se, "shop/payments-api"), {
      hosts: ["api.pay.example.com"],
      location: "MESH_EXTERNAL",
      ports: [{ number: 443, name: "https-443", protocol: "HTTPS" }],
      resolution: "DNS",
    });
    const se = h.get(T.se, "shop/payments-api");
    assert.deepEqual(
      (se.inputs.metadata as { labels: unknown }).labels,
      labels("reviews", "access"),
    );
    assert.deepEqual(h.dependencies(se), [RELEASE]);
    assert.equal(await h.resolve(w.host), host);
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  it("uses an existing service account and skips the Service without ports", async () => {
    new MeshedWorkload("worker", {
      image: "worker:1",
      serviceAccountName: "shared",
      createServiceAccount: false,
    });
    await h.settled();
    assert.deepEqual(h.countByType(), {
      "mesh-serverless:service:MeshedWorkload": 1,
      [T.deploy]: 1,
    });
    assert.equal(
      (spec(T.deploy, "default/worker") as { template: { spec: { serviceAccountName: string } } })
        .template.spec.serviceAccountName,
      "shared",
    );
  });

  it("rejects bad input", async () => {
    await h.expectInvalid(
      () => new MeshedWorkload("w", { image: "x", replicas: -1 }),
      "replicas",
      "0 to 10000",
    );
    await h.expectInvalid(
      () => new MeshedWorkload("w", { image: "x", labels: { app: "other" } }),
      "labels.app",
      "selects the pods",
    );
    await h.expectInvalid(
      () =>
        new MeshedWorkload("w", {
          image: "x",
          securityContext: { seccompProfile: { type: "Confined" as "Unconfined" } },
        }),
      "securityContext.seccompProfile.type",
      '"Confined"',
    );
    await h.expectInvalid(
      () => new MeshedWorkload("w", { image: "x", servicePort: 70000 }),
      "servicePort",
      "1 to 65535",
    );
    await h.expectInvalid(
      () => new MeshedWorkload("w", { image: "x", readinessProbe: { httpGet: { path: "ready" } } }),
      "readinessProbe.httpGet.path",
      "start with '/'",
    );
    await h.expectInvalid(
      () => new MeshedWorkload("w", { image: "x", livenessProbe: { exec: { command: [] } } }),
      "livenessProbe.exec.command",
      "non-empty",
    );
    await h.expectInvalid(
      () =>
        new MeshedWorkload("w", {
          image: "x",
          ports: [{ containerPort: 80 }, { containerPort: 80 }],
        }),
      "ports",
      "unique",
    );
    await h.expectInvalid(
      () =>
        new MeshedWorkload("w", { image: "x", ports: [{ containerPort: 80, name: "HTTP_PORT" }] }),
      "ports[0].name",
      "IANA",
    );
    await h.expectInvalid(
      () => new MeshedWorkload("w.x", { image: "x" }),
      "name",
      "DNS-1123 label",
    );
  });
});
