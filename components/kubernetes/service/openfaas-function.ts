/**
 * An OpenFaaS function in the mesh: the `openfaas.com/v1` `Function` resource its operator turns
 * into a Deployment and Service (faas-netes pkg/handlers/deploy.go: pods labelled
 * `faas_function: <name>` plus `spec.labels`, annotated with `spec.annotations`, one container
 * port `http` 8080), plus the mesh parts any service can have.
 *
 * No published model package has the Function kind (`@kubernetes-models/*` covers Kubernetes,
 * Istio, Knative and prometheus-operator): the body is typed here after the CRD
 * (openfaas/faas-netes artifacts/crds/openfaas.com_functions.yaml, chart 15.0.6), the component
 * checks what the CRD and the operator require, and the tests validate the rendered objects
 * against the CRD's own openAPIV3Schema.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ArgChecker } from "../../core/validate";
import { KubeObject, QUANTITY } from "../../core/kube";
import { checkMesh, MeshInfo } from "../mesh-info";
import { checkArgs } from "../../core/args-schema";
import {
  registerParts,
  ResolvedParts,
  resolveParts,
  ServiceParts,
  ServicePartsArgs,
} from "./service-parts";
import { checkEnv, checkImage } from "./container";
import {
  checkNamespace,
  metaFor,
  NamespaceRef,
  principalOf,
  registerObject,
  serviceContext,
  ServiceContext,
} from "./spec";
import { ResolvedAccess } from "./access";
import { defaultHost } from "./traffic";
import schema from "../../../schema/OpenFaasFunction.schema.json";

/** CPU and memory of a function (the CRD's `FunctionResources`: only these two). */
export interface FunctionResourcesArgs {
  /** A Kubernetes quantity, e.g. "100m". */
  cpu?: string;
  /** A Kubernetes quantity, e.g. "128Mi". */
  memory?: string;
}

/**
 * Autoscaling by the OpenFaaS Pro autoscaler, written as the function's `com.openfaas.scale.*`
 * labels. @see https://docs.openfaas.com/architecture/autoscaling/
 */
export interface FunctionScaleArgs {
  /** `com.openfaas.scale.min`: replicas kept under load, 1-1000 (zero is `zero`). @default OpenFaaS's 1 */
  min?: number;
  /** `com.openfaas.scale.max`, 1-1000, at least `min` (equal: no scaling). @default OpenFaaS's 20 */
  max?: number;
  /** `com.openfaas.scale.zero`: scale to zero when idle. @default OpenFaaS's false */
  zero?: boolean;
  /** `com.openfaas.scale.zero-duration`: idle time before scaling to zero, e.g. "15m". @default OpenFaaS's "15m" */
  zeroDuration?: string;
  /** `com.openfaas.scale.type`: the load measured. @default OpenFaaS's "rps" */
  type?: "rps" | "capacity" | "cpu";
  /** `com.openfaas.scale.target`: load per replica (1-1000000). @default the chart's autoscaler.defaultTarget (50) */
  target?: number;
  /** `com.openfaas.scale.target-proportion`: fraction of the target to scale at (0-1]. @default OpenFaaS's 0.9 */
  targetProportion?: number;
}

/** The function's own Prometheus metrics, scraped through the mesh. */
export interface FunctionMetricsArgs {
  /** Port of the metrics endpoint (of-watchdog serves /metrics on 8081). */
  port: number;
  /** @default "/metrics" */
  path?: string;
}

