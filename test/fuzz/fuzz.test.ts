/**
 * Issue 11's fuzz test, a few cases per public component (`npm run fuzz` runs 1,000 each): valid
 * args with one field corrupted are rejected naming that field with nothing registered, or are
 * harmless (test/fuzz/fuzz.ts). And the judge itself: a TypeError, an error naming another field,
 * a child registered before the error and an object failing its schema are each caught. (A hang
 * is caught by a time limit; it is not staged here, as the engine would never settle again.)
 */
import { strict as assert } from "assert";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENTS } from "../../cli/schema";
import { components, type Build } from "../core/samples";
import { fuzz, runCase, slots } from "./fuzz";
import * as h from "../harness";
import { rejects } from "../stacks/run";

const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Cases per component in `npm test`: enough to meet every kind of corruption over a week of CI. */
const RUNS = 12;

describe("fuzz: one corrupted field at a time (issue 11)", () => {
  after(() => h.reset());

  for (const component of COMPONENTS)
    it(`${component}: rejected naming the field, or harmless`, async () => {
      // The sample only: building every stack file seed first costs ~30 s (`npm run fuzz` does).
      const counts = await fuzz(component, RUNS, undefined, [
        { valid: components()[component].valid },
      ]);
      assert.deepEqual(counts.failures, []);
      assert.equal(counts.rejected + counts.harmless, RUNS);
    });

  it("slots: every field of a seed, and the known keys it leaves out", () => {
    const at = slots("ServiceAccess", components().ServiceAccess.valid).map((p) => p.join("."));
    assert.ok(at.includes("allow.0.when.0.values.0"), "a leaf deep in a list");
    assert.ok(at.includes("allow.0.paths"), "a known key the seed leaves out");
    assert.ok(at.includes("deny"), "a known top-level key the seed leaves out");
  });

  describe("what it and the audit re-check found, fixed", () => {
    const all = components();
    beforeEach(() => h.reset());
    it("MeshServiceEntry: more than 256 hosts (the ServiceEntry CRD's limit)", async () => {
      const hosts = Array.from({ length: 257 }, (_, i) => `h${i}.example.com`);
      await h.expectInvalid(
        () => all.MeshServiceEntry.build({ ...all.MeshServiceEntry.valid, hosts }),
        "hosts",
        "must be a list of at most 256 items",
      );
    });
    it("IngressRoute: `routes: []` (was a TypeError: no VirtualService to register)", async () => {
      await h.expectInvalid(
        () => all.IngressRoute.build({ ...all.IngressRoute.valid, routes: [] }),
        "routes",
        "[]: must be a list of at least 1 item",
      );
    });
    it("ServiceAccess: a `source.ip` condition value that is no address (the audit's 300.1.1.1/99)", async () => {
      const allow = [{ when: [{ key: "source.ip", values: ["10.0.0.0/8", "300.1.1.1/99"] }] }];
      await h.expectInvalid(
        () => all.ServiceAccess.build({ allow }),
        "allow[0].when[0].values[1]",
        '"300.1.1.1/99": an IPv4/IPv6 address or CIDR range',
      );
    });
    it("ServiceAccess: a selector label value Kubernetes refuses (over 63 characters)", async () => {
      const app = "a".repeat(64);
      await h.expectInvalid(
        () => all.ServiceAccess.build({ ...all.ServiceAccess.valid, selector: { app } }),
        "selector.app",
        "63 characters",
      );
    });
  });

  describe("the audit's crashes, from a stack file: exit 2 naming the key, nothing built", () => {
    const cases: [string, Record<string, unknown>, string][] = [
      [
        "a string where a list goes (was `(r.methods ?? []).forEach is not a function`)",
        {
          services: {
            serverless: { o: { image: "x:1", access: { allow: [{ methods: "GET" }] } } },
          },
        },
        'services.serverless.o.access.allow[0].methods` "GET": must be a list',
      ],
      [
        'a boolean given as a string (`denyByDefault: "false"` acted as true)',
        { services: { namespaces: { shop: { denyByDefault: "false" } } } },
        'services.namespaces.shop.denyByDefault` "false": must be a boolean',
      ],
      [
        'an add-on switched off with "false"',
        { platform: { jaeger: "false" } },
        'platform.jaeger` "false": must be a boolean or',
      ],
    ];
    for (const [what, config, says] of cases)
      it(what, () =>
        rejects(
          { environment: "dev", ...config },
          new RegExp(`^invalid \`mesh-serverless:${escape(says)}`),
        ),
      );
  });

  describe("the judge", () => {
    // A stand-in for a component with each kind of defect, run through runCase's verdict.
    const judge = (build: Build) =>
      runCase(
        "Jaeger",
        { valid: { samplingPercentage: 10 } },
        ["samplingPercentage"],
        -1,
        5000,
        build,
      );
    const problem = async (build: Build) => {
      const outcome = await judge(build);
      assert.equal(outcome.kind, "failure");
      return (outcome as { problem: string }).problem;
    };
    class Broken extends pulumi.ComponentResource {
      constructor(child: boolean, error: (self: pulumi.Resource) => Error) {
        super("test:fuzz:Broken", "broken", {});
        if (child)
          new k8s.core.v1.ConfigMap("early", { metadata: { name: "early" } }, { parent: this });
        throw error(this);
      }
    }
    it("a TypeError is a failure", async () => {
      assert.match(
        await problem(() => new Broken(false, () => new TypeError("x.forEach"))),
        /TypeError/,
      );
    });
    it("an error naming another argument is a failure", async () => {
      const b = () =>
        new Broken(false, () => new pulumi.ResourceError("invalid `other` 1: no", undefined));
      assert.match(await problem(b), /names another argument/);
    });
    it("a child registered before the error is a failure", async () => {
      const b = () =>
        new Broken(
          true,
          (self) => new pulumi.ResourceError("invalid `samplingPercentage` -1: no", self),
        );
      assert.match(await problem(b), /registered before rejecting: early/);
    });
    it("an object failing its schema is a failure", async () => {
      const b = () =>
        new k8s.core.v1.ConfigMap("bad", { metadata: { name: "Not_A_Name" }, data: { a: "b" } });
      assert.match(await problem(b), /Not_A_Name/);
    });
  });
});
