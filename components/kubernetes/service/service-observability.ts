import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ArgChecker } from "../../core/validate";
import { MeshInfo } from "../mesh-info";
import { ObservabilityArgs, ResolvedObservability, resolveObservability } from "./observability";
import { NamespaceRef, placePart, ServiceContext } from "./spec";
import { registerParts } from "./service-parts";
import { checkArgs } from "../../core/args-schema";
import schema from "../../../schema/ServiceObservability.schema.json";

export interface ServiceObservabilityArgs extends ObservabilityArgs {
  /** Namespace of the service (and, by default, of the objects). @default "default" */
  namespace?: string | NamespaceRef;
  /** Labels selecting the service's pods/Services. @default { app: <name> } */
  selector?: Record<string, string>;
  mesh?: MeshInfo;
}

/** Checks a ServiceObservability's args and applies their defaults. */
function resolveServiceObservability(
  check: ArgChecker,
  name: string,
  args: ServiceObservabilityArgs,
): { ctx: ServiceContext; observability: ResolvedObservability } {
  const { ctx, rest } = placePart(check, name, args, args.selector);
  check.labels("selector", args.selector);
  const { selector: _selector, ...obs } = rest;
  const observability = resolveObservability(check, "", ctx, obs);
  if (!obs.monitor && !obs.alerts && !obs.telemetry)
    check.fail(
      "monitor",
      obs.monitor,
      "give monitor, alerts or telemetry; nothing would be created",
    );
  return { ctx, observability };
}

/**
 * Observability of one service on its own: a `ServiceMonitor`/`PodMonitor`, a `PrometheusRule`
 * with error-rate and latency alerts, and a `Telemetry`. Monitors and rules carry the mesh's
 * monitor labels so the Prometheus install picks them up.
 */
export class ServiceObservability extends pulumi.ComponentResource {
  readonly monitor?: k8s.apiextensions.CustomResource;
  readonly prometheusRule?: k8s.apiextensions.CustomResource;
  readonly telemetry?: k8s.apiextensions.CustomResource;

  constructor(
    name: string,
    args: ServiceObservabilityArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("mesh-serverless:service:ServiceObservability", name, {}, opts);
    checkArgs(this, schema, args);
    const { ctx, observability } = resolveServiceObservability(new ArgChecker(this), name, args);
    const parts = registerParts(this, ctx, { observability }, ctx.dependsOn);
    this.monitor = parts.monitor;
    this.prometheusRule = parts.prometheusRule;
    this.telemetry = parts.telemetry;
    this.registerOutputs({});
  }
}