export interface OpenFaasFunctionArgs extends ServicePartsArgs {
  /** Namespace of the function. @default mesh.openfaas.functionNamespace, else "openfaas-fn" */
  namespace?: string | NamespaceRef;
  mesh?: MeshInfo;
  /** Image reference, e.g. `ghcr.io/openfaas/nodeinfo:1.0` (tag or digest recommended). */
  image: string;
  /** Plain environment variables (`spec.environment`; never secrets: use `secrets`). */
  env?: Record<string, string>;
  /**
   * Secrets in the function's namespace, mounted as files under `/var/openfaas/secrets/`
   * (`spec.secrets`). @see https://docs.openfaas.com/reference/secrets/
   */
  secrets?: string[];
  scale?: FunctionScaleArgs;
  /** Extra pod labels (`spec.labels`); `com.openfaas.scale.*` come from `scale`. */
  labels?: Record<string, string>;
  /** Pod annotations (`spec.annotations`). */
  annotations?: Record<string, string>;
  /**
   * Metrics scraped through Istio's metrics merging: the pod carries `prometheus.io/port` and
   * `prometheus.io/path` (which the sidecar serves merged on :15020) and OpenFaaS's
   * `prometheus.io.scrape: "true"`. @see https://istio.io/latest/docs/ops/integrations/prometheus/#option-1-metrics-merging
   */
  metrics?: FunctionMetricsArgs;
  /** Resource limits (`spec.limits`). */
  limits?: FunctionResourcesArgs;
  /** Resource requests (`spec.requests`). */
  requests?: FunctionResourcesArgs;
  /**
   * Read-only root filesystem (the operator mounts a writable /tmp).
   * @see https://docs.openfaas.com/reference/workloads/ @default true
   */
  readOnlyRootFilesystem?: boolean;
  /** Node selection as `key=value` (`spec.constraints`), e.g. `kubernetes.io/arch=arm64`. */
  constraints?: string[];
}

/** The `Function` resource as the CRD `functions.openfaas.com` v1 defines it. @internal */
export interface FunctionSpec {
  name: string;
  image: string;
  environment?: Record<string, string>;
  secrets?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  limits?: FunctionResourcesArgs;
  requests?: FunctionResourcesArgs;
  readOnlyRootFilesystem?: boolean;
  constraints?: string[];
}

const SCALE = "com.openfaas.scale";
/** Labels the operator sets or `scale` writes; a user label must not take them. */
const RESERVED_LABEL = /^(faas_function|com\.openfaas\.scale\..+)$/;
/** Dot-form keys Prometheus would read as the same `prometheus_io_*` label as Istio's. */
const METRICS_ANNOTATION = /^prometheus\.io[./](port|path|scrape)$/;
const ERROR_CE =
  'must be "pro": Function resources are reconciled only by the OpenFaaS operator, which the openfaas chart installs only with openfaasPro (it refuses operator.create otherwise); OpenFaaS CE runs only the legacy controller, and its EULA limits commercial use to 60-day proofs of concept. Install OpenFaaS Pro/Standard (a licence, edition "pro") to deploy functions as resources';

/** OpenFaasFunctionArgs with every default applied and the mesh parts prepared. @internal */
export interface ResolvedOpenFaasFunction {
  ctx: ServiceContext;
  function: KubeObject<FunctionSpec>;
  parts: ResolvedParts;
  /** What the Function waits for: mesh, namespace, and the release that installs its CRD. */
  dependsOn: pulumi.Resource[];
}

function checkScale(check: ArgChecker, s: FunctionScaleArgs | undefined): void {
  if (s === undefined) return;
  check.int("scale.min", s.min, 1, 1000);
  check.int("scale.max", s.max, 1, 1000);
  if (s.min !== undefined && s.max !== undefined && s.min > s.max)
    check.fail("scale.min", s.min, `must not exceed scale.max (${s.max})`);
  check.durationMs("scale.zeroDuration", s.zeroDuration, 1_000);
  if (s.zeroDuration !== undefined && s.zero !== true)
    check.fail("scale.zeroDuration", s.zeroDuration, "applies only with scale.zero: true");
  check.int("scale.target", s.target, 1, 1_000_000);
  if (s.targetProportion !== undefined && !(s.targetProportion > 0 && s.targetProportion <= 1))
    check.fail("scale.targetProportion", s.targetProportion, "must be above 0 and at most 1");
}

/** `scale` fields by their `com.openfaas.scale.*` label, in a fixed order. */
const SCALE_LABELS: [keyof FunctionScaleArgs, string][] = [
  ["min", "min"],
  ["max", "max"],
  ["zero", "zero"],
  ["zeroDuration", "zero-duration"],
  ["type", "type"],
  ["target", "target"],
  ["targetProportion", "target-proportion"],
];

