import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ArgChecker } from "../../core/validate";
import { MeshInfo } from "../mesh-info";
import { IngressArgs, ingressObjects, resolveIngress } from "./ingress";
import { NamespaceRef, placePart, registerObject } from "./spec";
import { checkArgs } from "../../core/args-schema";
import schema from "../../../schema/IngressRoute.schema.json";

export interface IngressRouteArgs extends IngressArgs {
  /** Namespace of the VirtualService (and of the default destination). @default "default" */
  namespace?: string | NamespaceRef;
  mesh?: MeshInfo;
}

/**
 * Binds public hosts (and paths) to a service through a Gateway: one `VirtualService` named after
 * the component, routing to `<name>.<namespace>.svc.cluster.local` unless `host` says otherwise.
 */
export class IngressRoute extends pulumi.ComponentResource {
  readonly virtualService: k8s.apiextensions.CustomResource;

  constructor(name: string, args: IngressRouteArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-serverless:service:IngressRoute", name, {}, opts);
    checkArgs(this, schema, args);
    const check = new ArgChecker(this);
    const { ctx, rest: ingress } = placePart(check, name, args);
    const resolved = resolveIngress(check, "", ctx, ingress, name);
    const vs = ingressObjects(ctx, resolved).virtualService;
    this.virtualService = registerObject(this, vs!, ctx.dependsOn);
    this.registerOutputs({});
  }
}
