import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ArgChecker } from "../../core/validate";
import { managedLabels } from "../../core/kube";
import { checkMesh, MeshInfo } from "../mesh-info";
import { checkParts, registerParts, ServiceParts, ServicePartsArgs } from "./service-parts";
import {
  checkContainer,
  checkLabels,
  checkNamespace,
  containerSpec,
  ContainerArgs,
  NamespaceRef,
  resourceName,
  serviceContext,
} from "./spec";
import { checkArgs } from "../../core/args-schema";
import schema from "../../../schema/MeshedWorkload.schema.json";

export interface MeshedWorkloadArgs extends ContainerArgs, ServicePartsArgs {
  /** @default "default" */
  namespace?: string | NamespaceRef;
  mesh?: MeshInfo;
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
    const check = new ArgChecker(this);
    checkMesh(check, args.mesh);
    check.dnsLabel("name", name);
    checkNamespace(check, "namespace", args.namespace);
    const ctx = serviceContext(name, args.namespace, args.mesh);
    checkContainer(check, args, 16);
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
    checkLabels(check, "labels", args.labels);
    if (args.labels && "app" in args.labels)
      check.fail(
        "labels.app",
        args.labels.app,
        "the app label is the workload name; it selects the pods",
      );
    checkParts(check, ctx, args);

    const labels = managedLabels(name, "workload");
    const meta = { name, namespace: ctx.namespace, labels };
    const sa = args.serviceAccountName ?? name;
    const deps = ctx.dependsOn;
    const rn = resourceName(meta);
    if (args.createServiceAccount ?? true) {
      this.serviceAccount = new k8s.core.v1.ServiceAccount(
        rn,
        { metadata: { ...meta, name: sa } },
        { parent: this, dependsOn: deps },
      );
    }
    const podLabels = {
      ...args.labels,
      ...ctx.selector,
      ...(args.version ? { version: args.version } : {}),
    };
    this.deployment = new k8s.apps.v1.Deployment(
      rn,
      {
        metadata: meta,
        spec: {
          replicas: args.replicas ?? 1,
          selector: { matchLabels: ctx.selector },
          template: {
            metadata: { labels: podLabels },
            spec: {
              serviceAccountName: sa,
              ...(args.priorityClassName ? { priorityClassName: args.priorityClassName } : {}),
              // The model types quantities as string | number; Pulumi wants strings: same JSON.
              containers: [containerSpec(args, "app") as k8s.types.input.core.v1.Container],
            },
          },
        },
      },
      { parent: this, dependsOn: this.serviceAccount ? [...deps, this.serviceAccount] : deps },
    );
    const ports = args.ports ?? [];
    if (ports.length > 0) {
      this.service = new k8s.core.v1.Service(
        rn,
        {
          // The pods' selector labels on the Service too: the ServiceMonitor selects Services by
          // them (analyzer rule MS405 found it selecting nothing without them).
          metadata: { ...meta, labels: { ...labels, ...ctx.selector } },
          spec: {
            selector: ctx.selector,
            ports: ports.map((p, i) => ({
              name: p.name ?? (i === 0 ? "http" : `http-${p.containerPort}`),
              port: i === 0 ? (args.servicePort ?? 80) : p.containerPort,
              targetPort: p.containerPort,
            })),
          },
        },
        { parent: this, dependsOn: deps },
      );
    }
    this.parts = registerParts(this, ctx, args, deps);
    this.host = pulumi.output(`${name}.${ctx.namespace}.svc.cluster.local`);
    this.registerOutputs({
      deployment: this.deployment,
      service: this.service,
      serviceAccount: this.serviceAccount,
      ...this.parts,
      host: this.host,
    });
  }
}
