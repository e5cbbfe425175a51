import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as h from "../../harness";
import { MeshPlatform } from "../../../components/kubernetes/platform/platform";
import { Prometheus, resolvePrometheus } from "../../../components/kubernetes/platform/prometheus";
import {
  Fluentd,
  fluentdValues,
  resolveFluentd,
} from "../../../components/kubernetes/platform/fluentd";
import { finalValuesOf } from "../../../components/kubernetes/platform/helm";
import { ArgChecker, ScopedChecker } from "../../../components/core/validate";

/**
 * Platform args a program takes from other resources or secrets are `pulumi.Input`s (issue 13):
 * a known value is checked at construction, an Output when it resolves (the deployment fails with
 * the same message, naming component and argument), an unknown one (a preview) not at all.
 */

const RELEASE = "kubernetes:helm.sh/v3:Release";
const unknown = <T>() => pulumi.output(pulumi.unknown as unknown as T);

function values(resourceName: string): Record<string, unknown> {
  return h.get(RELEASE, resourceName).inputs.values as Record<string, unknown>;
}

/** Resolves to the error the Output fails with (the deployment's error). */
async function failure(o: pulumi.Input<unknown>): Promise<Error> {
  try {
    await (pulumi.output(o) as unknown as { promise(): Promise<unknown> }).promise();
  } catch (e) {
    return e as Error;
  }
  return assert.fail("expected the Output to fail");
}

describe("platform: pulumi.Input arguments (issue 13)", () => {
  beforeEach(() => h.reset());

  it("GIVEN grafanaAdminSecret from another resource THEN it reaches the chart once known", async () => {
    new Prometheus("prom", { grafanaAdminSecret: pulumi.output("grafana-admin") });
    await h.settled();
    assert.deepEqual((values("prom-release").grafana as Record<string, unknown>).admin, {
      existingSecret: "grafana-admin",
    });
  });

  it("GIVEN Inputs through MeshPlatform THEN its parts' releases get the values once known", async () => {
    new MeshPlatform("plat", {
      knative: false,
      jaeger: false,
      prometheus: { grafanaAdminSecret: pulumi.secret("grafana-admin") },
      fluentd: { output: { type: "elasticsearch", host: pulumi.output("es.logging.svc") } },
    });
    await h.settled();
    assert.deepEqual((values("plat-prometheus-release").grafana as Record<string, unknown>).admin, {
      existingSecret: "grafana-admin",
    });
    // A secret Input keeps the values secret in the state.
    assert.equal(
      JSON.stringify(h.get(RELEASE, "plat-prometheus-release").redacted.values).includes(
        "grafana-admin",
      ),
      false,
    );
    assert.match(
      (values("plat-fluentd-release").fileConfigs as Record<string, string>)["04_outputs.conf"],
      /\n {4}host es\.logging\.svc\n/,
    );
  });

  it("GIVEN a known bad grafanaAdminSecret THEN construction fails naming it", async () => {
    await h.expectInvalid(
      () => new Prometheus("prom", { grafanaAdminSecret: "Not_A_Name" }),
      "grafanaAdminSecret",
      '"Not_A_Name"',
      "DNS-1123 subdomain",
    );
  });

  // An Output that fails inside a registered resource's inputs fails the deployment; the mock
  // engine then never settles, so these cases check the values Output each component registers
  // (resolve + finalValuesOf, as the constructors do) without registering the release.
  it("GIVEN an Output that resolves to a bad grafanaAdminSecret THEN the values fail with the same message, under the platform's path", async () => {
    const owner = new pulumi.ComponentResource("test:index:Owner", "plat");
    const r = resolvePrometheus(new ScopedChecker(owner, "prometheus."), {
      grafanaAdminSecret: pulumi.output("Not_A_Name"),
    });
    const e = await failure(
      finalValuesOf({ s: r.grafanaAdminSecret }, (k) => ({ existingSecret: k.s })),
    );
    assert.ok(e instanceof pulumi.ResourceError);
    assert.equal(e.resource, owner);
    assert.match(
      e.message,
      /^invalid `prometheus\.grafanaAdminSecret` "Not_A_Name": must be a DNS-1123 subdomain/,
    );
  });

  it("GIVEN an unknown grafanaAdminSecret (a preview) THEN nothing fails", async () => {
    new Prometheus("prom", { grafanaAdminSecret: unknown<string>() });
    await h.settled();
    assert.equal(h.resources(RELEASE).length, 1);
  });

  it("GIVEN Fluentd's host and credentials Secret from other resources THEN the pipeline and env use them", async () => {
    new Fluentd("logs", {
      output: {
        type: "opensearch",
        host: pulumi.output("search.logging.svc"),
        credentials: { secretName: pulumi.secret("search-creds") },
      },
    });
    await h.settled();
    const v = values("logs-release");
    assert.match(
      (v.fileConfigs as Record<string, string>)["04_outputs.conf"],
      /\n {4}host search\.logging\.svc\n/,
    );
    assert.deepEqual((v.env as Array<{ valueFrom: unknown }>)[1].valueFrom, {
      secretKeyRef: { key: "password", name: "search-creds" },
    });
  });

  it("GIVEN an Output resolving to a hostile Fluentd host THEN the values fail naming output.host, and a known one at construction", async () => {
    const owner = new pulumi.ComponentResource("test:index:Owner", "logs");
    const r = resolveFluentd(new ArgChecker(owner), {
      output: { type: "elasticsearch", host: pulumi.output("es</match><match **>") },
    });
    const e = await failure(
      finalValuesOf({ output: r.output }, (k) => fluentdValues({ ...r, ...k })),
    );
    assert.equal((e as pulumi.ResourceError).resource, owner);
    assert.match(
      e.message,
      /^invalid `output\.host` "es<\/match><match \*\*>": must be a DNS host name/,
    );
    await h.expectInvalid(
      () => new Fluentd("logs2", { output: { type: "elasticsearch", host: "es</match>" } }),
      "output.host",
      "DNS host name",
    );
  });

  it("GIVEN a secret credentials Secret name that is bad THEN the message shows [secret], never the value", async () => {
    const r = resolveFluentd(new ArgChecker(), {
      output: {
        type: "elasticsearch",
        host: "es.logging.svc",
        credentials: { secretName: pulumi.secret("CANARY_Bad") },
      },
    });
    const e = await failure(
      finalValuesOf({ output: r.output }, (k) => fluentdValues({ ...r, ...k })),
    );
    assert.equal(e.message.includes("CANARY"), false, e.message);
    assert.match(e.message, /^invalid `output\.credentials\.secretName` "\[secret\]"/);
  });

  it("GIVEN unknown Fluentd inputs (a preview) THEN nothing fails", async () => {
    new Fluentd("logs", {
      output: {
        type: "elasticsearch",
        host: unknown<string>(),
        credentials: { secretName: unknown<string>() },
      },
    });
    await h.settled();
    assert.equal(h.resources(RELEASE).length, 1);
  });
});
