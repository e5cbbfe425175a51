import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

/**
 * Upstream chart data for tests: `../shared/charts` beside the repository (CI has it at the same
 * relative place; a user's clone may not). `<chart>/RELEASES` lists released versions,
 * `<chart>-<version>/` holds that version's `Chart.yaml`, `values.yaml` and, where the chart has
 * one, `values.schema.json`. Read here, never copied into the project.
 */
export const CHARTS_DIR = path.resolve(__dirname, "..", "..", "..", "..", "shared", "charts");

/** Why a suite that needs the data skips; undefined when the data is there. */
export function missingChartData(): string | undefined {
  return fs.existsSync(CHARTS_DIR)
    ? undefined
    : `skipped: upstream chart data not found at ${CHARTS_DIR} (../shared/charts beside the repository)`;
}

/** Skips the calling mocha suite (from a `before` hook) when the data is absent, saying why. */
export function skipWithoutChartData(ctx: Mocha.Context): void {
  const why = missingChartData();
  if (why === undefined) return;
  console.log(`      ${why}`);
  ctx.skip();
}

export interface Release {
  version: string;
  /** `YYYY-MM-DD`. */
  date: string;
}

/** `<chart>/RELEASES`: a `# source: ...` line, then one `version<TAB>date` line per release. */
export function readReleases(chart: string): { source: string; releases: Release[] } {
  const file = path.join(CHARTS_DIR, chart, "RELEASES");
  const [first, ...rest] = fs.readFileSync(file, "utf8").split("\n");
  if (!first.startsWith("# source")) throw new Error(`${file}: first line is not "# source: ..."`);
  const releases = rest
    .filter((l) => l.trim() !== "")
    .map((l) => {
      const [version, date, extra] = l.split("\t");
      if (!version || !/^\d{4}-\d{2}-\d{2}$/.test(date ?? "") || extra !== undefined)
        throw new Error(`${file}: not "version<TAB>date": ${JSON.stringify(l)}`);
      return { version, date };
    });
  return { source: first, releases };
}

/** Numeric parts of `x.y.z` (an optional "v" and any pre-release suffix ignored). */
function parts(version: string): number[] {
  return version
    .replace(/^v/, "")
    .split(/[-+]/)[0]
    .split(".")
    .map((n) => Number(n));
}

/** Semantic-version order of two release versions. */
export function compareVersions(a: string, b: string): number {
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Folder of one chart version's data. */
export function chartDir(chart: string, version: string): string {
  return path.join(CHARTS_DIR, `${chart}-${version}`);
}

/** Parsed YAML file of a chart version (`values.yaml`, `Chart.yaml`). */
export function readChartYaml(chart: string, version: string, file: string): unknown {
  return parse(fs.readFileSync(path.join(chartDir(chart, version), file), "utf8"));
}

/** The chart's `values.schema.json`, when it has one. */
export function readValuesSchema(chart: string, version: string): object | undefined {
  const file = path.join(chartDir(chart, version), "values.schema.json");
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as object) : undefined;
}
