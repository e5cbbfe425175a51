/**
 * Arguments that are not data (issue 11): `dependsOn` lists, a `NamespaceRef`'s resource, a
 * function's network, backends and code. The schema marks each `x-instance-of` (cli/schema.ts);
 * core/args-schema.ts checks it before any child: a Resource (of the named class, where the type
 * names one), never a mapping, a number, null or a look-alike. The audit's `telemetry.dependsOn: {}`
 * threw a TypeError after a Helm release was registered, and `dependsOn: [42]` left a registration
 * that never settled. The places are found in the generated schemas, so a new one is covered.
 */
import { strict as assert } from "assert";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as h from "../harness";
import { COMPONENTS } from "../../cli/schema";
import { MeshNetwork } from "../../components/aws";
import { components, type Args } from "./samples";
import { corrupt, type Segment } from "../fuzz/fuzz";
import { schemaPlaces } from "./schema-places";

/** Every place that holds a resource (not an Output); a list's place is the list's path. */
const instancePlaces = (component: string) =>
  schemaPlaces(component)
    .filter((p) => p.kind !== "Output")
    .map((p) => ({ ...p, at: p.list ? p.at.slice(0, -1) : p.at }));

const text = (at: Segment[]) => at.join(".");

describe("arguments that must be resources (issue 11)", () => {
  beforeEach(() => h.reset());

  it("are found in the schemas: dependsOn lists, NamespaceRef.resource, a function's network, code, backends", () => {
    const places = COMPONENTS.flatMap((c) =>
      instancePlaces(c).map((p) => `${c} ${text(p.at)}${p.list ? "[]" : ""} ${p.kind}`),
    );
    for (const c of ["ServerlessService", "MeshedWorkload", "ServiceTraffic", "ServiceAccess"])
      assert.ok(places.includes(`${c} mesh.dependsOn[] Resource`), c);
    assert.ok(places.includes("Jaeger telemetry.dependsOn[] Resource"));
    assert.ok(places.includes("KnativeServing istio.dependsOn[] Resource"));
    assert.ok(places.includes("Prometheus istio.dependsOn[] Resource"));
    assert.ok(places.includes("IngressRoute namespace.resource Resource"));
    assert.ok(places.includes("MeshedFunction network MeshNetwork"));
    assert.ok(places.includes("MeshedFunction code Archive"));
    assert.ok(places.includes("MeshedFunction backends[] MeshedFunction"));
    assert.ok(places.includes("OpenFaasFunction mesh.openfaas.dependsOn[] Resource"));
    assert.ok(places.includes("OpenFaas istio.dependsOn[] Resource"));
    assert.ok(places.includes("KnativeEventing operator.dependsOn[] Resource"));
    assert.ok(places.includes("EventTrigger mesh.dependsOn[] Resource"));
    assert.equal(places.length, 47, places.join("\n"));
  });

  for (const component of COMPONENTS)
    for (const place of instancePlaces(component)) {
      const at = text(place.at);
      // A NamespaceRef needs its name beside the resource, Prometheus's `istio` its root
      // namespace; MeshedFunction's code excludes imageUri.
      const base = (): Args => {
        const { valid } = components()[component];
        if (component === "Prometheus")
          return { ...valid, istio: { rootNamespace: "istio-system", dependsOn: [] } };
        if (place.at[0] === "namespace") return { ...valid, namespace: { namespace: "shop" } };
        if (at === "code") {
          const { imageUri: _image, ...rest } = valid;
          return { ...rest, runtime: "nodejs22.x" };
        }
        return valid;
      };
      const withValue = (v: unknown) => corrupt(base(), place.at, v);
      const build = (a: Args) => () => components()[component].build(a);
      const lookAlike = { urn: "urn:pulumi:test::p::kubernetes:core/v1:ConfigMap::x", id: "x" };

      if (place.list) {
        it(`${component} \`${at}\`: a list of resources, each checked, nothing registered`, async () => {
          for (const bad of [{}, "x", 42, true])
            await h.expectInvalidBelow(build(withValue(bad)), at, "must be a list");
          for (const bad of [42, null, {}, "x", lookAlike, [1]]) {
            await h.reset();
            await h.expectInvalidBelow(
              build(withValue([bad])),
              `${at}[0]`,
              `must be a ${place.kind}`,
            );
          }
        });
      } else {
        it(`${component} \`${at}\`: one ${place.kind}, nothing registered otherwise`, async () => {
          const article = /^[AEIOU]/.test(place.kind) ? "an" : "a";
          for (const bad of [{}, "x", 42, [], lookAlike]) {
            await h.reset();
            await h.expectInvalidBelow(
              build(withValue(bad)),
              at,
              `must be ${article} ${place.kind}`,
            );
          }
        });
      }
    }

  it("a resource of another class is refused where the type names one", async () => {
    const all = components();
    const other = new k8s.core.v1.ConfigMap("other", { metadata: { name: "other" } });
    await h.expectInvalidBelow(
      () => all.MeshedFunction.build({ ...all.MeshedFunction.valid, network: other }),
      "network",
      "[resource kubernetes:core/v1:ConfigMap other]: must be a MeshNetwork",
    );
    const net = new MeshNetwork("net2", {});
    await h.expectInvalidBelow(
      () => all.MeshedFunction.build({ ...all.MeshedFunction.valid, backends: [net] }),
      "backends[0]",
      "[resource mesh-serverless:aws:MeshNetwork net2]: must be a MeshedFunction",
    );
    const asset = new pulumi.asset.StringAsset("x");
    const { imageUri: _image, ...noImage } = all.MeshedFunction.valid;
    await h.expectInvalidBelow(
      () => all.MeshedFunction.build({ ...noImage, runtime: "nodejs22.x", code: asset }),
      "code",
      "must be an Archive",
    );
  });

  it("a resource given in `dependsOn` orders every child after it", async () => {
    for (const component of COMPONENTS)
      for (const place of instancePlaces(component).filter(
        // MeshInfo's `openfaas.dependsOn` (the OpenFaaS release) orders only a function.
        (p) =>
          p.list &&
          p.kind === "Resource" &&
          (component === "OpenFaasFunction" || text(p.at) !== "mesh.openfaas.dependsOn"),
      )) {
        await h.reset();
        const dep = new k8s.core.v1.ConfigMap("dep", { metadata: { name: "dep" } });
        const all = components();
        const valid =
          component === "Prometheus"
            ? { ...all.Prometheus.valid, istio: { rootNamespace: "istio-system" } }
            : all[component].valid;
        all[component].build(corrupt(valid, place.at, [dep]));
        await h.settled();
        const custom = h.resources().filter((r) => r.custom && r.name !== "dep");
        assert.ok(custom.length > 0, component);
        // Every child that is not itself ordered behind a sibling depends on `dep` directly.
        const direct = custom.filter((r) =>
          h.dependencies(r).includes("kubernetes:core/v1:ConfigMap::dep"),
        );
        assert.ok(direct.length > 0, `${component} ${text(place.at)}: nothing waits for it`);
      }
  });
});
