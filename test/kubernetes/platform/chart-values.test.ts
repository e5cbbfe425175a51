import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { HELM_RELEASE } from "../../../cli/artifacts";
import { readProject } from "../../../cli/project";
import { withoutTraces } from "../../../cli/sdk-settings";
import { knownStacks, readStackConfig } from "../../../cli/stack-config";
import { isPlainObject, Values } from "../../../components/core/values";
import { gatewayValues, istiodValues } from "../../../components/kubernetes/platform/istio-values";
import { MeshPlatform, MeshPlatformArgs } from "../../../components/kubernetes/platform/platform";
import { CHARTS, ISTIO_CHARTS } from "../../../components/kubernetes/platform/versions";
import { main } from "../../../stacks/program";
import * as h from "../../harness";
import { CHART_RULES, chartDefaults, schemaErrors, unknownValuePaths } from "./chart-values-check";
import { chartDir, readChartYaml, readValuesSchema, skipWithoutChartData } from "./upstream-charts";

/**
 * Every Helm release any stack renders, and the IstioMesh variants no stack uses, gets only
 * values its chart reads and, where the chart ships a values.schema.json, values that pass it.
 * Upstream data: ../shared/charts/<chart>-<version>/. The rule (chart-values-check.ts): every
 * leaf path of the values must be in the chart's values.yaml (Istio's
 * `_internal_defaults_do_not_set` unwrapped), except below a free-form map: a key whose default
 * is `{}` or a list, a Kubernetes string map (annotations, labels, podAnnotations, podLabels,
 * nodeSelector, ...), or a path the chart documents as free-form (CHART_RULES: istiod
 * `meshConfig`, jaeger `userconfig`, fluentd `fileConfigs`); keys the templates read without a
 * default are listed there too (Istio's `profile`). Subchart keys (kube-prometheus-stack's
 * `grafana.*`) may also be in the subchart's values.yaml.
 */

const root = path.join(__dirname, "..", "..", "..");

interface Release {
  name: string;
  chart: string;
  version: string;
  values: Values;
}

async function releases(build: () => unknown): Promise<Release[]> {
  // As the renderer does: no stack captures for every promise and resource.
  await withoutTraces(async () => {
    await build();
    await h.settled();
  });
  return h.resources(HELM_RELEASE).map((r) => ({
    name: r.name,
    chart: String(r.inputs.chart),
    version: String(r.inputs.version),
    values: isPlainObject(r.inputs.values) ? r.inputs.values : {},
  }));
}

/** Runs the program with a stack's config, as `npm run render -- --stack <stack>` does. */
async function renderStack(stack: string): Promise<Release[]> {
  const project = readProject(root);
  const { config, secretKeys } = readStackConfig(project.stackConfigDir, project.name, stack);
  await h.reset({ stack, config, secretKeys });
  return releases(main);
}

async function renderPlatform(args: MeshPlatformArgs): Promise<Release[]> {
  await h.reset();
  return releases(() => new MeshPlatform("p", args));
}

/** The Istio shapes the stacks do not cover, each with every add-on's other branches. */
const VARIANTS: Record<string, MeshPlatformArgs> = {
  "ambient profile, canary revision, registry mirror, HPA above the chart's maximum": {
    registry: "harbor.corp:8443/mirror",
    istio: {
      profile: "ambient",
      revision: "1-31-1",
      replicas: 7,
      gateway: { serviceType: "ClusterIP", namespace: "ingress" },
    },
    jaeger: { samplingPercentage: 0.5, maxTraces: 1000 },
    prometheus: { grafana: false, alertmanager: false, replicas: 2, retentionSize: "10GB" },
    fluentd: {
      output: {
        type: "elasticsearch",
        host: "es.logging.svc",
        tls: { ca: { name: "es-ca", key: "ca.crt" } },
        credentials: { secretName: "es-auth" },
      },
    },
    openfaas: { gatewayReplicas: 3 },
  },
  "sidecars with the CNI node agent, tracing to an external collector": {
    istio: {
      cni: true,
      replicas: 2,
      tracing: {
        name: "otel",
        service: "otel-collector.observability.svc.cluster.local",
        port: 4317,
        samplingPercentage: 10,
      },
    },
    jaeger: false,
    prometheus: { grafanaAdminSecret: "grafana-admin" },
    openfaas: { edition: "ce", probes: "exec" },
  },
};

