import * as fs from "fs";
import * as path from "path";
import { CORE_SCHEMA, loadAll } from "js-yaml";
import { SECRET_PLACEHOLDER } from "./engine";

/** A problem with how the renderer was called or with a stack file: one line, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

export interface StackConfig {
  /** `namespace:key` -> value, as the Pulumi engine hands config to a program. */
  config: Record<string, string>;
  /** Keys whose values are secret (given as `secure:`); their values are SECRET_PLACEHOLDER. */
  secretKeys: string[];
}

let lastParsed: { text: string; doc: unknown } | undefined;

/**
 * Parses a one-document YAML file (a stack file, Pulumi.yaml) into plain data, as `yaml`'s
 * `parse()` does with its default YAML 1.2 core schema: js-yaml with its core schema gives the
 * same values (test/cli/stack-config.test.ts) about five times faster, which a 1,000-service stack
 * file noticed (~1 s). An empty file is null. The last text's result is kept: the render reads
 * the stack file again for its fingerprints; callers do not modify it.
 */
export function parseYamlFile(text: string): unknown {
  if (lastParsed?.text === text) return lastParsed.doc;
  const docs = loadAll(text, { schema: CORE_SCHEMA });
  if (docs.length > 1) throw new Error("the file holds more than one YAML document");
  const doc = docs[0] ?? null;
  lastParsed = { text, doc };
  return doc;
}

/** `file` read and parsed (parseYamlFile); invalid YAML is a usage error naming it `shown`. */
export function readYamlFile(file: string, shown: string): unknown {
  try {
    return parseYamlFile(fs.readFileSync(file, "utf8"));
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split("\n")[0];
    throw new UsageError(`${shown} is not valid YAML: ${first}`);
  }
}

/** Stack names that have a `Pulumi.<stack>.yaml` in `dir`, sorted. */
export function knownStacks(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

function isSecure(v: unknown): v is { secure: unknown } {
  return (
    typeof v === "object" &&
    v !== null &&
    !Array.isArray(v) &&
    Object.keys(v).length === 1 &&
    "secure" in v
  );
}

/** Replaces nested `secure:` values by the placeholder; reports whether any was found. */
function redactStructured(value: unknown, where: string): { value: unknown; secret: boolean } {
  if (isSecure(value)) {
    if (typeof value.secure !== "string")
      throw new UsageError(`${where}: a secure value must be a string`);
    return { value: SECRET_PLACEHOLDER, secret: true };
  }
  if (Array.isArray(value)) {
    const parts = value.map((v, i) => redactStructured(v, `${where}[${i}]`));
    return { value: parts.map((p) => p.value), secret: parts.some((p) => p.secret) };
  }
  if (value !== null && typeof value === "object") {
    let secret = false;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const part = redactStructured(v, `${where}.${k}`);
      out[k] = part.value;
      secret ||= part.secret;
    }
    return { value: out, secret };
  }
  return { value, secret: false };
}

/**
 * Converts a stack file's `config:` map to what the engine gives a program: keys namespaced
 * with the project name when they have no namespace; strings as they are; numbers and booleans
 * as their text; objects and arrays as JSON; `secure:` values as a placeholder, their keys secret.
 */
export function toEngineConfig(project: string, raw: unknown, file: string): StackConfig {
  if (raw === undefined || raw === null) return { config: {}, secretKeys: [] };
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new UsageError(`${file}: \`config\` must be a mapping of keys to values`);
  }
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const full = key.includes(":") ? key : `${project}:${key}`;
    if (value === null || value === undefined)
      throw new UsageError(`${file}: config key ${key} has no value`);
    const { value: plain, secret } = redactStructured(value, `${file}: config key ${key}`);
    config[full] =
      typeof plain === "string"
        ? plain
        : typeof plain === "object"
          ? JSON.stringify(plain)
          : String(plain);
    if (secret) secretKeys.push(full);
  }
  return { config, secretKeys: secretKeys.sort() };
}

/** Reads `stacks/Pulumi.<stack>.yaml` from `stackDir`. */
export function readStackConfig(stackDir: string, project: string, stack: string): StackConfig {
  const file = path.join(stackDir, `Pulumi.${stack}.yaml`);
  if (!/^[A-Za-z0-9_.-]+$/.test(stack) || !fs.existsSync(file)) {
    const known = knownStacks(stackDir);
    throw new UsageError(
      `unknown stack "${stack}": known stacks are ${known.join(", ") || "none"}`,
    );
  }
  const doc = readYamlFile(file, path.basename(file));
  if (doc === null || doc === undefined) return { config: {}, secretKeys: [] };
  if (typeof doc !== "object" || Array.isArray(doc)) {
    throw new UsageError(`${path.basename(file)} must be a mapping with a \`config\` key`);
  }
  return toEngineConfig(project, (doc as { config?: unknown }).config, path.basename(file));
}
