/**
 * The bench's report: medians and spread of interleaved runs, per Kubernetes object and per
 * service, the render against the bare SDK replaying its registrations, the render's steps and
 * fixed costs, and the growth exponent between the two largest service counts. Pure.
 */

export type Mode = "render" | "sdk";

/** Wall and CPU time of one step, ms. */
export interface Timing {
  wallMs: number;
  cpuMs: number;
}

export interface Measurement {
  mode: Mode;
  services: number;
  /** Registrations (components, providers, objects). */
  resources: number;
  /** Kubernetes objects among them. */
  objects: number;
  components: number;
  /** dependsOn edges of all registrations. */
  dependencies: number;
  /** Loading modules (and, for sdk, the recording) before the timed part. */
  loadMs: number;
  /** The timed part: render: the whole `render()`; sdk: the replay until every registration
   * reached the engine. CPU is the process's, all threads, GC included. */
  total: Timing;
  /** Peak resident set of the process at the end of the timed part, MB. */
  peakRssMb: number;
  /** Heap in use after a full GC at the end, with the recording alive, MB. */
  liveHeapMb: number;
  /** render only: the render's own steps, as it timed them. */
  phases?: Record<string, Timing>;
  /** render only: fixed costs measured apart after the render (warm), on its recording. */
  fixed?: Record<string, Timing>;
  /**
   * With --warm: the last of `runs` more runs of the same mode in the same process, after the
   * measured one; V8 has compiled, optimized and loaded all it needs by then.
   */
  warm?: Timing & { runs: number };
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** (max - min) / median, as a percentage: how far apart the repetitions were. */
export const spread = (xs: number[]): number => {
  const m = median(xs);
  return m === 0 ? 0 : ((Math.max(...xs) - Math.min(...xs)) / m) * 100;
};

/** Exponent k in time ~ N^k between two service counts. */
export const growth = (n1: number, t1: number, n2: number, t2: number): number =>
  Math.log(t2 / t1) / Math.log(n2 / n1);

function grid(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  return rows.map((r) =>
    r
      .map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c])))
      .join("  ")
      .trimEnd(),
  );
}

const f0 = (x: number): string => x.toFixed(0);
const f2 = (x: number): string => x.toFixed(2);
const pct = (x: number): string => `±${x.toFixed(0)}%`;

interface Summary {
  m: Measurement;
  wall: number;
  cpu: number;
  rss: number;
}

function summarise(runs: Measurement[]): Summary {
  return {
    m: runs[0],
    wall: median(runs.map((r) => r.total.wallMs)),
    cpu: median(runs.map((r) => r.total.cpuMs)),
    rss: median(runs.map((r) => r.peakRssMb)),
  };
}

function stepTable(title: string, runs: Measurement[], pick: "phases" | "fixed"): string[] {
  const withSteps = runs.filter((r) => r[pick]);
  if (withSteps.length === 0) return [];
  const steps = Object.keys(withSteps[0][pick]!);
  const rows = [["services", ...steps.map((s) => `${s} wall/cpu ms`)]];
  for (const n of [...new Set(withSteps.map((r) => r.services))]) {
    const at = withSteps.filter((r) => r.services === n);
    rows.push([
      String(n),
      ...steps.map((s) => {
        const t = at.map((r) => r[pick]![s]);
        return `${f0(median(t.map((x) => x.wallMs)))}/${f0(median(t.map((x) => x.cpuMs)))}`;
      }),
    ]);
  }
  return ["", title, ...grid(rows)];
}

/** With --warm: each N's warm runs side by side, and their ratio. */
function warmLines(runs: Measurement[], counts: number[]): string[] {
  const lines: string[] = [];
  for (const n of counts) {
    const warm = (mode: Mode): Timing[] =>
      runs.filter((r) => r.services === n && r.mode === mode && r.warm).map((r) => r.warm!);
    const [ours, sdk] = [warm("render"), warm("sdk")];
    if (ours.length === 0 || sdk.length === 0) continue;
    const cpu = (t: Timing[]): number => median(t.map((x) => x.cpuMs));
    const wall = (t: Timing[]): number => median(t.map((x) => x.wallMs));
    const runNo = runs.find((r) => r.warm)!.warm!.runs + 1;
    lines.push(
      `${n} services, warm (run ${runNo} in one process): render cpu ${f0(cpu(ours))} ms ` +
        `${pct(spread(ours.map((x) => x.cpuMs)))}, bare SDK cpu ${f0(cpu(sdk))} ms ` +
        `${pct(spread(sdk.map((x) => x.cpuMs)))}; render / bare SDK: cpu ` +
        `${f2(cpu(ours) / cpu(sdk))}x, wall ${f2(wall(ours) / wall(sdk))}x`,
    );
  }
  return lines;
}

