/**
 * The validators the command-line tools cache (components/core/args-validator.ts, issue 17): a
 * validator loaded from ajv's standalone code must accept and reject exactly what the compiled
 * one does, with the same errors (core/args-schema.ts turns them into the messages), including
 * `x-instance-of`, whose check the cached code takes as a parameter.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { isInstanceOf } from "../../components/core/args-schema";
import { ArgsValidators, TOOLS_CACHE, type ToolsCache } from "../../components/core/args-validator";
import { COMPONENTS, STACK_SCHEMA } from "../../cli/schema";
import { components } from "./samples";
import { corrupt, slots } from "../fuzz/fuzz";

const SCHEMA_DIR = path.join(__dirname, "..", "..", "schema");
const schemaFile = (file: string): object =>
  JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, file), "utf8")) as object;
// The tools' cache as cli/start.js makes it (plain JavaScript; start.js itself would install its
// require hooks in mocha's process).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { toolsCache } = require("../../cli/cache.js") as { toolsCache(root: string): ToolsCache };

/** ArgsValidators as the command-line tools make them: with a cache in `dir`. */
function cachedValidators(dir: string | undefined): ArgsValidators {
  const g = globalThis as Record<symbol, unknown>;
  const before = g[TOOLS_CACHE];
  g[TOOLS_CACHE] = dir === undefined ? undefined : toolsCache(dir);
  try {
    return new ArgsValidators(isInstanceOf);
  } finally {
    g[TOOLS_CACHE] = before;
  }
}

describe("cached argument validators (issue 17)", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "validators-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("writes one file per schema, and the next process loads it instead of compiling", () => {
    const schema = schemaFile("Jaeger.schema.json");
    const first = cachedValidators(dir).compile(schema);
    const files = fs.readdirSync(path.join(dir, "validators"));
    assert.equal(files.length, 1);
    assert.match(files[0], /^[0-9a-f]{40}\.js$/);
    // ajv's compiled function carries its schema environment; the standalone one does not.
    assert.ok("schemaEnv" in first);
    const again = cachedValidators(dir).compile(schema);
    assert.ok(!("schemaEnv" in (again as object)));
    assert.equal(fs.readdirSync(path.join(dir, "validators")).length, 1);
    // Without a cache directory (a program using the package) nothing is written.
    const plain = cachedValidators(undefined).compile(schema);
    assert.ok("schemaEnv" in plain);
  });

  it("a cache that cannot be written only means compiling again", () => {
    const blocked = path.join(dir, "file");
    fs.writeFileSync(blocked, "");
    const v = cachedValidators(blocked).compile(schemaFile("Jaeger.schema.json"));
    assert.equal(v({ namespace: "tracing" }), true);
    assert.equal(v({ namespace: 1 }), false);
  });

  for (const component of COMPONENTS)
    it(`${component}: the cached validator gives the compiled one's verdicts and errors`, () => {
      const schema = schemaFile(`${component}.schema.json`);
      const compiled = cachedValidators(undefined).compile(schema);
      cachedValidators(dir).compile(schema);
      const cached = cachedValidators(dir).compile(schema);
      assert.ok(!("schemaEnv" in (cached as object)));
      const { valid } = components()[component];
      const cases: unknown[] = [valid];
      for (const at of slots(component, valid))
        for (const v of [42, "x", null, {}, [], [42], { unknownKey: 1 }, true])
          cases.push(corrupt(valid, at, v));
      let rejected = 0;
      for (const args of cases) {
        const ok = compiled(args);
        assert.equal(cached(args), ok, JSON.stringify(args));
        assert.deepEqual(cached.errors ?? null, compiled.errors ?? null);
        if (!ok) rejected++;
      }
      assert.ok(rejected > 0);
      // MeshedFunction's sample gets its (required) network when it is built.
      if (component !== "MeshedFunction") assert.ok(rejected < cases.length);
    });

  it("the stack file's schema: the same verdicts and errors from the cache", () => {
    const schema = schemaFile(STACK_SCHEMA);
    const compiled = cachedValidators(undefined).compile(schema);
    cachedValidators(dir).compile(schema);
    const cached = cachedValidators(dir).compile(schema);
    const ns = "mesh-serverless";
    for (const doc of [
      { [`${ns}:environment`]: "dev" },
      { [`${ns}:environment`]: "nope" },
      { [`${ns}:services`]: { serverless: { a: { image: 1 } } } },
      { [`${ns}:platfrom`]: {} },
    ]) {
      assert.equal(cached(doc), compiled(doc));
      assert.deepEqual(cached.errors ?? null, compiled.errors ?? null);
    }
  });
});
