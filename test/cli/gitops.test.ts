import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { parse, parseAllDocuments } from "yaml";
import {
  buildHelmfile,
  buildManifests,
  clusterTargets,
  releaseWaveTable,
} from "../../cli/artifacts";
import { isCustomResource, Layout, nextSteps } from "../../cli/gitops";
import { parseArgs, render, summary } from "../../cli/render";
import { UsageError } from "../../cli/stack-config";
import * as h from "../harness";

/** Three releases in a chain (base <- istiod <- gateway) and one on its own. */
function releases(opts: pulumi.CustomResourceOptions = {}) {
  const release = (name: string, dependsOn: pulumi.Resource[] = []) =>
    new k8s.helm.v3.Release(
      name,
      { name, chart: name, version: "1.0.0", namespace: "istio-system" },
      { ...opts, dependsOn },
    );
  const base = release("base");
  const istiod = release("istiod", [base]);
  release("gateway", [base, istiod]);
  release("fluentd");
}

/** A namespace, a cluster role, a config map and two custom resources (one cluster-scoped). */
function objects(opts: pulumi.CustomResourceOptions = {}) {
  const labels = { "app.kubernetes.io/managed-by": "pulumi" };
  new k8s.core.v1.Namespace("shop", { metadata: { name: "shop", labels } }, opts);
  new k8s.rbac.v1.ClusterRole("reader", { metadata: { name: "reader", labels }, rules: [] }, opts);
  new k8s.core.v1.ConfigMap("c", { metadata: { name: "c", namespace: "shop", labels } }, opts);
  new k8s.apiextensions.CustomResource(
    "pa",
    {
      apiVersion: "security.istio.io/v1",
      kind: "PeerAuthentication",
      metadata: { name: "default", namespace: "shop", labels },
      spec: { mtls: { mode: "STRICT" } },
    },
    opts,
  );
  new k8s.apiextensions.CustomResource(
    "issuer",
    { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: "ca", labels } },
    opts,
  );
}

const docs = (text: string) =>
  parseAllDocuments(text).map(
    (d) => d.toJS() as { kind: string; metadata: { labels: object; annotations: object } },
  );

