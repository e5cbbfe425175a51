import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ArgChecker } from "../../core/validate";
import { MeshInfo } from "../mesh-info";
import { NamespaceRef, placePart, ServiceContext } from "./spec";
import { ResolvedTraffic, resolveTraffic, TrafficArgs } from "./traffic";
import { registerParts } from "./service-parts";
import { checkArgs } from "../../core/args-schema";
import schema from "../../../schema/ServiceTraffic.schema.json";

export interface ServiceTrafficArgs extends TrafficArgs {
  /** @default "default" */
  namespace?: string | NamespaceRef;
  mesh?: MeshInfo;
}

/** Checks a ServiceTraffic's args and applies their defaults. */
function resolveServiceTraffic(
  check: ArgChecker,
  name: string,
  args: ServiceTrafficArgs,
): { ctx: ServiceContext; traffic: ResolvedTraffic } {
  const { ctx, rest: traffic } = placePart(check, name, args);
  const resolved = resolveTraffic(check, "", ctx, traffic);
  if (!traffic.routes?.length && !traffic.subsets?.length && !traffic.policy)
    check.fail(
      "routes",
      traffic.routes,
      "give routes, subsets or a policy; nothing would be created",
    );
  return { ctx, traffic: resolved };
}

/**
 * Traffic rules for one host on their own: a `VirtualService` when `routes` are given and a
 * `DestinationRule` when `subsets` or a `policy` are. Object names default to the component name.
 */
export class ServiceTraffic extends pulumi.ComponentResource {
  readonly virtualService?: k8s.apiextensions.CustomResource;
  readonly destinationRule?: k8s.apiextensions.CustomResource;
  /** The host the rules apply to. */
  readonly host: pulumi.Output<string>;

  constructor(name: string, args: ServiceTrafficArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-serverless:service:ServiceTraffic", name, {}, opts);
    checkArgs(this, schema, args);
    const { ctx, traffic } = resolveServiceTraffic(new ArgChecker(this), name, args);
    const parts = registerParts(this, ctx, { traffic, observability: {} }, ctx.dependsOn);
    this.virtualService = parts.virtualService;
    this.destinationRule = parts.destinationRule;
    this.host = pulumi.output(traffic.host);
    this.registerOutputs({ host: traffic.host });
  }
}
