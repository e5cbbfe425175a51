/**
 * Pieces shared by the per-service components: where an object lives, how it is labelled and
 * ordered after the mesh, and the container spec (image, ports, env, resources, probes) that the
 * Knative service and the meshed workload both emit. Pure functions; validation goes through
 * an `ArgChecker` with the caller's argument path prefix so messages name the full path.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { IIoK8sApiCoreV1Container as IContainer } from "kubernetes-models/v1/Container" with {
  "resolution-mode": "import",
};
import type { IIoK8sApiCoreV1EnvVar as IEnvVar } from "kubernetes-models/v1/EnvVar" with {
  "resolution-mode": "import",
};
import type { IIoK8sApiCoreV1Probe as IProbe } from "kubernetes-models/v1/Probe" with {
  "resolution-mode": "import",
};
import { ArgChecker } from "../../core/validate";
import { customResource, KubeObject, managedLabels, ObjectMeta, QUANTITY } from "../../core/kube";
import { MeshInfo, meshDefaults } from "../mesh-info";
import { checkSecurityContext, securityContext, SecurityContextArgs } from "./security-context";

export type { IContainer, IProbe };

/** A namespace given by name, or a component that creates it (anything with `namespace`). */
export interface NamespaceRef {
  /** The Kubernetes namespace name. */
  readonly namespace: string;
  /** The resource that creates it; objects in the namespace depend on it. */
  readonly resource: pulumi.Resource;
}

/** Where the objects of one service go and how they are named, labelled and ordered. */
export interface ServiceContext {
  /** The service name: object names, the `app` label, the default host. */
  name: string;
  namespace: string;
  /** Labels selecting the service's pods (`app: <name>` unless told otherwise). */
  selector: Record<string, string>;
  mesh: ReturnType<typeof meshDefaults>;
  /** Everything a mesh object must wait for: the mesh install and the namespace. */
  dependsOn: pulumi.Resource[];
}

/** Resolves a `namespace` argument: a name, or a `MeshNamespace` (then depended on). */
export function serviceContext(
  name: string,
  namespace: string | NamespaceRef | undefined,
  mesh: MeshInfo | undefined,
  selector?: Record<string, string>,
): ServiceContext {
  const m = meshDefaults(mesh);
  const ns = namespace ?? "default";
  const nsName = typeof ns === "string" ? ns : ns.namespace;
  const deps = typeof ns === "string" ? m.dependsOn : [...m.dependsOn, ns.resource];
  return { name, namespace: nsName, selector: selector ?? { app: name }, mesh: m, dependsOn: deps };
}

/** Checks the `namespace` argument when given by name. */
export function checkNamespace(
  check: ArgChecker,
  path: string,
  ns: string | NamespaceRef | undefined,
): void {
  if (typeof ns === "string") check.dnsLabel(path, ns);
}

/** Metadata for an object of service `ctx`; `component` names the part that made it. */
export function metaFor(
  ctx: ServiceContext,
  name: string,
  component: string,
  extra?: Record<string, string>,
): ObjectMeta {
  return {
    name,
    namespace: ctx.namespace,
    labels: { ...managedLabels(ctx.name, component), ...extra },
  };
}

/** Labels: keys are (prefix/)name, values at most 63 characters of [A-Za-z0-9-_.]. */
const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

export function checkLabels(
  check: ArgChecker,
  path: string,
  labels: Record<string, string> | undefined,
): void {
  if (labels === undefined) return;
  for (const [k, v] of Object.entries(labels)) {
    check.pattern(
      `${path}.${k}`,
      k,
      LABEL_KEY,
      "label keys must be an optional DNS subdomain prefix and '/', then a name of at most 63 characters",
    );
    check.pattern(
      `${path}.${k}`,
      v,
      LABEL_VALUE,
      "label values must be at most 63 characters of letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
    );
  }
}

/** A container port. */
export interface PortArgs {
  /** Port the container listens on (1-65535). */
  containerPort: number;
  /** Port name (IANA_SVC_NAME, e.g. `http`, `h2c`); Knative uses it to pick the protocol. */
  name?: string;
}

/** An env var taken from a key of a Secret (the only way secrets enter a container). */
export interface SecretKeyArgs {
  /** Name of the Secret in the service's namespace. */
  secret: string;
  /** Key inside the Secret. */
  key: string;
  /** Start even if the Secret or key is missing. @default false */
  optional?: boolean;
}

/** A probe: exactly one of `httpGet`, `tcpSocket`, `grpc`, `exec`, plus timing. See https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#Probe */
export interface ProbeArgs {
  httpGet?: { path: string; port?: number; scheme?: "HTTP" | "HTTPS" };
  tcpSocket?: { port?: number };
  grpc?: { port: number; service?: string };
  exec?: { command: string[] };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
  successThreshold?: number;
}

