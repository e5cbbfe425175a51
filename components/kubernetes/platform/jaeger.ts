import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { ITelemetry } from "@kubernetes-models/istio/telemetry.istio.io/v1/Telemetry" with {
  "resolution-mode": "import",
};
import { customResource, managedLabels, Typed } from "../../core/kube";
import { childName, PROVIDER_NAME } from "../../core/names";
import { ArgChecker } from "../../core/validate";
import { chartVersion, checkRegistry, finalValues, helmRelease, Values } from "./helm";
import { checkSamplingPercentage, type IstioTracingProvider } from "./istio-values";
import { CHARTS } from "./versions";
import { checkStorage, claimSpec, PersistentStorageArgs } from "./storage";
import { checkArgs } from "../../core/args-schema";
import schema from "../../../schema/Jaeger.schema.json";

/** Helm release name of Jaeger; the chart names its Service after it. */
export const JAEGER_RELEASE = "jaeger";
const QUERY_PORT = 16686;
/** OTLP gRPC port of the Jaeger v2 Service. */
export const OTLP_GRPC_PORT = 4317;

/** The Istio tracing provider pointing at a Jaeger installed in `namespace`. */
export function jaegerTracingProvider(namespace: string, name = "jaeger"): IstioTracingProvider {
  return {
    name,
    service: `${JAEGER_RELEASE}.${namespace}.svc.cluster.local`,
    port: OTLP_GRPC_PORT,
  };
}

/**
 * Traces on a volume: Jaeger's Badger backend (an embedded key-value store, one writer, so one
 * Jaeger pod) on a PersistentVolumeClaim the component creates.
 * https://www.jaegertracing.io/docs/latest/deployment/ (Badger)
 */
export interface JaegerBadgerArgs extends PersistentStorageArgs {
  backend: "badger";
  /** How long spans are kept (Badger `ttl.spans`), hours or minutes: `"168h"`. @default "168h" */
  retention?: string;
}

/** Where the PVC is mounted and Badger keeps its keys and values. */
const BADGER_DIR = "/badger";
const BADGER_VOLUME = "badger-data";
/** Name of the claim the component creates for Badger. */
const BADGER_CLAIM = "jaeger-badger";
const TTL = /^[1-9]\d*(h|m)$/;

/** The `jaeger_storage` backend: in memory, or Badger under BADGER_DIR (internal/storage/v1/badger/config.go). */
function traceBackend(maxTraces: number, storage: JaegerBadgerArgs | undefined): Values {
  if (!storage) return { memory: { max_traces: maxTraces } };
  return {
    badger: {
      directories: { keys: `${BADGER_DIR}/keys`, values: `${BADGER_DIR}/values` },
      ephemeral: false,
      ttl: { spans: storage.retention ?? "168h" },
    },
  };
}

/**
 * The Jaeger v2 configuration (an OpenTelemetry Collector config): OTLP in over gRPC and HTTP,
 * batched, into in-memory or Badger storage that the query UI reads.
 * @see https://www.jaegertracing.io/docs/latest/deployment/configuration/
 */
export function jaegerConfig(maxTraces: number, storage?: JaegerBadgerArgs): Values {
  return {
    exporters: { jaeger_storage_exporter: { trace_storage: "primary_store" } },
    extensions: {
      healthcheckv2: { http: { endpoint: "0.0.0.0:13133" }, use_v2: true },
      jaeger_query: { storage: { traces: "primary_store" } },
      jaeger_storage: { backends: { primary_store: traceBackend(maxTraces, storage) } },
    },
    processors: { batch: {} },
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: `0.0.0.0:${OTLP_GRPC_PORT}` },
          http: { endpoint: "0.0.0.0:4318" },
        },
      },
    },
    service: {
      extensions: ["jaeger_storage", "jaeger_query", "healthcheckv2"],
      pipelines: {
        traces: {
          exporters: ["jaeger_storage_exporter"],
          processors: ["batch"],
          receivers: ["otlp"],
        },
      },
    },
  };
}

