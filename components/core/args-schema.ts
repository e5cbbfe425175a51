/**
 * Structural checks from the generated schemas (`schema/<Component>.schema.json`, made by
 * `npm run schema` from the `XxxArgs` types): unknown keys at every depth, wrong types, values
 * outside an enum, missing required keys. Each schema is compiled once, on first use, and the
 * first problem becomes one house-format message with the argument's full path. What a schema
 * cannot say (DNS names, ranges, weights summing to 100, cross-field rules) stays with the
 * components' own checks.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ErrorObject, ValidateFunction } from "ajv";
import { ArgsValidators } from "./args-validator";
import { invalidMessage } from "./errors";
import { refName } from "./schema-refs";
import { SECRET_TEXT } from "./secrets";

/** A generated schema (the JSON file, imported). */
export type ArgsSchema = object;

type Json = Record<string, unknown>;

/**
 * `x-instance-of`: values that are not data (see cli/schema.ts) and how each is recognised.
 * @internal
 */
export function isInstanceOf(kind: string, value: unknown): boolean {
  switch (kind) {
    case "Output":
      return pulumi.Output.isInstance(value) || value instanceof Promise;
    case "Archive":
      return pulumi.asset.Archive.isInstance(value);
    case "Asset":
      return pulumi.asset.Asset.isInstance(value);
    default: // a resource class: a component or a Pulumi resource, of that class or a subclass
      return pulumi.Resource.isInstance(value) && classChain(value).includes(kind);
  }
}

/** The class names on `value`'s prototype chain (`MeshNetwork`, `ComponentResource`, `Resource`):
 * by name, so that a second copy of this package or of Pulumi's SDK in one program still counts. */
function classChain(value: object): string[] {
  const out: string[] = [];
  for (let p = Object.getPrototypeOf(value); p; p = Object.getPrototypeOf(p))
    if (typeof p.constructor?.name === "string") out.push(p.constructor.name);
  return out;
}

const validators = new ArgsValidators(isInstanceOf);
const compiled = new WeakMap<ArgsSchema, ValidateFunction>();

function validatorFor(schema: ArgsSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) compiled.set(schema, (validate = validators.compile(schema)));
  return validate;
}

/** `/traffic/routes/0/fault` -> `traffic.routes[0].fault` (under `prefix`). */
function argumentPath(pointer: string, prefix = ""): string {
  let out = prefix;
  for (const raw of pointer.split("/").slice(1)) {
    const part = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    out += /^\d+$/.test(part) ? `[${part}]` : out === "" || out.endsWith(":") ? part : `.${part}`;
  }
  return out;
}

/** Edit distance, for "did you mean" on a misspelt key. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(
        row[j] + 1,
        row[j - 1] + 1,
        prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1),
      );
      prev = row[j];
      row[j] = next;
    }
  }
  return row[b.length];
}

/** What to say about unknown key `key` where `schema` (an object schema) applies. */
function unknownKeyHint(key: string, schema: Json): string {
  const known = Object.keys((schema.properties as Json | undefined) ?? {});
  const hint = (schema["x-key-hints"] as Record<string, string> | undefined)?.[key];
  const list = known.length ? ` (known keys: ${known.join(", ")})` : "";
  if (hint) return `unknown key; ${hint}${list}`;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = distance(key, k);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  const close = best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 3));
  return `unknown key${close ? `; did you mean \`${best}\`?` : ""}${list}`;
}

/** `#/definitions/X` resolved against the root schema. */
function resolve(root: Json, schema: Json): Json {
  const ref = schema.$ref;
  if (typeof ref !== "string") return schema;
  const defs = root.definitions as Record<string, Json>;
  return resolve(root, defs[refName(ref)]);
}

/** `Archive` -> "an Archive", `Resource` -> "a Resource". */
function withArticle(noun: string): string {
  return `${/^[AEIOU]/.test(noun) ? "an" : "a"} ${noun}`;
}

