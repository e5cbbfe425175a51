import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { IPeerAuthentication } from "@kubernetes-models/istio/security.istio.io/v1/PeerAuthentication" with {
  "resolution-mode": "import",
};
import type { IAuthorizationPolicy } from "@kubernetes-models/istio/security.istio.io/v1/AuthorizationPolicy" with {
  "resolution-mode": "import",
};
import type { ISidecar } from "@kubernetes-models/istio/networking.istio.io/v1/Sidecar" with {
  "resolution-mode": "import",
};
import { ArgChecker } from "../../core/validate";
import { KubeObject, managedLabels, QUANTITY } from "../../core/kube";
import { checkMesh, injectionLabels, MeshInfo, meshDefaults, ResolvedMeshInfo } from "../mesh-info";
import { NamespaceRef, registerObject, resourceName } from "./spec";
import { checkArgs } from "../../core/args-schema";
import schema from "../../../schema/MeshNamespace.schema.json";

type MtlsMode = "STRICT" | "PERMISSIVE" | "DISABLE";
type PodSecurityLevel = "restricted" | "baseline" | "privileged";
const PSA = "pod-security.kubernetes.io";

/**
 * The strictest Pod Security Standards level a namespace's pods can meet. Outside the mesh or in
 * ambient mode nothing is injected, and this package's containers meet "restricted". Sidecar
 * injection adds `istio-init` with NET_ADMIN and NET_RAW unless the Istio CNI agent replaces it;
 * "baseline" allows neither capability, so without CNI only "privileged" admits the pods. With
 * CNI, Istio documents "baseline" for meshed namespaces.
 * https://istio.io/latest/docs/setup/additional-setup/pod-security-admission/
 */
