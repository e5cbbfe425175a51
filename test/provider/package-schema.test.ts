import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import Ajv2020 from "ajv/dist/2020";
import { COMPONENTS, PULUMI_SCHEMA, SCHEMA_DIR } from "../../cli/schema";

/**
 * schema/pulumi-package.json, the package schema the provider serves. Its freshness is checked
 * with every other generated schema (test/cli/schema.test.ts); here: that Pulumi would accept it
 * and that it says what the argument schemas say.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const schema: Json = JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, PULUMI_SCHEMA), "utf8"));
const resource = (token: string): Json => schema.resources[`mesh-serverless:${token}`];
const type = (name: string): Json => schema.types[`mesh-serverless:index:${name}`];

// Pulumi's metaschema (pkg/codegen/schema/pulumi.json), read from the upstream data beside the
// repository; never copied into it.
const METASCHEMA = path.resolve(__dirname, "../../../shared/pulumi/package-metaschema.json");

describe("schema/pulumi-package.json: the Pulumi package schema", () => {
  it("is valid against Pulumi's package metaschema", function () {
    if (!fs.existsSync(METASCHEMA)) {
      console.log(`    skipped: ${METASCHEMA} is absent (upstream data lives in ../shared)`);
      this.skip();
    }
    const meta = JSON.parse(fs.readFileSync(METASCHEMA, "utf8"));
    assert.equal(meta.$schema, "https://json-schema.org/draft/2020-12/schema");
    const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
    const validate = ajv.compile(meta);
    assert.equal(validate(schema), true, JSON.stringify(validate.errors?.slice(0, 5), null, 1));
    // The validator is not vacuous: a typeSpec of no known kind and a bad token are rejected.
    const broken = structuredClone(schema);
    broken.resources["mesh-serverless:platform:IstioMesh"].inputProperties.revision = {
      type: "date",
    };
    assert.equal(validate(broken), false);
    assert.equal(validate({ ...schema, name: "1mesh" }), false);
  });

  it("has one component resource per public component, under its type token", () => {
    const tokens = Object.keys(schema.resources);
    assert.equal(tokens.length, COMPONENTS.length);
    assert.deepEqual(tokens.map((t) => t.split(":")[2]).sort(), [...COMPONENTS].sort());
    for (const t of tokens) assert.equal(schema.resources[t].isComponent, true, t);
    assert.equal(schema.name, "mesh-serverless");
  });

  it("resolves every local reference to a type or resource it defines", () => {
    const refs: string[] = [];
    const walk = (n: unknown): void => {
      if (Array.isArray(n)) n.forEach(walk);
      else if (n && typeof n === "object")
        for (const [k, v] of Object.entries(n)) {
          if (k === "$ref") refs.push(v as string);
          else walk(v);
        }
    };
    walk(schema);
    const local = refs.filter((r) => r.startsWith("#/"));
    assert.ok(local.length > 100, String(local.length));
    for (const r of local) {
      const [, kind, token] = r.split("/");
      assert.ok(schema[kind]?.[token], `dangling ${r}`);
    }
    assert.deepEqual([...new Set(refs.filter((r) => !r.startsWith("#/")))].sort(), [
      "pulumi.json#/Any",
      "pulumi.json#/Archive",
    ]);
  });

  it("maps the argument types the component analyzer rejects", () => {
    // `string | NamespaceRef`: a name, or a MeshNamespace.
    assert.deepEqual(resource("service:ServerlessService").inputProperties.namespace.oneOf, [
      { type: "string" },
      { $ref: "#/resources/mesh-serverless:service:MeshNamespace" },
    ]);
    // A component class as an argument: a resource reference, plain (the instance is needed).
    const fn = resource("aws:MeshedFunction");
    assert.equal(fn.inputProperties.network.$ref, "#/resources/mesh-serverless:aws:MeshNetwork");
    assert.equal(fn.inputProperties.network.plain, true);
    assert.deepEqual(fn.inputProperties.backends.items, {
      $ref: "#/resources/mesh-serverless:aws:MeshedFunction",
      plain: true,
    });
    assert.equal(fn.inputProperties.code.$ref, "pulumi.json#/Archive");
    assert.deepEqual(fn.requiredInputs, ["network"]);
    // A string literal union: an enum type.
    assert.deepEqual(type("IstioProfile").enum, [{ value: "default" }, { value: "ambient" }]);
    assert.equal(type("IstioProfile").type, "string");
    // `IstioGatewayArgs | false`: a union of the object and a boolean.
    assert.deepEqual(resource("platform:IstioMesh").inputProperties.gateway.oneOf, [
      { $ref: "#/types/mesh-serverless:index:IstioGatewayArgs" },
      { type: "boolean" },
    ]);
    // A union of objects told apart by `type`: a discriminator, and the literal as a const.
    assert.deepEqual(resource("platform:Fluentd").inputProperties.output.discriminator, {
      propertyName: "type",
      mapping: {
        elasticsearch: "#/types/mesh-serverless:index:SearchOutput",
        opensearch: "#/types/mesh-serverless:index:SearchOutput",
        stdout: "#/types/mesh-serverless:index:StdoutOutput",
      },
    });
    assert.equal(type("StdoutOutput").properties.type.const, "stdout");
    // The two MeshNetwork backends: one input bag, the selector an enum of both.
    const net = resource("aws:MeshNetwork");
    assert.deepEqual(
      type("MeshNetworkArgsBackend").enum.map((e: Json) => e.value),
      ["vpc-lattice", "app-mesh"],
    );
    for (const [key, options] of [
      ["lattice", "LatticeNetworkOptions"],
      ["appMesh", "AppMeshNetworkOptions"],
    ]) {
      assert.equal(net.inputProperties[key].$ref, `#/types/mesh-serverless:index:${options}`, key);
      assert.equal(net.inputProperties[key].plain, true, key);
    }
  });

  it("lets `pulumi.Input<T>` arguments take eventual values and keeps every other level plain", () => {
    const lattice = type("LatticeNetworkOptionsVpcsItem");
    assert.deepEqual(lattice.properties.vpcId.type, "string");
    assert.equal(lattice.properties.vpcId.plain, undefined, "an Input<string> takes an Output");
    const istio = resource("platform:IstioMesh").inputProperties;
    assert.equal(istio.revision.plain, true, "a revision names resources: plain");
  });

  it("exposes flat values and resources as outputs, and says what stays TypeScript-only", () => {
    const fn = resource("aws:MeshedFunction");
    assert.deepEqual(fn.properties.functionArn, { type: "string" });
    assert.deepEqual(fn.properties.role, { $ref: "pulumi.json#/Any" });
    // Every output but the optional `url` (a function without a URL has none).
    assert.deepEqual(fn.required, [
      "role",
      "function",
      "aliases",
      "urls",
      "urlPermissions",
      "rolePolicies",
      "cloudMapService",
      "instance",
      "functionArn",
      "functionName",
      "roleArn",
      "aliasArn",
      "meshAddress",
    ]);
    assert.match(fn.description, /TypeScript only \(no cross-language form\): `backendRef`/);
    const platform = resource("platform:MeshPlatform");
    assert.deepEqual(platform.properties.istio, {
      $ref: "#/resources/mesh-serverless:platform:IstioMesh",
    });
    assert.equal(platform.properties.mesh.$ref, "#/types/mesh-serverless:index:MeshInfo");
  });
});
