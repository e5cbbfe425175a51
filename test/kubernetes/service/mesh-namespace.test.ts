import { strict as assert } from "assert";
import * as h from "../../harness";
import { MeshNamespace } from "../../../components/kubernetes/service/mesh-namespace";
import { FakeRelease, labels, parent, RELEASE, spec, T } from "./helpers";

/** Pod Security admission labels: `enforce` as given, `warn` and `audit` always restricted. */
const psa = (enforce: string) => ({
  "pod-security.kubernetes.io/audit": "restricted",
  "pod-security.kubernetes.io/enforce": enforce,
  "pod-security.kubernetes.io/warn": "restricted",
});

describe("kubernetes/service MeshNamespace", () => {
  beforeEach(() => h.reset());

  it("defaults: sidecar injection label and STRICT mTLS named `default`, after the mesh install", async () => {
    const release = new FakeRelease("istio-base");
    const ns = new MeshNamespace("shop", { mesh: { dependsOn: [release] } });
    await h.settled();
    assert.deepEqual(h.countByType(), {
      "kubernetes:helm.sh/v3:Release": 1,
      "mesh-serverless:service:MeshNamespace": 1,
      [T.ns]: 1,
      [T.pa]: 1,
    });
    const n = h.get(T.ns, "shop");
    assert.deepEqual(n.inputs.metadata, {
      name: "shop",
      labels: {
        ...labels("shop", "namespace"),
        "istio-injection": "enabled",
        // Sidecars without the CNI agent: istio-init needs NET_ADMIN/NET_RAW, beyond baseline.
        ...psa("privileged"),
      },
    });
    assert.deepEqual(h.dependencies(n), [RELEASE]);
    assert.deepEqual(spec(T.pa, "shop/default"), { mtls: { mode: "STRICT" } });
    const pa = h.get(T.pa, "shop/default");
    assert.deepEqual(h.dependencies(pa), [RELEASE, `${T.ns}::shop`].sort());
    assert.equal(parent(pa), "mesh-serverless:service:MeshNamespace::shop");
    assert.equal(ns.namespace, "shop");
    assert.equal(await h.resolve(ns.namespaceName), "shop");
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  it("mtls: false emits no PeerAuthentication: the namespace inherits the mesh-wide mode", async () => {
    const ns = new MeshNamespace("shop", { mtls: false });
    await h.settled();
    assert.deepEqual(h.countByType(), {
      "mesh-serverless:service:MeshNamespace": 1,
      [T.ns]: 1,
    });
    assert.equal(ns.peerAuthentication, undefined);
  });

  it("uses the revision label, or ambient mode, as the mesh says", async () => {
    new MeshNamespace("canary", { mesh: { revision: "1-27" } });
    new MeshNamespace("amb", { mesh: { dataPlane: "ambient" }, labels: { team: "x" } });
    new MeshNamespace("plain", { injection: false });
    await h.settled();
    const l = (n: string) =>
      (h.get(T.ns, n).inputs.metadata as { labels: Record<string, string> }).labels;
    assert.equal(l("canary")["istio.io/rev"], "1-27");
    assert.equal(l("canary")["istio-injection"], undefined);
    assert.equal(l("amb")["istio.io/dataplane-mode"], "ambient");
    assert.equal(l("amb").team, "x");
    assert.deepEqual(l("plain"), { ...labels("plain", "namespace"), ...psa("restricted") });
    assert.equal(l("amb")["pod-security.kubernetes.io/enforce"], "restricted");
    assert.equal(l("canary")["pod-security.kubernetes.io/enforce"], "privileged");
  });

  it("Pod Security admission: the strictest level the pods can meet, or the caller's", async () => {
    new MeshNamespace("cni", { mesh: { cni: true } });
    new MeshNamespace("strict", { mesh: { cni: true }, podSecurity: "restricted" });
    new MeshNamespace("open", { podSecurity: false });
    await h.settled();
    const l = (n: string) =>
      (h.get(T.ns, n).inputs.metadata as { labels: Record<string, string> }).labels;
    assert.deepEqual(l("cni"), {
      ...labels("cni", "namespace"),
      "istio-injection": "enabled",
      ...psa("baseline"),
    });
    assert.equal(l("strict")["pod-security.kubernetes.io/enforce"], "restricted");
    assert.deepEqual(l("open"), { ...labels("open", "namespace"), "istio-injection": "enabled" });
    for (const level of ["restricted", "baseline"] as const)
      await h.expectInvalid(
        () => new MeshNamespace("x", { podSecurity: level }),
        "podSecurity",
        `"${level}"`,
        "NET_ADMIN",
      );
  });

  it("all options: existing namespace, PERMISSIVE by choice, deny-by-default, egress scoping, quota, priority", async () => {
    new MeshNamespace("fns", {
      namespace: "serverless",
      create: false,
      mtls: { mode: "PERMISSIVE", name: "serverless-mtls" },
      denyByDefault: true,
      egressHosts: ["payments/*", "*/api.example.com"],
      quota: { hard: { "requests.cpu": "4", "limits.memory": "16Gi" } },
      priorityClass: { value: 1000000, description: "functions" },
      mesh: { rootNamespace: "istio-root" },
    });
    await h.settled();
    assert.deepEqual(h.names(T.ns), []);
    assert.deepEqual(spec(T.pa, "serverless/serverless-mtls"), { mtls: { mode: "PERMISSIVE" } });
    assert.deepEqual(spec(T.ap, "serverless/allow-nothing"), {});
    assert.deepEqual(spec(T.sidecar, "serverless/default"), {
      egress: [{ hosts: ["./*", "istio-root/*", "payments/*", "*/api.example.com"] }],
    });
    assert.deepEqual(spec(T.quota, "serverless/serverless-quota"), {
      hard: { "requests.cpu": "4", "limits.memory": "16Gi" },
    });
    const pc = h.get(T.pc, "serverless-priority").inputs;
    assert.deepEqual([pc.value, pc.globalDefault, pc.description], [1000000, false, "functions"]);
    assert.deepEqual(h.dependencies(h.get(T.ap, "serverless/allow-nothing")), []);
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  it("rejects bad input", async () => {
    await h.expectInvalid(() => new MeshNamespace("Bad_NS"), "name", "DNS-1123");
    await h.expectInvalid(
      () => new MeshNamespace("a", { mtls: { mode: "OFF" as "STRICT" } }),
      "mtls.mode",
      "STRICT",
      "PERMISSIVE",
    );
    await h.expectInvalid(
      () => new MeshNamespace("a", { egressHosts: ["api.example.com"] }),
      "egressHosts[0]",
      "<namespace>/<host>",
    );
    await h.expectInvalid(
      () => new MeshNamespace("a", { egressHosts: ["./*"], mesh: { dataPlane: "ambient" } }),
      "egressHosts",
      "ambient",
    );
    await h.expectInvalid(
      () => new MeshNamespace("a", { quota: { hard: { "requests.cpu": "four" } } }),
      "quota.hard.requests.cpu",
      "quantity",
    );
    await h.expectInvalid(
      () => new MeshNamespace("a", { quota: { hard: {} } }),
      "quota.hard",
      "at least one",
    );
    await h.expectInvalid(
      () => new MeshNamespace("a", { priorityClass: { value: 2000000000 } }),
      "priorityClass.value",
      "1000000000",
    );
    await h.expectInvalid(
      () => new MeshNamespace("a", { labels: { "bad key!": "x" } }),
      "labels.bad key!",
      "label keys",
    );
  });
});
