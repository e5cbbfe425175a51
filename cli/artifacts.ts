import { toYaml } from "./yaml-write";
import { validateManifest } from "../components/core/schema";
import { sortKeys } from "../components/core/values";
import { RecordedResource, Recording } from "./engine";
import {
  ClusterTarget,
  decorate,
  GitOpsTool,
  isCustomResource,
  kustomization,
  ManifestMetadata,
  Phase,
  phaseOf,
  PHASES,
} from "./gitops";

/**
 * Turns a recording into the files `pulumi up` would amount to: Kubernetes manifests, a
 * helmfile with one values file per release, and the AWS plan. Pure: files are returned as
 * path -> content, with stable ordering so two renders are byte-identical.
 */

export const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

export interface Files {
  [relativePath: string]: string;
}

export interface SchemaProblem {
  object: string;
  message: string;
}

export interface ManifestResult {
  files: Files;
  objects: number;
  /** Objects checked against a published schema (the rest have none). */
  validated: number;
  invalid: SchemaProblem[];
  /** `apiVersion kind` -> why it was not validated. */
  unvalidated: Record<string, string>;
  /** Cluster directory (`manifests[/<provider>]`) -> its phase directories, in order. */
  phases: Record<string, Phase[]>;
  /** Argo CD sync wave of the resources phase: after every Helm release. */
  resourcesWave: number;
}

export interface ArtifactOptions {
  /** Label objects as managed by this tool instead of pulumi. */
  gitops?: GitOpsTool;
  /** kubectl context of the default provider (the stack's `kubernetes:context`). */
  kubeContext?: string;
}

/** Kubernetes objects (not Helm releases, providers or remote components) of the recording. */
export function isKubernetesObject(r: RecordedResource): boolean {
  return (
    r.custom &&
    r.type.startsWith("kubernetes:") &&
    r.type !== HELM_RELEASE &&
    !r.type.startsWith("kubernetes:helm.sh/")
  );
}

export function isAwsResource(r: RecordedResource): boolean {
  return r.type.startsWith("aws:") || r.type === "pulumi:providers:aws";
}

const KIND_ORDER = [
  "Namespace",
  "CustomResourceDefinition",
  "PriorityClass",
  "ResourceQuota",
  "LimitRange",
  "ServiceAccount",
  "Secret",
  "ConfigMap",
  "ClusterRole",
  "ClusterRoleBinding",
  "Role",
  "RoleBinding",
  "Service",
  "Deployment",
  "StatefulSet",
  "DaemonSet",
];

function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i < 0 ? KIND_ORDER.length : i;
}

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: ManifestMetadata;
  [k: string]: unknown;
}

/** Sync wave of each Helm release (by URN): 1 + the deepest wave among the releases it needs. */
export function releaseWaves(recording: Recording): Map<string, number> {
  const releases = recording.resources.filter((r) => r.type === HELM_RELEASE);
  const byUrn = new Map(releases.map((r) => [r.urn, r]));
  const waves = new Map<string, number>();
  const wave = (r: RecordedResource, seen: Set<string>): number => {
    const known = waves.get(r.urn);
    if (known !== undefined) return known;
    if (seen.has(r.urn)) return 1; // the engine rejects cycles; stay finite anyway
    seen.add(r.urn);
    const needs = r.dependencies.map((u) => byUrn.get(u)).filter((d) => d !== undefined);
    const w = 1 + Math.max(0, ...needs.map((d) => wave(d, seen)));
    waves.set(r.urn, w);
    return w;
  };
  for (const r of releases) wave(r, new Set());
  return waves;
}

/** A manifest with apiVersion, kind and metadata first, the rest sorted. */
function orderedManifest(m: Manifest): Record<string, unknown> {
  const { apiVersion, kind, metadata, ...rest } = m;
  return { apiVersion, kind, metadata: sortKeys(metadata), ...(sortKeys(rest) as object) };
}

function objectId(m: Manifest): string {
  const ns = m.metadata?.namespace ? `${m.metadata.namespace}/` : "";
  return `${m.apiVersion} ${m.kind} ${ns}${m.metadata?.name ?? "(no name)"}`;
}

/** The directory a resource's manifests go to: by explicit provider, else the default cluster. */
export function clusterDir(recording: Recording, r: RecordedResource): string {
  const p = recording.providerOf(r);
  return p ? `manifests/${p.name}` : "manifests";
}

