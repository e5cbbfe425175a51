import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import type { IPodMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor" with {
  "resolution-mode": "import",
};
import type { IServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor" with {
  "resolution-mode": "import",
};
import { customResource, managedLabels, Typed } from "../../core/kube";
import { childName } from "../../core/names";
import { PROM_DURATION } from "../../core/durations";
import { ArgChecker } from "../../core/validate";
import { chartVersion, checkRegistry, finalValuesOf, helmRelease, Values } from "./helm";
import { CHARTS } from "./versions";
import { alertmanagerValues, AlertingArgs, checkAlerting } from "./alerting";
import { checkComputeResources, ComputeResources, ResourceList } from "./resources";
import { checkStorage, claimSpec, PersistentStorageArgs } from "./storage";
import { grafanaDashboardValues, GrafanaDashboard, ISTIO_DASHBOARDS } from "./grafana-dashboards";
import { checkArgs } from "../../core/args-schema";
import schema from "../../../schema/Prometheus.schema.json";

/** Helm release name of kube-prometheus-stack. */
export const PROMETHEUS_RELEASE = "kube-prometheus-stack";

/**
 * Labels a ServiceMonitor/PodMonitor/PrometheusRule needs to be picked up: none. The release sets
 * every `*SelectorNilUsesHelmValues` to false, so Prometheus selects monitors and rules from every
 * namespace whatever their labels (the chart's default would require `release: <release name>`).
 */
export const MONITOR_LABELS: Readonly<Record<string, string>> = Object.freeze({});

// prometheus-operator's ByteSize pattern (monitoring.coreos.com/v1 CRDs).
const BYTE_SIZE = /^(0|([0-9]*[.])?[0-9]+((K|M|G|T|E|P)i?)?B)$/;
export type { ComputeResources, ResourceList };

/** Where Istio's monitors go and what they wait for (the root namespace must exist). */
export interface IstioMonitorTarget {
  rootNamespace: string;
  dependsOn: pulumi.Resource[];
}

/** Prometheus arguments checked, every default applied. */
export interface ResolvedPrometheus {
  namespace: string;
  version: string;
  retention: string;
  retentionSize?: string;
  resources?: ComputeResources;
  replicas?: number;
  grafana: boolean;
  grafanaAdminSecret?: pulumi.Input<string>;
  alertmanager: boolean;
  alerting?: AlertingArgs;
  /** undefined: an emptyDir. */
  storage?: PersistentStorageArgs;
  dashboards: Readonly<Record<string, GrafanaDashboard>>;
  istio?: IstioMonitorTarget;
  registry?: string;
  values?: Values;
}

/** Checks PrometheusArgs and applies defaults (MeshPlatform runs it scoped as `prometheus.*`). */
export function resolvePrometheus(check: ArgChecker, args: PrometheusArgs): ResolvedPrometheus {
  const namespace = args.namespace ?? "monitoring";
  check.dnsLabel("namespace", namespace);
  const version = chartVersion(check, "version", args.version, CHARTS.kubePrometheusStack.version);
  const retention = args.retention ?? "10d";
  check.pattern(
    "retention",
    retention,
    PROM_DURATION,
    'must be a Prometheus duration such as "15d", "24h" or "1w2d" (units y, w, d, h, m, s, ms)',
  );
  check.pattern(
    "retentionSize",
    args.retentionSize,
    BYTE_SIZE,
    'must be a size such as "512MB", "50GB" or "1TiB"',
  );
  checkComputeResources(check, "resources", args.resources);
  if (args.istio) check.dnsLabel("istio.rootNamespace", args.istio.rootNamespace);
  check.int("replicas", args.replicas, 1, 10);
  const grafanaAdminSecret = check.input(args.grafanaAdminSecret, (v) =>
    check.dnsSubdomain("grafanaAdminSecret", v),
  );
  checkStorage(check, "storage", args.storage);
  if (args.alerting !== undefined) {
    if (args.alertmanager === false)
      check.fail("alerting", "(receivers)", "needs Alertmanager: drop `alertmanager: false`");
    checkAlerting(check, "alerting.", args.alerting);
  }
  for (const [k, d] of Object.entries(args.dashboards ?? {})) {
    check.dnsLabel(`dashboards.${k}`, k);
    check.int(`dashboards.${k}.gnetId`, d.gnetId, 1, 1e9);
    check.int(`dashboards.${k}.revision`, d.revision, 1, 1e6);
  }
  checkRegistry(check, "registry", args.registry);
  return {
    namespace,
    version,
    retention,
    retentionSize: args.retentionSize,
    resources: args.resources,
    replicas: args.replicas,
    grafana: args.grafana ?? true,
    grafanaAdminSecret,
    alertmanager: args.alertmanager ?? true,
    alerting: args.alerting,
    storage: args.storage || undefined,
    dashboards: args.dashboards ?? ISTIO_DASHBOARDS,
    istio: args.istio || undefined,
    registry: args.registry,
    values: args.values,
  };
}

