import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import * as v8 from "v8";
import * as vm from "vm";
import { buildManifests, isKubernetesObject } from "./artifacts";
import { registrations, Registration, replay, replayCounts } from "./bench-replay";
import { Measurement, Mode, report, Timing } from "./bench-report";
import { benchStackYaml } from "./bench-services";
import { installRecordingEngine, settle } from "./engine";
import { withoutTraces } from "./sdk-settings";
import { analyzeRecording } from "./render-analysis";
import { readRender } from "./render-reader";
import { render } from "./render";
import { diffRenders } from "./diff";
import { readProject } from "./project";
import { readStackConfig, UsageError } from "./stack-config";
import { buildTopologyFiles } from "./topology-render";
import { validateManifest } from "../components/core/schema";

/**
 * How the render scales with the number of services, against the bare SDK doing the same work.
 *
 *   npm run bench -- [--services N[,N...]] [--repeat R] [--warm K] [--out DIR] [--json]
 *
 * Writes a throw-away project per N (Pulumi.yaml and stacks/Pulumi.bench.yaml with N generated
 * services) and, R times in turn for every N, runs each mode in a fresh process (so peak RSS is
 * its own), interleaved so a change in the machine's load falls on both:
 *   render: `render()` of the stack program (`stacks/index.ts`), its steps timed by the render;
 *           then, apart, its fixed costs on its recording: stack-file parse, schema validation,
 *           manifests YAML, analyzer, topology (and `diff`, which is not part of a render);
 *   sdk:    the bare SDK replaying exactly the render's registrations (cli/bench-replay.ts) with
 *           the renderer's settings: the floor the package's own code is measured against.
 * With --warm K each process then runs its mode K times more and reports the last one: what the
 * render costs once V8 has compiled and optimized its code, which a one-shot render pays anew.
 * Deterministic: no randomness, no downloads; nothing is written into the repository.
 */

const PROJECT_ROOT = path.resolve(__dirname, "..");
const PROGRAM = path.join(PROJECT_ROOT, "stacks", "index.ts");
export const BENCH_STACK = "bench";
export const DEFAULT_SERVICES = [1000, 2000];
export const DEFAULT_REPEAT = 3;
const REGISTRATIONS = "registrations.json";

/** Writes the bench project (Pulumi.yaml and stacks/Pulumi.bench.yaml) into `dir`. */
export function writeBenchProject(dir: string, services: number): void {
  fs.mkdirSync(path.join(dir, "stacks"), { recursive: true });
  fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  fs.writeFileSync(
    path.join(dir, "stacks", `Pulumi.${BENCH_STACK}.yaml`),
    benchStackYaml(services),
  );
}

/** Heap in use after a full garbage collection (peak RSS depends on when V8 chose to collect). */
function liveHeapMb(): number {
  v8.setFlagsFromString("--expose-gc");
  (vm.runInNewContext("gc") as () => void)();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

/** Runs `fn` and returns its wall and CPU time. */
async function timed(fn: () => unknown): Promise<Timing> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await fn();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000 };
}

const peakRssMb = (): number => process.resourceUsage().maxRSS / 1024;

/** The replay's registrations (set by runMode before render() calls the program). */
let replaying: Registration[] = [];

/** `once` (timed) run `warm` more times after the measured run: the last one's timing, if any. */
async function warmRuns(
  warm: number,
  once: () => Promise<Timing>,
): Promise<Pick<Measurement, "warm">> {
  let last: Timing | undefined;
  for (let i = 0; i < warm; i++) last = await once();
  return last ? { warm: { runs: warm, ...last } } : {};
}

/**
 * Renders the bench project in `dir` in this process, as `mode`, and measures it; then, with
 * `warm`, runs it that many times more (see `Measurement.warm`).
 */
export async function runMode(
  mode: Mode,
  dir: string,
  services: number,
  warm = 0,
): Promise<Measurement> {
  const loading = performance.now();
  if (mode === "sdk")
    replaying = JSON.parse(
      fs.readFileSync(path.join(dir, REGISTRATIONS), "utf8"),
    ) as Registration[];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  else require(PROGRAM); // the program's modules are a fixed cost; render() finds them cached
  const loadMs = performance.now() - loading;
  const counts = replayCounts(replaying);
  if (mode === "sdk") {
    // The renderer's settings: the recording engine, no stack traces (cli/render.ts).
    const project = readProject(dir).name;
    const replayOnce = async (): Promise<Timing> => {
      await installRecordingEngine({ project, stack: BENCH_STACK });
      return timed(() =>
        withoutTraces(async () => {
          replay(replaying);
          await settle();
        }),
      );
    };
    const total = await replayOnce();
    const objects = replaying.filter((r) =>
      isKubernetesObject({ ...r, redacted: r.inputs }),
    ).length;
    const peak = peakRssMb();
    const live = liveHeapMb();
    return {
      mode,
      services,
      ...counts,
      objects,
      loadMs,
      total,
      peakRssMb: peak,
      liveHeapMb: live,
      ...(await warmRuns(warm, replayOnce)),
    };
  }
  let result: Awaited<ReturnType<typeof render>> | undefined;
  const renderOnce = (): Promise<Timing> =>
    timed(async () => {
      result = await render({
        stack: BENCH_STACK,
        root: dir,
        out: path.join(dir, "out"),
        program: PROGRAM,
      });
    });
  const total = await renderOnce();
  const rss = peakRssMb();
  const r = result!;
  const regs = registrations(r.recording);
  fs.writeFileSync(path.join(dir, REGISTRATIONS), JSON.stringify(regs));
  const phases = Object.fromEntries(
    Object.keys(r.phaseMs).map((k) => [k, { wallMs: r.phaseMs[k], cpuMs: r.phaseCpuMs[k] }]),
  );
  const kube = r.recording.resources.filter(isKubernetesObject);
  const project = readProject(dir);
  const validation = await timed(() => Promise.all(kube.map((k) => validateManifest(k.inputs))));
  const manifests = await timed(() => buildManifests(r.recording));
  const fixed: Record<string, Timing> = {
    "stack-file parse": await timed(() =>
      readStackConfig(project.stackConfigDir, project.name, BENCH_STACK),
    ),
    "schema validation": validation,
    // buildManifests validates and writes YAML: the YAML part is the rest.
    "manifests YAML": {
      wallMs: manifests.wallMs - validation.wallMs,
      cpuMs: manifests.cpuMs - validation.cpuMs,
    },
    analyzer: await timed(() => analyzeRecording(r.recording)),
    topology: await timed(() => buildTopologyFiles(r.recording, BENCH_STACK)),
    "diff (not in render)": await timed(() => diffRenders(readRender(r.out), readRender(r.out))),
  };
  const live = liveHeapMb();
  return {
    mode,
    services,
    ...replayCounts(regs),
    objects: r.manifests,
    loadMs,
    total,
    peakRssMb: rss,
    liveHeapMb: live,
    phases,
    fixed,
    ...(await warmRuns(warm, renderOnce)),
  };
}

