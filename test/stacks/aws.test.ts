import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { render } from "../../cli/render";
import { deployAws } from "../../stacks/aws";
import type { AwsConfig } from "../../stacks/config-types";
import { rejects } from "./run";
import { appMeshWarning } from "../../components/aws/mesh-network";
import * as h from "../harness";

interface PlanResource {
  type: string;
  name: string;
  provider?: string;
  parent?: string;
  dependsOn: string[];
  inputs: Record<string, unknown>;
}

const section = (value: Record<string, unknown>) => value as unknown as AwsConfig;
const fn = (network: string, extra: Record<string, unknown> = {}) => ({
  network,
  runtime: "nodejs22.x",
  inline: "exports.handler = async () => ({});",
  ...extra,
});

const configError = h.expectConfigError;

describe("stacks/aws", () => {
  afterEach(() => h.reset());

  describe("the aws-dev stack renders", () => {
    let plan: PlanResource[];
    let outputs: Record<string, Record<string, Record<string, string>>>;
    let warnings: string[];

    before(async () => {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), "aws-dev-"));
      const calls = await h.captureWarnings(async () => {
        const result = await render({ stack: "aws-dev", out });
        assert.deepEqual(result.files, [
          "aws-plan.json",
          "outputs.json",
          "topology.md",
          "topology.svg",
        ]);
      });
      warnings = calls.map(([msg]) => msg);
      const doc = JSON.parse(fs.readFileSync(path.join(out, "aws-plan.json"), "utf8"));
      assert.equal(doc.stack, "aws-dev");
      plan = doc.resources;
      outputs = JSON.parse(fs.readFileSync(path.join(out, "outputs.json"), "utf8"));
    });

    const one = (type: string, name: string) => {
      const found = plan.filter((r) => r.type === type && r.name === name);
      assert.equal(found.length, 1, `${type}::${name}`);
      return found[0];
    };

    it("has one network per backend, and warns about App Mesh once", () => {
      assert.deepEqual(warnings, [appMeshWarning("legacy-mesh")]);
      const count = (type: string) => plan.filter((r) => r.type === type).length;
      assert.equal(count("aws:lambda/function:Function"), 5);
      assert.equal(count("aws:lambda/alias:Alias"), 7);
      assert.equal(count("aws:vpclattice/serviceNetwork:ServiceNetwork"), 1);
      assert.equal(count("aws:vpclattice/listenerRule:ListenerRule"), 1);
      assert.equal(count("aws:vpclattice/accessLogSubscription:AccessLogSubscription"), 2);
      assert.equal(count("aws:appmesh/mesh:Mesh"), 1);
      assert.equal(count("aws:appmesh/virtualService:VirtualService"), 2);
      assert.equal(count("aws:servicediscovery/httpNamespace:HttpNamespace"), 2);
      assert.equal(count("aws:servicediscovery/instance:Instance"), 5);
      assert.equal(plan.length, 88);
      const names = plan.map((r) => `${r.type}::${r.name}`);
      assert.equal(new Set(names).size, names.length, "resource names are unique per type");
    });

    it("splits orders 90/10 on Lattice and serverless-function 80/20 on App Mesh", () => {
      assert.deepEqual(
        one("aws:vpclattice/listener:Listener", "orders-https").inputs.defaultAction,
        {
          forwards: [
            {
              targetGroups: [
                { targetGroupIdentifier: "orders-stable-tg-id", weight: 90 },
                { targetGroupIdentifier: "orders-canary-tg-id", weight: 10 },
              ],
            },
          ],
        },
      );
      const route = one("aws:appmesh/route:Route", "serverless-function-route");
      assert.deepEqual((route.inputs.spec as { httpRoute: { action: unknown } }).httpRoute.action, {
        weightedTargets: [
          { port: 443, virtualNode: "serverless-function-stable", weight: 80 },
          { port: 443, virtualNode: "serverless-function-canary", weight: 20 },
        ],
      });
      assert.equal(one("aws:lambda/alias:Alias", "orders-stable").inputs.functionVersion, "1");
    });

    it("lets orders call users through Lattice, and only users", () => {
      const calls = one("aws:iam/rolePolicy:RolePolicy", "orders-backends");
      assert.deepEqual(JSON.parse(calls.inputs.policy as string).Statement, [
        {
          Sid: "InvokeMeshBackends",
          Effect: "Allow",
          Action: "vpc-lattice-svcs:Invoke",
          Resource: ["arn:aws:vpc-lattice:eu-west-1:123456789012:service/svc-users/*"],
        },
      ]);
      assert.deepEqual(calls.dependsOn, [
        "aws:iam/role:Role::orders-role",
        "aws:vpclattice/service:Service::users-lattice",
      ]);
      assert.equal(calls.parent, "mesh-serverless:aws:MeshedFunction::orders");
      const orders = one("aws:lambda/function:Function", "orders-function");
      assert.deepEqual(orders.inputs.environment, {
        variables: {
          MESH_BACKEND_USERS: "https://users.eu-west-1.vpc-lattice-svcs.on.aws",
          STAGE: "dev",
        },
      });
      assert.deepEqual(
        plan.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy").map((r) => r.name),
        ["orders-backends"],
      );
    });

    it("sends the seeds' premium users to another function with a Lattice listener rule", () => {
      const rule = one("aws:vpclattice/listenerRule:ListenerRule", "users-rule-10");
      assert.deepEqual(rule.inputs, {
        name: "users-rule-10",
        serviceIdentifier: "users-lattice-id",
        listenerIdentifier: "arn:aws:vpclattice:eu-west-1:123456789012:listener/users-https",
        priority: 10,
        match: {
          httpMatch: {
            headerMatches: [
              { name: "user-type", caseSensitive: true, match: { exact: "premium" } },
            ],
          },
        },
        action: {
          forward: {
            targetGroups: [
              { targetGroupIdentifier: "users-rule-premium-users-live-tg-id", weight: 1 },
            ],
          },
        },
        tags: { "mesh-serverless:component": "MeshedFunction", "mesh-serverless:name": "users" },
      });
      assert.deepEqual(rule.dependsOn, [
        "aws:vpclattice/listener:Listener::users-https",
        "aws:vpclattice/service:Service::users-lattice",
        "aws:vpclattice/targetGroup:TargetGroup::users-rule-premium-users-live-tg",
      ]);
      // Everything else goes to users' own alias. A target group serves one service's
      // listeners, so users reaches the premium function through a target group of its own.
      assert.deepEqual(
        one("aws:vpclattice/listener:Listener", "users-https").inputs.defaultAction,
        {
          forwards: [
            { targetGroups: [{ targetGroupIdentifier: "users-live-tg-id", weight: 100 }] },
          ],
        },
      );
      assert.deepEqual(
        one("aws:lambda/permission:Permission", "users-rule-premium-users-live-lattice-invoke")
          .inputs,
        {
          function: "premium-users",
          qualifier: "live",
          action: "lambda:InvokeFunction",
          principal: "vpc-lattice.amazonaws.com",
          sourceArn:
            "arn:aws:vpc-lattice:eu-west-1:123456789012:targetgroup/tg-users-premium-users-live",
          statementId: "vpc-lattice-via-users",
        },
      );
      assert.deepEqual(
        one(
          "aws:vpclattice/targetGroupAttachment:TargetGroupAttachment",
          "users-rule-premium-users-live-target",
        ).inputs,
        {
          targetGroupIdentifier: "users-rule-premium-users-live-tg-id",
          target: { id: "arn:aws:lambda:eu-west-1:123456789012:function:premium-users:live" },
        },
      );
      assert.deepEqual(
        one(
          "aws:vpclattice/serviceNetworkServiceAssociation:ServiceNetworkServiceAssociation",
          "users-association",
        ).dependsOn,
        [
          "aws:vpclattice/listener:Listener::users-https",
          "aws:vpclattice/listenerRule:ListenerRule::users-rule-10",
          "aws:vpclattice/service:Service::users-lattice",
          "aws:vpclattice/serviceNetwork:ServiceNetwork::dev-mesh-network",
        ],
      );
    });

    it("logs the network to CloudWatch and the users service to S3, and serves orders on its own domain", () => {
      assert.deepEqual(one("aws:cloudwatch/logGroup:LogGroup", "dev-mesh-access-logs").inputs, {
        name: "/aws/vendedlogs/vpc-lattice/dev-mesh",
        retentionInDays: 30,
        tags: { "mesh-serverless:component": "MeshNetwork", "mesh-serverless:name": "dev-mesh" },
      });
      const network = one(
        "aws:vpclattice/accessLogSubscription:AccessLogSubscription",
        "dev-mesh-access-log-subscription",
      );
      assert.equal(
        network.inputs.resourceIdentifier,
        "arn:aws:vpc-lattice:eu-west-1:123456789012:servicenetwork/sn-dev-mesh",
      );
      assert.deepEqual(network.dependsOn, [
        "aws:cloudwatch/logGroup:LogGroup::dev-mesh-access-logs",
        "aws:vpclattice/serviceNetwork:ServiceNetwork::dev-mesh-network",
      ]);
      const users = one(
        "aws:vpclattice/accessLogSubscription:AccessLogSubscription",
        "users-access-log-subscription",
      );
      assert.deepEqual(
        [users.inputs.resourceIdentifier, users.inputs.destinationArn],
        [
          "arn:aws:vpc-lattice:eu-west-1:123456789012:service/svc-users",
          "arn:aws:s3:::mesh-serverless-dev-access-logs/users",
        ],
      );
      const orders = one("aws:vpclattice/service:Service", "orders-lattice").inputs;
      assert.deepEqual(
        [orders.customDomainName, orders.certificateArn, orders.idleTimeoutSeconds],
        [
          "orders.dev.mesh-serverless.example.com",
          "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
          120,
        ],
      );
      assert.equal(
        outputs.awsFunctions.orders.meshAddress,
        "https://orders.dev.mesh-serverless.example.com",
      );
    });

    it("gives App Mesh callers endpoints that name a virtual service and its router's port", () => {
      const env = (name: string) =>
        (
          one("aws:lambda/function:Function", `${name}-function`).inputs.environment as {
            variables: Record<string, string>;
          }
        ).variables;
      const caller = env("legacy-caller");
      // `http://<host>:<port>`, the port written out (URL would drop 80).
      const backend = /^http:\/\/([^/]+)$/.exec(caller.MESH_BACKEND_SERVERLESS_FUNCTION)?.[1];
      const endpoints = [
        backend,
        caller.APP_MESH_ENDPOINT,
        env("serverless-function").APP_MESH_ENDPOINT,
      ];
      assert.deepEqual(endpoints, [
        "serverless-function.serverless.local:80",
        "legacy-caller.serverless.local:80",
        "serverless-function.serverless.local:80",
      ]);
      for (const endpoint of endpoints) {
        const [host, port] = endpoint.split(":");
        const vs = plan.filter(
          (r) => r.type === "aws:appmesh/virtualService:VirtualService" && r.inputs.name === host,
        );
        assert.equal(vs.length, 1, host);
        const routerName = (
          vs[0].inputs.spec as { provider: { virtualRouter: { virtualRouterName: string } } }
        ).provider.virtualRouter.virtualRouterName;
        const router = plan.filter(
          (r) =>
            r.type === "aws:appmesh/virtualRouter:VirtualRouter" && r.inputs.name === routerName,
        );
        assert.equal(router.length, 1, routerName);
        assert.deepEqual(router[0].inputs.spec, {
          listeners: [{ portMapping: { port: Number(port), protocol: "http" } }],
        });
      }
      const callerNode = one("aws:appmesh/virtualNode:VirtualNode", "legacy-caller-live-node");
      assert.deepEqual((callerNode.inputs.spec as { backends: unknown }).backends, [
        {
          virtualService: {
            virtualServiceName: "serverless-function.serverless.local",
            clientPolicy: {
              tls: {
                enforce: true,
                ports: [443],
                validation: {
                  trust: { file: { certificateChain: "/etc/ssl/certs/ca-bundle.crt" } },
                },
              },
            },
          },
        },
      ]);
      assert.deepEqual(
        plan
          .filter((r) => r.type === "aws:lambda/functionUrl:FunctionUrl")
          .map((r) => `${r.name} ${String(r.inputs.authorizationType)}`)
          .sort(),
        [
          "legacy-caller-live-url NONE",
          "serverless-function-canary-url NONE",
          "serverless-function-stable-url NONE",
        ],
      );
    });

    it("returns each function's ARN, alias and mesh address as stack outputs", () => {
      assert.deepEqual(outputs.awsFunctions.users, {
        aliasArn: "arn:aws:lambda:eu-west-1:123456789012:function:users:live",
        cloudMapService: "users",
        functionArn: "arn:aws:lambda:eu-west-1:123456789012:function:users",
        meshAddress: "https://users.eu-west-1.vpc-lattice-svcs.on.aws",
      });
      assert.equal(
        outputs.awsFunctions["serverless-function"].meshAddress,
        "http://serverless-function.serverless.local:80",
      );
      assert.deepEqual(Object.keys(outputs.awsNetworks), ["dev-mesh", "legacy-mesh"]);
      assert.equal(outputs.awsNetworks["legacy-mesh"].meshName, "serverless-mesh");
      assert.deepEqual(outputs.awsNetworks["dev-mesh"], {
        backend: "vpc-lattice",
        cloudMapNamespace: "dev.mesh-serverless.internal",
        namespaceId: "dev-mesh-registry-id",
        serviceNetworkArn: "arn:aws:vpc-lattice:eu-west-1:123456789012:servicenetwork/sn-dev-mesh",
        serviceNetworkName: "dev-mesh",
      });
    });
  });

  describe("deployAws", () => {
    beforeEach(() => h.reset());

    it("builds backends first whatever the order, and puts a network's functions on its provider", async () => {
      const out = deployAws(
        section({
          providers: {
            eu: { region: "eu-west-1", assumeRoleArn: "arn:aws:iam::210987654321:role/deploy" },
          },
          networks: { "mesh-eu": { provider: "eu" } },
          functions: {
            web: fn("mesh-eu", { backends: ["api"] }),
            api: fn("mesh-eu", {
              image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:1",
              inline: undefined,
              runtime: undefined,
            }),
          },
        }),
        {},
      );
      await h.settled();
      const provider = h.get("pulumi:providers:aws", "eu");
      assert.deepEqual(provider.inputs.region, "eu-west-1");
      assert.deepEqual(JSON.parse(provider.inputs.assumeRoles as string), [
        { roleArn: "arn:aws:iam::210987654321:role/deploy" },
      ]);
      const functions = h.resources("aws:lambda/function:Function");
      assert.deepEqual(
        functions.map((r) => r.name),
        ["api-function", "web-function"],
      );
      for (const r of h.resources().filter((r) => r.type.startsWith("aws:")))
        assert.equal(h.providerOf(r), "pulumi:providers:aws::eu", `${r.type}::${r.name}`);
      assert.equal(
        h.get("aws:lambda/function:Function", "api-function").inputs.packageType,
        "Image",
      );
      assert.deepEqual(Object.keys(out.awsFunctions as object), ["api", "web"]);
    });

    it("builds the functions that rules forward to first, and passes routing through", async () => {
      deployAws(
        section({
          networks: { "mesh-a": {} },
          functions: {
            users: fn("mesh-a", {
              routing: {
                timeout: { idle: "90s" },
                rules: [
                  {
                    priority: 5,
                    match: { method: "DELETE" },
                    forward: [{ function: "admin" }],
                  },
                ],
              },
            }),
            admin: fn("mesh-a"),
          },
        }),
        {},
      );
      await h.settled();
      assert.deepEqual(
        h.resources("aws:lambda/function:Function").map((r) => r.name),
        ["admin-function", "users-function"],
      );
      const rule = h.get("aws:vpclattice/listenerRule:ListenerRule", "users-rule-5");
      assert.deepEqual(rule.inputs.match, { httpMatch: { method: "DELETE" } });
      assert.deepEqual(rule.inputs.action, {
        forward: {
          targetGroups: [{ targetGroupIdentifier: "users-rule-admin-live-tg-id", weight: 1 }],
        },
      });
      assert.equal(
        h.get("aws:vpclattice/service:Service", "users-lattice").inputs.idleTimeoutSeconds,
        90,
      );
    });

    it("names the full key of every config mistake", () => {
      const k = "mesh-serverless:aws";
      assert.equal(
        configError(() =>
          deployAws(section({ networks: { "mesh-a": {} }, functions: { f1: fn("nope") } }), {}),
        ),
        `invalid \`${k}.functions.f1.network\` "nope": must name an entry of ${k}.networks`,
      );
      assert.equal(
        configError(() =>
          deployAws(
            section({
              networks: { "mesh-a": {} },
              functions: { f1: fn("mesh-a", { backends: ["ghost"] }) },
            }),
            {},
          ),
        ),
        `invalid \`${k}.functions.f1.backends\` "ghost": must name an entry of ${k}.functions`,
      );
      assert.equal(
        configError(() =>
          deployAws(
            section({
              networks: { "mesh-a": {} },
              functions: {
                f1: fn("mesh-a", { backends: ["f2"] }),
                f2: fn("mesh-a", { backends: ["f1"] }),
              },
            }),
            {},
          ),
        ),
        `invalid \`${k}.functions.f1.backends\` "f1": backends must not form a cycle`,
      );
      assert.equal(
        configError(() => deployAws(section({ networks: { "mesh-a": { provider: "us" } } }), {})),
        `invalid \`${k}.networks.mesh-a.provider\` "us": must name an entry of ${k}.providers`,
      );
      assert.equal(
        configError(() =>
          deployAws(
            section({
              networks: { "mesh-a": {} },
              functions: { f1: fn("mesh-a", { path: "./f1" }) },
            }),
            {},
          ),
        ),
        `invalid \`${k}.functions.f1.path\` "./f1": give one of inline, path or image`,
      );
    });

    it("rejects unknown keys and bad values of the aws section before building anything", async () => {
      const aws = (value: Record<string, unknown>) => ({
        environment: "dev",
        clouds: ["aws"],
        aws: value,
      });
      await rejects(
        aws({ networks: { "mesh-a": { backnd: "app-mesh" } } }),
        /^invalid `mesh-serverless:aws.networks.mesh-a.backnd` "app-mesh": unknown key; did you mean `backend`\?/,
      );
      await rejects(
        aws({ network: {} }),
        /^invalid `mesh-serverless:aws.network` \{\}: unknown key; did you mean `networks`\?/,
      );
      await rejects(
        aws({ networks: { "mesh-a": { backend: "istio" } } }),
        'invalid `mesh-serverless:aws.networks.mesh-a.backend` "istio": must be "vpc-lattice" or "app-mesh"',
      );
      await rejects(
        aws({ functions: { f1: { ...fn("mesh-a"), alias: [] } } }),
        /^invalid `mesh-serverless:aws.functions.f1.alias` \[\]: unknown key; did you mean `aliases`\?/,
      );
    });

    it("leaves argument checks to the components", async () => {
      let error: unknown;
      try {
        deployAws(
          section({
            networks: { "mesh-a": {} },
            functions: { f1: fn("mesh-a", { memorySize: 64 }) },
          }),
          {},
        );
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof pulumi.ResourceError, String(error));
      assert.equal(error.message, "invalid `memorySize` 64: must be an integer from 128 to 10240");
      await h.settled();
      // The network was built; the function registered nothing below itself.
      assert.deepEqual(
        h.resources().filter((r) => h.parentOf(r)?.name === "f1"),
        [],
      );
      assert.equal(h.resources("mesh-serverless:aws:MeshNetwork").length, 1);
    });
  });
});
