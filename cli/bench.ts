import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import * as v8 from "v8";
import * as vm from "vm";
import * as k8s from "@pulumi/kubernetes";
import { buildManifests, isKubernetesObject } from "./artifacts";
import { buildTopologyFiles } from "./topology-render";
import { diffRenders } from "./diff";
import { readRender } from "./render-reader";
import { benchStackYaml } from "./bench-services";
import { render } from "./render";
import { UsageError } from "./stack-config";

/**
 * How the package scales with the number of services, against the SDK's own floor.
 *
 *   node --max-semi-space-size=32 -r ts-node/register/transpile-only cli/bench.ts --services N
 *     [--out DIR] [--repeat R] [--only ours|floor] [--json]
 *
 * Writes a throw-away project (Pulumi.yaml and stacks/Pulumi.bench.yaml with N generated
 * services) and renders it twice, each in a fresh process so peak RSS is its own:
 *   ours:  the stack program (`stacks/index.ts`) through `render()`;
 *   floor: the same `render()` with a program that registers the same Kubernetes bodies as plain
 *          `k8s.apiextensions.CustomResource`s: what the SDK and the renderer cost on their own.
 * Deterministic: no randomness, no downloads; nothing is written into the repository.
 */

const PROJECT_ROOT = path.resolve(__dirname, "..");
const PROGRAM = path.join(PROJECT_ROOT, "stacks", "index.ts");
export const BENCH_STACK = "bench";

type Json = Record<string, unknown>;

/** Writes the bench project (Pulumi.yaml and stacks/Pulumi.bench.yaml) into `dir`. */
export function writeBenchProject(dir: string, services: number): void {
  fs.mkdirSync(path.join(dir, "stacks"), { recursive: true });
  fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  fs.writeFileSync(
    path.join(dir, "stacks", `Pulumi.${BENCH_STACK}.yaml`),
    benchStackYaml(services),
  );
}

// ---------------------------------------------------------------------------------------------
// Measuring, one mode per process.

export type Mode = "ours" | "floor";

export interface Measurement {
  mode: Mode;
  /** Resources registered with the engine (stack, components, providers, objects). */
  resources: number;
  /** Kubernetes objects written. */
  objects: number;
  /** Loading the program's modules before the render (not in wallMs). */
  loadMs: number;
  /** Wall time of the whole `render()` (config, program, validation, files). */
  wallMs: number;
  /** CPU time of the process during the render, all threads (GC included): steadier than wall
   * time on a loaded machine. */
  cpuMs: number;
  /** Of which: validating and serialising the manifests again after the run (estimate). */
  artifactsMs: number;
  /** Of which: building the topology and laying out topology.svg again (estimate). */
  topologyMs: number;
  /** Not in wallMs: reading the render back twice and diffing it with itself (`diff`). */
  diffMs: number;
  /** Peak resident set of the process, MB. */
  peakRssMb: number;
  /** Heap still in use after the render and a full GC, with the recording alive, MB. */
  liveHeapMb: number;
}