export async function buildManifests(
  recording: Recording,
  options: ArtifactOptions = {},
): Promise<ManifestResult> {
  const resourcesWave = 1 + Math.max(0, ...releaseWaves(recording).values());
  const groups = new Map<string, Manifest[]>();
  const invalid: SchemaProblem[] = [];
  const unvalidated: Record<string, string> = {};
  let objects = 0;
  let validated = 0;
  const kube = recording.resources.filter(isKubernetesObject);
  // Validation uses the unredacted inputs: a placeholder must not hide a type error.
  const verdicts = await Promise.all(kube.map((r) => validateManifest(r.inputs)));
  kube.forEach((r, i) => {
    const m = r.redacted as Manifest;
    objects++;
    const verdict = verdicts[i];
    if (verdict.status === "invalid")
      invalid.push({ object: objectId(m), message: verdict.message });
    if (verdict.status === "unvalidated") unvalidated[`${m.apiVersion} ${m.kind}`] = verdict.reason;
    else validated++;
    const phase = phaseOf(m);
    const dir = `${clusterDir(recording, r)}/${phase}`;
    const file = `${dir}/${m.metadata?.namespace ?? "_cluster"}.yaml`;
    const list = groups.get(file) ?? [];
    const wave = phase === PHASES[0] ? 0 : resourcesWave;
    list.push(decorate(m, wave, isCustomResource(m.apiVersion), options.gitops));
    groups.set(file, list);
  });
  const files: Files = {};
  for (const file of [...groups.keys()].sort()) {
    const list = groups
      .get(file)!
      .sort(
        (a, b) =>
          kindRank(a.kind) - kindRank(b.kind) ||
          a.kind.localeCompare(b.kind) ||
          a.apiVersion.localeCompare(b.apiVersion) ||
          String(a.metadata?.name).localeCompare(String(b.metadata?.name)),
      );
    files[file] = list.map((m) => toYaml(orderedManifest(m))).join("---\n");
  }
  const phases: Record<string, Phase[]> = {};
  for (const dir of [...new Set(Object.keys(files).map((f) => f.slice(0, f.lastIndexOf("/"))))]) {
    const cluster = dir.slice(0, dir.lastIndexOf("/"));
    phases[cluster] = [...(phases[cluster] ?? []), dir.slice(cluster.length + 1) as Phase].sort();
    const inDir = Object.keys(files).filter((f) => f.startsWith(`${dir}/`) && f.endsWith(".yaml"));
    files[`${dir}/kustomization.yaml`] = kustomization(inDir.map((f) => f.slice(dir.length + 1)));
  }
  invalid.sort((a, b) => a.object.localeCompare(b.object));
  return { phases, resourcesWave, files, objects, validated, invalid, unvalidated };
}

/** A short, stable name for a chart repository URL, as helmfile's `repositories` want one. */
export function repositoryName(url: string): string {
  const u = new URL(url.startsWith("oci://") ? `https://${url.slice(6)}` : url);
  // The first host label names the owner for github.io pages and vendor hosts alike; a
  // repository below a path on a shared host (blob.istio.io/istio-release/charts) is named by
  // its first path segment.
  const owner = u.hostname.split(".")[0];
  const pathPart = u.pathname.split("/").filter(Boolean);
  const base = url.startsWith("oci://")
    ? (pathPart[pathPart.length - 1] ?? owner)
    : pathPart.length > 1
      ? pathPart[0]
      : owner;
  return base.toLowerCase().replace(/[^a-z0-9-]/g, "-");
}

interface ReleaseInputs {
  name?: string;
  chart?: string;
  version?: string;
  namespace?: string;
  createNamespace?: boolean;
  repositoryOpts?: { repo?: string };
  values?: Record<string, unknown>;
}

/**
 * The kubectl context a resource's cluster is reached with, when the render knows it. helmfile
 * takes it per release (`releases[].kubeContext`, passed to helm as --kube-context):
 * https://github.com/helmfile/helmfile/blob/main/docs/index.md
 */
function kubeContextOf(
  recording: Recording,
  r: RecordedResource,
  fallback?: string,
): string | undefined {
  const p = recording.providerOf(r);
  if (!p) return fallback;
  return typeof p.inputs.context === "string" ? p.inputs.context : undefined;
}

