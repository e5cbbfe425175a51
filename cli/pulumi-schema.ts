/**
 * The Pulumi package schema (`schema/pulumi-package.json`) the component provider (provider/)
 * serves, so `pulumi package add` can generate SDKs for other languages. Built by `npm run schema`
 * from the same generated argument schemas (`schema/<Component>.schema.json`: one source) and the
 * components' public properties (cli/pulumi-outputs.ts). Each public component becomes a
 * `resources` entry with `isComponent: true`; https://www.pulumi.com/docs/iac/extending-pulumi/schema/
 * and pulumi/pulumi pkg/codegen/schema/pulumi.json (the metaschema the test validates against).
 *
 * How a JSON Schema construct maps, and what a Pulumi schema cannot say (the components check
 * everything again with the full argument schema at construction, so nothing is lost, it is only
 * caught later, with the same message as in TypeScript):
 * - an object type with properties -> a shared `types` entry `mesh-serverless:index:<Name>`
 *   (an inline object is named after its parent type and property);
 * - a string literal union -> an enum type; a union of different kinds (`string | NamespaceRef`,
 *   `IstioGatewayArgs | false`, `["restricted", ..., false]`) -> `oneOf`. A literal inside a union
 *   (`false`, `"*"`) widens to its primitive type: Pulumi unions have no literal branches; a
 *   union of object types told apart by a literal property (`type: "stdout"`) gets a
 *   `discriminator`, and such a literal property its `const`;
 * - `pulumi.Input<T>` (`T | Output`) -> `T` with eventual values allowed; every other input level
 *   is `plain: true`, because the TypeScript component takes only a plain value there (a name that
 *   becomes a resource name or URN must be known in a preview);
 * - a component class (`network: MeshNetwork`, `backends: MeshedFunction[]`) -> a resource
 *   reference `#/resources/<token>`; `NamespaceRef` (what a `MeshNamespace` is) -> a string or a
 *   reference to a `MeshNamespace`; any other `pulumi.Resource` -> `pulumi.json#/Any` (a resource
 *   reference of any package); an asset archive -> `pulumi.json#/Archive`;
 * - a union of argument objects at the top (`MeshNetworkArgs`: one branch per backend) -> one
 *   input bag with every branch's properties, required where every branch requires it;
 * - patterns, ranges, lengths, other literals, `additionalProperties: false` and the key hints have no
 *   Pulumi form; `@default`s go into the descriptions only, never `default` (generated SDKs
 *   would then send them explicitly, which is not what an unset argument means to the
 *   components).
 */
import { pascalCase } from "../components/core/names";
import { followRefs, refName } from "../components/core/schema-refs";
import { defined } from "../components/core/values";
import type { ComponentShape } from "./pulumi-outputs";

type Json = Record<string, unknown>;

export interface ComponentInput {
  /** The generated argument schema (`schema/<Component>.schema.json`). */
  args: Json;
  shape: ComponentShape;
}

export interface PackageInfo {
  name: string;
  version: string;
  description?: string;
  homepage?: string;
  license?: string;
  keywords?: string[];
}

/** Open TypeScript interfaces a component satisfies: across languages, that component. */
const IMPLEMENTED_BY: Record<string, string> = { NamespaceRef: "MeshNamespace" };
/** Instance kinds with a built-in Pulumi type. */
const BUILTIN: Record<string, string> = {
  Archive: "pulumi.json#/Archive",
  Asset: "pulumi.json#/Asset",
};
const ANY = "pulumi.json#/Any";

const isOutput = (n: Json) => n["x-instance-of"] === "Output";

class Converter {
  readonly types: Record<string, Json> = {};

  constructor(
    private readonly pkg: string,
    private readonly defs: Record<string, Json>,
    private readonly tokens: Record<string, string>,
  ) {}

  /** Registers a named type once (the argument schemas agree on every definition's shape). */
  private named(name: string, make: () => Json): Json {
    const token = `${this.pkg}:index:${name}`;
    if (!(token in this.types)) {
      this.types[token] = {}; // a placeholder while its properties refer back to it
      this.types[token] = make();
    }
    return { $ref: `#/types/${token}` };
  }