/** `com.openfaas.scale.*` labels for `scale` (label values are strings). */
export function scaleLabels(s: FunctionScaleArgs | undefined): Record<string, string> {
  return Object.fromEntries(
    SCALE_LABELS.filter(([field]) => s?.[field] !== undefined).map(([field, label]) => [
      `${SCALE}.${label}`,
      String(s?.[field]),
    ]),
  );
}

function checkResources(check: ArgChecker, path: string, r: FunctionResourcesArgs | undefined) {
  for (const [k, v] of Object.entries(r ?? {}))
    check.pattern(`${path}.${k}`, v, QUANTITY, 'a Kubernetes quantity such as "250m" or "64Mi"');
}

/**
 * Access through the OpenFaaS gateway: it forwards the callers' requests as itself (the gateway
 * pod runs as `<release>-operator`, templates/gateway-dep.yaml), asynchronous ones included (the
 * Pro queue-worker invokes through the gateway: templates/queueworker-dep.yaml `gateway_url`),
 * and with `probeFunctions` it GETs the function's health path `/_/health` (faas-netes
 * pkg/k8s/probes.go; openfaas/faas gateway/pkg/middleware/baseurlresolver_test.go) first.
 */
function gatewayAccess(ctx: ServiceContext, a: ResolvedAccess): ResolvedAccess {
  const of = ctx.mesh.openfaas;
  const gateway = principalOf(
    a.trustDomain,
    `${of?.namespace ?? "openfaas"}/${of?.release ?? "openfaas"}-operator`,
  );
  return {
    ...a,
    proxies: [gateway, ...a.proxies],
    systemRules: [
      { principals: [gateway], methods: ["GET"], paths: ["/_/health"] },
      ...a.systemRules,
    ],
  };
}