const cache = new Map<string, Values>();
function defaultsOf(chart: string, version: string): Values {
  const key = `${chart}-${version}`;
  let d = cache.get(key);
  if (!d) {
    d = chartDefaults(readChartYaml(chart, version, "values.yaml"));
    cache.set(key, d);
  }
  return d;
}

/** values.yaml of each subchart the chart's rule names, at the version its Chart.yaml pins. */
function subchartDefaults(chart: string, version: string): Record<string, Values> {
  const subcharts = Object.values(CHART_RULES[chart]?.subcharts ?? {});
  if (subcharts.length === 0) return {};
  const meta = readChartYaml(chart, version, "Chart.yaml") as {
    dependencies?: { name: string; version: string }[];
  };
  return Object.fromEntries(
    subcharts.map((sub) => {
      const dep = meta.dependencies?.find((d) => d.name === sub);
      assert.ok(dep, `${chart} ${version} has no ${sub} dependency`);
      return [sub, defaultsOf(sub, dep.version)];
    }),
  );
}

/** Problems of one release, one line each. */
function problems(r: Release): string[] {
  const where = `${r.name} (${r.chart} ${r.version})`;
  if (!fs.existsSync(chartDir(r.chart, r.version)))
    return [
      `${where}: no upstream data in ${chartDir(r.chart, r.version)} (a version never released, or data to ask for on the issue)`,
    ];
  const unknown = unknownValuePaths(
    r.values,
    defaultsOf(r.chart, r.version),
    CHART_RULES[r.chart],
    subchartDefaults(r.chart, r.version),
  ).map((p) => `${where}: ${p} is not a value the chart reads`);
  const schema = readValuesSchema(r.chart, r.version);
  const invalid = schema
    ? schemaErrors(schema, readChartYaml(r.chart, r.version, "values.yaml"), r.values).map(
        (e) => `${where}: values.schema.json: ${e}`,
      )
    : [];
  return [...unknown, ...invalid];
}

const ALL_CHARTS = [
  ...Object.values(ISTIO_CHARTS),
  ...Object.values(CHARTS)
    .map((c) => c.chart)
    .filter((c) => c !== "istiod"),
].sort();

