/**
 * `npm run schema`: writes `schema/<Component>.schema.json` for every public component, generated
 * from its `XxxArgs` type and TSDoc (descriptions, `@default`s) with ts-json-schema-generator, and
 * `schema/stack-config.schema.json` for the stack files, composed from the same types, and
 * `schema/pulumi-package.json`, the Pulumi package schema the component provider serves to other
 * languages, from the argument schemas and the component classes (cli/pulumi-schema.ts). The types
 * stay the source of truth; the files are committed and a test keeps them fresh.
 *
 * What JSON cannot hold is handled here, on purpose, in one place:
 * - a class instance (a Pulumi resource, a component such as `MeshNetwork`, an asset archive) and a
 *   Pulumi `Output`/`Promise` become `{ "x-instance-of": <kind> }`, a keyword the components'
 *   validator checks with Pulumi's own `isInstance` tests (core/args-schema.ts); so
 *   `pulumi.Input<string>` is "a string, or an Output of one";
 * - `OPEN_TYPES` are interfaces that a component instance satisfies (a `MeshNamespace` is a
 *   `NamespaceRef`): their extra keys are allowed, the listed ones are still checked;
 * - the stack file schema has no `x-instance-of` branch: YAML holds plain data only.
 * The object schemas UPSTREAM_KEYS and AWS_KEY_HINTS name get `x-key-hints`: what to say about an
 * upstream field name or a moved option written there, for the validator's "unknown key" hint.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import {
  BaseType,
  createFormatter,
  createParser,
  createProgram,
  DEFAULT_CONFIG,
  Definition,
  SchemaGenerator,
  SubNodeParser,
  SubTypeFormatter,
  type Config,
} from "ts-json-schema-generator";
import { UPSTREAM_KEYS } from "../components/kubernetes/upstream-keys";
import { defined } from "../components/core/values";
import { AWS_KEY_HINTS } from "../components/aws/key-hints";
import { componentShapes, OUTPUT_TYPES } from "./pulumi-outputs";
import { pulumiPackageSchema } from "./pulumi-schema";

/** Every public component and the type of its args. */
export const COMPONENTS = [
  "MeshNamespace",
  "ServerlessService",
  "MeshedWorkload",
  "ServiceTraffic",
  "ServiceAccess",
  "ServiceObservability",
  "IngressGateway",
  "IngressRoute",
  "MeshServiceEntry",
  "EventBroker",
  "EventTrigger",
  "PingSource",
  "OpenFaasFunction",
  "IstioMesh",
  "KnativeServing",
  "KnativeEventing",
  "Jaeger",
  "Prometheus",
  "Fluentd",
  "MeshPlatform",
  "OpenFaas",
  "MeshNetwork",
  "MeshedFunction",
] as const;

/** What to say about a key that is not there, by type: upstream names and moved options. */
const KEY_HINTS: Record<string, Record<string, string>> = {
  ...Object.fromEntries(
    Object.entries(UPSTREAM_KEYS).map(([where, keys]) => [
      where,
      Object.fromEntries(
        Object.entries(keys).map(([k, ours]) => [k, `upstream's \`${k}\` is ${ours} here`]),
      ),
    ]),
  ),
  ...AWS_KEY_HINTS,
};

/** The entry points whose exports are the components' public API. */
const ENTRY_POINTS = ["components/index.ts", "components/aws/index.ts"];

/** Interfaces a component instance satisfies: checked, but extra keys allowed. */
const OPEN_TYPES = ["NamespaceRef"];
const ROOT = path.resolve(__dirname, "..");
export const SCHEMA_DIR = path.join(ROOT, "schema");
export const STACK_SCHEMA = "stack-config.schema.json";
/** The Pulumi package schema the component provider (provider/) serves. */
export const PULUMI_SCHEMA = "pulumi-package.json";

class InstanceType extends BaseType {
  constructor(readonly kind: string) {
    super();
  }
  getId(): string {
    return `instance-of-${this.kind}`;
  }
}

