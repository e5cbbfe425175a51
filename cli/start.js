"use strict";
/**
 * How the command-line tools start (`node -r ./cli/start.js cli/render.ts ...`): three things that
 * take a render of the dev stack from ~2.5 s to ~1 s, none of which changes what it writes.
 *
 * 1. A require hook that runs the project's TypeScript as cached JavaScript. Each .ts file is transpiled once (the same transpile-only emit ts-node gives with
 * tsconfig.json: CommonJS, ES2022, dynamic import() kept) and kept in
 * node_modules/.cache/mesh-serverless/ under the hash of its text, the compiler's version and
 * options, so an edited file is transpiled again on its next load and an unchanged one is only
 * read and hashed. TypeScript itself (~0.4 s to load) is loaded only when a file changed: a render
 * with a warm cache starts in about a quarter of the time ts-node needs. No type checking (that is
 * `npm run typecheck`'s job), as with ts-node's transpile-only mode.
 *
 * 2. The argument schemas' validators are cached there too (components/core/args-validator.ts):
 *    compiling them was most of a dev render's own work (0.3-0.4 s).
 *
 * 3. @pulumi/pulumi's runtime/index.js loads its closure serializer (`serializeFunction`, which
 *    loads TypeScript and @npmcli/arborist: ~0.4 s) on every start; a program only needs it to
 *    turn a JavaScript function into a Lambda or dynamic provider, which no program here does.
 *    That index gets stand-ins that load the real module on their first call; the same for the
 *    Automation API the package index loads (below).
 */
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const CACHE_ROOT = path.join(ROOT, "node_modules", ".cache", "mesh-serverless");

// The tools' cache (cli/cache.js), published for the argument validators as well
// (components/core/args-validator.ts).
const cache = require("./cache.js").toolsCache(CACHE_ROOT);
globalThis[Symbol.for("mesh-serverless.cache")] = cache;
// The compiler: this repo's, or, for the installed `mesh-serverless` command, the Pulumi
// project's own (a TypeScript project has it; a JavaScript one never loads a .ts file).
const TS_PATHS = [ROOT, process.cwd()];
let salt;
/** What besides a file's text its JavaScript depends on: the compiler's version and options. */
function saltFor(filename) {
  if (salt) return salt;
  let pkg;
  try {
    pkg = require.resolve("typescript/package.json", { paths: TS_PATHS });
  } catch {
    throw new Error(
      `cannot run ${filename}: install TypeScript in the project (npm i -D typescript)`,
    );
  }
  const version = JSON.parse(fs.readFileSync(pkg, "utf8")).version;
  return (salt = `${version}\0${JSON.stringify(OPTIONS)}\0`);
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
  const key = crypto.createHash("sha1").update(saltFor(filename)).update(source).digest("hex");
  const cached = cache.read("ts", key);
  if (cached !== undefined) return cached;
  const js = transpile(source, filename);
  cache.write("ts", key, js);
  return js;
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
// @pulumi/pulumi's index loads its Automation API (execa, js-yaml, ...: ~30 ms) for
// `pulumi.automation`, which no program run here reads: a stand-in loads it on first use. The
// index imports it with `__importStar`, which hands back a module marked `__esModule` as it is.
const PULUMI_INDEX = path.join("@pulumi", "pulumi", "index.js");
function lazyModule(loadReal) {
  let real;
  const target = () => (real ??= loadReal());
  return new Proxy(
    { __esModule: true },
    {
      get: (stand, key) => (key === "__esModule" ? true : target()[key]),
      has: (stand, key) => key in target(),
      ownKeys: () => Reflect.ownKeys(target()),
      getOwnPropertyDescriptor: (stand, key) => {
        const d = Object.getOwnPropertyDescriptor(target(), key);
        return d && { ...d, configurable: true };
      },
    },
  );
}

const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (request === "./automation" && parent?.filename?.endsWith(PULUMI_INDEX))
    return lazyModule(() => load.call(this, request, parent, false));
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
