import { strict as assert } from "assert";
import * as fs from "fs";
import {
  ChartKey,
  CHARTS,
  ISTIO_CHARTS,
  PIN_SOURCES,
} from "../../../components/kubernetes/platform/versions";
import {
  chartDir,
  compareVersions,
  readChartYaml,
  readReleases,
  skipWithoutChartData,
} from "./upstream-charts";

/** The upstream charts each pin installs: Istio's five share one version. */
function chartsOf(key: ChartKey): string[] {
  return key === "istio" ? Object.values(ISTIO_CHARTS) : [CHARTS[key].chart];
}

describe("platform/versions: every pin is a released version (../shared/charts/<chart>/RELEASES)", () => {
  before(function () {
    skipWithoutChartData(this);
  });

  for (const key of Object.keys(CHARTS) as ChartKey[]) {
    const { version } = CHARTS[key];
    const pin = PIN_SOURCES[key];

    it(`${key} ${version}: listed with the date versions.ts gives, and the newest unless versions.ts says why not`, () => {
      assert.match(pin.released, /^\d{4}-\d{2}-\d{2}$/);
      assert.ok(pin.source.length > 20, `${key}: no source for the pin`);
      for (const chart of chartsOf(key)) {
        const { releases } = readReleases(chart);
        const listed = releases.find((r) => r.version === version);
        assert.ok(listed, `${chart} ${version} is not a released version`);
        assert.equal(listed.date, pin.released, `${chart} ${version} release date`);
        const newest = releases.reduce((a, b) =>
          compareVersions(b.version, a.version) > 0 ? b : a,
        );
        if (pin.notNewest === undefined) {
          assert.equal(version, newest.version, `${chart}: newer release ${newest.version} exists`);
        } else {
          // A stated reason must still be current: there is a newer release it explains.
          assert.ok(compareVersions(newest.version, version) > 0, `${key}: notNewest is stale`);
        }
        // The pinned version's upstream data is there (the chart-values test reads it) and is
        // that chart. Istio's Chart.yaml in git keeps release-builder's "1.0.0" placeholder;
        // knative-operator's has no "v", which its repository index adds.
        assert.ok(fs.existsSync(chartDir(chart, version)), `no data for ${chart}-${version}`);
        const meta = readChartYaml(chart, version, "Chart.yaml") as {
          name: string;
          version: string;
        };
        assert.equal(meta.name, chart);
        if (key !== "istio") assert.equal(compareVersions(meta.version, version), 0);
      }
    });
  }

  it("kube-prometheus-stack's grafana subchart version has its data folder", () => {
    const meta = readChartYaml(
      "kube-prometheus-stack",
      CHARTS.kubePrometheusStack.version,
      "Chart.yaml",
    ) as { dependencies: { name: string; version: string }[] };
    const grafana = meta.dependencies.find((d) => d.name === "grafana");
    assert.ok(grafana, "kube-prometheus-stack has no grafana dependency");
    assert.ok(readReleases("grafana").releases.some((r) => r.version === grafana.version));
    assert.ok(fs.existsSync(chartDir("grafana", grafana.version)));
  });

  it("orders versions numerically, not as text", () => {
    assert.ok(compareVersions("4.11.1", "4.4.7") > 0);
    assert.ok(compareVersions("v1.23.0", "v1.9.9") > 0);
    assert.ok(compareVersions("88.5.3", "88.5.3") === 0);
    assert.ok(compareVersions("1.31.0-rc.0", "1.30.5") > 0);
  });
});
