/**
 * The compiled validators of the generated argument schemas (core/args-schema.ts reads their
 * errors). Compiling costs: 0.3-0.4 s for the schemas one render of the dev stack uses, most of
 * that render's own work. So where the command-line tools run (cli/start.js publishes their cache,
 * cli/cache.js), each validator is also written out as ajv's standalone code, under the hash of
 * the schema, ajv's version and these options, and the next process loads it instead of
 * compiling. A program using the package (a `pulumi up`) has no such cache and compiles.
 */
import * as crypto from "crypto";
import type Ajv from "ajv";
import type { ValidateFunction } from "ajv";

/** The command-line tools' cache, as cli/start.js publishes it (`node_modules/.cache/mesh-serverless`). */
export const TOOLS_CACHE = Symbol.for("mesh-serverless.cache");

export interface ToolsCache {
  read(kind: string, key: string): string | undefined;
  write(kind: string, key: string, text: string): void;
}

export type InstanceCheck = (kind: string, value: unknown) => boolean;

const OPTIONS = {
  allErrors: false,
  verbose: true,
  strict: false,
  allowUnionTypes: true,
  // Compile cost over validation speed: each schema is compiled once per process, and these two
  // cut compiling the stack schema from ~1.2 s to ~0.2 s (validation stays µs).
  inlineRefs: false,
  code: { optimize: false },
} as const;

/** What the standalone code calls `x-instance-of`'s check by (a parameter of the cached module). */
const CHECK_NAME = "isInstanceOf";

const KIND = "validators";

function toolsCache(): ToolsCache | undefined {
  const cache = (globalThis as Record<symbol, ToolsCache | undefined>)[TOOLS_CACHE];
  return typeof cache?.read === "function" ? cache : undefined;
}

/** One ajv per process, with `x-instance-of` (a value that is not data: cli/schema.ts). */
export class ArgsValidators {
  private ajv: Ajv | undefined;
  private readonly cache = toolsCache();

  constructor(private readonly check: InstanceCheck) {}

  /** The ajv instance (loaded on first use: a program that builds nothing does not pay for it). */
  instance(): Ajv {
    if (this.ajv) return this.ajv;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ajv = require("ajv") as typeof import("ajv");
    const instance = new ajv.default({
      ...OPTIONS,
      code: { ...OPTIONS.code, source: !!this.cache },
    });
    const check = this.check;
    instance.addKeyword({
      keyword: "x-instance-of",
      schemaType: "string",
      errors: false,
      code(cxt) {
        // `ref` when compiled here; `code` (the module's parameter) in the standalone code.
        const fn = cxt.gen.scopeValue("func", { ref: check, code: new ajv.Name(CHECK_NAME) });
        cxt.pass(ajv._`${fn}(${cxt.schema}, ${cxt.data})`);
      },
    });
    return (this.ajv = instance);
  }

  /** The validator of `schema`: from the cache when it holds one, else compiled (and cached). */
  compile(schema: object): ValidateFunction {
    if (!this.cache) return this.instance().compile(schema);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const version = (require("ajv/package.json") as { version: string }).version;
    const key = crypto
      .createHash("sha1")
      .update(`${version}\0${JSON.stringify(OPTIONS)}\0${CHECK_NAME}\0`)
      .update(JSON.stringify(schema))
      .digest("hex");
    const code = this.cache.read(KIND, key);
    if (code !== undefined) return this.load(code);
    const validate = this.instance().compile(schema);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const standalone = (require("ajv/dist/standalone") as typeof import("ajv/dist/standalone"))
      .default;
    this.cache.write(KIND, key, standalone(this.instance(), validate));
    return validate;
  }

  private load(code: string): ValidateFunction {
    const mod: { exports: unknown } = { exports: {} };
    // The standalone code is CommonJS that requires ajv's runtime helpers (from this package's ajv).
    new Function("module", "exports", "require", CHECK_NAME, code)(
      mod,
      mod.exports,
      require,
      this.check,
    );
    return mod.exports as ValidateFunction;
  }
}
