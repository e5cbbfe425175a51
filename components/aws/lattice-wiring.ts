import * as pulumi from "@pulumi/pulumi";
import * as lambda from "@pulumi/aws/lambda";
import * as vpclattice from "@pulumi/aws/vpclattice";
import { childName } from "../core/names";
import { AccessLogs, createAccessLogs } from "./access-logs";
import { ArgChecker } from "../core/validate";
import { isDns1123Label } from "../core/names";
import type {
  CustomDomainArgs,
  FunctionArgsToResolve,
  ResolvedAlias,
  ResolvedLatticeFunction,
} from "./function-args";
import { resolveAccessLogs } from "./access-logs";
import type { MeshNetworkSettings } from "./mesh-network";
import { resolvePrincipals } from "./policies";
import { latticeAccountAuthPolicy, latticeInvokeResource, policyJson } from "./policies";
import {
  ACM_CERTIFICATE_ARN,
  checkLatticeName,
  LATTICE_CUSTOM_DOMAIN,
  LATTICE_LISTENER_NAME,
  LATTICE_SERVICE_NAME,
  LATTICE_TARGET_GROUP_NAME,
  latticeListenerName,
} from "./limits";
import { AliasLookup, resolveRouting, ResolvedRule, ruleTargetGroupName } from "./routing";

/**
 * The VPC Lattice side of a MeshedFunction: one LAMBDA target group per alias (with the
 * permission Lattice needs to invoke it, scoped to that target group), a service whose HTTPS
 * listener forwards to the aliases by weight, listener rules ahead of that split, access logs,
 * an optional custom domain, its auth policy and its service-network association.
 *
 * A target group serves the listeners of one service only ("To use a target group with a
 * service, you must verify that the target group is not in use by a listener for any other
 * service": https://docs.aws.amazon.com/vpc-lattice/latest/ug/create-target-group.html), so a
 * rule that forwards to another function's alias gets a target group of its own, owned by this
 * service, with its own invoke permission on that alias.
 */

/** An alias of another function on the network that a rule forwards to. */
export interface RuleTargetFunction {
  functionName: pulumi.Output<string>;
  aliasName: pulumi.Output<string>;
  aliasArn: pulumi.Output<string>;
}

export interface LatticeWiringInputs {
  name: string;
  parent: pulumi.Resource;
  serviceNetworkId: pulumi.Output<string>;
  lattice: ResolvedLatticeFunction;
  fn: lambda.Function;
  aliases: { alias: lambda.Alias; name: string; weight: number }[];
  /** An alias of another function on the network (by component name); undefined for this one. */
  otherFunction: (fn: string, alias: string) => RuleTargetFunction | undefined;
  tags: Record<string, string>;
}

export interface LatticeWiring {
  /** One per alias, in the order of the aliases. */
  targetGroups: vpclattice.TargetGroup[];
  /** One per alias of another function that a rule forwards to, keyed `<function>-<alias>`. */
  ruleTargetGroups: Record<string, vpclattice.TargetGroup>;
  permissions: lambda.Permission[];
  attachments: vpclattice.TargetGroupAttachment[];
  service: vpclattice.Service;
  authPolicy?: vpclattice.AuthPolicy;
  listener: vpclattice.Listener;
  rules: vpclattice.ListenerRule[];
  accessLogs?: AccessLogs;
  association: vpclattice.ServiceNetworkServiceAssociation;
  /** `https://<custom domain>`, else `https://<generated Lattice domain>`. */
  address: pulumi.Output<string>;
}

/** Lattice's event structure for Lambda targets; V2 carries the full request. */
const LAMBDA_EVENT_STRUCTURE_VERSION = "V2";

/** A rule's match as Lattice takes it (API_HttpMatch). */
function latticeHttpMatch(m: ResolvedRule["match"]) {
  return {
    httpMatch: {
      ...(m.headers.length
        ? {
            headerMatches: m.headers.map((h) => ({
              name: h.name,
              caseSensitive: h.caseSensitive,
              match: { [h.type]: h.value },
            })),
          }
        : {}),
      ...(m.path
        ? {
            pathMatch: {
              caseSensitive: m.path.caseSensitive,
              match: { [m.path.type]: m.path.value },
            },
          }
        : {}),
      ...(m.method ? { method: m.method } : {}),
    },
  };
}

