import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { protect, readConfig, StackConfigError } from "../../stacks/config";
import * as h from "../harness";

describe("stacks/config", () => {
  afterEach(() => h.reset());

  it("reads the project's keys once, structured values parsed, other namespaces left alone", async () => {
    await h.reset({
      config: {
        "mesh-serverless:environment": "dev",
        "mesh-serverless:clouds": '["kubernetes","aws"]',
        "mesh-serverless:kubernetes": '{"context":"kind-mesh"}',
        "aws:region": "eu-west-1",
      },
    });
    assert.deepEqual(readConfig(), {
      environment: "dev",
      clouds: ["kubernetes", "aws"],
      kubernetes: { context: "kind-mesh" },
    });
  });

  it("never shows a secret key's value in an error", async () => {
    await h.reset({
      config: {
        "mesh-serverless:environment": "dev",
        "mesh-serverless:aws": '{"functions":{"f":{"network":"n","environment":{"TOKEN":5}}}}',
      },
      secretKeys: ["mesh-serverless:aws"],
    });
    assert.throws(
      () => readConfig(),
      (e: unknown) =>
        e instanceof StackConfigError &&
        e.message ===
          'invalid `mesh-serverless:aws.functions.f.environment.TOKEN` "[secret]": must be a string or a `secure:` value',
    );
  });

  it("takes AUDIT and CUSTOM access in the stack file, and names a misspelt provider key by its full path", async () => {
    const access = {
      custom: { provider: { name: "ext-authz" }, rules: [{ paths: ["/api/*"] }] },
      audit: [{ methods: ["DELETE"] }],
    };
    const services = (a: unknown) =>
      JSON.stringify({ access: { orders: { namespace: "shop", ...(a as object) } } });
    const env = { "mesh-serverless:environment": "dev" };
    await h.reset({ config: { ...env, "mesh-serverless:services": services(access) } });
    assert.deepEqual(readConfig(), {
      environment: "dev",
      services: { access: { orders: { namespace: "shop", ...access } } },
    });
    await h.reset({
      config: {
        ...env,
        "mesh-serverless:services": services({ custom: { provider: { name: "x", nmae: "x" } } }),
      },
    });
    assert.throws(
      () => readConfig(),
      (e: unknown) =>
        e instanceof StackConfigError &&
        e.message.includes("`mesh-serverless:services.access.orders.custom.provider.nmae`") &&
        e.message.includes("name"),
    );
  });

  it("keeps values under a key holding a secure value secret; plain keys stay plain", async () => {
    await h.reset({ config: {}, secretKeys: ["mesh-serverless:aws"] });
    const token = pulumi.output(
      protect("mesh-serverless:aws", "[secret]"),
    ) as pulumi.Output<string> & {
      isSecret: Promise<boolean>;
    };
    assert.equal(await token.isSecret, true);
    assert.equal(await h.resolve(token), "[secret]");
    assert.equal(protect("mesh-serverless:services", "b"), "b");
  });
});