/** Container settings shared by the Knative service and the meshed workload. */
export interface ContainerArgs {
  /** Image reference, e.g. `gcr.io/my-project/helloworld-go` (tag or digest recommended). */
  image: string;
  /** Container name. @default "user-container" for Knative services, "app" for workloads */
  containerName?: string;
  /** Ports the container listens on; Knative serves exactly one. */
  ports?: PortArgs[];
  /** Plain environment variables (never secrets: use `secretEnv`). */
  env?: Record<string, string>;
  /** Environment variables from Secret keys (emitted as `valueFrom.secretKeyRef`). */
  secretEnv?: Record<string, SecretKeyArgs>;
  /** Requests and limits, e.g. `{ requests: { cpu: "25m", memory: "64Mi" } }`. */
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  /** Container arguments and command override. */
  args?: string[];
  command?: string[];
  livenessProbe?: ProbeArgs;
  readinessProbe?: ProbeArgs;
  startupProbe?: ProbeArgs;
  /** Container security settings, each replacing one field of the Pod Security Standards
   * "restricted" defaults (see `SecurityContextArgs`). */
  securityContext?: SecurityContextArgs;
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const PORT_NAME = /^(?=.{1,15}$)(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const RESOURCE_NAME = /^([a-z0-9.-]+\/)?[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/;

function checkProbe(check: ArgChecker, path: string, p: ProbeArgs | undefined): void {
  if (p === undefined) return;
  const handlers = (["httpGet", "tcpSocket", "grpc", "exec"] as const).filter((k) => p[k]);
  if (handlers.length !== 1)
    check.fail(path, handlers, "a probe needs exactly one of httpGet, tcpSocket, grpc, exec");
  if (p.httpGet) {
    check.pattern(`${path}.httpGet.path`, p.httpGet.path, /^\//, "must start with '/'");
    check.port(`${path}.httpGet.port`, p.httpGet.port);
  }
  check.port(`${path}.tcpSocket.port`, p.tcpSocket?.port);
  check.port(`${path}.grpc.port`, p.grpc?.port);
  if (p.exec && p.exec.command.length === 0)
    check.fail(`${path}.exec.command`, p.exec.command, "must be a non-empty list of strings");
  check.int(`${path}.initialDelaySeconds`, p.initialDelaySeconds, 0, 86400);
  check.int(`${path}.periodSeconds`, p.periodSeconds, 1, 86400);
  check.int(`${path}.timeoutSeconds`, p.timeoutSeconds, 1, 86400);
  check.int(`${path}.failureThreshold`, p.failureThreshold, 1, 1000);
  check.int(`${path}.successThreshold`, p.successThreshold, 1, 1000);
}

/** Validates container arguments; `knative` applies Knative Serving's container rules. */
export function checkContainer(
  check: ArgChecker,
  args: ContainerArgs,
  maxPorts: number,
  knative = false,
): void {
  check.pattern(
    "image",
    args.image,
    /^\S+$/,
    "a container image reference without whitespace, e.g. gcr.io/project/app:1.0",
  );
  check.dnsLabel("containerName", args.containerName);
  const ports = args.ports ?? [];
  if (ports.length > maxPorts)
    check.fail("ports", ports, `at most ${maxPorts} port(s) here (Knative serves exactly one)`);
  ports.forEach((p, i) => {
    check.port(`ports[${i}].containerPort`, p.containerPort);
    check.pattern(
      `ports[${i}].name`,
      p.name,
      PORT_NAME,
      "an IANA service name: 1-15 lowercase letters, digits and '-', with at least one letter",
    );
  });
  check.unique(
    "ports",
    ports.map((p) => String(p.containerPort)),
  );
  for (const k of Object.keys(args.env ?? {}))
    check.pattern(
      `env.${k}`,
      k,
      ENV_NAME,
      "env var names are letters, digits, '_', '-' and '.', not starting with a digit",
    );
  for (const [k, ref] of Object.entries(args.secretEnv ?? {})) {
    check.pattern(
      `secretEnv.${k}`,
      k,
      ENV_NAME,
      "env var names are letters, digits, '_', '-' and '.', not starting with a digit",
    );
    if (args.env && k in args.env)
      check.fail(`secretEnv.${k}`, k, "is also set in `env`; a variable comes from one place");
    check.dnsSubdomain(`secretEnv.${k}.secret`, ref.secret);
    check.secretKey(`secretEnv.${k}.key`, ref.key);
  }
  for (const part of ["requests", "limits"] as const) {
    for (const [k, v] of Object.entries(args.resources?.[part] ?? {})) {
      check.pattern(
        `resources.${part}.${k}`,
        k,
        RESOURCE_NAME,
        "a resource name such as cpu, memory or nvidia.com/gpu",
      );
      check.pattern(
        `resources.${part}.${k}`,
        v,
        QUANTITY,
        'a Kubernetes quantity such as "250m", "0.5" or "64Mi"',
      );
    }
  }
  checkProbe(check, "livenessProbe", args.livenessProbe);
  checkProbe(check, "readinessProbe", args.readinessProbe);
  checkProbe(check, "startupProbe", args.startupProbe);
  checkSecurityContext(check, args.securityContext, knative);
}

/** Env list: plain values first in the caller's order, then secret references. */
function envVars(args: ContainerArgs): IEnvVar[] | undefined {
  const out: IEnvVar[] = Object.entries(args.env ?? {}).map(([name, value]) => ({ name, value }));
  for (const [name, ref] of Object.entries(args.secretEnv ?? {})) {
    out.push({
      name,
      valueFrom: {
        secretKeyRef: {
          name: ref.secret,
          key: ref.key,
          ...(ref.optional !== undefined ? { optional: ref.optional } : {}),
        },
      },
    });
  }
  return out.length > 0 ? out : undefined;
}

function probe(p: ProbeArgs | undefined): IProbe | undefined {
  if (p === undefined) return undefined;
  const out: IProbe = {};
  if (p.httpGet)
    out.httpGet = {
      path: p.httpGet.path,
      ...(p.httpGet.port !== undefined ? { port: p.httpGet.port } : {}),
      ...(p.httpGet.scheme ? { scheme: p.httpGet.scheme } : {}),
    } as IProbe["httpGet"];
  if (p.tcpSocket)
    out.tcpSocket = {
      ...(p.tcpSocket.port !== undefined ? { port: p.tcpSocket.port } : {}),
    } as IProbe["tcpSocket"];
  if (p.grpc)
    out.grpc = {
      port: p.grpc.port,
      ...(p.grpc.service !== undefined ? { service: p.grpc.service } : {}),
    };
  if (p.exec) out.exec = { command: p.exec.command };
  for (const k of [
    "initialDelaySeconds",
    "periodSeconds",
    "timeoutSeconds",
    "failureThreshold",
    "successThreshold",
  ] as const) {
    if (p[k] !== undefined) out[k] = p[k];
  }
  return out;
}

/**
 * The container spec. The probe schema needs a port, so a probe without one takes the first
 * container port, else `fallbackProbePort` (Knative's default serving port 8080).
 */
export function containerSpec(
  args: ContainerArgs,
  defaultName: string,
  fallbackProbePort?: number,
): IContainer {
  const port = args.ports?.[0]?.containerPort ?? fallbackProbePort;
  const withPort = (p: ProbeArgs | undefined): ProbeArgs | undefined => {
    if (!p || port === undefined) return p;
    if (p.httpGet && p.httpGet.port === undefined) return { ...p, httpGet: { ...p.httpGet, port } };
    if (p.tcpSocket && p.tcpSocket.port === undefined) return { ...p, tcpSocket: { port } };
    return p;
  };
  const c: IContainer = { name: args.containerName ?? defaultName, image: args.image };
  if (args.command) c.command = args.command;
  if (args.args) c.args = args.args;
  if (args.ports && args.ports.length > 0)
    c.ports = args.ports.map((p) => ({
      containerPort: p.containerPort,
      ...(p.name ? { name: p.name } : {}),
    }));
  const env = envVars(args);
  if (env) c.env = env;
  if (args.resources)
    c.resources = {
      ...(args.resources.requests ? { requests: args.resources.requests } : {}),
      ...(args.resources.limits ? { limits: args.resources.limits } : {}),
    };
  const liveness = probe(withPort(args.livenessProbe));
  if (liveness) c.livenessProbe = liveness;
  const readiness = probe(withPort(args.readinessProbe));
  if (readiness) c.readinessProbe = readiness;
  const startup = probe(withPort(args.startupProbe));
  if (startup) c.startupProbe = startup;
  c.securityContext = securityContext(args.securityContext);
  return c;
}

/** `<namespace>/<name>` service accounts as SPIFFE-style Istio principals. */
export function principalOf(trustDomain: string, serviceAccount: string): string {
  const [ns, sa] = serviceAccount.split("/");
  return `${trustDomain}/ns/${ns}/sa/${sa}`;
}

/**
 * Registers a custom object as a child of `parent`. The Pulumi name is `<namespace>/<name>`
 * (as kubectl and Pulumi's YAML support write it), unique per kind across namespaces.
 */
export function registerObject(
  parent: pulumi.Resource,
  object: KubeObject,
  dependsOn: pulumi.Input<pulumi.Resource>[],
): k8s.apiextensions.CustomResource {
  return customResource(resourceName(object.metadata), object, { parent, dependsOn });
}

/** `<namespace>/<name>`, or `<name>` for cluster-scoped objects. */
export function resourceName(meta: { name: string; namespace?: string }): string {
  return meta.namespace ? `${meta.namespace}/${meta.name}` : meta.name;
}
