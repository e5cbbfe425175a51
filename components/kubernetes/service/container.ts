/**
 * The container both workload kinds run (the Knative service's and the meshed workload's):
 * image, ports, env (plain and from Secrets), resources, probes and security context, checked
 * and defaulted by `resolveContainer`, emitted by `containerSpec`.
 * https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#Container
 */
import * as pulumi from "@pulumi/pulumi";
import type { IIoK8sApiCoreV1Container as IContainer } from "kubernetes-models/v1/Container" with {
  "resolution-mode": "import",
};
import type { IIoK8sApiCoreV1EnvVar as IEnvVar } from "kubernetes-models/v1/EnvVar" with {
  "resolution-mode": "import",
};
import type { IIoK8sApiCoreV1Probe as IProbe } from "kubernetes-models/v1/Probe" with {
  "resolution-mode": "import",
};
import type { IIoK8sApiCoreV1SecurityContext as ISecurityContext } from "kubernetes-models/v1/SecurityContext" with {
  "resolution-mode": "import",
};
import { ArgChecker } from "../../core/validate";
import { QUANTITY } from "../../core/kube";
import { checkSecurityContext, securityContext, SecurityContextArgs } from "./security-context";

/** A container port. */
export interface PortArgs {
  /** Port the container listens on (1-65535). */
  containerPort: number;
  /** Port name (IANA_SVC_NAME, e.g. `http`, `h2c`); Knative uses it to pick the protocol. */
  name?: string;
}

