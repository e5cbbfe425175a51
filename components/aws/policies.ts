import * as pulumi from "@pulumi/pulumi";
import { ArgChecker } from "../core/validate";

/**
 * IAM policy documents the AWS components attach, built as plain objects (tests parse and compare
 * them) and serialized once with `JSON.stringify` (`policyJson`): a user's value is only ever a
 * JSON string inside them, never pasted into policy text.
 */

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: "*" | Record<string, string | string[]>;
  Action: string | string[];
  /** ARNs may come from other resources (a bucket's `arn`): checked when known. */
  Resource?: pulumi.Input<string> | pulumi.Input<string>[];
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
 * A Lattice auth policy for the network or service `arn` that lets principals of its account in,
 * and leaves the decision on which service each may call to their identity policies (Lattice
 * requires both to allow). `extra` principals are let in too; `["*"]` (a `public` network or
 * service) lets every principal in. https://docs.aws.amazon.com/vpc-lattice/latest/ug/auth-policies.html
 */
export function latticeAccountAuthPolicy(
  arn: string,
  resource: string,
  extraPrincipals: pulumi.Input<string>[] = [],
): pulumi.Output<PolicyDocument> {
  const { partition, account } = arnParts(arn);
  const everyone = extraPrincipals.length === 1 && extraPrincipals[0] === "*";
  const principals = everyone ? "*" : [`arn:${partition}:iam::${account}:root`, ...extraPrincipals];
  return pulumi.output(principals).apply((aws) =>
    policyDocument([
      {
        Effect: "Allow",
        Principal: { AWS: Array.isArray(aws) && aws.length === 1 ? aws[0] : aws },
        Action: "vpc-lattice-svcs:Invoke",
        Resource: resource,
      },
    ]),
  );
}

/**
 * The services a network's auth policy covers: every Lattice service of the network's account
 * and Region (`arn:<partition>:vpc-lattice:<region>:<account>:service/*`), instead of `*`.
 * Requests are authorized against `<service ARN>/<path>` ("Resource format for auth policies",
 * https://docs.aws.amazon.com/vpc-lattice/latest/ug/auth-policies.html).
 */
