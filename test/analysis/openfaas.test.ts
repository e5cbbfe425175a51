import { strict as assert } from "assert";
import { API, ap, lines, obj } from "./helpers";

/** An OpenFaaS Function as OpenFaasFunction renders it. */
const fn = (ref: string, spec: Record<string, unknown>) =>
  obj("openfaas.com/v1", "Function", ref, {
    spec: { name: ref.split("/")[1], image: "ghcr.io/acme/f:1", ...spec },
  });

describe("analysis: OpenFaaS Function pods (faas-netes pkg/handlers/deploy.go)", () => {
  it("MS403: a policy selecting faas_function or a spec label finds the function's pods", () => {
    const f = fn("openfaas-fn/resize", { labels: { team: "media" } });
    const sel = (matchLabels: Record<string, string>) => ({ selector: { matchLabels } });
    assert.deepEqual(
      lines("MS403", [f, ap("openfaas-fn/a", sel({ faas_function: "resize" }))]),
      [],
    );
    assert.deepEqual(lines("MS403", [f, ap("openfaas-fn/b", sel({ team: "media" }))]), []);
    assert.equal(
      lines("MS403", [f, ap("openfaas-fn/c", sel({ faas_function: "other" }))]).length,
      1,
    );
  });

  it("MS405: a PodMonitor on the function's `http` port selects its pods", () => {
    const pm = (port: string) =>
      obj(API.mon, "PodMonitor", "openfaas-fn/resize", {
        spec: {
          selector: { matchLabels: { faas_function: "resize" } },
          podMetricsEndpoints: [{ port }],
        },
      });
    assert.deepEqual(lines("MS405", [fn("openfaas-fn/resize", {}), pm("http")]), []);
  });

  it("MS601: counts a function at com.openfaas.scale.max with its limits, and 20 replicas by default", () => {
    const quota = obj(API.v1, "ResourceQuota", "openfaas-fn/q", {
      spec: { hard: { "limits.cpu": "4" } },
    });
    const limits = { limits: { cpu: "1", memory: "128Mi" } };
    assert.deepEqual(
      lines("MS601", [
        fn("openfaas-fn/small", { ...limits, labels: { "com.openfaas.scale.max": "4" } }),
        quota,
      ]),
      [],
    );
    const over = lines("MS601", [fn("openfaas-fn/big", limits), quota]);
    assert.equal(over.length, 1);
    assert.match(over[0], /^error MS601 ResourceQuota openfaas-fn\/q: .*big 20 x 1/);
  });
});
