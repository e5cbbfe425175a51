import { strict as assert } from "assert";
import * as h from "../../harness";
import {
  GRAFANA_DEFAULT_PASSWORD_WARNING,
  Prometheus,
  prometheusValues,
} from "../../../components/kubernetes/platform/prometheus";

/** The messages `pulumi.log.warn` received while `fn` ran. */
async function warnings(fn: () => unknown): Promise<string[]> {
  return (await h.captureWarnings(fn)).map(([msg]) => msg);
}

describe("platform/Prometheus Grafana admin credentials", () => {
  beforeEach(() => h.reset());

  it("takes the admin credentials from the named Secret", () => {
    const v = prometheusValues({
      retention: "10d",
      grafana: true,
      alertmanager: true,
      grafanaAdminSecret: "grafana-admin",
    });
    assert.deepEqual(v.grafana, { enabled: true, admin: { existingSecret: "grafana-admin" } });
    const off = prometheusValues({
      retention: "10d",
      grafana: false,
      alertmanager: true,
      grafanaAdminSecret: "x",
    });
    assert.deepEqual(off.grafana, { enabled: false });
  });

  it("warns when Grafana would keep the chart's default password, and only then", async () => {
    assert.deepEqual(await warnings(() => new Prometheus("a", {})), [
      GRAFANA_DEFAULT_PASSWORD_WARNING,
    ]);
    assert.deepEqual(
      await warnings(() => new Prometheus("b", { grafanaAdminSecret: "grafana-admin" })),
      [],
    );
    assert.deepEqual(await warnings(() => new Prometheus("c", { grafana: false })), []);
  });

  it("rejects a Secret name that is not a DNS-1123 subdomain", async () => {
    await h.expectInvalid(
      () => new Prometheus("d", { grafanaAdminSecret: "Grafana_Admin" }),
      "grafanaAdminSecret",
      '"Grafana_Admin"',
      "DNS-1123 subdomain",
    );
  });
});
