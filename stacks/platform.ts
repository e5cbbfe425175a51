import * as pulumi from "@pulumi/pulumi";
import { MeshInfo } from "../components/kubernetes/mesh-info";
import type { FluentdOutput } from "../components/kubernetes/platform/fluentd";
import type { FeatureState } from "../components/kubernetes/platform/knative";
import {
  AddOn,
  MeshPlatform,
  MeshPlatformArgs,
  PlatformFluentdArgs,
  PlatformIstioArgs,
  PlatformJaegerArgs,
  PlatformKnativeArgs,
  PlatformPrometheusArgs,
} from "../components/kubernetes/platform/platform";
import type { ComputeResources } from "../components/kubernetes/platform/prometheus";
import type { Values } from "../components/kubernetes/platform/helm";
import { Section, StackConfigError } from "./config";
import { describeValue } from "../components/core/errors";

export interface PlatformDeployment {
  /** What services deployed by this stack get to know about the mesh. */
  mesh: MeshInfo;
  outputs: Record<string, pulumi.Input<unknown>>;
}

/** `false`, `true`, unset, or a mapping read by `read`. */
function addOn<T>(config: Section, key: string, read: (s: Section) => T): AddOn<T> | undefined {
  const raw = config.raw<unknown>(key);
  if (raw === undefined || typeof raw === "boolean") return raw;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new StackConfigError(
      `config \`${config.key(key)}\` is ${describeValue(raw)}: must be true, false or a mapping`,
    );
  }
  const s = Section.of(config.key(key), raw);
  const args = read(s);
  s.done();
  return args;
}

function readIstio(s: Section): PlatformIstioArgs {
  const gatewayRaw = s.raw<unknown>("gateway");
  let gateway: PlatformIstioArgs["gateway"];
  if (gatewayRaw === false) gateway = false;
  else if (gatewayRaw !== undefined) {
    const g = Section.of(s.key("gateway"), gatewayRaw);
    gateway = {
      name: g.string("name"),
      namespace: g.string("namespace"),
      serviceType: g.string("serviceType") as "LoadBalancer" | undefined,
    };
    g.done();
  }
  return {
    namespace: s.string("namespace"),
    profile: s.string("profile") as PlatformIstioArgs["profile"],
    revision: s.string("revision"),
    cni: s.boolean("cni"),
    gateway,
    accessLogFile: s.string("accessLogFile"),
    accessLogEncoding: s.string("accessLogEncoding") as PlatformIstioArgs["accessLogEncoding"],
    trustDomain: s.string("trustDomain"),
    mtls: s.string("mtls") as PlatformIstioArgs["mtls"],
    replicas: s.number("replicas"),
    proxyResources: s.raw<ComputeResources>("proxyResources"),
    tracing: s.raw("tracing"),
    values: s.raw("values"),
  };
}

function readKnative(s: Section): PlatformKnativeArgs {
  const a = s.section("autoscaler");
  const autoscaler = a && {
    scaleToZero: a.boolean("scaleToZero"),
    scaleToZeroGracePeriod: a.string("scaleToZeroGracePeriod"),
    stableWindow: a.string("stableWindow"),
    target: a.number("target"),
    targetUtilizationPercentage: a.number("targetUtilizationPercentage"),
    initialScale: a.number("initialScale"),
    allowZeroInitialScale: a.boolean("allowZeroInitialScale"),
    maxScale: a.number("maxScale"),
  };
  a?.done();
  return {
    namespace: s.string("namespace"),
    operatorNamespace: s.string("operatorNamespace"),
    servingVersion: s.string("servingVersion"),
    domain: s.string("domain"),
    autoscaler,
    features: s.stringMap("features") as Record<string, FeatureState> | undefined,
    highAvailability: s.number("highAvailability"),
    queueProxy: s.raw<ComputeResources>("queueProxy"),
    values: s.raw<Values>("values"),
  };
}

