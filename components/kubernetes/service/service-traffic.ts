import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ArgChecker } from "../../core/validate";
import { checkMesh, MeshInfo } from "../mesh-info";
import { checkNamespace, NamespaceRef, serviceContext } from "./spec";
import { checkTraffic, defaultHost, TrafficArgs } from "./traffic";
import { registerParts } from "./service-parts";
import { checkArgs } from "../../core/args-schema";
import schema from "../../../schema/ServiceTraffic.schema.json";

export interface ServiceTrafficArgs extends TrafficArgs {
  /** @default "default" */
  namespace?: string | NamespaceRef;
  mesh?: MeshInfo;
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
    const check = new ArgChecker(this);
    checkMesh(check, args.mesh);
    check.dnsSubdomain("name", name);
    checkNamespace(check, "namespace", args.namespace);
    const { namespace, mesh, ...traffic } = args;
    const ctx = serviceContext(name, namespace, mesh);
    checkTraffic(check, "", ctx, traffic);
    if (!traffic.routes?.length && !traffic.subsets?.length && !traffic.policy)
      check.fail(
        "routes",
        traffic.routes,
        "give routes, subsets or a policy; nothing would be created",
      );
    const parts = registerParts(this, ctx, { traffic }, ctx.dependsOn);
    this.virtualService = parts.virtualService;
    this.destinationRule = parts.destinationRule;
    this.host = pulumi.output(traffic.host ?? defaultHost(ctx));
    this.registerOutputs({
      virtualService: this.virtualService,
      destinationRule: this.destinationRule,
      host: this.host,
    });
  }
}