/**
 * Values of chart `jaeger` 4.x (Jaeger v2 as one Deployment). Each key is one the chart reads
 * (jaegertracing/helm-charts charts/jaeger, 4.4.7 to 4.11.1): `jaeger.enabled` gates
 * templates/jaeger/jaeger-deploy.yaml, a non-empty `userconfig` becomes the `user-config`
 * ConfigMap the container starts with (`--config`), `global.imageRegistry` goes through the
 * Bitnami `common.images.image` helper.
 */
export function jaegerValues(i: {
  maxTraces: number;
  registry?: string;
  storage?: JaegerBadgerArgs;
}): Values {
  // The chart's Deployment uses the Recreate strategy, so the old pod releases the
  // ReadWriteOnce claim before the new one mounts it.
  const volume = i.storage && {
    extraVolumeMounts: [{ mountPath: BADGER_DIR, name: BADGER_VOLUME }],
    extraVolumes: [{ name: BADGER_VOLUME, persistentVolumeClaim: { claimName: BADGER_CLAIM } }],
    replicas: 1,
  };
  return {
    ...(i.registry !== undefined ? { global: { imageRegistry: i.registry } } : {}),
    jaeger: { enabled: true, ...volume },
    userconfig: jaegerConfig(i.maxTraces, i.storage),
  };
}

/** Where the mesh-wide `Telemetry` goes and what it waits for. */
export interface JaegerTelemetryTarget {
  /** Istio's root namespace. */
  rootNamespace: string;
  /** The releases installing Istio's CRDs and istiod. */
  dependsOn: pulumi.Resource[];
}

/** Jaeger arguments checked, every default applied. */
export interface ResolvedJaeger {
  namespace: string;
  version: string;
  maxTraces: number;
  storage?: JaegerBadgerArgs;
  sampling: number;
  providerName: string;
  telemetry?: JaegerTelemetryTarget;
  registry?: string;
  values?: Values;
}

/** Checks JaegerArgs and applies defaults (MeshPlatform runs it scoped as `jaeger.*`). */
export function resolveJaeger(check: ArgChecker, args: JaegerArgs): ResolvedJaeger {
  const namespace = args.namespace ?? "tracing";
  check.dnsLabel("namespace", namespace);
  const version = chartVersion(check, "version", args.version, CHARTS.jaeger.version);
  const maxTraces = args.maxTraces ?? 100_000;
  check.int("maxTraces", maxTraces, 1, 100_000_000);
  const sampling = args.samplingPercentage ?? 1;
  checkSamplingPercentage(check, "samplingPercentage", sampling, 0);
  const providerName = args.providerName ?? "jaeger";
  check.pattern(
    "providerName",
    providerName,
    PROVIDER_NAME,
    "must be a provider name of letters, digits, '.', '_' and '-'",
  );
  if (args.telemetry) check.dnsLabel("telemetry.rootNamespace", args.telemetry.rootNamespace);
  if (args.storage !== undefined) {
    checkStorage(check, "storage", args.storage);
    check.pattern(
      "storage.retention",
      args.storage.retention,
      TTL,
      'a positive number of hours or minutes, e.g. "168h"',
    );
  }
  checkRegistry(check, "registry", args.registry);
  return {
    namespace,
    version,
    maxTraces,
    storage: args.storage,
    sampling,
    providerName,
    telemetry: args.telemetry || undefined,
    registry: args.registry,
    values: args.values,
  };
}

