/** The generated args schemas (schema/), and where they take values that are not data. */
import * as fs from "fs";
import * as path from "path";
import type { Segment } from "../fuzz/fuzz";

const SCHEMA_DIR = path.join(__dirname, "..", "..", "schema");
type Json = Record<string, unknown>;

const schemas = new Map<string, Json>();

/** `schema/<component>.schema.json`, read once. */
export function schemaOf(component: string): Json {
  if (!schemas.has(component))
    schemas.set(
      component,
      JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, `${component}.schema.json`), "utf8")),
    );
  return schemas.get(component)!;
}

/**
 * Every place in `component`'s args schema whose value is not data (`x-instance-of`: a resource
 * class, an Archive, or an Output where a `pulumi.Input` is taken): its path (`0` for a list's first
 * item, `*` for any key of a map), whether it is a list's item, and the kind.
 */
export function schemaPlaces(component: string): { at: Segment[]; list: boolean; kind: string }[] {
  const root = schemaOf(component);
  const defs = root.definitions as Record<string, Json>;
  const out: { at: Segment[]; list: boolean; kind: string }[] = [];
  const walk = (node: Json, at: Segment[], list: boolean, seen: Set<string>): void => {
    if (typeof node.$ref === "string") {
      const name = decodeURIComponent(node.$ref.replace("#/definitions/", ""));
      if (!seen.has(name)) walk(defs[name], at, list, new Set([...seen, name]));
      return;
    }
    const kind = node["x-instance-of"];
    if (typeof kind === "string") out.push({ at, list, kind });
    for (const b of (node.anyOf as Json[] | undefined) ?? []) walk(b, at, list, seen);
    if (node.items) walk(node.items as Json, [...at, 0], true, seen);
    if (typeof node.additionalProperties === "object")
      walk(node.additionalProperties as Json, [...at, "*"], false, seen);
    for (const [k, v] of Object.entries((node.properties as Record<string, Json>) ?? {}))
      walk(v, [...at, k], false, seen);
  };
  walk(root, [], false, new Set());
  return out;
}