export function wireLattice(i: LatticeWiringInputs): LatticeWiring {
  const opts = { parent: i.parent };
  const l = i.lattice;
  const targetGroups: vpclattice.TargetGroup[] = [];
  const permissions: lambda.Permission[] = [];
  const attachments: vpclattice.TargetGroupAttachment[] = [];
  // A LAMBDA target group holding one alias, and the grant that lets Lattice invoke the alias
  // through this target group and nothing wider.
  const lambdaTarget = (
    key: string,
    tgName: string,
    fn: {
      functionName: pulumi.Input<string>;
      qualifier: pulumi.Input<string>;
      aliasArn: pulumi.Input<string>;
    },
    statementId: string,
  ) => {
    const tg = new vpclattice.TargetGroup(
      childName(i.name, `${key}-tg`),
      {
        name: tgName,
        type: "LAMBDA",
        config: { lambdaEventStructureVersion: LAMBDA_EVENT_STRUCTURE_VERSION },
        tags: i.tags,
      },
      opts,
    );
    const permission = new lambda.Permission(
      childName(i.name, `${key}-lattice-invoke`),
      {
        function: fn.functionName,
        qualifier: fn.qualifier,
        action: "lambda:InvokeFunction",
        principal: "vpc-lattice.amazonaws.com",
        sourceArn: tg.arn,
        statementId,
      },
      opts,
    );
    attachments.push(
      new vpclattice.TargetGroupAttachment(
        childName(i.name, `${key}-target`),
        { targetGroupIdentifier: tg.id, target: { id: fn.aliasArn } },
        { ...opts, dependsOn: [permission] },
      ),
    );
    permissions.push(permission);
    return tg;
  };
  for (const a of i.aliases)
    targetGroups.push(
      lambdaTarget(
        a.name,
        `${l.serviceName}-${a.name}`,
        { functionName: i.fn.name, qualifier: a.alias.name, aliasArn: a.alias.arn },
        `vpc-lattice-${a.name}`,
      ),
    );
  const ruleTargetGroups: Record<string, vpclattice.TargetGroup> = {};
  for (const t of l.rules.flatMap((r) => r.forward)) {
    const key = `${t.function}-${t.alias}`;
    const other = i.otherFunction(t.function, t.alias);
    if (other === undefined || ruleTargetGroups[key]) continue;
    // The statement lives in the other function's alias policy: named after this service.
    ruleTargetGroups[key] = lambdaTarget(
      `rule-${key}`,
      ruleTargetGroupName(l.serviceName, t.function, t.alias),
      { functionName: other.functionName, qualifier: other.aliasName, aliasArn: other.aliasArn },
      `vpc-lattice-via-${l.serviceName}`,
    );
  }
  const targetGroupOf = (fn: string, alias: string) =>
    ruleTargetGroups[`${fn}-${alias}`] ??
    targetGroups[i.aliases.findIndex((x) => x.name === alias)];

  const service = new vpclattice.Service(
    childName(i.name, "lattice"),
    {
      name: l.serviceName,
      authType: l.authType,
      ...(l.idleTimeoutSeconds !== undefined ? { idleTimeoutSeconds: l.idleTimeoutSeconds } : {}),
      ...(l.customDomain
        ? {
            customDomainName: l.customDomain.domainName,
            certificateArn: l.customDomain.certificateArn,
          }
        : {}),
      tags: i.tags,
    },
    opts,
  );
  const authPolicy =
    l.authType === "AWS_IAM"
      ? new vpclattice.AuthPolicy(
          childName(i.name, "lattice-auth"),
          {
            resourceIdentifier: service.arn,
            policy: policyJson(
              service.arn.apply((arn) =>
                latticeAccountAuthPolicy(arn, latticeInvokeResource(arn), l.allowedPrincipals),
              ),
            ),
          },
          opts,
        )
      : undefined;
  const listener = new vpclattice.Listener(
    childName(i.name, "https"),
    {
      name: latticeListenerName(l.serviceName),
      serviceIdentifier: service.id,
      protocol: "HTTPS",
      port: 443,
      defaultAction: {
        forwards: [
          {
            targetGroups: targetGroups.map((tg, n) => ({
              targetGroupIdentifier: tg.id,
              weight: i.aliases[n].weight,
            })),
          },
        ],
      },
      tags: i.tags,
    },
    { ...opts, dependsOn: attachments },
  );
  const rules = l.rules.map(
    (r) =>
      new vpclattice.ListenerRule(
        childName(i.name, `rule-${r.priority}`),
        {
          name: r.name,
          serviceIdentifier: service.id,
          listenerIdentifier: listener.arn,
          priority: r.priority,
          match: latticeHttpMatch(r.match),
          action: {
            forward: {
              targetGroups: r.forward.map((t) => ({
                targetGroupIdentifier: targetGroupOf(t.function, t.alias).id,
                weight: t.weight,
              })),
            },
          },
          tags: i.tags,
        },
        opts,
      ),
  );
  const accessLogs = l.accessLogs
    ? createAccessLogs(i.name, i.parent, l.accessLogs, service.arn, i.tags)
    : undefined;
  const association = new vpclattice.ServiceNetworkServiceAssociation(
    childName(i.name, "association"),
    { serviceIdentifier: service.id, serviceNetworkIdentifier: i.serviceNetworkId, tags: i.tags },
    { ...opts, dependsOn: [listener, ...rules] },
  );
  const custom = l.customDomain?.domainName;
  const address = custom
    ? pulumi.output(`https://${custom}`)
    : service.dnsEntries.apply((entries) => {
        const domain = entries?.[0]?.domainName;
        return domain ? `https://${domain}` : "";
      });
  return {
    targetGroups,
    ruleTargetGroups,
    permissions,
    attachments,
    service,
    authPolicy,
    listener,
    rules,
    accessLogs,
    association,
    address,
  };
}

