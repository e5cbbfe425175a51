import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as h from "../harness";
import { MeshedFunction } from "../../components/aws/meshed-function";
import {
  CANARY as canary,
  fnArgs,
  quietNetwork,
  optionsOf,
  renamedChild,
  RegisteredOptions,
  T,
} from "./fixtures";

/**
 * Renames must not delete data (issue 11): the same program rendered before and after a rename,
 * compared resource by resource: URN (or the alias URN the engine matches it by), physical names
 * and inputs, and resource options. A child inherits its parent's alias with the parent's old
 * name in place of the new prefix of its own name (Pulumi's `inheritedChildAlias`,
 * sdk/nodejs/resource.ts), which is why every child name starts with the component's name.
 */
interface Rendered {
  urn: string;
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  options: RegisteredOptions;
}

async function render(
  component: string,
  args: { functionName?: string; namespaceName?: string; retain?: boolean } = {},
  opts?: pulumi.ComponentResourceOptions,
): Promise<Rendered[]> {
  await h.reset();
  const net = quietNetwork("mesh", {
    namespaceName: args.namespaceName ?? "mesh.local",
    retainNamespaceOnDelete: args.retain,
  });
  const users = new MeshedFunction("users", fnArgs(net));
  new MeshedFunction(
    component,
    fnArgs(net, {
      ...(args.functionName ? { functionName: args.functionName } : {}),
      aliases: canary,
      url: true,
      backends: [users],
    }),
    opts,
  );
  await h.settled();
  return h.resources().map((r) => ({
    urn: r.urn,
    type: r.type,
    name: r.name,
    inputs: r.inputs,
    options: optionsOf(r),
  }));
}

/** The URN the engine matches `urn` to when component `from` is aliased as `to`. */
function aliasedUrn(urn: string, from: string, to: string): string {
  const at = urn.lastIndexOf("::");
  const renamed = renamedChild(urn.slice(at + 2), from, to);
  return renamed === undefined ? urn : `${urn.slice(0, at + 2)}${renamed}`;
}

/** Inputs that are physical names the package sets: compared exactly. */
const PHYSICAL = ["name", "instanceId", "statementId", "functionName", "qualifier"];

/**
 * The other inputs, with the mocks' outputs of renamed resources mapped back (the mocks derive
 * IDs and ARNs from logical names; a real engine keeps an aliased resource's outputs) and the
 * `mesh-serverless:name` tag dropped (a tag change is an in-place update, never a replacement).
 */
function comparable(inputs: Record<string, unknown>, from: string, to: string): unknown {
  const rest = Object.fromEntries(Object.entries(inputs).filter(([k]) => !PHYSICAL.includes(k)));
  const tags = rest.tags as Record<string, string> | undefined;
  if (tags) {
    const kept = { ...tags };
    delete kept["mesh-serverless:name"];
    rest.tags = kept;
  }
  return JSON.parse(JSON.stringify(rest).split(`${from}-`).join(`${to}-`));
}

const physical = (inputs: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(inputs).filter(([k]) => PHYSICAL.includes(k)));

describe("aws: renames keep what holds data", () => {
  after(() => h.reset());

  it("GIVEN an explicit functionName and an alias THEN a renamed function keeps every URN, physical name and option", async () => {
    const before = await render("orders", { functionName: "orders" });
    const after = await render(
      "checkout",
      { functionName: "orders" },
      { aliases: [{ name: "orders" }] },
    );
    const byUrn = new Map(before.map((r) => [r.urn, r]));
    assert.equal(after.length, before.length);
    for (const r of after) {
      const old = byUrn.get(aliasedUrn(r.urn, "checkout", "orders"));
      assert.ok(old, `${r.type}::${r.name} matches nothing of before the rename`);
      assert.deepEqual(physical(r.inputs), physical(old.inputs), `physical names of ${r.name}`);
      assert.deepEqual(
        comparable(r.inputs, "checkout", "orders"),
        comparable(old.inputs, "orders", "orders"),
        r.name,
      );
      assert.deepEqual(
        { ...r.options, aliases: [] },
        { ...old.options, aliases: [] },
        `options of ${r.name}`,
      );
      byUrn.delete(old.urn);
    }
    assert.deepEqual([...byUrn.keys()], []);
    // Only the component carries the alias; its children inherit it by their name's prefix.
    const component = after.find((r) => r.type === T.fn && r.name === "checkout")!;
    assert.deepEqual(component.options.aliases, ["orders"]);
    for (const r of after.filter((x) => x.name.startsWith("checkout-")))
      assert.deepEqual(r.options.aliases, [], r.name);
    // The physical names the rename must not touch.
    const lambda = after.find((r) => r.type === T.lambda && r.name === "checkout-function")!;
    assert.equal(lambda.inputs.name, "orders");
    const service = after.find(
      (r) => r.type === T.cmService && r.name === "checkout-registration",
    )!;
    assert.equal(service.inputs.name, "orders");
    assert.equal(service.inputs.forceDestroy, undefined);
  });

  it("GIVEN no functionName THEN the physical name follows the component name (documented: set functionName to keep it)", async () => {
    const before = await render("orders");
    const after = await render("checkout", {}, { aliases: [{ name: "orders" }] });
    const name = (rs: Rendered[], n: string) => rs.find((r) => r.name === n)!.inputs.name;
    assert.equal(name(before, "orders-function"), "orders");
    assert.equal(name(after, "checkout-function"), "checkout");
  });

  it("keeps the Cloud Map namespace on delete unless told otherwise; services are never force-destroyed", async () => {
    const kept = await render("orders");
    const ns = kept.find((r) => r.type === T.namespace)!;
    assert.deepEqual(ns.options, { retainOnDelete: true, protect: false, aliases: [] });
    for (const s of kept.filter((r) => r.type === T.cmService))
      assert.equal(s.inputs.forceDestroy, undefined, s.name);
    // Nothing else of the network or the functions is retained: they hold no data.
    assert.deepEqual(
      kept.filter((r) => r.options.retainOnDelete).map((r) => `${r.type}::${r.name}`),
      [`${T.namespace}::mesh-registry`],
    );
    const released = await render("orders", { retain: false });
    assert.equal(released.find((r) => r.type === T.namespace)!.options.retainOnDelete, false);
  });
});
