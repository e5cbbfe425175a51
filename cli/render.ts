import * as fs from "fs";
import * as path from "path";
import { performance } from "perf_hooks";
import * as pulumi from "@pulumi/pulumi";
import { installRecordingEngine, Recording, SECRET_PLACEHOLDER, settle } from "./engine";
import { withoutTraces } from "./sdk-settings";
import {
  buildAwsPlan,
  buildHelmfile,
  buildManifests,
  clusterTargets,
  Files,
  releaseWaveTable,
  SchemaProblem,
} from "./artifacts";
import { GITOPS_TOOLS, GitOpsTool, Layout, nextSteps } from "./gitops";
import { DiffOutputOptions, runDiff } from "./diff";
import { entityOf, fingerprintFile, stackFilePath } from "./fingerprints";
import { buildTopologyFiles, prepareGraphviz } from "./topology-render";
import { readRender } from "./render-reader";
import { sortKeys } from "../components/core/values";
import { readStackConfig, UsageError } from "./stack-config";
import { programFile, readProject } from "./project";
import { AnalysisError, analyzeRecording } from "./render-analysis";
import { componentNamespace } from "../components/core/args-schema";
import { RENDER_USAGE as USAGE } from "./usage";

/**
 * The offline renderer: runs a Pulumi project's program (Pulumi.yaml `main`) with a stack's config
 * (from `stackConfigDir`) against the recording engine and writes what `pulumi up` would create.
 * `mesh-serverless render --stack dev [--out DIR]` (here: `npm run render -- --stack dev`).
 */

export interface RenderOptions {
  stack: string;
  /** Output directory; default `out/<stack>` under `root`. */
  out?: string;
  /** Project root (holds Pulumi.yaml); default the working directory, as for `pulumi`. */
  root?: string;
  /** The program module; default Pulumi.yaml's `main`. */
  program?: string;
  /** The tool that will manage the objects (`--gitops`); labels them `managed-by: <tool>`. */
  gitops?: GitOpsTool;
}

export interface RenderResult {
  out: string;
  files: string[];
  resourcesByType: Record<string, number>;
  manifests: number;
  validated: number;
  releases: number;
  awsResources: number;
  unvalidated: Record<string, string>;
  /** Analyzer warnings, one formatted line each: valid objects that may not do what they say. */
  warnings: string[];
  outputs: Record<string, unknown>;
  recording: Recording;
  millis: number;
  /** Wall milliseconds of each step, in order: config (stack file), program (registrations),
   * manifests (schema validation and YAML), analyzer, files (helmfile, plan, topology,
   * fingerprints), write. */
  phaseMs: Record<string, number>;
  /** CPU milliseconds of the same steps (all threads, GC included). */
  phaseCpuMs: Record<string, number>;
  /** Clusters, phases and waves: what the next steps apply, in order. */
  layout: Layout;
  gitops?: GitOpsTool;
}

/** Schema failures: the render stops with exit code 1 and writes nothing. */
export class SchemaError extends Error {
  override name = "SchemaError";
  constructor(readonly problems: SchemaProblem[]) {
    super(
      `${problems.length} object(s) fail their schema:\n` +
        problems.map((p) => `  ${p.object}: ${p.message}`).join("\n"),
    );
  }
}

type Program = () => unknown;

function loadProgram(file: string): Program {
  // The program is loaded the way Pulumi's Node.js host loads it: require(), once per process. A
  // module that exports a function (`export = main`, or a default export) is called and its
  // result is the stack outputs; otherwise the module's exports are (a top-level program).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(file) as Program | { default?: Program };
  const fn = typeof mod === "function" ? mod : mod.default;
  return typeof fn === "function" ? fn : () => mod;
}

/** Resolves stack outputs; a secret output is written as the placeholder. */
async function resolveOutputs(value: unknown): Promise<Record<string, unknown>> {
  if (value === undefined || value === null) return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const o = pulumi.output(v) as pulumi.Output<unknown> & {
      isSecret?: Promise<boolean>;
      promise?: () => Promise<unknown>;
    };
    const secret = (await o.isSecret) ?? false;
    out[k] = secret ? SECRET_PLACEHOLDER : await new Promise((ok) => o.apply((x) => (ok(x), x)));
  }
  return out;
}

