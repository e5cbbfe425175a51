import { strict as assert } from "assert";
import { schemaPackage, validateManifest } from "../../components/core/schema";

describe("core/schema", () => {
  it("maps API groups to the package that publishes their schema", () => {
    assert.equal(schemaPackage(""), "kubernetes-models");
    assert.equal(schemaPackage("apps"), "kubernetes-models");
    assert.equal(schemaPackage("scheduling.k8s.io"), "kubernetes-models");
    assert.equal(schemaPackage("networking.istio.io"), "@kubernetes-models/istio");
    assert.equal(schemaPackage("serving.knative.dev"), "@kubernetes-models/knative");
    assert.equal(schemaPackage("operator.knative.dev"), "@kubernetes-models/knative");
    assert.equal(schemaPackage("monitoring.coreos.com"), "@kubernetes-models/prometheus-operator");
    assert.equal(schemaPackage("jaegertracing.io"), undefined);
  });

  it("validates, names the failing field, and says when there is no schema", async () => {
    assert.deepEqual(
      await validateManifest({
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: "shop" },
      } as never),
      { status: "valid" },
    );
    // Validated in place (no copy): never written to; one with an undefined value is validated
    // as the model's copy without it, as before.
    const ns = {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "shop", labels: { a: "b" } },
    };
    const before = JSON.stringify(ns);
    assert.deepEqual(await validateManifest(ns), { status: "valid" });
    assert.equal(JSON.stringify(ns), before);
    assert.deepEqual(
      await validateManifest({ ...ns, metadata: { name: "shop", namespace: undefined } } as never),
      { status: "valid" },
    );
    const bad = await validateManifest({
      apiVersion: "networking.istio.io/v1",
      kind: "DestinationRule",
      metadata: { name: "r" },
      spec: { host: "r", trafficPolicy: { connectionPool: { tcp: { maxConnections: "many" } } } },
    } as never);
    assert.equal(bad.status, "invalid");
    assert.match(
      (bad as { message: string }).message,
      /data\/spec\/trafficPolicy\/connectionPool\/tcp\/maxConnections must be integer/,
    );
    assert.deepEqual(
      await validateManifest({ apiVersion: "jaegertracing.io/v1", kind: "Jaeger" }),
      {
        status: "unvalidated",
        reason: "no published schema for API group jaegertracing.io",
      },
    );
    assert.deepEqual(
      await validateManifest({ apiVersion: "networking.istio.io/v1", kind: "Nope" }),
      {
        status: "unvalidated",
        reason: "@kubernetes-models/istio has no schema for networking.istio.io/v1 Nope",
      },
    );
    // Each kind's model is its own module: a kind that is no module name never reaches import().
    for (const kind of ["../v1/Service", "Service/x", "", "1Service"])
      assert.deepEqual(await validateManifest({ apiVersion: "v1", kind }), {
        status: "unvalidated",
        reason: `kubernetes-models has no schema for v1 ${kind}`,
      });
    assert.deepEqual(
      await validateManifest({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "d" },
        spec: { selector: {}, template: { spec: { containers: [{ image: "x" }] } } },
      } as never),
      {
        status: "invalid",
        message: "data/spec/template/spec/containers/0 must have required property name",
      },
    );
    assert.deepEqual(await validateManifest({ kind: "Namespace" }), {
      status: "invalid",
      message: "apiVersion and kind must be strings",
    });
  });
});
