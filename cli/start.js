"use strict";
/**
 * How the command-line tools start (`node -r ./cli/start.js cli/render.ts ...`): two things that
 * take a render of the dev stack from ~2.5 s to ~1 s, neither of which changes what it writes.
 *
 * 1. A require hook that runs the project's TypeScript as cached JavaScript. Each .ts file is transpiled once (the same transpile-only emit ts-node gives with
 * tsconfig.json: CommonJS, ES2022, dynamic import() kept) and kept in
 * node_modules/.cache/mesh-serverless/ under the hash of its text, the compiler's version and
 * options, so an edited file is transpiled again on its next load and an unchanged one is only
 * read and hashed. TypeScript itself (~0.4 s to load) is loaded only when a file changed: a render
 * with a warm cache starts in about a quarter of the time ts-node needs. No type checking (that is
 * `npm run typecheck`'s job), as with ts-node's transpile-only mode.
 *
 * 2. @pulumi/pulumi's runtime/index.js loads its closure serializer (`serializeFunction`, which
 *    loads TypeScript and @npmcli/arborist: ~0.4 s) on every start; a program only needs it to
 *    turn a JavaScript function into a Lambda or dynamic provider, which no program here does.
 *    That index gets stand-ins that load the real module on their first call.
 */
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const CACHE = path.join(ROOT, "node_modules", ".cache", "mesh-serverless", "ts");
// The compiler: this repo's, or, for the installed `mesh-serverless` command, the Pulumi
// project's own (a TypeScript project has it; a JavaScript one never loads a .ts file).
const TS_PATHS = [ROOT, process.cwd()];
let tsVersion;
function typescriptVersion(filename) {
  if (tsVersion) return tsVersion;
  let pkg;
  try {
    pkg = require.resolve("typescript/package.json", { paths: TS_PATHS });
  } catch {
    throw new Error(
      `cannot run ${filename}: install TypeScript in the project (npm i -D typescript)`,
    );
  }
  return (tsVersion = JSON.parse(fs.readFileSync(pkg, "utf8")).version);
}
// tsconfig.json's emit options that change the JavaScript (module: node16 on a package without
// "type": "module" emits CommonJS and keeps import() for the ESM-only schema packages).
const OPTIONS = {
  target: "ES2022",
  module: "node16",
  moduleResolution: "node16",
  esModuleInterop: true,
  resolveJsonModule: true,
};

let ts;
let compilerOptions;
function transpile(source, filename) {
  if (!ts) {
    ts = require(require.resolve("typescript", { paths: TS_PATHS }));
    compilerOptions = ts.convertCompilerOptionsFromJson(OPTIONS, ROOT).options;
  }
  return ts.transpileModule(source, { fileName: filename, compilerOptions }).outputText;
}

function compiled(filename) {
  const source = fs.readFileSync(filename, "utf8");
  const salt = `${typescriptVersion(filename)}\0${JSON.stringify(OPTIONS)}\0`;
  const key = crypto.createHash("sha1").update(salt).update(source).digest("hex");
  const file = path.join(CACHE, `${key}.js`);
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    const js = transpile(source, filename);
    // Written under a temporary name and renamed: renders running side by side never read half
    // a file. A cache that cannot be written (a read-only install) only costs the next start.
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(CACHE, { recursive: true });
      fs.writeFileSync(tmp, js);
      fs.renameSync(tmp, file);
    } catch {
      fs.rmSync(tmp, { force: true });
    }
    return js;
  }
}

require.extensions[".ts"] = function (module, filename) {
  module._compile(compiled(filename), filename);
};

const Module = require("module");
const RUNTIME_INDEX = path.join("@pulumi", "pulumi", "runtime", "index.js");
const DEFERRED = {
  "./closure/serializeClosure": ["serializeFunctionAsync", "serializeFunction"],
  "./closure/codePaths": ["computeCodePaths"],
};
const load = Module._load;
Module._load = function (request, parent, isMain) {
  const names = DEFERRED[request];
  if (!names || !parent || !parent.filename || !parent.filename.endsWith(RUNTIME_INDEX))
    return load.call(this, request, parent, isMain);
  let real;
  const stand = {};
  for (const name of names)
    stand[name] = (...args) => (real ??= load.call(this, request, parent, false))[name](...args);
  return stand;
};

module.exports = { compiled };
