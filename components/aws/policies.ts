import * as pulumi from "@pulumi/pulumi";

/**
 * IAM policy documents the AWS components attach, built as plain objects (tests parse and compare
 * them) and serialized once with `policyJson`.
 */

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: "*" | Record<string, string | string[]>;
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

export function policyDocument(statements: PolicyStatement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

/** A document with Output leaves (ARNs), serialized when they are known. */
export function policyJson(document: pulumi.Input<PolicyDocument>): pulumi.Output<string> {
  return pulumi.output(document).apply((d) => JSON.stringify(d));
}

/** Only Lambda may assume a function's execution role. */
export function lambdaAssumeRolePolicy(): PolicyDocument {
  return policyDocument([
    {
      Effect: "Allow",
      Principal: { Service: "lambda.amazonaws.com" },
      Action: "sts:AssumeRole",
    },
  ]);
}

/** AWS managed policies for Lambda execution roles (partition from the role's ARN). */
export const BASIC_EXECUTION_POLICY = "service-role/AWSLambdaBasicExecutionRole";
export const VPC_ACCESS_EXECUTION_POLICY = "service-role/AWSLambdaVPCAccessExecutionRole";

export function managedPolicyArn(partition: string, policy: string): string {
  return `arn:${partition}:iam::aws:policy/${policy}`;
}

/** Partition and account of an ARN (`arn:<partition>:<service>:<region>:<account>:...`). */
export function arnParts(arn: string): { partition: string; region: string; account: string } {
  const [, partition = "aws", , region = "", account = ""] = arn.split(":");
  return { partition, region, account };
}

/** Lattice auth policies must allow `vpc-lattice-svcs:Invoke` on the service's request paths. */
export function latticeInvokeResource(serviceArn: string): string {
  return `${serviceArn}/*`;
}

/**
 * A Lattice auth policy that lets principals of `account` in, and leaves the decision on which
 * service each may call to their identity policies (Lattice requires both to allow).
 * https://docs.aws.amazon.com/vpc-lattice/latest/ug/auth-policies.html
 */
export function latticeAccountAuthPolicy(
  partition: string,
  account: string,
  resource: string,
  extraPrincipals: string[] = [],
): PolicyDocument {
  const principals = [`arn:${partition}:iam::${account}:root`, ...extraPrincipals];
  return policyDocument([
    {
      Effect: "Allow",
      Principal: { AWS: principals.length === 1 ? principals[0] : principals },
      Action: "vpc-lattice-svcs:Invoke",
      Resource: resource,
    },
  ]);
}

/** Identity statement: call these Lattice services. */
export function latticeInvokeStatement(serviceArns: string[]): PolicyStatement {
  return {
    Sid: "InvokeMeshBackends",
    Effect: "Allow",
    Action: "vpc-lattice-svcs:Invoke",
    Resource: serviceArns.map(latticeInvokeResource),
  };
}
