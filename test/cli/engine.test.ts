import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as path from "path";
import { SECRET_PLACEHOLDER } from "../../cli/engine";
import * as h from "../harness";
import { components } from "../core/samples";

const resourceClass = pulumi.Resource as unknown as { callsites(): unknown[] };

describe("cli/engine", () => {
  beforeEach(() => h.reset());

  describe("request and response bodies (no protobuf round trip, issue 17)", () => {
    // The SDK's own copy of google-protobuf, as the engine patches it.
    const sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Struct } = require(
      require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [sdkDir] }),
    ) as typeof import("google-protobuf/google/protobuf/struct_pb");

    it("a Struct made from JSON data hands the same data back; its fields are built on demand", () => {
      const data = { a: 1, b: { c: ["x", null, true] } };
      const s = Struct.fromJavaScript(data);
      assert.equal(s.toJavaScript(), data);
      assert.equal(s.getFieldsMap().get("a")?.toJavaScript(), 1);
      assert.deepEqual(s.getFieldsMap().get("b")?.toJavaScript(), data.b);
      assert.deepEqual(
        Struct.toObject(false, s).fieldsMap.map(([k]) => k),
        ["a", "b"],
      );
    });

    it("registrations reach the SDK with the same outputs as before", async () => {
      const ns = new k8s.core.v1.Namespace("shop", {
        metadata: { name: "shop", labels: { a: "b" } },
      });
      assert.deepEqual(await h.resolve(ns.metadata), { name: "shop", labels: { a: "b" } });
      const r = (await h.settled()).resources.find(
        (x) => x.type === "kubernetes:core/v1:Namespace",
      );
      assert.deepEqual(r?.inputs, {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: "shop", labels: { a: "b" } },
      });
    });
  });

  describe("promise diagnostics", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const debuggable = require(
      path.join(
        path.dirname(require.resolve("@pulumi/pulumi/package.json")),
        "runtime",
        "debuggable.js",
      ),
    ) as { debuggablePromise: <T>(p: Promise<T>, ctx: string) => Promise<T> };

    it("are skipped while Error.stackTraceLimit is 0, as the renderer runs programs", async () => {
      const limit = Error.stackTraceLimit;
      try {
        Error.stackTraceLimit = 0;
        const p = Promise.resolve(1);
        assert.equal(debuggable.debuggablePromise(p, "test"), p);
      } finally {
        Error.stackTraceLimit = limit;
      }
    });

    it("are taken as the SDK does under any other limit", async () => {
      const p = Promise.resolve(2);
      const wrapped = debuggable.debuggablePromise(p, "test");
      assert.notEqual(wrapped, p);
      assert.equal((p as unknown as { _debugCtx: string })._debugCtx, "test");
      assert.equal(await wrapped, 2);
    });
  });

  describe("plain data serialized directly (issue 17)", () => {
    type Deps = Map<string, Set<pulumi.Resource>>;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const rpc = require(
      path.join(path.dirname(require.resolve("@pulumi/pulumi/package.json")), "runtime", "rpc.js"),
    ) as {
      serializeResourceProperties(l: string, p: object): Promise<[object, Deps]>;
      serializeProperties(l: string, p: object): Promise<object>;
    };
    /** The SDK's own result (any limit but 0) and the renderer's (limit 0), for `props`. */
    async function both<T>(serialize: () => Promise<T>): Promise<[T, T]> {
      const limit = Error.stackTraceLimit;
      try {
        Error.stackTraceLimit = 10;
        const sdk = await serialize();
        Error.stackTraceLimit = 0;
        return [sdk, await serialize()];
      } finally {
        Error.stackTraceLimit = limit;
      }
    }
    const depsOf = (m: Deps) => [...m].map(([k, v]) => [k, [...v].map((r) => r.constructor.name)]);

    it("gives what the SDK gives: undefined fields dropped, undefined items null, no dependencies", async () => {
      const props = {
        apiVersion: "v1",
        kind: "ConfigMap",
        id: "skipped",
        urn: "skipped",
        gone: undefined,
        metadata: { name: "a", labels: { x: "1" }, annotations: undefined },
        data: { list: ["a", undefined, 1, true, null, { deep: [[], {}] }], n: -0.5 },
        bare: Object.assign(Object.create(null), { k: "v" }),
      };
      const [sdk, ours] = await both(() => rpc.serializeResourceProperties("t", props));
      assert.deepEqual(ours[0], sdk[0]);
      assert.deepEqual(depsOf(ours[1]), depsOf(sdk[1]));
      const [sdkAll, oursAll] = await both(() => rpc.serializeProperties("t", props));
      assert.deepEqual(oursAll, sdkAll);
    });

    it("leaves Outputs, secrets, Promises, resources and functions to the SDK", async () => {
      const ns = new k8s.core.v1.Namespace("shop", { metadata: { name: "shop" } });
      for (const value of [
        pulumi.output("x"),
        pulumi.secret("s"),
        Promise.resolve("p"),
        ns,
        () => 1,
        new (class Thing {
          a = 1;
        })(),
        { nested: [pulumi.secret("s")] },
      ]) {
        const [sdk, ours] = await both(() =>
          rpc.serializeResourceProperties("t", { a: "b", value }),
        );
        assert.deepEqual(ours[0], sdk[0]);
        assert.deepEqual(depsOf(ours[1]), depsOf(sdk[1]));
      }
    });
  });

  describe("source positions", () => {
    it("takes none while Error.stackTraceLimit is 0, as the renderer runs programs", () => {
      const limit = Error.stackTraceLimit;
      try {
        Error.stackTraceLimit = 0;
        assert.deepEqual(resourceClass.callsites(), []);
        assert.equal(Error.stackTraceLimit, 0);
      } finally {
        Error.stackTraceLimit = limit;
      }
    });

    it("takes them as the SDK does under any other limit", () => {
      const limit = Error.stackTraceLimit;
      const sites = resourceClass.callsites() as { file?: string }[];
      assert.ok(sites.some((s) => s.file?.endsWith("engine.test.ts")));
      assert.equal(Error.stackTraceLimit, limit);
    });

    it("registers resources the same either way", async () => {
      const limit = Error.stackTraceLimit;
      try {
        Error.stackTraceLimit = 0;
        new k8s.core.v1.ConfigMap("quiet", { metadata: { name: "quiet" }, data: { a: "1" } });
      } finally {
        Error.stackTraceLimit = limit;
      }
      new k8s.core.v1.ConfigMap("traced", { metadata: { name: "traced" }, data: { a: "1" } });
      await h.settled();
      const quiet = h.get("kubernetes:core/v1:ConfigMap", "quiet");
      const traced = h.get("kubernetes:core/v1:ConfigMap", "traced");
      assert.deepEqual(quiet.inputs, { ...traced.inputs, metadata: { name: "quiet" } });
      assert.deepEqual(h.dependencies(quiet), h.dependencies(traced));
      assert.equal(quiet.parent, traced.parent);
    });
  });

  describe("recorded inputs", () => {
    it("share one copy when nothing is secret", async () => {
      new k8s.core.v1.ConfigMap("plain", {
        metadata: { name: "plain", labels: { a: "b" } },
        data: { k: "v" },
      });
      await h.settled();
      const r = h.get("kubernetes:core/v1:ConfigMap", "plain");
      assert.equal(r.redacted, r.inputs);
      assert.deepEqual(r.inputs, {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "plain", labels: { a: "b" } },
        data: { k: "v" },
      });
    });

    it("redact only the secret branch, keeping the rest shared", async () => {
      new k8s.core.v1.Secret("db", {
        metadata: { name: "db", labels: { app: "db" } },
        stringData: { user: "app", password: pulumi.secret("hunter2") },
        type: "Opaque",
      });
      await h.settled();
      const r = h.get("kubernetes:core/v1:Secret", "db");
      assert.notEqual(r.redacted, r.inputs);
      assert.equal(
        (r.redacted as { metadata: unknown }).metadata,
        (r.inputs as { metadata: unknown }).metadata,
      );
      assert.deepEqual((r.inputs as { stringData: unknown }).stringData, {
        user: "app",
        password: "hunter2",
      });
      assert.deepEqual(r.redacted, {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "db", labels: { app: "db" } },
        // The provider marks all of stringData secret, not just the secret value.
        stringData: { user: SECRET_PLACEHOLDER, password: SECRET_PLACEHOLDER },
        type: "Opaque",
      });
    });

    it("redact secrets inside lists, keeping the elements before and after", async () => {
      new k8s.apiextensions.CustomResource("list", {
        apiVersion: "example.com/v1",
        kind: "Thing",
        metadata: { name: "list" },
        spec: { items: [{ a: "1" }, pulumi.secret({ b: "2" }), { c: "3" }] },
      });
      await h.settled();
      const r = h.get("kubernetes:example.com/v1:Thing", "list");
      const items = (r.inputs as { spec: { items: unknown[] } }).spec.items;
      const redacted = (r.redacted as { spec: { items: unknown[] } }).spec.items;
      assert.notEqual(redacted, items);
      assert.deepEqual(items, [{ a: "1" }, { b: "2" }, { c: "3" }]);
      assert.deepEqual(redacted, [{ a: "1" }, { b: SECRET_PLACEHOLDER }, { c: "3" }]);
    });
  });
});

