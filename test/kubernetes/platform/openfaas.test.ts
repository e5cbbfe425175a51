import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as h from "../../harness";
import { OpenFaas, OpenFaasArgs } from "../../../components/kubernetes/platform/openfaas";
import { openfaasValues } from "../../../components/kubernetes/platform/openfaas-values";
import { MeshPlatform } from "../../../components/kubernetes/platform/platform";
import { OpenFaasFunction } from "../../../components/kubernetes/service/openfaas-function";
import { analyze, formatFinding, isK8sObject } from "../../../components/analysis";
import { managedLabels } from "../../../components/core/kube";
import { CHART_RULES, chartDefaults, unknownValuePaths } from "./chart-values-check";
import { missingChartData, readChartYaml } from "./upstream-charts";
import { CHARTS } from "../../../components/kubernetes/platform/versions";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const NS = "kubernetes:core/v1:Namespace";
const PA = "kubernetes:security.istio.io/v1:PeerAuthentication";
const SECRET = "kubernetes:core/v1:Secret";
const ISTIOD = `${RELEASE}::istiod`;

/** A stand-in for Istio's releases (what OpenFaaS must wait for). */
function istioStandIn(): pulumi.Resource[] {
  return [new k8s.helm.v3.Release("istiod", { chart: "istiod", name: "istiod" })];
}

/** The values OpenFaaS documents for Istio, on OpenFaaS Pro with one gateway replica. */
const PRO_VALUES = {
  basic_auth: true,
  clusterRole: true,
  exposeServices: false,
  functionNamespace: "openfaas-fn",
  functions: { httpProbe: true },
  gateway: { directFunctions: true, probeFunctions: true, replicas: 1 },
  generateBasicAuth: false,
  httpProbe: true,
  istio: { mtls: false },
  openfaasPro: true,
  operator: { create: true, leaderElection: { enabled: false } },
  securityContext: {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: 10001,
  },
};

