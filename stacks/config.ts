import * as pulumi from "@pulumi/pulumi";
import { invalidMessage } from "../components/core/errors";
import { schemaProblem } from "../components/core/args-schema";
import { clearSecrets, declareSecret } from "../components/core/secrets";
import stackFileSchema from "../schema/stack-config.schema.json";
import type { StackConfig } from "./config-types";

/**
 * Bad stack config: the message names the full key (`mesh-serverless:services.serverless.orders.
 * scale.min`), the value (never a secret's) and what is allowed. A `pulumi.RunError`, so
 * `pulumi up` prints it without a stack trace and the renderer exits 2.
 */
export class StackConfigError extends pulumi.RunError {
  override name = "StackConfigError";
}

/** The one way stacks/ rejects config: the house message on a full config key. */
export function fail(key: string, value: unknown, allowed: string): never {
  throw new StackConfigError(invalidMessage(key, value, allowed));
}

/** Whether the engine marked a config key secret (a `secure:` value anywhere inside it). */
export function isSecretKey(fullKey: string): boolean {
  // Exported by the SDK's runtime but not in its typings.
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean };
  return runtime.isConfigSecret?.(fullKey) ?? false;
}

/** StackConfig's schema with the stack file's definitions in reach (compiled once, on use). */
const stackConfigSchema = {
  $ref: "#/definitions/StackConfig",
  definitions: stackFileSchema.definitions,
};

/** A config value as the engine hands it over: structured values are JSON text. */
function parsed(text: string): unknown {
  if (!/^\s*[[{]/.test(text)) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text; // not JSON after all: the schema says what the key needed
  }
}

/**
 * Where a secret key's leaves reach resource inputs as data: services' env, annotations and args,
 * access `jwt[].jwks`, add-ons' Helm `values`, AWS `tags`, `attributes`, `environment`, `inline`
 * code and `assumeRoleArn`. These are kept secret in every input; the key's other leaves (names,
 * versions, modes) are only kept out of messages. A scalar secret key is secret as a whole.
 */
const SECRET_CAPABLE = new Set(
  "env annotations args jwks values tags attributes environment inline assumeRoleArn".split(" "),
);

function declareConfigSecret(value: unknown, capable = typeof value !== "object"): void {
  if (value === null || typeof value !== "object") return declareSecret(value, !capable);
  for (const [k, v] of Object.entries(value))
    declareConfigSecret(v, capable || SECRET_CAPABLE.has(k));
}

/**
 * The project's config, read once and checked as a whole against `schema/stack-config.schema.json`
 * before any resource is built: an unknown key at any depth, a wrong type or a value outside an
 * enum fails with its full config path. The per-area files only map it to components.
 */
export function readConfig(config = new pulumi.Config()): StackConfig {
  const prefix = `${config.name}:`;
  const all = pulumi.runtime.allConfig();
  const value: Record<string, unknown> = {};
  // Every leaf of a secret key is declared secret: messages show it as "[secret]" and
  // `keepSecret` makes each input it reaches a Pulumi secret (components/core/secrets.ts).
  clearSecrets();
  for (const [key, text] of Object.entries(all)) {
    if (!key.startsWith(prefix)) continue;
    value[key.slice(prefix.length)] = parsed(text);
    if (isSecretKey(key)) declareConfigSecret(value[key.slice(prefix.length)]);
  }
  const problem = schemaProblem(stackConfigSchema, value, prefix, (path) =>
    isSecretKey(path.replace(/^([^.[]+).*$/, "$1")),
  );
  if (problem) throw new StackConfigError(problem);
  return value as unknown as StackConfig;
}

/** `value`, kept secret in state when config key `key` holds a `secure:` value. */
export function protect<T>(key: string, value: T): pulumi.Input<T> {
  return isSecretKey(key) ? (pulumi.secret(value) as pulumi.Input<T>) : value;
}