/** An env var taken from a key of a Secret (the only way secrets enter a container). */
export interface SecretKeyArgs {
  /** Name of the Secret in the service's namespace (an Output of the Secret's name, too). */
  secret: pulumi.Input<string>;
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
  /**
   * Image reference, e.g. `gcr.io/my-project/helloworld-go` (tag or digest recommended), or the
   * name of an image built earlier in the program (`image.imageName`); checked when it resolves.
   */
  image: pulumi.Input<string>;
  /** Container name. @default "user-container" for Knative services, "app" for workloads */
  containerName?: string;
  /** Ports the container listens on; Knative serves exactly one. */
  ports?: PortArgs[];
  /**
   * Plain environment variables (secrets belong in `secretEnv`). Values may be Outputs of other
   * resources (a secret Output stays secret in the registered inputs); names are plain.
   */
  env?: Record<string, pulumi.Input<string>>;
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

/** Container arguments with every default applied: what `containerSpec` emits. @internal */
export interface ResolvedContainer {
  containerName: string;
  image: pulumi.Input<string>;
  command?: string[];
  args?: string[];
  ports: PortArgs[];
  env: Record<string, pulumi.Input<string>>;
  secretEnv: Record<string, SecretKeyArgs>;
  resources?: ContainerArgs["resources"];
  /** Probes with their port filled in (see `resolveContainer`). */
  livenessProbe?: ProbeArgs;
  readinessProbe?: ProbeArgs;
  startupProbe?: ProbeArgs;
  securityContext: ISecurityContext;
}

/** How a kind of workload runs its container. */
export interface ContainerRules {
  /** Most container ports allowed (Knative serves exactly one). */
  maxPorts: number;
  /** Apply Knative Serving's container rules. */
  knative: boolean;
  /** Container name when `containerName` is unset. */
  defaultName: string;
  /** Probe port when a probe names none and there is no container port (Knative's 8080). */
  fallbackProbePort?: number;
}

/**
 * An image reference as the kubelet parses it (distribution/reference `regexp.go`: an optional
 * registry host[:port], lowercase path components joined by `.`, `_`, `__` or dashes, an optional
 * tag of at most 128 word characters, dots and dashes, an optional digest), the name at most 255
 * characters. Anything else fails only at pull time (InvalidImageName).
 */
const IMAGE_PATH = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const IMAGE_HOST =
  "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)";
const IMAGE_NAME = new RegExp(`^${IMAGE_HOST}?${IMAGE_PATH}(?:/${IMAGE_PATH})*$`);
const IMAGE_TAG = /^[\w][\w.-]{0,127}$/;
const IMAGE_DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const IMAGE_RULE =
  "a container image reference [registry[:port]/]path[:tag][@digest] with lowercase path components, e.g. gcr.io/project/app:1.0";

function isImageReference(ref: string): boolean {
  const at = ref.indexOf("@");
  const named = at < 0 ? ref : ref.slice(0, at);
  if (at >= 0 && !IMAGE_DIGEST.test(ref.slice(at + 1))) return false;
  // A tag is what follows the last ':' after the last '/' (a ':' before it is a registry port).
  const colon = named.lastIndexOf(":");
  const tagged = colon > named.lastIndexOf("/");
  const name = tagged ? named.slice(0, colon) : named;
  if (tagged && !IMAGE_TAG.test(named.slice(colon + 1))) return false;
  return name.length <= 255 && IMAGE_NAME.test(name);
}

/** Checks `image` (an Output when it resolves); returns it as it is registered. @internal */
export function checkImage(check: ArgChecker, image: pulumi.Input<string>): pulumi.Input<string> {
  return check.input(image, (v) => {
    if (typeof v !== "string" || !isImageReference(v)) check.fail("image", v, IMAGE_RULE);
  })!;
}

/** Checks plain env names and values (`env.<name>`); returns them as they are registered. @internal */
export function checkEnv(
  check: ArgChecker,
  env: Record<string, pulumi.Input<string>> | undefined,
): Record<string, pulumi.Input<string>> {
  const out: Record<string, pulumi.Input<string>> = {};
  for (const [k, v] of Object.entries(env ?? {})) {
    check.pattern(
      `env.${k}`,
      k,
      ENV_NAME,
      "env var names are letters, digits, '_', '-' and '.', not starting with a digit",
    );
    // A value is any string; an Output must resolve to one (a number from a stack file is not).
    out[k] = check.input(v, (known) => {
      if (typeof known !== "string") check.fail(`env.${k}`, known, "a string");
    })!;
  }
  return out;
}

/**
 * Checks container arguments and applies their defaults. The probe schema needs a port, so a
 * probe without one takes the first container port, else `rules.fallbackProbePort`. `image`,
 * env values and Secret names may be Outputs: checked when they resolve (`check.input`).
 * @internal
 */
export function resolveContainer(
  check: ArgChecker,
  args: ContainerArgs,
  rules: ContainerRules,
): ResolvedContainer {
  const image = checkImage(check, args.image);
  check.dnsLabel("containerName", args.containerName);
  const ports = args.ports ?? [];
  if (ports.length > rules.maxPorts)
    check.fail(
      "ports",
      ports,
      `at most ${rules.maxPorts} port(s) here (Knative serves exactly one)`,
    );
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
  const env = checkEnv(check, args.env);
  const secretEnv: Record<string, SecretKeyArgs> = {};
  for (const [k, ref] of Object.entries(args.secretEnv ?? {})) {
    check.pattern(
      `secretEnv.${k}`,
      k,
      ENV_NAME,
      "env var names are letters, digits, '_', '-' and '.', not starting with a digit",
    );
    if (args.env && k in args.env)
      check.fail(`secretEnv.${k}`, k, "is also set in `env`; a variable comes from one place");
    const secret = check.input(ref.secret, (v) => check.dnsSubdomain(`secretEnv.${k}.secret`, v))!;
    check.secretKey(`secretEnv.${k}.key`, ref.key);
    secretEnv[k] = { ...ref, secret };
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
  checkSecurityContext(check, args.securityContext, rules.knative);
  const port = ports[0]?.containerPort ?? rules.fallbackProbePort;
  const withPort = (p: ProbeArgs | undefined): ProbeArgs | undefined => {
    if (!p || port === undefined) return p;
    if (p.httpGet && p.httpGet.port === undefined) return { ...p, httpGet: { ...p.httpGet, port } };
    if (p.tcpSocket && p.tcpSocket.port === undefined) return { ...p, tcpSocket: { port } };
    return p;
  };
  return {
    containerName: args.containerName ?? rules.defaultName,
    image,
    command: args.command,
    args: args.args,
    ports,
    env,
    secretEnv,
    resources: args.resources,
    livenessProbe: withPort(args.livenessProbe),
    readinessProbe: withPort(args.readinessProbe),
    startupProbe: withPort(args.startupProbe),
    securityContext: securityContext(args.securityContext),
  };
}

/** Env list: plain values first in the caller's order, then secret references. */
function envVars(c: ResolvedContainer): IEnvVar[] | undefined {
  // Values may be Outputs: the engine resolves them in the registered inputs.
  const out = Object.entries(c.env).map(([name, value]) => ({ name, value }) as IEnvVar);
  for (const [name, ref] of Object.entries(c.secretEnv)) {
    out.push({
      name,
      valueFrom: {
        secretKeyRef: {
          name: ref.secret as string,
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

/** The container spec of resolved container arguments (Outputs stay Outputs inside it). @internal */
export function containerSpec(r: ResolvedContainer): IContainer {
  const c: IContainer = { name: r.containerName, image: r.image as string };
  if (r.command) c.command = r.command;
  if (r.args) c.args = r.args;
  if (r.ports.length > 0)
    c.ports = r.ports.map((p) => ({
      containerPort: p.containerPort,
      ...(p.name ? { name: p.name } : {}),
    }));
  const env = envVars(r);
  if (env) c.env = env;
  if (r.resources)
    c.resources = {
      ...(r.resources.requests ? { requests: r.resources.requests } : {}),
      ...(r.resources.limits ? { limits: r.resources.limits } : {}),
    };
  const liveness = probe(r.livenessProbe);
  if (liveness) c.livenessProbe = liveness;
  const readiness = probe(r.readinessProbe);
  if (readiness) c.readinessProbe = readiness;
  const startup = probe(r.startupProbe);
  if (startup) c.startupProbe = startup;
  c.securityContext = r.securityContext;
  return c;
}
