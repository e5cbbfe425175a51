import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as h from "../../harness";
import { ServiceTraffic } from "../../../components/kubernetes/service/service-traffic";
import { ServerlessService } from "../../../components/kubernetes/service/serverless-service";
import { MeshedWorkload } from "../../../components/kubernetes/service/meshed-workload";
import {
  checkSubsetReferences,
  qualifiedHost,
} from "../../../components/kubernetes/service/subsets";
import { spec, T } from "./helpers";

/**
 * Istio's request-routing task layout: one DestinationRule declares the subsets of `reviews`,
 * several VirtualServices route to them.
 * https://istio.io/latest/docs/tasks/traffic-management/request-routing/
 */
const dr = () =>
  new ServiceTraffic("reviews", {
    subsets: ["v1", "v2", "v3"].map((v) => ({ name: v, labels: { version: v } })),
  });
const vs = (name: string, subset: string, extra: Record<string, unknown> = {}) =>
  new ServiceTraffic(name, {
    host: "reviews",
    routes: [{ destinations: [{ subset }] }],
    ...extra,
  });
const PATH = "routes[0].destinations[0].subset";

/** The error of the end-of-program check: on `component`, naming the argument and `mentions`. */
function endFailure(component: unknown, argument: string, ...mentions: string[]): void {
  assert.throws(
    () => checkSubsetReferences(),
    (e: unknown) => {
      assert.ok(e instanceof pulumi.ResourceError, String(e));
      assert.equal((e as { resource?: unknown }).resource, component);
      for (const m of [`\`${argument}\``, ...mentions]) assert.ok(e.message.includes(m), e.message);
      return true;
    },
  );
}

describe("kubernetes/service subsets declared by another component", () => {
  beforeEach(() => h.reset());

  for (const [order, build] of [
    ["DestinationRule first", () => [dr(), vs("reviews-v3", "v3")]],
    ["VirtualService first (checked at the end)", () => [vs("reviews-v3", "v3"), dr()]],
  ] as const)
    it(`routes to a subset another ServiceTraffic declares: ${order}`, async () => {
      build();
      checkSubsetReferences();
      await h.settled();
      assert.deepEqual(spec(T.vs, "default/reviews-v3"), {
        hosts: ["reviews"],
        http: [{ route: [{ destination: { host: "reviews", subset: "v3" } }] }],
      });
      assert.deepEqual(h.names(T.dr), ["default/reviews"]);
      assert.deepEqual(h.names(T.vs), ["default/reviews-v3"]);
    });

  it("a missing subset fails at construction when the declaring component came first, with the fix", async () => {
    dr();
    await h.settled();
    await h.expectInvalid(
      () => vs("reviews-v4", "v4"),
      PATH,
      '"v4"',
      "defined subsets: v1, v2, v3 (declared by default/reviews)",
      "add it to that component's `subsets`",
    );
  });

  it("a missing subset fails at the end of the program when the route came first", async () => {
    const route = vs("reviews-v4", "v4");
    dr();
    endFailure(route, PATH, '"v4"', "defined subsets: v1, v2, v3 (declared by default/reviews)");
    // Reported once: the end check consumes what it checked.
    checkSubsetReferences();
  });

  it("a subset of the component's own host that nothing declares fails at the end", async () => {
    const own = new ServiceTraffic("a", { routes: [{ destinations: [{ subset: "v1" }] }] });
    endFailure(own, PATH, "no component declares subsets of a.default.svc.cluster.local");
  });

  it("another host's subsets may live outside the program; the mirror is checked like a route", async () => {
    new ServiceTraffic("a", {
      routes: [{ destinations: [{ host: "ratings.other.svc.cluster.local", subset: "v1" }] }],
    });
    checkSubsetReferences();
    dr();
    await h.settled();
    await h.expectInvalid(
      () =>
        new ServiceTraffic("m", {
          routes: [{ mirror: { host: "reviews.default.svc.cluster.local", subset: "v9" } }],
        }),
      "routes[0].mirror.subset",
      "defined subsets: v1, v2, v3",
    );
  });

  it("hosts are cluster-qualified: a short name is a Service in the route's own namespace", async () => {
    dr();
    const other = vs("reviews-v1", "v1", { namespace: "other" });
    endFailure(other, PATH, "no component declares subsets of reviews.other.svc.cluster.local");
    vs("fqdn", "v1", { namespace: "other", host: "reviews.default.svc.cluster.local" });
    checkSubsetReferences();
  });

  it("each program run has its own registry", async () => {
    dr();
    await h.reset();
    const route = vs("reviews-v3", "v3");
    endFailure(route, PATH, "no component declares subsets of reviews.default.svc.cluster.local");
  });
});

