import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ArgChecker } from "../../core/validate";
import { MeshInfo } from "../mesh-info";
import { AccessArgs, ResolvedAccess, resolveAccess } from "./access";
import { NamespaceRef, placePart, ServiceContext } from "./spec";
import { registerParts } from "./service-parts";
import { checkArgs } from "../../core/args-schema";
import schema from "../../../schema/ServiceAccess.schema.json";

export interface ServiceAccessArgs extends AccessArgs {
  /** @default "default" */
  namespace?: string | NamespaceRef;
  mesh?: MeshInfo;
}

/** Checks a ServiceAccess's args and applies their defaults. */
function resolveServiceAccess(
  check: ArgChecker,
  name: string,
  args: ServiceAccessArgs,
): { ctx: ServiceContext; access: ResolvedAccess } {
  const { ctx, rest: access } = placePart(check, name, args);
  const resolved = resolveAccess(check, "", ctx, access);
  const { allow, deny, audit, custom, jwt } = access;
  if (allow === undefined && !deny?.length && !audit?.length && !custom && !jwt?.length)
    check.fail("allow", allow, "give allow, deny, audit, custom or jwt; nothing would be created");
  return { ctx, access: resolved };
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
    const { ctx, access } = resolveServiceAccess(new ArgChecker(this), name, args);
    const parts = registerParts(this, ctx, { access, observability: {} }, ctx.dependsOn);
    this.authorizationPolicy = parts.authorizationPolicy;
    this.denyPolicy = parts.denyPolicy;
    this.auditPolicy = parts.auditPolicy;
    this.customPolicy = parts.customPolicy;
    this.requestAuthentication = parts.requestAuthentication;
    this.registerOutputs({});
  }
}
