import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { main } from "../../cli/main";
import { programFile, readProject } from "../../cli/project";
import { UsageError } from "../../cli/stack-config";
import { ANALYZE_USAGE, DIFF_USAGE, RENDER_USAGE } from "../../cli/usage";
import * as h from "../harness";

const made: string[] = [];
after(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A project directory with these files (path -> text). */
function project(files: Record<string, string>): string {
  const dir = h.tempDir("project-", files);
  made.push(dir);
  return dir;
}

describe("cli/project: a Pulumi project's Pulumi.yaml", () => {
  it("defaults main and stackConfigDir to the project directory, as the Pulumi CLI does", () => {
    const dir = project({
      "Pulumi.yaml": "name: web\nruntime: nodejs\n",
      "package.json": '{ "main": "src/program.js" }',
      "src/program.js": "module.exports = {};",
    });
    assert.deepEqual(readProject(dir), {
      root: dir,
      name: "web",
      main: dir,
      stackConfigDir: dir,
      typescript: true,
    });
    // The directory loads as a Node module: package.json `main`.
    assert.equal(programFile(readProject(dir)), path.join(dir, "src", "program.js"));
  });

  it("resolves main and stackConfigDir against Pulumi.yaml, runtime options included", () => {
    const dir = project({
      "Pulumi.yaml":
        "name: web\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n" +
        "main: infra/\nstackConfigDir: config\n",
      "infra/index.js": "module.exports = {};",
    });
    const p = readProject(dir);
    assert.deepEqual(p, {
      root: dir,
      name: "web",
      main: path.join(dir, "infra"),
      stackConfigDir: path.join(dir, "config"),
      typescript: false,
    });
    assert.equal(programFile(p), path.join(dir, "infra", "index.js"));
  });

  for (const [what, files, message] of [
    ["no Pulumi.yaml", {}, /^no Pulumi\.yaml in .*: run it in a Pulumi project \(or pass --cwd\)$/],
    ["no name", { "Pulumi.yaml": "runtime: nodejs\n" }, /Pulumi\.yaml has no project name$/],
    [
      "another runtime",
      { "Pulumi.yaml": "name: p\nruntime: python\n" },
      /runtime is "python"; the renderer runs nodejs programs/,
    ],
    [
      "a main that is not a path",
      { "Pulumi.yaml": "name: p\nruntime: nodejs\nmain: [a]\n" },
      /`main` must be a path$/,
    ],
    ["invalid YAML", { "Pulumi.yaml": "name: [\n" }, /Pulumi\.yaml is not valid YAML: /],
  ] as const) {
    it(`rejects ${what} with a usage error (exit 2)`, () => {
      const dir = project(files);
      assert.throws(
        () => readProject(dir),
        (err: unknown) => err instanceof UsageError && message.test(err.message),
      );
    });
  }

  it("rejects a missing program and a TypeScript program in a JavaScript project", () => {
    const missing = project({ "Pulumi.yaml": "name: p\nruntime: nodejs\nmain: gone.js\n" });
    assert.throws(
      () => programFile(readProject(missing)),
      (err: unknown) =>
        err instanceof UsageError &&
        /^cannot find the program: `main` is gone\.js in /.test(err.message),
    );
    const js = project({
      "Pulumi.yaml":
        "name: p\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.ts\n",
      "index.ts": "export {};",
    });
    assert.throws(
      () => programFile(readProject(js)),
      (err: unknown) =>
        err instanceof UsageError &&
        /a TypeScript program, but Pulumi\.yaml sets typescript: false$/.test(err.message),
    );
  });
});

describe("cli/main: the mesh-serverless command", () => {
  it("--help lists the commands (exit 0); no command or an unknown one is bad usage (exit 2)", async () => {
    const help = await h.captureOutput(() => main(["--help"]));
    assert.equal(help.code, 0);
    assert.equal(help.stderr, "");
    assert.deepEqual(
      help.stdout
        .split("\n")
        .filter((l) => l.startsWith("  "))
        .map((l) => l.trim().split(" ")[0]),
      ["render", "analyze", "diff"],
    );
    for (const argv of [[], ["deploy"]]) {
      const r = await h.captureOutput(() => main(argv));
      assert.equal(r.code, 2);
      assert.equal(r.stdout, "");
      assert.match(
        r.stderr,
        argv.length
          ? /^mesh-serverless: unknown command "deploy"\n/
          : /^mesh-serverless: missing command\n/,
      );
      assert.ok(r.stderr.includes(help.stdout), r.stderr);
    }
  });

  for (const [command, usage] of [
    ["render", RENDER_USAGE],
    ["analyze", ANALYZE_USAGE],
    ["diff", DIFF_USAGE],
  ]) {
    it(`\`${command} --help\` and \`help ${command}\` print its usage and exit codes (exit 0)`, async () => {
      for (const argv of [
        [command, "--help"],
        ["help", command],
        [command, "-h"],
      ]) {
        const r = await h.captureOutput(() => main(argv));
        assert.equal(r.code, 0);
        assert.ok(r.stdout.startsWith(`${usage}\n\n`), r.stdout);
        assert.match(r.stdout, /Exit codes: 0 /);
      }
    });
  }

  it("passes a command's arguments on, with its exit codes (analyze: 2 for a missing folder)", async () => {
    const r = await h.captureOutput(() => main(["analyze", "/nonexistent-folder"]));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is not a directory: usage: mesh-serverless analyze <dir> \[--json\]/);
  });
});
