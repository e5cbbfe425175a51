import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { diffRenders, fieldChanges, formatMarkdown, formatText, main } from "../../cli/diff";
import { readRender } from "../../cli/render-reader";
import { main as renderMain, render } from "../../cli/render";
import * as h from "../harness";

const PROGRAM = path.join(__dirname, "..", "fixtures", "diff", "index.ts");

/** The base config; each variant changes one thing a review must see. */
const BASE = {
  weights: [90, 10],
  callers: ["cluster.local/ns/shop/sa/frontend"],
  hosts: ["shop.example.com"],
  mtls: "STRICT",
  namespaces: ["shop", "extra"],
  token: "token-one",
  apiKey: { secure: "v1:Y2lwaGVydGV4dC1vbmU=" },
  istiodVersion: "1.2.3",
  replicas: 1,
  team: "shop",
};

let root: string;

/** The stack every variant renders: fingerprints are keyed by project and stack. */
const STACK = "review";

function writeProject(dir: string, config: Record<string, unknown>): void {
  fs.mkdirSync(path.join(dir, "stacks"), { recursive: true });
  fs.writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    "name: diff-fixture\nruntime: nodejs\nmain: stacks/index.ts\nstackConfigDir: stacks\n",
  );
  fs.writeFileSync(path.join(dir, "stacks", `Pulumi.${STACK}.yaml`), stringify({ config }));
}

/** Renders the fixture program with BASE plus `changes`, in a project of its own; returns the output. */
async function renderVariant(name: string, changes: Partial<typeof BASE> = {}): Promise<string> {
  const project = path.join(root, name);
  writeProject(project, { ...BASE, ...changes });
  const out = path.join(project, "out");
  await render({ stack: STACK, root: project, out, program: PROGRAM });
  return out;
}

function diffText(from: string, to: string): string {
  return formatText(diffRenders(readRender(from), readRender(to)), "old", "new");
}

/** The diff's lines after its heading: what a reviewer reads. */
function diffBody(from: string, to: string): string[] {
  return diffText(from, to).split("\n").slice(2);
}

