import * as pulumi from "@pulumi/pulumi";
import * as lambda from "@pulumi/aws/lambda";
import * as vpclattice from "@pulumi/aws/vpclattice";
import { childName } from "../core/names";
import { AccessLogs, createAccessLogs } from "./access-logs";
import { LatticeFunctionOptions } from "./function-args";
import { arnParts, latticeAccountAuthPolicy, latticeInvokeResource, policyJson } from "./policies";
import { NormalizedRouting, NormalizedRule } from "./routing";

/**
 * The VPC Lattice side of a MeshedFunction: one LAMBDA target group per alias (with the
 * permission Lattice needs to invoke it, scoped to that target group), a service whose HTTPS
 * listener forwards to the aliases by weight, listener rules ahead of that split, access logs,
 * an optional custom domain, its auth policy and its service-network association.
 */

export interface LatticeWiringInputs {
  name: string;
  parent: pulumi.Resource;
  serviceName: string;
  serviceNetworkId: pulumi.Output<string>;
  defaultAuthType: "AWS_IAM" | "NONE";
  options: LatticeFunctionOptions;
  fn: lambda.Function;
  aliases: { alias: lambda.Alias; name: string; weight: number }[];
  routing: NormalizedRouting["lattice"];
  /**
   * Target group id of an alias of another function on the network (rules forward to them);
   * undefined for this function's own aliases.
   */
  targetGroupOf: (fn: string, alias: string) => pulumi.Output<string> | undefined;
  tags: Record<string, string>;
}

export interface LatticeWiring {
  targetGroups: vpclattice.TargetGroup[];
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
export const LAMBDA_EVENT_STRUCTURE_VERSION = "V2";

/** A rule's match as Lattice takes it (API_HttpMatch). */
export function latticeHttpMatch(m: NormalizedRule["match"]) {
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
  const targetGroups: vpclattice.TargetGroup[] = [];
  const permissions: lambda.Permission[] = [];
  const attachments: vpclattice.TargetGroupAttachment[] = [];
  for (const a of i.aliases) {
    const tg = new vpclattice.TargetGroup(
      childName(i.name, `${a.name}-tg`),
      {
        name: `${i.serviceName}-${a.name}`,
        type: "LAMBDA",
        config: { lambdaEventStructureVersion: LAMBDA_EVENT_STRUCTURE_VERSION },
        tags: i.tags,
      },
      opts,
    );
    // Lattice invokes the alias as itself; the grant names this target group and nothing wider.
    const permission = new lambda.Permission(
      childName(i.name, `${a.name}-lattice-invoke`),
      {
        function: i.fn.name,
        qualifier: a.alias.name,
        action: "lambda:InvokeFunction",
        principal: "vpc-lattice.amazonaws.com",
        sourceArn: tg.arn,
        statementId: `vpc-lattice-${a.name}`,
      },
      opts,
    );
    attachments.push(
      new vpclattice.TargetGroupAttachment(
        childName(i.name, `${a.name}-target`),
        { targetGroupIdentifier: tg.id, target: { id: a.alias.arn } },
        { ...opts, dependsOn: [permission] },
      ),
    );
    targetGroups.push(tg);
    permissions.push(permission);
  }

  const authType = i.options.authType ?? i.defaultAuthType;
  const service = new vpclattice.Service(
    childName(i.name, "lattice"),
    {
      name: i.serviceName,
      authType,
      ...(i.routing.idleTimeoutSeconds !== undefined
        ? { idleTimeoutSeconds: i.routing.idleTimeoutSeconds }
        : {}),
      ...(i.options.customDomain
        ? {
            customDomainName: i.options.customDomain.domainName,
            certificateArn: i.options.customDomain.certificateArn,
          }
        : {}),
      tags: i.tags,
    },
    opts,
  );
  const authPolicy =
    authType === "AWS_IAM"
      ? new vpclattice.AuthPolicy(
          childName(i.name, "lattice-auth"),
          {
            resourceIdentifier: service.arn,
            policy: policyJson(
              service.arn.apply((arn) => {
                const { partition, account } = arnParts(arn);
                return latticeAccountAuthPolicy(
                  partition,
                  account,
                  latticeInvokeResource(arn),
                  i.options.allowedPrincipals,
                );
              }),
            ),
          },
          opts,
        )
      : undefined;
  const listener = new vpclattice.Listener(
    childName(i.name, "https"),
    {
      name: `${i.serviceName}-https`,
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
  const rules = i.routing.rules.map(
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
                targetGroupIdentifier:
                  i.targetGroupOf(t.function, t.alias) ??
                  targetGroups[i.aliases.findIndex((x) => x.name === t.alias)].id,
                weight: t.weight,
              })),
            },
          },
          tags: i.tags,
        },
        opts,
      ),
  );
  const accessLogs = i.options.accessLogs
    ? createAccessLogs(i.name, i.parent, i.options.accessLogs, service.arn, i.serviceName, i.tags)
    : undefined;
  const association = new vpclattice.ServiceNetworkServiceAssociation(
    childName(i.name, "association"),
    { serviceIdentifier: service.id, serviceNetworkIdentifier: i.serviceNetworkId, tags: i.tags },
    { ...opts, dependsOn: [listener, ...rules] },
  );
  const custom = i.options.customDomain?.domainName;
  const address = custom
    ? pulumi.output(`https://${custom}`)
    : service.dnsEntries.apply((entries) => {
        const domain = entries?.[0]?.domainName;
        return domain ? `https://${domain}` : "";
      });
  return {
    targetGroups,
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
