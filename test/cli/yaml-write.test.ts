import { strict as assert } from "assert";
import fc from "fast-check";
import { stringify } from "yaml";
import { benchServices } from "../../cli/bench-services";
import { toYaml } from "../../cli/yaml-write";

const reference = (v: unknown): string => stringify(v, { lineWidth: 0 });

/** Scalars where plain, quoted and block forms meet. */
const TRICKY: unknown[] = [
  "",
  " ",
  "a",
  "a b",
  "a  b",
  " lead",
  "trail ",
  "true",
  "True",
  "FALSE",
  "null",
  "Null",
  "~",
  "yes",
  "No",
  "on",
  "OFF",
  "y",
  "n",
  "8080",
  "0x1F",
  "0o17",
  "1e3",
  "1_000",
  ".inf",
  "-.inf",
  ".nan",
  "-1",
  "+1",
  "1.0",
  "1.2.3",
  "10m",
  "*",
  "*.example.com",
  "&a",
  "!tag",
  "%x",
  "@x",
  "`x",
  "|",
  ">",
  "- x",
  "-x",
  "-",
  "--",
  "---",
  "...",
  "? x",
  "?x",
  "a: b",
  "a:b",
  "a:",
  "http://x:80/y",
  "a #b",
  "a#b",
  "#a",
  "[a]",
  "{a}",
  "a,b",
  "a, b",
  "'q'",
  '"q"',
  "it's",
  'say "hi"',
  "back\\slash",
  "line\nbreak",
  "ends\n",
  "tab\there",
  "é",
  "日本",
  "emoji 🎉",
  "\u0007bell",
  "app.kubernetes.io/name",
  "sidecar.istio.io/inject",
  'sum(rate(x{a="b"}[5m])) > 0.5',
  "/path/to",
  "_under",
  "(paren)",
  "a=b",
  "a+b",
  "x~y",
  "100%",
  0,
  1,
  -1,
  1.5,
  -0,
  0.1 + 0.2,
  1e21,
  1e-7,
  Number.MAX_SAFE_INTEGER,
  true,
  false,
  null,
];

describe("cli/yaml-write", () => {
  it("writes every tricky scalar as yaml does, alone, as a value, as a key and as a list item", () => {
    for (const s of TRICKY) {
      assert.equal(toYaml(s), reference(s), JSON.stringify(s));
      assert.equal(toYaml({ k: s }), reference({ k: s }), JSON.stringify(s));
      assert.equal(
        toYaml([s, [s], { k: [s] }]),
        reference([s, [s], { k: [s] }]),
        JSON.stringify(s),
      );
      if (typeof s === "string")
        assert.equal(
          toYaml({ [s]: { [s]: s } }),
          reference({ [s]: { [s]: s } }),
          JSON.stringify(s),
        );
    }
  });

  it("writes nesting, empty collections and skipped undefined as yaml does", () => {
    const v = {
      a: {},
      b: [],
      c: [{}, [], [[]], [{ x: [] }], { y: {} }],
      d: { e: { f: [1, [2, [3]]] }, g: undefined },
      h: [{ i: 1, j: [{ k: "l" }] }],
    };
    assert.equal(toYaml(v), reference(v));
    for (const x of [{}, [], [[]], [{}], { a: [[1, 2], [3]] }, [undefined], [1, undefined]])
      assert.equal(toYaml(x), reference(x), JSON.stringify(x));
    assert.equal(toYaml({ long: "x".repeat(1001) }), reference({ long: "x".repeat(1001) }));
    const longKey = { ["k".repeat(1001)]: 1 };
    assert.equal(toYaml(longKey), reference(longKey));
  });

  it("writes the bench's service config as yaml does", () => {
    const config = benchServices(40);
    assert.equal(toYaml(config), reference(config));
  });

  it("writes any JSON value as yaml does (fast-check)", () => {
    const text = fc.oneof(
      fc.constantFrom(...TRICKY.filter((t): t is string => typeof t === "string")),
      fc.string({
        unit: fc.constantFrom(
          "a",
          "Z",
          "0",
          "9",
          " ",
          ":",
          "#",
          "-",
          ".",
          "/",
          "'",
          '"',
          "\n",
          "*",
          "{",
          "}",
          "[",
          "]",
          ",",
          "%",
          "é",
          "\t",
          "\\",
        ),
      }),
      fc.string(),
    );
    const scalar = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        scalar,
        fc.array(tie("value"), { maxLength: 4 }),
        fc.dictionary(text, tie("value"), { maxKeys: 4 }),
      ),
    }));
    fc.assert(
      fc.property(value, (v) => toYaml(v) === reference(v)),
      { numRuns: 2000 },
    );
  });
});