function readJaeger(s: Section): PlatformJaegerArgs {
  return {
    namespace: s.string("namespace"),
    samplingPercentage: s.number("samplingPercentage"),
    maxTraces: s.number("maxTraces"),
    providerName: s.string("providerName"),
    storage: s.raw<PlatformJaegerArgs["storage"]>("storage"),
    values: s.raw<Values>("values"),
  };
}

function readPrometheus(s: Section): PlatformPrometheusArgs {
  return {
    namespace: s.string("namespace"),
    retention: s.string("retention"),
    retentionSize: s.string("retentionSize"),
    resources: s.raw<ComputeResources>("resources"),
    replicas: s.number("replicas"),
    grafana: s.boolean("grafana"),
    grafanaAdminSecret: s.string("grafanaAdminSecret"),
    alertmanager: s.boolean("alertmanager"),
    storage: s.raw<PlatformPrometheusArgs["storage"]>("storage"),
    dashboards: s.raw<PlatformPrometheusArgs["dashboards"]>("dashboards"),
    alerting: s.raw<PlatformPrometheusArgs["alerting"]>("alerting"),
    values: s.raw<Values>("values"),
  };
}

function readFluentd(s: Section): PlatformFluentdArgs {
  return {
    namespace: s.string("namespace"),
    path: s.string("path"),
    output: s.raw<FluentdOutput>("output"),
    values: s.raw<Values>("values"),
  };
}

/**
 * Config key `platform`: the cluster add-ons, installed by one `MeshPlatform`.
 *
 * ```yaml
 * mesh-serverless:platform:
 *   registry: harbor.corp:8443/mirror     # optional, air-gapped image mirror for every chart
 *   versions: { istio: 1.30.5 }           # optional chart version overrides (versions.ts keys)
 *   istio: { profile: default, revision: 1-30-5, mtls: STRICT, trustDomain: cluster.local }
 *   knative: { domain: dev.example.com, autoscaler: { stableWindow: 60s, initialScale: 1 } }
 *   jaeger: { samplingPercentage: 100 }   # any add-on but istio can be `false`
 *   prometheus: { retention: 2d }
 *   fluentd: { output: { type: stdout } }
 * ```
 * The stack only translates config into component args; the components validate them.
 */
export function deployPlatform(
  config: Section,
  opts: pulumi.ComponentResourceOptions,
): PlatformDeployment {
  const versions = config.section("versions");
  const versionMap = versions ? versions.value : undefined;
  if (versions) for (const k of Object.keys(versions.value)) versions.string(k);
  const istioRaw = config.raw<unknown>("istio");
  if (istioRaw === false) {
    throw new StackConfigError(
      `config \`${config.key("istio")}\` is false: Istio is always installed; configure it with a mapping or leave it unset`,
    );
  }
  const istio = addOn(config, "istio", readIstio);
  const args: MeshPlatformArgs = {
    registry: config.string("registry"),
    versions: versionMap as MeshPlatformArgs["versions"],
    istio: typeof istio === "object" ? istio : undefined,
    knative: addOn(config, "knative", readKnative),
    jaeger: addOn(config, "jaeger", readJaeger),
    prometheus: addOn(config, "prometheus", readPrometheus),
    fluentd: addOn(config, "fluentd", readFluentd),
  };
  config.done();
  const platform = new MeshPlatform("platform", args, opts);
  const mesh = platform.mesh;
  return {
    mesh,
    outputs: {
      platform: {
        rootNamespace: mesh.rootNamespace,
        gatewayService: platform.gatewayService,
        gateway: mesh.gateway,
        tracingProvider: mesh.tracingProvider,
        monitorLabels: mesh.monitorLabels,
        dashboards: platform.dashboards,
        addOns: ["istio", "knative", "jaeger", "prometheus", "fluentd"].filter(
          (k) => platform[k as "istio"] !== undefined,
        ),
      },
    },
  };
}