/**
 * In-cluster addresses of the chart's UIs: its Services are `<release>-prometheus` (9090),
 * `<release>-alertmanager` (9093) and the Grafana subchart's `<release>-grafana` (80).
 */
export function prometheusDashboards(
  namespace: string,
  grafana: boolean,
  alertmanager: boolean,
): Record<string, string> {
  const svc = (suffix: string, port: number) =>
    `http://${PROMETHEUS_RELEASE}-${suffix}.${namespace}.svc:${port}`;
  return {
    ...(alertmanager ? { alertmanager: svc("alertmanager", 9093) } : {}),
    ...(grafana ? { grafana: svc("grafana", 80) } : {}),
    prometheus: svc("prometheus", 9090),
  };
}

export const GRAFANA_DEFAULT_PASSWORD_WARNING =
  "Grafana is installed with the chart's default admin password: create a Secret with " +
  "admin-user/admin-password in the release namespace and set `grafanaAdminSecret`, or `grafana: false`";

/**
 * Values of chart `kube-prometheus-stack`.
 *
 * CRDs: Helm installs a chart's `crds/` once and never upgrades them, and prometheus-operator's
 * CRDs change with the chart's majors (86, 87 and 88 moved to operator v0.91, v0.92, v0.93;
 * the chart's UPGRADE.md asks for a `kubectl apply --server-side` of each CRD before upgrading).
 * `crds.upgradeJob.enabled` runs that apply as a pre-install/pre-upgrade/pre-rollback hook Job
 * (charts/crds/templates/upgrade/job.yaml) from the CRDs packed in the chart itself, so they move
 * with the pinned version, before the operator starts; a `helm.sh/v3` Release runs hooks. An
 * explicit step would have to copy the CRDs into this package or download them at deploy time.
 */
export function prometheusValues(i: {
  retention: string;
  retentionSize?: string;
  resources?: ComputeResources;
  replicas?: number;
  grafana: boolean;
  grafanaAdminSecret?: string;
  alertmanager: boolean;
  registry?: string;
  storage?: PersistentStorageArgs;
  dashboards?: Readonly<Record<string, GrafanaDashboard>>;
  alerting?: AlertingArgs;
}): Values {
  const dashboards =
    i.dashboards && Object.keys(i.dashboards).length > 0 ? i.dashboards : undefined;
  return {
    alertmanager: {
      enabled: i.alertmanager,
      ...(i.alertmanager && i.alerting ? alertmanagerValues(i.alerting) : {}),
    },
    crds: { upgradeJob: { enabled: true } },
    ...(i.registry !== undefined ? { global: { imageRegistry: i.registry } } : {}),
    grafana: {
      enabled: i.grafana,
      ...(i.grafana && i.grafanaAdminSecret !== undefined
        ? { admin: { existingSecret: i.grafanaAdminSecret } }
        : {}),
      ...(i.grafana && dashboards ? grafanaDashboardValues(dashboards) : {}),
    },
    prometheus: {
      prometheusSpec: {
        podMonitorSelectorNilUsesHelmValues: false,
        probeSelectorNilUsesHelmValues: false,
        ...(i.replicas !== undefined ? { replicas: i.replicas } : {}),
        ...(i.resources ? { resources: i.resources } : {}),
        retention: i.retention,
        ...(i.retentionSize !== undefined ? { retentionSize: i.retentionSize } : {}),
        ruleSelectorNilUsesHelmValues: false,
        scrapeConfigSelectorNilUsesHelmValues: false,
        serviceMonitorSelectorNilUsesHelmValues: false,
        // The operator makes one claim per Prometheus pod from the template (StatefulSet
        // volumeClaimTemplates); without it the TSDB lives in an emptyDir.
        ...(i.storage
          ? { storageSpec: { volumeClaimTemplate: { spec: claimSpec(i.storage) } } }
          : {}),
      },
    },
  };
}

