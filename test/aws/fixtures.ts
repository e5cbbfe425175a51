import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as h from "../harness";
import type { RecordedResource } from "../../cli/engine";
import { MeshNetwork, MeshNetworkArgs } from "../../components/aws/mesh-network";
import { MeshedFunctionArgs } from "../../components/aws/meshed-function";

/** Resource types of the AWS variant, as the engine records them. */
export const T = {
  network: "mesh-serverless:aws:MeshNetwork",
  fn: "mesh-serverless:aws:MeshedFunction",
  role: "aws:iam/role:Role",
  attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  lambda: "aws:lambda/function:Function",
  alias: "aws:lambda/alias:Alias",
  url: "aws:lambda/functionUrl:FunctionUrl",
  permission: "aws:lambda/permission:Permission",
  namespace: "aws:servicediscovery/httpNamespace:HttpNamespace",
  cmService: "aws:servicediscovery/service:Service",
  instance: "aws:servicediscovery/instance:Instance",
  serviceNetwork: "aws:vpclattice/serviceNetwork:ServiceNetwork",
  authPolicy: "aws:vpclattice/authPolicy:AuthPolicy",
  targetGroup: "aws:vpclattice/targetGroup:TargetGroup",
  target: "aws:vpclattice/targetGroupAttachment:TargetGroupAttachment",
  latticeService: "aws:vpclattice/service:Service",
  listener: "aws:vpclattice/listener:Listener",
  association: "aws:vpclattice/serviceNetworkServiceAssociation:ServiceNetworkServiceAssociation",
  mesh: "aws:appmesh/mesh:Mesh",
  node: "aws:appmesh/virtualNode:VirtualNode",
  router: "aws:appmesh/virtualRouter:VirtualRouter",
  route: "aws:appmesh/route:Route",
  virtualService: "aws:appmesh/virtualService:VirtualService",
  rule: "aws:vpclattice/listenerRule:ListenerRule",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  subscription: "aws:vpclattice/accessLogSubscription:AccessLogSubscription",
} as const;

export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";
export const LAMBDA_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function`;
export const LATTICE_ARN = `arn:aws:vpc-lattice:us-east-1:${ACCOUNT}`;

/** The tags every MeshedFunction child carries. */
export function fnTags(name: string): Record<string, string> {
  return { "mesh-serverless:component": "MeshedFunction", "mesh-serverless:name": name };
}

/** A canary: the stable alias on version 3, the canary on the version this run publishes. */
export const CANARY = [
  { name: "stable", version: "3", weight: 90 },
  { name: "canary", weight: 10 },
];

export function code(): pulumi.asset.Archive {
  return new pulumi.asset.AssetArchive({
    "index.js": new pulumi.asset.StringAsset(
      "exports.handler = async () => ({ statusCode: 200 });",
    ),
  });
}

/** Builds a network with pulumi.log.warn silenced (the App Mesh warning is asserted elsewhere). */
export function quietNetwork(name: string, args: MeshNetworkArgs = {}): MeshNetwork {
  const original = pulumi.log.warn;
  (pulumi.log as { warn: unknown }).warn = () => undefined;
  try {
    return new MeshNetwork(name, args);
  } finally {
    (pulumi.log as { warn: unknown }).warn = original;
  }
}

/** Minimal valid function args on `network`. */
export function fnArgs(
  network: MeshNetwork,
  extra: Partial<MeshedFunctionArgs> = {},
): MeshedFunctionArgs {
  return { network, code: code(), runtime: "nodejs22.x", ...extra };
}

/** A policy document as recorded (a JSON string), parsed. */
export function json(value: unknown): { Version?: string; Statement: Record<string, unknown>[] } {
  return JSON.parse(value as string);
}

/** A resource's lifecycle options as registered (the recording keeps them), every one spelled out. */
export interface RegisteredOptions {
  retainOnDelete: boolean;
  protect: boolean;
  /** Alias names the resource was registered with (alias specs), or the alias URNs. */
  aliases: string[];
}

/**
 * `name` as the engine reads it when component `from` is aliased as `to`: the component itself
 * and every child named `<from>-...` (Pulumi's inheritedChildAlias); undefined for other names.
 */
export function renamedChild(name: string, from: string, to: string): string | undefined {
  return name === from || name.startsWith(`${from}-`)
    ? `${to}${name.slice(from.length)}`
    : undefined;
}

/** The registered options of `r`. */
export function optionsOf(r: RecordedResource): RegisteredOptions {
  const o = r.options ?? {};
  return {
    retainOnDelete: o.retainOnDelete === true,
    protect: o.protect === true,
    aliases: (o.aliases ?? []).map((a) => String(a.name ?? a.urn ?? "")),
  };
}

/**
 * `type::name` of every resource registered with `retainOnDelete` since the last `h.reset()`,
 * read when iterated (so after the program ran), from that reset's recording.
 */
export function retainedOnDelete(): Iterable<string> {
  const recording = h.recording();
  return {
    [Symbol.iterator]: () =>
      recording.resources
        .filter((r) => r.options?.retainOnDelete)
        .map((r) => `${r.type}::${r.name}`)
        [Symbol.iterator](),
  };
}

/**
 * Asserts the LAMBDA target group `<owner>-<key>-tg` named `tgName`, the grant that lets Lattice
 * invoke `fn:alias` through it (and nothing wider), and the attachment of the alias, with their
 * exact inputs and dependencies.
 */
export function expectLambdaTarget(
  owner: string,
  key: string,
  target: { fn: string; alias: string; tgName: string; statementId: string },
): void {
  const prefix = `${owner}-${key}`;
  assert.deepEqual(h.get(T.targetGroup, `${prefix}-tg`).inputs, {
    name: target.tgName,
    type: "LAMBDA",
    config: { lambdaEventStructureVersion: "V2" },
    tags: fnTags(owner),
  });
  const grant = h.get(T.permission, `${prefix}-lattice-invoke`);
  assert.deepEqual(grant.inputs, {
    function: target.fn,
    qualifier: target.alias,
    action: "lambda:InvokeFunction",
    principal: "vpc-lattice.amazonaws.com",
    sourceArn: `${LATTICE_ARN}:targetgroup/tg-${target.tgName}`,
    statementId: target.statementId,
  });
  // The grant names the alias as a qualifier: it waits for the alias.
  assert.deepEqual(h.dependencies(grant), [
    `${T.alias}::${target.fn}-${target.alias}`,
    `${T.lambda}::${target.fn}-function`,
    `${T.targetGroup}::${prefix}-tg`,
  ]);
  const attachment = h.get(T.target, `${prefix}-target`);
  assert.deepEqual(attachment.inputs, {
    targetGroupIdentifier: `${prefix}-tg-id`,
    target: { id: `${LAMBDA_ARN}:${target.fn}:${target.alias}` },
  });
  assert.deepEqual(h.dependencies(attachment), [
    `${T.alias}::${target.fn}-${target.alias}`,
    `${T.permission}::${prefix}-lattice-invoke`,
    `${T.targetGroup}::${prefix}-tg`,
  ]);
}
