/**
 * The fuzz test of issue 11: for every public component, valid args (its sample in
 * test/core/samples.ts and every stack-file entry for it) with one field corrupted at a time
 * (corruptions.ts: a wrong type, a number out of range, empty, huge, unicode, a hostile string, an
 * unknown key, null). Each case must end one of two ways, within a time limit:
 * - rejected: `build` throws a `pulumi.ResourceError` whose argument is the corrupted field (or a
 *   field inside it, or the object holding it), and nothing is registered below the component;
 * - harmless: it builds, every registration settles without an error, and every Kubernetes object
 *   passes its upstream schema (`validateManifest`) and the API server's metadata rules.
 * Anything else (a TypeError, another argument named, an async failure, a hang) is a failure.
 * fuzz.test.ts runs a few cases per component in `npm test`; `npm run fuzz` (run.ts) runs 1,000.
 */
import * as fs from "fs";
import * as path from "path";
import fc from "fast-check";
import * as pulumi from "@pulumi/pulumi";
import * as h from "../harness";
import { isKubernetesObject } from "../../cli/artifacts";
import type { RecordedResource } from "../../cli/engine";
import { validateManifest } from "../../components/core/schema";
import { isDns1123Label, isDns1123Subdomain } from "../../components/core/names";
import { parse } from "yaml";
import { components, type Args, type Build } from "../core/samples";
import { schemaOf } from "../core/schema-places";
import { corruption } from "./corruptions";

export type Segment = string | number;
type Json = Record<string, unknown>;

/** The object schemas that may apply at `at` (following $ref, anyOf branches, items, properties). */
function schemasAt(root: Json, at: Segment[]): Json[] {
  const defs = root.definitions as Record<string, Json>;
  const expand = (s: Json | undefined): Json[] => {
    if (!s) return [];
    if (typeof s.$ref === "string")
      return expand(defs[decodeURIComponent(s.$ref.replace("#/definitions/", ""))]);
    if (Array.isArray(s.anyOf)) return (s.anyOf as Json[]).flatMap(expand);
    return [s];
  };
  let here = expand(root);
  for (const seg of at)
    here = here.flatMap((s) =>
      typeof seg === "number"
        ? expand(s.items as Json)
        : expand((s.properties as Json | undefined)?.[seg] as Json),
    );
  return here;
}

/**
 * Where a corruption can go in `valid`: every field it has (at any depth, array items included),
 * and every property its schema knows at each of its objects that the sample leaves out.
 */
export function slots(component: string, valid: Args): Segment[][] {
  const root = schemaOf(component);
  const out: Segment[][] = [];
  const walk = (value: unknown, at: Segment[]) => {
    if (at.length) out.push(at);
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...at, i]));
    else if (value !== null && typeof value === "object") {
      if (Object.getPrototypeOf(value) !== Object.prototype) return; // a resource, an archive
      for (const [k, v] of Object.entries(value)) walk(v, [...at, k]);
      const known = schemasAt(root, at).flatMap((s) => Object.keys((s.properties as Json) ?? {}));
      for (const k of new Set(known)) if (!(k in value)) out.push([...at, k]);
    }
  };
  walk(valid, []);
  return out;
}

/** `valid` with the field at `at` set to `value` (a copy, resources in it kept as they are;
 * missing objects on the way are created). */
export function corrupt(valid: Args, at: Segment[], value: unknown): Args {
  const copy = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(copy);
    if (v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype)
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x)]));
    return v;
  };
  const out = copy(valid) as Args;
  let o = out as Record<Segment, unknown>;
  at.slice(0, -1).forEach((seg, i) => {
    o = (o[seg] ??= typeof at[i + 1] === "number" ? [] : {}) as Record<Segment, unknown>;
  });
  o[at[at.length - 1]] = value;
  return out;
}

/** `a.b[0].c`: a path as an error message names the argument. */
export function pathText(at: Segment[]): string {
  return at.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}

/** Whether the argument an error names is the corrupted field, inside it, or the object holding it. */
function namesField(argument: string, field: string): boolean {
  const within = (inner: string, outer: string) =>
    inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
  return within(argument, field) || (argument !== "" && within(field, argument));
}

type Outcome = { kind: "rejected" } | { kind: "harmless" } | { kind: "failure"; problem: string };

/** The API server's metadata rules the upstream models do not check. */
function metadataProblem(r: RecordedResource): string | undefined {
  const meta = (r.inputs.metadata ?? {}) as Json;
  if (typeof meta.name !== "string" || !isDns1123Subdomain(meta.name))
    return `metadata.name ${JSON.stringify(meta.name)} is no DNS-1123 subdomain`;
  if (meta.namespace !== undefined && !isDns1123Label(String(meta.namespace)))
    return `metadata.namespace ${JSON.stringify(meta.namespace)} is no DNS-1123 label`;
  // https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
  const value = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
  for (const [k, v] of Object.entries((meta.labels ?? {}) as Json)) {
    const [prefix, name] = k.includes("/") ? k.split("/", 2) : [undefined, k];
    if (prefix !== undefined && !isDns1123Subdomain(prefix)) return `label key ${k}`;
    if (name.length > 63 || !/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(name))
      return `label key ${k}`;
    if (typeof v !== "string" || v.length > 63 || !value.test(v))
      return `label ${k} value ${JSON.stringify(v)}`;
  }
  return undefined;
}

