import * as fs from "fs";
import * as path from "path";
// Reading only: js-yaml parses a 1,000-service render's 5 MB of manifests ten times faster than
// `yaml` (which writes them). Its default schema in v5 is YAML 1.2 core, as `yaml`'s.
import { load, loadAll } from "js-yaml";
import { UsageError } from "./stack-config";
import { awsKey, CONFIG_KEY, FINGERPRINTS_FILE, helmKey, kubernetesKey } from "./fingerprints";

/**
 * Reads a render directory back into entities: every Kubernetes object, Helm release (with its
 * values), AWS resource and the stack outputs, keyed the same way in every render so that two
 * renders can be compared. Reads renders made before phases existed too (`manifests/<ns>.yaml`).
 */

export type EntityKind = "kubernetes" | "helm" | "aws" | "outputs" | "config";

export interface Entity {
  key: string;
  kind: EntityKind;
  /** How a reader names it: `AuthorizationPolicy shop/orders`, `helm release istio-system/istiod`. */
  title: string;
  body: Record<string, unknown>;
}

export interface RenderTree {
  dir: string;
  entities: Map<string, Entity>;
  /** Entity key -> field path -> fingerprint of a masked value. */
  fingerprints: Record<string, Record<string, string>>;
}

/** Phase directories (`1-cluster`); any other directory under manifests/ names a cluster. */
const PHASE_DIR = /^\d+-/;

function walk(dir: string, base = dir): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? walk(path.join(dir, e.name), base)
        : [path.relative(base, path.join(dir, e.name))],
    )
    .sort();
}

type Json = Record<string, unknown>;

/** Core `Service` vs Knative's, Istio's `Gateway` vs the Gateway API's. */
const AMBIGUOUS_KINDS = new Set(["Service", "Gateway"]);

function readKubernetes(dir: string, add: (e: Entity) => void): void {
  const root = path.join(dir, "manifests");
  for (const rel of walk(root)) {
    if (!rel.endsWith(".yaml") || path.basename(rel) === "kustomization.yaml") continue;
    const parts = rel.split(path.sep).slice(0, -1);
    const cluster = parts.filter((p) => !PHASE_DIR.test(p)).join("/");
    for (const doc of loadAll(fs.readFileSync(path.join(root, rel), "utf8"))) {
      const m = doc as Json | null;
      if (!m || typeof m !== "object") continue;
      const meta = (m.metadata ?? {}) as { name?: string; namespace?: string };
      const kind = String(m.kind);
      const group = String(m.apiVersion).includes("/") ? String(m.apiVersion).split("/")[0] : "";
      // Kinds with the same name in two groups say which one they are.
      const which = AMBIGUOUS_KINDS.has(kind) && group ? ` (${group})` : "";
      const id = `${meta.namespace ? `${meta.namespace}/` : ""}${meta.name ?? ""}`;
      add({
        key: kubernetesKey(cluster, String(m.apiVersion), kind, meta.namespace, meta.name),
        kind: "kubernetes",
        title: `${kind}${which} ${id}${cluster ? ` (provider ${cluster})` : ""}`,
        body: m,
      });
    }
  }
}

interface HelmfileRelease {
  name: string;
  namespace?: string;
  values?: string[];
  [k: string]: unknown;
}

function readHelm(dir: string, add: (e: Entity) => void): void {
  const file = path.join(dir, "helmfile.yaml");
  if (!fs.existsSync(file)) return;
  const doc = load(fs.readFileSync(file, "utf8")) as { releases?: HelmfileRelease[] } | null;
  for (const r of doc?.releases ?? []) {
    const { values: valueFiles, ...rest } = r;
    const values = Object.assign(
      {},
      ...(valueFiles ?? []).map((v) => {
        const p = path.join(dir, v);
        return fs.existsSync(p) ? ((load(fs.readFileSync(p, "utf8")) as Json | null) ?? {}) : {};
      }),
    ) as Json;
    const namespace = r.namespace ?? "default";
    add({
      key: helmKey(namespace, r.name),
      kind: "helm",
      title: `Helm release ${namespace}/${r.name}`,
      body: { ...rest, values },
    });
  }
}

function readAws(dir: string, add: (e: Entity) => void): void {
  const file = path.join(dir, "aws-plan.json");
  if (!fs.existsSync(file)) return;
  const plan = JSON.parse(fs.readFileSync(file, "utf8")) as {
    resources?: { type: string; name: string }[];
  };
  for (const r of plan.resources ?? []) {
    const { type, name, ...body } = r;
    add({ key: awsKey(type, name), kind: "aws", title: `AWS ${type} ${name}`, body });
  }
}

/** Reads a render directory. Throws when `dir` is not a render (no file a render writes). */
export function readRender(dir: string): RenderTree {
  const entities = new Map<string, Entity>();
  const add = (e: Entity): void => {
    entities.set(e.key, e);
  };
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new UsageError(`${dir} is not a directory`);
  readKubernetes(dir, add);
  readHelm(dir, add);
  readAws(dir, add);
  const outputs = path.join(dir, "outputs.json");
  if (fs.existsSync(outputs))
    add({
      key: "outputs",
      kind: "outputs",
      title: "Stack outputs",
      body: JSON.parse(fs.readFileSync(outputs, "utf8")) as Json,
    });
  const fpFile = path.join(dir, FINGERPRINTS_FILE);
  const fingerprints = fs.existsSync(fpFile)
    ? (JSON.parse(fs.readFileSync(fpFile, "utf8")) as RenderTree["fingerprints"])
    : {};
  const config = fingerprints[CONFIG_KEY];
  if (config)
    add({
      key: CONFIG_KEY,
      kind: "config",
      title: "Stack config (secure values)",
      body: Object.fromEntries(Object.keys(config).map((k) => [k, "[secret]"])),
    });
  if (entities.size === 0 && !fs.existsSync(outputs))
    throw new UsageError(`${dir} holds no render (no manifests/, helmfile.yaml, aws-plan.json)`);
  return { dir, entities, fingerprints };
}
