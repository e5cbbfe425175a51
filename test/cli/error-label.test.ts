import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { errorText, resourceLabel } from "../../cli/render";
import { ServerlessService } from "../../components/kubernetes/service/serverless-service";
import { ServiceTraffic } from "../../components/kubernetes/service/service-traffic";
import { ServiceAccess } from "../../components/kubernetes/service/service-access";
import { MeshNamespace } from "../../components/kubernetes/service/mesh-namespace";
import { checkSubsetReferences } from "../../components/kubernetes/service/subsets";
import * as h from "../harness";

/** What the renderer prints for the error `build` throws (as cli/render.ts main does). */
async function printed(build: () => unknown): Promise<string> {
  try {
    build();
  } catch (err) {
    return errorText(err, await resourceLabel(err));
  }
  assert.fail("expected an error");
}

describe("cli/render: an error line names the component type and its namespace/name", () => {
  beforeEach(() => h.reset());

  it("a namespaced component given a namespace name", async () => {
    assert.equal(
      await printed(
        () =>
          new ServerlessService("orders", {
            namespace: "shop",
            image: "i:1",
            containerConcurrency: -1,
          }),
      ),
      "render failed: ServerlessService shop/orders: invalid `containerConcurrency` -1: must be an integer from 0 to 1000",
    );
  });

  it("the default namespace when none is given; a schema error the same way", async () => {
    assert.equal(
      await printed(() => new ServiceTraffic("reviews", { routes: [{ timeout: "soon" }] })),
      'render failed: ServiceTraffic default/reviews: invalid `routes[0].timeout` "soon": must be a duration such as "250ms", "10s", "15m" or "1h30m" (units h, m, s, ms, us, ns)',
    );
    assert.match(
      await printed(
        () =>
          new ServiceTraffic("reviews", {
            subsets: [{ name: "v1", labels: {}, lables: {} }],
          } as never),
      ),
      /^render failed: ServiceTraffic default\/reviews: invalid `subsets\[0\]\.lables`/,
    );
  });

  it("a namespace given as a MeshNamespace; a component without a namespace by name alone", async () => {
    const shop = new MeshNamespace("shop");
    assert.match(
      await printed(() => new ServiceAccess("a", { namespace: shop, allow: [{}] })),
      /^render failed: ServiceAccess shop\/a: invalid `allow\[0\]`/,
    );
    assert.match(
      await printed(() => new MeshNamespace("sandbox", { mtsl: "STRICT" } as never)),
      /^render failed: MeshNamespace sandbox: invalid `mtsl`/,
    );
  });

  it("a route's subset checked at the end of the program names the route's component", async () => {
    new ServiceTraffic("reviews-v4", {
      namespace: "shop",
      host: "reviews",
      routes: [{ destinations: [{ subset: "v4" }] }],
    });
    assert.match(
      await printed(() => checkSubsetReferences()),
      /^render failed: ServiceTraffic shop\/reviews-v4: invalid `routes\[0\]\.destinations\[0\]\.subset` "v4": no component declares subsets of reviews\.shop\.svc\.cluster\.local/,
    );
  });

  it("an error about no component has no label", async () => {
    assert.equal(await resourceLabel(new Error("x")), undefined);
    assert.equal(await resourceLabel(new pulumi.ResourceError("x", undefined)), undefined);
  });
});
