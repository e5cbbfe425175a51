import { strict as assert } from "assert";
import fc from "fast-check";
import { childName, isDns1123Label, isDns1123Subdomain } from "../../components/core/names";

const labelChars = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789-".split(""));

describe("core/names", () => {
  it("accepts DNS-1123 labels and rejects everything else", () => {
    for (const ok of ["a", "reviews", "order-processing", "v1", "0a"])
      assert.ok(isDns1123Label(ok), ok);
    for (const bad of ["", "-a", "a-", "A", "a_b", "a.b", "x".repeat(64)])
      assert.ok(!isDns1123Label(bad), bad);
    assert.ok(isDns1123Subdomain("user-function.serverless.svc.cluster.local"));
    assert.ok(!isDns1123Subdomain("a..b"));
  });

  it("childName keeps short names as parent-suffix", () => {
    assert.equal(childName("orders", "vs"), "orders-vs");
    assert.equal(childName("orders", ""), "orders");
  });

  it("childName always yields a DNS-1123 label of at most 63 characters, the same every time", () => {
    const label = (max: number) =>
      fc
        .string({ unit: labelChars, minLength: 1, maxLength: max })
        .filter((s) => isDns1123Label(s));
    fc.assert(
      fc.property(label(63), label(40), (parent, suffix) => {
        const n = childName(parent, suffix);
        const full = `${parent}-${suffix}`;
        return (
          n === childName(parent, suffix) &&
          isDns1123Label(n) &&
          (full.length <= 63 ? n === full : n.length === 63 || n.length < 63)
        );
      }),
    );
  });

  it("childName keeps different long names apart", () => {
    const a = childName("a".repeat(60), "destination-rule");
    const b = childName("a".repeat(60), "virtual-service");
    assert.notEqual(a, b);
    assert.equal(a.length, 63);
  });
});
