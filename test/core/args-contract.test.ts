/**
 * The argument contract end to end: the cases issue #10 found (upstream field names, misspellings
 * that were silently dropped), unknown keys at three depths in every public component and every
 * stack section, through the TypeScript API (a ResourceError at construction, nothing below the
 * component registered) and through a stack file (a StackConfigError with the full config path,
 * exit 2, nothing registered); and a property: valid args plus one unknown key anywhere it is not
 * allowed are rejected naming that key's path.
 */
import { strict as assert } from "assert";
import fc from "fast-check";
import * as pulumi from "@pulumi/pulumi";
import * as h from "../harness";
import { rejects, run } from "../stacks/run";
import { resourceLabel } from "../../cli/render";
import { COMPONENTS } from "../../cli/schema";
import { components } from "./samples";
import { schemaOf } from "./schema-places";
import { pathText } from "../fuzz/fuzz";
import { refName } from "../../components/core/schema-refs";

type Args = Record<string, unknown>;

type Json = Record<string, unknown>;

/** The object schema that applies at `at` in `value` (following $ref, items, properties). */
function closedAt(root: Json, at: (string | number)[]): Json | undefined {
  const defs = root.definitions as Record<string, Json>;
  const deref = (s: Json | undefined): Json | undefined => {
    if (!s) return undefined;
    if (typeof s.$ref === "string") return deref(defs[refName(s.$ref)]);
    if (Array.isArray(s.anyOf)) {
      const object = (s.anyOf as Json[]).map(deref).find((b) => b?.type === "object");
      const array = (s.anyOf as Json[]).map(deref).find((b) => b?.type === "array");
      return object ?? array;
    }
    return s;
  };
  let s = deref(root);
  for (const seg of at) {
    s =
      typeof seg === "number"
        ? deref(s?.items as Json)
        : deref((s?.properties as Json)?.[seg] as Json);
  }
  return s?.type === "object" && s.additionalProperties === false ? s : undefined;
}

/** Every path in `value` to a plain object whose schema rejects unknown keys. */
function closedPaths(
  root: Json,
  value: unknown,
  at: (string | number)[] = [],
): (string | number)[][] {
  const out: (string | number)[][] = [];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...closedPaths(root, v, [...at, i])));
  else if (
    value !== null &&
    typeof value === "object" &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    if (closedAt(root, at)) out.push(at);
    for (const [k, v] of Object.entries(value)) out.push(...closedPaths(root, v, [...at, k]));
  }
  return out;
}

function withKey(value: Args, at: (string | number)[], key: string, v: unknown): Args {
  const copy = structuredClone(value) as Args;
  let o: Record<string | number, unknown> = copy;
  for (const seg of at) o = o[seg] as Record<string | number, unknown>;
  o[key] = v;
  return copy;
}

