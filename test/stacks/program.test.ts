import { strict as assert } from "assert";
import * as h from "../harness";
import { rejects, run } from "./run";
import { nameList } from "../../stacks/program";

const strictPlatform = {
  istio: { mtls: "STRICT" },
  knative: false,
  jaeger: false,
  prometheus: false,
  fluentd: false,
};

describe("stacks/program: config errors name the key, the value and what is allowed", () => {
  afterEach(() => h.reset());

  it("environment is required and must be dev, staging or prod", async () => {
    await rejects(
      {},
      'invalid `mesh-serverless:environment` undefined: is required: one of "dev", "staging", "prod"',
    );
    await rejects(
      { environment: "qa" },
      'invalid `mesh-serverless:environment` "qa": must be one of "dev", "staging", "prod"',
    );
  });

  it("clouds must be a list of known clouds", async () => {
    await rejects(
      { environment: "dev", clouds: ["gcp"] },
      'invalid `mesh-serverless:clouds[0]` "gcp": must be one of "kubernetes", "aws"',
    );
    await rejects(
      { environment: "dev", clouds: "kubernetes" },
      'invalid `mesh-serverless:clouds` "kubernetes": must be a list',
    );
  });

  it("a key the program does not read is a typo", async () => {
    await rejects(
      { environment: "dev", servces: { a: 1 } },
      'invalid `mesh-serverless:servces` {"a":1}: unknown key; did you mean `services`? (known keys: environment, clouds, kubeconfig, kubernetes, platform, services, aws)',
    );
  });

  it("a value of the wrong type inside a section names its full path", async () => {
    await rejects(
      { environment: "dev", platform: { prometheus: { replicas: "two" } } },
      'invalid `mesh-serverless:platform.prometheus.replicas` "two": must be a number',
    );
    await rejects(
      { environment: "dev", kubernetes: { context: 3 } },
      "invalid `mesh-serverless:kubernetes.context` 3: must be a string or a `secure:` value",
    );
  });

  it("outside dev, mTLS must be STRICT mesh-wide and in every namespace", async () => {
    await rejects(
      { environment: "staging", platform: { istio: { mtls: "PERMISSIVE" } } },
      'invalid `mesh-serverless:platform.istio.mtls` "PERMISSIVE": must be STRICT outside dev (environment is staging)',
    );
    await rejects(
      {
        environment: "prod",
        kubeconfig: "[secret]",
        services: { namespaces: { shop: { mtls: { mode: "DISABLE" } } } },
      },
      'invalid `mesh-serverless:services.namespaces.shop.mtls.mode` "DISABLE": must be STRICT outside dev (environment is prod)',
      ["kubeconfig"],
    );
  });

  it("outside dev, Prometheus and Jaeger keep their data on volumes", async () => {
    const rule =
      "is required outside dev (environment is staging): { size, storageClass }, a volume per Prometheus pod";
    const platform = { ...strictPlatform, prometheus: { retention: "7d" } };
    await rejects(
      { environment: "staging", platform },
      `invalid \`mesh-serverless:platform.prometheus.storage\` undefined: ${rule}`,
    );
    // Installed by default (unset or true) means the same rule.
    await rejects(
      { environment: "staging", platform: { istio: { mtls: "STRICT" } } },
      `invalid \`mesh-serverless:platform.prometheus.storage\` undefined: ${rule}`,
    );
    await rejects(
      {
        environment: "staging",
        platform: { ...strictPlatform, jaeger: { samplingPercentage: 20 } },
      },
      "invalid `mesh-serverless:platform.jaeger.storage` undefined: is required outside dev (environment is staging): { backend: badger, size, storageClass, retention }, traces on a volume",
    );
    // dev may keep an emptyDir; an AWS-only stack has no Prometheus.
    await run({ environment: "dev", platform });
    await run({ environment: "staging", clouds: ["aws"] });
  });

  it("outside dev, Alertmanager has receivers; alert rules nobody receives are a render warning", async () => {
    const storage = { size: "10Gi" };
    await rejects(
      { environment: "staging", platform: { ...strictPlatform, prometheus: { storage } } },
      "invalid `mesh-serverless:platform.prometheus.alerting` undefined: is required outside dev (environment is staging): receivers (from Secrets) and routes, or alerts reach nobody",
    );
    const services = {
      serverless: {
        orders: { namespace: "shop", image: "i:1", alerts: { errorRate: { thresholdPercent: 5 } } },
      },
    };
    const warnings = async (prometheus: unknown) =>
      (
        await h.captureWarnings(() =>
          run({ environment: "dev", platform: { ...strictPlatform, prometheus }, services }),
        )
      ).map(([m]) => m);
    assert.deepEqual(await warnings(false), [
      "alert rules of orders reach nobody: Prometheus is not installed (`platform.prometheus: false`)",
    ]);
    assert.deepEqual(await warnings({ alertmanager: false, grafana: false }), [
      "alert rules of orders reach nobody: Alertmanager is off (`platform.prometheus.alertmanager: false`)",
    ]);
    assert.deepEqual(await warnings({ grafana: false }), [
      "alert rules of orders reach nobody: Alertmanager has no receivers (`platform.prometheus.alerting`), so the chart's `null` receiver drops them",
    ]);
    // A stack of hundreds of services gets one line: the first ten names, then how many more.
    assert.equal(nameList(["a", "b"]), "a, b");
    const many = Array.from({ length: 12 }, (_, i) => `s${String(i).padStart(2, "0")}`);
    assert.equal(nameList(many), "s00, s01, s02, s03, s04, s05, s06, s07, s08, s09 and 2 more");
    assert.equal(nameList(many.slice(0, 10)), many.slice(0, 10).join(", "));
    const alerting = {
      receivers: { chat: { type: "webhook", url: { name: "am-hook", key: "url" } } },
      defaultReceiver: "chat",
    };
    assert.deepEqual(await warnings({ grafana: false, alerting }), []);
  });

  it("prod names its cluster and the AWS provider of every network", async () => {
    await rejects(
      { environment: "prod", platform: strictPlatform },
      "invalid `mesh-serverless:kubeconfig` undefined: is required in prod: set the cluster's kubeconfig with `pulumi config set --secret kubeconfig`",
    );
    await rejects(
      {
        environment: "prod",
        clouds: ["aws"],
        aws: { networks: { main: { backend: "vpc-lattice" } } },
      },
      "invalid `mesh-serverless:aws.networks.main.provider` undefined: is required in prod: name an entry of `aws.providers` (region, assumeRoleArn)",
    );
  });

  it("builds with a valid config: dev allows PERMISSIVE; prod with a kubeconfig gets an explicit cluster", async () => {
    const outputs = (await run({
      environment: "dev",
      platform: { ...strictPlatform, istio: { mtls: "PERMISSIVE" } },
    })) as Record<string, unknown>;
    assert.deepEqual(outputs.clouds, ["kubernetes"]);
    await h.settled();
    assert.equal(h.resources("pulumi:providers:kubernetes").length, 0);

    await run({ environment: "prod", kubeconfig: "[secret]", platform: strictPlatform }, [
      "kubeconfig",
    ]);
    await h.settled();
    const provider = h.get("pulumi:providers:kubernetes", "cluster");
    assert.equal(provider.redacted.kubeconfig, "[secret]");
    const istiod = h
      .resources("kubernetes:helm.sh/v3:Release")
      .find((r) => r.inputs.chart === "istiod")!;
    assert.equal(h.providerOf(istiod), "pulumi:providers:kubernetes::cluster");
  });

  it("a route may name subsets another services entry declares; a missing one fails after all are built", async () => {
    const traffic = (subset: string) => ({
      "reviews-route": { host: "reviews", routes: [{ destinations: [{ subset }] }] },
      reviews: { subsets: [{ name: "v3", labels: { version: "v3" } }] },
    });
    await run({ environment: "dev", services: { traffic: traffic("v3") } });
    await h.settled();
    assert.deepEqual(h.names("kubernetes:networking.istio.io/v1:VirtualService"), [
      "default/reviews-route",
    ]);
    await assert.rejects(
      run({ environment: "dev", services: { traffic: traffic("v9") } }),
      (e: unknown) =>
        e instanceof Error &&
        e.message.includes('`routes[0].destinations[0].subset` "v9"') &&
        e.message.includes("defined subsets: v3 (declared by default/reviews)") &&
        (e as { resource?: { __name?: string } }).resource?.__name === "reviews-route",
    );
  });
});
