import { strict as assert } from "assert";
import * as path from "path";
import { SECRET_PLACEHOLDER } from "../../cli/engine";
import * as fs from "fs";
import { parse } from "yaml";
import { benchStackYaml } from "../../cli/bench-services";
import {
  knownStacks,
  parseYamlFile,
  readStackConfig,
  toEngineConfig,
  UsageError,
} from "../../cli/stack-config";

const fixtureStacks = path.join(__dirname, "..", "fixtures", "project", "stacks");

describe("cli/stack-config", () => {
  it("parses stack files to the same values as yaml's parse() (YAML 1.2 core schema)", () => {
    const stacks = path.join(__dirname, "..", "..", "stacks");
    const texts = [
      ...fs
        .readdirSync(stacks)
        .filter((f) => f.endsWith(".yaml"))
        .map((f) => path.join(stacks, f)),
      ...fs
        .readdirSync(fixtureStacks)
        .filter((f) => f.endsWith(".yaml") && !f.includes("malformed"))
        .map((f) => path.join(fixtureStacks, f)),
    ].map((f) => fs.readFileSync(f, "utf8"));
    texts.push(
      benchStackYaml(25),
      "",
      "# only a comment\n",
      "config:\n  a: 0b11\n  b: 1_000\n  c: +1\n  d: 0o17\n  e: 017\n  f: 2026-01-01\n  g: yes\n" +
        "  h: ~\n  i: !!str 1\n  j: 1.\n  k: -.inf\n  l: 12:30\n  m: .5\n  n: 1e3\n  o: 0x1F\n" +
        "  p: &x [1, {q: r}]\n  s: *x\n  <<: {t: 1}\n  u: 'it''s'\n  v: \"\\u00e9\\n\"\n  w: |\n    two\n    lines\n",
    );
    for (const text of texts)
      assert.deepEqual(parseYamlFile(text), parse(text) ?? null, text.slice(0, 80));
    assert.throws(() => parseYamlFile("a: 1\n---\nb: 2\n"), /more than one YAML document/);
    assert.throws(() => parseYamlFile("a: 1\na: 2\n"), /duplicated mapping key/);
  });

  it("gives config to the program as the Pulumi engine does", () => {
    const { config, secretKeys } = toEngineConfig(
      "proj",
      {
        "aws:region": "eu-west-1",
        replicas: 3,
        debug: false,
        "proj:app": { namespace: "shop", ports: [80, 443] },
        token: { secure: "v1:Y2lwaGVy" },
        db: { host: "db", password: { secure: "v1:cGFzcw==" } },
      },
      "Pulumi.x.yaml",
    );
    assert.deepEqual(config, {
      "aws:region": "eu-west-1",
      "proj:replicas": "3",
      "proj:debug": "false",
      "proj:app": '{"namespace":"shop","ports":[80,443]}',
      "proj:token": SECRET_PLACEHOLDER,
      "proj:db": `{"host":"db","password":"${SECRET_PLACEHOLDER}"}`,
    });
    assert.deepEqual(secretKeys, ["proj:db", "proj:token"]);
  });

  it("rejects malformed config with a one-line usage error", () => {
    assert.throws(
      () => toEngineConfig("p", ["a"], "Pulumi.x.yaml"),
      new UsageError("Pulumi.x.yaml: `config` must be a mapping of keys to values"),
    );
    assert.throws(
      () => toEngineConfig("p", { a: null }, "Pulumi.x.yaml"),
      new UsageError("Pulumi.x.yaml: config key a has no value"),
    );
    assert.throws(
      () => toEngineConfig("p", { a: { secure: 5 } }, "Pulumi.x.yaml"),
      new UsageError("Pulumi.x.yaml: config key a: a secure value must be a string"),
    );
    assert.deepEqual(toEngineConfig("p", undefined, "f"), { config: {}, secretKeys: [] });
  });

  it("reads a stack file, and names the known stacks when the stack is unknown", () => {
    const ok = readStackConfig(fixtureStacks, "fixture", "ok");
    assert.equal(ok.config["fixture:replicas"], "2");
    assert.equal(ok.config["fixture:app"], '{"namespace":"shop","weight":100,"debug":true}');
    assert.deepEqual(ok.secretKeys, ["fixture:dbPassword"]);
    assert.deepEqual(knownStacks(fixtureStacks), [
      "badschema",
      "badweight",
      "malformed",
      "notmap",
      "ok",
      "rejected",
    ]);
    assert.throws(
      () => readStackConfig(fixtureStacks, "fixture", "prod"),
      new UsageError(
        'unknown stack "prod": known stacks are badschema, badweight, malformed, notmap, ok, rejected',
      ),
    );
    assert.throws(
      () => readStackConfig(fixtureStacks, "fixture", "../ok"),
      /unknown stack "..\/ok"/,
    );
    assert.throws(
      () => readStackConfig(fixtureStacks, "fixture", "malformed"),
      /^UsageError: Pulumi.malformed.yaml is not valid YAML: /,
    );
    assert.throws(
      () => readStackConfig(fixtureStacks, "fixture", "notmap"),
      new UsageError("Pulumi.notmap.yaml: `config` must be a mapping of keys to values"),
    );
  });
});