  /** The typeSpec of `node`; `hint` names an inline object or enum. */
  spec(node: Json, hint: string): Json {
    const plain = (s: Json) => ({ ...s, plain: true });
    if (typeof node.$ref === "string") {
      const name = refName(node.$ref);
      const def = this.defs[name];
      if (!def) throw new Error(`pulumi-schema: no definition ${name}`);
      if (IMPLEMENTED_BY[name])
        return plain({ $ref: `#/resources/${this.tokens[IMPLEMENTED_BY[name]]}` });
      const typeName = /^[A-Za-z0-9]+$/.test(name) ? name : hint;
      if (def.type === "object" && def.properties)
        return plain(this.named(typeName, () => this.objectType(def, typeName)));
      if (def.type === "string" && Array.isArray(def.enum))
        return plain(this.named(typeName, () => this.enumType(def)));
      return this.spec(def, typeName);
    }
    const kind = node["x-instance-of"];
    if (typeof kind === "string") {
      if (this.tokens[kind]) return plain({ $ref: `#/resources/${this.tokens[kind]}` });
      return plain({ $ref: BUILTIN[kind] ?? ANY });
    }
    if (Array.isArray(node.anyOf)) {
      const branches = node.anyOf as Json[];
      const rest = branches.filter((b) => !isOutput(b));
      const specs = this.union(rest, hint);
      return rest.length < branches.length ? withoutPlain(specs) : plain(specs);
    }
    if (Array.isArray(node.type)) {
      const enums = (node.enum as unknown[] | undefined) ?? [];
      const branches = (node.type as string[]).map((t) => {
        const values = enums.filter((v) => typeof v === t);
        return values.length > 0 && t === "string" ? { type: t, enum: values } : { type: t };
      });
      return plain(this.union(branches, hint));
    }
    if (node.type === "string" && Array.isArray(node.enum))
      return plain(this.named(hint, () => this.enumType(node)));
    if (node.type === "object") {
      if (node.properties) return plain(this.named(hint, () => this.objectType(node, hint)));
      const values = node.additionalProperties;
      return plain({
        type: "object",
        additionalProperties:
          values && typeof values === "object"
            ? this.spec(values as Json, `${hint}Value`)
            : { $ref: ANY },
      });
    }
    if (node.type === "array")
      return plain({
        type: "array",
        items: node.items ? this.spec(node.items as Json, `${hint}Item`) : { $ref: ANY },
      });
    if (typeof node.type === "string") return plain({ type: node.type });
    return plain({ $ref: ANY });
  }

  /** One spec for several alternatives: equal ones merged, a literal widened to its type. */
  private union(branches: Json[], hint: string): Json {
    const specs: Json[] = [];
    branches.forEach((b, i) => {
      const s = withoutPlain(
        this.spec(b, branches.length > 1 ? `${hint}${branchName(b, i)}` : hint),
      );
      if (!specs.some((t) => JSON.stringify(t) === JSON.stringify(s))) specs.push(s);
    });
    if (specs.length === 1) return specs[0];
    return defined({ oneOf: specs, discriminator: this.discriminator(branches, specs) });
  }

  /** For a union of object types that one required literal property tells apart (`type`): which
   * value selects which type, so typed SDKs can decode the union. */
  private discriminator(branches: Json[], specs: Json[]): Json | undefined {
    if (specs.length !== branches.length) return undefined;
    const objects = branches.map((b) => this.resolve(b));
    const first = objects[0];
    for (const key of (first.required as string[] | undefined) ?? []) {
      const mapping: Record<string, string> = {};
      const ok = objects.every((o, i) => {
        const prop = (o.properties as Record<string, Json> | undefined)?.[key];
        if (!prop || !(o.required as string[] | undefined)?.includes(key)) return false;
        const values = prop.const !== undefined ? [prop.const] : (prop.enum as unknown[]);
        if (!values?.every((v) => typeof v === "string" && !(v in mapping))) return false;
        for (const v of values as string[]) mapping[v] = specs[i].$ref as string;
        return typeof specs[i].$ref === "string";
      });
      if (ok) return { propertyName: key, mapping };
    }
    return undefined;
  }

  private resolve(node: Json): Json {
    return followRefs(this.defs, node);
  }

  private enumType(node: Json): Json {
    return defined({
      type: "string",
      description: node.description,
      enum: (node.enum as string[]).map((value) => ({ value })),
    });
  }

  objectType(node: Json, name: string): Json {
    return defined({
      type: "object",
      description: node.description,
      properties: this.properties(node, name),
      required: nonEmpty(node.required as string[] | undefined),
    });
  }

  properties(node: Json, owner: string): Record<string, Json> {
    const out: Record<string, Json> = {};
    for (const [key, value] of Object.entries((node.properties ?? {}) as Record<string, Json>))
      out[key] = defined({
        ...this.spec(value, `${owner}${pascalCase(key)}`),
        description: describe(value, this.defs),
        // A literal property (a union branch's `type: "stdout"`): SDKs set it themselves.
        const: typeof value.const === "string" ? value.const : undefined,
      });
    return out;
  }
}

/** A name for the i-th branch of a union: its one required key, its type, or its position. */
function branchName(b: Json, i: number): string {
  const required = b.required as string[] | undefined;
  if (required?.length === 1) return pascalCase(required[0]);
  return typeof b.type === "string" ? pascalCase(b.type) : String(i);
}

function withoutPlain(s: Json): Json {
  const { plain: _plain, ...rest } = s;
  return rest;
}

