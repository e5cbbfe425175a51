import * as pulumi from "@pulumi/pulumi";
import { holdsSecret, redactText, SECRET_TEXT } from "./secrets";

/** Renders a value for an error message: strings quoted, everything else as JSON; an Output (it may
 * hold a secret) only as `[Output]`, a value holding a declared secret (core/secrets.ts) as
 * `"[secret]"`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "undefined";
  if (holdsSecret(value, true)) return JSON.stringify(SECRET_TEXT);
  if (pulumi.Output.isInstance(value)) return "[Output]";
  if (pulumi.Resource.isInstance(value)) return resourceText(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  try {
    const json = JSON.stringify(value, function (this: Record<string, unknown>, key, v) {
      const raw = this[key];
      if (pulumi.Output.isInstance(raw)) return "[Output]";
      return pulumi.Resource.isInstance(raw) ? resourceText(raw) : v;
    });
    return json.length > 120 ? `${json.slice(0, 117)}...` : json;
  } catch {
    return String(value);
  }
}

/** A resource as its type and name (`[resource mesh-serverless:aws:MeshNetwork net]`), never its
 * internals. */
function resourceText(r: pulumi.Resource): string {
  const { __pulumiType: type, __name: name } = r as unknown as Record<string, unknown>;
  return `[resource ${String(type)} ${String(name)}]`;
}

/** The one message format for bad input: the argument, the value, what is allowed. */
export function invalidMessage(argument: string, value: unknown, allowed: string): string {
  return redactText(`invalid \`${argument}\` ${describeValue(value)}: ${allowed}`);
}

/**
 * Fails construction of `resource` because `argument` has `value`; `allowed` says what would be
 * accepted. Thrown before any child is created, so nothing below `resource` is registered.
 */
export function invalidArgument(
  resource: pulumi.Resource | undefined,
  argument: string,
  value: unknown,
  allowed: string,
): pulumi.ResourceError {
  return new pulumi.ResourceError(invalidMessage(argument, value, allowed), resource);
}
