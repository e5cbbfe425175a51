/**
 * The analyzer's data model: plain Kubernetes objects in, findings out. No Pulumi here: the
 * renderer, the `analyze` command and the policy pack all feed the same rules.
 */

/** Any Kubernetes object as parsed from YAML or taken from a resource's inputs. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  // Manifests are arbitrary JSON; rules read them defensively through the helpers in `read.ts`.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [field: string]: any;
}

export type Severity = "error" | "warning";

export interface Finding {
  severity: Severity;
  code: string;
  kind: string;
  namespace: string;
  name: string;
  message: string;
}

/** Where a finding's object lives, as rules report it. */
export type Reporter = (object: K8sObject, severity: Severity, message: string) => void;

/** Cluster facts the objects do not say; each default is cited where it is set. */
export interface AnalysisOptions {
  /** Per-pod istio-proxy resources (istiod chart `global.proxy.resources`). */
  proxyResources?: PodResources;
  /** queue-proxy resources Knative sets (config-deployment `queue-sidecar-*`). */
  queueProxyResources?: PodResources;
}

/** requests/limits of one container, in CPU cores and bytes; undefined = not set. */
export interface PodResources {
  requests: { cpu?: number; memory?: number };
  limits: { cpu?: number; memory?: number };
}

export interface Rule {
  /** Stable code, printed with every finding and listed in the README. */
  code: string;
  /** One line for the README and `--list`. */
  summary: string;
  /** The upstream file or page the rule comes from. */
  source: string;
  check(index: Inventory, report: Reporter, options: Required<AnalysisOptions>): void;
}

/** What every rule needs to look things up, built once per analysis (see `inventory.ts`). */
export interface Inventory {
  objects: K8sObject[];
  byKind(kind: string): K8sObject[];
  /** Namespaces created by a `Namespace` object of the input. */
  createdNamespaces: Map<string, K8sObject>;
  /** Namespaces any object of the input lives in (or is created). */
  knownNamespaces: Set<string>;
  /** Pod templates with their owner: Deployments, StatefulSets, DaemonSets, Pods, Knative Services. */
  workloads: Workload[];
  /** The workloads in one namespace (rules that match selectors look only there). */
  workloadsIn(namespace: string): Workload[];
  /** The objects of one kind in one namespace. */
  inNamespace(kind: string, namespace: string): K8sObject[];
  /** The Knative operator's `KnativeServing` CR, when the input has one. */
  knativeServing?: K8sObject;
}

export interface Workload {
  owner: K8sObject;
  namespace: string;
  podLabels: Record<string, string>;
  podAnnotations: Record<string, string>;
  podSpec: Record<string, unknown>;
  /** Maximum pods at once; undefined = unbounded (Knative without max-scale). */
  maxPods: number | undefined;
  /** Pods that always run (replicas, Knative min-scale). */
  minPods: number;
  knative: boolean;
}
