import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { COMPONENTS, generateSchemas, SCHEMA_DIR } from "../../cli/schema";

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
      assert.equal(root.additionalProperties, false, c);
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
    assert.equal(route["x-upstream-keys"].route, "`destinations`");
    assert.equal(
      route.properties.fault.properties.delay["x-upstream-keys"].percentage,
      "`percent`",
    );
  });
});
