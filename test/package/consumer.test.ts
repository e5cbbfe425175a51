import { strict as assert } from "assert";
import { execFile, execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import { parseAllDocuments } from "yaml";

/**
 * The package as a consumer gets it: `npm run build`, `npm pack`, the tarball extracted into a
 * Kubernetes-only Pulumi project (test/fixtures/consumer) whose peers (@pulumi/pulumi,
 * @pulumi/kubernetes, typescript) are this repo's installed copies, linked: nothing is downloaded,
 * and @pulumi/aws is absent, as in a program that never installs it. The project is typechecked
 * under the tsconfig of Pulumi's TypeScript template before 2026-03 (`module: commonjs`,
 * `moduleResolution: node`) and the current one (`nodenext`; pulumi/templates
 * typescript/tsconfig.json), both strict and without skipLibCheck, then rendered by the
 * package's own `mesh-serverless` command.
 *
 * The project lives outside this repo (Node and TypeScript would otherwise find the repo's own
 * node_modules, @pulumi/aws included, by walking up), at a fixed place per checkout so that the
 * build and both typechecks are incremental (dist/.tsbuildinfo, and the consumer's beside it):
 * a rerun re-checks only what changed.
 */

const ROOT = path.resolve(__dirname, "..", "..");
const FIXTURE = path.join(ROOT, "test", "fixtures", "consumer");
const WORK = path.join(
  os.tmpdir(),
  `mesh-serverless-consumer-${crypto.createHash("sha1").update(ROOT).digest("hex").slice(0, 10)}`,
);
const PROJECT = path.join(WORK, "project");
const TSC = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
const BIN = path.join(PROJECT, "node_modules", "mesh-serverless", "bin", "mesh-serverless.js");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const node = (args: string[], cwd = PROJECT): Promise<Run> => run(process.execPath, args, cwd);

/** The packed file list (paths inside the tarball, without the `package/` prefix). */
let packed: string[] = [];

/** Builds, packs and installs the tarball into the consumer project; returns the tarball. */
function install(): string {
  execFileSync(process.execPath, [TSC, "-p", "tsconfig.build.json"], { cwd: ROOT, stdio: "pipe" });
  fs.rmSync(PROJECT, { recursive: true, force: true });
  fs.mkdirSync(PROJECT, { recursive: true });
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", WORK], {
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const [info] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
  packed = info.files.map((f) => f.path).sort();
  const tarball = path.join(WORK, info.filename);
  fs.cpSync(FIXTURE, PROJECT, { recursive: true });
  const modules = path.join(PROJECT, "node_modules");
  const own = path.join(modules, "mesh-serverless");
  fs.mkdirSync(own, { recursive: true });
  execFileSync("tar", ["-xzf", tarball, "-C", own, "--strip-components=1"]);
  // What `npm install` would add besides the package: its dependencies and the project's peers
  // and dev tools, linked from this repo. @pulumi/aws (an optional peer) is left out.
  for (const name of fs.readdirSync(path.join(ROOT, "node_modules"))) {
    if (name === ".cache" || name === "mesh-serverless") continue;
    if (name === "@pulumi") {
      fs.mkdirSync(path.join(modules, name));
      for (const p of ["pulumi", "kubernetes"])
        fs.symlinkSync(path.join(ROOT, "node_modules", name, p), path.join(modules, name, p));
    } else fs.symlinkSync(path.join(ROOT, "node_modules", name), path.join(modules, name));
  }
  return tarball;
}

function typecheck(tsconfig: string): Promise<Run> {
  const info = path.join(WORK, `${tsconfig}.tsbuildinfo`);
  return run(
    process.execPath,
    [TSC, "--noEmit", "-p", tsconfig, "--incremental", "--tsBuildInfoFile", info],
    PROJECT,
  );
}

describe("package: a consumer of the packed tarball", function () {
  this.timeout(300_000);
  let checks: Record<string, Promise<Run>>;

  before(() => {
    install();
    // Both typechecks at once: two processes, the machine's two cores.
    checks = {
      node10: typecheck("tsconfig.node10.json"),
      nodenext: typecheck("tsconfig.json"),
    };
  });

  it("packs the compiled package, its schemas, the command, LICENSE and CHANGELOG, no sources", () => {
    const top = [...new Set(packed.map((f) => f.split("/").slice(0, 2).join("/")))];
    assert.deepEqual(top, [
      "CHANGELOG.md",
      "LICENSE",
      "README.md",
      "bin/mesh-serverless.js",
      "cli/cache.js",
      "cli/start.js",
      "dist/cli",
      "dist/components",
      "dist/schema",
      "package.json",
    ]);
    // No TypeScript sources, so no source maps pointing at them; the command's internals ship
    // as JavaScript only.
    assert.deepEqual(
      packed.filter(
        (f) => /\.map$|(?<!\.d)\.ts$/.test(f) || (f.startsWith("dist/cli/") && f.endsWith(".d.ts")),
      ),
      [],
    );
    for (const f of [
      "dist/components/index.d.ts",
      "dist/components/kubernetes/index.js",
      "dist/components/aws/index.d.ts",
      "dist/cli/main.js",
      "dist/schema/ServerlessService.schema.json",
    ])
      assert.ok(packed.includes(f), f);
  });

  it("its declarations import no third-party model types (kubernetes-models)", () => {
    const dts = packed.filter((f) => f.endsWith(".d.ts"));
    const offenders = dts.filter((f) =>
      /from "(@kubernetes-models\/|kubernetes-models)/.test(
        fs.readFileSync(path.join(PROJECT, "node_modules", "mesh-serverless", f), "utf8"),
      ),
    );
    assert.deepEqual(offenders, []);
  });

  it("exports every named type its public API refers to, so a program can name it", () => {
    // Literal unions local to a module: a program writes the strings. (MeshNamespace's MtlsMode
    // adds DISABLE to the exported, platform-wide MtlsMode.)
    const LOCAL_UNIONS = [
      "MtlsMode",
      "PodSecurityLevel",
      "PortProtocol",
      "Resolution",
      "ServerProtocol",
    ];
    const dist = path.join(PROJECT, "node_modules", "mesh-serverless", "dist", "components");
    const entries = ["index.d.ts", "aws/index.d.ts"].map((f) => path.join(dist, f));
    const program = ts.createProgram(entries, {
      noEmit: true,
      skipLibCheck: true,
      module: ts.ModuleKind.Node16,
      moduleResolution: ts.ModuleResolutionKind.Node16,
    });
    const checker = program.getTypeChecker();
    const resolve = (s: ts.Symbol): ts.Symbol =>
      s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
    const publicSymbols = entries.flatMap((e) =>
      checker
        .getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(e)!)!)
        .map(resolve),
    );
    const exported = new Set(publicSymbols);
    const seen = new Set<ts.Symbol>(publicSymbols);
    const unnamed = new Set<string>();
    const visit = (node: ts.Node): void => {
      if (ts.isTypeReferenceNode(node)) {
        const at = checker.getSymbolAtLocation(node.typeName);
        const sym = at && resolve(at);
        const decl = sym?.declarations?.[0];
        if (sym && decl && decl.getSourceFile().fileName.startsWith(dist) && !seen.has(sym)) {
          seen.add(sym);
          if (!exported.has(sym) && !ts.isTypeParameterDeclaration(decl)) unnamed.add(sym.name);
          sym.declarations!.forEach(visit);
        }
      }
      node.forEachChild(visit);
    };
    for (const sym of publicSymbols) sym.declarations?.forEach(visit);
    assert.deepEqual([...unnamed].sort(), LOCAL_UNIONS);
  });

  for (const [style, file] of [
    ["node10", "module commonjs, moduleResolution node (the template until 2026-03)"],
    ["nodenext", "module and moduleResolution nodenext (the current template)"],
  ] as const) {
    it(`typechecks, strict and without skipLibCheck, with ${file}`, async () => {
      const r = await checks[style];
      assert.equal(r.code, 0, `${r.stdout}${r.stderr}`);
    });
  }

  it("loads the root and kubernetes entries without @pulumi/aws; the aws entry needs it", async () => {
    const r = await node([
      "-e",
      `const ms = require("mesh-serverless");
       const k = require("mesh-serverless/kubernetes");
       const aws = Object.keys(require.cache).filter((f) => f.includes("/@pulumi/aws/"));
       let awsEntry;
       try { require("mesh-serverless/aws"); awsEntry = "loaded"; } catch (e) { awsEntry = e.code + " " + /'(@pulumi\\/aws[^']*)'/.exec(e.message)[1]; }
       console.log(JSON.stringify({ same: ms.ServerlessService === k.ServerlessService, root: typeof ms.MeshPlatform, aws, awsEntry }));`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      same: true,
      root: "function",
      aws: [],
      awsEntry: "MODULE_NOT_FOUND @pulumi/aws/appmesh",
    });
  });

  it("renders the project with `mesh-serverless render --stack dev`, reading its Pulumi.yaml", async () => {
    const out = path.join(WORK, "out");
    const r = await node([BIN, "render", "--stack", "dev", "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Rendered stack dev into /);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(out, "outputs.json"), "utf8")), {
      image: "ghcr.io/acme/orders:1.2.3",
      namespace: "shop",
    });
    const shop = parseAllDocuments(
      fs.readFileSync(path.join(out, "manifests/2-resources/shop.yaml"), "utf8"),
    ).map(
      (d) =>
        d.toJS() as { kind: string; metadata: { name: string }; spec?: Record<string, unknown> },
    );
    const ksvc = shop.find((o) => o.kind === "Service" && o.metadata.name === "orders");
    assert.ok(ksvc, shop.map((o) => `${o.kind}/${o.metadata.name}`).join(", "));
    const spec = ksvc.spec as { template: { spec: { containers: { image: string }[] } } };
    assert.deepEqual(
      spec.template.spec.containers.map((c) => c.image),
      ["ghcr.io/acme/orders:1.2.3"],
    );
  });

  it("answers --help with exit 0 and an unknown stack with exit 2, naming the known ones", async () => {
    const help = await node([BIN, "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: mesh-serverless <command>/);
    const bad = await node([BIN, "render", "--stack", "prod"]);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, 'render failed: unknown stack "prod": known stacks are dev\n');
  });
});
