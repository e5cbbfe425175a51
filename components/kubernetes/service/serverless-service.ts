import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { IService as IKnativeService } from "@kubernetes-models/knative/serving.knative.dev/v1/Service" with {
  "resolution-mode": "import",
};
import { ArgChecker } from "../../core/validate";
import { KubeObject } from "../../core/kube";
import { toSeconds } from "../../core/durations";
import { defined } from "../../core/values";
import {
  registerParts,
  ResolvedParts,
  resolveParts,
  ServiceParts,
  ServicePartsArgs,
} from "./service-parts";
import {
  metaFor,
  WorkloadPlacementArgs,
  principalOf,
  registerObject,
  placeWorkload,
  ServiceContext,
} from "./spec";
import { containerSpec, ContainerArgs, ResolvedContainer, resolveContainer } from "./container";
import { defaultHost, TrafficArgs } from "./traffic";
import { ResolvedAccess } from "./access";
import { checkArgs } from "../../core/args-schema";
import schema from "../../../schema/ServerlessService.schema.json";

type KnativeSpec = NonNullable<IKnativeService["spec"]>;
type TrafficTarget = NonNullable<KnativeSpec["traffic"]>[number];

/**
 * Knative autoscaling of each revision, written as the current annotation names
 * (`autoscaling.knative.dev/min-scale`, ...). https://knative.dev/docs/serving/autoscaling/
 */
/** The Service net-istio creates in Istio's namespace for traffic to Knative services. */
const KNATIVE_LOCAL_GATEWAY = "knative-local-gateway";

export interface ScaleArgs {
  /** Replicas kept even without traffic; > 0 avoids cold starts. @default 0 (scale to zero) */
  min?: number;
  /** Upper bound on replicas. @default unbounded */
  max?: number;
  /** Replicas right after a revision is created. @default 1 */
  initial?: number;
  /** Soft target per replica of the metric (concurrent requests, or requests/s for rps). */
  target?: number;
  /** @default "concurrency" */
  metric?: "concurrency" | "rps" | "cpu" | "memory";
  /** Percentage of the target at which to scale, 1-100. @default 70 */
  targetUtilizationPercentage?: number;
  /** Wait this long before scaling down, e.g. "5m" (0s-1h). */
  scaleDownDelay?: string;
  /** Stable window, 6s-1h. @default "60s" */
  window?: string;
  /** `kpa` (Knative's, can scale to zero) or `hpa` (Kubernetes HPA, for cpu/memory). @default "kpa" */
  class?: "kpa" | "hpa";
  /**
   * Burst size served without Knative's activator in the path; `0` keeps it in the path only at
   * zero replicas, `-1` always. https://knative.dev/docs/serving/load-balancing/target-burst-capacity/
   * @default 0 for a service with `access.allow` rules (see `ServerlessService`), else Knative's (200)
   */
  targetBurstCapacity?: number;
}

/** One entry of the revision traffic split (blue/green, canary). */
export interface RevisionTrafficArgs {
  /** A revision name (`<service>-<suffix>`); unset means the latest ready revision. */
  revision?: string;
  /** Percent of traffic, 0-100; all entries sum to 100. */
  percent: number;
  /** A tag gives the entry its own URL (`<tag>-<service>.<namespace>...`). */
  tag?: string;
}

export interface ServerlessServiceArgs
  extends ContainerArgs, WorkloadPlacementArgs, Omit<ServicePartsArgs, "traffic"> {
  scale?: ScaleArgs;
  /** Hard limit of concurrent requests per replica; 0 = unlimited. @default 0 */
  containerConcurrency?: number;
  /** Maximum request duration, e.g. "300s" (written as whole seconds). */
  timeout?: string;
  /** Time allowed until the first response byte. */
  responseStartTimeout?: string;
  /** Maximum time a request may stay idle. */
  idleTimeout?: string;
  /** Service account of the pods (their mesh identity). @default the namespace's default */
  serviceAccountName?: string;
  /** Name of the revision this template creates (`<service>-<suffix>`), for pinning in `traffic.revisions`. */
  revisionName?: string;
  /**
   * Expose the service on Knative's external ingress (`*.<namespace>.<mesh.domain>`). Unset, it
   * is labelled `networking.knative.dev/visibility: cluster-local`: reachable in the cluster and
   * through this package's `ingress` routes (via `knative-local-gateway`), not from outside.
   * https://knative.dev/docs/serving/services/private-services/
   * @default false
   */
  public?: boolean;
  /** Extra labels on the revision template. */
  labels?: Record<string, string>;
  /**
   * Extra annotations on the revision template; values may be Outputs of other resources (keys
   * are plain: they are checked against Knative's).
   */
  annotations?: Record<string, pulumi.Input<string>>;
  /** Revision split (`revisions`) plus the mesh routes and destination policy for the service host. */
  traffic?: TrafficArgs & { revisions?: RevisionTrafficArgs[] };
}

