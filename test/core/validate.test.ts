import { strict as assert } from "assert";
import * as h from "../harness";
import fc from "fast-check";
import * as pulumi from "@pulumi/pulumi";
import { ArgChecker } from "../../components/core/validate";

const check = new ArgChecker();

const message = h.errorMessage;

describe("core/validate ArgChecker", () => {
  it("labels: keys as apimachinery's IsQualifiedName accepts them (prefix a DNS-1123 subdomain of at most 253)", () => {
    const prefix253 = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`;
    assert.equal(prefix253.length, 253);
    for (const key of [
      "app",
      "app.kubernetes.io/name",
      "A_b.c-D",
      `${prefix253}/x`,
      "x".repeat(63),
    ])
      check.labels("labels", { [key]: "v" });
    for (const key of [
      "a/b/c",
      "/name",
      "Example.com/name",
      `${prefix253}e/x`,
      "x".repeat(64),
      "-a",
      "a.io/",
      "",
    ])
      assert.equal(
        message(() => check.labels("labels", { [key]: "v" })),
        `invalid \`labels.${key}\` ${JSON.stringify(key)}: label keys must be an optional DNS subdomain prefix and '/', then a name of at most 63 characters`,
        key,
      );
  });

  it("names the argument, the value and what is allowed", () => {
    assert.equal(
      message(() => check.dnsLabel("revision", "1_30")),
      "invalid `revision` \"1_30\": must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters",
    );
    assert.equal(
      message(() => check.port("ports[0].port", 70000)),
      "invalid `ports[0].port` 70000: must be an integer from 1 to 65535",
    );
    assert.equal(
      message(() => check.oneOf("profile", "tiny" as string, ["default", "ambient"])),
      'invalid `profile` "tiny": must be one of "default", "ambient"',
    );
    assert.match(
      message(() => check.duration("timeout", "10 seconds")),
      /^invalid `timeout` "10 seconds": must be a duration such as/,
    );
    assert.equal(
      message(() => check.duration("interval", "10ms", 1000)),
      'invalid `interval` "10ms": must be at least 1s',
    );
    assert.equal(
      message(() => check.length("name", "ab", 3, 40)),
      'invalid `name` "ab": must be 3-40 characters long',
    );
    assert.equal(
      message(() => check.require("image", undefined, "is required")),
      "invalid `image` undefined: is required",
    );
    assert.equal(
      message(() => check.unique("subsets", ["v1", "v1"])),
      'invalid `subsets` "v1": must be unique; it appears more than once',
    );
  });

  it("lets undefined optional values through and normalizes durations", () => {
    check.dnsLabel("x", undefined);
    check.int("x", undefined, 0, 1);
    assert.equal(check.duration("x", undefined), undefined);
    assert.equal(check.duration("x", "900000ms"), "15m");
    assert.equal(check.durationMs("x", "1.5s"), 1500);
  });

  it("weights: integers 0-100 summing to 100", () => {
    check.weights("route", [80, 20]);
    check.weights("route", [100]);
    assert.equal(
      message(() => check.weights("route", [80, 30])),
      "invalid `route` [80,30]: weights must sum to 100 (they sum to 110)",
    );
    assert.equal(
      message(() => check.weights("route", [101, -1])),
      "invalid `route[0].weight` 101: must be an integer from 0 to 100",
    );
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 10 }),
        (ws) => {
          const sum = ws.reduce((a, b) => a + b, 0);
          let threw = false;
          try {
            check.weights("w", ws);
          } catch {
            threw = true;
          }
          return threw === (sum !== 100);
        },
      ),
    );
  });

  it("int: accepts exactly the integers in range", () => {
    fc.assert(
      fc.property(fc.double({ min: -10, max: 200, noNaN: true }), (v) => {
        let threw = false;
        try {
          check.int("v", v, 0, 100);
        } catch {
          threw = true;
        }
        return threw === !(Number.isInteger(v) && v >= 0 && v <= 100);
      }),
    );
  });
});

describe("core/validate ArgChecker.input (values taken from other resources)", () => {
  const dns = (v: string) => check.dnsLabel("namespace", v);
  async function resolved<T>(input: pulumi.Input<T> | undefined): Promise<T> {
    return (await (pulumi.output(input) as unknown as { promise(): Promise<T> }).promise()) as T;
  }

  it("checks a known value at once and passes it on unchanged", () => {
    assert.equal(check.input("shop", dns), "shop");
    assert.equal(check.input(undefined, dns), undefined);
    assert.equal(
      message(() => check.input("Shop!", dns)),
      "invalid `namespace` \"Shop!\": must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters",
    );
  });

  it("checks an Output or a Promise when it resolves, with the same message", async () => {
    assert.equal(await resolved(check.input(pulumi.output("shop"), dns)), "shop");
    assert.equal(await resolved(check.input(Promise.resolve("shop"), dns)), "shop");
    await assert.rejects(resolved(check.input(pulumi.output("Shop!"), dns)), (e: Error) => {
      assert.match(e.message, /^invalid `namespace` "Shop!": must be a DNS-1123 label/);
      return true;
    });
  });

  it("keeps a secret Output secret and its value out of the message", async () => {
    const out = check.input(pulumi.secret("shop"), dns) as pulumi.Output<string>;
    assert.equal(await pulumi.isSecret(out), true);
    await assert.rejects(
      resolved(check.input(pulumi.secret("CANARY-Not-A-Label"), dns)),
      (e: Error) => {
        assert.equal(e.message.includes("CANARY"), false, e.message);
        assert.match(e.message, /^invalid `namespace` "\[secret\]": must be a DNS-1123 label/);
        return true;
      },
    );
  });

  it("does not run the check on an unknown value (a preview)", async () => {
    let ran = false;
    const out = check.input(pulumi.output(pulumi.unknown as unknown as string), () => {
      ran = true;
    }) as pulumi.Output<string>;
    assert.equal(pulumi.Output.isInstance(out), true);
    assert.equal(await (out as unknown as { isKnown: Promise<boolean> }).isKnown, false);
    assert.equal(ran, false);
  });
});