function describeSchema(root: Json, schema: Json): string {
  const s = resolve(root, schema);
  const name = typeof schema.$ref === "string" ? schema.$ref.replace("#/definitions/", "") : "";
  if (typeof s.title === "string") return s.title;
  if (name && s.type === "object") return `a ${name}`;
  if (typeof s["x-instance-of"] === "string") return withArticle(s["x-instance-of"]);
  if (Array.isArray(s.enum)) return `one of ${s.enum.map((v) => JSON.stringify(v)).join(", ")}`;
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.type === "object" && s.properties && s.additionalProperties === false) {
    const keys = Object.keys(s.properties);
    if (keys.length <= 3) return `a mapping with ${keys.map((k) => `\`${k}\``).join(", ")}`;
  }
  if (s.type === "object") return "a mapping";
  if (s.type === "array") return "a list";
  if (Array.isArray(s.anyOf))
    return s.anyOf.map((b) => describeSchema(root, b as Json)).join(" or ");
  return typeof s.type === "string" ? `a ${s.type}` : "a value";
}

/** A value that only exists at deploy time, where plain data is needed. */
function describeData(value: unknown): string | undefined {
  if (pulumi.Output.isInstance(value) || value instanceof Promise)
    return "plain data known when the program runs, not an Output or a secret";
  return undefined;
}

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value === "number" && Number.isInteger(value) ? "number" : typeof value;
}

/** First sentence of a property's TSDoc, to say what a missing key is for. */
function purpose(schema: Json | undefined): string {
  const d = typeof schema?.description === "string" ? schema.description : "";
  const first = d.split(/(?<=\.)\s+(?=[A-Z])/)[0].replace(/\.$/, "");
  return first ? `: ${first}` : "";
}

const branchValidators = new WeakMap<Json, ValidateFunction>();

/** A validator for one branch of an `anyOf`, with the root's definitions in reach. */
function branchValidator(root: Json, branch: Json): ValidateFunction {
  let v = branchValidators.get(branch);
  if (!v) {
    v = validators.instance().compile({ definitions: root.definitions, ...branch });
    branchValidators.set(branch, v);
  }
  return v;
}

/**
 * Which branch of an `anyOf` the value meant: the one its discriminator (a property every branch
 * fixes to a constant, e.g. `type`) names, else the only branch of its JSON type, else the one it
 * got furthest into. Returns a message when no branch can be chosen.
 */
function explainAnyOf(ctx: Context, e: ErrorObject, at: string): string {
  const { root, message } = ctx;
  const branches = e.schema as Json[];
  const data = e.data;
  const resolved = branches.map((b) => resolve(root, b));
  const constOf = (s: Json, key: string) => {
    const p = (s.properties as Record<string, Json> | undefined)?.[key];
    return p?.const ?? (Array.isArray(p?.enum) ? p.enum : undefined);
  };
  const objects = resolved.filter((s) => s.type === "object");
  const disc = Object.keys((objects[0]?.properties as Json | undefined) ?? {}).find(
    (k) => objects.length > 1 && objects.every((s) => constOf(s, k) !== undefined),
  );
  let candidates = resolved.map((s, i) => ({ s, i }));
  if (disc && jsonType(data) === "object") {
    const value = (data as Json)[disc];
    const matches = (s: Json) => {
      const c = constOf(s, disc);
      // An optional discriminator (`backend?: "vpc-lattice"`) is that branch's default.
      if (value === undefined) return !(s.required as string[] | undefined)?.includes(disc);
      return Array.isArray(c) ? c.includes(value) : c === value;
    };
    candidates = candidates.filter(({ s }) => matches(s));
    if (candidates.length === 0) {
      const allowed = objects.flatMap((s) => constOf(s, disc) as unknown[]);
      const path = at === "" ? disc : `${at}.${disc}`;
      return message(
        path,
        value,
        `must be one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}`,
      );
    }
  } else {
    const typed = candidates.filter(({ s }) =>
      s.type === undefined ? true : [s.type].flat().includes(jsonType(data)),
    );
    if (typed.length > 0) candidates = typed;
  }
  const tried = candidates.map(({ i }) => {
    const v = branchValidator(root, branches[i]);
    v(data);
    const errors = v.errors ?? [];
    return { i, errors, depth: Math.max(...errors.map(depth)) };
  });
  const best = Math.max(...tried.map((t) => t.depth));
  let winners = tried.filter((t) => t.depth === best);
  if (winners.length > 1 && jsonType(data) === "object") {
    // `{ prefix: "/", prfx: 1 }`: the branch whose required keys are all there is the one meant.
    const has = (t: { i: number }) => {
      const required = resolved[t.i].required;
      return Array.isArray(required) && required.every((k) => k in (data as Json));
    };
    if (winners.filter(has).length === 1) winners = winners.filter(has);
  }
  if (winners.length === 1) return explain(ctx, winners[0].errors, at);
  const what = branches.map((b) => describeSchema(root, b)).join(" or ");
  return message(at, data, `must be ${describeData(data) ?? what}`);
}

/** How far a problem is from the root. */
function depth(e: ErrorObject): number {
  const base = e.instancePath.split("/").length;
  return e.keyword === "additionalProperties" || e.keyword === "required" ? base + 1 : base;
}

/** The problem ajv stopped at (the last error: branches come before their `anyOf`), as a message. */
function explain(ctx: Context, errors: ErrorObject[], prefix: string): string {
  const { root, message } = ctx;
  const e = errors[errors.length - 1];
  const at = argumentPath(e.instancePath, prefix);
  const join = (key: string) => (at === "" || at.endsWith(":") ? at + key : `${at}.${key}`);
  const parent = e.parentSchema as Json;
  switch (e.keyword) {
    case "anyOf":
      return explainAnyOf(ctx, e, at);
    case "additionalProperties": {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      return message(join(key), (e.data as Json)[key], unknownKeyHint(key, parent));
    }
    case "required": {
      const key = (e.params as { missingProperty: string }).missingProperty;
      const props = parent.properties as Record<string, Json> | undefined;
      const wanted = props?.[key] && resolve(root, props[key]);
      const allowed = Array.isArray(wanted?.enum) ? `: ${describeSchema(root, wanted)}` : "";
      return message(join(key), undefined, `is required${allowed || purpose(props?.[key])}`);
    }
    case "maxItems":
    case "minItems": {
      const { limit } = e.params as { limit: number };
      const most = e.keyword === "maxItems" ? "most" : "least";
      return message(
        at,
        e.data,
        `must be a list of at ${most} ${limit} item${limit === 1 ? "" : "s"}`,
      );
    }
  }
  return message(at, e.data, `must be ${describeData(e.data) ?? describeSchema(root, parent)}`);
}

/** Where a message is being made: the root schema and how a value is shown. */
interface Context {
  root: Json;
  message: (argument: string, value: unknown, allowed: string) => string;
}

/** Says whether the value at an argument path is secret (shown as "[secret]"). */
export type SecretPaths = (argument: string) => boolean;

/** The first problem ajv found in `errors` (from validating against `root`), as a message. */
function schemaMessage(
  root: ArgsSchema,
  errors: ErrorObject[],
  prefix = "",
  secret: SecretPaths = () => false,
): string {
  const message = (argument: string, value: unknown, allowed: string) =>
    invalidMessage(argument, secret(argument) ? SECRET_TEXT : value, allowed);
  return explain({ root: root as Json, message }, errors, prefix);
}

/**
 * Checks `args` against the component's generated schema before anything else: throws a
 * `pulumi.ResourceError` on `resource` naming the argument's full path, the value and what is
 * allowed (for an unknown key: the nearest known key, or the key that expresses upstream's field).
 */
export function checkArgs(resource: pulumi.Resource, schema: ArgsSchema, args: unknown): void {
  const ns = namespaceArg(schema, args);
  if (ns !== undefined) namespaces.set(resource, ns);
  const validate = validatorFor(schema);
  if (validate(args ?? {})) return;
  throw new pulumi.ResourceError(schemaMessage(schema, validate.errors ?? []), resource);
}

/** The namespace of each checked component, for error labels (`ServerlessService shop/orders`). */
const namespaces = new WeakMap<pulumi.Resource, string>();

/** `args.namespace` (a name or a `NamespaceRef`), else the schema's `@default` when it is a name. */
function namespaceArg(schema: ArgsSchema, args: unknown): string | undefined {
  const ns = (args as Json | undefined)?.namespace;
  if (typeof ns === "string") return ns;
  const ref = (ns as Json | undefined)?.namespace;
  if (typeof ref === "string") return ref;
  const s = schema as { $ref?: string; definitions?: Record<string, Json> };
  const root = s.definitions?.[(s.$ref ?? "").split("/").pop() ?? ""];
  const d = ((root?.properties as Json | undefined)?.namespace as Json | undefined)?.default;
  return typeof d === "string" && /^[a-z0-9-]+$/.test(d) ? d : undefined;
}

/** The namespace a component was given (or defaults to), once `checkArgs` has seen its args. */
export function componentNamespace(resource: pulumi.Resource): string | undefined {
  return namespaces.get(resource);
}

/** The first problem of `value` against `schema`, or undefined (for stack config). */
export function schemaProblem(
  schema: ArgsSchema,
  value: unknown,
  prefix = "",
  secret?: SecretPaths,
): string | undefined {
  const validate = validatorFor(schema);
  return validate(value) ? undefined : schemaMessage(schema, validate.errors ?? [], prefix, secret);
}