const SCALE = "autoscaling.knative.dev";
const TBC = `${SCALE}/target-burst-capacity`;

/** Revision-template annotations for `scale`; keys in a fixed order. */
export function scaleAnnotations(s: ScaleArgs | undefined): Record<string, string> {
  if (!s) return {};
  const out: Record<string, string> = {};
  if (s.class !== undefined) out[`${SCALE}/class`] = `${s.class}.autoscaling.knative.dev`;
  if (s.metric !== undefined) out[`${SCALE}/metric`] = s.metric;
  if (s.min !== undefined) out[`${SCALE}/min-scale`] = String(s.min);
  if (s.max !== undefined) out[`${SCALE}/max-scale`] = String(s.max);
  if (s.initial !== undefined) out[`${SCALE}/initial-scale`] = String(s.initial);
  if (s.target !== undefined) out[`${SCALE}/target`] = String(s.target);
  if (s.targetUtilizationPercentage !== undefined)
    out[`${SCALE}/target-utilization-percentage`] = String(s.targetUtilizationPercentage);
  if (s.scaleDownDelay !== undefined) out[`${SCALE}/scale-down-delay`] = s.scaleDownDelay;
  if (s.window !== undefined) out[`${SCALE}/window`] = s.window;
  if (s.targetBurstCapacity !== undefined)
    out[`${SCALE}/target-burst-capacity`] = String(s.targetBurstCapacity);
  return out;
}

function checkScale(check: ArgChecker, s: ScaleArgs | undefined): void {
  if (!s) return;
  check.int("scale.min", s.min, 0, 1000);
  check.int("scale.max", s.max, 1, 1000);
  check.int("scale.initial", s.initial, 0, 1000);
  if (s.min !== undefined && s.max !== undefined && s.min > s.max)
    check.fail("scale.min", s.min, `must not exceed scale.max (${s.max})`);
  if (s.initial !== undefined && s.max !== undefined && s.initial > s.max)
    check.fail("scale.initial", s.initial, `must not exceed scale.max (${s.max})`);
  check.number("scale.target", s.target, 0.01, 1_000_000);
  check.int("scale.targetUtilizationPercentage", s.targetUtilizationPercentage, 1, 100);
  check.durationMs("scale.scaleDownDelay", s.scaleDownDelay, 0, 3_600_000);
  check.durationMs("scale.window", s.window, 6_000, 3_600_000);
  if (s.targetBurstCapacity !== undefined && s.targetBurstCapacity !== -1)
    check.number("scale.targetBurstCapacity", s.targetBurstCapacity, 0, 1_000_000);
  if ((s.metric === "cpu" || s.metric === "memory") && (s.class ?? "kpa") === "kpa")
    check.fail("scale.metric", s.metric, 'cpu and memory scaling need class "hpa"');
  if (s.class === "hpa" && s.min === 0)
    check.fail("scale.min", s.min, "the hpa class cannot scale to zero; use at least 1");
}

function checkRevisions(
  check: ArgChecker,
  name: string,
  revs: RevisionTrafficArgs[] | undefined,
): void {
  if (!revs) return;
  if (revs.length === 0)
    check.fail(
      "traffic.revisions",
      revs,
      "at least one entry, or leave it unset (all traffic to the latest revision)",
    );
  revs.forEach((r, i) => {
    const p = `traffic.revisions[${i}]`;
    check.dnsLabel(`${p}.revision`, r.revision);
    if (r.revision !== undefined && !r.revision.startsWith(`${name}-`))
      check.fail(`${p}.revision`, r.revision, `revisions of ${name} are named "${name}-<suffix>"`);
    check.dnsLabel(`${p}.tag`, r.tag);
  });
  check.weights(
    "traffic.revisions",
    revs.map((r) => r.percent),
    "percent",
  );
  check.unique(
    "traffic.revisions",
    revs.filter((r) => r.tag).map((r) => r.tag as string),
  );
  if (revs.filter((r) => r.revision === undefined).length > 1)
    check.fail("traffic.revisions", revs, "at most one entry may follow the latest revision");
}

