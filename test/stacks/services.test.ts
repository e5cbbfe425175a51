import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { deployServices } from "../../stacks/services";
import type { ServicesConfig } from "../../stacks/config-types";
import * as h from "../harness";

const section = (value: Record<string, unknown>) => value as ServicesConfig;

/** The messages `pulumi.log.warn` received while `fn` ran. */
async function warnings(fn: () => unknown): Promise<string[]> {
  return (await h.captureWarnings(fn)).map(([msg]) => msg);
}

describe("stacks/services", () => {
  beforeEach(() => h.reset());

  it("warns about a service nobody may call in a deny-by-default namespace", async () => {
    const seen = await warnings(() =>
      deployServices(
        section({
          namespaces: { shop: { denyByDefault: true }, open: {} },
          workloads: {
            catalog: { namespace: "shop", image: "i:1" },
            worker: { namespace: "open", image: "i:1" },
            api: { namespace: "shop", image: "i:1", access: { allow: [{ namespaces: ["web"] }] } },
          },
          serverless: { fn: { namespace: "shop", image: "i:1" } },
        }),
        {},
        {},
      ),
    );
    assert.deepEqual(seen, [
      "services.serverless.fn: namespace shop denies by default and this service has no `access`: every call to it is refused (403)",
      "services.workloads.catalog: namespace shop denies by default and this service has no `access`: every call to it is refused (403)",
    ]);
  });

  it("an ingress to a Knative service goes through Knative's local gateway unless a host is given", async () => {
    const out = deployServices(
      section({
        serverless: {
          orders: {
            namespace: "shop",
            image: "i:1",
            ingress: { gateway: "shop/public", hosts: ["a.example.com"] },
          },
          direct: {
            namespace: "shop",
            image: "i:1",
            ingress: {
              gateway: "shop/public",
              hosts: ["b.example.com"],
              host: "direct-private.shop.svc.cluster.local",
            },
          },
        },
      }),
      { rootNamespace: "mesh-root" },
      {},
    );
    await h.settled();
    const vs = (name: string) =>
      h.get("kubernetes:networking.istio.io/v1:VirtualService", `shop/${name}`).inputs.spec;
    assert.deepEqual(vs("orders-ingress-route"), {
      hosts: ["a.example.com"],
      gateways: ["shop/public"],
      http: [
        {
          route: [
            {
              destination: {
                host: "knative-local-gateway.mesh-root.svc.cluster.local",
                port: { number: 80 },
              },
            },
          ],
          rewrite: { authority: "orders.shop.svc.cluster.local" },
        },
      ],
    });
    assert.deepEqual(vs("direct-ingress-route"), {
      hosts: ["b.example.com"],
      gateways: ["shop/public"],
      http: [{ route: [{ destination: { host: "direct-private.shop.svc.cluster.local" } }] }],
    });
    assert.deepEqual(await h.resolve(out.serviceUrls as pulumi.Input<Record<string, string>>), {
      direct: "http://direct.shop.svc.cluster.local",
      orders: "http://orders.shop.svc.cluster.local",
    });
  });
});
