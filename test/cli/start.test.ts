import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** cli/start.js, as `npm run render` uses it: in a child process, never in mocha's own. */
const ROOT = path.resolve(__dirname, "..", "..");
const run = (script: string): string =>
  execFileSync(process.execPath, ["-r", "./cli/start.js", "-e", script], {
    cwd: ROOT,
    encoding: "utf8",
  }).trim();
const typescriptLoaded =
  'Object.keys(require.cache).some((f) => f.includes("/node_modules/typescript/"))';

describe("cli/start.js", () => {
  it("runs TypeScript from the cache, loading the compiler only for a changed file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "start-test-"));
    const file = path.join(dir, "m.ts");
    try {
      const load = `const v = require(${JSON.stringify(file)}).v; console.log(JSON.stringify([v, ${typescriptLoaded}]))`;
      fs.writeFileSync(file, `export const v: string = "one ${process.pid} ${Date.now()}";\n`);
      assert.match(run(load), /^\["one \d+ \d+",true\]$/);
      assert.match(run(load), /^\["one \d+ \d+",false\]$/);
      fs.writeFileSync(file, `export const v: string = "two ${process.pid} ${Date.now()}";\n`);
      assert.match(run(load), /^\["two \d+ \d+",true\]$/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("emits CommonJS that keeps import() for the ESM-only schema packages, as tsconfig.json does", () => {
    const js = run(
      'process.stdout.write(require("./cli/start.js").compiled("components/core/schema.ts"))',
    );
    assert.match(js, /^"use strict";/);
    assert.match(js, /m = import\(specifier\)\.then\(/);
    assert.doesNotMatch(js, /require\(specifier\)/);
  });

  it("defers the SDK's closure serializer until a program calls it", () => {
    const out = run(`
      const pulumi = require("@pulumi/pulumi");
      const loaded = () => ["closure/serializeClosure.js", "closure/codePaths.js", "@npmcli/arborist/"]
        .map((m) => Object.keys(require.cache).some((f) => f.includes(m)));
      const before = loaded();
      pulumi.runtime.serializeFunction(() => 42).then((s) => {
        const codePaths = typeof pulumi.runtime.computeCodePaths;
        console.log(JSON.stringify({ before, after: loaded(), text: s.text.includes("42"), codePaths }));
      });`);
    assert.deepEqual(JSON.parse(out), {
      before: [false, false, false],
      after: [true, false, false],
      text: true,
      codePaths: "function",
    });
  });

  it("defers the SDK's Automation API until a program reads it", () => {
    const out = run(`
      const pulumi = require("@pulumi/pulumi");
      const loaded = () => Object.keys(require.cache).some((f) => f.includes("/@pulumi/pulumi/automation/"));
      const before = loaded();
      const automation = pulumi.automation;
      const same = automation.LocalWorkspace === require("@pulumi/pulumi/automation").LocalWorkspace;
      console.log(JSON.stringify({ before, after: loaded(), same, keys: Object.keys(automation).includes("LocalWorkspace") }));`);
    assert.deepEqual(JSON.parse(out), { before: false, after: true, same: true, keys: true });
  });

  it("publishes its cache for the argument validators: the same files, by kind and key", () => {
    const out = run(`
      const cache = globalThis[Symbol.for("mesh-serverless.cache")];
      const key = "test-" + process.pid;
      const before = cache.read("validators", key);
      cache.write("validators", key, "x");
      const after = cache.read("validators", key);
      require("fs").rmSync(require("path").join(cache.dir, "validators", key + ".js"));
      console.log(JSON.stringify({ dir: cache.dir, before: before === undefined, after }));`);
    assert.deepEqual(JSON.parse(out), {
      dir: path.join(ROOT, "node_modules", ".cache", "mesh-serverless"),
      before: true,
      after: "x",
    });
  });
});