/** ServerlessService args with every default applied: what `knativeService` and the parts emit. @internal */
export interface ResolvedServerlessService {
  ctx: ServiceContext;
  container: ResolvedContainer;
  /** Revision template metadata (`name` only when pinned). */
  template: {
    name?: string;
    labels: Record<string, string>;
    annotations?: Record<string, pulumi.Input<string>>;
  };
  /** Pod-level settings of the revision, as Knative names them (timeouts in whole seconds). */
  revision: Omit<NonNullable<NonNullable<KnativeSpec["template"]>["spec"]>, "containers">;
  traffic?: TrafficTarget[];
  /** Labels of the Knative Service itself (the visibility label unless `public`). */
  serviceLabels?: Record<string, string>;
  parts: ResolvedParts;
  host: string;
  url: string;
}

/** The Knative `Service` of resolved args. @internal */
export function knativeService(
  r: ResolvedServerlessService,
): KubeObject<KnativeSpec> & { apiVersion: "serving.knative.dev/v1"; kind: "Service" } {
  const podSpec: NonNullable<NonNullable<KnativeSpec["template"]>["spec"]> = {
    containers: [containerSpec(r.container)],
    ...r.revision,
  };
  const spec: KnativeSpec = {
    template: { metadata: r.template as { annotations?: Record<string, string> }, spec: podSpec },
  };
  if (r.traffic) spec.traffic = r.traffic;
  const meta = metaFor(r.ctx, r.ctx.name, "serverless-service", r.serviceLabels);
  return { apiVersion: "serving.knative.dev/v1", kind: "Service", metadata: meta, spec };
}

/**
 * Access that lets Knative's system pods do their part and no more: the activator (service
 * account `activator`, knative/serving config/core/deployments/activator.yaml) forwards what the
 * allow rules admit and probes `/healthz` (knative.dev/networking pkg/http HealthCheckPath); the
 * autoscaler (service account `controller`, config/core/deployments/autoscaler.yaml) scrapes the
 * queue-proxy's `/metrics` through the mesh. https://knative.dev/docs/serving/istio-authorization/
 */
function knativeAccess(knativeNamespace: string, a: ResolvedAccess): ResolvedAccess {
  const sa = (name: string): string => principalOf(a.trustDomain, `${knativeNamespace}/${name}`);
  return {
    ...a,
    proxies: [sa("activator"), ...a.proxies],
    systemRules: [
      { principals: [sa("activator")], methods: ["GET"], paths: ["/healthz"] },
      { principals: [sa("controller")], methods: ["GET"], paths: ["/metrics"] },
      ...a.systemRules,
    ],
  };
}

/** Whole seconds of a duration, checked within [minMs, maxMs]; undefined when not given. */
function seconds(check: ArgChecker, path: string, text: string | undefined): number | undefined {
  const ms = check.durationMs(path, text, 1_000, 3_600_000);
  return ms === undefined ? undefined : toSeconds(ms);
}

/**
 * Checks a ServerlessService's args and applies every default, its parts' included, before any
 * child exists. `name` and `namespace` stay plain values: they make the children's resource
 * names (URNs) and the Knative Service's name, which Pulumi must know when registering.
 * @internal
 */