describe("kubernetes/service subsets: the registry is keyed by the host Istio resolves", () => {
  beforeEach(() => h.reset());

  it("qualifies hosts as Istio's ResolveShortnameToFQDN: short names only, in the rule's namespace", () => {
    assert.equal(qualifiedHost("reviews", "shop"), "reviews.shop.svc.cluster.local");
    assert.equal(
      qualifiedHost("reviews.shop.svc.cluster.local", "other"),
      "reviews.shop.svc.cluster.local",
    );
    // A name with a dot is taken as written (Istio does not expand `reviews.shop`).
    assert.equal(qualifiedHost("reviews.shop", "other"), "reviews.shop");
    assert.equal(qualifiedHost("*", "shop"), "*");
    assert.equal(qualifiedHost("10.0.0.1", "shop"), "10.0.0.1");
    assert.equal(qualifiedHost("::1", "shop"), "::1");
  });

  it("a short name and the FQDN in the same namespace are one host, across component kinds", async () => {
    // The subsets come with a MeshedWorkload's traffic (short host), the route from a
    // ServiceTraffic naming the FQDN, and a ServerlessService's route names the short host.
    new MeshedWorkload("reviews", {
      namespace: "shop",
      image: "reviews:1",
      traffic: { host: "reviews", subsets: [{ name: "v1", labels: { version: "v1" } }] },
    });
    new ServiceTraffic("to-reviews", {
      namespace: "shop",
      host: "reviews.shop.svc.cluster.local",
      routes: [{ destinations: [{ subset: "v1" }] }],
    });
    new ServerlessService("front", {
      namespace: "shop",
      image: "front:1",
      traffic: { routes: [{ destinations: [{ host: "reviews", subset: "v1" }] }] },
    });
    checkSubsetReferences();
    await h.settled();
    assert.deepEqual((spec(T.vs, "shop/to-reviews") as { http: unknown }).http, [
      { route: [{ destination: { host: "reviews.shop.svc.cluster.local", subset: "v1" } }] },
    ]);
    await h.expectInvalid(
      () =>
        new ServiceTraffic("to-v2", {
          namespace: "shop",
          host: "reviews.shop.svc.cluster.local",
          routes: [{ destinations: [{ subset: "v2" }] }],
        }),
      PATH,
      '"v2"',
      "is not a subset of reviews.shop.svc.cluster.local; defined subsets: v1 (declared by shop/reviews)",
    );
  });

  it("`reviews` in two namespaces are two hosts: one's subsets do not serve the other", async () => {
    const subsets = (v: string) => [{ name: v, labels: { version: v } }];
    new ServiceTraffic("reviews", { namespace: "a", subsets: subsets("v1") });
    new ServiceTraffic("reviews", { namespace: "b", subsets: subsets("v2") });
    await h.settled();
    await h.expectInvalid(
      () => vs("a-to-v2", "v2", { namespace: "a" }),
      PATH,
      "is not a subset of reviews.a.svc.cluster.local; defined subsets: v1 (declared by a/reviews)",
    );
    vs("b-to-v2", "v2", { namespace: "b" });
    // From namespace a, b's subsets are reached by b's FQDN.
    vs("a-to-b", "v2", { namespace: "a", host: "reviews.b.svc.cluster.local" });
    checkSubsetReferences();
    await h.settled();
    assert.deepEqual(h.names(T.dr), ["a/reviews", "b/reviews"]);
    assert.deepEqual(h.names(T.vs), ["a/a-to-b", "b/b-to-v2"]);
    assert.deepEqual((spec(T.vs, "a/a-to-b") as { http: unknown }).http, [
      { route: [{ destination: { host: "reviews.b.svc.cluster.local", subset: "v2" } }] },
    ]);
  });

  it("a partly qualified `reviews.shop` is not `reviews.shop.svc.cluster.local` (Istio matches it as written)", async () => {
    new ServiceTraffic("reviews", {
      namespace: "shop",
      subsets: [{ name: "v1", labels: { v: "1" } }],
    });
    const route = vs("partial", "v1", { namespace: "shop", host: "reviews.shop" });
    endFailure(route, PATH, "no component declares subsets of reviews.shop;");
  });
});
