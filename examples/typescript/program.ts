// A consumer's program: a meshed namespace, a serverless service in it and a canary split between
// two revisions' subsets. A consumer imports "mesh-serverless"; inside this repository the example
// imports the same public entry by path, so `npm test` typechecks it against the current API.
import * as pulumi from "@pulumi/pulumi";
import { MeshInfo, MeshNamespace, ServerlessService, ServiceTraffic } from "../../components";

export interface Shop {
  namespace: MeshNamespace;
  orders: ServerlessService;
  traffic: ServiceTraffic;
  url: pulumi.Output<string>;
}

/** The platform is installed by other means: `mesh` describes it (every field has a default). */
export function shop(mesh: MeshInfo = { domain: "shop.example.com" }): Shop {
  const namespace = new MeshNamespace("shop", { mesh, denyByDefault: false });
  const orders = new ServerlessService("orders", {
    namespace,
    mesh,
    image: "ghcr.io/example/orders:1.4.0",
    env: { LOG_LEVEL: "info" },
    scale: { min: 1, max: 10 },
  });
  const traffic = new ServiceTraffic("orders-canary", {
    namespace,
    mesh,
    host: "orders-internal",
    subsets: [
      { name: "stable", labels: { version: "1.4.0" } },
      { name: "canary", labels: { version: "1.5.0" } },
    ],
    routes: [
      {
        destinations: [
          { subset: "stable", weight: 90 },
          { subset: "canary", weight: 10 },
        ],
      },
    ],
  });
  return { namespace, orders, traffic, url: orders.url };
}
