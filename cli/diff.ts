import * as fs from "fs";
import { isPlainObject } from "../components/core/values";
import { SECRET_PLACEHOLDER } from "./engine";
import { fieldPath } from "./fingerprints";
import { Entity, readRender, RenderTree } from "./render-reader";
import { safetyNotes } from "./diff-safety";
import { UsageError } from "./stack-config";
import { DIFF_USAGE as USAGE } from "./usage";

/**
 * Compares two renders, object by object: added, removed, changed with field-level changes in a
 * readable form. Secrets stay masked; a changed secret shows as changed through its fingerprint.
 *
 *   npm run diff -- <old-dir> <new-dir> [--exit-code] [--markdown <file>]
 *   npm run render -- --stack prod --diff <old-dir> [--exit-code] [--markdown <file>]
 */

export interface EntityChange {
  key: string;
  title: string;
  change: "added" | "removed" | "changed";
  /** Readable lines, most telling first: traffic splits, then fields in path order. */
  lines: string[];
}

export interface DiffResult {
  /** Safety-relevant changes, called out first. */
  safety: string[];
  changes: EntityChange[];
  unchanged: number;
}

type Json = Record<string, unknown>;
type Fingerprints = Record<string, string>;

const MAX_SHORT = 80;

function short(v: unknown): string {
  if (typeof v === "string") return v.includes("\n") ? `(${v.split("\n").length} lines)` : v;
  const s = JSON.stringify(v) ?? String(v);
  return s.length > MAX_SHORT ? `${s.slice(0, MAX_SHORT - 3)}...` : s;
}

const isScalar = (v: unknown): boolean => v === null || typeof v !== "object";

/** The lines that differ between two multi-line strings (a few of each). */
function textChange(a: string, b: string): string {
  const before = new Set(a.split("\n"));
  const after = new Set(b.split("\n"));
  const removed = [...before].filter((l) => !after.has(l) && l.trim());
  const added = [...after].filter((l) => !before.has(l) && l.trim());
  const show = (prefix: string, ls: string[]): string[] =>
    ls
      .slice(0, 3)
      .map((l) => `${prefix} ${l.trim()}`)
      .concat(ls.length > 3 ? [`${prefix} ...`] : []);
  return [...show("-", removed), ...show("+", added)].join("; ") || "whitespace or line order";
}

/** Field-level changes from `a` to `b`, in path order. */
export function fieldChanges(
  a: unknown,
  b: unknown,
  at: string,
  fp: { before: Fingerprints; after: Fingerprints },
  out: string[],
): void {
  if (a === SECRET_PLACEHOLDER && b === SECRET_PLACEHOLDER) {
    const [x, y] = [fp.before[at], fp.after[at]];
    if (x !== undefined && y !== undefined && x !== y)
      out.push(`${at}: changed (secret, value masked)`);
    return;
  }
  if (isScalar(a) && isScalar(b)) {
    if (a === b) return;
    if (typeof a === "string" && typeof b === "string" && (a.includes("\n") || b.includes("\n")))
      out.push(`${at}: ${textChange(a, b)}`);
    else out.push(`${at}: ${short(a)} -> ${short(b)}`);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.every(isScalar) && b.every(isScalar)) {
      const added = b.filter((x) => !a.includes(x));
      const removed = a.filter((x) => !b.includes(x));
      if (added.length || removed.length) {
        const parts = [
          ...added.map((x) => `+ ${short(x)}`),
          ...removed.map((x) => `- ${short(x)}`),
        ];
        out.push(`${at}: ${parts.join(", ")}`);
      } else if (a.join("\u0000") !== b.join("\u0000") || a.length !== b.length)
        out.push(`${at}: reordered`);
      return;
    }
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const p = fieldPath(at, i);
      if (i >= a.length) out.push(`${p}: added ${short(b[i])}`);
      else if (i >= b.length) out.push(`${p}: removed (was ${short(a[i])})`);
      else fieldChanges(a[i], b[i], p, fp, out);
    }
    return;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const p = fieldPath(at, k);
      if (!(k in a)) out.push(`${p}: added ${short(b[k])}`);
      else if (!(k in b)) out.push(`${p}: removed (was ${short(a[k])})`);
      else fieldChanges(a[k], b[k], p, fp, out);
    }
    return;
  }
  out.push(`${at}: ${short(a)} -> ${short(b)}`);
}

