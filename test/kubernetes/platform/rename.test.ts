import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as h from "../../harness";
import type { RecordedResource } from "../../../cli/engine";
import { MeshPlatform, MeshPlatformArgs } from "../../../components/kubernetes/platform/platform";

/**
 * Renames must not delete data (issue 11). Pulumi identifies a resource by its URN (type, parent
 * chain, logical name); a changed URN without an alias is a delete and a create
 * (https://www.pulumi.com/docs/iac/concepts/resources/options/aliases/). Each case renders the
 * platform before and after, and compares URNs, physical names and lifecycle options.
 */

// Every add-on, with the stores that hold data on volumes.
const ARGS: MeshPlatformArgs = {
  istio: { cni: true },
  jaeger: { storage: { backend: "badger", size: "20Gi" } },
  prometheus: { storage: { size: "50Gi" }, grafanaAdminSecret: "grafana-admin" },
};

interface Seen {
  urn: string;
  type: string;
  name: string;
  parent?: string;
  /** What the cluster calls it: a release's `name`, an object's `namespace/name`. */
  physical?: string;
  retainOnDelete: boolean;
  protect: boolean;
  aliases?: Array<Record<string, string | boolean>>;
}

function physicalName(r: RecordedResource): string | undefined {
  if (!r.custom) return undefined;
  if (r.type === "kubernetes:helm.sh/v3:Release")
    return `${String(r.inputs.namespace)}/${String(r.inputs.name)}`;
  const meta = r.inputs.metadata as { name?: string; namespace?: string } | undefined;
  return meta?.namespace ? `${meta.namespace}/${String(meta.name)}` : meta?.name;
}

async function render(name: string, opts?: pulumi.ComponentResourceOptions): Promise<Seen[]> {
  await h.reset();
  new MeshPlatform(name, ARGS, opts);
  await h.settled();
  return h.resources().map((r) => ({
    urn: r.urn,
    type: r.type,
    name: r.name,
    parent: r.parent,
    physical: physicalName(r),
    retainOnDelete: r.options?.retainOnDelete === true,
    protect: r.options?.protect === true,
    ...(r.options?.aliases ? { aliases: r.options.aliases } : {}),
  }));
}

/**
 * The URN each resource had before the rename, as the engine derives it from aliases: a
 * resource's own `{ name }` alias, else its parent's alias inherited, where a child named
 * `<parent name><rest>` was `<parent's old name><rest>` (the SDK's `inheritedChildAlias` in
 * @pulumi/pulumi resource.ts; the engine applies the same rule to alias specs). Types do not
 * change, so only the name segment of the URN does.
 */
function previousUrns(after: Seen[]): Map<string, string> {
  const byUrn = new Map(after.map((r) => [r.urn, r]));
  const oldNames = new Map<string, string>();
  const oldName = (r: Seen): string => {
    const known = oldNames.get(r.urn);
    if (known !== undefined) return known;
    const own = r.aliases?.find((a) => typeof a.name === "string")?.name as string | undefined;
    const parent = r.parent ? byUrn.get(r.parent) : undefined;
    let name = own ?? r.name;
    if (own === undefined && parent) {
      const parentOld = oldName(parent);
      if (parentOld !== parent.name && r.name.startsWith(parent.name))
        name = parentOld + r.name.slice(parent.name.length);
    }
    oldNames.set(r.urn, name);
    return name;
  };
  const lastSegment = (urn: string) => urn.lastIndexOf("::") + 2;
  return new Map(after.map((r) => [r.urn, r.urn.slice(0, lastSegment(r.urn)) + oldName(r)]));
}

const strip = ({ urn: _u, name: _n, parent: _p, aliases: _a, ...rest }: Seen) => rest;