describe("cli/engine settle", () => {
  it("ends with the error when an input fails as it resolves, though a dependent never registers", async () => {
    await h.reset();
    const bad = pulumi.output("x").apply((): string => {
      throw new pulumi.ResourceError('invalid `data.a` "x": must be y', undefined);
    });
    const failing = new k8s.core.v1.ConfigMap("c", { data: { a: bad } });
    new k8s.core.v1.ConfigMap("d", { data: { a: "b" } }, { dependsOn: [failing] });
    await assert.rejects(h.settled(), /invalid `data\.a` "x": must be y/);
    // The next program starts afresh: its registrations settle.
    await h.reset();
    new k8s.core.v1.ConfigMap("e", { data: { a: "b" } });
    await h.settled();
    assert.deepEqual(
      h.resources().map((r) => r.name),
      ["e"],
    );
  });
});

describe("cli/engine settle, through a component", () => {
  it("a MeshedFunction whose certificate ARN Output resolves bad fails with the argument, no hang", async () => {
    await h.reset();
    const all = components();
    const valid = all.MeshedFunction.valid;
    const lattice = {
      ...(valid.lattice as object),
      customDomain: { domainName: "orders.example.com", certificateArn: pulumi.output("arn:bad") },
    };
    all.MeshedFunction.build({ ...valid, lattice });
    await assert.rejects(
      h.settled(),
      /invalid `lattice\.customDomain\.certificateArn` "arn:bad": must be an ACM certificate ARN/,
    );
  });
});
