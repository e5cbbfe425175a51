import { strict as assert } from "assert";
import * as h from "../../harness";
import { deployServices } from "../../../stacks/services";
import type { ServicesConfig } from "../../../stacks/config-types";
import { T } from "./helpers";

/** One registration with the options the engine received (the recording keeps them). */
interface Registered {
  urn: string;
  physicalName?: string;
  /** The parent's URN; "" at the stack's root, as the engine's request spells it. */
  parent: string;
  retainOnDelete: boolean;
  protect: boolean;
}

/** Renders the `services` config once and returns every registration by type and name. */
async function render(config: ServicesConfig): Promise<Map<string, Registered>> {
  await h.reset();
  deployServices(config, {}, {});
  await h.settled();
  const out = new Map<string, Registered>();
  for (const r of h.resources()) {
    const meta = r.inputs.metadata as { name?: string } | undefined;
    out.set(`${r.type}::${r.name}`, {
      urn: r.urn,
      physicalName: meta?.name,
      parent: r.parent ?? "",
      retainOnDelete: r.options?.retainOnDelete === true,
      protect: r.options?.protect === true,
    });
  }
  return out;
}

const workload = (namespace: string): ServicesConfig["serverless"] => ({
  orders: { namespace, image: "orders:1" },
});

describe("kubernetes/service MeshNamespace: renames do not delete the Namespace (issue 11)", () => {
  it("the Namespace is retained on delete; nothing else the package creates needs to be", async () => {
    const r = await render({ namespaces: { shop: {} } });
    assert.deepEqual(r.get(`${T.ns}::shop`), {
      urn: `urn:pulumi:test::mesh-serverless::mesh-serverless:service:MeshNamespace$${T.ns}::shop`,
      physicalName: "shop",
      parent: "urn:pulumi:test::mesh-serverless::mesh-serverless:service:MeshNamespace::shop",
      retainOnDelete: true,
      protect: false,
    });
    // The policies are the program's own: deleting them with the entry is right.
    assert.equal(r.get(`${T.pa}::shop/default`)!.retainOnDelete, false);
  });

  it("renaming the key with an explicit `namespace`: every child keeps its URN, name and options", async () => {
    const before = await render({ namespaces: { shop: {} }, serverless: workload("shop") });
    const after = await render({
      namespaces: { storefront: { namespace: "shop" } },
      serverless: workload("shop"),
    });
    const component = "mesh-serverless:service:MeshNamespace";
    const children = (m: Map<string, Registered>) =>
      new Map([...m].filter(([k]) => !k.startsWith(`${component}::`)));
    const parentOf = (name: string) => `urn:pulumi:test::mesh-serverless::${component}::${name}`;
    // Only the component's own URN (the key) changes; its children move to the new parent in
    // place (a parent change is an update, not a replacement).
    assert.deepEqual(
      [...children(after)].map(([k, v]) => [
        k,
        v.parent === parentOf("storefront") ? { ...v, parent: parentOf("shop") } : v,
      ]),
      [...children(before)],
    );
    assert.deepEqual(after.get(`${T.ns}::shop`)!.physicalName, "shop");
  });

  it("renaming the key without `namespace`: a new Namespace, and the old one was registered to be kept", async () => {
    const before = await render({ namespaces: { shop: {} } });
    const after = await render({ namespaces: { store: {} } });
    assert.equal(before.get(`${T.ns}::shop`)!.retainOnDelete, true);
    assert.equal(after.has(`${T.ns}::shop`), false);
    assert.equal(after.get(`${T.ns}::store`)!.retainOnDelete, true);
  });

  it("flipping `create: false`: the Namespace leaves the program (kept in the cluster), the policies keep their URNs", async () => {
    const before = await render({ namespaces: { shop: {} } });
    const after = await render({ namespaces: { shop: { create: false } } });
    assert.equal(before.get(`${T.ns}::shop`)!.retainOnDelete, true);
    assert.equal(after.has(`${T.ns}::shop`), false);
    assert.equal(after.get(`${T.pa}::shop/default`)!.urn, before.get(`${T.pa}::shop/default`)!.urn);
  });
});
