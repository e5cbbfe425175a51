import { strict as assert } from "assert";
import * as h from "../harness";
import { MeshedFunction } from "../../components/aws/meshed-function";
import { MeshBackend } from "../../components/aws/mesh-network";
import { RoutingArgs } from "../../components/aws/routing";
import { CANARY as canary, fnArgs, quietNetwork, retainedOnDelete, T } from "./fixtures";

/**
 * Moving a network off App Mesh: the same program, with `backend` the only difference. What
 * holds the functions (function, aliases, role, Cloud Map registration) keeps its URN and inputs;
 * the App Mesh objects leave the plan and were retained on delete, so `pulumi up` drops them from
 * the state without calling the retired API (https://www.pulumi.com/docs/iac/concepts/options/retainondelete/).
 */
interface Snapshot {
  byKey: Map<string, { urn: string; inputs: Record<string, unknown> }>;
  retained: Iterable<string>;
}

async function run(backend: MeshBackend, routing: RoutingArgs = {}): Promise<Snapshot> {
  await h.reset();
  const retained = retainedOnDelete();
  const net = quietNetwork("legacy", { backend, namespaceName: "serverless.local" });
  // URLs with auth NONE: App Mesh needs them (Envoy cannot sign); kept on Lattice as they are.
  const url = { authType: "NONE" } as const;
  const pay = new MeshedFunction("pay", fnArgs(net, { aliases: canary, url, routing }));
  new MeshedFunction("shop", fnArgs(net, { backends: [pay], url }));
  await h.settled();
  const byKey = new Map(
    h.resources().map((r) => [`${r.type}::${r.name}`, { urn: r.urn, inputs: r.inputs }]),
  );
  return { byKey, retained };
}

const keysOf = (s: Snapshot, type: string) =>
  [...s.byKey.keys()].filter((k) => k.startsWith(`${type}::`)).sort();
const without = (o: Record<string, unknown>, key: string) =>
  Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));
type Env = { variables: Record<string, string> };