describe("the argument contract (issue #10)", () => {
  const all = components();
  beforeEach(() => h.reset());

  it("covers every public component", () => {
    assert.deepEqual(Object.keys(all).sort(), [...COMPONENTS].sort());
  });

  it("every component builds from its valid sample (the cases below only add one mistake)", async () => {
    for (const [name, { build, valid }] of Object.entries(all)) {
      await h.reset();
      assert.doesNotThrow(() => build(valid), name);
    }
  });

  describe("the cases the issue found, through the TypeScript API and a stack file", () => {
    const cases: [string, string, Args, string, string, string][] = [
      // [title, services kind, args, argument path, value, what the message says]
      [
        "Istio's fault.delay.percentage",
        "traffic",
        { routes: [{ fault: { delay: { fixedDelay: "5s", percentage: { value: 10 } } } }] },
        "routes[0].fault.delay.percentage",
        '{"value":10}',
        "upstream's `percentage` is `percent` here",
      ],
      [
        "Istio's route: [{ destination }]",
        "traffic",
        { routes: [{ route: [{ destination: { host: "reviews", subset: "v2" } }] }] },
        "routes[0].route",
        '[{"destination":{"host":"reviews","subset":"v2"}}]',
        "upstream's `route` is `destinations` here",
      ],
      [
        "Knative's revisionName in a traffic split",
        "serverless",
        { image: "i:1", traffic: { revisions: [{ revisionName: "orders-00001", percent: 100 }] } },
        "traffic.revisions[0].revisionName",
        '"orders-00001"',
        "upstream's `revisionName` is `revision` here",
      ],
      [
        "Knative's minScale",
        "serverless",
        { image: "i:1", scale: { minScale: 1, maxScale: 5 } },
        "scale.minScale",
        "1",
        "upstream's `minScale` is `min` here",
      ],
      [
        "a misspelt scale.min",
        "serverless",
        { image: "i:1", scale: { mn: 1 } },
        "scale.mn",
        "1",
        "did you mean `min`?",
      ],
      [
        "a misspelt access.allow",
        "serverless",
        { image: "i:1", access: { alow: [{ namespaces: ["web"] }] } },
        "access.alow",
        '[{"namespaces":["web"]}]',
        "did you mean `allow`?",
      ],
      [
        "outlierDetection.maxEjectionPercentage",
        "traffic",
        { policy: { outlierDetection: { maxEjectionPercentage: 50 } } },
        "policy.outlierDetection.maxEjectionPercentage",
        "50",
        "did you mean `maxEjectionPercent`?",
      ],
      [
        "a port out of range",
        "workloads",
        { image: "i:1", ports: [{ containerPort: 99999 }] },
        "ports[0].containerPort",
        "99999",
        "must be an integer from 1 to 65535",
      ],
    ];
    const names: Record<string, string> = {
      ServiceTraffic: "reviews",
      ServerlessService: "orders",
      MeshedWorkload: "catalog",
    };
    const kinds: Record<string, string> = {
      traffic: "ServiceTraffic",
      serverless: "ServerlessService",
      workloads: "MeshedWorkload",
    };
    const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    for (const [title, kind, args, argument, value, says] of cases) {
      it(title, async () => {
        const component = kinds[kind];
        const { build } = all[component as keyof typeof all];
        const error = await h.expectInvalid(() => build(args), argument, value, says);
        // The renderer prefixes the message with the component it is about, namespace/name.
        assert.equal(await resourceLabel(error), `${component} default/${names[component]}`);
        const config = { environment: "dev", services: { [kind]: { orders: args } } };
        const full = `invalid \`mesh-serverless:services.${kind}.orders.${argument}\` ${value}: `;
        if (says.startsWith("must be")) {
          // A range is the component's own check: the schema passes it, the component names it.
          await assert.rejects(run(config), (e: unknown) => {
            assert.ok(e instanceof pulumi.ResourceError, String(e));
            assert.equal(e.message, `invalid \`${argument}\` ${value}: ${says}`);
            return true;
          });
        } else {
          await rejects(config, new RegExp(`^${escape(full)}unknown key; .*${escape(says)}`));
        }
      });
    }
  });

  describe("unknown keys at three depths", () => {
    for (const component of COMPONENTS) {
      it(`${component}: top, middle and deepest closed object of its type`, async () => {
        const { build, valid } = all[component];
        const paths = closedPaths(schemaOf(component), valid);
        const depths = [...new Set(paths.map((p) => p.length))].sort((a, b) => a - b);
        // Three depths where the type has them (IstioMesh, Jaeger, MeshNamespace and
        // MeshServiceEntry nest closed objects two deep).
        assert.ok(depths.length >= 2, `${component}: sample has ${depths.length} depths`);
        const chosen = [depths[0], depths[Math.floor(depths.length / 2)], depths.at(-1)!];
        for (const d of chosen) {
          const at = paths.find((p) => p.length === d)!;
          await h.reset();
          await h.expectInvalidBelow(
            () => build(withKey(valid, at, "bogusKey", 1)),
            pathText([...at, "bogusKey"]),
            "unknown key",
          );
        }
      });
    }

    const sections: [string, Args, string][] = [
      ["the project namespace", { bogus: 1 }, "mesh-serverless:bogus"],
      ["kubernetes", { kubernetes: { contxt: "kind" } }, "mesh-serverless:kubernetes.contxt"],
      ["platform", { platform: { bogus: 1 } }, "mesh-serverless:platform.bogus"],
      [
        "platform.istio",
        { platform: { istio: { bogus: 1 } } },
        "mesh-serverless:platform.istio.bogus",
      ],
      [
        "platform.istio.gateway",
        { platform: { istio: { gateway: { bogus: 1 } } } },
        "mesh-serverless:platform.istio.gateway.bogus",
      ],
      ["services", { services: { bogus: {} } }, "mesh-serverless:services.bogus"],
      [
        "services.serverless.<name>",
        { services: { serverless: { o: { image: "i", bogus: 1 } } } },
        "mesh-serverless:services.serverless.o.bogus",
      ],
      [
        "services.serverless.<name>.scale",
        { services: { serverless: { o: { image: "i", scale: { mn: 1 } } } } },
        "mesh-serverless:services.serverless.o.scale.mn",
      ],
      ["aws", { clouds: ["aws"], aws: { bogus: {} } }, "mesh-serverless:aws.bogus"],
      [
        "aws.networks.<name>",
        { clouds: ["aws"], aws: { networks: { n: { bogus: 1 } } } },
        "mesh-serverless:aws.networks.n.bogus",
      ],
      [
        "aws.functions.<name>.lattice",
        { clouds: ["aws"], aws: { functions: { f: { network: "n", lattice: { bogus: 1 } } } } },
        "mesh-serverless:aws.functions.f.lattice.bogus",
      ],
    ];
    for (const [title, config, key] of sections) {
      it(`stack section ${title}: exit 2 with the full config path, nothing built`, async () => {
        await rejects(
          { environment: "dev", ...config },
          new RegExp(`^invalid \`${escapeRe(key)}\` .*: unknown key`),
        );
      });
    }
  });

  describe("property: valid args plus one unknown key anywhere it is not allowed", () => {
    for (const component of COMPONENTS) {
      it(`${component} rejects it naming that key's path`, async () => {
        const { build, valid } = all[component];
        const paths = closedPaths(schemaOf(component), valid);
        await fc.assert(
          fc.asyncProperty(
            fc.constantFrom(...paths),
            fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,11}$/),
            fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant({})),
            async (at, key, value) => {
              const known = Object.keys(
                (closedAt(schemaOf(component), at)!.properties ?? {}) as Json,
              );
              fc.pre(!known.includes(key));
              let error: unknown;
              try {
                build(withKey(valid, at, key, value));
              } catch (e) {
                error = e;
              }
              assert.ok(error instanceof pulumi.ResourceError, String(error));
              assert.ok(
                error.message.startsWith(`invalid \`${pathText([...at, key])}\` `),
                error.message,
              );
              assert.ok(error.message.includes("unknown key"), error.message);
            },
          ),
          { numRuns: 25 },
        );
      });
    }
  });
});

function escapeRe(t: string): string {
  return t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
