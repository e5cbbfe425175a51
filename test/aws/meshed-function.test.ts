import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { Provider } from "@pulumi/aws/provider";
import * as h from "../harness";
import { SECRET_PLACEHOLDER } from "../../cli/engine";
import { MeshedFunction } from "../../components/aws/meshed-function";
import {
  ACCOUNT,
  CANARY as canary,
  expectLambdaTarget,
  fnArgs,
  fnTags,
  json,
  LAMBDA_ARN as ARN,
  LATTICE_ARN as LATTICE,
  quietNetwork,
  T,
} from "./fixtures";

describe("aws/MeshedFunction on vpc-lattice", () => {
  beforeEach(() => h.reset());

  it("GIVEN defaults THEN role, function, one alias, Lattice target, service, listener and Cloud Map entry", async () => {
    const net = quietNetwork("mesh");
    const f = new MeshedFunction("orders", fnArgs(net));
    await h.settled();
    const counts = h.countByType();
    delete counts[T.network];
    delete counts[T.namespace];
    delete counts[T.serviceNetwork];
    assert.deepEqual(counts, {
      [T.fn]: 1,
      [T.role]: 1,
      [T.attachment]: 1,
      [T.lambda]: 1,
      [T.alias]: 1,
      [T.targetGroup]: 1,
      [T.permission]: 1,
      [T.target]: 1,
      [T.latticeService]: 1,
      [T.authPolicy]: 2, // the network's and the service's
      [T.listener]: 1,
      [T.association]: 1,
      [T.cmService]: 1,
      [T.instance]: 1,
    });
    for (const r of h
      .resources()
      .filter((r) => r.type.startsWith("aws:") && r.name.startsWith("orders")))
      assert.equal(h.parentOf(r)?.type, T.fn, r.name);

    const role = h.get(T.role, "orders-role");
    assert.deepEqual(json(role.inputs.assumeRolePolicy), {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "lambda.amazonaws.com" },
          Action: "sts:AssumeRole",
        },
      ],
    });
    assert.deepEqual(h.get(T.attachment, "orders-logs").inputs, {
      role: "orders-role",
      policyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    });
    assert.deepEqual(h.names(T.rolePolicy), []);

    const fn = h.get(T.lambda, "orders-function");
    const { code: archive, ...inputs } = fn.inputs;
    assert.deepEqual(inputs, {
      name: "orders",
      role: `arn:aws:iam::${ACCOUNT}:role/orders-role`,
      publish: true,
      packageType: "Zip",
      runtime: "nodejs22.x",
      handler: "index.handler",
      memorySize: 128,
      timeout: 3,
      tags: fnTags("orders"),
    });
    assert.ok(archive && typeof archive === "object" && "archive" in archive);
    assert.deepEqual(h.dependencies(fn), [
      `${T.role}::orders-role`,
      `${T.attachment}::orders-logs`,
    ]);

    assert.deepEqual(h.get(T.alias, "orders-live").inputs, {
      name: "live",
      functionName: "orders",
      functionVersion: "1",
    });
    expectLambdaTarget("orders", "live", {
      fn: "orders",
      alias: "live",
      tgName: "orders-live",
      statementId: "vpc-lattice-live",
    });
    assert.deepEqual(h.get(T.latticeService, "orders-lattice").inputs, {
      name: "orders",
      authType: "AWS_IAM",
      tags: fnTags("orders"),
    });
    const auth = h.get(T.authPolicy, "orders-lattice-auth");
    assert.equal(auth.inputs.resourceIdentifier, `${LATTICE}:service/svc-orders`);
    assert.deepEqual(json(auth.inputs.policy), {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: "vpc-lattice-svcs:Invoke",
          Resource: `${LATTICE}:service/svc-orders/*`,
        },
      ],
    });
    const listener = h.get(T.listener, "orders-https");
    assert.deepEqual(listener.inputs, {
      name: "orders-https",
      serviceIdentifier: "orders-lattice-id",
      protocol: "HTTPS",
      port: 443,
      defaultAction: {
        forwards: [{ targetGroups: [{ targetGroupIdentifier: "orders-live-tg-id", weight: 100 }] }],
      },
      tags: fnTags("orders"),
    });
    assert.deepEqual(h.dependencies(listener), [
      `${T.latticeService}::orders-lattice`,
      `${T.targetGroup}::orders-live-tg`,
      `${T.target}::orders-live-target`,
    ]);
    const association = h.get(T.association, "orders-association");
    assert.deepEqual(association.inputs, {
      serviceIdentifier: "orders-lattice-id",
      serviceNetworkIdentifier: "mesh-network-id",
      tags: fnTags("orders"),
    });
    assert.deepEqual(h.dependencies(association), [
      `${T.listener}::orders-https`,
      `${T.latticeService}::orders-lattice`,
      `${T.serviceNetwork}::mesh-network`,
    ]);
    assert.deepEqual(h.get(T.cmService, "orders-registration").inputs, {
      name: "orders",
      namespaceId: "mesh-registry-id",
      type: "HTTP",
      description: "mesh-serverless function orders",
      tags: fnTags("orders"),
    });
    assert.deepEqual(h.get(T.instance, "orders-instance").inputs, {
      serviceId: "orders-registration-id",
      instanceId: "orders",
      attributes: {
        ALIASES: "live=100",
        ALIAS_ARN: `${ARN}:orders:live`,
        FUNCTION_ARN: `${ARN}:orders`,
        MESH_ADDRESS: "https://orders.us-east-1.vpc-lattice-svcs.on.aws",
        MESH_BACKEND: "vpc-lattice",
      },
    });
    assert.equal(
      await h.resolve(f.meshAddress),
      "https://orders.us-east-1.vpc-lattice-svcs.on.aws",
    );
    assert.equal(await h.resolve(f.aliasArn), `${ARN}:orders:live`);
    assert.equal(f.url, undefined);
  });

  it("GIVEN a canary, a VPC, extra statements, secret env and URLs THEN each is wired exactly", async () => {
    const net = quietNetwork("mesh");
    const f = new MeshedFunction(
      "orders",
      fnArgs(net, {
        aliases: canary,
        memorySize: 1024,
        timeout: 30,
        environment: { DB_PASSWORD: pulumi.secret("hunter2"), STAGE: "dev" },
        vpc: { subnetIds: ["subnet-1"], securityGroupIds: ["sg-1"] },
        policyStatements: [
          {
            Effect: "Allow",
            Action: "dynamodb:GetItem",
            Resource: "arn:aws:dynamodb:us-east-1:123456789012:table/orders",
          },
        ],
        url: true,
        attributes: { team: "payments" },
        lattice: { allowedPrincipals: ["210987654321"] },
        routing: { timeout: { idle: "2m" } },
      }),
    );
    await h.settled();
    assert.deepEqual(h.get(T.attachment, "orders-vpc-access").inputs, {
      role: "orders-role",
      policyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
    });
    const extra = h.get(T.rolePolicy, "orders-extra");
    assert.deepEqual(json(extra.inputs.policy), {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: "dynamodb:GetItem",
          Resource: "arn:aws:dynamodb:us-east-1:123456789012:table/orders",
        },
      ],
    });
    const fn = h.get(T.lambda, "orders-function");
    assert.equal(fn.inputs.memorySize, 1024);
    assert.equal(fn.inputs.timeout, 30);
    assert.deepEqual(fn.inputs.vpcConfig, { subnetIds: ["subnet-1"], securityGroupIds: ["sg-1"] });
    assert.deepEqual(fn.inputs.environment, {
      variables: { DB_PASSWORD: "hunter2", STAGE: "dev" },
    });
    assert.deepEqual(fn.redacted.environment, {
      variables: { DB_PASSWORD: SECRET_PLACEHOLDER, STAGE: "dev" },
    });
    assert.deepEqual(h.dependencies(fn), [
      `${T.role}::orders-role`,
      `${T.rolePolicy}::orders-extra`,
      `${T.attachment}::orders-logs`,
      `${T.attachment}::orders-vpc-access`,
    ]);
    // The secret never reaches tags or Cloud Map.
    for (const r of h.resources().filter((r) => r.type !== T.lambda))
      assert.ok(
        !JSON.stringify(r.inputs).includes("hunter2"),
        `${r.type}::${r.name} holds the secret`,
      );

    assert.equal(h.get(T.alias, "orders-stable").inputs.functionVersion, "3");
    assert.equal(h.get(T.alias, "orders-canary").inputs.functionVersion, "1");
    assert.deepEqual(h.names(T.targetGroup), ["orders-canary-tg", "orders-stable-tg"]);
    assert.deepEqual(h.get(T.listener, "orders-https").inputs.defaultAction, {
      forwards: [
        {
          targetGroups: [
            { targetGroupIdentifier: "orders-stable-tg-id", weight: 90 },
            { targetGroupIdentifier: "orders-canary-tg-id", weight: 10 },
          ],
        },
      ],
    });
    assert.equal(h.get(T.latticeService, "orders-lattice").inputs.idleTimeoutSeconds, 120);
    assert.deepEqual(
      json(h.get(T.authPolicy, "orders-lattice-auth").inputs.policy).Statement[0].Principal,
      {
        AWS: [`arn:aws:iam::${ACCOUNT}:root`, "210987654321"],
      },
    );

    assert.deepEqual(h.get(T.url, "orders-canary-url").inputs, {
      functionName: "orders",
      qualifier: "canary",
      authorizationType: "AWS_IAM",
    });
    assert.deepEqual(h.names(T.url), ["orders-canary-url", "orders-stable-url"]);
    // Both permissions a URL caller needs since October 2025, per alias.
    assert.deepEqual(h.get(T.permission, "orders-stable-url-invoke-0").inputs, {
      function: "orders",
      qualifier: "stable",
      principal: ACCOUNT,
      action: "lambda:InvokeFunctionUrl",
      functionUrlAuthType: "AWS_IAM",
      statementId: "url-invoke-url-0",
    });
    assert.deepEqual(h.get(T.permission, "orders-stable-url-function-0").inputs, {
      function: "orders",
      qualifier: "stable",
      principal: ACCOUNT,
      action: "lambda:InvokeFunction",
      invokedViaFunctionUrl: true,
      statementId: "url-invoke-function-0",
    });
    assert.deepEqual(h.names(T.permission), [
      "orders-canary-lattice-invoke",
      "orders-canary-url-function-0",
      "orders-canary-url-invoke-0",
      "orders-stable-lattice-invoke",
      "orders-stable-url-function-0",
      "orders-stable-url-invoke-0",
    ]);
    assert.deepEqual(h.get(T.instance, "orders-instance").inputs.attributes, {
      ALIASES: "stable=90,canary=10",
      ALIAS_ARN: `${ARN}:orders:stable`,
      FUNCTION_ARN: `${ARN}:orders`,
      MESH_ADDRESS: "https://orders.us-east-1.vpc-lattice-svcs.on.aws",
      MESH_BACKEND: "vpc-lattice",
      URL: "https://orders-stable-url.lambda-url.us-east-1.on.aws/",
      team: "payments",
    });
    assert.equal(await h.resolve(f.url!), "https://orders-stable-url.lambda-url.us-east-1.on.aws/");
  });

  it("URL with auth NONE grants the public principal; explicit invokers get both grants each", async () => {
    const net = quietNetwork("mesh");
    new MeshedFunction("pub", fnArgs(net, { url: { authType: "NONE" } }));
    new MeshedFunction(
      "xacct",
      fnArgs(net, { url: { invokers: ["111122223333", "444455556666"] } }),
    );
    await h.settled();
    assert.equal(h.get(T.url, "pub-live-url").inputs.authorizationType, "NONE");
    assert.equal(h.get(T.permission, "pub-live-url-invoke-0").inputs.principal, "*");
    assert.equal(h.get(T.permission, "pub-live-url-invoke-0").inputs.functionUrlAuthType, "NONE");
    assert.equal(h.get(T.permission, "pub-live-url-function-0").inputs.principal, "*");
    assert.deepEqual(
      h
        .resources(T.permission)
        .filter((p) => p.name.startsWith("xacct-live-url"))
        .map((p) => [p.name, p.inputs.principal, p.inputs.action]),
      [
        ["xacct-live-url-invoke-0", "111122223333", "lambda:InvokeFunctionUrl"],
        ["xacct-live-url-function-0", "111122223333", "lambda:InvokeFunction"],
        ["xacct-live-url-invoke-1", "444455556666", "lambda:InvokeFunctionUrl"],
        ["xacct-live-url-function-1", "444455556666", "lambda:InvokeFunction"],
      ],
    );
  });

  it("GIVEN a backend THEN the caller may invoke exactly that Lattice service and learns its address", async () => {
    const net = quietNetwork("mesh");
    const orders = new MeshedFunction("orders", fnArgs(net));
    const users = new MeshedFunction("users-api", fnArgs(net, { lattice: { authType: "NONE" } }));
    new MeshedFunction(
      "web",
      fnArgs(net, { backends: [orders, users], environment: { STAGE: "dev" } }),
    );
    await h.settled();
    const calls = h.get(T.rolePolicy, "web-backends");
    assert.equal(calls.inputs.role, "web-role");
    assert.deepEqual(json(calls.inputs.policy), {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "InvokeMeshBackends",
          Effect: "Allow",
          Action: "vpc-lattice-svcs:Invoke",
          Resource: [`${LATTICE}:service/svc-orders/*`, `${LATTICE}:service/svc-users-api/*`],
        },
      ],
    });
    assert.deepEqual(h.dependencies(calls), [
      `${T.role}::web-role`,
      `${T.latticeService}::orders-lattice`,
      `${T.latticeService}::users-api-lattice`,
    ]);
    const fn = h.get(T.lambda, "web-function");
    assert.deepEqual(fn.inputs.environment, {
      variables: {
        MESH_BACKEND_ORDERS: "https://orders.us-east-1.vpc-lattice-svcs.on.aws",
        MESH_BACKEND_USERS_API: "https://users-api.us-east-1.vpc-lattice-svcs.on.aws",
        STAGE: "dev",
      },
    });
    assert.ok(h.dependencies(fn).includes(`${T.rolePolicy}::web-backends`));
    // A service with auth NONE has no auth policy.
    assert.deepEqual(h.names(T.authPolicy), [
      "mesh-auth",
      "orders-lattice-auth",
      "web-lattice-auth",
    ]);
    assert.equal(h.get(T.latticeService, "users-api-lattice").inputs.authType, "NONE");
  });

  it("runs an image, and takes the caller's provider for every child", async () => {
    const provider = new Provider("eu", { region: "eu-west-1" });
    const net = quietNetwork("mesh-eu");
    new MeshedFunction(
      "img",
      {
        network: net,
        imageUri: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/img:1",
        memorySize: 10240,
        timeout: 900,
      },
      { providers: { aws: provider } },
    );
    await h.settled();
    const fn = h.get(T.lambda, "img-function");
    assert.equal(fn.inputs.packageType, "Image");
    assert.equal(fn.inputs.imageUri, "123456789012.dkr.ecr.eu-west-1.amazonaws.com/img:1");
    assert.equal(fn.inputs.runtime, undefined);
    assert.equal(fn.inputs.handler, undefined);
    const children = h
      .resources()
      .filter((r) => r.type.startsWith("aws:") && r.name.startsWith("img"));
    assert.equal(children.length, 13);
    for (const r of children) assert.equal(h.providerOf(r), "pulumi:providers:aws::eu", r.name);
    assert.equal(h.get(T.alias, "img-live").inputs.functionName, "img");
    assert.match(
      String(h.get(T.permission, "img-live-lattice-invoke").inputs.sourceArn),
      /:eu-west-1:/,
    );
  });
});