/** Istio's PodMonitor for Envoy stats (istio/istio samples/addons/extras/prometheus-operator.yaml). @internal */
export function envoyStatsMonitor(namespace: string): Typed<IPodMonitor> {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: {
      name: "envoy-stats-monitor",
      namespace,
      labels: managedLabels("istio", "envoy-stats"),
    },
    spec: {
      jobLabel: "envoy-stats",
      namespaceSelector: { any: true },
      podMetricsEndpoints: [
        {
          interval: "15s",
          path: "/stats/prometheus",
          relabelings: [
            {
              action: "keep",
              regex: "istio-proxy",
              sourceLabels: ["__meta_kubernetes_pod_container_name"],
            },
            {
              action: "keep",
              sourceLabels: ["__meta_kubernetes_pod_annotationpresent_prometheus_io_scrape"],
            },
            {
              action: "replace",
              regex: "([^:]+)(?::\\d+)?;(\\d+)",
              replacement: "$1:$2",
              sourceLabels: ["__address__", "__meta_kubernetes_pod_annotation_prometheus_io_port"],
              targetLabel: "__address__",
            },
            { action: "labeldrop", regex: "__meta_kubernetes_pod_label_(.+)" },
            {
              action: "replace",
              sourceLabels: ["__meta_kubernetes_namespace"],
              targetLabel: "namespace",
            },
            {
              action: "replace",
              sourceLabels: ["__meta_kubernetes_pod_name"],
              targetLabel: "pod_name",
            },
          ],
        },
      ],
      selector: {
        matchExpressions: [{ key: "istio-prometheus-ignore", operator: "DoesNotExist" }],
      },
    },
  };
}

/** Istio's ServiceMonitor for istiod (same source). @internal */
export function istiodMonitor(namespace: string): Typed<IServiceMonitor> {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: {
      name: "istio-component-monitor",
      namespace,
      labels: managedLabels("istio", "istiod-metrics"),
    },
    spec: {
      endpoints: [{ interval: "15s", port: "http-monitoring" }],
      jobLabel: "istio",
      namespaceSelector: { any: true },
      selector: { matchExpressions: [{ key: "istio", operator: "In", values: ["pilot"] }] },
      targetLabels: ["app"],
    },
  };
}

