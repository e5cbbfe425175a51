import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ArgChecker } from "../../core/validate";
import { MeshInfo } from "../mesh-info";
import { GatewayArgs, gatewayObject, resolveGateway } from "./ingress";
import { NamespaceRef, placePart, registerObject } from "./spec";
import { checkArgs } from "../../core/args-schema";
import schema from "../../../schema/IngressGateway.schema.json";

export interface IngressGatewayArgs extends GatewayArgs {
  /** Namespace of the Gateway; TLS secrets live here. @default "default" */
  namespace?: string | NamespaceRef;
  mesh?: MeshInfo;
}

/** An Istio `Gateway` on the mesh's ingress gateway pods: listeners, hosts, TLS from a Secret. */
export class IngressGateway extends pulumi.ComponentResource {
  readonly gateway: k8s.apiextensions.CustomResource;
  /** `<namespace>/<name>`, as VirtualServices reference it. */
  readonly gatewayRef: pulumi.Output<string>;

  constructor(name: string, args: IngressGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-serverless:service:IngressGateway", name, {}, opts);
    checkArgs(this, schema, args);
    const check = new ArgChecker(this);
    const { ctx, rest: gateway } = placePart(check, name, args);
    const resolved = resolveGateway(check, ctx, gateway);
    this.gateway = registerObject(this, gatewayObject(ctx, resolved), ctx.dependsOn);
    const gatewayRef = `${ctx.namespace}/${name}`;
    this.gatewayRef = pulumi.output(gatewayRef);
    this.registerOutputs({ gatewayRef });
  }
}
