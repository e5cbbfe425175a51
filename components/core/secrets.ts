/**
 * Secret values known to the program (leaves of secret stack config keys, or values a caller
 * declares), so that secrecy flows although components validate and build from plain data:
 * - `keepSecret`, a resource transformation, makes every input leaf that holds a declared value a
 *   Pulumi secret before it is registered, so it reaches state encrypted; `redactText` replaces
 *   declared values in any message or warning;
 * - values declared `hideOnly` (the other leaves of a secret key: names, versions, modes) are not
 *   secret inputs, but an error message never shows them (`describeValue` prints "[secret]").
 * Values shorter than MIN_SUBSTRING are matched whole only: a secret "1" must not hide every "1".
 * Pulumi marks a whole config key secret and shows secrets as `[secret]`:
 * https://www.pulumi.com/docs/iac/concepts/secrets/
 */
import * as pulumi from "@pulumi/pulumi";
import { escapeRegex } from "./regex";

export const SECRET_TEXT = "[secret]";
const MIN_SUBSTRING = 4;

const values = new Set<string>();
const hidden = new Set<string>();
let objects = new WeakSet<object>();
let anyObject = false;

/**
 * Declares every string leaf of `value` secret (an Asset or Archive: the object itself); with
 * `hideOnly`, only kept out of messages.
 */
export function declareSecret(value: unknown, hideOnly = false): void {
  if (typeof value === "string") {
    if (value !== "") (hideOnly ? hidden : values).add(value);
  } else if (pulumi.asset.Asset.isInstance(value) || pulumi.asset.Archive.isInstance(value)) {
    objects.add(value);
    anyObject = true;
  } else if (value !== null && typeof value === "object" && !pulumi.Output.isInstance(value)) {
    for (const v of Object.values(value)) declareSecret(v, hideOnly);
  }
}

/** Forgets every declared value (a new program run reads its config afresh). */
export function clearSecrets(): void {
  values.clear();
  hidden.clear();
  objects = new WeakSet<object>();
  anyObject = false;
}

/** Whether any secret is declared (the transformation is only worth installing then). */
export function hasSecrets(): boolean {
  return values.size > 0 || anyObject;
}

function secretText(s: string, shown = false): boolean {
  if (values.has(s) || (shown && hidden.has(s))) return true;
  for (const v of values) if (v.length >= MIN_SUBSTRING && s.includes(v)) return true;
  return false;
}

/**
 * Whether `value` is, holds or contains a declared secret (Outputs are never looked into);
 * `shown`: for a message, where `hideOnly` values count too.
 */
export function holdsSecret(value: unknown, shown = false, depth = 0): boolean {
  if (typeof value === "string") return secretText(value, shown);
  if (value === null || typeof value !== "object" || depth > 32) return false;
  if (objects.has(value)) return true;
  if (pulumi.Output.isInstance(value) || pulumi.Resource.isInstance(value)) return false;
  return Object.entries(value).some(
    ([k, v]) => secretText(k, shown) || holdsSecret(v, shown, depth + 1),
  );
}

/**
 * `text` with every declared secret long enough to search for replaced by `[secret]`; a
 * `hideOnly` value only where it stands as a word of its own ("default" stays in "defaults").
 */
export function redactText(text: string): string {
  if (values.size === 0 && hidden.size === 0) return text;
  const long = (set: Set<string>) => [...set].filter((v) => v.length >= MIN_SUBSTRING);
  const sources = [
    ...long(values).map(escapeRegex),
    ...long(hidden).map((v) => `(?<![\\w.-])${escapeRegex(v)}(?![\\w-])`),
  ];
  if (sources.length === 0) return text;
  sources.sort((a, b) => b.length - a.length);
  return text.replace(new RegExp(sources.join("|"), "g"), SECRET_TEXT);
}

/** A warning or log line with every declared secret replaced by `[secret]`. */
export function warn(message: string, resource?: pulumi.Resource): void {
  pulumi.log.warn(redactText(message), resource);
}

/** `value` with every leaf that holds a secret wrapped in `pulumi.secret`. */
function wrap(value: unknown, depth: number): unknown {
  if (!holdsSecret(value)) return value;
  if (depth > 32 || typeof value !== "object" || value === null || objects.has(value))
    return pulumi.secret(value);
  if (Array.isArray(value)) return value.map((v) => wrap(v, depth + 1));
  // A key naming a secret (an env var called after one) hides the whole mapping.
  if (Object.keys(value).some((k) => secretText(k))) return pulumi.secret(value);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wrap(v, depth + 1)]));
}

/**
 * A resource transformation (`transformations: [keepSecret]`, inherited by children) that makes
 * every input leaf holding a declared secret a Pulumi secret before registration.
 */
export const keepSecret: pulumi.ResourceTransformation = (args) => {
  if (!args.type.includes(":") || args.type.startsWith("pulumi:pulumi:")) return undefined;
  if (!holdsSecret(args.props)) return undefined;
  return { props: wrap(args.props, 0) as pulumi.Inputs, opts: args.opts };
};
