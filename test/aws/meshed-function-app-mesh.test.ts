import { strict as assert } from "assert";
import * as h from "../harness";
import { MeshedFunction } from "../../components/aws/meshed-function";
import {
  CANARY as canary,
  fnArgs,
  fnTags,
  json,
  LAMBDA_ARN as ARN,
  quietNetwork,
  T,
} from "./fixtures";

describe("aws/MeshedFunction on app-mesh", () => {
  beforeEach(() => h.reset());

  it("GIVEN a canary with retries and timeouts THEN nodes per alias URL, a weighted route and a virtual service", async () => {
    const net = quietNetwork("legacy", {
      backend: "app-mesh",
      namespaceName: "serverless.local",
      appMesh: { meshName: "serverless-mesh" },
    });
    const pay = new MeshedFunction(
      "pay",
      fnArgs(net, {
        aliases: canary,
        appMesh: {
          priority: 10,
          retryPolicy: {
            maxRetries: 2,
            perRetryTimeout: "1500ms",
            httpRetryEvents: ["server-error", "gateway-error"],
            tcpRetryEvents: ["connection-error"],
          },
          timeout: { perRequest: "15s", idle: "5m" },
        },
      }),
    );
    new MeshedFunction("shop", fnArgs(net, { backends: [pay] }));
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
        backendDefaults: tls,
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
          match: { prefix: "/" },
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
      variables: { APP_MESH_ENDPOINT: "serverless-mesh.local:8080", ENVOY_LOG_LEVEL: "info" },
    });
    assert.deepEqual(h.get(T.lambda, "shop-function").inputs.environment, {
      variables: {
        APP_MESH_ENDPOINT: "serverless-mesh.local:8080",
        ENVOY_LOG_LEVEL: "info",
        MESH_BACKEND_PAY: "http://pay.serverless.local:80",
      },
    });
    const shopNode = h.get(T.node, "shop-live-node");
    assert.deepEqual((shopNode.inputs.spec as { backends: unknown }).backends, [
      { virtualService: { virtualServiceName: "pay.serverless.local" } },
    ]);
    assert.ok(h.dependencies(shopNode).includes(`${T.virtualService}::pay-virtual-service`));
    const calls = h.get(T.rolePolicy, "shop-backends");
    const aliasArns = [`${ARN}:pay:stable`, `${ARN}:pay:canary`];
    assert.deepEqual(json(calls.inputs.policy), {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "InvokeMeshBackendUrls",
          Effect: "Allow",
          Action: "lambda:InvokeFunctionUrl",
          Resource: aliasArns,
          Condition: { StringEquals: { "lambda:FunctionUrlAuthType": "AWS_IAM" } },
        },
        {
          Sid: "InvokeMeshBackendsViaUrl",
          Effect: "Allow",
          Action: "lambda:InvokeFunction",
          Resource: aliasArns,
          Condition: { Bool: { "lambda:InvokedViaFunctionUrl": "true" } },
        },
      ],
    });
    assert.deepEqual(h.dependencies(calls), [
      `${T.role}::shop-role`,
      `${T.alias}::pay-canary`,
      `${T.alias}::pay-stable`,
    ]);
    assert.deepEqual(h.get(T.instance, "pay-instance").inputs.attributes, {
      ALIASES: "stable=90,canary=10",
      ALIAS_ARN: `${ARN}:pay:stable`,
      FUNCTION_ARN: `${ARN}:pay`,
      MESH_ADDRESS: "http://pay.serverless.local:80",
      MESH_BACKEND: "app-mesh",
      URL: "https://pay-stable-url.lambda-url.us-east-1.on.aws/",
    });
  });

  it("uses the router port and the network's endpoint and log level", async () => {
    const net = quietNetwork("legacy", {
      backend: "app-mesh",
      appMesh: { endpoint: "envoy.internal:15001", envoyLogLevel: "warning" },
    });
    const f = new MeshedFunction("pay", fnArgs(net, { appMesh: { port: 8080 } }));
    await h.settled();
    assert.deepEqual(h.get(T.lambda, "pay-function").inputs.environment, {
      variables: { APP_MESH_ENDPOINT: "envoy.internal:15001", ENVOY_LOG_LEVEL: "warning" },
    });
    assert.equal(await h.resolve(f.meshAddress), "http://pay.legacy:8080");
    const route = h.get(T.route, "pay-route").inputs.spec as Record<string, unknown>;
    assert.equal(route.priority, undefined);
    assert.deepEqual(Object.keys(route.httpRoute as object).sort(), ["action", "match"]);
  });
});
