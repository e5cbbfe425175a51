import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { parse } from "yaml";
import { buildAwsPlan, buildHelmfile, buildManifests, repositoryName } from "../../cli/artifacts";
import { sortKeys } from "../../components/core/values";
import { exitCodeFor, errorText } from "../../cli/render";
import * as h from "../harness";

describe("cli/artifacts", () => {
  beforeEach(() => h.reset());

  it("names chart repositories after their owner (or first path part on a shared host), OCI registries after their last path part", () => {
    assert.equal(
      repositoryName("https://prometheus-community.github.io/helm-charts"),
      "prometheus-community",
    );
    assert.equal(
      repositoryName("https://istio-release.storage.googleapis.com/charts"),
      "istio-release",
    );
    assert.equal(repositoryName("https://blob.istio.io/istio-release/charts"), "istio-release");
    assert.equal(repositoryName("https://knative.github.io/operator"), "knative");
    assert.equal(repositoryName("oci://ghcr.io/example/charts"), "charts");
  });

  it("sorts keys recursively without touching array order", () => {
    assert.equal(
      JSON.stringify(sortKeys({ b: [{ z: 1, a: 2 }, 3], a: { d: 1, c: 2 } })),
      '{"a":{"c":2,"d":1},"b":[{"a":2,"z":1},3]}',
    );
  });

  it("writes each cluster's objects under its explicit provider's directory", async () => {
    const prod = new k8s.Provider("prod-cluster", { kubeconfig: pulumi.secret("kubeconfig") });
    new k8s.core.v1.Namespace("a", { metadata: { name: "a" } }, { provider: prod });
    new k8s.core.v1.ConfigMap(
      "c",
      { metadata: { name: "c", namespace: "a" }, data: { k: "v" } },
      { provider: prod },
    );
    new k8s.core.v1.Namespace("b", { metadata: { name: "b" } });
    const { files, objects, invalid } = await buildManifests(await h.settled());
    assert.deepEqual(Object.keys(files), [
      "manifests/1-cluster/_cluster.yaml",
      "manifests/prod-cluster/1-cluster/_cluster.yaml",
      "manifests/prod-cluster/2-resources/a.yaml",
      "manifests/1-cluster/kustomization.yaml",
      "manifests/prod-cluster/1-cluster/kustomization.yaml",
      "manifests/prod-cluster/2-resources/kustomization.yaml",
    ]);
    assert.equal(objects, 3);
    assert.deepEqual(invalid, []);
    assert.deepEqual(parse(files["manifests/prod-cluster/2-resources/a.yaml"]), {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        annotations: { "argocd.argoproj.io/sync-wave": "1" },
        name: "c",
        namespace: "a",
      },
      data: { k: "v" },
    });
  });

  it("puts OCI charts in the helmfile as OCI repositories", async () => {
    new k8s.helm.v3.Release("op", {
      name: "op",
      chart: "oci://ghcr.io/example/charts/operator",
      version: "0.1.0",
      namespace: "ops",
    });
    const { files, releases } = buildHelmfile(await h.settled());
    assert.equal(releases, 1);
    assert.deepEqual(parse(files["helmfile.yaml"]), {
      repositories: [{ name: "charts", url: "ghcr.io/example/charts", oci: true }],
      releases: [
        {
          name: "op",
          namespace: "ops",
          chart: "charts/operator",
          version: "0.1.0",
          values: ["values/ops/op.yaml"],
        },
      ],
    });
    assert.equal(files["values/ops/op.yaml"], "{}\n");
  });

  it("writes no helmfile and no plan when there is nothing to put in them", async () => {
    const rec = await h.settled();
    assert.deepEqual(buildHelmfile(rec), { files: {}, releases: 0 });
    assert.deepEqual(buildAwsPlan(rec, "s"), { files: {}, resources: 0 });
  });

  it("treats a rejected component argument as a config error (exit 2, the whole message, naming the component)", () => {
    const err = new pulumi.ResourceError(
      "invalid `weight` 120: must be an integer from 0 to 100\nmore",
      undefined,
    );
    assert.equal(exitCodeFor(err), 2);
    assert.equal(
      errorText(err, "ServiceTraffic reviews"),
      "render failed: ServiceTraffic reviews: invalid `weight` 120: must be an integer from 0 to 100\nmore",
    );
    assert.equal(exitCodeFor(new TypeError("bug")), 1);
    assert.match(errorText(new TypeError("bug")), /^render failed: TypeError: bug\n {4}at /);
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    const frameless = new TypeError("bug");
    Error.stackTraceLimit = limit;
    assert.equal(
      errorText(frameless),
      "render failed: bug (run with RENDER_TRACES=1 for a stack trace)",
    );
  });
});
