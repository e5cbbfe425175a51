import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as h from "../harness";
import { ArgChecker } from "../../components/core/validate";
import {
  MeshNetwork,
  MeshNetworkArgs,
  resolveMeshNetwork,
} from "../../components/aws/mesh-network";
import {
  MeshedFunction,
  MeshedFunctionArgs,
  resolveMeshedFunction,
} from "../../components/aws/meshed-function";
import { fnArgs, quietNetwork, T } from "./fixtures";

/**
 * `pulumi.Input<T>` arguments a program takes from other resources (issue 13): a known value is
 * checked at construction; an Output is checked when it resolves, failing the deployment with
 * the same message; an unknown value (a preview) is not checked. Names of resources stay plain.
 */

const CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders:7";

interface Case {
  /** The argument's full path in the message. */
  path: string;
  good: unknown;
  bad: unknown;
  /** What the message says is allowed. */
  rule: string;
  /** What the schema says of a known value of the wrong type, where it answers first. */
  schemaRule?: string;
  /** Builds args with the value in place, and picks the value's checked form from the result. */
  fn?: (v: unknown) => Partial<MeshedFunctionArgs>;
  net?: (v: unknown) => MeshNetworkArgs;
  pick: (resolved: never) => unknown;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
const cases: Case[] = [
  {
    path: "imageUri",
    good: IMAGE,
    bad: "orders:latest",
    rule: "must be an Amazon ECR image URI",
    fn: (v) => ({ code: undefined, runtime: undefined, imageUri: v as string }),
    pick: (r: any) => r.package.imageUri,
  },
  {
    path: "environment.DB_HOST",
    good: "db.internal",
    bad: 5432,
    rule: "must be a string",
    schemaRule: "5432",
    fn: (v) => ({ environment: { DB_HOST: v as string } }),
    pick: (r: any) => r.variables.DB_HOST,
  },
  {
    path: "vpc.subnetIds[1]",
    good: "subnet-0a1b2c3d",
    bad: "subnet-XYZ",
    rule: "must be a subnet ID, subnet-<hex>",
    fn: (v) => ({ vpc: { subnetIds: ["subnet-1", v as string], securityGroupIds: ["sg-1"] } }),
    pick: (r: any) => r.vpc.subnetIds[1],
  },
  {
    path: "vpc.securityGroupIds[0]",
    good: "sg-0a1b2c3d",
    bad: "default",
    rule: "must be a security group ID, sg-<hex>",
    fn: (v) => ({ vpc: { subnetIds: ["subnet-1"], securityGroupIds: [v as string] } }),
    pick: (r: any) => r.vpc.securityGroupIds[0],
  },
  {
    path: "lattice.customDomain.certificateArn",
    good: CERT,
    bad: "arn:aws:iam::123456789012:server-certificate/x",
    rule: "must be an ACM certificate ARN",
    fn: (v) => ({
      lattice: { customDomain: { domainName: "orders.example.com", certificateArn: v as string } },
    }),
    pick: (r: any) => r.wiring.customDomain.certificateArn,
  },
  {
    path: "lattice.accessLogs.bucketArn",
    good: "arn:aws:s3:::logs/orders",
    bad: "logs",
    rule: "must be an S3 bucket ARN",
    fn: (v) => ({ lattice: { accessLogs: { type: "s3", bucketArn: v as string } } }),
    pick: (r: any) => r.wiring.accessLogs.destinationArn,
  },
  {
    path: "url.invokers[0]",
    good: "arn:aws:iam::210987654321:role/caller",
    bad: "*",
    rule: "`url.public: true`",
    fn: (v) => ({ url: { invokers: [v as string] } }),
    pick: (r: any) => r.url.invokers[0],
  },
  {
    path: "lattice.allowedPrincipals[0]",
    good: "210987654321",
    bad: "arn:aws:iam::210987654321:group/devs",
    rule: "must be a 12-digit AWS account ID",
    fn: (v) => ({ lattice: { allowedPrincipals: [v as string] } }),
    pick: (r: any) => r.wiring.allowedPrincipals[0],
  },
  {
    path: "policyStatements[0].Resource",
    good: "arn:aws:s3:::orders/*",
    bad: "orders",
    rule: 'must be "*" or an ARN',
    fn: (v) => ({
      policyStatements: [{ Effect: "Allow", Action: "s3:GetObject", Resource: v as string }],
    }),
    pick: (r: any) => r.policyStatements[0].Resource,
  },
  {
    path: "lattice.vpcs[0].vpcId",
    good: "vpc-0a1b2c3d",
    bad: "my-vpc",
    rule: "must be a VPC ID, vpc-<hex>",
    net: (v) => ({ lattice: { vpcs: [{ vpcId: v as string }] } }),
    pick: (r: any) => r.vpcs[0].vpcId,
  },
  {
    path: "lattice.vpcs[0].securityGroupIds[0]",
    good: "sg-0a1b2c3d",
    bad: "sg-XYZ",
    rule: "must be a security group ID",
    net: (v) => ({ lattice: { vpcs: [{ vpcId: "vpc-1", securityGroupIds: [v as string] }] } }),
    pick: (r: any) => r.vpcs[0].securityGroupIds[0],
  },
  {
    path: "lattice.allowedPrincipals[0]",
    good: "arn:aws:iam::210987654321:root",
    bad: "*",
    rule: "`lattice.public: true`",
    net: (v) => ({ lattice: { allowedPrincipals: [v as string] } }),
    pick: (r: any) => r.authPolicy.allowedPrincipals[0],
  },
];
/* eslint-enable @typescript-eslint/no-explicit-any */

describe("aws: arguments taken from other resources (pulumi.Input)", () => {
  beforeEach(() => h.reset());

  const resolve = (c: Case, value: unknown): unknown => {
    const check = new ArgChecker();
    if (c.net) return c.pick(resolveMeshNetwork(check, "mesh", c.net(value)) as never);
    const args = fnArgs(quietNetwork("mesh"), c.fn!(value));
    return c.pick(resolveMeshedFunction(check, "orders", args) as never);
  };
  const build = (c: Case, value: unknown) =>
    c.net
      ? new MeshNetwork("mesh", c.net(value))
      : new MeshedFunction("orders", fnArgs(quietNetwork("mesh"), c.fn!(value)));
  const value = async (v: unknown) =>
    (v as { promise(): Promise<unknown> }).promise
      ? (v as { promise(): Promise<unknown> }).promise()
      : v;

  for (const c of cases) {
    describe(c.path, () => {
      it("a known bad value fails at construction", () =>
        (c.net ? h.expectInvalid : h.expectInvalidBelow)(
          () => build(c, c.bad),
          c.path,
          c.schemaRule ?? c.rule,
        ));

      it("an Output resolving to a bad value fails with the same message when it resolves", async () => {
        const known = h.errorMessage(() => resolve(c, c.bad));
        const out = resolve(c, pulumi.output(c.bad));
        assert.ok(pulumi.Output.isInstance(out));
        await assert.rejects(value(out), (e: Error) => e.message === known);
      });

      it("an Output resolving to a good value passes it on; an unknown one is not checked", async () => {
        assert.equal(await value(resolve(c, pulumi.output(c.good))), c.good);
        const unknown = resolve(c, pulumi.output(pulumi.unknown)) as pulumi.Output<unknown>;
        assert.equal(await (unknown as unknown as { isKnown: Promise<boolean> }).isKnown, false);
      });
    });
  }

  it("a whole list from another resource (a VPC's private subnets) is checked when it resolves", async () => {
    const net = quietNetwork("mesh");
    const check = new ArgChecker();
    const subnets = pulumi.output(["subnet-0a1b2c3d", "subnet-0e0f"]);
    const ok = resolveMeshedFunction(
      check,
      "orders",
      fnArgs(net, {
        vpc: { subnetIds: subnets, securityGroupIds: ["sg-1"] },
      }),
    );
    assert.deepEqual(await value(ok.vpc!.subnetIds), ["subnet-0a1b2c3d", "subnet-0e0f"]);
    const bad = resolveMeshedFunction(
      check,
      "orders",
      fnArgs(net, {
        vpc: {
          subnetIds: pulumi.output(["subnet-0a1b2c3d", "public"]),
          securityGroupIds: ["sg-1"],
        },
      }),
    );
    await assert.rejects(
      value(bad.vpc!.subnetIds),
      /^Error: invalid `vpc.subnetIds\[1\]` "public": must be a subnet ID/,
    );
  });

  it("Outputs reach the registered resources as their values", async () => {
    const net = quietNetwork("mesh");
    new MeshedFunction(
      "orders",
      fnArgs(net, {
        code: undefined,
        runtime: undefined,
        imageUri: pulumi.output(IMAGE),
        environment: { DB_HOST: pulumi.output("db.internal") },
        vpc: { subnetIds: pulumi.output(["subnet-1"]), securityGroupIds: [pulumi.output("sg-1")] },
      }),
    );
    await h.settled();
    const fn = h.get(T.lambda, "orders-function").inputs;
    assert.equal(fn.imageUri, IMAGE);
    assert.deepEqual(fn.environment, { variables: { DB_HOST: "db.internal" } });
    assert.deepEqual(fn.vpcConfig, { subnetIds: ["subnet-1"], securityGroupIds: ["sg-1"] });
  });
});
