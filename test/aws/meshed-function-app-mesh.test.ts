import { strict as assert } from "assert";
import * as h from "../harness";
import { MeshedFunction } from "../../components/aws/meshed-function";
import { APP_MESH_IAM_URL_RULE } from "../../components/aws/function-args";
import {
  CANARY as canary,
  fnArgs,
  fnTags,
  LAMBDA_ARN as ARN,
  quietNetwork,
  retainedOnDelete,
  T,
} from "./fixtures";

/** App Mesh reaches function URLs through Envoy, which cannot sign: URLs with auth NONE. */
const url = { authType: "NONE" } as const;

/** The seed's mesh and namespace. */
const seedMesh = () =>
  quietNetwork("legacy", {
    backend: "app-mesh",
    namespaceName: "serverless.local",
    appMesh: { meshName: "serverless-mesh" },
  });

describe("aws/MeshedFunction on app-mesh", () => {
  beforeEach(() => h.reset());

  it("GIVEN a canary with retries and timeouts THEN nodes per alias URL, a weighted route and a virtual service", async () => {
    const retained = retainedOnDelete();
    const net = seedMesh();
    const pay = new MeshedFunction(
      "pay",
      fnArgs(net, {
        aliases: canary,
        url,
        appMesh: { priority: 10 },
        routing: {
          retries: {
            maxRetries: 2,
            perRetryTimeout: "1500ms",
            httpRetryEvents: ["server-error", "gateway-error"],
            tcpRetryEvents: ["connection-error"],
          },
          timeout: { perRequest: "15s", idle: "5m" },
        },
      }),
    );
    new MeshedFunction("shop", fnArgs(net, { backends: [pay], url }));
    await h.settled();
    const counts = h.countByType();
    assert.equal(counts[T.node], 3);
    assert.equal(counts[T.router], 2);
    assert.equal(counts[T.route], 2);
    assert.equal(counts[T.virtualService], 2);
    assert.equal(counts[T.url], 3);
    assert.equal(counts[T.targetGroup], undefined);
    assert.equal(counts[T.latticeService], undefined);

    const tls = {
      clientPolicy: {
        tls: {
          enforce: true,
          ports: [443],
          validation: { trust: { file: { certificateChain: "/etc/ssl/certs/ca-bundle.crt" } } },
        },
      },
    };
    const node = h.get(T.node, "pay-canary-node");
    assert.deepEqual(node.inputs, {
      meshName: "serverless-mesh",
      name: "pay-canary",
      spec: {
        listeners: [{ portMapping: { port: 443, protocol: "http" } }],
        serviceDiscovery: { dns: { hostname: "pay-canary-url.lambda-url.us-east-1.on.aws" } },
      },
      tags: fnTags("pay"),
    });
    assert.deepEqual(h.dependencies(node), [`${T.mesh}::legacy-mesh`, `${T.url}::pay-canary-url`]);
    assert.deepEqual(h.get(T.router, "pay-router").inputs, {
      meshName: "serverless-mesh",
      name: "pay",
      spec: { listeners: [{ portMapping: { port: 80, protocol: "http" } }] },
      tags: fnTags("pay"),
    });
    const route = h.get(T.route, "pay-route");
    assert.deepEqual(route.inputs, {
      meshName: "serverless-mesh",
      virtualRouterName: "pay",
      name: "pay",
      spec: {
        priority: 10,
        httpRoute: {
          match: { prefix: "/", port: 80 },
          action: {
            weightedTargets: [
              { virtualNode: "pay-stable", weight: 90, port: 443 },
              { virtualNode: "pay-canary", weight: 10, port: 443 },
            ],
          },
          retryPolicy: {
            maxRetries: 2,
            perRetryTimeout: { unit: "ms", value: 1500 },
            httpRetryEvents: ["server-error", "gateway-error"],
            tcpRetryEvents: ["connection-error"],
          },
          timeout: { perRequest: { unit: "s", value: 15 }, idle: { unit: "s", value: 300 } },
        },
      },
      tags: fnTags("pay"),
    });
    assert.deepEqual(h.dependencies(route), [
      `${T.mesh}::legacy-mesh`,
      `${T.node}::pay-canary-node`,
      `${T.node}::pay-stable-node`,
      `${T.router}::pay-router`,
    ]);
    const vs = h.get(T.virtualService, "pay-virtual-service");
    assert.deepEqual(vs.inputs, {
      meshName: "serverless-mesh",
      name: "pay.serverless.local",
      spec: { provider: { virtualRouter: { virtualRouterName: "pay" } } },
      tags: fnTags("pay"),
    });
    assert.deepEqual(h.dependencies(vs), [
      `${T.mesh}::legacy-mesh`,
      `${T.route}::pay-route`,
      `${T.router}::pay-router`,
    ]);

    // The seed's wiring, and the caller's.
    assert.deepEqual(h.get(T.lambda, "pay-function").inputs.environment, {
      variables: { APP_MESH_ENDPOINT: "pay.serverless.local:80", ENVOY_LOG_LEVEL: "info" },
    });
    assert.deepEqual(h.get(T.lambda, "shop-function").inputs.environment, {
      variables: {
        APP_MESH_ENDPOINT: "shop.serverless.local:80",
        ENVOY_LOG_LEVEL: "info",
        MESH_BACKEND_PAY: "http://pay.serverless.local:80",
      },
    });
    // TLS origination sits on the caller's backend: its Envoy opens the connection to the URL.
    const shopNode = h.get(T.node, "shop-live-node");
    assert.deepEqual(shopNode.inputs.spec, {
      listeners: [{ portMapping: { port: 443, protocol: "http" } }],
      serviceDiscovery: { dns: { hostname: "shop-live-url.lambda-url.us-east-1.on.aws" } },
      backends: [{ virtualService: { virtualServiceName: "pay.serverless.local", ...tls } }],
    });
    assert.ok(h.dependencies(shopNode).includes(`${T.virtualService}::pay-virtual-service`));
    // URLs with auth NONE: no identity grant to call them, and none is made.
    assert.deepEqual(h.names(T.rolePolicy), []);
    assert.deepEqual(
      h
        .resources(T.url)
        .map((r) => `${r.name} ${String(r.inputs.authorizationType)}`)
        .sort(),
      ["pay-canary-url NONE", "pay-stable-url NONE", "shop-live-url NONE"],
    );
    // Every App Mesh object is retained on delete; nothing else of the functions is.
    assert.deepEqual(
      [...retained].sort(),
      [
        `${T.mesh}::legacy-mesh`,
        `${T.namespace}::legacy-registry`,
        `${T.route}::pay-route`,
        `${T.route}::shop-route`,
        `${T.node}::pay-canary-node`,
        `${T.node}::pay-stable-node`,
        `${T.node}::shop-live-node`,
        `${T.virtualService}::pay-virtual-service`,
        `${T.virtualService}::shop-virtual-service`,
        `${T.router}::pay-router`,
        `${T.router}::shop-router`,
      ].sort(),
    );
    assert.deepEqual(h.get(T.instance, "pay-instance").inputs.attributes, {
      ALIASES: "stable=90,canary=10",
      ALIAS_ARN: `${ARN}:pay:stable`,
      FUNCTION_ARN: `${ARN}:pay`,
      MESH_ADDRESS: "http://pay.serverless.local:80",
      MESH_BACKEND: "app-mesh",
      URL: "https://pay-stable-url.lambda-url.us-east-1.on.aws/",
    });
  });

  it("uses the router port in the endpoint, the address and the route, and the network's log level", async () => {
    const net = quietNetwork("legacy", {
      backend: "app-mesh",
      appMesh: { envoyLogLevel: "warning" },
    });
    const f = new MeshedFunction("pay", fnArgs(net, { url, appMesh: { port: 8080 } }));
    await h.settled();
    assert.deepEqual(h.get(T.lambda, "pay-function").inputs.environment, {
      variables: { APP_MESH_ENDPOINT: "pay.legacy:8080", ENVOY_LOG_LEVEL: "warning" },
    });
    assert.equal(await h.resolve(f.meshAddress), "http://pay.legacy:8080");
    const route = h.get(T.route, "pay-route").inputs.spec as Record<string, unknown>;
    assert.equal(route.priority, undefined);
    assert.deepEqual(Object.keys(route.httpRoute as object).sort(), ["action", "match"]);
    assert.deepEqual((route.httpRoute as { match: unknown }).match, { prefix: "/", port: 8080 });
  });

  it("rejects a function URL with AWS_IAM auth, given or by default, and says why and what instead", async () => {
    for (const given of [undefined, { authType: "AWS_IAM" as const }]) {
      await h.reset();
      const net = quietNetwork("legacy", { backend: "app-mesh" });
      const error = await h.expectInvalidBelow(
        () => new MeshedFunction("pay", fnArgs(net, given ? { url: given } : {})),
        "url.authType",
        given ? '"AWS_IAM"' : '"AWS_IAM (the default)"',
      );
      assert.ok(error.message.endsWith(APP_MESH_IAM_URL_RULE));
      for (const why of ["SigV4", "403", '"vpc-lattice"', '"NONE"', "authenticate requests"])
        assert.ok(APP_MESH_IAM_URL_RULE.includes(why), why);
    }
  });

  it("follows a call from the caller's environment to the function URL, checking every name and port", async () => {
    const net = seedMesh();
    const pay = new MeshedFunction(
      "pay",
      fnArgs(net, { aliases: canary, url, appMesh: { port: 8080 } }),
    );
    new MeshedFunction("shop", fnArgs(net, { backends: [pay], url }));
    await h.settled();
    type Spec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const spec = (type: string, name: string) => h.get(type, name).inputs.spec as Spec;
    const byName = (type: string, name: string) => {
      const found = h.resources(type).filter((r) => r.inputs.name === name);
      assert.equal(found.length, 1, `one ${type} named ${name}`);
      return found[0];
    };

    // 1. The caller's environment names the backend: http://<virtual service>:<port>.
    const env = (h.get(T.lambda, "shop-function").inputs.environment as Spec).variables;
    const target = new URL(env.MESH_BACKEND_PAY);
    assert.equal(target.protocol, "http:");
    // 2. The caller's node lists that virtual service as a backend, TLS on the URL port.
    const callerBackends = spec(T.node, "shop-live-node").backends as Spec[];
    assert.deepEqual(
      callerBackends.map((b) => b.virtualService.virtualServiceName),
      [target.hostname],
    );
    const tlsPorts = callerBackends[0].virtualService.clientPolicy.tls.ports as number[];
    // 3. The virtual service of that name is provided by a router ...
    const vs = byName(T.virtualService, target.hostname);
    assert.equal(vs.inputs.meshName, "serverless-mesh");
    const routerName = (vs.inputs.spec as Spec).provider.virtualRouter.virtualRouterName;
    // 4. ... that listens on the port the caller dials ...
    const router = byName(T.router, routerName);
    const listenerPorts = (router.inputs.spec as Spec).listeners.map(
      (l: Spec) => l.portMapping.port,
    );
    assert.deepEqual(listenerPorts, [Number(target.port)]);
    // 5. ... and whose route matches that port and sends to nodes on their listener ports ...
    const routes = h.resources(T.route).filter((r) => r.inputs.virtualRouterName === routerName);
    assert.equal(routes.length, 1);
    const http = (routes[0].inputs.spec as Spec).httpRoute;
    assert.equal(http.match.port, Number(target.port));
    const targets = http.action.weightedTargets as Spec[];
    assert.deepEqual(
      targets.map((t) => [t.virtualNode, t.weight]),
      [
        ["pay-stable", 90],
        ["pay-canary", 10],
      ],
    );
    for (const t of targets) {
      const node = byName(T.node, t.virtualNode);
      const nodeSpec = node.inputs.spec as Spec;
      assert.deepEqual(
        nodeSpec.listeners.map((l: Spec) => l.portMapping.port),
        [t.port],
      );
      // 6. ... where the caller originates TLS ...
      assert.deepEqual(tlsPorts, [t.port]);
      // 7. ... to the function URL of the alias the node stands for.
      const alias = String(t.virtualNode).replace(/^pay-/, "");
      const urlOfAlias = h.get(T.url, `pay-${alias}-url`);
      assert.equal(urlOfAlias.inputs.qualifier, alias);
      assert.equal(
        nodeSpec.serviceDiscovery.dns.hostname,
        `pay-${alias}-url.lambda-url.us-east-1.on.aws`,
      );
      assert.equal(t.port, 443);
    }
    // The callee's own APP_MESH_ENDPOINT is the same virtual service and port.
    const payEnv = (h.get(T.lambda, "pay-function").inputs.environment as Spec).variables;
    assert.equal(payEnv.APP_MESH_ENDPOINT, target.host);
  });
});