/** A class instance or an Output is not data: the schema names what it must be. */
class InstanceParser implements SubNodeParser {
  constructor(private readonly checker: ts.TypeChecker) {}

  private kindOf(node: ts.Node): string | undefined {
    if (!ts.isTypeReferenceNode(node)) return undefined;
    let symbol = this.checker.getSymbolAtLocation(node.typeName);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias)
      symbol = this.checker.getAliasedSymbol(symbol);
    if (!symbol) return undefined;
    if (OUTPUT_TYPES.has(symbol.name)) return "Output";
    return symbol.declarations?.some(ts.isClassDeclaration) ? symbol.name : undefined;
  }
  supportsNode(node: ts.Node): boolean {
    return this.kindOf(node) !== undefined;
  }
  createType(node: ts.Node): BaseType {
    return new InstanceType(this.kindOf(node)!);
  }
}

class InstanceFormatter implements SubTypeFormatter {
  supportsType(type: BaseType): boolean {
    return type instanceof InstanceType;
  }
  getDefinition(type: BaseType): Definition {
    return { "x-instance-of": (type as InstanceType).kind } as Definition;
  }
  getChildren(): BaseType[] {
    return [];
  }
}

type Json = Record<string, unknown>;

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** A `secure:` value: what `pulumi config set --secret` writes in place of a string. */
const SECURE: Json = {
  title: "a `secure:` value",
  type: "object",
  properties: { secure: { type: "string" } },
  required: ["secure"],
  additionalProperties: false,
  description: "An encrypted value (`pulumi config set --secret`).",
};

/** Applies OPEN_TYPES; for the stack file, drops what YAML cannot hold and lets every string be a
 * `secure:` value. */
function finish(schema: Json, plainData: boolean): Json {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== "object") return node;
    const out: Json = {};
    for (const [k, v] of Object.entries(node)) out[k] = walk(v);
    // A `@default` written as prose ("the component name") is no value of the type: say it in
    // the description rather than offer editors a wrong default.
    if ("default" in out && typeof out.type === "string" && jsonType(out.default) !== out.type) {
      const text = typeof out.default === "string" ? out.default : JSON.stringify(out.default);
      out.description = `${out.description ? `${out.description} ` : ""}Default: ${text}.`;
      delete out.default;
    }
    if (plainData && out.type === "string" && out.enum === undefined && out.const === undefined) {
      const { description, default: dflt, ...plain } = out;
      return defined({
        anyOf: [plain, { $ref: "#/definitions/Secure" }],
        description,
        default: dflt,
      });
    }
    if (plainData) {
      for (const key of ["anyOf", "oneOf"]) {
        const branches = out[key] as Json[] | undefined;
        if (!branches) continue;
        const kept = branches.filter((b) => !("x-instance-of" in b));
        if (kept.length === 1 && Object.keys(out).length === 1) return kept[0];
        out[key] = kept;
      }
    }
    return out;
  };
  const result = walk(schema) as Json;
  const defs = result.definitions as Record<string, Json> | undefined;
  for (const [where, hints] of Object.entries(KEY_HINTS)) {
    const [type, ...props] = where.split(".");
    let at = defs?.[type];
    for (const p of props) at = (at?.properties as Record<string, Json> | undefined)?.[p];
    if (at) at["x-key-hints"] = hints;
  }
  for (const name of OPEN_TYPES) if (defs?.[name]) delete defs[name].additionalProperties;
  return result;
}

function generator(): { gen: SchemaGenerator; program: ts.Program } {
  const config: Config = {
    // The public API (the root and aws entry points) and the stack config type (which imports
    // only types from it).
    path: path.join(ROOT, `{${[...ENTRY_POINTS, "stacks/config-types.ts"].join(",")}}`),
    tsconfig: path.join(ROOT, "tsconfig.json"),
    skipTypeCheck: true,
    expose: "export",
    topRef: true,
    jsDoc: "extended",
    additionalProperties: false,
    sortProps: true,
  };
  const completed = { ...DEFAULT_CONFIG, ...config };
  const program = createProgram(completed);
  const parser = createParser(program, completed, (p) =>
    p.addNodeParser(new InstanceParser(program.getTypeChecker())),
  );
  const formatter = createFormatter(completed, (f) => f.addTypeFormatter(new InstanceFormatter()));
  return { gen: new SchemaGenerator(program, parser, formatter, completed), program };
}