export interface PrometheusArgs {
  /** Namespace (created by the release). @default "monitoring" */
  namespace?: string;
  /** Chart version. @default CHARTS.kubePrometheusStack.version in versions.ts */
  version?: string;
  /** `prometheusSpec.retention`, a Prometheus duration such as `"10d"`. @default "10d" */
  retention?: string;
  /** `prometheusSpec.retentionSize` such as `"50GB"`. @default unset (no size limit) */
  retentionSize?: string;
  /** `prometheusSpec.resources`. @default unset */
  resources?: ComputeResources;
  /** `prometheusSpec.replicas`: Prometheus pods scraping the same targets (1-10). @default 1 */
  replicas?: number;
  /** Install Grafana. @default true */
  grafana?: boolean;
  /**
   * Secret (in the release namespace) with Grafana's admin credentials under `admin-user` and
   * `admin-password` (the Grafana chart's `admin.existingSecret`). Without it Grafana starts
   * with the chart's well-known default password, and the component warns. May come from the
   * Secret resource that holds them (`secret.metadata.name`).
   */
  grafanaAdminSecret?: pulumi.Input<string>;
  /** Install Alertmanager. @default true */
  alertmanager?: boolean;
  /**
   * Alertmanager's receivers (credentials from Secrets), routes by severity and namespace, the
   * Watchdog route. Unset: the chart's config, which sends every alert to the `null` receiver.
   */
  alerting?: AlertingArgs;
  /**
   * A persistent volume per Prometheus pod (`prometheusSpec.storageSpec.volumeClaimTemplate`);
   * unset or `false`: an emptyDir, lost when the pod moves. Size it above `retentionSize`.
   * @default unset (emptyDir)
   */
  storage?: PersistentStorageArgs | false;
  /**
   * Grafana dashboards from grafana.com, provisioned in Grafana's "Istio" folder; `{}`: none.
   * @default ISTIO_DASHBOARDS (mesh, service, workload, control plane)
   */
  dashboards?: Record<string, GrafanaDashboard>;
  /**
   * Create Istio's PodMonitor (Envoy stats) and ServiceMonitor (istiod) in the root namespace;
   * `false`: none. @see https://istio.io/latest/docs/ops/integrations/prometheus/#option-2-customized-scraping-configurations
   */
  istio?: IstioMonitorTarget | false;
  /** Image registry mirror (`global.imageRegistry`). */
  registry?: string;
  /** Value overrides, deep-merged last. */
  values?: Values;
}

/** kube-prometheus-stack selecting monitors from every namespace, plus Istio's monitors. */
export class Prometheus extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;
  readonly envoyStats?: k8s.apiextensions.CustomResource;
  readonly istiod?: k8s.apiextensions.CustomResource;
  readonly namespace: string;
  readonly monitorLabels: Record<string, string>;
  /** In-cluster addresses of the UIs (reach them with `kubectl port-forward`). */
  readonly dashboards: Record<string, string>;

  constructor(name: string, args: PrometheusArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-serverless:platform:Prometheus", name, {}, opts);
    checkArgs(this, schema, args);
    const r = resolvePrometheus(new ArgChecker(this), args);
    const { namespace, istio } = r;

    this.release = helmRelease(
      childName(name, "release"),
      {
        name: PROMETHEUS_RELEASE,
        chart: CHARTS.kubePrometheusStack.chart,
        repo: CHARTS.kubePrometheusStack.repo,
        version: r.version,
        namespace,
        createNamespace: true,
        values: finalValuesOf(
          { grafanaAdminSecret: r.grafanaAdminSecret },
          (k) => prometheusValues({ ...r, ...k }),
          r.values,
        ),
      },
      // The release brings prometheus-operator's CRDs (every ServiceMonitor, PodMonitor and
      // PrometheusRule in the cluster) and Prometheus' TSDB claims: kept when removed or renamed.
      { parent: this, retainOnDelete: true },
    );
    if (istio) {
      const deps = { parent: this, dependsOn: [...istio.dependsOn, this.release] };
      this.envoyStats = customResource(
        childName(name, "envoy-stats"),
        envoyStatsMonitor(istio.rootNamespace),
        deps,
      );
      this.istiod = customResource(
        childName(name, "istiod"),
        istiodMonitor(istio.rootNamespace),
        deps,
      );
    }
    this.namespace = namespace;
    this.monitorLabels = { ...MONITOR_LABELS };
    if (r.grafana && r.grafanaAdminSecret === undefined) {
      pulumi.log.warn(GRAFANA_DEFAULT_PASSWORD_WARNING, this);
    }
    this.dashboards = prometheusDashboards(namespace, r.grafana, r.alertmanager);
    this.registerOutputs({ namespace });
  }
}