describe("cli/gitops", () => {
  beforeEach(() => h.reset());

  it("tells custom resources from built-in kinds by API group", () => {
    assert.equal(isCustomResource("v1"), false);
    assert.equal(isCustomResource("apps/v1"), false);
    assert.equal(isCustomResource("rbac.authorization.k8s.io/v1"), false);
    assert.equal(isCustomResource("networking.istio.io/v1"), true);
    assert.equal(isCustomResource("cert-manager.io/v1"), true);
  });

  it("gives each release the wave after the releases it needs", async () => {
    releases();
    assert.deepEqual(releaseWaveTable(await h.settled()), {
      "istio-system/base": 1,
      "istio-system/fluentd": 1,
      "istio-system/gateway": 3,
      "istio-system/istiod": 2,
    });
  });

  it("puts cluster-scoped built-ins in phase 1 (wave 0), the rest after the releases", async () => {
    releases();
    objects();
    const m = await buildManifests(await h.settled());
    assert.equal(m.resourcesWave, 4);
    assert.deepEqual(m.phases, { manifests: ["1-cluster", "2-resources"] });
    assert.deepEqual(Object.keys(m.files).sort(), [
      "manifests/1-cluster/_cluster.yaml",
      "manifests/1-cluster/kustomization.yaml",
      "manifests/2-resources/_cluster.yaml",
      "manifests/2-resources/kustomization.yaml",
      "manifests/2-resources/shop.yaml",
    ]);
    const wave = (file: string) =>
      docs(m.files[file]).map(
        (d) =>
          `${d.kind} ${(d.metadata.annotations as Record<string, string>)["argocd.argoproj.io/sync-wave"]}`,
      );
    assert.deepEqual(wave("manifests/1-cluster/_cluster.yaml"), ["Namespace 0", "ClusterRole 0"]);
    assert.deepEqual(wave("manifests/2-resources/_cluster.yaml"), ["ClusterIssuer 4"]);
    assert.deepEqual(wave("manifests/2-resources/shop.yaml"), [
      "ConfigMap 4",
      "PeerAuthentication 4",
    ]);
    assert.deepEqual(parse(m.files["manifests/2-resources/kustomization.yaml"]), {
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      resources: ["_cluster.yaml", "shop.yaml"],
    });
  });

  it("--gitops relabels objects the components mark managed-by pulumi; Argo CD skips dry runs of CRs", async () => {
    objects();
    const rec = await h.settled();
    const shop = async (gitops?: "argocd" | "flux") =>
      docs((await buildManifests(rec, { gitops })).files["manifests/2-resources/shop.yaml"]);
    const [cm, pa] = await shop("argocd");
    assert.deepEqual(cm.metadata.labels, { "app.kubernetes.io/managed-by": "argocd" });
    assert.deepEqual(cm.metadata.annotations, { "argocd.argoproj.io/sync-wave": "1" });
    assert.deepEqual(pa.metadata.annotations, {
      "argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true",
      "argocd.argoproj.io/sync-wave": "1",
    });
    const [fluxCm, fluxPa] = await shop("flux");
    assert.deepEqual(fluxCm.metadata.labels, { "app.kubernetes.io/managed-by": "flux" });
    assert.deepEqual(fluxPa.metadata.annotations, { "argocd.argoproj.io/sync-wave": "1" });
    const [plain] = await shop();
    assert.deepEqual(plain.metadata.labels, { "app.kubernetes.io/managed-by": "pulumi" });
  });

  it("gives each release its cluster's kubeContext: the stack's, or an explicit provider's own", async () => {
    const staging = new k8s.Provider("staging", { context: "staging-admin" });
    const prod = new k8s.Provider("prod", { kubeconfig: pulumi.secret("apiVersion: v1") });
    new k8s.helm.v3.Release("a", { name: "a", chart: "a", namespace: "x" });
    new k8s.helm.v3.Release("b", { name: "b", chart: "b", namespace: "x" }, { provider: staging });
    new k8s.helm.v3.Release("c", { name: "c", chart: "c", namespace: "x" }, { provider: prod });
    const rec = await h.settled();
    const contexts = (kubeContext?: string) =>
      (
        parse(buildHelmfile(rec, { kubeContext }).files["helmfile.yaml"]) as {
          releases: { name: string; kubeContext?: string }[];
        }
      ).releases.map((r) => `${r.name}:${r.kubeContext ?? "-"}`);
    assert.deepEqual(contexts("dev-cluster"), ["a:dev-cluster", "b:staging-admin", "c:-"]);
    assert.deepEqual(contexts(), ["a:-", "b:staging-admin", "c:-"]);
    const manifests = await buildManifests(rec);
    assert.deepEqual(clusterTargets(rec, manifests, { kubeContext: "dev-cluster" }), [
      { dir: "manifests", context: "dev-cluster", kubeconfig: false, phases: [], releases: 1 },
      {
        dir: "manifests/prod",
        provider: "prod",
        context: undefined,
        kubeconfig: true,
        phases: [],
        releases: 1,
      },
      {
        dir: "manifests/staging",
        provider: "staging",
        context: "staging-admin",
        kubeconfig: false,
        phases: [],
        releases: 1,
      },
    ]);
  });

  describe("next steps", () => {
    const layout: Layout = {
      clusters: [
        {
          dir: "manifests",
          context: "kind-dev",
          kubeconfig: false,
          phases: ["1-cluster", "2-resources"],
          releases: 2,
        },
        {
          dir: "manifests/prod",
          provider: "prod",
          kubeconfig: true,
          phases: ["2-resources"],
          releases: 0,
        },
      ],
      helmfile: true,
      awsPlan: true,
      releaseWaves: { "istio-system/base": 1, "istio-system/istiod": 2 },
      resourcesWave: 3,
    };
    const out = path.join(process.cwd(), "out", "dev");

    it("kubectl: phase 1 of every cluster, helmfile sync, then phase 2, then the AWS plan", () => {
      assert.deepEqual(nextSteps(out, layout, undefined), [
        "Next steps:",
        "  1. provider prod: its kubeconfig is a secret; export KUBECONFIG=<that file> for the commands on manifests/prod",
        "  2. kubectl --context kind-dev apply -k out/dev/manifests/1-cluster",
        "  3. helmfile --file out/dev/helmfile.yaml sync",
        "  4. kubectl --context kind-dev apply -k out/dev/manifests/2-resources",
        "  5. kubectl apply -k out/dev/manifests/prod/2-resources",
        "  6. AWS resources (aws-plan.json) are deployed by `pulumi up`; review the plan first",
      ]);
    });

    it("Argo CD: Applications with the sync waves; Flux: Kustomizations with dependsOn", () => {
      const argo = nextSteps(out, layout, "argocd");
      assert.equal(
        argo[1],
        "  1. provider prod: its kubeconfig is a secret; export KUBECONFIG=<that file> for the commands on manifests/prod",
      );
      assert.equal(argo[2], "  2. commit out/dev to the repository Argo CD watches");
      assert.equal(
        argo[3],
        "  3. one Application per phase directory and per Helm release, with these sync waves: " +
          "1-cluster@0, istio-system/base@1, istio-system/istiod@2, 2-resources@3",
      );
      assert.match(
        nextSteps(out, layout, "flux").join("\n"),
        /one Kustomization per phase directory and a HelmRelease per helmfile release/,
      );
    });
  });

  it("accepts --gitops argocd|flux|kubectl and nothing else; --exit-code needs --diff", () => {
    assert.equal(parseArgs(["--stack", "dev", "--gitops", "flux"]).gitops, "flux");
    assert.throws(
      () => parseArgs(["--stack", "dev", "--gitops", "jenkins"]),
      (e: unknown) =>
        e instanceof UsageError &&
        /--gitops is "jenkins": must be one of argocd, flux, kubectl/.test(e.message),
    );
    assert.throws(
      () => parseArgs(["--stack", "dev", "--exit-code"]),
      (e: unknown) => e instanceof UsageError && /add --diff <dir>/.test(e.message),
    );
  });

  it("the staging stack's `kubernetes.context` reaches its provider and every release", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "gitops-staging-"));
    try {
      const r = await render({ stack: "staging", out });
      const helmfile = parse(fs.readFileSync(path.join(out, "helmfile.yaml"), "utf8")) as {
        releases: { kubeContext?: string }[];
      };
      assert.ok(helmfile.releases.length > 0);
      assert.ok(helmfile.releases.every((x) => x.kubeContext === "staging"));
      // The next steps name the output relative to the working directory when it is inside it.
      const relative = path.relative(process.cwd(), out);
      const rel = relative.startsWith("..") ? out : relative;
      assert.deepEqual(summary("staging", r).split("\n").slice(-4), [
        "Next steps:",
        `  1. kubectl --context staging apply -k ${rel}/manifests/cluster/1-cluster`,
        `  2. helmfile --file ${rel}/helmfile.yaml sync`,
        `  3. kubectl --context staging apply -k ${rel}/manifests/cluster/2-resources`,
      ]);
      assert.deepEqual(
        r.layout.clusters.map((c) => [c.dir, c.context, c.phases]),
        [["manifests/cluster", "staging", ["1-cluster", "2-resources"]]],
      );
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