export function latticeServicesResource(serviceNetworkArn: string): string {
  const { partition, region, account } = arnParts(serviceNetworkArn);
  return `arn:${partition}:vpc-lattice:${region}:${account}:service/*`;
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

/**
 * Principals a policy the package writes may name: a 12-digit account ID, or the ARN of an
 * account root, an IAM user or role (with its path), or an assumed-role session. No wildcard may
 * match part of a principal, and IAM groups and instance profiles are not principals.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 */
const IAM_NAME = "[\\w+=,.@-]{1,128}";
export const AWS_PRINCIPAL = new RegExp(
  `^(\\d{12}|arn:aws(-[a-z]+)*:iam::\\d{12}:(root|(user|role)(/[\\w+=,.@-]+)*/${IAM_NAME})` +
    `|arn:aws(-[a-z]+)*:sts::\\d{12}:assumed-role/${IAM_NAME}/[\\w+=,.@-]{2,64})$`,
);
export const AWS_PRINCIPAL_RULE =
  "must be a 12-digit AWS account ID or the ARN of an account root, an IAM user or role, or an " +
  "assumed-role session (arn:aws:iam::<account>:root|user/<name>|role/<name>, " +
  "arn:aws:sts::<account>:assumed-role/<role>/<session>), without wildcards " +
  "(IAM reference_policies_elements_principal)";

/** What "*" as a principal grants, and the flag that says it on purpose. */
function everyoneRule(flag: string): string {
  return `grants every AWS principal of every account; set \`${flag}: true\` to do that on purpose`;
}

/**
 * Checks a list of principals (each may be an Output: checked when it resolves, never in a
 * preview) and applies `public`: "*" only through the flag named `flag`, which stands for the
 * whole list. Returns the principals to grant.
 */
export function resolvePrincipals(
  check: ArgChecker,
  at: string,
  given: pulumi.Input<string>[] | undefined,
  flag: string,
  isPublic: boolean | undefined,
): pulumi.Input<string>[] {
  if (isPublic) {
    if (given !== undefined && given.length > 0)
      check.fail(at, given, `has no effect with \`${flag}: true\`, which lets every principal in`);
    return ["*"];
  }
  return (given ?? []).map((p, i) =>
    check.input(p, (known) => {
      if (known === "*") check.fail(`${at}[${i}]`, known, everyoneRule(flag));
      check.pattern(`${at}[${i}]`, known, AWS_PRINCIPAL, AWS_PRINCIPAL_RULE);
    })!,
  );
}

/** IAM actions: `service:Action` (the action may hold `*` and `?`), or `*`. */
const IAM_ACTION = /^(\*|[a-z0-9-]+:[A-Za-z0-9*?]+)$/;
/** `Sid`: ASCII letters and digits. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html */
const IAM_SID = /^[A-Za-z0-9]*$/;
/** Resources of an identity policy: `*` or an ARN. */
const IAM_RESOURCE = /^(\*|arn:[^\s]+)$/;

const asList = <T>(v: T | T[] | undefined): T[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

/**
 * Checks the statements a caller adds to a function's execution role (an identity policy: no
 * `Principal`, a `Resource` required, per the IAM JSON policy reference) and keeps least
 * privilege unless the caller says otherwise: an Allow of every action (`*`), or of every action
 * of a service (`s3:*`) on every resource (`*`), needs `flag: true`.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
 */
export function resolveIdentityStatements(
  check: ArgChecker,
  at: string,
  statements: PolicyStatement[] | undefined,
  flag: string,
  allowWildcards: boolean | undefined,
): PolicyStatement[] {
  return (statements ?? []).map((s, i) => {
    const here = `${at}[${i}]`;
    check.pattern(`${here}.Sid`, s.Sid, IAM_SID, "must be ASCII letters and digits only");
    if (s.Principal !== undefined)
      check.fail(
        `${here}.Principal`,
        s.Principal,
        "is not allowed in an identity-based policy: the role the statement is attached to is the principal",
      );
    const actions = asList(s.Action);
    if (actions.length === 0) check.fail(`${here}.Action`, s.Action, "must name an action");
    actions.forEach((a, j) =>
      check.pattern(
        Array.isArray(s.Action) ? `${here}.Action[${j}]` : `${here}.Action`,
        a,
        IAM_ACTION,
        'must be "service:Action" (the action may use * and ?) or "*"',
      ),
    );
    const limited = s.Effect === "Allow" && !allowWildcards;
    if (limited && actions.includes("*"))
      check.fail(
        `${here}.Action`,
        s.Action,
        `allows every action of every service; name the actions, or set \`${flag}: true\` to grant them on purpose`,
      );
    const serviceWide = limited ? actions.find((a) => /^[a-z0-9-]+:\*+$/.test(a)) : undefined;
    const resources = asList(s.Resource);
    if (resources.length === 0)
      check.fail(`${here}.Resource`, s.Resource, "is required in an identity-based policy");
    const checked = resources.map((r, j) =>
      check.input(r, (known) => {
        check.pattern(
          Array.isArray(s.Resource) ? `${here}.Resource[${j}]` : `${here}.Resource`,
          known,
          IAM_RESOURCE,
          'must be "*" or an ARN',
        );
        if (serviceWide !== undefined && known === "*")
          check.fail(
            `${here}.Action`,
            s.Action,
            `allows every action of ${serviceWide.split(":")[0]} on every resource (Resource "*"); name the actions or the resources, or set \`${flag}: true\` to grant them on purpose`,
          );
      })!,
    );
    return { ...s, Resource: Array.isArray(s.Resource) ? checked : checked[0] };
  });
}

/**
 * Checks a caller's auth policy (a resource policy): every statement names its principals, each a
 * valid AWS principal or, only with `flag: true`, everyone ("*").
 */
export function checkResourcePolicy(
  check: ArgChecker,
  at: string,
  document: PolicyDocument,
  flag: string,
  isPublic: boolean | undefined,
): void {
  document.Statement.forEach((s, i) => {
    const here = `${at}.Statement[${i}].Principal`;
    const principal = check.require(here, s.Principal, "is required in a resource policy");
    const aws = principal === "*" ? "*" : principal.AWS;
    for (const [j, p] of asList(aws).entries()) {
      const path = Array.isArray(aws)
        ? `${here}.AWS[${j}]`
        : principal === "*"
          ? here
          : `${here}.AWS`;
      if (p === "*") {
        if (s.Effect === "Allow" && !isPublic) check.fail(path, p, everyoneRule(flag));
      } else check.pattern(path, p, AWS_PRINCIPAL, AWS_PRINCIPAL_RULE);
    }
  });
}
