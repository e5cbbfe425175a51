import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { Section, StackConfigError } from "../../stacks/config";
import { readClouds } from "../../stacks/environment";
import { exitCodeFor } from "../../cli/render";
import * as h from "../harness";

/** The message of the StackConfigError `fn` throws; a config error exits the renderer with 2. */
function error(fn: () => unknown): string {
  const message = h.expectConfigError(fn);
  assert.equal(exitCodeFor(new StackConfigError(message)), 2);
  return message;
}

describe("stacks/config Section", () => {
  const s = (value: Record<string, unknown>) => new Section("p:platform", value);

  it("reads typed values and names the full key, the value and what is allowed on errors", () => {
    const sec = s({
      name: "x",
      n: 3,
      on: true,
      list: ["a"],
      map: { a: "b" },
      sub: { k: 1 },
      items: [{ a: 1 }],
    });
    assert.equal(sec.string("name"), "x");
    assert.equal(sec.number("n", { min: 1, max: 5, integer: true }), 3);
    assert.equal(sec.boolean("on"), true);
    assert.deepEqual(sec.strings("list"), ["a"]);
    assert.deepEqual(sec.stringMap("map"), { a: "b" });
    assert.equal(sec.section("sub")?.path, "p:platform.sub");
    assert.equal(sec.sections("items")[0].path, "p:platform.items[0]");
    assert.equal(sec.string("missing", "dflt"), "dflt");
    assert.equal(
      error(() => s({ n: "3" }).number("n")),
      'config `p:platform.n` is "3": must be a number',
    );
    assert.equal(
      error(() => s({ n: 7 }).number("n", { max: 5, integer: true })),
      "config `p:platform.n` is 7: must be an integer <= 5",
    );
    assert.equal(
      error(() => s({ on: "yes" }).boolean("on")),
      'config `p:platform.on` is "yes": must be true or false',
    );
    assert.equal(
      error(() => s({ m: "x" }).oneOf("m", ["a", "b"])),
      'config `p:platform.m` is "x": must be one of a, b',
    );
    assert.equal(
      error(() => s({}).requireString("image")),
      "config `p:platform.image` is undefined: is required: a non-empty string",
    );
    assert.equal(
      error(() => s({ list: "a" }).strings("list")),
      'config `p:platform.list` is "a": must be a list of strings',
    );
    assert.equal(
      error(() => s({ sub: 3 }).section("sub")),
      "config `p:platform.sub` is 3: must be a mapping",
    );
  });

  it("rejects keys nobody read, so a typo is not silently ignored", () => {
    const sec = s({ replicas: 2, replcas: 3 });
    sec.number("replicas");
    assert.equal(
      error(() => sec.done()),
      "config `p:platform.replcas` is 3: is not a known key here; known keys: replicas",
    );
  });
});

describe("stacks/config secrets", () => {
  afterEach(() => h.reset());

  it("keeps values of a key holding a secure value secret; plain keys stay plain", async () => {
    await h.reset({
      config: {
        "mesh-serverless:aws": '{"fn":{"env":{"TOKEN":"[secret]"}}}',
        "mesh-serverless:plain": '{"env":{"A":"b"}}',
      },
      secretKeys: ["mesh-serverless:aws"],
    });
    const aws = Section.root("aws")!;
    assert.equal(aws.secret, true);
    const env = aws.section("fn")!.inputMap("env")!;
    const token = pulumi.output(env.TOKEN) as pulumi.Output<string> & {
      isSecret: Promise<boolean>;
    };
    assert.equal(await token.isSecret, true);
    assert.equal(await h.resolve(token), "[secret]");
    const plain = Section.root("plain")!;
    assert.equal(plain.secret, false);
    assert.deepEqual(plain.inputMap("env"), { A: "b" });
  });
});

describe("stacks/environment readClouds", () => {
  afterEach(() => h.reset());

  it("defaults to kubernetes and accepts both clouds", async () => {
    await h.reset({ config: {} });
    assert.deepEqual(readClouds(), ["kubernetes"]);
    await h.reset({ config: { "mesh-serverless:clouds": '["kubernetes","aws","aws"]' } });
    assert.deepEqual(readClouds(), ["kubernetes", "aws"]);
  });

  it("names the key and the allowed clouds on a bad value", async () => {
    await h.reset({ config: { "mesh-serverless:clouds": '["gcp"]' } });
    assert.equal(
      error(() => readClouds()),
      'config `mesh-serverless:clouds` has "gcp": each entry must be one of kubernetes, aws',
    );
    await h.reset({ config: { "mesh-serverless:clouds": "[]" } });
    assert.equal(
      error(() => readClouds()),
      "config `mesh-serverless:clouds` is []: must be a non-empty list of kubernetes, aws",
    );
  });
});
