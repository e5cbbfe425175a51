import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ArgChecker } from "../../core/validate";
import { checkMesh, MeshInfo } from "../mesh-info";
import { AccessArgs, checkAccess } from "./access";
import { checkNamespace, NamespaceRef, serviceContext } from "./spec";
import { registerParts } from "./service-parts";
import { checkArgs } from "../../core/args-schema";
import schema from "../../../schema/ServiceAccess.schema.json";

export interface ServiceAccessArgs extends AccessArgs {
  /** @default "default" */
  namespace?: string | NamespaceRef;
  mesh?: MeshInfo;
}

/**
 * Who may call a workload, on its own: an ALLOW (and optional DENY, AUDIT, CUSTOM) `AuthorizationPolicy` and the
 * `RequestAuthentication` its JWT conditions need. Names default to the component name; the
 * selector to `app: <name>`.
 */
export class ServiceAccess extends pulumi.ComponentResource {
  readonly authorizationPolicy?: k8s.apiextensions.CustomResource;
  readonly denyPolicy?: k8s.apiextensions.CustomResource;
  readonly auditPolicy?: k8s.apiextensions.CustomResource;
  readonly customPolicy?: k8s.apiextensions.CustomResource;
  readonly requestAuthentication?: k8s.apiextensions.CustomResource;

  constructor(name: string, args: ServiceAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-serverless:service:ServiceAccess", name, {}, opts);
    checkArgs(this, schema, args);
    const check = new ArgChecker(this);
    checkMesh(check, args.mesh);
    check.dnsSubdomain("name", name);
    checkNamespace(check, "namespace", args.namespace);
    const { namespace, mesh, ...access } = args;
    checkAccess(check, "", access, mesh?.extensionProviders);
    const { allow, deny, audit, custom, jwt } = access;
    if (allow === undefined && !deny?.length && !audit?.length && !custom && !jwt?.length)
      check.fail(
        "allow",
        allow,
        "give allow, deny, audit, custom or jwt; nothing would be created",
      );
    const ctx = serviceContext(name, namespace, mesh);
    const parts = registerParts(this, ctx, { access }, ctx.dependsOn);
    this.authorizationPolicy = parts.authorizationPolicy;
    this.denyPolicy = parts.denyPolicy;
    this.auditPolicy = parts.auditPolicy;
    this.customPolicy = parts.customPolicy;
    this.requestAuthentication = parts.requestAuthentication;
    this.registerOutputs({
      authorizationPolicy: this.authorizationPolicy,
      denyPolicy: this.denyPolicy,
      auditPolicy: this.auditPolicy,
      customPolicy: this.customPolicy,
      requestAuthentication: this.requestAuthentication,
    });
  }
}
