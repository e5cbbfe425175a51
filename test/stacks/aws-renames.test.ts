import { strict as assert } from "assert";
import { deployAws } from "../../stacks/aws";
import type { AwsConfig } from "../../stacks/config-types";
import { optionsOf, RegisteredOptions, renamedChild } from "../aws/fixtures";
import * as h from "../harness";

/**
 * Renaming a stack file's entry (`renamedFrom`): the program before and after, compared by the
 * URN each resource is matched to (its own, or its component's alias with the old name as its
 * prefix, as Pulumi's inheritedChildAlias derives it), its physical names and its options.
 */
interface Rendered {
  key: string;
  name?: unknown;
  options: RegisteredOptions;
}

async function render(config: Record<string, unknown>): Promise<Rendered[]> {
  await h.reset();
  deployAws(config as unknown as AwsConfig, {});
  await h.settled();
  return h.resources().map((r) => ({
    key: `${r.type}::${r.name}`,
    name: r.inputs.name,
    options: optionsOf(r),
  }));
}

const fn = { runtime: "nodejs22.x", inline: "exports.handler = async () => ({});" };

/** `type::name` as the engine matches it, with `from` (a renamed component) read as `to`. */
const matched = (key: string, renames: Record<string, string>) => {
  const [type, name] = key.split("::");
  for (const [from, to] of Object.entries(renames)) {
    const renamed = renamedChild(name, from, to);
    if (renamed !== undefined) return `${type}::${renamed}`;
  }
  return key;
};

describe("stacks/aws: renaming an entry with renamedFrom", () => {
  after(() => h.reset());

  it("keeps every resource, physical name and option of the renamed network and function", async () => {
    const before = await render({
      networks: { main: { lattice: { vpcs: [{ vpcId: "vpc-1" }] } } },
      functions: { orders: { ...fn, network: "main" }, users: { ...fn, network: "main" } },
    });
    const after = await render({
      networks: { core: { renamedFrom: "main", lattice: { vpcs: [{ vpcId: "vpc-1" }] } } },
      functions: {
        checkout: { ...fn, network: "core", renamedFrom: "orders" },
        users: { ...fn, network: "core" },
      },
    });
    const renames = { checkout: "orders", core: "main" };
    assert.deepEqual(
      after.map((r) => matched(r.key, renames)).sort(),
      before.map((r) => r.key).sort(),
    );
    const old = new Map(before.map((r) => [r.key, r]));
    for (const r of after) {
      const was = old.get(matched(r.key, renames))!;
      assert.deepEqual(r.name, was.name, `physical name of ${r.key}`);
      assert.equal(r.options.retainOnDelete, was.options.retainOnDelete, r.key);
      assert.equal(r.options.protect, was.options.protect, r.key);
    }
    const aliased = after.filter((r) => r.options.aliases.length > 0);
    assert.deepEqual(
      aliased.map((r) => [r.key, r.options.aliases]),
      [
        ["mesh-serverless:aws:MeshNetwork::core", ["main"]],
        ["mesh-serverless:aws:MeshedFunction::checkout", ["orders"]],
      ],
    );
  });

  it("rejects a renamedFrom that an entry still has", () => {
    assert.equal(
      h.expectConfigError(() =>
        deployAws(
          {
            networks: { main: {} },
            functions: {
              alpha: { ...fn, network: "main" },
              beta: { ...fn, network: "main", renamedFrom: "alpha" },
            },
          } as unknown as AwsConfig,
          {},
        ),
      ),
      'invalid `mesh-serverless:aws.functions.beta.renamedFrom` "alpha": must be a name no entry has now',
    );
  });
});