describe("platform/MeshPlatform renames (issue 11: renames must not delete data)", () => {
  it("GIVEN the platform THEN exactly what holds data or CRDs is retained on delete", async () => {
    const seen = await render("platform");
    assert.deepEqual(
      seen
        .filter((r) => r.retainOnDelete)
        .map((r) => `${r.type} ${r.physical}`)
        .sort(),
      [
        // A namespace holding Secrets Pulumi did not create (Knative's), and Badger's.
        "kubernetes:core/v1:Namespace knative-serving",
        "kubernetes:core/v1:Namespace tracing",
        // Badger's volume.
        "kubernetes:core/v1:PersistentVolumeClaim tracing/jaeger-badger",
        // Istio's CRDs (every VirtualService, AuthorizationPolicy, ... in the cluster).
        "kubernetes:helm.sh/v3:Release istio-system/istio-base",
        // The KnativeServing CRD (uninstalling the operator deletes the Knative install).
        "kubernetes:helm.sh/v3:Release knative-operator/knative-operator",
        // prometheus-operator's CRDs and the TSDB claims of its StatefulSet.
        "kubernetes:helm.sh/v3:Release monitoring/kube-prometheus-stack",
      ],
    );
    // Nothing is protected by the package: `protect` would make turning an add-on off fail;
    // a stack that wants that passes `protect: true` to MeshPlatform (children inherit it).
    assert.deepEqual(
      seen.filter((r) => r.protect),
      [],
    );
  });

  it('GIVEN `platform` renamed `mesh` with aliases: [{ name: "platform" }] THEN every URN maps to the old one and nothing else changes', async () => {
    const before = await render("platform");
    const after = await render("mesh", { aliases: [{ name: "platform" }] });
    assert.deepEqual(
      after.filter((r) => r.aliases).map((r) => [r.type, r.name, r.aliases]),
      [["mesh-serverless:platform:MeshPlatform", "mesh", [{ name: "platform" }]]],
    );
    const old = previousUrns(after);
    assert.deepEqual(
      after.map((r) => old.get(r.urn)).sort(),
      before.map((r) => r.urn).sort(),
      "every resource after the rename aliases exactly one resource before it",
    );
    const beforeByUrn = new Map(before.map((r) => [r.urn, r]));
    for (const r of after) {
      const was = beforeByUrn.get(old.get(r.urn) as string) as Seen;
      assert.deepEqual(strip(r), strip(was), r.urn);
    }
    // The 7 releases keep their Helm names (what `helm list` shows), whatever the component's name.
    assert.deepEqual(
      after
        .filter((r) => r.type === "kubernetes:helm.sh/v3:Release")
        .map((r) => r.physical)
        .sort(),
      [
        "istio-system/istio-base",
        "istio-system/istio-cni",
        "istio-system/istio-ingressgateway",
        "istio-system/istiod",
        "knative-operator/knative-operator",
        "logging/fluentd",
        "monitoring/kube-prometheus-stack",
        "tracing/jaeger",
      ],
    );
  });

  it("GIVEN a rename without aliases THEN every URN changes but no physical name does, and what holds data is retained", async () => {
    const before = await render("platform");
    const after = await render("mesh");
    const beforeUrns = new Set(before.map((r) => r.urn));
    assert.deepEqual(
      after.filter((r) => beforeUrns.has(r.urn)).map((r) => r.urn),
      [],
    );
    // Pulumi would create the new URNs and delete the old ones: the creates name the same
    // releases and objects (so Helm refuses a second release of the same name instead of
    // installing a copy), and the deletes of retained resources leave the cluster as it is.
    const physical = (rs: Seen[]) => rs.map((r) => `${r.type} ${r.physical ?? "-"}`).sort();
    assert.deepEqual(physical(after), physical(before));
    assert.deepEqual(
      after.map((r) => [r.type, r.physical, r.retainOnDelete]).sort(),
      before.map((r) => [r.type, r.physical, r.retainOnDelete]).sort(),
    );
  });

  it("GIVEN Knative turned off THEN the resources that go away are only ones the engine drops without deleting, or stateless ones", async () => {
    const on = await render("platform");
    await h.reset();
    new MeshPlatform("platform", { ...ARGS, knative: false });
    await h.settled();
    const kept = new Set(h.resources().map((r) => r.urn));
    const gone = on.filter((r) => !kept.has(r.urn) && r.type.startsWith("kubernetes:"));
    assert.deepEqual(
      gone.map((r) => `${r.type} ${r.physical} retainOnDelete=${r.retainOnDelete}`).sort(),
      [
        "kubernetes:core/v1:Namespace knative-serving retainOnDelete=true",
        "kubernetes:helm.sh/v3:Release knative-operator/knative-operator retainOnDelete=true",
        // Configuration only: deleting the KnativeServing CR makes the operator remove Serving's
        // workloads but never its CRDs, so Knative Services elsewhere stay (knative/operator
        // pkg/reconciler/knativeserving/knativeserving.go FinalizeKind: Filter(mf.NoCRDs)).
        "kubernetes:operator.knative.dev/v1beta1:KnativeServing knative-serving/knative-serving retainOnDelete=false",
        "kubernetes:security.istio.io/v1:PeerAuthentication knative-serving/default retainOnDelete=false",
      ],
    );
  });

  it("GIVEN OpenFaaS turned off THEN its namespaces (functions, their Secrets) are retained", async () => {
    await h.reset();
    new MeshPlatform("platform", { openfaas: { edition: "ce" } });
    await h.settled();
    assert.deepEqual(
      h
        .resources("kubernetes:core/v1:Namespace")
        .filter((r) => r.name.startsWith("platform-openfaas"))
        .map((r) => [physicalName(r), r.options?.retainOnDelete === true])
        .sort(),
      [
        ["openfaas", true],
        ["openfaas-fn", true],
      ],
    );
  });

  it("GIVEN protect: true on MeshPlatform THEN every child resource is registered protected", async () => {
    const seen = await render("platform", { protect: true });
    const custom = seen.filter((r) => r.physical !== undefined);
    assert.ok(custom.length > 10);
    assert.deepEqual(
      custom.filter((r) => !r.protect).map((r) => r.urn),
      [],
    );
  });
});
