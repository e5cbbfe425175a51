import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import {
  clearSecrets,
  declareSecret,
  hasSecrets,
  holdsSecret,
  keepSecret,
  redactText,
} from "../../components/core/secrets";
import { describeValue } from "../../components/core/errors";
import * as h from "../harness";

describe("core/secrets", () => {
  afterEach(() => clearSecrets());

  it("declares string leaves; short values match whole only, hideOnly values only in messages", () => {
    assert.equal(hasSecrets(), false);
    declareSecret({ a: ["s3cr3t-token", "abc"], n: 5 });
    declareSecret("default", true);
    assert.equal(hasSecrets(), true);
    assert.equal(holdsSecret("Bearer s3cr3t-token"), true);
    assert.equal(holdsSecret("abc"), true);
    assert.equal(holdsSecret("abcd"), false, "a 3-character secret is not searched for");
    assert.equal(holdsSecret(5), false, "numbers are not declared");
    assert.equal(holdsSecret("default"), false, "hideOnly: not a secret input");
    assert.equal(describeValue({ profile: "default" }), '"[secret]"');
    assert.equal(describeValue(["x", "defaults"]), '["x","defaults"]');
    assert.equal(
      redactText("x=s3cr3t-token; default, defaults, a.default"),
      "x=[secret]; [secret], defaults, a.default",
    );
    clearSecrets();
    assert.equal(hasSecrets(), false);
    assert.equal(describeValue("s3cr3t-token"), '"s3cr3t-token"');
  });

  it("keepSecret wraps exactly the leaves that hold a secret, or the mapping a secret names", async () => {
    declareSecret("s3cr3t-token");
    const archive = new pulumi.asset.AssetArchive({});
    declareSecret(archive);
    const t = (props: pulumi.Inputs) =>
      keepSecret({
        type: "kubernetes:core/v1:ConfigMap",
        name: "c",
        props,
        opts: {},
      } as pulumi.ResourceTransformationArgs);
    assert.equal(t({ data: { a: "plain" } }), undefined, "nothing to do: props untouched");
    const out = t({
      data: { a: "plain", b: "x-s3cr3t-token" },
      list: ["plain", "s3cr3t-token"],
      named: { "s3cr3t-token": "v" },
      code: archive,
    })!.props;
    const secret = async (v: unknown) =>
      await (pulumi.output(v) as unknown as { isSecret: Promise<boolean> }).isSecret;
    assert.equal(out.data.a, "plain");
    assert.equal(await secret(out.data.b), true);
    assert.equal(out.list[0], "plain");
    assert.equal(await secret(out.list[1]), true);
    assert.equal(await secret(out.named), true);
    assert.equal(await secret(out.code), true);
    assert.equal(await h.resolve(out.data.b), "x-s3cr3t-token");
  });
});
