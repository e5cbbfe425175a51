import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as h from "./harness";
import { SECRET_PLACEHOLDER } from "../cli/engine";

class Widget extends pulumi.ComponentResource {
  constructor(name: string, args: { size: number }, opts?: pulumi.ComponentResourceOptions) {
    super("test:index:Widget", name, {}, opts);
    if (args.size < 0)
      throw new pulumi.ResourceError(`invalid \`size\` ${args.size}: must be >= 0`, this);
    const ns = new k8s.core.v1.Namespace(`${name}-ns`, { metadata: { name } }, { parent: this });
    new k8s.core.v1.ConfigMap(
      `${name}-cm`,
      { metadata: { name, namespace: ns.metadata.name }, data: { token: pulumi.secret("s3cret") } },
      { parent: this, dependsOn: [ns] },
    );
    this.registerOutputs({});
  }
}

describe("test harness", () => {
  beforeEach(() => h.reset());

  it("records type, name, inputs, parent, dependencies and secrets", async () => {
    new Widget("w", { size: 1 });
    await h.settled();
    assert.deepEqual(h.countByType(), {
      "test:index:Widget": 1,
      "kubernetes:core/v1:Namespace": 1,
      "kubernetes:core/v1:ConfigMap": 1,
    });
    const cm = h.get("kubernetes:core/v1:ConfigMap", "w-cm");
    assert.equal(h.parentOf(cm)?.name, "w");
    assert.deepEqual(h.dependencies(cm), ["kubernetes:core/v1:Namespace::w-ns"]);
    assert.deepEqual(cm.inputs.data, { token: "s3cret" });
    assert.deepEqual(cm.redacted.data, { token: SECRET_PLACEHOLDER });
    assert.equal(cm.custom, true);
    assert.equal(h.get("test:index:Widget", "w").custom, false);
  });

  it("expectInvalid checks the message and that no child was registered", async () => {
    await h.expectInvalid(() => new Widget("bad", { size: -1 }), "size", "-1", ">= 0");
    await assert.rejects(
      h.expectInvalid(() => new Widget("ok", { size: 1 }), "size"),
      /expected a ResourceError/,
    );
  });

  it("expectInvalidBelow allows prerequisites; expectInvalid also catches a child without parent", async () => {
    await h.expectInvalidBelow(() => {
      new Widget("prereq", { size: 1 });
      new Widget("bad", { size: -1 });
    }, "size");
    await assert.rejects(
      h.expectInvalid(() => {
        new k8s.core.v1.Namespace("orphan", { metadata: { name: "orphan" } });
        new Widget("bad2", { size: -1 });
      }, "size"),
      /expected at most the component itself, got (bad2, orphan|orphan, bad2)$/,
    );
  });

  it("resolves outputs", async () => {
    assert.equal(await h.resolve(pulumi.output("x").apply((x) => `${x}y`)), "xy");
  });
});
