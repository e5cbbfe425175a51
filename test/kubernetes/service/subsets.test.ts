import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as h from "../../harness";
import { ServiceTraffic } from "../../../components/kubernetes/service/service-traffic";
import { checkSubsetReferences } from "../../../components/kubernetes/service/subsets";
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
