/** Plain data helpers for generated config (chart values, manifests, plans). */

/** A YAML/JSON mapping. */
export type Values = Record<string, unknown>;

export function isPlainObject(value: unknown): value is Values {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A copy of `value` with every mapping's keys sorted (lists keep their order), so generated
 * files and previews show no false diffs. */
export function sortKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortKeys) as T;
  if (!isPlainObject(value)) return value;
  const out: Values = {};
  for (const k of Object.keys(value).sort()) out[k] = sortKeys(value[k]);
  return out as T;
}

/**
 * `base` with `override` merged in the way Helm merges values files: mappings merge key by key,
 * anything else (lists included) is replaced; `override` wins. Neither input is modified.
 */
export function deepMerge(base: Values, override?: Values): Values {
  if (!override) return { ...base };
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(override)) {
    if (k === "__proto__") continue;
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? deepMerge(out[k] as Values, v) : v;
  }
  return out;
}

/** Drops undefined fields so emitted objects carry only what was asked for. */
export function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