function podSecurityLevel(
  mesh: Pick<ResolvedMeshInfo, "dataPlane" | "cni">,
  enrolled: boolean,
): PodSecurityLevel {
  if (!enrolled || mesh.dataPlane === "ambient") return "restricted";
  return mesh.cni ? "baseline" : "privileged";
}
type LimitsArgs = Exclude<MeshNamespaceArgs["limits"], false | undefined>;
const DEFAULT_LIMITS: LimitsArgs = {
  defaultRequest: { cpu: "100m", memory: "128Mi" },
  default: { cpu: "1", memory: "256Mi" },
};
/** Sidecar egress hosts: `<namespace>/<dns name>` with `*`, `.` or `~` namespaces and wildcard names. */
const EGRESS_HOST =
  /^(\*|\.|~|[a-z0-9]([-a-z0-9]*[a-z0-9])?)\/(\*|(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$/;
const QUOTA_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[a-z0-9]([-a-z0-9._/]*[a-z0-9])?$/;

export interface MeshNamespaceArgs {
  /**
   * Namespace name: the Namespace's physical name and Pulumi resource name, so a plain string,
   * known when the program runs. Give it explicitly where the component's name may change: the
   * Namespace then keeps its URN and is not replaced. @default the component name
   */
  namespace?: string;
  /**
   * Create the Namespace. `false` for one that exists (e.g. `default`): only the policies are
   * emitted, and injection labels are the owner's job. A created Namespace is retained on
   * delete, so turning this off (or renaming it) leaves it and everything in it in the cluster.
   * @default true
   */
  create?: boolean;
  /** Enrol the namespace in the mesh: `istio.io/rev` when the mesh has a revision, `istio-injection: enabled` otherwise, `istio.io/dataplane-mode: ambient` in ambient mode. @default true */
  injection?: boolean;
  /** Extra namespace labels. */
  labels?: Record<string, string>;
  /** Namespace-wide mTLS (`PeerAuthentication`). PERMISSIVE/DISABLE must be asked for; `false`: no
   * PeerAuthentication, the namespace inherits the mesh-wide mode. @default { mode: "STRICT", name: "default" } https://istio.io/latest/docs/reference/config/security/peer_authentication/ */
  mtls?: false | { mode?: MtlsMode; name?: string };
  /**
   * Pod Security admission level enforced on the created namespace
   * (`pod-security.kubernetes.io/enforce`); `warn` and `audit` are always `restricted`, so
   * anything short of it shows. `false`: no Pod Security labels.
   * https://kubernetes.io/docs/concepts/security/pod-security-admission/
   * @default the strictest level the namespace's pods can meet: "restricted" outside the mesh or
   * in ambient mode, "baseline" for sidecars with the Istio CNI agent, "privileged" for sidecars
   * without it (see `podSecurityLevel`)
   */
  podSecurity?: PodSecurityLevel | false;
  /** Add an `allow-nothing` AuthorizationPolicy so only what a service's policy allows gets in. @default false */
  denyByDefault?: boolean;
  /**
   * Scope the namespace's sidecars to these egress hosts (`<namespace>/<host>`, e.g.
   * `serverless/*`, `*\/api.example.com`) plus the namespace itself and the Istio root namespace.
   * Unset: no `Sidecar` (every host in the mesh is visible). https://istio.io/latest/docs/reference/config/networking/sidecar/
   */
  egressHosts?: string[];
  /** A `ResourceQuota`, e.g. `{ hard: { "requests.cpu": "4", "limits.memory": "16Gi" } }`. Name defaults to "<namespace>-quota". */
  quota?: { hard: Record<string, string>; name?: string };
  /**
   * Container defaults (`LimitRange`) that come with a quota: once a quota limits `requests.*` or
   * `limits.*`, the API server rejects any pod whose containers do not declare them, and Knative's
   * queue-proxy declares no memory. `false`: none (every container then declares its own).
   * @default with a quota: `{ defaultRequest: { cpu: "100m", memory: "128Mi" }, default: { cpu: "1", memory: "256Mi" } }`
   * @see https://kubernetes.io/docs/concepts/policy/resource-quotas/
   */
  limits?:
    | { defaultRequest?: Record<string, string>; default?: Record<string, string>; name?: string }
    | false;
  /** A `PriorityClass` for the namespace's functions (cluster-scoped). Name defaults to "<namespace>-priority". */
  priorityClass?: {
    /** Priority, at most 1000000000 (higher is reserved for system classes). */
    value: number;
    name?: string;
    /** @default false */
    globalDefault?: boolean;
    description?: string;
    /** @default "PreemptLowerPriority" (the Kubernetes default) */
    preemptionPolicy?: "PreemptLowerPriority" | "Never";
  };
  mesh?: MeshInfo;
}

/** MeshNamespace args with every default applied: what the constructor registers. */
interface ResolvedMeshNamespace {
  namespace: string;
  /** Labels of the Namespace object; unset when `create: false`. */
  namespaceLabels?: Record<string, string>;
  /** Labels of every other object. */
  labels: Record<string, string>;
  mtls?: { name: string; mode: MtlsMode };
  denyByDefault: boolean;
  /** Sidecar egress hosts, the namespace's and the root namespace's first. */
  sidecarHosts?: string[];
  quota?: { name: string; hard: Record<string, string> };
  limits?: {
    name: string;
    defaultRequest?: Record<string, string>;
    default?: Record<string, string>;
  };
  priorityClass?: {
    name: string;
    value: number;
    globalDefault: boolean;
    description?: string;
    preemptionPolicy?: "PreemptLowerPriority" | "Never";
  };
  dependsOn: pulumi.Resource[];
}

/**
 * Checks a MeshNamespace's args and applies their defaults. The namespace name stays plain: it
 * is the Namespace's resource name and the namespace of every object in it.
 */
function resolveMeshNamespace(
  check: ArgChecker,
  name: string,
  args: MeshNamespaceArgs,
): ResolvedMeshNamespace {
  checkMesh(check, args.mesh);
  const ns = args.namespace ?? name;
  check.dnsLabel(args.namespace === undefined ? "name" : "namespace", ns);
  const mesh = meshDefaults(args.mesh);
  check.labels("labels", args.labels);
  const mtls = args.mtls === false ? undefined : (args.mtls ?? {});
  check.dnsSubdomain("mtls.name", mtls?.name);
  const enrolled = args.injection ?? true;
  const podSecurity = args.podSecurity ?? podSecurityLevel(mesh, enrolled);
  if (
    podSecurity !== false &&
    podSecurity !== "privileged" &&
    podSecurityLevel(mesh, enrolled) === "privileged"
  )
    check.fail(
      "podSecurity",
      podSecurity,
      'sidecar injection without the Istio CNI agent needs "privileged" (istio-init adds NET_ADMIN and NET_RAW); install the CNI agent (`mesh.cni`) or use ambient mode',
    );
  if (args.egressHosts !== undefined && mesh.dataPlane === "ambient")
    check.fail(
      "egressHosts",
      args.egressHosts,
      "Sidecar resources do not apply in ambient mode; scope egress with waypoints instead",
    );
  (args.egressHosts ?? []).forEach((h, i) =>
    check.pattern(
      `egressHosts[${i}]`,
      h,
      EGRESS_HOST,
      '"<namespace>/<host>" where namespace is a name, "*", "." or "~" and host a DNS name or wildcard',
    ),
  );
  if (args.quota) {
    const hard = args.quota.hard ?? {};
    if (Object.keys(hard).length === 0)
      check.fail("quota.hard", args.quota.hard, 'at least one limit, e.g. { "requests.cpu": "4" }');
    for (const [k, v] of Object.entries(hard)) {
      check.pattern(
        `quota.hard.${k}`,
        k,
        QUOTA_KEY,
        "a resource name such as requests.cpu, limits.memory, pods or count/deployments.apps",
      );
      check.pattern(
        `quota.hard.${k}`,
        String(v),
        QUANTITY,
        'a Kubernetes quantity such as "4", "500m" or "8Gi"',
      );
    }
    check.dnsSubdomain("quota.name", args.quota.name);
  }
  if (args.limits) {
    for (const part of ["defaultRequest", "default"] as const) {
      for (const [k, v] of Object.entries(args.limits[part] ?? {})) {
        check.oneOf(`limits.${part}.${k}`, k, ["cpu", "memory", "ephemeral-storage"]);
        check.pattern(
          `limits.${part}.${k}`,
          String(v),
          QUANTITY,
          'a Kubernetes quantity such as "500m" or "256Mi"',
        );
      }
    }
    check.dnsSubdomain("limits.name", args.limits.name);
  }
  const pc = args.priorityClass;
  if (pc) {
    check.int("priorityClass.value", pc.value, -2147483648, 1000000000);
    check.dnsSubdomain("priorityClass.name", pc.name);
  }
  const labels = managedLabels(ns, "namespace");
  const psaLabels: Record<string, string> = podSecurity
    ? {
        [`${PSA}/enforce`]: podSecurity,
        [`${PSA}/audit`]: "restricted",
        [`${PSA}/warn`]: "restricted",
      }
    : {};
  const limits =
    args.quota && args.limits !== false
      ? (args.limits ?? DEFAULT_LIMITS)
      : args.limits || undefined;
  const tracing = mesh.tracingService ? [`*/${mesh.tracingService}`] : [];
  return {
    namespace: ns,
    ...((args.create ?? true)
      ? {
          namespaceLabels: {
            ...labels,
            ...(enrolled ? injectionLabels(mesh) : {}),
            ...psaLabels,
            ...args.labels,
          },
        }
      : {}),
    labels,
    ...(mtls ? { mtls: { name: mtls.name ?? "default", mode: mtls.mode ?? "STRICT" } } : {}),
    denyByDefault: args.denyByDefault ?? false,
    ...(args.egressHosts
      ? {
          sidecarHosts: [
            ...new Set(["./*", `${mesh.rootNamespace}/*`, ...tracing, ...args.egressHosts]),
          ],
        }
      : {}),
    ...(args.quota
      ? { quota: { name: args.quota.name ?? `${ns}-quota`, hard: args.quota.hard } }
      : {}),
    ...(limits
      ? {
          limits: {
            name: limits.name ?? `${ns}-limits`,
            ...(limits.defaultRequest ? { defaultRequest: limits.defaultRequest } : {}),
            ...(limits.default ? { default: limits.default } : {}),
          },
        }
      : {}),
    ...(pc
      ? {
          priorityClass: {
            name: pc.name ?? `${ns}-priority`,
            value: pc.value,
            globalDefault: pc.globalDefault ?? false,
            ...(pc.description !== undefined ? { description: pc.description } : {}),
            ...(pc.preemptionPolicy !== undefined ? { preemptionPolicy: pc.preemptionPolicy } : {}),
          },
        }
      : {}),
    dependsOn: mesh.dependsOn,
  };
}

/**
 * A namespace in the mesh: the Namespace with injection (or ambient) labels, STRICT mTLS,
 * optionally deny-by-default authorization, sidecar egress scoping, a quota and a priority class.
 */
export class MeshNamespace extends pulumi.ComponentResource implements NamespaceRef {
  /** The namespace name (plain, for other components' arguments). */
  readonly namespace: string;
  readonly resource: pulumi.Resource;
  readonly namespaceName: pulumi.Output<string>;
  readonly namespaceObject?: k8s.core.v1.Namespace;
  /** Unset with `mtls: false` (the mesh-wide mode applies). */
  readonly peerAuthentication?: k8s.apiextensions.CustomResource;
  readonly denyPolicy?: k8s.apiextensions.CustomResource;
  readonly sidecar?: k8s.apiextensions.CustomResource;
  readonly quota?: k8s.core.v1.ResourceQuota;
  readonly limitRange?: k8s.core.v1.LimitRange;
  readonly priorityClass?: k8s.scheduling.v1.PriorityClass;

  constructor(name: string, args: MeshNamespaceArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-serverless:service:MeshNamespace", name, {}, opts);
    checkArgs(this, schema, args);
    const r = resolveMeshNamespace(new ArgChecker(this), name, args);
    const ns = r.namespace;
    this.namespace = ns;
    this.resource = this;
    const deps = r.dependsOn;
    if (r.namespaceLabels) {
      // Kept in the cluster when it leaves the program (a renamed key, `create: false`): the
      // Secrets, PVCs and workloads in it are not all Pulumi's to delete. Removing it on purpose
      // takes `kubectl delete namespace`. https://www.pulumi.com/docs/iac/concepts/resources/options/retainondelete/
      this.namespaceObject = new k8s.core.v1.Namespace(
        ns,
        { metadata: { name: ns, labels: r.namespaceLabels } },
        { parent: this, dependsOn: deps, retainOnDelete: true },
      );
    }
    const inNs = this.namespaceObject ? [...deps, this.namespaceObject] : deps;
    const meta = (n: string) => ({ name: n, namespace: ns, labels: r.labels });

    if (r.mtls) {
      const pa: KubeObject<NonNullable<IPeerAuthentication["spec"]>> & {
        apiVersion: "security.istio.io/v1";
        kind: "PeerAuthentication";
      } = {
        apiVersion: "security.istio.io/v1",
        kind: "PeerAuthentication",
        metadata: meta(r.mtls.name),
        spec: { mtls: { mode: r.mtls.mode } },
      };
      this.peerAuthentication = registerObject(this, pa, inNs);
    }
    if (r.denyByDefault) {
      // An ALLOW-action policy with no rules matches nothing: every request is denied unless
      // another ALLOW policy on the workload lets it in.
      const deny: KubeObject<NonNullable<IAuthorizationPolicy["spec"]>> & {
        apiVersion: "security.istio.io/v1";
        kind: "AuthorizationPolicy";
      } = {
        apiVersion: "security.istio.io/v1",
        kind: "AuthorizationPolicy",
        metadata: meta("allow-nothing"),
        spec: {},
      };
      this.denyPolicy = registerObject(this, deny, inNs);
    }
    if (r.sidecarHosts) {
      const sidecar: KubeObject<NonNullable<ISidecar["spec"]>> & {
        apiVersion: "networking.istio.io/v1";
        kind: "Sidecar";
      } = {
        apiVersion: "networking.istio.io/v1",
        kind: "Sidecar",
        metadata: meta("default"),
        spec: { egress: [{ hosts: r.sidecarHosts }] },
      };
      this.sidecar = registerObject(this, sidecar, inNs);
    }
    const nsDeps = this.namespaceObject ? [this.namespaceObject] : [];
    if (r.quota) {
      this.quota = new k8s.core.v1.ResourceQuota(
        resourceName({ name: r.quota.name, namespace: ns }),
        { metadata: meta(r.quota.name), spec: { hard: r.quota.hard } },
        { parent: this, dependsOn: nsDeps },
      );
    }
    if (r.limits) {
      const { name: lName, ...limits } = r.limits;
      this.limitRange = new k8s.core.v1.LimitRange(
        resourceName({ name: lName, namespace: ns }),
        { metadata: meta(lName), spec: { limits: [{ type: "Container", ...limits }] } },
        { parent: this, dependsOn: nsDeps },
      );
    }
    if (r.priorityClass) {
      const { name: pcName, ...pc } = r.priorityClass;
      this.priorityClass = new k8s.scheduling.v1.PriorityClass(
        pcName,
        { metadata: { name: pcName, labels: r.labels }, ...pc },
        { parent: this },
      );
    }
    this.namespaceName = this.namespaceObject
      ? this.namespaceObject.metadata.name
      : pulumi.output(ns);
    this.registerOutputs({ namespaceName: ns });
  }
}