interface Split {
  at: string;
  targets: string;
}

/** Weighted routes of an object: VirtualService http routes, Knative traffic, Lambda aliases. */
function splits(body: Json): Split[] {
  const spec = (body.spec ?? {}) as Json;
  const out: Split[] = [];
  const http = Array.isArray(spec.http) ? (spec.http as Json[]) : [];
  http.forEach((route, i) => {
    const dests = Array.isArray(route.route) ? (route.route as Json[]) : [];
    if (dests.length < 2 && dests.every((d) => d.weight === undefined || d.weight === 100)) return;
    const label = (d: Json): string => {
      const dest = (d.destination ?? {}) as { host?: string; subset?: string };
      return `${dest.host ?? "?"}${dest.subset ? `:${dest.subset}` : ""} ${d.weight ?? 100}`;
    };
    out.push({ at: `spec.http[${i}].route`, targets: dests.map(label).join(" / ") });
  });
  if (Array.isArray(spec.traffic)) {
    const label = (t: Json): string =>
      `${String(t.revisionName ?? (t.latestRevision ? "latest" : (t.tag ?? "?")))} ${t.percent ?? 0}`;
    out.push({ at: "spec.traffic", targets: (spec.traffic as Json[]).map(label).join(" / ") });
  }
  return out;
}

/** `weights: a 90 / b 10 -> a 50 / b 50` lines, and the weight paths they stand for. */
function splitLines(a: Json, b: Json): { lines: string[]; covered: RegExp[] } {
  const before = new Map(splits(a).map((s) => [s.at, s.targets]));
  const lines: string[] = [];
  const covered: RegExp[] = [];
  for (const s of splits(b)) {
    const was = before.get(s.at);
    if (was === undefined || was === s.targets) continue;
    lines.push(`traffic ${s.at}: ${was} -> ${s.targets}`);
    const esc = s.at.replace(/[.[\]]/g, (c) => `\\${c}`);
    covered.push(new RegExp(`^${esc}\\[\\d+\\]\\.(weight|percent): `));
  }
  return { lines, covered };
}

function entityChange(
  before: Entity | undefined,
  after: Entity | undefined,
  fp: { before: Fingerprints; after: Fingerprints },
): EntityChange | undefined {
  const e = (after ?? before)!;
  if (!before) return { key: e.key, title: e.title, change: "added", lines: [] };
  if (!after) return { key: e.key, title: e.title, change: "removed", lines: [] };
  const fields: string[] = [];
  if (e.kind === "config") {
    for (const k of [...new Set([...Object.keys(fp.before), ...Object.keys(fp.after)])].sort()) {
      if (!(k in fp.before)) fields.push(`${k}: added (secret, value masked)`);
      else if (!(k in fp.after)) fields.push(`${k}: removed`);
      else if (fp.before[k] !== fp.after[k]) fields.push(`${k}: changed (secret, value masked)`);
    }
  } else fieldChanges(before.body, after.body, "", fp, fields);
  if (fields.length === 0) return undefined;
  const { lines, covered } = splitLines(before.body, after.body);
  const rest = fields.filter((l) => !covered.some((re) => re.test(l)));
  return { key: e.key, title: e.title, change: "changed", lines: [...lines, ...rest] };
}

/** Sections in reading order: config, Kubernetes objects, Helm releases, AWS, outputs. */
const KIND_ORDER = ["config", "kubernetes", "helm", "aws", "outputs"];