function nonEmpty<T>(a: T[] | undefined): T[] | undefined {
  return a && a.length > 0 ? a : undefined;
}

/** The property's description, with its default (a value, or prose already in the text). */
function describe(node: Json, defs: Record<string, Json>): string | undefined {
  let text = node.description as string | undefined;
  const name = typeof node.$ref === "string" ? refName(node.$ref) : "";
  // A named type's description; not a generic's (`Input<string>` would bring Pulumi's TSDoc).
  if (text === undefined && /^[A-Za-z0-9]+$/.test(name))
    text = defs[name]?.description as string | undefined;
  if (node.default !== undefined)
    text = `${text ? `${text} ` : ""}Default: \`${JSON.stringify(node.default)}\`.`;
  return text;
}

/** The argument bag at the top of an argument schema; a union's branches merged. */
function argsObject(args: Json, defs: Record<string, Json>): Json {
  const root = defs[refName(args.$ref as string)];
  if (!Array.isArray(root.anyOf)) return root;
  const branches = (root.anyOf as Json[]).map((b) => defs[refName(b.$ref as string)]);
  const merged: Record<string, Json[]> = {};
  for (const b of branches)
    for (const [k, v] of Object.entries(b.properties as Record<string, Json>))
      (merged[k] ??= []).push(v);
  const properties = Object.fromEntries(
    Object.entries(merged).map(([k, vs]) => {
      const distinct = vs.filter(
        (v, i) => vs.findIndex((w) => JSON.stringify(w) === JSON.stringify(v)) === i,
      );
      if (distinct.length === 1) return [k, distinct[0]];
      // One property, several branches (`backend`: "vpc-lattice" | "app-mesh").
      const consts = distinct.map((v) => v.const);
      if (consts.every((c) => typeof c === "string"))
        return [
          k,
          {
            type: "string",
            enum: consts,
            description: distinct.map((v) => v.description).join(" "),
          },
        ];
      return [k, { anyOf: distinct }];
    }),
  );
  const required = ((branches[0].required as string[] | undefined) ?? []).filter((k) =>
    branches.every((b) => (b.required as string[] | undefined)?.includes(k)),
  );
  return { type: "object", description: root.description, properties, required };
}

/**
 * The package schema for `components` (component name -> its argument schema and shape), in the
 * order given.
 */
export function pulumiPackageSchema(
  info: PackageInfo,
  components: Record<string, ComponentInput>,
): Json {
  const defs: Record<string, Json> = {};
  for (const { args } of Object.values(components))
    Object.assign(defs, args.definitions as Record<string, Json>);
  const tokens = Object.fromEntries(
    Object.entries(components).map(([name, c]) => [name, c.shape.token]),
  );
  const convert = new Converter(info.name, defs, tokens);
  const resources: Record<string, Json> = {};
  for (const [name, { args, shape }] of Object.entries(components)) {
    const bag = argsObject(args, defs);
    const outputs: Record<string, Json> = {};
    for (const [key, out] of Object.entries(shape.outputs))
      outputs[key] = defined({
        ...stripPlain(convert.spec(out.schema, `${name}${pascalCase(key)}`)),
        description: out.description,
      });
    const skipped = Object.entries(shape.skipped);
    const note =
      skipped.length === 0
        ? ""
        : `\n\nTypeScript only (no cross-language form): ${skipped.map(([k]) => `\`${k}\``).join(", ")}.`;
    resources[shape.token] = defined({
      isComponent: true,
      description: `${shape.description ?? name}${note}`,
      inputProperties: convert.properties(bag, `${name}Args`),
      requiredInputs: nonEmpty(bag.required as string[] | undefined),
      properties: outputs,
      required: nonEmpty(
        Object.entries(shape.outputs)
          .filter(([, o]) => !o.optional)
          .map(([k]) => k),
      ),
    });
  }
  const types = Object.fromEntries(
    Object.entries(convert.types).sort(([a], [b]) => a.localeCompare(b)),
  );
  return defined({
    name: info.name,
    displayName: info.name,
    version: info.version,
    description: info.description,
    keywords: info.keywords,
    homepage: info.homepage,
    license: info.license,
    meta: { moduleFormat: "(.*)" },
    language: {
      nodejs: { respectSchemaVersion: true },
      python: { respectSchemaVersion: true, pyproject: { enabled: true } },
    },
    resources,
    types,
  });
}

/** Outputs are always eventual: `plain` means nothing there. */
function stripPlain(s: Json): Json {
  const walk = (n: unknown): unknown => {
    if (Array.isArray(n)) return n.map(walk);
    if (n === null || typeof n !== "object") return n;
    return Object.fromEntries(
      Object.entries(n)
        .filter(([k]) => k !== "plain")
        .map(([k, v]) => [k, walk(v)]),
    );
  };
  return walk(s) as Json;
}
