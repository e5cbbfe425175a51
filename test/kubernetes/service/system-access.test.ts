import { strict as assert } from "assert";
import * as h from "../../harness";
import { ServerlessService } from "../../../components/kubernetes/service/serverless-service";
import { MeshedWorkload } from "../../../components/kubernetes/service/meshed-workload";
import { ServiceAccess } from "../../../components/kubernetes/service/service-access";
import { spec, T } from "./helpers";

const caller = { serviceAccounts: ["web/frontend"], methods: ["GET"] };
const frontend = {
  from: [{ source: { principals: ["cluster.local/ns/web/sa/frontend"] } }],
  to: [{ operation: { methods: ["GET"] } }],
};

describe("kubernetes/service access for Knative's system pods", () => {
  beforeEach(() => h.reset());

  it("a Knative service also admits its platform's knative-serving namespace", async () => {
    new ServerlessService("orders", {
      namespace: "shop",
      image: "ghcr.io/example/orders:1",
      mesh: { knativeNamespace: "serving" },
      access: { allow: [caller] },
    });
    await h.settled();
    assert.deepEqual((spec(T.ap, "shop/orders") as { rules: unknown[] }).rules, [
      frontend,
      { from: [{ source: { namespaces: ["serving"] } }] },
    ]);
  });

  it("allow: [] stays allow-nothing, and a plain workload gets no system rule", async () => {
    new ServerlessService("closed", {
      namespace: "shop",
      image: "ghcr.io/example/closed:1",
      access: { allow: [] },
    });
    new MeshedWorkload("catalog", {
      namespace: "shop",
      image: "ghcr.io/example/catalog:1",
      access: { allow: [caller] },
    });
    await h.settled();
    assert.deepEqual(spec(T.ap, "shop/closed"), {
      selector: { matchLabels: { app: "closed" } },
      action: "ALLOW",
    });
    assert.deepEqual((spec(T.ap, "shop/catalog") as { rules: unknown[] }).rules, [frontend]);
  });

  it("systemNamespaces can be given directly and must be namespace names", async () => {
    new ServiceAccess("batch", { namespace: "jobs", allow: [caller], systemNamespaces: ["ops"] });
    await h.settled();
    assert.deepEqual((spec(T.ap, "jobs/batch") as { rules: unknown[] }).rules, [
      frontend,
      { from: [{ source: { namespaces: ["ops"] } }] },
    ]);
    await h.expectInvalid(
      () =>
        new ServiceAccess("bad", { namespace: "jobs", allow: [caller], systemNamespaces: ["Ops"] }),
      "systemNamespaces[0]",
      '"Ops"',
      "DNS-1123 label",
    );
  });

  it("url: the service's Knative URL on the mesh's domain; cluster-local otherwise", async () => {
    const mesh = { domain: "apps.example.com" };
    const pub = new ServerlessService("orders", { namespace: "shop", image: "i:1", mesh });
    const local = new ServerlessService("jobs", {
      namespace: "shop",
      image: "i:1",
      mesh,
      visibility: "cluster-local",
    });
    const bare = new ServerlessService("bare", { namespace: "shop", image: "i:1" });
    assert.equal(await h.resolve(pub.url), "http://orders.shop.apps.example.com");
    assert.equal(await h.resolve(local.url), "http://jobs.shop.svc.cluster.local");
    assert.equal(await h.resolve(bare.url), "http://bare.shop.svc.cluster.local");
  });
});
