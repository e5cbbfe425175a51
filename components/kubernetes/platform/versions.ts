/**
 * Every chart the platform installs, pinned in one table. Nothing is resolved at deploy time: the
 * exact version here (or a caller's override, validated by `chartVersion` in helm.ts) is what Helm
 * installs. `PIN_SOURCES` says, per pin, when that version was released and where that was read;
 * a test checks each pin against the released-versions lists in `../shared/charts/<chart>/RELEASES`
 * and that it is the newest there unless `notNewest` says why not.
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
export type ChartKey =
  "istio" | "knativeOperator" | "jaeger" | "kubePrometheusStack" | "fluentd" | "openfaas";

/**
 * Istio's Helm repository. From 1.31 Istio publishes nothing to
 * `istio-release.storage.googleapis.com`, which is switched off for good on 2026-12-08/09
 * (istio.io/latest/news/releases/1.31.x/announcing-1.31/upgrade-notes/, "Deprecation of GCP
 * infrastructure and hosting"); charts are at `blob.istio.io/istio-release/charts` (OCI:
 * `oci://ghcr.io/istio/release/charts`).
 */
const ISTIO_REPO = "https://blob.istio.io/istio-release/charts";

/** The pinned Istio release; its charts are versioned together. */
export const ISTIO_VERSION = "1.31.1";

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
    version: "4.11.1",
  },
  kubePrometheusStack: {
    chart: "kube-prometheus-stack",
    repo: "https://prometheus-community.github.io/helm-charts",
    version: "88.5.3",
  },
  fluentd: {
    chart: "fluentd",
    repo: "https://fluent.github.io/helm-charts",
    version: "0.6.0",
  },
  openfaas: {
    chart: "openfaas",
    repo: "https://openfaas.github.io/faas-netes",
    version: "15.0.6",
  },
});

/** When a pinned version was released and where that was read. */
export interface PinSource {
  /** Release date (UTC), `YYYY-MM-DD`. */
  released: string;
  /** Where the version and date were read. */
  source: string;
  /** Why a newer released version is not pinned; unset: the pin is the newest release. */
  notNewest?: string;
}

export const PIN_SOURCES: Readonly<Record<ChartKey, PinSource>> = Object.freeze({
  istio: {
    released: "2026-09-21",
    source:
      "istio.io/latest/news/releases/1.31.x/announcing-1.31.1 (charts base, istiod, gateway, cni, ztunnel share the release version; published to blob.istio.io/istio-release/charts)",
  },
  knativeOperator: {
    released: "2026-08-04",
    source:
      'knative/operator gh-pages index.yaml ("Chart Version: v1.23.0 | App Version: 1.23.0"); the chart\'s own tag keeps its "v"',
  },
  jaeger: {
    released: "2026-06-14",
    source:
      "jaegertracing/helm-charts tag jaeger-4.11.1 (gh-pages index.yaml; appVersion 2.19.0, Jaeger v2). 4.4.8 was never released: PR #738 was closed unmerged and the index goes 4.4.7 -> 4.5.0",
  },
  kubePrometheusStack: {
    released: "2026-08-21",
    source:
      "prometheus-community/helm-charts tag kube-prometheus-stack-88.5.3 (prometheus-operator v0.93.1, grafana subchart 12.11.1)",
  },
  fluentd: {
    released: "2026-08-14",
    source: "fluent/helm-charts gh-pages index.yaml and charts/fluentd/CHANGELOG.md ([v0.6.0])",
  },
  openfaas: {
    released: "2026-05-13",
    source:
      "openfaas/faas-netes master docs/index.yaml (commit 662ce9ce36ec, which added docs/openfaas-15.0.6.tgz; the chart has no version tags)",
  },
});

/**
 * Knative Serving release the operator installs (`KnativeServing.spec.version`); the operator
 * v1.23 ships Serving 1.23 and the three minor releases before it.
 */
export const KNATIVE_SERVING_VERSION = "1.23.0";

/** Knative Eventing release the operator installs (`KnativeEventing.spec.version`); same rule. */
export const KNATIVE_EVENTING_VERSION = "1.23.0";

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