/**
 * The stack file (`stacks/Pulumi.<stack>.yaml`): `config` holds `mesh-serverless:<key>` for each
 * key of `StackConfig` and any key of another namespace (`aws:region`, ...).
 */
function stackFileSchema(generated: Json): Json {
  const defs: Record<string, Json> = {
    ...(generated.definitions as Record<string, Json>),
    Secure: SECURE,
  };
  const root = defs.StackConfig;
  const props = root.properties as Record<string, Json>;
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "mesh-serverless stack file",
    type: "object",
    properties: {
      config: {
        type: "object",
        properties: Object.fromEntries(
          Object.entries(props).map(([k, v]) => [`${PROJECT}:${k}`, v]),
        ),
        required: (root.required as string[]).map((k) => `${PROJECT}:${k}`),
        patternProperties: { [`^(?!${PROJECT}:)[^:\\s]+:[^:\\s]+$`]: {} },
        additionalProperties: false,
      },
    },
    definitions: defs,
  };
}

/** The project name (Pulumi.yaml), the namespace of the stack config keys. */
export const PROJECT = "mesh-serverless";

/** The Pulumi package schema from the components' argument schemas in `files` and their classes. */
function pulumiSchema(files: Map<string, string>, program: ts.Program): Json {
  const args = Object.fromEntries(
    COMPONENTS.map((c) => [c, JSON.parse(files.get(`${c}.schema.json`)!) as Json]),
  );
  const definitions = new Set(
    Object.values(args).flatMap((a) => Object.keys(a.definitions as Json)),
  );
  const shapes = componentShapes(
    program,
    ENTRY_POINTS.map((f) => path.join(ROOT, f)),
    COMPONENTS,
    definitions,
  );
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as Json;
  // No `$comment` here: the package metaschema allows no keys of its own.
  return pulumiPackageSchema(
    {
      name: PROJECT,
      version: pkg.version as string,
      description: pkg.description as string | undefined,
      license: pkg.license as string | undefined,
      keywords: pkg.keywords as string[] | undefined,
      homepage: pkg.homepage as string | undefined,
    },
    Object.fromEntries(COMPONENTS.map((c) => [c, { args: args[c], shape: shapes[c] }])),
  );
}

const header = (type: string) => ({
  $comment: `Generated by \`npm run schema\` from ${type}; do not edit.`,
});

/** Every schema file's name and text, generated from the current sources. */
export function generateSchemas(): Map<string, string> {
  const { gen, program } = generator();
  const files = new Map<string, string>();
  const text = (s: Json) => `${JSON.stringify(s, null, 2)}\n`;
  for (const component of COMPONENTS) {
    const type = `${component}Args`;
    const schema = gen.createSchema(type) as Json;
    files.set(`${component}.schema.json`, text({ ...header(type), ...finish(schema, false) }));
  }
  files.set(PULUMI_SCHEMA, text(pulumiSchema(files, program)));
  const stack = finish(gen.createSchema("StackConfig") as Json, true);
  files.set(STACK_SCHEMA, text({ ...header("StackConfig"), ...stackFileSchema(stack) }));
  return files;
}

if (require.main === module) {
  const files = generateSchemas();
  fs.mkdirSync(SCHEMA_DIR, { recursive: true });
  for (const old of fs.readdirSync(SCHEMA_DIR))
    if (!files.has(old)) fs.rmSync(path.join(SCHEMA_DIR, old));
  for (const [name, text] of files) fs.writeFileSync(path.join(SCHEMA_DIR, name), text);
  console.log(`wrote ${files.size} schemas to ${path.relative(process.cwd(), SCHEMA_DIR)}/`);
}
