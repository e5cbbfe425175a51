import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as h from "../../harness";
import { ArgChecker } from "../../../components/core/validate";
import {
  resolveServerlessService,
  ServerlessService,
} from "../../../components/kubernetes/service/serverless-service";
import { IngressRoute } from "../../../components/kubernetes/service/ingress-route";
import { ServiceAccess } from "../../../components/kubernetes/service/service-access";
import { T } from "./helpers";

/** The value an Input resolves to (an Output's promise), or its rejection. */
function resolved<V>(input: pulumi.Input<V> | undefined): Promise<V> {
  return (pulumi.output(input) as unknown as { promise(): Promise<V> }).promise();
}

const ksvc = () => h.get(T.ksvc, "shop/orders").inputs;
const container = () =>
  (ksvc().spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec
    .containers[0];

/**
 * Issue 13: what a program takes from another resource or a secret (image, env values, Secret
 * names, annotations, public hosts) may be a `pulumi.Input`. Known values are checked at
 * construction as before; an Output when it resolves, with the same message; an unknown value
 * (a preview) is not checked.
 */
describe("kubernetes/service pulumi.Input arguments (issue 13)", () => {
  beforeEach(() => h.reset());

  it("an Output<string> image (an image built earlier) renders into the Knative Service", async () => {
    const built = pulumi.output("registry.example.com/orders@sha256:" + "a".repeat(64));
    new ServerlessService("orders", {
      namespace: "shop",
      image: built,
      env: { REGION: pulumi.output("eu-west-1"), MODE: "live" },
      secretEnv: { DB_PASSWORD: { secret: pulumi.output("orders-db"), key: "password" } },
      annotations: { "example.com/build": pulumi.output("1234") },
    });
    await h.settled();
    assert.equal(container().image, `registry.example.com/orders@sha256:${"a".repeat(64)}`);
    assert.deepEqual(container().env, [
      { name: "REGION", value: "eu-west-1" },
      { name: "MODE", value: "live" },
      {
        name: "DB_PASSWORD",
        valueFrom: { secretKeyRef: { name: "orders-db", key: "password" } },
      },
    ]);
    const template = (ksvc().spec as { template: { metadata: { annotations: unknown } } }).template;
    assert.deepEqual(template.metadata.annotations, { "example.com/build": "1234" });
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  it("a secret env value stays secret in the registered inputs", async () => {
    new ServerlessService("orders", {
      namespace: "shop",
      image: "orders:1",
      env: { TOKEN: pulumi.secret("CANARY-token") },
    });
    await h.settled();
    const r = h.get(T.ksvc, "shop/orders");
    assert.equal(JSON.stringify(r.redacted).includes("CANARY"), false);
    assert.deepEqual(container().env, [{ name: "TOKEN", value: "CANARY-token" }]);
  });

  it("a known bad image fails at construction; an Output resolving to it fails with the same message", async () => {
    const bad = "orders: latest";
    let atOnce = "";
    try {
      new ServerlessService("orders", { namespace: "shop", image: bad });
    } catch (e) {
      atOnce = (e as Error).message;
    }
    assert.match(atOnce, /invalid `image` "orders: latest": a container image reference/);
    await h.reset();
    const component = new pulumi.ComponentResource("test:Fake", "orders");
    const r = resolveServerlessService(new ArgChecker(component), "orders", {
      namespace: "shop",
      image: pulumi.output(bad),
      env: { A: pulumi.output(42 as unknown as string) },
    });
    await assert.rejects(resolved(r.container.image), (e: Error) => {
      assert.equal(e.message, atOnce);
      return true;
    });
    await assert.rejects(resolved(r.container.env.A), /invalid `env.A` 42: a string/);
  });

  it("an unknown image in a preview does not fail", async () => {
    const r = resolveServerlessService(new ArgChecker(), "orders", {
      image: pulumi.output(pulumi.unknown as unknown as string),
    });
    const image = r.container.image as pulumi.Output<string>;
    assert.equal(await (image as unknown as { isKnown: Promise<boolean> }).isKnown, false);
  });

  it("ingress hosts from Outputs render into the VirtualService; a bad one fails under its path", async () => {
    new IngressRoute("web", {
      namespace: "shop",
      gateway: "gw",
      hosts: [pulumi.output("shop.example.com"), "www.example.com"],
    });
    await h.settled();
    const vs = h.get(T.vs, "shop/web").inputs.spec as { hosts: string[] };
    assert.deepEqual(vs.hosts, ["shop.example.com", "www.example.com"]);
    await h.expectInvalid(
      () => new IngressRoute("bad", { gateway: "gw", hosts: ["Not A Host"] }),
      "hosts[0]",
      "a hostname",
    );
  });

  it("an inline JWKS from a secret stays secret in the RequestAuthentication's registered inputs", async () => {
    const jwks = '{"keys":[{"kty":"oct","k":"CANARY-jwks"}]}';
    new ServiceAccess("orders", {
      namespace: "shop",
      jwt: [{ issuer: "https://auth.example.com", jwks: pulumi.secret(jwks) }],
    });
    await h.settled();
    const ra = h.get(T.ra, "shop/orders");
    assert.equal(JSON.stringify(ra.redacted).includes("CANARY"), false);
    assert.deepEqual((ra.inputs.spec as { jwtRules: unknown }).jwtRules, [
      { issuer: "https://auth.example.com", jwks },
    ]);
  });
});
