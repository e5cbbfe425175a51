import { stringify } from "yaml";

/**
 * `toYaml(v)` returns exactly `stringify(v, { lineWidth: 0 })` of the `yaml` package, several
 * times faster for the plain JSON data a render writes: block maps and sequences are written
 * directly, and each scalar that is not obviously a plain string or number is written the way
 * `yaml` writes it on its own (once per distinct string). Anything else (a multi-line string, an
 * exponent, `undefined` in a list, a non-plain object) sends the whole value to `yaml` itself.
 * test/cli/yaml-write.test.ts checks the equality on every stack and on generated values.
 */

const KEYWORD = /^(?:true|false|null|y|yes|n|no|on|off)$/i;
// Letters first; then letters, digits and `_ . / - ~ + @ ( ) , = %` with single inner spaces.
const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./~+@(),=%-]*(?: [A-Za-z0-9_./~+@(),=%-]+)*$/;
const DECIMAL = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$/;

/** Thrown when a value is outside the fast path; toYaml then asks `yaml`. */
class Unsupported extends Error {}

const scalarCache = new Map<string, string>();

function stringScalar(s: string): string {
  if (s.length > 1000) throw new Unsupported(); // yaml writes a long key as `? key`
  if (PLAIN.test(s) && !KEYWORD.test(s)) return s;
  let out = scalarCache.get(s);
  if (out === undefined) {
    const text = stringify(s, { lineWidth: 0 });
    // One line (plain or quoted) is written the same in a block map or list; a block scalar or a
    // folded one depends on its indentation.
    if (text.indexOf("\n") !== text.length - 1 || /^[|>]/.test(text)) throw new Unsupported();
    out = text.slice(0, -1);
    if (scalarCache.size > 100_000) scalarCache.clear();
    scalarCache.set(s, out);
  }
  return out;
}

function scalar(v: unknown): string {
  if (typeof v === "string") return stringScalar(v);
  if (typeof v === "number") {
    const s = String(v);
    if (Number.isFinite(v) && !Object.is(v, -0) && DECIMAL.test(s)) return s;
    throw new Unsupported();
  }
  if (typeof v === "boolean") return v ? "true" : "false";
  if (v === null) return "null";
  throw new Unsupported();
}

const isPlainObject = (v: object): boolean => {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/**
 * Appends `v` as the value after `key:` / `- ` at `indent`; `inSeq` for a list item. `seen` holds
 * the collections written so far: yaml writes a repeated one as an anchor and aliases.
 */
function block(v: unknown, indent: string, out: string[], inSeq: boolean, seen: Set<object>): void {
  if (v !== null && typeof v === "object") {
    if (seen.has(v)) throw new Unsupported();
    seen.add(v);
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return void out.push(" []\n");
    out.push(inSeq ? " " : "\n");
    let first = inSeq;
    for (const item of v) {
      if (item === undefined) throw new Unsupported();
      out.push(first ? "-" : `${indent}-`);
      first = false;
      block(item, `${indent}  `, out, true, seen);
    }
    return;
  }
  if (v !== null && typeof v === "object") {
    if (!isPlainObject(v)) throw new Unsupported();
    const keys = Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined);
    if (keys.length === 0) return void out.push(" {}\n");
    out.push(inSeq ? " " : "\n");
    let first = inSeq;
    for (const k of keys) {
      out.push(first ? `${stringScalar(k)}:` : `${indent}${stringScalar(k)}:`);
      first = false;
      block((v as Record<string, unknown>)[k], `${indent}  `, out, false, seen);
    }
    return;
  }
  out.push(` ${scalar(v)}\n`);
}

/** The same text as `stringify(value, { lineWidth: 0 })` from `yaml`. */
export function toYaml(value: unknown): string {
  try {
    if (value === null || typeof value !== "object") return `${scalar(value)}\n`;
    const out: string[] = [];
    block(value, "", out, false, new Set());
    const text = out.join("");
    // A top-level collection starts on the first line: drop the newline (or, for an empty one,
    // the space) that block() put after the key it does not have.
    return text.slice(1);
  } catch (err) {
    if (!(err instanceof Unsupported)) throw err;
    return stringify(value, { lineWidth: 0 });
  }
}