/** Heap in use after a full garbage collection (peak RSS depends on when V8 chose to collect). */
function liveHeapMb(): number {
  v8.setFlagsFromString("--expose-gc");
  (vm.runInNewContext("gc") as () => void)();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

interface Body {
  name: string;
  body: Json;
}

const BODIES = "bodies.json";

/** The floor program: the bench's Kubernetes bodies as plain CustomResources (set by runMode). */
let floorBodies: Body[] = [];

export default function floorProgram(): Record<string, unknown> {
  for (const { name, body } of floorBodies)
    new k8s.apiextensions.CustomResource(name, body as k8s.apiextensions.CustomResourceArgs);
  return { objects: floorBodies.length };
}

/** Renders the bench project in `dir` in this process, as `mode`, and measures it. */
export async function runMode(mode: Mode, dir: string): Promise<Measurement> {
  if (mode === "floor")
    floorBodies = JSON.parse(fs.readFileSync(path.join(dir, BODIES), "utf8")) as Body[];
  // Loading the program's modules (the AWS and Kubernetes SDKs) is a fixed cost, kept apart;
  // render() then finds the module in require's cache.
  const loading = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (mode === "ours") require(PROGRAM);
  const loadMs = performance.now() - loading;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await render({
    stack: BENCH_STACK,
    root: dir,
    out: path.join(dir, `out-${mode}`),
    program: mode === "ours" ? PROGRAM : __filename,
  });
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const again = performance.now();
  await buildManifests(result.recording);
  const artifactsMs = performance.now() - again;
  const drawing = performance.now();
  await buildTopologyFiles(result.recording, BENCH_STACK);
  const topologyMs = performance.now() - drawing;
  const diffing = performance.now();
  diffRenders(readRender(result.out), readRender(result.out));
  const diffMs = performance.now() - diffing;
  const liveMb = liveHeapMb();
  if (mode === "ours") {
    const bodies: Body[] = result.recording.resources
      .filter(isKubernetesObject)
      .map((r) => ({ name: r.name, body: r.inputs }));
    fs.writeFileSync(path.join(dir, BODIES), JSON.stringify(bodies));
  }
  return {
    mode,
    resources: result.recording.resources.length,
    objects: result.manifests,
    loadMs,
    wallMs,
    cpuMs,
    artifactsMs,
    topologyMs,
    diffMs,
    peakRssMb,
    liveHeapMb: liveMb,
  };
}

/** Runs one mode in a fresh node process with this process's flags; returns its measurement. */
function child(mode: Mode, dir: string): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      [...process.execArgv, __filename, "--child", mode, "--dir", dir],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let stdout = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    p.on("error", reject);
    p.on("close", (code) => {
      const last = stdout.trim().split("\n").pop() ?? "";
      if (code !== 0) return reject(new Error(`bench ${mode} exited ${code}: ${stdout.trim()}`));
      resolve(JSON.parse(last) as Measurement);
    });
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The report: one row per mode (medians over runs), the ratios, and the machine's load. */
export function table(services: number, runs: Measurement[], load: number[]): string {
  const rows: string[][] = [
    [
      "",
      "services",
      "resources",
      "k8s objects",
      "load ms",
      "wall ms",
      "ms/resource",
      "ms/object",
      "cpu ms",
      "cpu ms/object",
      "artifacts ms",
      "topology ms",
      "diff ms",
      "peak RSS MB",
      "KB/resource",
      "live heap MB",
      "live KB/resource",
    ],
  ];
  const byMode = new Map<Mode, Measurement>();
  for (const mode of ["ours", "floor"] as const) {
    const ms = runs.filter((r) => r.mode === mode);
    if (ms.length === 0) continue;
    const m: Measurement = {
      mode,
      resources: ms[0].resources,
      objects: ms[0].objects,
      loadMs: median(ms.map((r) => r.loadMs)),
      wallMs: median(ms.map((r) => r.wallMs)),
      cpuMs: median(ms.map((r) => r.cpuMs)),
      artifactsMs: median(ms.map((r) => r.artifactsMs)),
      topologyMs: median(ms.map((r) => r.topologyMs)),
      diffMs: median(ms.map((r) => r.diffMs)),
      peakRssMb: median(ms.map((r) => r.peakRssMb)),
      liveHeapMb: median(ms.map((r) => r.liveHeapMb)),
    };
    byMode.set(mode, m);
    rows.push([
      mode === "ours" ? "ours" : "floor (SDK)",
      String(services),
      String(m.resources),
      String(m.objects),
      m.loadMs.toFixed(0),
      m.wallMs.toFixed(0),
      (m.wallMs / m.resources).toFixed(2),
      (m.wallMs / m.objects).toFixed(2),
      m.cpuMs.toFixed(0),
      (m.cpuMs / m.objects).toFixed(2),
      m.artifactsMs.toFixed(0),
      m.topologyMs.toFixed(0),
      m.diffMs.toFixed(0),
      m.peakRssMb.toFixed(0),
      ((m.peakRssMb * 1024) / m.resources).toFixed(0),
      m.liveHeapMb.toFixed(0),
      ((m.liveHeapMb * 1024) / m.resources).toFixed(0),
    ]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const lines = rows.map((r) => r.map((v, c) => v.padStart(widths[c])).join("  "));
  const ours = byMode.get("ours");
  const floor = byMode.get("floor");
  if (ours && floor)
    lines.push(
      "",
      `ours/floor: wall ${(ours.wallMs / floor.wallMs).toFixed(2)}x, ` +
        `per object ${(ours.wallMs / ours.objects / (floor.wallMs / floor.objects)).toFixed(2)}x, ` +
        `cpu ${(ours.cpuMs / floor.cpuMs).toFixed(2)}x, ` +
        `peak RSS ${(ours.peakRssMb / floor.peakRssMb).toFixed(2)}x, ` +
        `live heap ${(ours.liveHeapMb / floor.liveHeapMb).toFixed(2)}x`,
    );
  lines.push(
    `runs per mode: ${runs.length / byMode.size} (medians); ` +
      `load average at start: ${load.map((l) => l.toFixed(2)).join(", ")}`,
  );
  return lines.join("\n");
}

interface BenchArgs {
  services?: number;
  out?: string;
  repeat: number;
  only?: Mode;
  /** Also print every run as one JSON line (for aggregating repeated benches). */
  json?: boolean;
  child?: Mode;
  dir?: string;
}

const USAGE =
  "usage: cli/bench.ts --services N [--out DIR] [--repeat R] [--only ours|floor] [--json]";

export function parseBenchArgs(argv: string[]): BenchArgs {
  const out: BenchArgs = { repeat: 1 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    const mode = (): Mode => {
      const v = value();
      if (v !== "ours" && v !== "floor") throw new UsageError(`${flag} is ours or floor`);
      return v;
    };
    if (flag === "--services") out.services = Number(value());
    else if (flag === "--out") out.out = value();
    else if (flag === "--repeat") out.repeat = Number(value());
    else if (flag === "--only") out.only = mode();
    else if (flag === "--json") out.json = true;
    else if (flag === "--child") out.child = mode();
    else if (flag === "--dir") out.dir = value();
    else throw new UsageError(`unknown argument "${flag}": ${USAGE}`);
  }
  if (out.child) return out;
  if (out.services === undefined) throw new UsageError(`missing --services: ${USAGE}`);
  if (!Number.isInteger(out.services) || out.services < 1)
    throw new UsageError(`--services must be a positive integer: ${USAGE}`);
  if (!Number.isInteger(out.repeat) || out.repeat < 1)
    throw new UsageError(`--repeat must be a positive integer: ${USAGE}`);
  return out;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const args = parseBenchArgs(argv);
    if (args.child) {
      const m = await runMode(args.child, path.resolve(args.dir ?? "."));
      process.stdout.write(`${JSON.stringify(m)}\n`);
      return 0;
    }
    const services = args.services as number;
    const dir = path.resolve(args.out ?? fs.mkdtempSync(path.join(os.tmpdir(), "mesh-bench-")));
    writeBenchProject(dir, services);
    const load = os.loadavg();
    const runs: Measurement[] = [];
    for (let r = 0; r < args.repeat; r++) {
      // ours first: it writes the bodies the floor registers.
      if (args.only !== "floor") runs.push(await child("ours", dir));
      else if (!fs.existsSync(path.join(dir, BODIES))) await child("ours", dir);
      if (args.only !== "ours") runs.push(await child("floor", dir));
    }
    process.stdout.write(`${table(services, runs, load)}\n`);
    if (args.out) process.stdout.write(`project and renders: ${dir}\n`);
    if (args.json) process.stdout.write(`${JSON.stringify({ services, load, runs })}\n`);
    if (!args.out) fs.rmSync(dir, { recursive: true, force: true });
    return 0;
  } catch (err) {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
