import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import * as h from "../harness";
import { shop } from "../../examples/typescript/program";

/**
 * examples/: none can run here (they need the Pulumi CLI, and the Python and YAML ones the SDK
 * `pulumi package add` generates). The TypeScript one runs under the mocks; the YAML program is
 * checked against the package schema the provider serves, as Pulumi YAML would type-check it.
 */
const EXAMPLES = path.join(__dirname, "..", "..", "examples");
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const schema: Json = JSON.parse(
  fs.readFileSync(path.join(__dirname, "..", "..", "schema", "pulumi-package.json"), "utf8"),
);

describe("examples/typescript", () => {
  it("builds the namespace, the service and the canary split, each child under its component", async () => {
    await h.reset();
    shop();
    await h.settled();
    const parents = h
      .resources()
      .map((r) => `${r.type}::${r.name} <- ${h.parentOf(r)?.name ?? "stack"}`)
      .sort();
    assert.deepEqual(parents, [
      "kubernetes:core/v1:Namespace::shop <- shop",
      "kubernetes:networking.istio.io/v1:DestinationRule::shop/orders-canary <- orders-canary",
      "kubernetes:networking.istio.io/v1:VirtualService::shop/orders-canary <- orders-canary",
      "kubernetes:security.istio.io/v1:PeerAuthentication::shop/default <- shop",
      "kubernetes:serving.knative.dev/v1:Service::shop/orders <- orders",
      "mesh-serverless:service:MeshNamespace::shop <- stack",
      "mesh-serverless:service:ServerlessService::orders <- stack",
      "mesh-serverless:service:ServiceTraffic::orders-canary <- stack",
    ]);
    const vs = h.get(
      "kubernetes:networking.istio.io/v1:VirtualService",
      "shop/orders-canary",
    ).inputs;
    assert.deepEqual((vs.spec as Json).http[0].route, [
      { destination: { host: "orders-internal", subset: "stable" }, weight: 90 },
      { destination: { host: "orders-internal", subset: "canary" }, weight: 10 },
    ]);
  });
});

describe("examples/yaml", () => {
  const program = parse(fs.readFileSync(path.join(EXAMPLES, "yaml", "Pulumi.yaml"), "utf8"));

  it("uses only components and arguments the package schema has, with every required one", () => {
    assert.equal(program.packages["mesh-serverless"], "../..");
    const used = Object.entries(program.resources as Record<string, Json>);
    assert.equal(used.length, 3);
    for (const [name, r] of used) {
      const spec = schema.resources[r.type];
      assert.ok(spec, `${name}: ${r.type} is not in the schema`);
      const known = Object.keys(spec.inputProperties);
      for (const key of Object.keys(r.properties))
        assert.ok(known.includes(key), `${name}: ${key} is no input of ${r.type}`);
      for (const key of spec.requiredInputs ?? [])
        assert.ok(key in r.properties, `${name}: ${key} is required`);
    }
  });
});

describe("examples/python", () => {
  it("constructs components the package schema has, by the SDK's module and class names", () => {
    const text = fs.readFileSync(path.join(EXAMPLES, "python", "__main__.py"), "utf8");
    const calls = [...text.matchAll(/mesh\.(\w+)\.(\w+)\(/g)].map(
      ([, module, cls]) => `mesh-serverless:${module}:${cls}`,
    );
    assert.deepEqual(calls, [
      "mesh-serverless:service:MeshNamespace",
      "mesh-serverless:service:ServerlessService",
      "mesh-serverless:service:ServiceTraffic",
    ]);
    for (const c of calls) assert.ok(schema.resources[c], c);
  });
});
