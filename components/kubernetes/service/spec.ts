/**
 * Pieces shared by the per-service components: where an object lives (namespace, mesh), how it
 * is named, labelled and ordered after the mesh, and how it is registered. Pure functions;
 * validation goes through an `ArgChecker` with the caller's argument path prefix so messages
 * name the full path. The container both workloads run is in container.ts.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ArgChecker } from "../../core/validate";
import { customResource, KubeObject, managedLabels, ObjectMeta } from "../../core/kube";
import { checkMesh, MeshInfo, meshDefaults, ResolvedMeshInfo } from "../mesh-info";

/** A namespace given by name, or a component that creates it (anything with `namespace`). */
export interface NamespaceRef {
  /** The Kubernetes namespace name. */
  readonly namespace: string;
  /** The resource that creates it; objects in the namespace depend on it. */
  readonly resource: pulumi.Resource;
}

/** Where a workload (ServerlessService, MeshedWorkload) runs. */
export interface WorkloadPlacementArgs {
  /**
   * A plain name (or a `MeshNamespace`), not an Output: it is part of every child's resource
   * name (`<namespace>/<name>`), which Pulumi needs when the child is registered.
   * @default "default"
   */
  namespace?: string | NamespaceRef;
  /** The installed mesh (`MeshPlatform`'s `meshInfo`). @default a stock Istio + Knative install */
  mesh?: MeshInfo;
}

/** Where the objects of one service go and how they are named, labelled and ordered. */
export interface ServiceContext {
  /** The service name: object names, the `app` label, the default host. */
  name: string;
  namespace: string;
  /** Labels selecting the service's pods (`app: <name>` unless told otherwise). */
  selector: Record<string, string>;
  mesh: ResolvedMeshInfo;
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

/**
 * Where a one-part component's objects go: checks `mesh`, the component's name (the objects'
 * name, a DNS subdomain) and `namespace`; returns the context and the remaining args.
 */
export function placePart<A extends { namespace?: string | NamespaceRef; mesh?: MeshInfo }>(
  check: ArgChecker,
  name: string,
  args: A,
  selector?: Record<string, string>,
): { ctx: ServiceContext; rest: Omit<A, "namespace" | "mesh"> } {
  checkMesh(check, args.mesh);
  check.dnsSubdomain("name", name);
  checkNamespace(check, "namespace", args.namespace);
  const { namespace, mesh, ...rest } = args;
  return { ctx: serviceContext(name, namespace, mesh, selector), rest };
}

/**
 * Where a workload's objects go: checks `mesh`, the name (a DNS label: it names the pods'
 * workload and Service; at most `maxName` characters) and `namespace`.
 */
export function placeWorkload(
  check: ArgChecker,
  name: string,
  args: WorkloadPlacementArgs,
  maxName = 63,
): ServiceContext {
  checkMesh(check, args.mesh);
  check.dnsLabel("name", name);
  check.length("name", name, 1, maxName);
  checkNamespace(check, "namespace", args.namespace);
  return serviceContext(name, args.namespace, args.mesh);
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