describe("aws: moving a network from app-mesh to vpc-lattice", () => {
  let mesh: Snapshot;
  let lattice: Snapshot;

  before(async () => {
    const routing = { timeout: { idle: "2m" } };
    mesh = await run("app-mesh", routing);
    lattice = await run("vpc-lattice", routing);
  });
  after(() => h.reset());

  it("keeps functions' roles, aliases, URLs and Cloud Map services with the same URNs and inputs", () => {
    for (const type of [T.role, T.attachment, T.alias, T.url, T.cmService, T.permission]) {
      const before = keysOf(mesh, type).filter((k) => !k.includes("lattice-invoke"));
      assert.ok(before.length > 0, type);
      for (const key of before) {
        const [a, b] = [mesh.byKey.get(key)!, lattice.byKey.get(key)];
        assert.ok(b, `${key} is gone after the switch`);
        assert.equal(b.urn, a.urn, key);
        assert.deepEqual(b.inputs, a.inputs, key);
      }
    }
    assert.deepEqual(keysOf(mesh, T.role), [
      "aws:iam/role:Role::pay-role",
      "aws:iam/role:Role::shop-role",
    ]);
    assert.deepEqual(keysOf(mesh, T.alias), [
      `${T.alias}::pay-canary`,
      `${T.alias}::pay-stable`,
      `${T.alias}::shop-live`,
    ]);
  });

  it("keeps the functions, changing only the mesh wiring in their environment (an in-place update)", () => {
    for (const name of ["pay-function", "shop-function"]) {
      const key = `${T.lambda}::${name}`;
      const [a, b] = [mesh.byKey.get(key)!, lattice.byKey.get(key)!];
      assert.equal(b.urn, a.urn);
      // name, role, code, runtime, memory, timeout, publish, tags: unchanged, so nothing replaces.
      assert.deepEqual(without(b.inputs, "environment"), without(a.inputs, "environment"));
    }
    const env = (s: Snapshot, fn: string) =>
      (s.byKey.get(`${T.lambda}::${fn}-function`)!.inputs.environment as Env | undefined)
        ?.variables;
    assert.deepEqual(env(mesh, "pay"), {
      APP_MESH_ENDPOINT: "pay.serverless.local:80",
      ENVOY_LOG_LEVEL: "info",
    });
    assert.equal(env(lattice, "pay"), undefined);
    assert.deepEqual(env(mesh, "shop"), {
      APP_MESH_ENDPOINT: "shop.serverless.local:80",
      ENVOY_LOG_LEVEL: "info",
      MESH_BACKEND_PAY: "http://pay.serverless.local:80",
    });
    assert.deepEqual(env(lattice, "shop"), {
      MESH_BACKEND_PAY: "https://pay.us-east-1.vpc-lattice-svcs.on.aws",
    });
  });

  it("keeps each Cloud Map instance, updating only the attributes that name the backend", () => {
    for (const fn of ["pay", "shop"]) {
      const key = `${T.instance}::${fn}-instance`;
      const [a, b] = [mesh.byKey.get(key)!, lattice.byKey.get(key)!];
      assert.equal(b.urn, a.urn);
      assert.deepEqual(without(b.inputs, "attributes"), without(a.inputs, "attributes"));
      const [x, y] = [a.inputs.attributes, b.inputs.attributes] as Record<string, string>[];
      assert.deepEqual(without(y, "MESH_ADDRESS"), {
        ...without(x, "MESH_ADDRESS"),
        MESH_BACKEND: "vpc-lattice",
      });
      assert.equal(x.MESH_BACKEND, "app-mesh");
    }
  });

  it("drops every App Mesh object from the plan, each of them retained on delete", () => {
    const appMesh = [...mesh.byKey.keys()].filter((k) => k.startsWith("aws:appmesh/")).sort();
    assert.equal(appMesh.length, 1 + 3 + 2 + 2 + 2); // mesh, nodes, routers, routes, services
    const registry = `${T.namespace}::legacy-registry`;
    assert.deepEqual([...mesh.retained].sort(), [...appMesh, registry].sort());
    assert.deepEqual(
      [...lattice.byKey.keys()].filter((k) => k.startsWith("aws:appmesh/")),
      [],
    );
    assert.deepEqual([...lattice.retained], [registry]);
  });

  it("maps the routing: weighted aliases, idle timeout and backends", () => {
    const route = mesh.byKey.get(`${T.route}::pay-route`)!.inputs.spec as {
      httpRoute: {
        action: { weightedTargets: { virtualNode: string; weight: number }[] };
        timeout: unknown;
      };
    };
    const split = (s: Snapshot) =>
      (
        s.byKey.get(`${T.listener}::pay-https`)?.inputs.defaultAction as
          | { forwards: { targetGroups: { targetGroupIdentifier: string; weight: number }[] }[] }
          | undefined
      )?.forwards[0].targetGroups.map((t) => [t.targetGroupIdentifier, t.weight]);
    assert.deepEqual(
      route.httpRoute.action.weightedTargets.map((t) => [t.virtualNode, t.weight]),
      [
        ["pay-stable", 90],
        ["pay-canary", 10],
      ],
    );
    assert.deepEqual(split(lattice), [
      ["pay-stable-tg-id", 90],
      ["pay-canary-tg-id", 10],
    ]);
    assert.deepEqual(route.httpRoute.timeout, { idle: { unit: "s", value: 120 } });
    assert.equal(
      lattice.byKey.get(`${T.latticeService}::pay-lattice`)!.inputs.idleTimeoutSeconds,
      120,
    );
    // A backend: the caller's node names the virtual service; on Lattice, an invoke grant.
    assert.equal(mesh.byKey.get(`${T.rolePolicy}::shop-backends`), undefined);
    const grant = JSON.parse(
      lattice.byKey.get(`${T.rolePolicy}::shop-backends`)!.inputs.policy as string,
    );
    assert.deepEqual(grant.Statement, [
      {
        Sid: "InvokeMeshBackends",
        Effect: "Allow",
        Action: "vpc-lattice-svcs:Invoke",
        Resource: ["arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-pay/*"],
      },
    ]);
  });

  it("rejects what Lattice lacks, naming it, instead of dropping it", async () => {
    const retries = {
      maxRetries: 2,
      perRetryTimeout: "2s",
      httpRetryEvents: ["server-error" as const],
    };
    const withRetries = await run("app-mesh", { retries });
    assert.ok(withRetries.byKey.has(`${T.route}::pay-route`));
    await h.reset();
    const net = quietNetwork("legacy", { backend: "vpc-lattice" });
    await h.expectInvalidBelow(
      () => new MeshedFunction("pay", fnArgs(net, { routing: { retries } })),
      "routing.retries",
      "VPC Lattice does not retry requests",
    );
    await h.expectInvalidBelow(
      () => new MeshedFunction("pay", fnArgs(net, { routing: { timeout: { perRequest: "15s" } } })),
      "routing.timeout.perRequest",
      "no per-request timeout",
    );
  });
});
