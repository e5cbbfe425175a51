import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as h from "../../harness";
import {
  GRAFANA_DEFAULT_PASSWORD_WARNING,
  Prometheus,
  prometheusValues,
} from "../../../components/kubernetes/platform/prometheus";

function warnings(fn: () => void): string[] {
  const seen: string[] = [];
  const warn = pulumi.log.warn;
  pulumi.log.warn = ((msg: string) => (
    seen.push(msg),
    Promise.resolve()
  )) as typeof pulumi.log.warn;
  try {
    fn();
  } finally {
    pulumi.log.warn = warn;
  }
  return seen;
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

  it("warns when Grafana would keep the chart's default password, and only then", () => {
    assert.deepEqual(
      warnings(() => new Prometheus("a", {})),
      [GRAFANA_DEFAULT_PASSWORD_WARNING],
    );
    assert.deepEqual(
      warnings(() => new Prometheus("b", { grafanaAdminSecret: "grafana-admin" })),
      [],
    );
    assert.deepEqual(
      warnings(() => new Prometheus("c", { grafana: false })),
      [],
    );
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
