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

  const activator = (ns: string) => `cluster.local/ns/${ns}/sa/activator`;
  const probes = (ns: string) => [
    {
      from: [{ source: { principals: [activator(ns)] } }],
      to: [{ operation: { methods: ["GET"], paths: ["/healthz"] } }],
    },
    {
      from: [{ source: { principals: [`cluster.local/ns/${ns}/sa/controller`] } }],
      to: [{ operation: { methods: ["GET"], paths: ["/metrics"] } }],
    },
  ];

  it("a Knative service admits the activator only for what its callers may do", async () => {
    new ServerlessService("orders", {
      namespace: "shop",
      image: "ghcr.io/example/orders:1",
      mesh: { knativeNamespace: "serving" },
      access: { allow: [caller] },
    });
    await h.settled();
    assert.deepEqual((spec(T.ap, "shop/orders") as { rules: unknown[] }).rules, [
      frontend,
      { from: [{ source: { principals: [activator("serving")] } }], to: frontend.to },
      ...probes("serving"),
    ]);
  });

  it("forwarded rules keep operations, JWT identities and request conditions, drop caller ones", async () => {
    const jwt = [{ issuer: "https://auth.example.com" }];
    const when = { key: "request.headers[x-tenant]", values: ["a"] };
    new ServerlessService("pay", {
      namespace: "shop",
      image: "ghcr.io/example/pay:1",
      access: {
        jwt,
        allow: [
          { namespaces: ["web"], paths: ["/pay/*"], ports: [8080], requestPrincipals: ["*"] },
          {
            serviceAccounts: ["ops/admin"],
            when: [when, { key: "source.ip", values: ["10.0.0.0/8"] }],
          },
          // Same operations and conditions as the rule above: forwarded once.
          { principals: ["cluster.local/ns/ops/sa/cron"], when: [when] },
        ],
        trustDomain: "corp.local",
      },
    });
    await h.settled();
    const rules = (spec(T.ap, "shop/pay") as { rules: unknown[] }).rules;
    const act = "corp.local/ns/knative-serving/sa/activator";
    assert.deepEqual(rules.slice(3), [
      {
        from: [{ source: { principals: [act], requestPrincipals: ["*"] } }],
        to: [{ operation: { paths: ["/pay/*"], ports: ["8080"] } }],
      },
      { from: [{ source: { principals: [act] } }], when: [when] },
      {
        from: [{ source: { principals: [act] } }],
        to: [{ operation: { methods: ["GET"], paths: ["/healthz"] } }],
      },
      {
        from: [{ source: { principals: ["corp.local/ns/knative-serving/sa/controller"] } }],
        to: [{ operation: { methods: ["GET"], paths: ["/metrics"] } }],
      },
    ]);
    assert.equal(rules.length, 7);
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  it("target-burst-capacity 0 with caller rules, unless the service sets it", async () => {
    const tbc = "autoscaling.knative.dev/target-burst-capacity";
    const annotations = (n: string) =>
      ((spec(T.ksvc, `shop/${n}`) as { template: { metadata: { annotations?: object } } }).template
        .metadata.annotations ?? {}) as Record<string, string>;
    new ServerlessService("ruled", {
      namespace: "shop",
      image: "i:1",
      access: { allow: [caller] },
    });
    new ServerlessService("own", {
      namespace: "shop",
      image: "i:1",
      scale: { targetBurstCapacity: 50 },
      access: { allow: [caller] },
    });
    new ServerlessService("annotated", {
      namespace: "shop",
      image: "i:1",
      annotations: { [tbc]: "-1" },
      access: { allow: [caller] },
    });
    new ServerlessService("open", { namespace: "shop", image: "i:1" });
    new ServerlessService("closed", { namespace: "shop", image: "i:1", access: { allow: [] } });
    await h.settled();
    assert.equal(annotations("ruled")[tbc], "0");
    assert.equal(annotations("own")[tbc], "50");
    assert.equal(annotations("annotated")[tbc], "-1");
    assert.equal(annotations("open")[tbc], undefined);
    assert.equal(annotations("closed")[tbc], undefined);
    await h.expectInvalid(
      () =>
        new ServerlessService("bad", {
          namespace: "shop",
          image: "i:1",
          scale: { targetBurstCapacity: -2 },
        }),
      "scale.targetBurstCapacity",
      "-2",
    );
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

  it("url: the service's Knative URL on the mesh's domain when public; cluster-local otherwise", async () => {
    const mesh = { domain: "apps.example.com" };
    const pub = new ServerlessService("orders", {
      namespace: "shop",
      image: "i:1",
      mesh,
      public: true,
    });
    const local = new ServerlessService("jobs", { namespace: "shop", image: "i:1", mesh });
    const bare = new ServerlessService("bare", { namespace: "shop", image: "i:1" });
    assert.equal(await h.resolve(pub.url), "http://orders.shop.apps.example.com");
    assert.equal(await h.resolve(local.url), "http://jobs.shop.svc.cluster.local");
    assert.equal(await h.resolve(bare.url), "http://bare.shop.svc.cluster.local");
  });

  it("private unless public: the cluster-local label, also with an ingress route", async () => {
    const vis = "networking.knative.dev/visibility";
    const labels = (n: string) =>
      (h.get(T.ksvc, `shop/${n}`).inputs.metadata as { labels: Record<string, string> }).labels;
    new ServerlessService("routed", {
      namespace: "shop",
      image: "i:1",
      ingress: { hosts: ["shop.example.com"], gateway: "istio-ingress/public" },
    });
    new ServerlessService("published", { namespace: "shop", image: "i:1", public: true });
    new ServerlessService("explicit", { namespace: "shop", image: "i:1", public: false });
    await h.settled();
    assert.equal(labels("routed")[vis], "cluster-local");
    assert.equal(labels("explicit")[vis], "cluster-local");
    assert.equal(labels("published")[vis], undefined);
    await h.expectInvalid(
      () =>
        new ServerlessService("bad", {
          namespace: "shop",
          image: "i:1",
          public: "yes" as unknown as boolean,
        }),
      "public",
      '"yes"',
      "must be a boolean",
    );
  });
});