/** Every cluster a render targets: its manifests directory, provider, context and release count. */
export function clusterTargets(
  recording: Recording,
  manifests: ManifestResult,
  options: ArtifactOptions = {},
): ClusterTarget[] {
  const targets = new Map<string, ClusterTarget>();
  for (const r of recording.resources) {
    const release = r.type === HELM_RELEASE;
    if (!release && !isKubernetesObject(r)) continue;
    const dir = clusterDir(recording, r);
    const p = recording.providerOf(r);
    const t = targets.get(dir) ?? {
      dir,
      ...(p ? { provider: p.name } : {}),
      context: kubeContextOf(recording, r, options.kubeContext),
      kubeconfig: p?.inputs.kubeconfig !== undefined,
      phases: manifests.phases[dir] ?? [],
      releases: 0,
    };
    if (release) t.releases++;
    targets.set(dir, t);
  }
  return [...targets.values()].sort((a, b) => a.dir.localeCompare(b.dir));
}

/** A release as helmfile's `needs` name it: `namespace/name`. */
export function releaseKey(r: RecordedResource): string {
  const i = r.redacted as ReleaseInputs;
  return `${i.namespace ?? "default"}/${i.name ?? r.name}`;
}

/** `namespace/name` -> sync wave of every Helm release, sorted. */
export function releaseWaveTable(recording: Recording): Record<string, number> {
  const waves = [...releaseWaves(recording)].map(([urn, w]) => {
    const r = recording.byUrn(urn);
    return [r ? releaseKey(r) : urn, w] as const;
  });
  return Object.fromEntries(waves.sort((a, b) => a[0].localeCompare(b[0])));
}

export function buildHelmfile(
  recording: Recording,
  options: ArtifactOptions = {},
): { files: Files; releases: number } {
  const releases = recording.resources.filter((r) => r.type === HELM_RELEASE);
  if (releases.length === 0) return { files: {}, releases: 0 };
  const repos = new Map<string, string>(); // url -> name
  const byUrn = new Map(releases.map((r) => [r.urn, r]));
  const files: Files = {};
  const entries = releases.map((r) => {
    const i = r.redacted as ReleaseInputs;
    const name = i.name ?? r.name;
    const namespace = i.namespace ?? "default";
    let chart = i.chart ?? "";
    const repo =
      i.repositoryOpts?.repo ??
      (chart.startsWith("oci://") ? chart.slice(0, chart.lastIndexOf("/")) : undefined);
    if (repo) {
      const taken = new Set(repos.values());
      let repoName = repos.get(repo) ?? repositoryName(repo);
      if (!repos.has(repo)) {
        for (let n = 2; taken.has(repoName); n++) repoName = `${repositoryName(repo)}-${n}`;
        repos.set(repo, repoName);
      }
      chart = `${repoName}/${chart.slice(chart.lastIndexOf("/") + 1)}`;
    }
    const valuesFile = `values/${namespace}/${name}.yaml`;
    files[valuesFile] = toYaml(sortKeys(i.values ?? {}));
    const needs = r.dependencies
      .map((u) => byUrn.get(u))
      .filter((d): d is RecordedResource => !!d)
      .map(releaseKey)
      .sort();
    const kubeContext = kubeContextOf(recording, r, options.kubeContext);
    return {
      name,
      namespace,
      ...(kubeContext ? { kubeContext } : {}),
      chart,
      version: i.version,
      ...(i.createNamespace ? { createNamespace: true } : {}),
      values: [valuesFile],
      ...(needs.length ? { needs } : {}),
    };
  });
  entries.sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
  const repositories = [...repos.entries()]
    .map(([url, name]) =>
      url.startsWith("oci://") ? { name, url: url.slice(6), oci: true } : { name, url },
    )
    .sort((a, b) => a.name.localeCompare(b.name));
  files["helmfile.yaml"] = toYaml({ repositories, releases: entries });
  return { files, releases: entries.length };
}

/** `type::name` of a recorded resource (the URN when it is not recorded), as aws-plan.json names it. */
export function label(recording: Recording, urn: string): string {
  const r = recording.byUrn(urn);
  return r ? `${r.type}::${r.name}` : urn;
}

export function buildAwsPlan(
  recording: Recording,
  stack: string,
): { files: Files; resources: number } {
  const aws = recording.resources.filter(isAwsResource);
  if (aws.length === 0) return { files: {}, resources: 0 };
  const resources = aws
    .map((r) => {
      const provider = recording.providerOf(r);
      return {
        type: r.type,
        name: r.name,
        ...(provider ? { provider: `${provider.type}::${provider.name}` } : {}),
        ...(r.parent ? { parent: label(recording, r.parent) } : {}),
        dependsOn: r.dependencies.map((u) => label(recording, u)).sort(),
        inputs: sortKeys(r.redacted),
      };
    })
    .sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name));
  return {
    files: { "aws-plan.json": `${JSON.stringify({ stack, resources }, null, 2)}\n` },
    resources: resources.length,
  };
}