describe("cli/diff", () => {
  const dirs: Record<string, string> = {};

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "diff-"));
    dirs.base = await renderVariant("base");
    dirs.again = await renderVariant("again");
    dirs.weights = await renderVariant("weights", { weights: [50, 50] });
    dirs.widened = await renderVariant("widened", {
      callers: [...BASE.callers, "cluster.local/ns/other/sa/batch"],
    });
    dirs.removed = await renderVariant("removed", { namespaces: ["shop"] });
    dirs.token = await renderVariant("token", { token: "token-two" });
    dirs.apiKey = await renderVariant("apikey", { apiKey: { secure: "v1:Y2lwaGVydGV4dC10d28=" } });
    dirs.helm = await renderVariant("helm", { istiodVersion: "1.2.4", replicas: 2 });
    dirs.aws = await renderVariant("aws", { team: "payments" });
    dirs.relaxed = await renderVariant("relaxed", {
      mtls: "PERMISSIVE",
      hosts: [...BASE.hosts, "admin.example.com"],
    });
  });
  after(async () => {
    fs.rmSync(root, { recursive: true, force: true });
    await h.reset();
  });

  it("GIVEN two renders of the same config THEN no change, and --exit-code exits 0", async () => {
    const r = diffRenders(readRender(dirs.base), readRender(dirs.again));
    assert.deepEqual(r.changes, []);
    assert.deepEqual(r.safety, []);
    const run = await h.captureOutput(() => main([dirs.base, dirs.again, "--exit-code"]));
    assert.equal(run.code, 0);
    assert.match(run.stdout, /0 added, 0 removed, 0 changed, \d+ unchanged\n\nNo changes\.\n$/);
  });

  it("GIVEN weights 90/10 -> 50/50 THEN one traffic line instead of two weight fields, exit 1", async () => {
    const text = diffText(dirs.base, dirs.weights);
    assert.deepEqual(diffBody(dirs.base, dirs.weights), [
      "~ VirtualService shop/reviews",
      "    traffic spec.http[0].route: reviews:v1 90 / reviews:v2 10 -> reviews:v1 50 / reviews:v2 50",
    ]);
    assert.match(text, /^Diff old -> new: 0 added, 0 removed, 1 changed, \d+ unchanged$/m);
    const run = await h.captureOutput(() => main([dirs.base, dirs.weights, "--exit-code"]));
    assert.equal(run.code, 1);
  });

  it("GIVEN a principal added to an ALLOW rule THEN access widened is called out first", () => {
    const r = diffRenders(readRender(dirs.base), readRender(dirs.widened));
    assert.deepEqual(r.safety, [
      "access widened: AuthorizationPolicy shop/reviews rules[0] + from.principals=cluster.local/ns/other/sa/batch",
    ]);
    assert.deepEqual(r.changes, [
      {
        key: "k8s - security.istio.io/AuthorizationPolicy shop/reviews",
        title: "AuthorizationPolicy shop/reviews",
        change: "changed",
        lines: ["spec.rules[0].from[0].source.principals: + cluster.local/ns/other/sa/batch"],
      },
    ]);
    const text = formatText(r, "old", "new");
    assert.ok(text.indexOf("Safety-relevant changes:") < text.indexOf("~ AuthorizationPolicy"));
  });

  it("GIVEN a Namespace dropped THEN it is removed, called destructive; reversed it is added", () => {
    const r = diffRenders(readRender(dirs.base), readRender(dirs.removed));
    assert.deepEqual(
      r.changes.map((c) => `${c.change} ${c.title}`),
      ["removed Namespace extra"],
    );
    assert.deepEqual(r.safety, [
      "destructive: Namespace extra removed (or renamed): deleting it deletes everything in it",
    ]);
    const back = diffRenders(readRender(dirs.removed), readRender(dirs.base));
    assert.deepEqual(
      back.changes.map((c) => `${c.change} ${c.title}`),
      ["added Namespace extra"],
    );
    assert.deepEqual(back.safety, []);
  });

  it("GIVEN a secret changed THEN it shows as changed and masked, never its value", () => {
    const text = diffText(dirs.base, dirs.token);
    assert.match(
      text,
      /^~ Secret shop\/token\n {4}stringData\.token: changed \(secret, value masked\)$/m,
    );
    assert.ok(!text.includes("token-one") && !text.includes("token-two"));
    for (const dir of [dirs.base, dirs.token])
      for (const f of ["manifests/2-resources/shop.yaml", "fingerprints.json"])
        assert.ok(!fs.readFileSync(path.join(dir, f), "utf8").includes("token-"), f);
  });

  it("GIVEN a secure config value re-encrypted THEN the config key shows as changed, masked", () => {
    const text = diffText(dirs.base, dirs.apiKey);
    assert.deepEqual(diffBody(dirs.base, dirs.apiKey), [
      "~ Stack config (secure values)",
      '    ["diff-fixture:apiKey"]: changed (secret, value masked)',
    ]);
    assert.ok(!text.includes("Y2lwaGVy"));
  });

  // [what changed, variant, key, title, lines]
  for (const [what, variant, key, title, lines] of [
    [
      "a chart version bump and a values key",
      "helm",
      "helm istio-system/istiod",
      "Helm release istio-system/istiod",
      ["values.pilot.replicaCount: 1 -> 2", "version: 1.2.3 -> 1.2.4"],
    ],
    [
      "an AWS input",
      "aws",
      "aws aws:iam/role:Role::fn-role",
      "AWS aws:iam/role:Role fn-role",
      ["inputs.tags.team: shop -> payments"],
    ],
  ] as const)
    it(`GIVEN ${what} changed THEN exactly those fields`, () => {
      const r = diffRenders(readRender(dirs.base), readRender(dirs[variant]));
      assert.deepEqual(r.changes, [{ key, title, change: "changed", lines: [...lines] }]);
    });

  it("GIVEN mTLS relaxed and a public host added THEN both safety notes, in that order", () => {
    const r = diffRenders(readRender(dirs.base), readRender(dirs.relaxed));
    assert.deepEqual(r.safety, [
      "mTLS relaxed: PeerAuthentication shop/default STRICT -> PERMISSIVE",
      "public host added: admin.example.com on Gateway (networking.istio.io) shop/public",
    ]);
  });

  it("writes a Markdown summary for a pull request, safety first", async () => {
    const md = path.join(root, "diff.md");
    const run = await h.captureOutput(() => main([dirs.base, dirs.relaxed, "--markdown", md]));
    assert.equal(run.code, 0);
    const text = fs.readFileSync(md, "utf8");
    assert.match(text, /^### Render diff: 0 added, 0 removed, 2 changed, \d+ unchanged$/m);
    assert.ok(text.indexOf("**Safety-relevant changes**") < text.indexOf("- **changed**"));
    assert.match(
      text,
      /^- :warning: mTLS relaxed: PeerAuthentication shop\/default STRICT -> PERMISSIVE$/m,
    );
    assert.match(text, /^ {2}- `spec\.mtls\.mode: STRICT -> PERMISSIVE`$/m);
  });

  it("prints the same text every time (stable order)", () => {
    assert.equal(diffText(dirs.base, dirs.relaxed), diffText(dirs.base, dirs.relaxed));
    const titles = diffRenders(readRender(dirs.base), readRender(dirs.relaxed)).changes.map(
      (c) => c.key,
    );
    assert.deepEqual(titles, [...titles].sort());
  });

  it("render --diff compares with the directory it is about to replace", async () => {
    const project = path.join(root, "inplace");
    writeProject(project, { ...BASE, weights: [80, 20] });
    // The CLI runs the project's own stacks/index.ts: point it at the fixture.
    fs.writeFileSync(
      path.join(project, "stacks", "index.ts"),
      `export = require(${JSON.stringify(PROGRAM)});\n`,
    );
    const out = path.join(project, "out");
    fs.cpSync(dirs.base, out, { recursive: true });
    const cwd = process.cwd();
    process.chdir(project);
    try {
      const run = await h.captureOutput(() =>
        renderMain(["--stack", STACK, "--out", out, "--diff", out, "--exit-code"]),
      );
      assert.equal(run.code, 1, run.stderr);
      assert.match(
        run.stdout,
        /traffic spec\.http\[0\]\.route: reviews:v1 90 \/ reviews:v2 10 -> reviews:v1 80 \/ reviews:v2 20/,
      );
      assert.doesNotMatch(run.stdout, /Secret shop\/token/);
    } finally {
      process.chdir(cwd);
    }
  });

  it("rejects bad arguments with exit code 2", async () => {
    for (const [argv, message] of [
      [[dirs.base], /expected two render directories/],
      [[dirs.base, dirs.again, "--bogus"], /unknown argument "--bogus"/],
      [[dirs.base, path.join(root, "nowhere")], /nowhere is not a directory/],
      [[dirs.base, root, "--markdown"], /--markdown needs a value/],
    ] as const) {
      const run = await h.captureOutput(() => main([...argv]));
      assert.equal(run.code, 2);
      assert.match(run.stderr, message);
    }
  });

  describe("field changes", () => {
    const changes = (a: unknown, b: unknown, fp = { before: {}, after: {} }): string[] => {
      const out: string[] = [];
      fieldChanges(a, b, "", fp, out);
      return out;
    };

    it("lists set changes of scalar lists, keys added and removed, multi-line text by line", () => {
      assert.deepEqual(changes({ l: ["a", "b"] }, { l: ["b", "c"] }), ["l: + c, - a"]);
      assert.deepEqual(changes({ l: ["a", "b"] }, { l: ["b", "a"] }), ["l: reordered"]);
      assert.deepEqual(changes({ a: 1 }, { b: { c: 2 } }), [
        "a: removed (was 1)",
        'b: added {"c":2}',
      ]);
      assert.deepEqual(changes({ t: "x\ny\n" }, { t: "x\nz\n" }), ["t: - y; + z"]);
      assert.deepEqual(
        changes({ "app.kubernetes.io/name": "a" }, { "app.kubernetes.io/name": "b" }),
        ['["app.kubernetes.io/name"]: a -> b'],
      );
    });

    it("masks secrets: changed only when both fingerprints are known and differ", () => {
      const s = { k: "[secret]" };
      assert.deepEqual(changes(s, s, { before: { k: "1" }, after: { k: "2" } }), [
        "k: changed (secret, value masked)",
      ]);
      assert.deepEqual(changes(s, s, { before: { k: "1" }, after: { k: "1" } }), []);
      assert.deepEqual(changes(s, s, { before: {}, after: { k: "1" } }), []);
    });
  });

  it("formats Markdown with code spans that survive backticks", () => {
    const md = formatMarkdown(
      {
        safety: [],
        changes: [{ key: "k", title: "T", change: "changed", lines: ["a: `x` -> y"] }],
        unchanged: 0,
      },
      "a",
      "b",
    );
    assert.match(md, /^ {2}- `a: 'x' -> y`$/m);
  });
});