export async function render(options: RenderOptions): Promise<RenderResult> {
  const started = Date.now();
  prepareGraphviz();
  const phaseMs: Record<string, number> = {};
  const phaseCpuMs: Record<string, number> = {};
  let lapStart = performance.now();
  let lapCpu = process.cpuUsage();
  const lap = (phase: string): void => {
    const now = performance.now();
    const cpu = process.cpuUsage(lapCpu);
    phaseMs[phase] = now - lapStart;
    phaseCpuMs[phase] = (cpu.user + cpu.system) / 1000;
    lapStart = now;
    lapCpu = process.cpuUsage();
  };
  const root = path.resolve(options.root ?? process.cwd());
  const pulumiProject = readProject(root);
  const project = pulumiProject.name;
  const stackDir = pulumiProject.stackConfigDir;
  const { config, secretKeys } = readStackConfig(stackDir, project, options.stack);
  const out = path.resolve(options.out ?? path.join(root, "out", options.stack));
  lap("config");

  const recording = await installRecordingEngine({
    project,
    stack: options.stack,
    config,
    secretKeys,
  });
  const program = loadProgram(
    options.program ? path.resolve(options.program) : programFile(pulumiProject),
  );
  const outputs = await withoutTraces(async () => {
    const resolved = await resolveOutputs(await program());
    await settle();
    return resolved;
  });
  lap("program");

  const artifactOptions = { gitops: options.gitops, kubeContext: config["kubernetes:context"] };
  const manifests = await buildManifests(recording, artifactOptions);
  if (manifests.invalid.length > 0) throw new SchemaError(manifests.invalid);
  lap("manifests");
  const analysis = analyzeRecording(recording);
  lap("analyzer");
  const helm = buildHelmfile(recording, artifactOptions);
  const plan = buildAwsPlan(recording, options.stack);
  const files: Files = {
    ...manifests.files,
    ...helm.files,
    ...plan.files,
    "outputs.json": `${JSON.stringify(sortKeys(outputs), null, 2)}\n`,
    ...(await buildTopologyFiles(recording, options.stack)),
    ...fingerprintFile({
      project,
      stack: options.stack,
      stackFile: stackFilePath(stackDir, options.stack),
      recording,
      entityOf: (r) => entityOf(recording, r),
    }),
  };

  lap("files");
  fs.rmSync(out, { recursive: true, force: true });
  for (const [rel, content] of Object.entries(files)) {
    const target = path.join(out, rel);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
  }
  lap("write");
  const resourcesByType: Record<string, number> = {};
  for (const r of recording.resources) resourcesByType[r.type] = (resourcesByType[r.type] ?? 0) + 1;
  return {
    out,
    files: Object.keys(files).sort(),
    resourcesByType,
    manifests: manifests.objects,
    validated: manifests.validated,
    releases: helm.releases,
    awsResources: plan.resources,
    unvalidated: manifests.unvalidated,
    warnings: analysis.warnings,
    outputs,
    recording,
    millis: Date.now() - started,
    phaseMs,
    phaseCpuMs,
    gitops: options.gitops,
    layout: {
      clusters: clusterTargets(recording, manifests, artifactOptions),
      helmfile: helm.releases > 0,
      awsPlan: plan.resources > 0,
      releaseWaves: releaseWaveTable(recording),
      resourcesWave: manifests.resourcesWave,
    },
  };
}

/** The stdout summary of a render. */
export function summary(stack: string, r: RenderResult): string {
  const lines = [
    `Rendered stack ${stack} into ${path.relative(process.cwd(), r.out) || "."}`,
    "",
    "Resources by type:",
  ];
  const types = Object.keys(r.resourcesByType).sort();
  const width = Math.max(...types.map((t) => t.length), 4);
  for (const t of types) lines.push(`  ${t.padEnd(width)}  ${r.resourcesByType[t]}`);
  lines.push(`  ${"total".padEnd(width)}  ${r.recording.resources.length}`, "");
  lines.push(
    `Kubernetes objects: ${r.manifests} (${r.validated} valid against their upstream schema)`,
  );
  for (const [k, why] of Object.entries(r.unvalidated).sort())
    lines.push(`  unvalidated: ${k} (${why})`);
  for (const w of r.warnings) lines.push(`  ${w}`);
  lines.push(`Analyzer: 0 error(s), ${r.warnings.length} warning(s)`);
  lines.push(
    `Helm releases: ${r.releases}`,
    `AWS resources: ${r.awsResources}`,
    "",
    `Files written (${r.files.length}):`,
  );
  for (const f of r.files) lines.push(`  ${f}`);
  lines.push(
    "",
    `Done in ${(r.millis / 1000).toFixed(2)} s`,
    "",
    ...nextSteps(r.out, r.layout, r.gitops),
  );
  return lines.join("\n");
}

