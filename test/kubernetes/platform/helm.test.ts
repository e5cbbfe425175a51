import { strict as assert } from "assert";
import * as h from "../../harness";
import fc from "fast-check";
import { ArgChecker, ScopedChecker } from "../../../components/core/validate";
import {
  chartVersion,
  checkRegistry,
  deepMerge,
  finalValues,
  sortKeys,
} from "../../../components/kubernetes/platform/helm";
import {
  CHARTS,
  isPinnedVersion,
  ISTIO_VERSION,
} from "../../../components/kubernetes/platform/versions";

const message = h.errorMessage;

const check = new ArgChecker();
const digits = fc.integer({ min: 0, max: 999 });

describe("platform/versions", () => {
  it("pins every chart to one exact version in a repository", () => {
    assert.deepEqual(CHARTS, {
      istio: {
        chart: "istiod",
        repo: "https://blob.istio.io/istio-release/charts",
        version: "1.31.1",
      },
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
      fluentd: { chart: "fluentd", repo: "https://fluent.github.io/helm-charts", version: "0.6.0" },
      openfaas: {
        chart: "openfaas",
        repo: "https://openfaas.github.io/faas-netes",
        version: "15.0.6",
      },
    });
    assert.equal(ISTIO_VERSION, "1.31.1");
    assert.ok(Object.isFrozen(CHARTS));
    for (const c of Object.values(CHARTS)) assert.ok(isPinnedVersion(c.version), c.version);
  });

  it("accepts every x.y.z (v-prefixed, pre-release, build) and nothing looser", () => {
    fc.assert(
      fc.property(digits, digits, digits, fc.boolean(), (a, b, c, v) => {
        assert.ok(isPinnedVersion(`${v ? "v" : ""}${a}.${b}.${c}`));
        assert.ok(isPinnedVersion(`${a}.${b}.${c}-rc.1+build.7`));
        assert.ok(!isPinnedVersion(`${a}.${b}`));
        assert.ok(!isPinnedVersion(`^${a}.${b}.${c}`));
        assert.ok(!isPinnedVersion(`~${a}.${b}.${c}`));
        assert.ok(!isPinnedVersion(`>=${a}.${b}.${c}`));
        assert.ok(!isPinnedVersion(`${a}.${b}.x`));
      }),
    );
    for (const bad of ["latest", "", "1.2.3.4", "01.2.3", "1.2.3 ", "1.2.*", undefined, 1.2])
      assert.ok(!isPinnedVersion(bad), String(bad));
  });

  it("chartVersion keeps the pin or takes a checked override", () => {
    assert.equal(chartVersion(check, "version", undefined, "1.0.0"), "1.0.0");
    assert.equal(chartVersion(check, "version", "2.0.1", "1.0.0"), "2.0.1");
    assert.match(
      message(() => chartVersion(check, "versions.jaeger", "^4.0", "1.0.0")),
      /^invalid `versions.jaeger` "\^4.0": must be an exact semantic version "x.y.z"/,
    );
  });
});

describe("platform/helm values", () => {
  it("sortKeys sorts every mapping and keeps lists in order", () => {
    const sorted = sortKeys({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } });
    assert.deepEqual(JSON.stringify(sorted), '{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}');
  });

  it("deepMerge merges mappings, replaces lists and scalars, override wins, inputs untouched", () => {
    const base = { a: { b: 1, c: [1, 2] }, d: "x" };
    const over = { a: { c: [3], e: true }, d: "y" };
    assert.deepEqual(deepMerge(base, over), { a: { b: 1, c: [3], e: true }, d: "y" });
    assert.deepEqual(base, { a: { b: 1, c: [1, 2] }, d: "x" });
    assert.deepEqual(deepMerge(base), base);
    assert.notEqual(deepMerge(base), base);
  });

  it("deepMerge property: every override leaf is in the result", () => {
    const leaf = fc.oneof(fc.integer(), fc.string(), fc.boolean());
    const tree = fc.dictionary(fc.string({ minLength: 1, maxLength: 3 }), leaf);
    fc.assert(
      fc.property(tree, tree, (a, b) => {
        const merged = deepMerge(a, b);
        for (const [k, v] of Object.entries(b)) assert.deepEqual(merged[k], v);
        for (const k of Object.keys(a)) assert.ok(k in merged);
      }),
    );
  });

  it("finalValues merges overrides last and sorts keys", () => {
    assert.equal(
      JSON.stringify(finalValues({ z: 1, a: { y: 1 } }, { a: { x: 2 } })),
      '{"a":{"x":2,"y":1},"z":1}',
    );
  });

  it("checkRegistry accepts host[:port][/path] and rejects schemes, tags and trailing slashes", () => {
    for (const ok of ["registry.local", "registry.example.com:5000/mirror", "10.0.0.1:5000/a/b_c"])
      checkRegistry(check, "registry", ok);
    for (const bad of ["https://r.io", "r.io/", "R.io", "r.io/a:tag", "r io"]) {
      assert.match(
        message(() => checkRegistry(check, "registry", bad)),
        /^invalid `registry` .*: must be an image registry host/,
      );
    }
  });

  it("ScopedChecker prefixes the argument path", () => {
    const scoped = new ScopedChecker(undefined, "istio.");
    assert.match(
      message(() => scoped.dnsLabel("revision", "1_30")),
      /^invalid `istio.revision` "1_30": must be a DNS-1123 label/,
    );
  });
});
