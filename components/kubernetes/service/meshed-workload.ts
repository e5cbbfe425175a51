import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ArgChecker } from "../../core/validate";
import { managedLabels } from "../../core/kube";
import { registerParts, resolveParts } from "./service-parts";
import type { ResolvedParts, ServiceParts, ServicePartsArgs } from "./service-parts";
import { WorkloadPlacementArgs, resourceName, placeWorkload, ServiceContext } from "./spec";
import { containerSpec, ContainerArgs, ResolvedContainer, resolveContainer } from "./container";
import { defaultHost } from "./traffic";
import { checkArgs } from "../../core/args-schema";
import schema from "../../../schema/MeshedWorkload.schema.json";

export interface MeshedWorkloadArgs extends ContainerArgs, WorkloadPlacementArgs, ServicePartsArgs {
  /** @default 1 */
  replicas?: number;
  /** `version` label on the pods, for DestinationRule subsets. */
  version?: string;
  /** Service port of the first container port (others keep their number). @default 80 */
  servicePort?: number;
  /** Service account (the workload's mesh identity); created unless `createServiceAccount` is false. @default the workload name */
  serviceAccountName?: string;
  /** @default true */
  createServiceAccount?: boolean;
  /** Extra pod labels. */
  labels?: Record<string, string>;
  /** Pod priority class (e.g. a MeshNamespace's priorityClass name). */
  priorityClassName?: string;
}

/** MeshedWorkload args with every default applied. */
interface ResolvedMeshedWorkload {
  ctx: ServiceContext;
  container: ResolvedContainer;
  replicas: number;
  serviceAccountName: string;
  createServiceAccount: boolean;
  podLabels: Record<string, string>;
  priorityClassName?: string;
  /** Ports of the Kubernetes Service (none: no Service). */
  servicePorts: { name: string; port: number; targetPort: number }[];
  parts: ResolvedParts;
}

/**
 * Checks a MeshedWorkload's args and applies every default, its parts' included. `name` and
 * `namespace` stay plain: they make the children's resource names (URNs).
 */
function resolveMeshedWorkload(
  check: ArgChecker,
  name: string,
  args: MeshedWorkloadArgs,
): ResolvedMeshedWorkload {
  const ctx = placeWorkload(check, name, args);
  const container = resolveContainer(check, args, {
    maxPorts: 16,
    knative: false,
    defaultName: "app",
  });
  check.int("replicas", args.replicas, 0, 10_000);
  check.pattern(
    "version",
    args.version,
    /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
    "a label value: letters, digits, '-', '_', '.'",
  );
  check.port("servicePort", args.servicePort);
  check.dnsSubdomain("serviceAccountName", args.serviceAccountName);
  check.dnsSubdomain("priorityClassName", args.priorityClassName);
  check.labels("labels", args.labels);
  if (args.labels && "app" in args.labels)
    check.fail(
      "labels.app",
      args.labels.app,
      "the app label is the workload name; it selects the pods",
    );
  const parts = resolveParts(check, ctx, args);
  return {
    ctx,
    container,
    replicas: args.replicas ?? 1,
    serviceAccountName: args.serviceAccountName ?? name,
    createServiceAccount: args.createServiceAccount ?? true,
    podLabels: {
      ...args.labels,
      ...ctx.selector,
      ...(args.version ? { version: args.version } : {}),
    },
    ...(args.priorityClassName ? { priorityClassName: args.priorityClassName } : {}),
    servicePorts: container.ports.map((p, i) => ({
      name: p.name ?? (i === 0 ? "http" : `http-${p.containerPort}`),
      port: i === 0 ? (args.servicePort ?? 80) : p.containerPort,
      targetPort: p.containerPort,
    })),
    parts,
  };
}

/**
 * A traditional service in the same mesh as the functions: `Deployment` (probes, env, resources),
 * `Service` (ports named for Istio protocol selection) and `ServiceAccount` (its identity), plus
 * the same mesh parts a serverless service can have.
 */
export class MeshedWorkload extends pulumi.ComponentResource {
  readonly deployment: k8s.apps.v1.Deployment;
  readonly service?: k8s.core.v1.Service;
  readonly serviceAccount?: k8s.core.v1.ServiceAccount;
  readonly parts: ServiceParts;
  readonly host: pulumi.Output<string>;

  constructor(name: string, args: MeshedWorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-serverless:service:MeshedWorkload", name, {}, opts);
    checkArgs(this, schema, args);
    const r = resolveMeshedWorkload(new ArgChecker(this), name, args);
    const { ctx } = r;
    const labels = managedLabels(name, "workload");
    const meta = { name, namespace: ctx.namespace, labels };
    const deps = ctx.dependsOn;
    const rn = resourceName(meta);
    if (r.createServiceAccount) {
      this.serviceAccount = new k8s.core.v1.ServiceAccount(
        rn,
        { metadata: { ...meta, name: r.serviceAccountName } },
        { parent: this, dependsOn: deps },
      );
    }
    this.deployment = new k8s.apps.v1.Deployment(
      rn,
      {
        metadata: meta,
        spec: {
          replicas: r.replicas,
          selector: { matchLabels: ctx.selector },
          template: {
            metadata: { labels: r.podLabels },
            spec: {
              serviceAccountName: r.serviceAccountName,
              ...(r.priorityClassName ? { priorityClassName: r.priorityClassName } : {}),
              // The model types quantities as string | number; Pulumi wants strings: same JSON.
              containers: [containerSpec(r.container) as k8s.types.input.core.v1.Container],
            },
          },
        },
      },
      { parent: this, dependsOn: this.serviceAccount ? [...deps, this.serviceAccount] : deps },
    );
    if (r.servicePorts.length > 0) {
      this.service = new k8s.core.v1.Service(
        rn,
        {
          // The pods' selector labels on the Service too: the ServiceMonitor selects Services by
          // them (analyzer rule MS405 found it selecting nothing without them).
          metadata: { ...meta, labels: { ...labels, ...ctx.selector } },
          spec: { selector: ctx.selector, ports: r.servicePorts },
        },
        { parent: this, dependsOn: deps },
      );
    }
    this.parts = registerParts(this, ctx, r.parts, deps);
    const host = defaultHost(ctx);
    this.host = pulumi.output(host);
    this.registerOutputs({ host });
  }
}
