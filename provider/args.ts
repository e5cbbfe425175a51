/**
 * Turns a `construct` request's inputs into the component's TypeScript args, guided by the
 * component's generated argument schema (`schema/<Component>.schema.json`, the one the component
 * itself checks its args against):
 * - where the schema allows an Output (`pulumi.Input<T>`), the value is passed on as it came, so an
 *   unknown value stays unknown in a preview and a secret stays secret;
 * - everywhere else the component needs the plain value: an Output there is awaited (its
 *   resources become dependencies of the component); one still unknown (a preview) or secret
 *   fails with the argument's path, since a plain value may become a resource name or be written
 *   in the clear;
 * - where the schema wants a resource (a component such as `MeshNetwork`, a `NamespaceRef`, or any
 *   `pulumi.Resource`), a resource reference the SDK could not rehydrate arrives as its URN: a
 *   component this provider process constructed is looked up by URN (the live instance, with the
 *   fields its consumers read); any other resource becomes a `DependencyResource` (only its URN is
 *   needed: to depend on it).
 * Everything else is left to the component's own checks, which report bad input as in TypeScript.
 */
import * as pulumi from "@pulumi/pulumi";
import { followRefs } from "../components/core/schema-refs";

type Json = Record<string, unknown>;

/** What the Node SDK's Output has at run time beyond its public type. */
interface OutputInternals {
  isKnown: Promise<boolean>;
  isSecret: Promise<boolean>;
  resources(): Set<pulumi.Resource>;
  promise(): Promise<unknown>;
}

export interface ArgsContext {
  /** The component type, for messages. */
  component: string;
  /** Every definition the argument schema has. */
  definitions: Record<string, Json>;
  /** Components this process constructed, by URN. */
  constructed: ReadonlyMap<string, pulumi.Resource>;
  /** Resources behind Outputs that were awaited: the component depends on them. */
  dependencies: pulumi.Resource[];
}

const URN = /^urn:pulumi:/;

function branches(node: Json, ctx: ArgsContext): Json[] {
  const at = followRefs(ctx.definitions, node);
  return Array.isArray(at.anyOf) ? (at.anyOf as Json[]).flatMap((b) => branches(b, ctx)) : [at];
}

function fail(ctx: ArgsContext, at: string, why: string): never {
  throw new Error(`${ctx.component}: argument \`${at}\` ${why}`);
}

/** The args value for `value` at `at`, whose schema is `node`. */
export async function toArgs(
  value: unknown,
  node: Json,
  at: string,
  ctx: ArgsContext,
): Promise<unknown> {
  const kinds = branches(node, ctx);
  if (pulumi.Output.isInstance(value)) {
    if (kinds.some((k) => k["x-instance-of"] === "Output")) return value;
    const output = value as unknown as OutputInternals;
    if (!(await output.isKnown))
      fail(ctx, at, "is not known yet; it must be a plain value (it may name resources)");
    if (await output.isSecret)
      fail(ctx, at, "is a secret, but the component takes it as plain text here");
    ctx.dependencies.push(...output.resources());
    return toArgs(await output.promise(), node, at, ctx);
  }
  if (typeof value === "string" && URN.test(value)) {
    // An object branch takes a component too: a `MeshNamespace` is a `NamespaceRef`.
    const wants = kinds.map((k) => k["x-instance-of"]).filter((k) => typeof k === "string");
    if (wants.length > 0 || kinds.some((k) => k.type === "object")) {
      const built = ctx.constructed.get(value);
      if (built) return built;
      if (wants.includes("Resource")) return new pulumi.DependencyResource(value);
      fail(ctx, at, `refers to ${value}, which this provider process did not construct`);
    }
  }
  if (value === null || typeof value !== "object" || pulumi.Resource.isInstance(value))
    return value;
  if (Array.isArray(value)) {
    const items = (kinds.find((k) => k.type === "array")?.items ?? {}) as Json;
    return Promise.all(value.map((v, i) => toArgs(v, items, `${at}[${i}]`, ctx)));
  }
  if (pulumi.asset.Archive.isInstance(value) || pulumi.asset.Asset.isInstance(value)) return value;
  const objects = kinds.filter((k) => k.type === "object");
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const props = objects.map((o) => (o.properties as Record<string, Json> | undefined)?.[key]);
    const extra = objects.map((o) => o.additionalProperties).find((a) => typeof a === "object");
    const child = (props.find((p) => p !== undefined) ?? extra ?? {}) as Json;
    out[key] = await toArgs(v, child, at === "" ? key : `${at}.${key}`, ctx);
  }
  return out;
}