describe("platform chart values: every key is one the chart reads (../shared/charts)", () => {
  const checked = new Set<string>();
  before(function () {
    skipWithoutChartData(this);
  });
  after(() => h.reset());

  for (const stack of knownStacks(path.join(root, "stacks"))) {
    it(`stack ${stack}`, async function () {
      this.timeout(60_000);
      const rendered = await renderStack(stack);
      for (const r of rendered) checked.add(r.chart);
      assert.deepEqual(rendered.flatMap(problems), []);
    });
  }

  for (const [title, args] of Object.entries(VARIANTS)) {
    it(`MeshPlatform: ${title}`, async () => {
      const rendered = await renderPlatform(args);
      for (const r of rendered) checked.add(r.chart);
      assert.deepEqual(rendered.flatMap(problems), []);
    });
  }

  it("covered every chart the platform pins, each at its pinned version", () => {
    assert.deepEqual([...checked].sort(), ALL_CHARTS);
  });

  it("reports a misspelt or misplaced key with its full path", () => {
    const defaults = defaultsOf("gateway", CHARTS.istio.version);
    const good = gatewayValues({ serviceType: "NodePort", replicas: 3 });
    assert.deepEqual(unknownValuePaths(good, defaults, CHART_RULES.gateway), []);
    const typo = { ...good, autoscaling: { minReplica: 3 }, servce: { type: "NodePort" } };
    assert.deepEqual(unknownValuePaths(typo, defaults, CHART_RULES.gateway), [
      "autoscaling.minReplica",
      "servce.type",
    ]);
    // IstioOperator's `pilot.*` spelling, which the istiod chart never reads.
    const istiod = istiodValues({
      namespace: "istio-system",
      profile: "default",
      cni: false,
      accessLogFile: "/dev/stdout",
      accessLogEncoding: "TEXT",
      trustDomain: "cluster.local",
    });
    const operatorStyle = { ...istiod, pilot: { autoscaleMin: 3, cni: { enabled: true } } };
    assert.deepEqual(
      unknownValuePaths(
        operatorStyle,
        defaultsOf("istiod", CHARTS.istio.version),
        CHART_RULES.istiod,
      ),
      ["pilot.autoscaleMin", "pilot.cni.enabled"],
    );
  });

  it("reports what the gateway's values.schema.json refuses", () => {
    const version = CHARTS.istio.version;
    const schema = readValuesSchema("gateway", version);
    assert.ok(schema, "the gateway chart ships a values.schema.json");
    const valuesYaml = readChartYaml("gateway", version, "values.yaml");
    const good = gatewayValues({ serviceType: "LoadBalancer", replicas: 7, revision: "canary" });
    assert.deepEqual(schemaErrors(schema, valuesYaml, good), []);
    assert.deepEqual(schemaErrors(schema, valuesYaml, { ...good, replicaCount: "3" }), [
      '/replicaCount must be integer,null {"type":["integer","null"]}',
    ]);
    assert.deepEqual(schemaErrors(schema, valuesYaml, { ...good, autoscalling: {} }), [
      '/ must NOT have additional properties {"additionalProperty":"autoscalling"}',
    ]);
  });
});

describe("platform chart values: the rule itself", () => {
  const defaults: Values = {
    image: { repository: "r", tag: "" },
    resources: {},
    extraEnv: [],
    podAnnotations: { "prometheus.io/scrape": "true" },
    replicaCount: null,
    config: null,
    sub: { enabled: true },
  };

  it("accepts anything below an empty-map or list default and in Kubernetes string maps", () => {
    const values = {
      resources: { limits: { cpu: "1" } },
      extraEnv: [{ name: "A", value: "b" }],
      podAnnotations: { "sidecar.istio.io/inject": "false" },
      replicaCount: 3,
      image: { tag: "1.0" },
    };
    assert.deepEqual(unknownValuePaths(values, defaults), []);
  });

  it("refuses a mapping below a scalar default unless the chart documents it as free-form", () => {
    const values = { config: { a: { b: 1 } } };
    assert.deepEqual(unknownValuePaths(values, defaults), ["config.a.b (below a scalar default)"]);
    assert.deepEqual(
      unknownValuePaths(values, defaults, { freeForm: { config: "documented" } }),
      [],
    );
    assert.deepEqual(unknownValuePaths({ image: "r:1" }, defaults), [
      "image (the chart's default is a mapping)",
    ]);
  });

  it("accepts keys templates read without a default, and subchart keys the subchart has", () => {
    const rule = { templateKeys: { profile: "zzz_profile.yaml" }, subcharts: { sub: "child" } };
    const child = { admin: { existingSecret: "" } };
    const values = { profile: "ambient", sub: { enabled: false, admin: { existingSecret: "s" } } };
    assert.deepEqual(unknownValuePaths(values, defaults, rule, { child }), []);
    assert.deepEqual(
      unknownValuePaths({ sub: { admin: { existingSecrets: "s" } } }, defaults, rule, { child }),
      ["sub.admin.existingSecrets"],
    );
  });

  it("unwraps Istio's _internal_defaults_do_not_set", () => {
    assert.deepEqual(
      chartDefaults({ _internal_defaults_do_not_set: { hub: "", global: { a: 1 } }, other: 2 }),
      { hub: "", global: { a: 1 }, other: 2 },
    );
  });
});
