/**
 * What the fuzz test (fuzz.ts) puts in place of a valid value: a wrong type, a number out of
 * range, empty, huge, unicode, a hostile string, an unknown key, null, and corruptions derived from
 * the valid value itself (a hostile suffix, a boolean or number as a string, a list of one).
 */
import fc from "fast-check";

/** Strings that mean something in the text the package generates (Fluentd, PromQL, Envoy, JSON). */
export const HOSTILE = [
  "</match>",
  '"}',
  "a\nb",
  "${x}",
  "a\u0000b",
  "#{`id`}",
  "{{ .Values }}",
  "\r\n@type null",
  '"} or vector(1) #',
  "'; DROP",
  "\\",
  "*/",
  "..",
  "a b",
  "<script>",
];

const UNICODE = ["ünïcødé", "🙂", "\u202etxt", "a\u200bb", "Ω≈ç√", "\uFEFF"];

/** Every corruption of a field whose valid value is `original`. */
export function corruption(original: unknown): fc.Arbitrary<unknown> {
  const derived: unknown[] = [];
  if (typeof original === "string") {
    derived.push(original.repeat(2000), String(original).toUpperCase(), ` ${original}`);
    for (const s of HOSTILE) derived.push(original + s);
  }
  if (typeof original === "number")
    derived.push(-original, original * 1000, original + 0.5, String(original), 0);
  if (typeof original === "boolean") derived.push(String(original), Number(original));
  if (Array.isArray(original)) {
    derived.push(original[0], [...original, ...original], Array(300).fill(original[0]), [null]);
    derived.push(original.length ? { ...original } : { 0: 1 });
  }
  if (original !== null && typeof original === "object" && !Array.isArray(original)) {
    derived.push({ ...original, bogusKey: 1 }, [original], JSON.stringify(original));
    derived.push(Object.fromEntries(Object.keys(original).map((k) => [k, null])));
  }
  return fc.oneof(
    fc.constantFrom<unknown>(
      null,
      true,
      false,
      0,
      -1,
      1.5,
      NaN,
      Infinity,
      -Infinity,
      2 ** 31,
      Number.MAX_SAFE_INTEGER,
      1e300,
      "",
      [],
      {},
      "x".repeat(100_000),
      { bogusKey: 1 },
      ["x"],
      [1],
      new Date(0),
      () => 1,
    ),
    fc.constantFrom(...HOSTILE, ...UNICODE),
    ...(derived.length ? [fc.constantFrom(...derived)] : []),
    fc.string({ unit: "grapheme", maxLength: 12 }),
    fc.string({ unit: "binary", maxLength: 12 }),
    fc.integer(),
    fc.double(),
    fc.anything({ maxDepth: 2, maxKeys: 3 }),
  );
}
