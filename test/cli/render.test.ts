import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, parseAllDocuments } from "yaml";
import { exitCodeFor, main, parseArgs, render, SchemaError, summary } from "../../cli/render";
import { AnalysisError } from "../../cli/render-analysis";
import { UsageError } from "../../cli/stack-config";
import { SECRET_PLACEHOLDER } from "../../cli/engine";
import * as h from "../harness";

const root = path.join(__dirname, "..", "fixtures", "project");

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "render-"));
}

function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p, "utf8");
    }
  };
  walk(dir);
  return out;
}

/** Runs the CLI entry point with stdout/stderr captured. */
function runCli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return h.captureOutput(() => main(argv));
}

describe("cli/render", () => {
  afterEach(() => h.reset());

  describe("a stack that renders", () => {
    let out: string;
    let files: Record<string, string>;
    let result: Awaited<ReturnType<typeof render>>;

    before(async () => {
      out = tmp();
      result = await render({ stack: "ok", root, out });
      files = readTree(out);
    });

    it("writes manifests per phase and namespace, a helmfile with values files, the AWS plan, outputs, fingerprints and the topology", () => {
      assert.deepEqual(Object.keys(files).sort(), [
        "aws-plan.json",
        "fingerprints.json",
        "helmfile.yaml",
        "manifests/1-cluster/_cluster.yaml",
        "manifests/1-cluster/kustomization.yaml",
        "manifests/2-resources/kustomization.yaml",
        "manifests/2-resources/observability.yaml",
        "manifests/2-resources/shop.yaml",
        "outputs.json",
        "topology.md",
        "topology.svg",
        "values/istio-system/istio-base.yaml",
        "values/istio-system/istiod.yaml",
      ]);
      assert.deepEqual(result.files, Object.keys(files).sort());
      assert.equal(result.manifests, 4);
      assert.equal(result.validated, 3);
      assert.equal(result.releases, 2);
      assert.equal(result.awsResources, 1);
    });

    it("orders manifests by kind and name, with structured config applied", () => {
      const shop = parseAllDocuments(files["manifests/2-resources/shop.yaml"]).map((d) => d.toJS());
      assert.deepEqual(
        shop.map((m) => `${m.kind}/${m.metadata.name}`),
        ["Secret/db", "VirtualService/reviews"],
      );
      assert.deepEqual(shop[1], {
        apiVersion: "networking.istio.io/v1",
        kind: "VirtualService",
        metadata: {
          annotations: { "argocd.argoproj.io/sync-wave": "3" },
          name: "reviews",
          namespace: "shop",
        },
        spec: {
          hosts: ["reviews"],
          http: [{ route: [{ destination: { host: "reviews" }, weight: 100 }] }],
        },
      });
      assert.deepEqual(parse(files["manifests/1-cluster/_cluster.yaml"]), {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { annotations: { "argocd.argoproj.io/sync-wave": "0" }, name: "shop" },
      });
    });

    it("never writes a secret: secure config reaches the program as a placeholder", () => {
      const shop = parseAllDocuments(files["manifests/2-resources/shop.yaml"]).map((d) => d.toJS());
      assert.deepEqual(shop[0].stringData, { password: SECRET_PLACEHOLDER });
      assert.deepEqual(parse(files["values/istio-system/istiod.yaml"]), {
        pilot: { replicaCount: 2 },
        token: SECRET_PLACEHOLDER,
      });
      assert.deepEqual(JSON.parse(files["outputs.json"]), {
        namespace: "shop",
        password: SECRET_PLACEHOLDER,
        roleArn: "arn:aws:iam::123456789012:role/fn-role",
      });
      for (const [file, text] of Object.entries(files)) {
        assert.ok(!text.includes("c2VjcmV0LWNpcGhlcnRleHQ"), `${file} contains the ciphertext`);
      }
    });

    it("writes helm releases into helmfile.yaml with pinned versions, needs and sorted values", () => {
      assert.deepEqual(parse(files["helmfile.yaml"]), {
        repositories: [
          { name: "istio-release", url: "https://istio-release.storage.googleapis.com/charts" },
        ],
        releases: [
          {
            name: "istio-base",
            namespace: "istio-system",
            chart: "istio-release/base",
            version: "1.2.3",
            createNamespace: true,
            values: ["values/istio-system/istio-base.yaml"],
          },
          {
            name: "istiod",
            namespace: "istio-system",
            chart: "istio-release/istiod",
            version: "1.2.3",
            values: ["values/istio-system/istiod.yaml"],
            needs: ["istio-system/istio-base"],
          },
        ],
      });
      assert.equal(
        files["values/istio-system/istio-base.yaml"],
        "alpha:\n  a: 1\n  b: 2\nzeta: 1\n",
      );
    });

    it("writes AWS resources to aws-plan.json with inputs and dependencies", () => {
      const plan = JSON.parse(files["aws-plan.json"]);
      assert.equal(plan.stack, "ok");
      assert.equal(plan.resources.length, 1);
      const role = plan.resources[0];
      assert.equal(role.type, "aws:iam/role:Role");
      assert.equal(role.name, "fn-role");
      assert.deepEqual(role.dependsOn, []);
      assert.deepEqual(role.inputs.tags, { debug: "true", region: "eu-west-1" });
      assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal, {
        Service: "lambda.amazonaws.com",
      });
    });

    it("lists kinds without a published schema as unvalidated in the summary", () => {
      assert.deepEqual(result.unvalidated, {
        "jaegertracing.io/v1 Jaeger": "no published schema for API group jaegertracing.io",
      });
      const text = summary("ok", result);
      assert.match(text, /^ {2}kubernetes:helm\.sh\/v3:Release +2$/m);
      assert.match(text, /^ {2}total +7$/m);
      assert.match(text, /^Kubernetes objects: 4 \(3 valid against their upstream schema\)$/m);
      assert.match(
        text,
        /^ {2}unvalidated: jaegertracing\.io\/v1 Jaeger \(no published schema for API group jaegertracing\.io\)$/m,
      );
      assert.match(text, /^Files written \(13\):$/m);
      assert.match(text, /^Done in \d+\.\d\d s$/m);
    });

    it("renders byte-identical output the second time", async () => {
      const again = tmp();
      await render({ stack: "ok", root, out: again });
      assert.deepEqual(readTree(again), files);
    });

    it("replaces what an earlier render left in the output directory", async () => {
      fs.writeFileSync(path.join(out, "stale.yaml"), "old");
      await render({ stack: "ok", root, out });
      assert.ok(!fs.existsSync(path.join(out, "stale.yaml")));
    });
  });

  describe("failures", () => {
    it("fails on an object that breaks its schema, naming object and field, and writes nothing", async () => {
      const out = path.join(tmp(), "never");
      await assert.rejects(render({ stack: "badschema", root, out }), (err: unknown) => {
        assert.ok(err instanceof SchemaError);
        assert.deepEqual(err.problems, [
          {
            object: "networking.istio.io/v1 VirtualService shop/reviews",
            message:
              'data/spec/http/0/route/0/weight must be integer, data/spec/http/0/route/0/weight must match format "int32"',
          },
        ]);
        return true;
      });
      assert.ok(!fs.existsSync(out));
      assert.equal(exitCodeFor(new SchemaError([])), 1);
    });

    it("fails on an analyzer error (a negative route weight), naming rule and object, and writes nothing", async () => {
      const out = path.join(tmp(), "never");
      await assert.rejects(render({ stack: "badweight", root, out }), (err: unknown) => {
        assert.ok(err instanceof AnalysisError);
        assert.deepEqual(
          err.findings.map((f) => [f.severity, f.code, f.kind, f.namespace, f.name, f.message]),
          [
            [
              "error",
              "MS103",
              "VirtualService",
              "shop",
              "reviews",
              "http[0].route[0]: weight -5 is negative",
            ],
          ],
        );
        assert.equal(exitCodeFor(err), 1);
        return true;
      });
      assert.ok(!fs.existsSync(out));
    });

    it("exits 1 from the CLI on an analyzer error, printing the finding line", async () => {
      const out = path.join(tmp(), "never");
      process.chdir(root);
      try {
        const r = await runCli(["--stack", "badweight", "--out", out]);
        assert.equal(r.code, 1);
        assert.equal(
          r.stderr,
          "render failed: the analyzer found 1 error(s), 0 warning(s):\n" +
            "  error MS103 VirtualService shop/reviews: http[0].route[0]: weight -5 is negative\n",
        );
        assert.ok(!fs.existsSync(out));
      } finally {
        process.chdir(path.join(__dirname, "..", ".."));
      }
    });

    it("exits 1 from the CLI on a schema failure, naming the field", async () => {
      const out = path.join(tmp(), "never");
      process.chdir(root);
      try {
        const r = await runCli(["--stack", "badschema", "--out", out]);
        assert.equal(r.code, 1);
        assert.match(
          r.stderr,
          /networking\.istio\.io\/v1 VirtualService shop\/reviews: data\/spec\/http\/0\/route\/0\/weight must be integer/,
        );
        assert.ok(!fs.existsSync(out));
      } finally {
        process.chdir(path.join(__dirname, "..", ".."));
      }
    });

    for (const [what, argv, message] of [
      [
        "an unknown stack",
        ["--stack", "nope"],
        'render failed: unknown stack "nope": known stacks are ',
      ],
      [
        "a malformed stack file",
        ["--stack", "malformed"],
        "render failed: Pulumi.malformed.yaml is not valid YAML: ",
      ],
      [
        "a config value the program rejects",
        ["--stack", "rejected"],
        "render failed: Configuration 'fixture:replicas' value 'two' is not a valid number",
      ],
      [
        "a missing --stack",
        [],
        "render failed: missing --stack: usage: mesh-serverless render --stack <name> [--out <dir>]",
      ],
      [
        "an unknown flag",
        ["--stack", "ok", "--force"],
        'render failed: unknown argument "--force"',
      ],
    ] as const) {
      it(`exits 2 with one line and writes nothing on ${what}`, async () => {
        const out = path.join(tmp(), "never");
        const cwd = process.cwd();
        process.chdir(root);
        try {
          const r = await runCli([...argv, "--out", out]);
          assert.equal(r.code, 2, r.stderr);
          assert.equal(r.stderr.split("\n").filter(Boolean).length, 1, r.stderr);
          assert.ok(r.stderr.startsWith(message), r.stderr);
          assert.equal(r.stdout, "");
          assert.ok(!fs.existsSync(out));
        } finally {
          process.chdir(cwd);
        }
      });
    }

    it("parses --stack/--out in both spellings and rejects a flag without a value", () => {
      assert.deepEqual(parseArgs(["--stack", "dev"]), { stack: "dev", out: undefined });
      assert.deepEqual(parseArgs(["--stack=dev", "--out=x"]), { stack: "dev", out: "x" });
      assert.deepEqual(parseArgs(["-s", "dev", "-o", "y"]), { stack: "dev", out: "y" });
      assert.throws(() => parseArgs(["--stack"]), new UsageError("--stack needs a value"));
      assert.throws(
        () => parseArgs(["--stack", "--out", "x"]),
        new UsageError("--stack needs a value"),
      );
    });
  });
});