/** Runs one mode in a fresh node process with this process's flags; returns its measurement. */
function child(mode: Mode, dir: string, services: number, warm: number): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      [
        ...process.execArgv,
        __filename,
        "--child",
        mode,
        "--dir",
        dir,
        "--services",
        String(services),
        "--warm",
        String(warm),
      ],
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

/** Date, machine and load: the report's first lines. */
function header(services: number[], repeat: number, warm: number): string[] {
  const cpus = os.cpus();
  return [
    `bench ${new Date().toISOString().slice(0, 16)}Z, ${cpus.length} x ${cpus[0]?.model ?? "cpu"}, ` +
      `${Math.round(os.totalmem() / 2 ** 30)} GB, node ${process.version}, ` +
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
    `${services.join(", ")} services; ${repeat} interleaved repetition(s) per mode` +
      `${warm > 0 ? `, each followed by ${warm} warm run(s) in its process` : ""}; medians, ` +
      `spread = (max - min) / median; cpu = the process's, all threads, GC included`,
  ];
}

interface BenchArgs {
  services: number[];
  out?: string;
  repeat: number;
  /** Runs of each mode after the measured one, in the same process (0: none). */
  warm: number;
  /** Also print every run as one JSON line (for aggregating repeated benches). */
  json?: boolean;
  child?: Mode;
  dir?: string;
}

const USAGE =
  "usage: npm run bench -- [--services N[,N...]] [--repeat R] [--warm K] [--out DIR] [--json]";

export function parseBenchArgs(argv: string[]): BenchArgs {
  const out: BenchArgs = { services: DEFAULT_SERVICES, repeat: DEFAULT_REPEAT, warm: 0 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === "--services") out.services = value().split(",").map(Number);
    else if (flag === "--out") out.out = value();
    else if (flag === "--repeat") out.repeat = Number(value());
    else if (flag === "--warm") out.warm = Number(value());
    else if (flag === "--json") out.json = true;
    else if (flag === "--child") {
      const v = value();
      if (v !== "render" && v !== "sdk") throw new UsageError(`${flag} is render or sdk`);
      out.child = v;
    } else if (flag === "--dir") out.dir = value();
    else throw new UsageError(`unknown argument "${flag}": ${USAGE}`);
  }
  if (!out.services.every((n) => Number.isInteger(n) && n >= 1))
    throw new UsageError(`--services must be positive integers: ${USAGE}`);
  if (!Number.isInteger(out.repeat) || out.repeat < 1)
    throw new UsageError(`--repeat must be a positive integer: ${USAGE}`);
  if (!Number.isInteger(out.warm) || out.warm < 0)
    throw new UsageError(`--warm must be 0 or a positive integer: ${USAGE}`);
  out.services = [...new Set(out.services)].sort((a, b) => a - b);
  return out;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const args = parseBenchArgs(argv);
    if (args.child) {
      const dir = path.resolve(args.dir ?? ".");
      const m = await runMode(args.child, dir, args.services[0], args.warm);
      process.stdout.write(`${JSON.stringify(m)}\n`);
      return 0;
    }
    const root = path.resolve(args.out ?? fs.mkdtempSync(path.join(os.tmpdir(), "mesh-bench-")));
    const dirOf = (n: number): string => path.join(root, `services-${n}`);
    for (const n of args.services) writeBenchProject(dirOf(n), n);
    const head = header(args.services, args.repeat, args.warm);
    const runs: Measurement[] = [];
    for (let r = 0; r < args.repeat; r++) {
      for (const n of args.services) {
        // render first: it writes the registrations the replay registers.
        runs.push(await child("render", dirOf(n), n, args.warm));
        runs.push(await child("sdk", dirOf(n), n, args.warm));
      }
    }
    process.stdout.write(`${report(runs, head)}\n`);
    if (args.out) process.stdout.write(`projects and renders: ${root}\n`);
    if (args.json) process.stdout.write(`${JSON.stringify({ header: head, runs })}\n`);
    if (!args.out) fs.rmSync(root, { recursive: true, force: true });
    return 0;
  } catch (err) {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
