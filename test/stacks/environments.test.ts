import { strict as assert } from "assert";
import * as path from "path";
import { knownStacks } from "../../cli/stack-config";
import { RecordedResource } from "../../cli/engine";
import * as h from "../harness";
import { find, Loose, Manifest, Rendered, renderStack } from "./run";
import { withEnvironmentDefaults } from "../../stacks/environment";

const root = path.join(__dirname, "..", "..");
const RELEASE = "kubernetes:helm.sh/v3:Release";
function release(r: Rendered, chart: string): RecordedResource {
  const found = r.result.recording.resources.find(
    (x) => x.type === RELEASE && x.inputs.chart === chart,
  );
  assert.ok(found, `no ${chart} release`);
  return found;
}

const values = (r: RecordedResource) => r.inputs.values as Loose;
const scaleOf = (m: Manifest) => m.spec.template.metadata.annotations as Record<string, string>;
const alertsOf = (m: Manifest) =>
  m.spec.groups[0].rules as {
    alert: string;
    expr: string;
    for: string;
    labels: { severity: string };
  }[];

describe("stacks: every environment", () => {
  const stacks: Record<string, Rendered> = {};

  before(async function () {
    this.timeout(120_000);
    for (const s of knownStacks(path.join(root, "stacks"))) stacks[s] = await renderStack(s);
  });
  after(() => h.reset());

  it("has a stack file for dev, staging, prod, aws-dev and seeds, and each renders", () => {
    assert.deepEqual(Object.keys(stacks).sort(), ["aws-dev", "dev", "prod", "seeds", "staging"]);
    for (const [name, r] of Object.entries(stacks)) {
      assert.equal(r.outputs.stack, name);
      assert.ok(r.result.recording.resources.length > 0, name);
    }
    assert.deepEqual(
      Object.fromEntries(Object.entries(stacks).map(([n, r]) => [n, r.outputs.environment])),
      { "aws-dev": "dev", dev: "dev", prod: "prod", seeds: "dev", staging: "staging" },
    );
  });

  it("every stack passes the analyzer (0 errors); its warnings are the ones listed", () => {
    // Errors would have failed the render. istiod's Service comes from its Helm chart, outside
    // the rendered manifests; the seeds' warnings are the seed documents' own choices, and the
    // seeds stack installs no KnativeServing, so the activator's and autoscaler's accounts that
    // serverless-authz admits are not in its input.
    const codes = (r: Rendered) => r.result.warnings.map((w) => w.split(" ").slice(0, 4).join(" "));
    const istiod = "warning MS405 ServiceMonitor istio-system/istio-component-monitor:";
    assert.deepEqual(Object.fromEntries(Object.entries(stacks).map(([n, r]) => [n, codes(r)])), {
      "aws-dev": [],
      // The operator creates Eventing's webhook pods, which the two port-level policies select.
      dev: [
        "warning MS403 PeerAuthentication knative-eventing/eventing-webhook:",
        "warning MS403 PeerAuthentication knative-eventing/inmemorychannel-webhook:",
        istiod,
      ],
      prod: [istiod],
      staging: [istiod],
      seeds: [
        "warning MS403 AuthorizationPolicy default/api-access-control:",
        "warning MS403 AuthorizationPolicy default/knative-allow:",
        "warning MS404 AuthorizationPolicy default/api-access-control:",
        "warning MS404 AuthorizationPolicy default/knative-allow:",
        "warning MS404 AuthorizationPolicy serverless/serverless-authz:",
        "warning MS404 AuthorizationPolicy serverless/serverless-authz:",
        "warning MS404 AuthorizationPolicy serverless/serverless-authz:",
        "warning MS405 ServiceMonitor monitoring/serverless-monitor:",
        "warning MS406 DestinationRule default/high-availability:",
        "warning MS406 DestinationRule serverless/function-connection-pool:",
        "warning MS601 Service serverless/user-function:",
      ],
    });
  });

  it("prod runs more replicas of the control planes than staging, and staging more than dev", () => {
    // Both Istio charts autoscale: the minimum goes to their HPAs (see platform/replicas.test.ts).
    const pilot = (s: string) => values(release(stacks[s], "istiod")).autoscaleMin;
    const gateway = (s: string) => values(release(stacks[s], "gateway")).autoscaling?.minReplicas;
    const knativeHa = (s: string) =>
      find(stacks[s], "KnativeServing", "knative-serving").spec["high-availability"]?.replicas;
    const prom = (s: string) =>
      values(release(stacks[s], "kube-prometheus-stack")).prometheus.prometheusSpec;
    assert.deepEqual([pilot("dev"), pilot("staging"), pilot("prod")], [undefined, 2, 3]);
    assert.deepEqual([gateway("dev"), gateway("staging"), gateway("prod")], [undefined, 2, 3]);
    assert.deepEqual(
      [knativeHa("dev"), knativeHa("staging"), knativeHa("prod")],
      [undefined, 2, 3],
    );
    assert.deepEqual(
      [prom("dev").replicas, prom("staging").replicas, prom("prod").replicas],
      [undefined, undefined, 2],
    );
    assert.deepEqual(
      [prom("dev").retention, prom("staging").retention, prom("prod").retention],
      ["2d", "7d", "30d"],
    );
    const catalog = (s: string) => find(stacks[s], "Deployment", "catalog", "shop").spec.replicas;
    assert.deepEqual([catalog("dev"), catalog("staging"), catalog("prod")], [1, 2, 4]);
  });

  it("autoscaling bounds: dev scales to zero, prod keeps three warm replicas", () => {
    const orders = (s: string) => scaleOf(find(stacks[s], "Service", "orders", "shop"));
    assert.equal(orders("dev")["autoscaling.knative.dev/min-scale"], "0");
    assert.equal(orders("dev")["autoscaling.knative.dev/max-scale"], "3");
    assert.equal(orders("staging")["autoscaling.knative.dev/min-scale"], "1");
    assert.equal(orders("prod")["autoscaling.knative.dev/min-scale"], "3");
    assert.equal(orders("prod")["autoscaling.knative.dev/initial-scale"], "3");
    assert.equal(orders("prod")["autoscaling.knative.dev/max-scale"], "50");
  });

  it("Knative services are private and their caller rules see the real caller once pods exist", () => {
    for (const env of ["dev", "staging", "prod"]) {
      for (const m of stacks[env].manifests.filter(
        (x) => x.apiVersion === "serving.knative.dev/v1" && x.kind === "Service",
      )) {
        const where = `${env} ${m.metadata.name}`;
        const labels = (m.metadata as Loose).labels as Record<string, string>;
        assert.equal(labels["networking.knative.dev/visibility"], "cluster-local", where);
        assert.equal(scaleOf(m)["autoscaling.knative.dev/target-burst-capacity"], "0", where);
      }
    }
    // prod payments: shop/default may POST /charges; the activator may forward exactly that.
    const rules = find(stacks.prod, "AuthorizationPolicy", "payments", "shop").spec.rules;
    const activator = "cluster.local/ns/knative-serving/sa/activator";
    assert.deepEqual(rules.slice(0, 2), [
      {
        from: [{ source: { principals: ["cluster.local/ns/shop/sa/default"] } }],
        to: [{ operation: { methods: ["POST"], paths: ["/charges"] } }],
      },
      {
        from: [{ source: { principals: [activator] } }],
        to: [{ operation: { methods: ["POST"], paths: ["/charges"] } }],
      },
    ]);
    for (const env of ["dev", "staging", "prod"])
      for (const ap of stacks[env].manifests.filter((x) => x.kind === "AuthorizationPolicy"))
        for (const r of ap.spec.rules ?? [])
          for (const f of r.from ?? [])
            assert.ok(
              !(f.source.namespaces ?? []).includes("knative-serving"),
              `${env} ${ap.metadata.name} admits all of knative-serving`,
            );
  });

  it("telemetry: dev keeps metrics and traces in memory, staging and prod on volumes; dashboards everywhere", () => {
    const kps = (env: string) => values(release(stacks[env], "kube-prometheus-stack"));
    const claim = (env: string) =>
      kps(env).prometheus.prometheusSpec.storageSpec?.volumeClaimTemplate.spec;
    assert.equal(claim("dev"), undefined);
    assert.deepEqual(claim("staging"), {
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "50Gi" } },
      storageClassName: "standard-rwo",
    });
    assert.deepEqual(claim("prod").resources, { requests: { storage: "250Gi" } });
    const traces = (env: string) =>
      values(release(stacks[env], "jaeger")).userconfig.extensions.jaeger_storage.backends
        .primary_store;
    assert.deepEqual(traces("dev"), { memory: { max_traces: 50000 } });
    assert.deepEqual(traces("staging").badger.ttl, { spans: "72h" });
    assert.deepEqual(traces("prod").badger.ttl, { spans: "168h" });
    assert.deepEqual(find(stacks.prod, "PersistentVolumeClaim", "jaeger-badger", "tracing").spec, {
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "100Gi" } },
      storageClassName: "premium-rwo",
    });
    for (const env of ["dev", "staging", "prod"])
      assert.deepEqual(Object.keys(kps(env).grafana.dashboards.istio), [
        "istio-control-plane",
        "istio-mesh",
        "istio-service",
        "istio-workload",
      ]);
  });

  it("alerts reach someone outside dev: staging to Slack, prod critical to PagerDuty, shop to email", () => {
    const am = (env: string) => values(release(stacks[env], "kube-prometheus-stack")).alertmanager;
    assert.deepEqual(am("dev"), { enabled: false });
    const staging = am("staging").config.route;
    assert.equal(staging.receiver, "staging-slack");
    assert.deepEqual(staging.routes, [
      {
        matchers: ['alertname="Watchdog"'],
        receiver: "deadmans-switch",
        group_wait: "0s",
        group_interval: "1m",
        repeat_interval: "1m",
      },
    ]);
    const prod = am("prod");
    assert.deepEqual(
      prod.config.route.routes.map((r: { receiver: string }) => r.receiver),
      ["deadmans-switch", "oncall", "shop-team"],
    );
    assert.equal(prod.config.route.receiver, "platform-slack");
    assert.deepEqual(prod.alertmanagerSpec.secrets, [
      "alertmanager-deadman",
      "alertmanager-pagerduty",
      "alertmanager-slack",
      "alertmanager-smtp",
    ]);
    // prod's service alerts are critical and carry namespace/service for routes and inhibition.
    const rule = alertsOf(find(stacks.prod, "PrometheusRule", "payments", "shop"))[0];
    assert.deepEqual(rule.labels, { severity: "critical", namespace: "shop", service: "payments" });
  });

  it("per-pod overheads are explicit per environment: istio-proxy and queue-proxy", () => {
    const proxy = (env: string) =>
      values(release(stacks[env], "istiod")).global.proxy.resources.limits;
    const queue = (env: string) =>
      find(stacks[env], "KnativeServing", "knative-serving").spec.config.deployment;
    assert.deepEqual(proxy("dev"), { cpu: "500m", memory: "256Mi" });
    assert.deepEqual(proxy("prod"), { cpu: "1", memory: "512Mi" });
    assert.equal(queue("dev")["queue-sidecar-memory-limit"], "128Mi");
    assert.equal(queue("prod")["queue-sidecar-cpu-limit"], "1");
  });

  it("alert thresholds tighten from dev to prod, and prod pages", () => {
    const rules = (s: string) => alertsOf(find(stacks[s], "PrometheusRule", "orders", "shop"));
    assert.match(rules("dev")[0].expr, / \* 100 > 20$/);
    assert.match(rules("staging")[0].expr, / \* 100 > 10$/);
    assert.match(rules("prod")[0].expr, / \* 100 > 2$/);
    assert.deepEqual(
      rules("dev").map((r) => [r.for, r.labels.severity]),
      [
        ["10m", "warning"],
        ["10m", "warning"],
      ],
    );
    assert.deepEqual(
      rules("prod").map((r) => [r.for, r.labels.severity]),
      [
        ["5m", "critical"],
        ["5m", "critical"],
      ],
    );
    assert.match(rules("prod")[1].expr, /> 800$/);
  });

  it("trace sampling: every request in dev, 20% in staging, 1% in prod", () => {
    const sampling = (s: string) =>
      find(stacks[s], "Telemetry", "mesh-default", "istio-system").spec.tracing[0]
        .randomSamplingPercentage;
    assert.deepEqual([sampling("dev"), sampling("staging"), sampling("prod")], [100, 20, 1]);
  });

  it("mTLS is STRICT everywhere outside dev but for Knative's webhooks; dev may open a sandbox", () => {
    const modes = (s: string) =>
      stacks[s].manifests
        .filter((m) => m.kind === "PeerAuthentication")
        .map((m) => {
          // Port-level modes (Eventing's webhook ports) are written `port=MODE`.
          const ports = Object.entries(m.spec.portLevelMtls ?? {}) as [string, Loose][];
          const mode = m.spec.mtls?.mode ?? ports.map(([p, v]) => `${p}=${v.mode}`).join(",");
          return `${m.metadata.namespace}:${mode}`;
        })
        .sort();
    // knative-serving: the API server calls its webhooks without mTLS (Knative's documented setup).
    const system = ["istio-system:STRICT", "knative-serving:PERMISSIVE"];
    assert.deepEqual(modes("staging"), [...system, "shop:STRICT"]);
    assert.deepEqual(modes("prod"), [...system, "shop:STRICT"]);
    // dev runs Eventing: STRICT but on its webhooks' port, which the API server calls.
    assert.deepEqual(modes("dev"), [
      "events:STRICT",
      system[0],
      "knative-eventing:8443=PERMISSIVE",
      "knative-eventing:8443=PERMISSIVE",
      system[1],
      "sandbox:PERMISSIVE",
      "shop:STRICT",
    ]);
  });

  it("deny by default outside dev unless a namespace says otherwise; dev's shop asks for it", () => {
    const closed = (s: string) =>
      stacks[s].manifests
        .filter((m) => m.kind === "AuthorizationPolicy" && m.metadata.name === "allow-nothing")
        .map((m) => m.metadata.namespace)
        .sort();
    // staging and prod set no denyByDefault: the environment default closes their namespaces.
    assert.deepEqual(closed("staging"), ["shop"]);
    assert.deepEqual(closed("prod"), ["shop"]);
    assert.deepEqual(closed("dev"), ["events", "shop"]);
    const ns = { shop: {}, open: { denyByDefault: false } };
    const stack = (environment: "dev" | "prod") =>
      withEnvironmentDefaults({ environment, services: { namespaces: ns } }).services?.namespaces;
    assert.deepEqual(stack("prod"), {
      shop: { denyByDefault: true },
      open: { denyByDefault: false },
    });
    assert.deepEqual(stack("dev"), ns);
  });

  it("namespaces enforce the Pod Security level their sidecars allow; gateways want TLS 1.2", () => {
    // dev has no Istio CNI agent, so istio-init's NET_ADMIN/NET_RAW need privileged; staging and
    // prod install the agent, so their namespaces enforce baseline.
    const enforce = { dev: "privileged", staging: "baseline", prod: "baseline" };
    for (const [s, level] of Object.entries(enforce)) {
      const labels = (find(stacks[s], "Namespace", "shop") as Loose).metadata.labels;
      assert.equal(labels["pod-security.kubernetes.io/enforce"], level, s);
      assert.equal(labels["pod-security.kubernetes.io/warn"], "restricted", s);
    }
    for (const s of ["staging", "prod"]) {
      const https = find(stacks[s], "Gateway", "public", "shop").spec.servers[0];
      assert.equal(https.tls.minProtocolVersion, "TLSV1_2", s);
    }
  });

  it("ingress: HTTPS with a redirect outside dev", () => {
    const servers = (s: string) =>
      find(stacks[s], "Gateway", "public", "shop").spec.servers.map(
        (x: Loose) =>
          `${x.port.protocol}:${x.port.number}:${x.tls?.credentialName ?? x.tls?.httpsRedirect ?? "-"}`,
      );
    assert.deepEqual(servers("dev"), ["HTTP:80:-"]);
    assert.deepEqual(servers("staging"), ["HTTPS:443:shop-staging-tls", "HTTP:80:true"]);
    assert.deepEqual(servers("prod"), ["HTTPS:443:shop-prod-tls", "HTTP:80:true"]);
  });

  it("prod's Kubernetes and AWS resources each go through their own explicit provider", () => {
    const rec = stacks.prod.result.recording;
    const providers = rec.resources.filter((r) => r.type.startsWith("pulumi:providers:"));
    assert.deepEqual(providers.map((p) => `${p.type}::${p.name}`).sort(), [
      "pulumi:providers:aws::prod-eu",
      "pulumi:providers:kubernetes::cluster",
    ]);
    const kube = providers.find((p) => p.type === "pulumi:providers:kubernetes")!;
    assert.equal(kube.redacted.kubeconfig, "[secret]");
    const aws = providers.find((p) => p.type === "pulumi:providers:aws")!;
    assert.equal(aws.inputs.region, "eu-west-1");
    // Provider config travels JSON-encoded, as the engine hands it to the provider plugin.
    assert.deepEqual(JSON.parse(aws.inputs.assumeRoles as string), [
      { roleArn: "arn:aws:iam::210987654321:role/mesh-serverless-deploy" },
    ]);
    const custom = rec.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
    const byProvider = (prefix: string) =>
      custom.filter((r) => r.type.startsWith(prefix)).map((r) => rec.providerOf(r)?.name);
    const kubeProviders = new Set(byProvider("kubernetes:"));
    const awsProviders = new Set(byProvider("aws:"));
    assert.deepEqual([...kubeProviders], ["cluster"]);
    assert.deepEqual([...awsProviders], ["prod-eu"]);
    assert.ok(custom.filter((r) => r.type.startsWith("kubernetes:")).length >= 30);
    assert.ok(custom.filter((r) => r.type.startsWith("aws:")).length >= 30);
    assert.ok(
      stacks.prod.result.files.every(
        (f) => !f.startsWith("manifests/") || f.startsWith("manifests/cluster/"),
      ),
    );
  });

  it("dev and staging name no AWS account; dev takes the ambient cluster, staging a named context", () => {
    const providers = (s: string) =>
      stacks[s].result.recording.resources
        .filter((r) => r.type.startsWith("pulumi:providers:"))
        .map((r) => `${r.type}::${r.name}`);
    assert.deepEqual(providers("dev"), []);
    assert.deepEqual(providers("staging"), ["pulumi:providers:kubernetes::cluster"]);
    const staging = stacks.staging.result.recording.resources.find(
      (r) => r.type === "pulumi:providers:kubernetes",
    )!;
    assert.deepEqual(staging.inputs, { context: "staging" });
  });

  it("outputs what a user needs after pulumi up: dashboards, hosts, AWS addresses", () => {
    const prod = stacks.prod.outputs;
    assert.deepEqual(Object.keys(prod.platform.dashboards).sort(), [
      "alertmanager",
      "grafana",
      "jaeger",
      "prometheus",
    ]);
    assert.equal(
      prod.platform.gatewayService,
      "istio-ingressgateway.istio-system.svc.cluster.local",
    );
    // Private unless `public: true`: Knative serves them in the cluster only; orders is
    // published through the shop gateway's HTTPS route, not Knative's domain.
    assert.deepEqual(prod.serviceUrls, {
      orders: "http://orders.shop.svc.cluster.local",
      payments: "http://payments.shop.svc.cluster.local",
    });
    assert.deepEqual(stacks.dev.outputs.serviceUrls, {
      audit: "http://audit.events.svc.cluster.local",
      orders: "http://orders.shop.svc.cluster.local",
      payments: "http://payments.shop.svc.cluster.local",
    });
    assert.deepEqual(prod.serverlessHosts, {
      orders: "orders.shop.svc.cluster.local",
      payments: "payments.shop.svc.cluster.local",
    });
    assert.deepEqual(Object.keys(prod.awsFunctions).sort(), ["invoices", "notifications"]);
    assert.equal(
      prod.awsFunctions.invoices.meshAddress,
      "https://invoices.eu-west-1.vpc-lattice-svcs.on.aws",
    );
    assert.equal(prod.awsNetworks["prod-mesh"].backend, "vpc-lattice");
  });
});
