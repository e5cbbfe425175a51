/**
 * Istio's standard Grafana dashboards, provisioned by the Grafana chart (kube-prometheus-stack's
 * `grafana` subchart, 12.11.1): a file provider (`dashboardProviders`) and, under its name,
 * dashboards by grafana.com id and revision (`dashboards.<provider>.<name>.gnetId`). Grafana's
 * init container downloads them inside the cluster when the pod starts; this program fetches
 * nothing. `datasource` replaces the dashboards' `${DS_PROMETHEUS}` input with the data source
 * kube-prometheus-stack provisions ("Prometheus").
 * https://istio.io/latest/docs/ops/integrations/grafana/ (ids 7639, 7636, 7630, 7645, 11829)
 * https://github.com/grafana/helm-charts/blob/main/charts/grafana/values.yaml (`dashboards`)
 */
import type { Values } from "./helm";

/** One dashboard from grafana.com. */
export interface GrafanaDashboard {
  /** grafana.com dashboard id. */
  gnetId: number;
  /** Revision of it (the chart downloads revision 1 when unset, Istio 1.0's). */
  revision: number;
}

/**
 * Istio's dashboards, pinned by revision. Istio publishes one revision per release; pin the one
 * matching the installed Istio when upgrading it (a revision that does not exist stops Grafana's
 * init container, so every number here is one published on grafana.com).
 */
export const ISTIO_DASHBOARDS: Readonly<Record<string, GrafanaDashboard>> = Object.freeze({
  "istio-mesh": { gnetId: 7639, revision: 330 },
  "istio-service": { gnetId: 7636, revision: 329 },
  "istio-workload": { gnetId: 7630, revision: 278 },
  "istio-control-plane": { gnetId: 7645, revision: 158 },
});

/** Grafana's folder and provider for the mesh dashboards. */
const DASHBOARD_PROVIDER = "istio";

/** `grafana.*` values provisioning `dashboards` under the `istio` provider. */
export function grafanaDashboardValues(
  dashboards: Readonly<Record<string, GrafanaDashboard>>,
): Values {
  const entries = Object.keys(dashboards)
    .sort()
    .map((k) => [k, { ...dashboards[k], datasource: "Prometheus" }]);
  return {
    dashboardProviders: {
      "dashboardproviders.yaml": {
        apiVersion: 1,
        providers: [
          {
            disableDeletion: false,
            editable: false,
            folder: "Istio",
            name: DASHBOARD_PROVIDER,
            options: { path: `/var/lib/grafana/dashboards/${DASHBOARD_PROVIDER}` },
            orgId: 1,
            type: "file",
          },
        ],
      },
    },
    dashboards: { [DASHBOARD_PROVIDER]: Object.fromEntries(entries) },
  };
}