/** The whole report. `header` names the date, machine and load. */
export function report(runs: Measurement[], header: string[]): string {
  const counts = [...new Set(runs.map((r) => r.services))].sort((a, b) => a - b);
  const rows = [
    [
      "services",
      "mode",
      "resources",
      "objects",
      "components",
      "dependsOn",
      "wall ms",
      "spread",
      "cpu ms",
      "spread",
      "cpu ms/object",
      "cpu ms/service",
      "peak RSS MB",
      "spread",
      "live heap MB",
    ],
  ];
  const ratios: string[] = [];
  const byMode = new Map<string, Summary>();
  for (const n of counts) {
    for (const mode of ["render", "sdk"] as const) {
      const at = runs.filter((r) => r.services === n && r.mode === mode);
      if (at.length === 0) continue;
      const s = summarise(at);
      byMode.set(`${mode}${n}`, s);
      rows.push([
        String(n),
        mode === "render" ? "render" : "bare SDK",
        String(s.m.resources),
        String(s.m.objects),
        String(s.m.components),
        String(s.m.dependencies),
        f0(s.wall),
        pct(spread(at.map((r) => r.total.wallMs))),
        f0(s.cpu),
        pct(spread(at.map((r) => r.total.cpuMs))),
        f2(s.cpu / s.m.objects),
        f2(s.cpu / n),
        f0(s.rss),
        pct(spread(at.map((r) => r.peakRssMb))),
        f0(median(at.map((r) => r.liveHeapMb))),
      ]);
    }
    const ours = byMode.get(`render${n}`);
    const sdk = byMode.get(`sdk${n}`);
    if (!ours || !sdk) continue;
    const program = runs
      .filter((r) => r.services === n && r.mode === "render" && r.phases)
      .map((r) => r.phases!.program);
    const programPart =
      program.length > 0
        ? `; its program step alone: cpu ${f2(median(program.map((t) => t.cpuMs)) / sdk.cpu)}x, ` +
          `wall ${f2(median(program.map((t) => t.wallMs)) / sdk.wall)}x`
        : "";
    ratios.push(
      `${n} services, render / bare SDK: cpu ${f2(ours.cpu / sdk.cpu)}x, ` +
        `wall ${f2(ours.wall / sdk.wall)}x, peak RSS ${f2(ours.rss / sdk.rss)}x${programPart}`,
    );
  }
  const lines = [...header, "", ...grid(rows), "", ...ratios, ...warmLines(runs, counts)];
  if (counts.length >= 2) {
    const [n1, n2] = counts.slice(-2);
    const parts: string[] = [];
    for (const mode of ["render", "sdk"] as const) {
      const a = byMode.get(`${mode}${n1}`);
      const b = byMode.get(`${mode}${n2}`);
      if (!a || !b) continue;
      parts.push(
        `${mode === "render" ? "render" : "bare SDK"}: cpu ${f2(b.cpu / a.cpu)} ` +
          `(N^${f2(growth(n1, a.cpu, n2, b.cpu))}), wall ${f2(b.wall / a.wall)} ` +
          `(N^${f2(growth(n1, a.wall, n2, b.wall))})`,
      );
    }
    lines.push(`time(${n2})/time(${n1}): ${parts.join("; ")}`);
  }
  lines.push(
    ...stepTable("The render's steps (median):", runs, "phases"),
    ...stepTable(
      "Fixed costs, measured apart after the render on its recording (median):",
      runs,
      "fixed",
    ),
  );
  return lines.join("\n");
}
