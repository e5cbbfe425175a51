import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { COMPONENTS, generateSchemas, SCHEMA_DIR } from "../../cli/schema";
import { schemaProblem } from "../../components/core/args-schema";

describe("cli/schema", () => {
  // One generation for the whole file (about 5 s: building the TypeScript program dominates).
  let generated: Map<string, string>;
  before(function () {
    this.timeout(60_000);
    generated = generateSchemas();
  });

  it("the committed schema/ is what `npm run schema` generates from the types now", () => {
    const committed = fs.readdirSync(SCHEMA_DIR).sort();
    assert.deepEqual(committed, [...generated.keys()].sort(), "schema/ has other files");
    for (const [name, text] of generated) {
      const onDisk = fs.readFileSync(path.join(SCHEMA_DIR, name), "utf8");
      assert.equal(onDisk, text, `schema/${name} is stale: run \`npm run schema\``);
    }
  });

  it("has one schema per public component, rejecting unknown keys at the top", () => {
    for (const c of COMPONENTS) {
      const schema = JSON.parse(generated.get(`${c}.schema.json`)!);
      const root = schema.definitions[`${c}Args`];
      assert.equal(schema.$ref, `#/definitions/${c}Args`);
      // A union (MeshNetwork: one branch per backend) closes every branch.
      const branches = root.anyOf
        ? root.anyOf.map((b: { $ref: string }) => schema.definitions[b.$ref.split("/").pop()!])
        : [root];
      for (const b of branches) assert.equal(b.additionalProperties, false, c);
    }
  });

  it("carries TSDoc descriptions and @defaults", () => {
    const s = JSON.parse(generated.get("ServerlessService.schema.json")!);
    const scale = s.definitions.ScaleArgs.properties;
    assert.equal(scale.window.default, "60s");
    assert.equal(scale.initial.default, 1);
    // A prose default is no value of the type: it goes into the description instead.
    assert.equal(scale.min.default, undefined);
    assert.match(
      scale.min.description,
      /^Replicas kept even without traffic.* Default: 0 \(scale to zero\)\.$/,
    );
  });

  it("writes class instances and Outputs as x-instance-of, never as their fields", () => {
    const f = JSON.parse(generated.get("MeshedFunction.schema.json")!);
    const props = f.definitions.MeshedFunctionArgs.properties;
    assert.equal(props.network["x-instance-of"], "MeshNetwork");
    assert.equal(props.code["x-instance-of"], "Archive");
    assert.deepEqual(props.backends.items, { "x-instance-of": "MeshedFunction" });
    assert.deepEqual(f.definitions["Input<string>"].anyOf, [
      { type: "string" },
      { "x-instance-of": "Output" },
    ]);
    // A MeshNamespace passed as `namespace` carries more than NamespaceRef's two fields.
    const st = JSON.parse(generated.get("ServiceTraffic.schema.json")!);
    assert.equal(st.definitions.NamespaceRef.additionalProperties, undefined);
    assert.deepEqual(st.definitions.NamespaceRef.required, ["namespace", "resource"]);
  });

  it("attaches the upstream field names to the objects that express them", () => {
    const st = JSON.parse(generated.get("ServiceTraffic.schema.json")!);
    const route = st.definitions.HttpRouteArgs;
    assert.equal(route["x-key-hints"].route, "upstream's `route` is `destinations` here");
    assert.equal(
      route.properties.fault.properties.delay["x-key-hints"].percentage,
      "upstream's `percentage` is `percent` here",
    );
  });
});

describe("stacks/Pulumi.*.yaml and the stack schema", () => {
  const dir = path.join(__dirname, "..", "..", "stacks");
  const files = fs.readdirSync(dir).filter((f) => /^Pulumi\..+\.yaml$/.test(f));
  const schema = JSON.parse(
    fs.readFileSync(path.join(SCHEMA_DIR, "stack-config.schema.json"), "utf8"),
  );

  it("every stack file names the schema for editors and is valid against it", () => {
    assert.ok(files.length >= 5, files.join(", "));
    for (const f of files) {
      const text = fs.readFileSync(path.join(dir, f), "utf8");
      assert.equal(
        text.split("\n")[0],
        "# yaml-language-server: $schema=../schema/stack-config.schema.json",
        f,
      );
      assert.equal(schemaProblem(schema, parse(text)), undefined, f);
    }
  });

  it("rejects an unknown key anywhere in a stack file, a secure value where a string goes is fine", () => {
    const file = (config: Record<string, unknown>) => ({
      config: { "mesh-serverless:environment": "dev", ...config },
    });
    assert.equal(
      schemaProblem(schema, file({ "mesh-serverless:kubeconfig": { secure: "v1:abc" } })),
      undefined,
    );
    assert.equal(schemaProblem(schema, file({ "aws:region": "eu-west-1" })), undefined);
    assert.equal(
      schemaProblem(
        schema,
        file({
          "mesh-serverless:services": { serverless: { o: { image: "i", scale: { mn: 1 } } } },
        }),
      ),
      "invalid `config.mesh-serverless:services.serverless.o.scale.mn` 1: unknown key; did you mean `min`? (known keys: min, max, initial, target, metric, targetUtilizationPercentage, scaleDownDelay, window, class, targetBurstCapacity)",
    );
    assert.match(
      schemaProblem(schema, file({ "mesh-serverless:platfrom": {} }))!,
      /^invalid `config.mesh-serverless:platfrom` \{\}: unknown key; did you mean `mesh-serverless:platform`\?/,
    );
  });
});