/** Checks the args and builds the Function and the parts' args, before anything is registered. @internal */
export function resolveOpenFaasFunction(
  check: ArgChecker,
  name: string,
  args: OpenFaasFunctionArgs,
): ResolvedOpenFaasFunction {
  checkMesh(check, args.mesh);
  if (args.mesh?.openfaas?.edition === "ce") check.fail("mesh.openfaas.edition", "ce", ERROR_CE);
  check.dnsLabel("name", name);
  checkNamespace(check, "namespace", args.namespace);
  const functionNamespace = args.mesh?.openfaas?.functionNamespace ?? "openfaas-fn";
  const ctx = serviceContext(name, args.namespace ?? functionNamespace, args.mesh, {
    faas_function: name,
  });
  // The operator builds the container: only the image and env are ours to check.
  checkImage(check, args.image);
  checkEnv(check, args.env);
  (args.secrets ?? []).forEach((s, i) => check.dnsSubdomain(`secrets[${i}]`, s));
  check.unique("secrets", args.secrets ?? []);
  checkScale(check, args.scale);
  check.labels("labels", args.labels);
  for (const key of Object.keys(args.labels ?? {}))
    if (RESERVED_LABEL.test(key))
      check.fail(
        `labels.${key}`,
        args.labels?.[key],
        "is set by OpenFaaS (faas_function) or by `scale` (com.openfaas.scale.*)",
      );
  const annotations = args.annotations ?? {};
  check.labels("annotations", Object.fromEntries(Object.keys(annotations).map((k) => [k, ""])));
  for (const key of Object.keys(annotations))
    if (METRICS_ANNOTATION.test(key))
      check.fail(
        `annotations.${key}`,
        annotations[key],
        "comes from `metrics` (Istio rewrites prometheus.io/* to its merged endpoint, and Prometheus reads dot and slash forms as one label)",
      );
  check.port("metrics.port", args.metrics?.port);
  check.pattern("metrics.path", args.metrics?.path, /^\/\S*$/, "a path starting with '/'");
  checkResources(check, "limits", args.limits);
  checkResources(check, "requests", args.requests);
  (args.constraints ?? []).forEach((c, i) => {
    const [key, value, extra] = c.split("=");
    if (value === undefined || extra !== undefined)
      check.fail(`constraints[${i}]`, c, 'a node label selector "key=value"');
    check.labels(`constraints[${i}]`, { [key]: value });
  });

  const partsArgs: ServicePartsArgs = {
    ...(args.traffic ? { traffic: args.traffic } : {}),
    ...(args.access ? { access: args.access } : {}),
    ...(args.monitor ? { monitor: args.monitor } : {}),
    ...(args.alerts ? { alerts: args.alerts } : {}),
    ...(args.telemetry ? { telemetry: args.telemetry } : {}),
    // The operator's Service listens on 8080 (faas-netes RuntimeHTTPPort).
    ...(args.ingress ? { ingress: { port: 8080, ...args.ingress } } : {}),
    ...(args.callees ? { callees: args.callees } : {}),
  };
  // The monitor selects the pods by ctx.selector, the operator's faas_function label.
  const parts = resolveParts(check, ctx, partsArgs);
  // As ServerlessService adds Knative's system pods: after the user's access is checked, so its
  // error paths are the user's own.
  if (parts.access) parts.access = gatewayAccess(ctx, parts.access);

  const labels = { ...args.labels, ...scaleLabels(args.scale) };
  const metrics: Record<string, string> = args.metrics
    ? {
        // OpenFaaS's key (faas-netes sets it "false" when absent); Istio's merging reads the rest.
        "prometheus.io.scrape": "true",
        "prometheus.io/port": String(args.metrics.port),
        "prometheus.io/path": args.metrics.path ?? "/metrics",
      }
    : {};
  const podAnnotations: Record<string, string> = { ...annotations, ...metrics };
  const spec: FunctionSpec = {
    name,
    image: args.image,
    ...(args.env && Object.keys(args.env).length > 0 ? { environment: { ...args.env } } : {}),
    ...(args.secrets && args.secrets.length > 0 ? { secrets: [...args.secrets] } : {}),
    ...(Object.keys(labels).length > 0 ? { labels } : {}),
    ...(Object.keys(podAnnotations).length > 0 ? { annotations: podAnnotations } : {}),
    ...(args.limits ? { limits: { ...args.limits } } : {}),
    ...(args.requests ? { requests: { ...args.requests } } : {}),
    readOnlyRootFilesystem: args.readOnlyRootFilesystem ?? true,
    ...(args.constraints && args.constraints.length > 0
      ? { constraints: [...args.constraints] }
      : {}),
  };
  return {
    ctx,
    function: {
      apiVersion: "openfaas.com/v1",
      kind: "Function",
      metadata: metaFor(ctx, name, "openfaas-function"),
      spec,
    },
    parts,
    dependsOn: [...ctx.dependsOn, ...(args.mesh?.openfaas?.dependsOn ?? [])],
  };
}

/**
 * One OpenFaaS function in the mesh: the `Function` (image, env, secrets, scale bounds, labels,
 * annotations, limits and requests), ordered after the OpenFaaS release that installs its CRD
 * and operator, plus its routes and destination policy, access (the OpenFaaS gateway admitted as
 * the proxy of the allowed callers), monitor, alerts, telemetry and ingress route.
 */
export class OpenFaasFunction extends pulumi.ComponentResource {
  readonly function: k8s.apiextensions.CustomResource;
  readonly parts: ServiceParts;
  /** The in-cluster host of the function's Service, `<name>.<namespace>.svc.cluster.local`. */
  readonly host: pulumi.Output<string>;

  constructor(name: string, args: OpenFaasFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-serverless:service:OpenFaasFunction", name, {}, opts);
    checkArgs(this, schema, args);
    const r = resolveOpenFaasFunction(new ArgChecker(this), name, args);
    this.function = registerObject(this, r.function, r.dependsOn);
    // Mesh objects wait for the mesh and the namespace, not for the function's pods.
    this.parts = registerParts(this, r.ctx, r.parts, r.ctx.dependsOn);
    const host = defaultHost(r.ctx);
    this.host = pulumi.output(host);
    this.registerOutputs({ host });
  }
}