export interface JaegerArgs {
  /** Namespace (created by the release). @default "tracing" */
  namespace?: string;
  /** Chart version. @default CHARTS.jaeger.version in versions.ts */
  version?: string;
  /** Traces kept in memory (without `storage`). @default 100000 */
  maxTraces?: number;
  /**
   * Keep traces on a volume (Badger on a PVC the component creates, `retainOnDelete`) instead of
   * in memory, where a restart loses them. @default unset (in memory)
   */
  storage?: JaegerBadgerArgs;
  /**
   * Percentage of requests traced, 0-100 with 0.01 precision (`randomSamplingPercentage`).
   * @default 1 @see https://istio.io/latest/docs/tasks/observability/distributed-tracing/sampling/
   */
  samplingPercentage?: number;
  /** `meshConfig.extensionProviders[].name` the Telemetry selects. @default "jaeger" */
  providerName?: string;
  /** Create a mesh-wide Istio `Telemetry` selecting the provider; `false`: none. */
  telemetry?: JaegerTelemetryTarget | false;
  /** Image registry mirror (`global.imageRegistry`). */
  registry?: string;
  /** Value overrides, deep-merged last. */
  values?: Values;
}

/** Jaeger v2 receiving OTLP, and the Istio `Telemetry` that sends the mesh's spans to it. */
export class Jaeger extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;
  readonly telemetry?: k8s.apiextensions.CustomResource;
  /** Badger's volume, with `storage`. */
  readonly volumeClaim?: k8s.core.v1.PersistentVolumeClaim;
  readonly namespace: string;
  readonly provider: IstioTracingProvider;
  readonly samplingPercentage: number;
  /** In-cluster address of the Jaeger UI (reach it with `kubectl port-forward`). */
  readonly queryUrl: string;

  constructor(name: string, args: JaegerArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-serverless:platform:Jaeger", name, {}, opts);
    checkArgs(this, schema, args);
    const r = resolveJaeger(new ArgChecker(this), args);
    const { namespace, version, maxTraces, storage, sampling, providerName, telemetry } = r;

    // The claim must exist before the release, which waits for the pod that mounts it. Both
    // outlive the component (retainOnDelete): traces are data.
    if (storage) {
      const ns = new k8s.core.v1.Namespace(
        childName(name, "namespace"),
        { metadata: { name: namespace, labels: managedLabels("jaeger", "namespace") } },
        { parent: this, retainOnDelete: true },
      );
      this.volumeClaim = new k8s.core.v1.PersistentVolumeClaim(
        childName(name, "badger"),
        {
          metadata: {
            name: BADGER_CLAIM,
            namespace,
            labels: managedLabels("jaeger", "trace-storage"),
          },
          spec: claimSpec(storage),
        },
        { parent: this, dependsOn: [ns], retainOnDelete: true },
      );
    }
    this.release = helmRelease(
      childName(name, "release"),
      {
        name: JAEGER_RELEASE,
        chart: CHARTS.jaeger.chart,
        repo: CHARTS.jaeger.repo,
        version,
        namespace,
        createNamespace: true,
        values: finalValues(jaegerValues({ maxTraces, registry: r.registry, storage }), r.values),
      },
      { parent: this, ...(this.volumeClaim ? { dependsOn: [this.volumeClaim] } : {}) },
    );
    this.provider = jaegerTracingProvider(namespace, providerName);
    if (telemetry) {
      const body: Typed<ITelemetry> = {
        apiVersion: "telemetry.istio.io/v1",
        kind: "Telemetry",
        metadata: {
          name: "mesh-default",
          namespace: telemetry.rootNamespace,
          labels: managedLabels("jaeger", "mesh-tracing"),
        },
        spec: {
          tracing: [{ providers: [{ name: providerName }], randomSamplingPercentage: sampling }],
        },
      };
      this.telemetry = customResource(childName(name, "telemetry"), body, {
        parent: this,
        dependsOn: [...telemetry.dependsOn, this.release],
      });
    }
    this.namespace = namespace;
    this.samplingPercentage = sampling;
    // The chart's all-in-one Service is named after the release; the query UI listens on 16686.
    this.queryUrl = `http://${JAEGER_RELEASE}.${namespace}.svc:${QUERY_PORT}`;
    this.registerOutputs({ namespace, queryUrl: this.queryUrl });
  }
}