export function resolveServerlessService(
  check: ArgChecker,
  name: string,
  args: ServerlessServiceArgs,
): ResolvedServerlessService {
  // Knative prefixes revision and route names to the service name, keep headroom (63 - 14).
  const ctx = placeWorkload(check, name, args, 49);
  const container = resolveContainer(check, args, {
    maxPorts: 1,
    knative: true,
    defaultName: "user-container",
    fallbackProbePort: 8080,
  });
  checkScale(check, args.scale);
  check.int("containerConcurrency", args.containerConcurrency, 0, 1000);
  const timeoutSeconds = seconds(check, "timeout", args.timeout);
  const responseStartTimeoutSeconds = seconds(
    check,
    "responseStartTimeout",
    args.responseStartTimeout,
  );
  const idleTimeoutSeconds = seconds(check, "idleTimeout", args.idleTimeout);
  check.dnsSubdomain("serviceAccountName", args.serviceAccountName);
  check.dnsLabel("revisionName", args.revisionName);
  if (args.revisionName !== undefined && !args.revisionName.startsWith(`${name}-`))
    check.fail(
      "revisionName",
      args.revisionName,
      `revisions of ${name} are named "${name}-<suffix>"`,
    );
  check.labels("labels", args.labels);
  checkRevisions(check, name, args.traffic?.revisions);
  const { revisions, ...meshTraffic } = args.traffic ?? {};
  // Knative routes a request by its Host: through Istio's gateway it must reach Knative's
  // local gateway with the service's cluster host, not the public one.
  // https://github.com/knative/docs/blob/main/code-samples/serving/knative-routing-go/routing-internal.yaml
  const ingress = args.ingress && {
    ...(args.ingress.host === undefined
      ? {
          host: `${KNATIVE_LOCAL_GATEWAY}.${ctx.mesh.rootNamespace}.svc.cluster.local`,
          port: 80,
          authority: defaultHost(ctx),
        }
      : {}),
    ...args.ingress,
  };
  const parts = resolveParts(
    check,
    ctx,
    { ...args, traffic: args.traffic ? meshTraffic : undefined, ingress },
    { monitorSelector: { "serving.knative.dev/service": name } },
  );
  if (parts.access) parts.access = knativeAccess(ctx.mesh.knativeNamespace, parts.access);
  // A service that admits callers by rule keeps the activator (which forwards requests as
  // itself) out of the path once pods exist: Knative keeps it there until ready pods x target
  // exceed the target burst capacity (default 200), so with `0` it is only there at zero.
  // https://knative.dev/docs/serving/load-balancing/target-burst-capacity/
  const annotations = {
    ...((args.access?.allow ?? []).length > 0 ? { [TBC]: "0" } : {}),
    ...scaleAnnotations(args.scale),
    ...args.annotations,
  };
  const revision: ResolvedServerlessService["revision"] = defined({
    containerConcurrency: args.containerConcurrency,
    timeoutSeconds,
    responseStartTimeoutSeconds,
    idleTimeoutSeconds,
    serviceAccountName: args.serviceAccountName,
  });
  const domain = args.public === true ? ctx.mesh.domain : undefined;
  const template: ResolvedServerlessService["template"] = {
    labels: { ...ctx.selector, ...args.labels },
  };
  if (args.revisionName) template.name = args.revisionName;
  if (Object.keys(annotations).length > 0) template.annotations = annotations;
  // Optional fields are assigned, not spread into the literal: V8 builds such objects many
  // times faster (measured: see resolveAccess).
  const out: ResolvedServerlessService = {
    ctx,
    container,
    template,
    revision,
    parts,
    host: defaultHost(ctx),
    url: `http://${name}.${ctx.namespace}.${domain ?? "svc.cluster.local"}`,
  };
  if (revisions)
    out.traffic = revisions.map((r): TrafficTarget => {
      const t: TrafficTarget =
        r.revision === undefined
          ? { latestRevision: true }
          : { revisionName: r.revision, latestRevision: false };
      t.percent = r.percent;
      if (r.tag) t.tag = r.tag;
      return t;
    });
  // The label Knative's route reconciler reads (knative.dev/networking
  // pkg/apis/networking/register.go VisibilityLabelKey); cluster-local keeps the service off
  // the external gateway. https://knative.dev/docs/serving/services/private-services/
  if (args.public !== true)
    out.serviceLabels = { "networking.knative.dev/visibility": "cluster-local" };
  return out;
}

/**
 * One serverless service in the mesh, described in one place: the Knative `Service` (image, env,
 * resources, scale bounds, concurrency, timeouts, probes, revision split) plus, when asked, its
 * routes and destination policy, access policy, monitor, alerts, telemetry and ingress route,
 * all named after the service and labelled `app.kubernetes.io/name: <name>`.
 */
export class ServerlessService extends pulumi.ComponentResource {
  readonly service: k8s.apiextensions.CustomResource;
  readonly parts: ServiceParts;
  /** The in-cluster host, `<name>.<namespace>.svc.cluster.local`. */
  readonly host: pulumi.Output<string>;
  readonly serviceName: pulumi.Output<string>;
  /**
   * The URL Knative gives the service: `http://<name>.<namespace>.<mesh.domain>` when `public`,
   * else (or on a mesh without a domain) the cluster-local address.
   */
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: ServerlessServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-serverless:service:ServerlessService", name, {}, opts);
    checkArgs(this, schema, args);
    const r = resolveServerlessService(new ArgChecker(this), name, args);
    this.service = registerObject(this, knativeService(r), r.ctx.dependsOn);
    // Mesh objects about the service wait for the mesh and namespace, not for the Knative
    // Service itself: a DestinationRule is valid before the first revision is ready.
    this.parts = registerParts(this, r.ctx, r.parts, r.ctx.dependsOn);
    this.host = pulumi.output(r.host);
    this.serviceName = pulumi.output(name);
    this.url = pulumi.output(r.url);
    this.registerOutputs({ host: r.host, serviceName: name, url: r.url });
  }
}