describe("platform/OpenFaas", () => {
  beforeEach(() => h.reset());

  it("GIVEN defaults THEN OpenFaaS Pro with its operator, both namespaces in the mesh under STRICT mTLS, after Istio", async () => {
    const of = new OpenFaas("of", { istio: { dependsOn: istioStandIn() } });
    await h.settled();
    assert.deepEqual(h.countByType(), {
      "mesh-serverless:platform:OpenFaas": 1,
      [RELEASE]: 2,
      [NS]: 2,
      [PA]: 2,
    });
    assert.deepEqual(h.get(NS, "of-namespace").inputs.metadata, {
      name: "openfaas",
      labels: {
        ...managedLabels("openfaas", "namespace"),
        role: "openfaas-system",
        access: "openfaas-system",
        "istio-injection": "enabled",
      },
    });
    assert.deepEqual(h.get(NS, "of-functions").inputs.metadata, {
      name: "openfaas-fn",
      labels: {
        ...managedLabels("openfaas", "namespace"),
        role: "openfaas-fn",
        "istio-injection": "enabled",
      },
    });
    for (const [name, namespace, nsResource] of [
      ["of-mtls", "openfaas", "of-namespace"],
      ["of-functions-mtls", "openfaas-fn", "of-functions"],
    ]) {
      const pa = h.get(PA, name);
      assert.deepEqual(pa.inputs.metadata, {
        name: "default",
        namespace,
        labels: managedLabels("openfaas", "mtls"),
      });
      assert.deepEqual(pa.inputs.spec, { mtls: { mode: "STRICT" } });
      assert.deepEqual(h.dependencies(pa), [`${NS}::${nsResource}`, ISTIOD]);
    }
    const release = h.get(RELEASE, "of-release");
    assert.deepEqual(release.inputs, {
      chart: "openfaas",
      compat: "true",
      name: "openfaas",
      namespace: "openfaas",
      repositoryOpts: { repo: "https://openfaas.github.io/faas-netes" },
      values: PRO_VALUES,
      version: "15.0.6",
    });
    assert.deepEqual(h.dependencies(release), [
      `${NS}::of-functions`,
      `${NS}::of-namespace`,
      ISTIOD,
    ]);
    for (const r of h
      .resources()
      .filter((r) => r.type.startsWith("kubernetes:") && r.name !== "istiod"))
      assert.equal(h.parentOf(r)?.name, "of", r.name);
    assert.deepEqual(
      { ...of.info, dependsOn: of.info.dependsOn.length },
      {
        namespace: "openfaas",
        functionNamespace: "openfaas-fn",
        edition: "pro",
        release: "openfaas",
        dependsOn: 1,
      },
    );
    assert.equal(of.info.dependsOn[0], of.release);
    assert.equal(of.gatewayUrl, "http://gateway.openfaas.svc.cluster.local:8080");
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  it("GIVEN credentials THEN the licence and basic-auth Secrets the chart mounts, secret in state, before the release", async () => {
    new OpenFaas("of", {
      namespace: "faas",
      functionNamespace: "faas-fn",
      credentials: {
        license: pulumi.secret("LICENSE-JWT"),
        adminPassword: "s3cret",
        adminUser: "ops",
      },
    });
    await h.settled();
    const license = h.get(SECRET, "of-license");
    assert.deepEqual(license.inputs.metadata, {
      name: "openfaas-license",
      namespace: "faas",
      labels: managedLabels("openfaas", "license"),
    });
    assert.equal(license.inputs.type, "Opaque");
    const auth = h.get(SECRET, "of-basic-auth");
    assert.equal((auth.inputs.metadata as { name: string }).name, "basic-auth");
    assert.deepEqual(license.inputs.stringData, { license: "LICENSE-JWT" });
    assert.deepEqual(auth.inputs.stringData, {
      "basic-auth-user": "ops",
      "basic-auth-password": "s3cret",
    });
    // Every value is a secret in state, even one given as plain text (the admin user too).
    assert.deepEqual(license.redacted.stringData, { license: "[secret]" });
    assert.deepEqual(auth.redacted.stringData, {
      "basic-auth-user": "[secret]",
      "basic-auth-password": "[secret]",
    });
    for (const s of [license, auth]) assert.deepEqual(h.dependencies(s), [`${NS}::of-namespace`]);
    assert.deepEqual(h.dependencies(h.get(RELEASE, "of-release")), [
      `${NS}::of-functions`,
      `${NS}::of-namespace`,
      `${SECRET}::of-basic-auth`,
      `${SECRET}::of-license`,
    ]);
    assert.equal(
      (h.get(RELEASE, "of-release").inputs.values as { functionNamespace: string })
        .functionNamespace,
      "faas-fn",
    );
  });

  it("GIVEN CE, exec probes, ambient, a registry and overrides THEN no operator and the chart's own keys", async () => {
    new OpenFaas("of", {
      edition: "ce",
      probes: "exec",
      registry: "harbor.corp:8443/mirror",
      istio: { dependsOn: [], enrol: { dataPlane: "ambient" } },
      values: { gateway: { replicas: 2 } },
    });
    await h.settled();
    assert.deepEqual(h.get(RELEASE, "of-release").inputs.values, {
      ...PRO_VALUES,
      clusterRole: false,
      functions: { httpProbe: false },
      gateway: { directFunctions: true, probeFunctions: true, replicas: 2 },
      httpProbe: false,
      openfaasPro: false,
      operator: { create: false, leaderElection: { enabled: false } },
      registryPrefix: "harbor.corp:8443/mirror",
    });
    assert.equal(
      (h.get(NS, "of-functions").inputs.metadata as { labels: Record<string, string> }).labels[
        "istio.io/dataplane-mode"
      ],
      "ambient",
    );
  });

  it("every value it sets is one the chart's values.yaml has (registryPrefix: read by _helpers.tpl)", function () {
    const missing = missingChartData();
    if (missing !== undefined) {
      console.log(`      ${missing}`);
      return this.skip();
    }
    const defaults = chartDefaults(
      readChartYaml("openfaas", CHARTS.openfaas.version, "values.yaml"),
    );
    for (const edition of ["pro", "ce"] as const)
      assert.deepEqual(
        unknownValuePaths(
          openfaasValues({
            edition,
            functionNamespace: "openfaas-fn",
            gatewayReplicas: 3,
            probes: "exec",
            registry: "r.example.com",
          }),
          defaults,
          CHART_RULES.openfaas,
        ),
        [],
      );
  });

  const cases: [string, OpenFaasArgs, string, ...string[]][] = [
    [
      "a licence on CE",
      { edition: "ce", credentials: { license: "x" } },
      "credentials.license",
      "[secret]",
      'edition "pro"',
    ],
    [
      "one namespace for both",
      { functionNamespace: "openfaas" },
      "functionNamespace",
      "must differ",
    ],
    ["no gateway", { gatewayReplicas: 0 }, "gatewayReplicas", "from 1 to 20"],
    ["a version range", { version: "^15" }, "version", "exact semantic version"],
    ["a bad namespace", { namespace: "Open_FaaS" }, "namespace", "DNS-1123"],
    ["a registry URL", { registry: "https://r.example.com" }, "registry", "no scheme"],
    ["an unknown edition", { edition: "enterprise" as never }, "edition", '"pro", "ce"'],
    ["an admin user name", { credentials: { adminUser: "Admin User" } }, "credentials.adminUser"],
  ];
  for (const [what, args, argument, ...mentions] of cases)
    it(`rejects ${what} (\`${argument}\`) before creating anything`, async () => {
      const e = await h.expectInvalid(() => new OpenFaas("of", args), argument, ...mentions);
      assert.ok(!e.message.includes('"x"'), "a licence value in the message");
    });
});

describe("platform/MeshPlatform with OpenFaaS", () => {
  beforeEach(() => h.reset());

  it("GIVEN defaults THEN no OpenFaaS and no openfaas in the mesh", async () => {
    const p = new MeshPlatform("p", {});
    await h.settled();
    assert.equal(p.openfaas, undefined);
    assert.equal(p.mesh.openfaas, undefined);
    assert.deepEqual(h.names("mesh-serverless:platform:OpenFaas"), []);
  });

  it("GIVEN openfaas THEN it follows Istio's releases, joins the mesh's revision and is handed to services", async () => {
    const p = new MeshPlatform("p", {
      istio: { revision: "1-31-1" },
      knative: false,
      jaeger: false,
      prometheus: false,
      fluentd: false,
      openfaas: { gatewayReplicas: 3 },
      versions: { openfaas: "15.0.5" },
      registry: "harbor.corp:8443/mirror",
    });
    await h.settled();
    const of = h.get("mesh-serverless:platform:OpenFaas", "p-openfaas");
    assert.equal(h.parentOf(of)?.name, "p");
    const release = h.get(RELEASE, "p-openfaas-release");
    assert.equal(release.inputs.version, "15.0.5");
    assert.equal(
      (release.inputs.values as { registryPrefix: string }).registryPrefix,
      "harbor.corp:8443/mirror",
    );
    assert.deepEqual(h.dependencies(release), [
      `${NS}::p-openfaas-functions`,
      `${NS}::p-openfaas-namespace`,
      `${RELEASE}::p-istio-base`,
      `${RELEASE}::p-istio-istiod`,
    ]);
    assert.equal(
      (h.get(NS, "p-openfaas-functions").inputs.metadata as { labels: Record<string, string> })
        .labels["istio.io/rev"],
      "1-31-1",
    );
    assert.equal(p.mesh.openfaas, p.openfaas?.info);
    assert.deepEqual(p.mesh.openfaas?.dependsOn, [p.openfaas?.release]);
  });

  it("checks openfaas args before creating any child, under `openfaas.`", async () => {
    await h.expectInvalid(
      () => new MeshPlatform("p", { openfaas: { gatewayReplicas: 21 } }),
      "openfaas.gatewayReplicas",
      "from 1 to 20",
    );
    await h.expectInvalid(
      () => new MeshPlatform("p", { versions: { openfaas: "latest" } as never, openfaas: true }),
      "versions.openfaas",
    );
  });
});

describe("OpenFaaS objects under the analyzer", () => {
  beforeEach(() => h.reset());

  it("GIVEN the platform with OpenFaaS and a function with every mesh part THEN no analyzer errors; warnings only for what the charts create", async () => {
    const p = new MeshPlatform("p", { fluentd: false, jaeger: false, openfaas: true });
    new OpenFaasFunction("image-processor", {
      mesh: p.mesh,
      image: "ghcr.io/acme/image-processor:1.2.0",
      scale: { min: 1, max: 5 },
      metrics: { port: 8081 },
      access: { allow: [{ namespaces: ["web"], methods: ["POST"] }] },
      traffic: { policy: { outlierDetection: { consecutive5xxErrors: 5 } } },
      monitor: { kind: "PodMonitor", port: "http" },
      alerts: { errorRate: { thresholdPercent: 5 } },
      ingress: { hosts: ["images.example.com"] },
    });
    await h.settled();
    const objects = h
      .resources()
      .map((r) => r.inputs)
      .filter(isK8sObject);
    const findings = analyze(objects).map(formatFinding);
    // The analyzer knows a Function's pods (faas_function + spec.labels, port http): the access
    // policy, the PodMonitor and Istio's envoy-stats-monitor find them. The gateway's service
    // account is the chart's, and istiod's Service the istiod chart's: not in the input.
    assert.deepEqual(findings, [
      "warning MS404 AuthorizationPolicy openfaas-fn/image-processor: principal cluster.local/ns/openfaas/sa/openfaas-operator: service account openfaas/openfaas-operator is not in the input; until it exists the rule matches nobody",
      "warning MS405 ServiceMonitor istio-system/istio-component-monitor: selects no Service of the input in any namespace; it scrapes nothing unless one exists there",
    ]);
  });
});
