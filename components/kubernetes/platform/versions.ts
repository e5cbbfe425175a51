/**
 * Every chart the platform installs, pinned in one table. Nothing is resolved at deploy time: the
 * exact version here (or a caller's override, validated by `checkChartVersion`) is what Helm
 * installs. Where each pin was checked:
 *
 * - Istio 1.30.5: istio.io/latest/news/releases/1.30.x/announcing-1.30.5 (charts `base`,
 *   `istiod`, `gateway`, `cni`, `ztunnel` share the Istio release version).
 * - knative-operator v1.23.0: the chart index of github.com/knative/operator (index.yaml /
 *   index.html, "Chart Version: v1.23.0 | App Version: 1.23.0"); the chart's own tag keeps its "v".
 * - jaeger 4.4.8 (Jaeger v2, appVersion 2.14.1): jaegertracing/helm-charts charts/jaeger/Chart.yaml;
 *   chart 4.x is the v2 line (helm-charts PR #660 "Upgrade main charts to Jaeger v2").
 * - kube-prometheus-stack 85.1.2: prometheus-community/helm-charts release
 *   kube-prometheus-stack-85.1.2.
 * - fluentd 0.6.0: fluent/helm-charts charts/fluentd/CHANGELOG.md ("[v0.6.0] - 2025-08-14").
 */

/** A chart in a repository. */
export interface ChartSource {
  /** Chart name inside the repository. */
  chart: string;
  /** Repository URL (`helm repo add`). */
  repo: string;
  /** Pinned chart version. */
  version: string;
}

/** Keys of the pinned table; also the keys of a `versions` override. */
export type ChartKey = "istio" | "knativeOperator" | "jaeger" | "kubePrometheusStack" | "fluentd";

const ISTIO_REPO = "https://istio-release.storage.googleapis.com/charts";

/** The pinned Istio release; its charts are versioned together. */
export const ISTIO_VERSION = "1.30.5";

/** Istio charts by role; all take `ISTIO_VERSION` (or the `istio` override). */
export const ISTIO_CHARTS = {
  base: "base",
  istiod: "istiod",
  gateway: "gateway",
  cni: "cni",
  ztunnel: "ztunnel",
} as const;

export const CHARTS: Readonly<Record<ChartKey, ChartSource>> = Object.freeze({
  istio: { chart: "istiod", repo: ISTIO_REPO, version: ISTIO_VERSION },
  knativeOperator: {
    chart: "knative-operator",
    repo: "https://knative.github.io/operator",
    version: "v1.23.0",
  },
  jaeger: {
    chart: "jaeger",
    repo: "https://jaegertracing.github.io/helm-charts",
    version: "4.4.8",
  },
  kubePrometheusStack: {
    chart: "kube-prometheus-stack",
    repo: "https://prometheus-community.github.io/helm-charts",
    version: "85.1.2",
  },
  fluentd: {
    chart: "fluentd",
    repo: "https://fluent.github.io/helm-charts",
    version: "0.6.0",
  },
});

/**
 * Knative Serving release the operator installs (`KnativeServing.spec.version`); the operator
 * v1.23 ships Serving 1.23 and the three minor releases before it.
 */
export const KNATIVE_SERVING_VERSION = "1.23.0";

/** Chart versions overridable per key. */
export type ChartVersions = Partial<Record<ChartKey, string>>;

// Semantic version 2.0.0 (https://semver.org), with the optional "v" Helm also accepts.
const SEMVER =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

export const VERSION_RULE =
  'must be an exact semantic version "x.y.z" (optionally "v"-prefixed, with a pre-release or build suffix); ranges, "latest" and partial versions are not allowed';

/** True when `version` pins one exact chart version. */
export function isPinnedVersion(version: unknown): version is string {
  return typeof version === "string" && SEMVER.test(version);
}

/**
 * Image for an OpenSearch output: the fluentd chart's default image variant carries only the
 * Elasticsearch plugin. Tag of fluent/fluentd-kubernetes-daemonset's `debian-opensearch`
 * variant (its README lists `v1.19.0-debian-opensearch-1.1`); override with
 * `fluentd.values.image.tag`.
 */
export const FLUENTD_OPENSEARCH_IMAGE_TAG = "v1.19.0-debian-opensearch-1.1";