export function diffRenders(before: RenderTree, after: RenderTree): DiffResult {
  const keys = [...new Set([...before.entities.keys(), ...after.entities.keys()])];
  const kindOf = (k: string): number =>
    KIND_ORDER.indexOf((after.entities.get(k) ?? before.entities.get(k))!.kind);
  keys.sort((x, y) => kindOf(x) - kindOf(y) || x.localeCompare(y));
  const changes: EntityChange[] = [];
  const safety: string[] = [];
  let unchanged = 0;
  for (const k of keys) {
    const [a, b] = [before.entities.get(k), after.entities.get(k)];
    const fp = { before: before.fingerprints[k] ?? {}, after: after.fingerprints[k] ?? {} };
    const c = entityChange(a, b, fp);
    if (!c) {
      unchanged++;
      continue;
    }
    changes.push(c);
    safety.push(...safetyNotes(a, b));
  }
  const order = ["access widened", "mTLS relaxed", "public host added", "destructive"];
  const rank = (s: string): number => order.findIndex((o) => s.startsWith(o));
  return { safety: safety.sort((x, y) => rank(x) - rank(y)), changes, unchanged };
}

export function changed(r: DiffResult): boolean {
  return r.changes.length > 0;
}

const SIGN = { added: "+", removed: "-", changed: "~" } as const;

function counts(r: DiffResult): string {
  const n = (c: EntityChange["change"]): number => r.changes.filter((x) => x.change === c).length;
  return `${n("added")} added, ${n("removed")} removed, ${n("changed")} changed, ${r.unchanged} unchanged`;
}

/** The terminal form. */
export function formatText(r: DiffResult, from: string, to: string): string {
  const lines = [`Diff ${from} -> ${to}: ${counts(r)}`];
  if (r.safety.length) {
    lines.push("", "Safety-relevant changes:");
    for (const s of r.safety) lines.push(`  ! ${s}`);
  }
  if (r.changes.length) lines.push("");
  for (const c of r.changes) {
    lines.push(`${SIGN[c.change]} ${c.title}`);
    for (const l of c.lines) lines.push(`    ${l}`);
  }
  if (!r.changes.length) lines.push("", "No changes.");
  return lines.join("\n");
}

const code = (s: string): string => `\`${s.replace(/`/g, "'")}\``;

/** A summary for a pull-request comment. */
export function formatMarkdown(r: DiffResult, from: string, to: string): string {
  const lines = [`### Render diff: ${counts(r)}`, "", `${code(from)} -> ${code(to)}`, ""];
  if (r.safety.length) {
    lines.push("**Safety-relevant changes**", "");
    for (const s of r.safety) lines.push(`- :warning: ${s}`);
    lines.push("");
  }
  if (!r.changes.length) lines.push("No changes.");
  for (const c of r.changes) {
    lines.push(`- **${c.change}** ${c.title}`);
    for (const l of c.lines) lines.push(`  - ${code(l)}`);
  }
  return `${lines.join("\n")}\n`;
}

export interface DiffOutputOptions {
  exitCode?: boolean;
  markdown?: string;
}

/** Compares, prints, writes the Markdown file; returns the exit code (1 = changed, with --exit-code). */
export function runDiff(from: string | RenderTree, to: string, opts: DiffOutputOptions): number {
  const before = typeof from === "string" ? readRender(from) : from;
  const result = diffRenders(before, readRender(to));
  process.stdout.write(`${formatText(result, before.dir, to)}\n`);
  if (opts.markdown) fs.writeFileSync(opts.markdown, formatMarkdown(result, before.dir, to));
  return opts.exitCode && changed(result) ? 1 : 0;
}

export function parseDiffArgs(argv: string[]): { dirs: string[] } & DiffOutputOptions {
  const dirs: string[] = [];
  const opts: DiffOutputOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--exit-code") opts.exitCode = true;
    else if (a === "--markdown") {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`--markdown needs a value`);
      opts.markdown = v;
    } else if (a.startsWith("--markdown=")) opts.markdown = a.slice("--markdown=".length);
    else if (a.startsWith("-")) throw new UsageError(`unknown argument "${a}": ${USAGE}`);
    else dirs.push(a);
  }
  if (dirs.length !== 2) throw new UsageError(`expected two render directories: ${USAGE}`);
  return { dirs, ...opts };
}

export function main(argv: string[]): number {
  try {
    const { dirs, ...opts } = parseDiffArgs(argv);
    return runDiff(dirs[0], dirs[1], opts);
  } catch (err) {
    process.stderr.write(`diff failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
}
