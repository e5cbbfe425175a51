import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as h from "../harness";
import { MeshedFunction } from "../../components/aws/meshed-function";
import { code, fnArgs, quietNetwork } from "./fixtures";

describe("aws/MeshedFunction rejects bad input before creating anything", () => {
  beforeEach(() => h.reset());

  type Case = [string, () => unknown, string, ...string[]];
  const lattice = () => quietNetwork("mesh");
  const mesh = () => quietNetwork("legacy", { backend: "app-mesh" });
  // App Mesh functions need URLs with auth NONE (asserted in meshed-function-app-mesh.test.ts).
  const f = (args: Partial<Parameters<typeof fnArgs>[1]>, net = lattice()) =>
    new MeshedFunction(
      "fn-x",
      fnArgs(net, {
        ...(net.settings.backend === "app-mesh" ? { url: { authType: "NONE" as const } } : {}),
        ...args,
      }),
    );
  const many = (n: number) =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "v"]));
  const cases: Case[] = [
    [
      "network",
      () =>
        new MeshedFunction("fn-x", { network: {} as never, code: code(), runtime: "nodejs22.x" }),
      "network",
      "must be a MeshNetwork",
    ],
    ["function name", () => f({ functionName: "bad name" }), "functionName", '"bad name"', "1-64"],
    ["no code", () => new MeshedFunction("fn-x", { network: lattice() }), "code", "`imageUri`"],
    ["code and image", () => f({ imageUri: "img:1" }), "imageUri", "together with `code`"],
    ["no runtime", () => f({ runtime: undefined }), "runtime", "is required with `code`"],
    ["memory low", () => f({ memorySize: 127 }), "memorySize", "127", "from 128 to 10240"],
    ["memory high", () => f({ memorySize: 10241 }), "memorySize", "10241", "from 128 to 10240"],
    ["timeout low", () => f({ timeout: 0 }), "timeout", "0", "from 1 to 900"],
    ["timeout high", () => f({ timeout: 901 }), "timeout", "901", "from 1 to 900"],
    ["env key", () => f({ environment: { "1X": "v" } }), "environment.1X", "[a-zA-Z][a-zA-Z0-9_]+"],
    [
      "tag",
      () => f({ tags: { team: pulumi.output("x") as never } }),
      "tags.team",
      "[Output]",
      "not an Output or a secret",
    ],
    ["no aliases", () => f({ aliases: [] }), "aliases", "1-10 aliases"],
    [
      "eleven aliases",
      () =>
        f({
          aliases: Array.from({ length: 11 }, (_, i) => ({ name: `a${i}`, weight: i ? 9 : 10 })),
        }),
      "aliases",
      "1-10 aliases",
    ],
    [
      "alias name",
      () => f({ aliases: [{ name: "123" }] }),
      "aliases[0].name",
      '"123"',
      "not all digits",
    ],
    [
      "alias version",
      () => f({ aliases: [{ name: "live", version: "$LATEST" }] }),
      "aliases[0].version",
      '"$LATEST"',
      "published version number",
    ],
    [
      "alias weight missing",
      () => f({ aliases: [{ name: "a1", weight: 100 }, { name: "a2" }] }),
      "aliases[1].weight",
      "more than one alias",
    ],
    [
      "alias weight range",
      () =>
        f({
          aliases: [
            { name: "a1", weight: 101 },
            { name: "a2", weight: -1 },
          ],
        }),
      "aliases[0].weight",
      "101",
      "0 to 100",
    ],
    [
      "weights sum",
      () =>
        f({
          aliases: [
            { name: "a1", weight: 50 },
            { name: "a2", weight: 40 },
          ],
        }),
      "aliases",
      "sum to 100 (they sum to 90)",
    ],
    [
      "alias duplicate",
      () =>
        f({
          aliases: [
            { name: "a1", weight: 50 },
            { name: "a1", weight: 50 },
          ],
        }),
      "aliases",
      '"a1"',
      "unique",
    ],
    ["appMesh on lattice", () => f({ appMesh: {} }), "appMesh", 'backend "app-mesh"'],
    [
      "moved idle timeout",
      () => f({ lattice: { idleTimeoutSeconds: 120 } as never }),
      "lattice.idleTimeoutSeconds",
      "120",
      "moved to `routing.timeout.idle`",
    ],
    [
      "moved retry policy",
      () => f({ appMesh: { retryPolicy: { maxRetries: 1 } } as never }, mesh()),
      "appMesh.retryPolicy",
      "moved to `routing.retries`",
    ],
    ["lattice on app-mesh", () => f({ lattice: {} }, mesh()), "lattice", 'backend "vpc-lattice"'],
    ["url off on app-mesh", () => f({ url: false }, mesh()), "url", "URL host"],
    ["url auth", () => f({ url: { authType: "OPEN" as never } }), "url.authType", '"OPEN"'],
    [
      "service name long",
      () => f({ lattice: { serviceName: "s".repeat(41) } }),
      "lattice.serviceName",
      "3-40",
    ],
    [
      "service name prefix",
      () => f({ lattice: { serviceName: "svc-orders" } }),
      "lattice.serviceName",
      '"svc-orders"',
      'not starting with "svc-"',
    ],
    [
      // Its HTTPS listener is named `<service>-https`; API_CreateListener refuses "listener-".
      "listener name prefix",
      () => f({ lattice: { serviceName: "listener-orders" } }),
      "lattice.serviceName",
      '"listener-orders-https"',
      'not starting with "listener-"',
    ],
    [
      "target group name",
      () => f({ aliases: [{ name: "Live" }] }),
      "aliases[0].name",
      '"fn-x-Live"',
      "3-128",
      "lowercase",
    ],
    [
      "target group prefix",
      () => f({ functionName: "tg-orders" }),
      "aliases[0].name",
      '"tg-orders-live"',
    ],
    [
      "target group prefix via service",
      () => f({ lattice: { serviceName: "tg-a" } }),
      "aliases[0].name",
      '"tg-a-live"',
      'not starting with "tg-"',
    ],
    [
      "lattice auth",
      () => f({ lattice: { authType: "OPEN" as never } }),
      "lattice.authType",
      '"OPEN"',
    ],
    [
      "idle low",
      () => f({ routing: { timeout: { idle: "59s" } } }),
      "routing.timeout.idle",
      '"59s"',
      "whole seconds from 60 to 600",
    ],
    [
      "idle high",
      () => f({ routing: { timeout: { idle: "601s" } } }),
      "routing.timeout.idle",
      '"601s"',
      "whole seconds from 60 to 600",
    ],
    [
      "idle not whole seconds",
      () => f({ routing: { timeout: { idle: "90500ms" } } }),
      "routing.timeout.idle",
      '"90500ms"',
      "whole seconds",
    ],
    ["router port", () => f({ appMesh: { port: 0 } }, mesh()), "appMesh.port", "1 to 65535"],
    [
      "priority",
      () => f({ appMesh: { priority: 1001 } }, mesh()),
      "appMesh.priority",
      "1001",
      "0 to 1000",
    ],
    [
      "retries missing",
      () =>
        f(
          {
            routing: {
              retries: { perRetryTimeout: "1s", httpRetryEvents: ["server-error"] } as never,
            },
          },
          mesh(),
        ),
      "routing.retries.maxRetries",
      "is required",
    ],
    [
      "retries negative",
      () =>
        f(
          {
            routing: {
              retries: {
                maxRetries: -1,
                perRetryTimeout: "1s",
                httpRetryEvents: ["server-error"],
              },
            },
          },
          mesh(),
        ),
      "routing.retries.maxRetries",
      "-1",
    ],
    [
      "per-retry timeout missing",
      () =>
        f(
          {
            routing: { retries: { maxRetries: 1, httpRetryEvents: ["server-error"] } as never },
          },
          mesh(),
        ),
      "routing.retries.perRetryTimeout",
      "is required",
    ],
    [
      "no retry events",
      () => f({ routing: { retries: { maxRetries: 1, perRetryTimeout: "1s" } } }, mesh()),
      "routing.retries",
      "httpRetryEvents or tcpRetryEvents",
    ],
    [
      "http retry event",
      () =>
        f(
          {
            routing: {
              retries: {
                maxRetries: 1,
                perRetryTimeout: "1s",
                httpRetryEvents: ["5xx" as never],
              },
            },
          },
          mesh(),
        ),
      "routing.retries.httpRetryEvents[0]",
      '"5xx"',
      '"server-error"',
    ],
    [
      "tcp retry event",
      () =>
        f(
          {
            routing: {
              retries: {
                maxRetries: 1,
                perRetryTimeout: "1s",
                tcpRetryEvents: ["reset" as never],
              },
            },
          },
          mesh(),
        ),
      "routing.retries.tcpRetryEvents[0]",
      '"reset"',
      '"connection-error"',
    ],
    [
      "per-retry duration",
      () =>
        f(
          {
            routing: {
              retries: {
                maxRetries: 1,
                perRetryTimeout: "soon",
                httpRetryEvents: ["server-error"],
              },
            },
          },
          mesh(),
        ),
      "routing.retries.perRetryTimeout",
      '"soon"',
      "a duration",
    ],
    [
      "sub-ms duration",
      () => f({ routing: { timeout: { perRequest: "1500us" } } }, mesh()),
      "routing.timeout.perRequest",
      '"1500us"',
      "whole milliseconds",
    ],
    [
      "zero duration",
      () => f({ routing: { timeout: { idle: "0s" } } }, mesh()),
      "routing.timeout.idle",
      '"0s"',
      "at least 1ms",
    ],
    [
      "virtual service name",
      () =>
        f(
          {},
          quietNetwork("legacy", {
            backend: "app-mesh",
            namespaceName: `${"n".repeat(250)}.local`,
          }),
        ),
      "functionName",
      "at most 255",
    ],
    [
      "backend elsewhere",
      () => f({ backends: [new MeshedFunction("other", fnArgs(quietNetwork("mesh-two")))] }),
      "backends[0]",
      '"other"',
      "same MeshNetwork",
    ],
    [
      "reserved attribute",
      () => f({ attributes: { URL: "x" } }),
      "attributes.URL",
      "is set by the component",
    ],
    [
      "secret attribute",
      () => f({ attributes: { token: pulumi.secret("s") as never } }),
      "attributes.token",
      "[Output]",
      "not an Output or a secret",
    ],
    [
      "too many attributes",
      () => f({ attributes: many(26) }),
      "attributes",
      "at most 30 attributes",
      "(got 31)",
    ],
    [
      "attribute key",
      () => f({ attributes: { ["k".repeat(256)]: "v" } }),
      `attributes.${"k".repeat(256)}`,
      "1-255",
    ],
    [
      "attribute value",
      () => f({ attributes: { big: "v".repeat(1025) } }),
      "attributes.big",
      "at most 1024",
    ],
    [
      "attributes total",
      () =>
        f({
          attributes: {
            a1: "v".repeat(1000),
            a2: "v".repeat(1000),
            a3: "v".repeat(1000),
            a4: "v".repeat(1000),
            a5: "v".repeat(700),
          },
        }),
      "attributes",
      "at most 5000",
      "counting ARNs and URLs at their longest",
    ],
  ];
  for (const [title, build, argument, ...mentions] of cases) {
    it(title, async () => {
      // Networks and backends built inside `build` are prerequisites; only the function fails.
      const error = await h.expectInvalidBelow(build, argument, ...mentions);
      assert.equal(
        error.resource && (await h.resolve(error.resource.urn)).endsWith("::fn-x"),
        true,
      );
    });
  }

  it("rejects the same backend twice", async () => {
    const net = lattice();
    const orders = new MeshedFunction("orders", fnArgs(net));
    await h.settled();
    await h.expectInvalid(
      () => new MeshedFunction("web", fnArgs(net, { backends: [orders, orders] })),
      "backends",
      '"orders"',
      "unique",
    );
  });
});