interface CliArgs extends DiffOutputOptions {
  stack: string;
  out?: string;
  /** The Pulumi project directory (`--cwd`, as `pulumi --cwd`); default the working directory. */
  root?: string;
  gitops?: GitOpsTool;
  /** An earlier render to compare this one with (`--diff <dir>`). */
  diff?: string;
}

export function parseArgs(argv: string[]): CliArgs {
  let stack: string | undefined;
  let out: string | undefined;
  const more: Omit<CliArgs, "stack" | "out"> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] =
      a.startsWith("--") && a.includes("=")
        ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]
        : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === "--stack" || flag === "-s") stack = value();
    else if (flag === "--out" || flag === "-o") out = value();
    else if (flag === "--cwd" || flag === "-C") more.root = value();
    else if (flag === "--gitops") more.gitops = gitopsTool(value());
    else if (flag === "--diff") more.diff = value();
    else if (flag === "--markdown") more.markdown = value();
    else if (flag === "--exit-code") more.exitCode = true;
    else throw new UsageError(`unknown argument "${a}": ${USAGE}`);
  }
  if (!stack) throw new UsageError(`missing --stack: ${USAGE}`);
  if ((more.exitCode || more.markdown) && !more.diff)
    throw new UsageError(
      `--exit-code and --markdown compare with an earlier render: add --diff <dir>`,
    );
  return { stack, out, ...more };
}

function gitopsTool(v: string): GitOpsTool {
  if (!(GITOPS_TOOLS as readonly string[]).includes(v))
    throw new UsageError(`--gitops is "${v}": must be one of ${GITOPS_TOOLS.join(", ")}`);
  return v as GitOpsTool;
}

/** Exit code for an error: 2 for usage and rejected config, 1 for anything else. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError) return 2;
  if (err instanceof pulumi.ResourceError || pulumi.RunError.isInstance(err)) return 2;
  return 1;
}

/**
 * `Type namespace/name` of the component a `ResourceError` is about (`ServerlessService shop/orders`),
 * read from its URN and the args it was checked with, so a stack with many services says which
 * one was rejected (`Type name` for a component without a namespace).
 */
export async function resourceLabel(err: unknown): Promise<string | undefined> {
  if (!(err instanceof pulumi.ResourceError) || !err.resource) return undefined;
  const resource = err.resource;
  const urn = await Promise.race([
    new Promise<string>((resolve) => resource.urn.apply(resolve)),
    new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 2000).unref()),
  ]);
  const m = urn && /::([^:]+:)*([^:$]+)::([^:]+)$/.exec(urn);
  const ns = componentNamespace(resource);
  return m ? `${m[2]} ${ns ? `${ns}/` : ""}${m[3]}` : undefined;
}

/** Usage/config errors whole (with the component they are about); schema errors list every
 * object; bugs keep their stack. */
export function errorText(err: unknown, resource?: string): string {
  if (err instanceof SchemaError || err instanceof AnalysisError)
    return `render failed: ${err.message}`;
  const message = err instanceof Error ? err.message : String(err);
  if (exitCodeFor(err) === 2) return `render failed: ${resource ? `${resource}: ` : ""}${message}`;
  const stack = err instanceof Error && err.stack?.includes("\n") ? err.stack : undefined;
  return `render failed: ${stack ?? `${message} (run with RENDER_TRACES=1 for a stack trace)`}`;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const args = parseArgs(argv);
    // Read before rendering: the earlier render may be the very directory this one replaces.
    const before = args.diff ? readRender(args.diff) : undefined;
    const result = await render(args);
    process.stdout.write(`${summary(args.stack, result)}\n`);
    return before ? runDiff(before, result.out, args) : 0;
  } catch (err) {
    process.stderr.write(`${errorText(err, await resourceLabel(err))}\n`);
    return exitCodeFor(err);
  }
}
