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
        assert.deepEqual(result.files, ["aws-plan.json", "outputs.json"]);
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
      assert.equal(count("aws:lambda/function:Function"), 3);
      assert.equal(count("aws:lambda/alias:Alias"), 5);
      assert.equal(count("aws:vpclattice/serviceNetwork:ServiceNetwork"), 1);
      assert.equal(count("aws:appmesh/mesh:Mesh"), 1);
      assert.equal(count("aws:servicediscovery/httpNamespace:HttpNamespace"), 2);
      assert.equal(count("aws:servicediscovery/instance:Instance"), 3);
      assert.equal(plan.length, 55);
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
            api: fn("mesh-eu", { image: "img:1", inline: undefined, runtime: undefined }),
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
        'invalid `mesh-serverless:aws.networks.mesh-a.backend` "istio": must be one of "vpc-lattice", "app-mesh"',
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
