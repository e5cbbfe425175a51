import * as path from "path";

/**
 * GitOps-ready output: the order in which a render's parts are applied (phases, Helm releases,
 * Argo CD sync waves), the tool that will manage the objects, and the next steps printed at the
 * end of a render.
 */

/** Tools a render can label its objects for (`--gitops`): `app.kubernetes.io/managed-by`. */
export const GITOPS_TOOLS = ["argocd", "flux", "kubectl"] as const;
export type GitOpsTool = (typeof GITOPS_TOOLS)[number];

/**
 * Manifest phases, applied in this order: cluster-scoped built-in objects (namespaces, CRDs,
 * cluster roles), then, after the Helm releases, everything namespaced and every custom resource
 * (their CRDs and the sidecar injector come from the releases).
 */
export const PHASES = ["1-cluster", "2-resources"] as const;
export type Phase = (typeof PHASES)[number];

export const MANAGED_BY = "app.kubernetes.io/managed-by";
/** https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/ */
export const SYNC_WAVE = "argocd.argoproj.io/sync-wave";
/**
 * A custom resource whose CRD another Application installs fails Argo CD's dry run until the CRD
 * exists: https://argo-cd.readthedocs.io/en/stable/user-guide/sync-options/#skip-dry-run-for-new-custom-resources-types
 */
export const SYNC_OPTIONS = "argocd.argoproj.io/sync-options";
export const SKIP_DRY_RUN = "SkipDryRunOnMissingResource=true";

export interface ManifestMetadata {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** API groups served by Kubernetes itself; any other group needs a CRD. */
const BUILT_IN_GROUPS = new Set([
  "admissionregistration.k8s.io",
  "apiextensions.k8s.io",
  "apps",
  "autoscaling",
  "batch",
  "certificates.k8s.io",
  "coordination.k8s.io",
  "discovery.k8s.io",
  "events.k8s.io",
  "flowcontrol.apiserver.k8s.io",
  "networking.k8s.io",
  "node.k8s.io",
  "policy",
  "rbac.authorization.k8s.io",
  "resource.k8s.io",
  "scheduling.k8s.io",
  "storage.k8s.io",
]);

export function isCustomResource(apiVersion: string): boolean {
  return apiVersion.includes("/") && !BUILT_IN_GROUPS.has(apiVersion.split("/")[0]);
}

/**
 * Cluster-scoped built-in objects (namespaces, CRDs, cluster roles) come first; namespaced
 * objects and custom resources wait for the Helm releases (CRDs, the sidecar injector).
 */
export function phaseOf(m: { apiVersion: string; metadata: ManifestMetadata }): Phase {
  return !m.metadata?.namespace && !isCustomResource(m.apiVersion) ? PHASES[0] : PHASES[1];
}

/**
 * The object as written for a phase: its sync wave, Argo CD's dry-run skip for custom resources,
 * and the managing tool's label where the components put `pulumi`. Returns a copy.
 */
export function decorate<M extends { metadata: ManifestMetadata }>(
  m: M,
  wave: number,
  custom: boolean,
  tool: GitOpsTool | undefined,
): M {
  const annotations: Record<string, string> = { ...m.metadata.annotations };
  annotations[SYNC_WAVE] = String(wave);
  if (custom && tool === "argocd") annotations[SYNC_OPTIONS] = SKIP_DRY_RUN;
  const labels = m.metadata.labels;
  const relabel = tool !== undefined && labels?.[MANAGED_BY] === "pulumi";
  return {
    ...m,
    metadata: {
      ...m.metadata,
      annotations,
      ...(relabel ? { labels: { ...labels, [MANAGED_BY]: tool } } : {}),
    },
  };
}

/**
 * One per phase directory, so `kubectl apply -k <dir>` applies it:
 * https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/resource/
 */
export function kustomization(files: string[]): string {
  return [
    "apiVersion: kustomize.config.k8s.io/v1beta1",
    "kind: Kustomization",
    "resources:",
    ...files.map((f) => `  - ${f}`),
    "",
  ].join("\n");
}

/** One cluster of a render: where its manifests are and how to reach it. */
export interface ClusterTarget {
  /** `manifests` or `manifests/<provider name>`. */
  dir: string;
  /** Explicit provider name, undefined for the default provider. */
  provider?: string;
  /** kubectl context: the provider's `context`, or the stack's `kubernetes:context`. */
  context?: string;
  /** The provider is given a kubeconfig (a secret the render never sees). */
  kubeconfig: boolean;
  /** Phase directories under `dir`, in order. */
  phases: string[];
  /** Helm releases on this cluster. */
  releases: number;
}

export interface Layout {
  clusters: ClusterTarget[];
  helmfile: boolean;
  awsPlan: boolean;
  /** Helm release `namespace/name` -> sync wave. */
  releaseWaves: Record<string, number>;
  /** Wave of the resources phase (after every release). */
  resourcesWave: number;
}

function contextFlag(c: ClusterTarget): string {
  if (c.context) return ` --context ${c.context}`;
  return "";
}

/** What to run after a render, in order, for the chosen tool. */
export function nextSteps(out: string, layout: Layout, tool: GitOpsTool | undefined): string[] {
  const relative = path.relative(process.cwd(), out) || ".";
  const rel = relative.startsWith("..") ? out : relative;
  const lines: string[] = ["Next steps:"];
  let n = 1;
  const step = (s: string): void => {
    lines.push(`  ${n++}. ${s}`);
  };
  if (layout.clusters.length === 0 && !layout.helmfile && !layout.awsPlan) {
    step("nothing to deploy: the stack selects no resources");
    return lines;
  }
  for (const c of layout.clusters.filter((c) => c.kubeconfig && !c.context))
    step(
      `provider ${c.provider}: its kubeconfig is a secret; export KUBECONFIG=<that file> ` +
        `for the commands on ${c.dir}`,
    );
  if (tool === undefined || tool === "kubectl") {
    const apply = (c: ClusterTarget, phase: string): void =>
      step(`kubectl${contextFlag(c)} apply -k ${rel}/${c.dir}/${phase}`);
    for (const c of layout.clusters) if (c.phases.includes(PHASES[0])) apply(c, PHASES[0]);
    if (layout.helmfile) step(`helmfile --file ${rel}/helmfile.yaml sync`);
    for (const c of layout.clusters) if (c.phases.includes(PHASES[1])) apply(c, PHASES[1]);
  } else {
    step(`commit ${rel} to the repository ${tool === "argocd" ? "Argo CD" : "Flux"} watches`);
    if (tool === "argocd") {
      const waves = Object.entries(layout.releaseWaves)
        .map(([r, w]) => `${r}@${w}`)
        .join(", ");
      step(
        "one Application per phase directory and per Helm release, with these sync waves: " +
          `${PHASES[0]}@0, ${waves ? `${waves}, ` : ""}${PHASES[1]}@${layout.resourcesWave}`,
      );
    } else {
      step(
        "one Kustomization per phase directory and a HelmRelease per helmfile release; " +
          "2-resources `dependsOn` the HelmReleases and 1-cluster (see README)",
      );
    }
  }
  if (layout.awsPlan)
    step("AWS resources (aws-plan.json) are deployed by `pulumi up`; review the plan first");
  return lines;
}