/** Set once a case hangs: the engine then never settles again, so the remaining cases are void. */
let hung: string | undefined;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang: ${what} did not settle in ${ms} ms`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

/**
 * Builds `component` from `seed` with the field at `at` set to `value` (the seed as it is without
 * `at`) on a fresh engine, and says how it ended.
 */
export async function runCase(
  component: Component,
  seed: Seed,
  at: Segment[] | undefined,
  value: unknown,
  timeoutMs = 10_000,
  build: Build = components()[component].build,
): Promise<Outcome> {
  if (hung) return { kind: "failure", problem: `not run: ${hung}` };
  await h.reset();
  const field = at ? pathText(at) : "";
  const asyncErrors: string[] = [];
  const onRejection = (e: unknown) => asyncErrors.push(`unhandled rejection: ${String(e)}`);
  process.on("unhandledRejection", onRejection);
  const { error: logError, warn: logWarn } = pulumi.log;
  (pulumi.log as { error: unknown }).error = async (msg: string) => {
    asyncErrors.push(`logged error: ${msg}`);
  };
  // Warnings are allowed (a sample's Grafana without an admin Secret says so every time).
  (pulumi.log as { warn: unknown }).warn = async () => undefined;
  try {
    let thrown: unknown;
    try {
      build(at ? corrupt(seed.valid, at, value) : seed.valid, seed.name);
    } catch (e) {
      thrown = e;
    }
    try {
      await withTimeout(h.settled(), timeoutMs, field);
    } catch (e) {
      // The engine still waits for that registration: no later case could settle.
      hung = e instanceof Error ? e.message : String(e);
      return { kind: "failure", problem: hung };
    }
    await new Promise((r) => setImmediate(r));
    if (asyncErrors.length) return { kind: "failure", problem: asyncErrors.join("; ") };
    if (thrown !== undefined) return rejected(thrown, field);
    return await harmless();
  } finally {
    process.off("unhandledRejection", onRejection);
    (pulumi.log as { error: unknown }).error = logError;
    (pulumi.log as { warn: unknown }).warn = logWarn;
  }
}

async function rejected(thrown: unknown, field: string): Promise<Outcome> {
  if (!(thrown instanceof pulumi.ResourceError))
    return { kind: "failure", problem: `threw ${String(thrown)}` };
  // The argument in error; or, for a rule across fields, another one with the corrupted field or
  // what holds it named in the message (a renamed subset a route still uses: "add it to
  // `subsets`"), or a sibling whose message names the field's key ("give paths or routes").
  const named = [...thrown.message.matchAll(/`([^`]*)`/g)].map((m) => m[1]);
  const argument = /^invalid `([^`]*)`/.exec(thrown.message)?.[1];
  const parent = (p: string) => p.replace(/(\[\d+\]|\.?[^.[\]]+)$/, "");
  const key = /[^.[\]]+$/.exec(field)?.[0] ?? field;
  const sibling =
    argument !== undefined &&
    parent(argument) === parent(field) &&
    new RegExp(`\\b${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`).test(thrown.message);
  if (argument === undefined || !(sibling || named.some((a) => namesField(a, field))))
    return { kind: "failure", problem: `error names another argument: ${thrown.message}` };
  const failed = thrown.resource ? await h.resolve(thrown.resource.urn) : undefined;
  const below = h
    .resources()
    .filter(
      (r) =>
        (failed !== undefined && r.parent === failed) ||
        (r.parent === undefined &&
          r.urn !== failed &&
          r.type !== "mesh-serverless:aws:MeshNetwork"),
    );
  if (below.length)
    return {
      kind: "failure",
      problem: `registered before rejecting: ${below.map((r) => r.name).join(", ")}`,
    };
  return { kind: "rejected" };
}

async function harmless(): Promise<Outcome> {
  const kube = h.resources().filter(isKubernetesObject);
  for (const r of kube) {
    const verdict = await validateManifest(r.inputs);
    if (verdict.status === "invalid")
      return { kind: "failure", problem: `${r.type} ${r.name}: ${verdict.message}` };
    const meta = metadataProblem(r);
    if (meta) return { kind: "failure", problem: `${r.type} ${r.name}: ${meta}` };
  }
  return { kind: "harmless" };
}

type Component = keyof ReturnType<typeof components>;

/** Valid args to corrupt, and the name to build them under (the sample's own by default). */
export interface Seed {
  name?: string;
  valid: Args;
}

/** Where the stack files keep each component's args: `services.<kind>.<name>`, `platform`. */
const SERVICE_KINDS: Record<string, Component> = {
  namespaces: "MeshNamespace",
  serverless: "ServerlessService",
  workloads: "MeshedWorkload",
  traffic: "ServiceTraffic",
  access: "ServiceAccess",
  observability: "ServiceObservability",
  gateways: "IngressGateway",
  routes: "IngressRoute",
  serviceEntries: "MeshServiceEntry",
};
const ADD_ONS: Record<string, Component> = {
  istio: "IstioMesh",
  knative: "KnativeServing",
  jaeger: "Jaeger",
  prometheus: "Prometheus",
  fluentd: "Fluentd",
};

/** Every entry of the repository's stack files (stacks/Pulumi.*.yaml) as candidate args. */
function stackEntries(): { component: Component; name?: string; args: Args }[] {
  const dir = path.join(__dirname, "..", "..", "stacks");
  const out: { component: Component; name?: string; args: Args }[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => /^Pulumi\..*\.yaml$/.test(f))) {
    const config = (parse(fs.readFileSync(path.join(dir, file), "utf8")).config ?? {}) as Json;
    const services = (config["mesh-serverless:services"] ?? {}) as Record<string, Json>;
    for (const [kind, entries] of Object.entries(services))
      for (const [name, args] of Object.entries(entries ?? {}))
        if (SERVICE_KINDS[kind])
          out.push({ component: SERVICE_KINDS[kind], name, args: args as Args });
    const platform = config["mesh-serverless:platform"] as Json | undefined;
    if (platform) {
      out.push({ component: "MeshPlatform", args: platform });
      for (const [key, args] of Object.entries(platform))
        if (ADD_ONS[key] && args !== null && typeof args === "object")
          out.push({ component: ADD_ONS[key], args: args as Args });
    }
    const aws = (config["mesh-serverless:aws"] ?? {}) as Record<string, Json>;
    for (const [name, n] of Object.entries(aws.networks ?? {})) {
      const { provider: _provider, namespace, ...rest } = n as Json;
      out.push({ component: "MeshNetwork", name, args: { ...rest, namespaceName: namespace } });
    }
  }
  return out.filter((e) => !JSON.stringify(e.args).includes('"secure"'));
}

const seedCache = new Map<Component, Seed[]>();

/**
 * The seeds of `component`: its sample, and each stack file entry for it that builds harmlessly
 * on its own (alone, or over the sample where the component needs what the program passes in).
 */
async function seeds(component: Component): Promise<Seed[]> {
  const cached = seedCache.get(component);
  if (cached) return cached;
  const sample = components()[component].valid;
  const out: Seed[] = [{ valid: sample }];
  for (const e of stackEntries().filter((x) => x.component === component))
    for (const valid of [e.args, { ...sample, ...e.args }]) {
      const outcome = await runCase(component, { name: e.name, valid }, undefined, undefined);
      if (outcome.kind === "harmless") {
        out.push({ name: e.name, valid });
        break;
      }
    }
  seedCache.set(component, out);
  return out;
}

interface Counts {
  runs: number;
  rejected: number;
  harmless: number;
  failures: { field: string; value: string; problem: string }[];
  /** How many seeds the cases were drawn from. */
  seeds: number;
}

function show(value: unknown): string {
  if (typeof value === "function") return "[function]";
  try {
    const s = JSON.stringify(value) ?? String(value);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(value);
  }
}

/** Cases for `component`: a seed, a slot in it and a corruption of what is there. */
function cases(component: Component, from: Seed[]) {
  return fc.constantFrom(...from).chain((seed) =>
    fc.constantFrom(...slots(component, seed.valid)).chain((at) => {
      let original: unknown = seed.valid;
      for (const seg of at) original = (original as Record<Segment, unknown> | undefined)?.[seg];
      return fc.tuple(fc.constant(seed), fc.constant(at), corruption(original));
    }),
  );
}

/**
 * Runs `numRuns` cases of `component` (from `only`, else from all its seeds), counting each
 * outcome; every failure is kept (not only the first), so one run lists them all.
 */
export async function fuzz(
  component: Component,
  numRuns: number,
  seed?: number,
  only?: Seed[],
): Promise<Counts> {
  const counts: Counts = { runs: 0, rejected: 0, harmless: 0, failures: [], seeds: 0 };
  const from = only ?? (await seeds(component));
  counts.seeds = from.length;
  await fc.check(
    fc.asyncProperty(cases(component, from), async ([s, at, value]) => {
      const outcome = await runCase(component, s, at, value);
      counts.runs++;
      if (outcome.kind === "failure")
        counts.failures.push({
          field: `${s.name ?? "sample"}: ${pathText(at)}`,
          value: show(value),
          problem: outcome.problem,
        });
      else counts[outcome.kind]++;
      return true;
    }),
    { numRuns, seed },
  );
  return counts;
}