/** Checks a function's Lattice options and routing, and applies their defaults. */
export function resolveLatticeFunction(
  check: ArgChecker,
  args: FunctionArgsToResolve,
  functionName: string,
  aliases: ResolvedAlias[],
  network: MeshNetworkSettings,
  aliasesOf: AliasLookup,
): ResolvedLatticeFunction {
  // Options that moved to `routing` are rejected by the schema with where they went
  // (aws/key-hints.ts).
  const lattice = args.lattice ?? {};
  const serviceName = lattice.serviceName ?? functionName;
  checkLatticeName(check, "lattice.serviceName", serviceName, LATTICE_SERVICE_NAME);
  // Its listener is named after it, and listener names may not start with "listener-".
  checkLatticeName(
    check,
    "lattice.serviceName",
    latticeListenerName(serviceName),
    LATTICE_LISTENER_NAME,
  );
  aliases.forEach((a, i) =>
    checkLatticeName(
      check,
      `aliases[${i}].name`,
      `${serviceName}-${a.name}`,
      LATTICE_TARGET_GROUP_NAME,
    ),
  );
  const accessLogs = resolveAccessLogs(
    check,
    "lattice.accessLogs",
    lattice.accessLogs,
    serviceName,
  );
  const customDomain = resolveCustomDomain(check, lattice.customDomain);
  const routing = resolveRouting(check, args.routing, "vpc-lattice", serviceName, aliasesOf);
  return {
    backend: "vpc-lattice",
    serviceName,
    authType: lattice.authType ?? network.latticeAuthType ?? "AWS_IAM",
    allowedPrincipals: resolvePrincipals(
      check,
      "lattice.allowedPrincipals",
      lattice.allowedPrincipals,
      "lattice.public",
      lattice.public,
    ),
    accessLogs,
    customDomain,
    idleTimeoutSeconds: routing.lattice.idleTimeoutSeconds,
    rules: routing.lattice.rules,
  };
}

function resolveCustomDomain(
  check: ArgChecker,
  domain: CustomDomainArgs | undefined,
): CustomDomainArgs | undefined {
  if (domain === undefined) return undefined;
  const name = check.require("lattice.customDomain.domainName", domain.domainName, "is required");
  if (
    typeof name !== "string" ||
    name.length < LATTICE_CUSTOM_DOMAIN.min ||
    name.length > LATTICE_CUSTOM_DOMAIN.max ||
    !name.split(".").every(isDns1123Label) ||
    !name.includes(".")
  )
    check.fail(
      "lattice.customDomain.domainName",
      name,
      `must be a lowercase DNS name of ${LATTICE_CUSTOM_DOMAIN.min}-${LATTICE_CUSTOM_DOMAIN.max} characters with at least two labels`,
    );
  const certificateArn = check.input(
    check.require(
      "lattice.customDomain.certificateArn",
      domain.certificateArn,
      "is required: the HTTPS listener serves the custom domain with your ACM certificate",
    ),
    (arn) =>
      check.pattern(
        "lattice.customDomain.certificateArn",
        arn,
        ACM_CERTIFICATE_ARN,
        "must be an ACM certificate ARN, arn:aws:acm:<region>:<account>:certificate/<uuid>",
      ),
  )!;
  return { domainName: name, certificateArn };
}
