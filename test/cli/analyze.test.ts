import { strict as assert } from "assert";
import * as os from "os";
import * as path from "path";
import * as k8s from "@pulumi/kubernetes";
import { main, parseArgs, readObjects } from "../../cli/analyze";
import { analyzeRecording, AnalysisError } from "../../cli/render-analysis";
import { UsageError } from "../../cli/stack-config";
import * as h from "../harness";

const folder = (files: Record<string, string>): string => h.tempDir("analyze-", files);

const run = (argv: string[]) => h.captureOutput(() => main(argv));

const KSVC = `apiVersion: serving.knative.dev/v1
kind: Service
metadata: { name: orders, namespace: shop }
spec:
  template:
    spec: { containers: [{ image: x }] }
`;
const VS = (name: string) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ${name}, namespace: shop }
spec:
  hosts: [shop.example.com]
  gateways: [knative-serving/knative-ingress-gateway]
  http: [{ route: [{ destination: { host: knative-local-gateway.istio-system.svc.cluster.local } }] }]
`;
const DR = (name: string) => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: ${name}, namespace: shop }
spec: { host: orders }
`;

describe("cli/analyze", () => {
  it("reads multi-document files and Lists recursively, ignoring other files and non-objects", () => {
    const dir = folder({
      "a.yaml": `${KSVC}---\n${DR("a")}---\n# nothing\n`,
      "nested/deeper/list.yml": `apiVersion: v1\nkind: List\nitems:\n  - ${JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "shop" } })}\n`,
      "notes.txt": "kind: Service",
      "values.yaml": "replicas: 2\n",
    });
    assert.deepEqual(
      readObjects(dir).map((o) => `${o.kind} ${o.metadata.name}`),
      ["Service orders", "DestinationRule a", "ConfigMap c"],
    );
  });

  it("exits 1 on an error, printing one line per finding and the count line", async () => {
    const dir = folder({
      "shop.yaml": `${KSVC}---\n${VS("orders-ingress")}---\n${DR("a")}---\n${DR("b")}`,
    });
    const r = await run([dir]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stdout,
      [
        "error MS301 VirtualService shop/orders-ingress: net-istio creates and owns VirtualService orders-ingress for Knative Service orders: it refuses one it does not own, so the Knative Service never becomes Ready; rename this one",
        "warning MS406 DestinationRule shop/a: DestinationRules shop/a, shop/b all configure host orders.shop.svc.cluster.local: Istio merges only their subsets and applies one rule's top-level trafficPolicy",
        "1 error(s), 1 warning(s)",
        "",
      ].join("\n"),
    );
  });

  it("exits 0 with warnings only, and writes JSON with --json", async () => {
    const dir = folder({
      "shop.yaml": `${KSVC}---\n${VS("orders-ingress-route")}---\n${DR("a")}---\n${DR("b")}`,
    });
    const r = await run([dir, "--json"]);
    assert.equal(r.code, 0);
    const parsed = JSON.parse(r.stdout);
    assert.equal(parsed.errors, 0);
    assert.equal(parsed.warnings, 1);
    assert.deepEqual(
      parsed.findings.map((f: Record<string, string>) => [
        f.severity,
        f.code,
        f.kind,
        f.namespace,
        f.name,
      ]),
      [["warning", "MS406", "DestinationRule", "shop", "a"]],
    );
  });

  it("exits 2 on bad usage, a missing folder and YAML that does not parse", async () => {
    assert.throws(() => parseArgs([]), UsageError);
    assert.throws(() => parseArgs(["a", "b"]), UsageError);
    assert.throws(() => parseArgs(["a", "--yaml"]), /unknown argument "--yaml"/);
    const missing = await run([path.join(os.tmpdir(), "no-such-dir-9b")]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /is not a directory/);
    const broken = await run([folder({ "x.yaml": "a: [1,\n" })]);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /^analyze failed: .*x\.yaml: /);
  });
});

describe("cli/render-analysis", () => {
  beforeEach(() => h.reset());
  after(() => h.reset());

  const dr = (name: string, namespace: string, host: string, opts = {}) =>
    new k8s.apiextensions.CustomResource(
      `${namespace}/${name}`,
      {
        apiVersion: "networking.istio.io/v1",
        kind: "DestinationRule",
        metadata: { name, namespace },
        spec: { host },
      },
      opts,
    );

  it("analyzes each cluster on its own: colliding DestinationRules warn only within one cluster", async () => {
    const other = new k8s.Provider("other", { kubeconfig: "x" });
    dr("a", "shop", "orders");
    dr("b", "shop", "orders.shop.svc.cluster.local");
    dr("c", "shop", "orders", { provider: other });
    dr("d", "shop", "payments");
    const { warnings } = analyzeRecording(await h.settled());
    assert.deepEqual(warnings, [
      "warning MS406 DestinationRule shop/a: DestinationRules shop/a, shop/b all configure host orders.shop.svc.cluster.local: " +
        "Istio merges only their subsets and applies one rule's top-level trafficPolicy",
    ]);
  });

  it("counts istio-proxy at the rendered istiod release's global.proxy.resources", async () => {
    new k8s.helm.v3.Release("istiod", {
      chart: "istiod",
      values: { global: { proxy: { resources: { limits: { cpu: "4" } } } } },
    });
    new k8s.core.v1.Namespace("fn", {
      metadata: { name: "fn", labels: { "istio-injection": "enabled" } },
    });
    new k8s.core.v1.ResourceQuota("q", {
      metadata: { name: "q", namespace: "fn" },
      spec: { hard: { "limits.cpu": "8" } },
    });
    new k8s.apps.v1.Deployment("d", {
      metadata: { name: "d", namespace: "fn" },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "d" } },
        template: {
          metadata: { labels: { app: "d" } },
          spec: { containers: [{ name: "app", image: "x", resources: { limits: { cpu: "1" } } }] },
        },
      },
    });
    const recording = await h.settled();
    // 2 pods x (1 + 4) = 10 CPU; with istiod's default 2 CPU it would be 6 and fit.
    assert.throws(
      () => analyzeRecording(recording),
      (err: unknown) =>
        err instanceof AnalysisError &&
        err.findings.map((f) => f.message.split(";")[0]).join() ===
          "limits.cpu: workloads at max scale need 10 (d 2 x 5), quota 8: over by 2",
    );
  });

  it("throws AnalysisError with every finding when there is an error", async () => {
    dr("a", "shop", "orders");
    dr("b", "shop", "orders");
    new k8s.apiextensions.CustomResource("gw", {
      apiVersion: "networking.istio.io/v1",
      kind: "Gateway",
      metadata: { name: "gw", namespace: "shop" },
      spec: { servers: [] },
    });
    const recording = await h.settled();
    assert.throws(
      () => analyzeRecording(recording),
      (err: unknown) =>
        err instanceof AnalysisError &&
        err.findings.map((f) => `${f.severity} ${f.code}`).join() === "error MS110,warning MS406",
    );
  });
});
