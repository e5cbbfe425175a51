/**
 * Cron schedules as Knative's PingSource webhook parses them: github.com/robfig/cron/v3 with
 * `SecondOptional | Minute | Hour | Dom | Month | Dow | Descriptor` (knative/eventing
 * pkg/apis/sources/v1/ping_validation.go), minus the `@every` descriptor Knative refuses.
 * https://pkg.go.dev/github.com/robfig/cron/v3#hdr-CRON_Expression_Format
 */

/** What a schedule may be, for error messages. */
export const CRON_RULE =
  'a cron schedule of 5 fields (minute hour day-of-month month day-of-week) or 6 with leading seconds, e.g. "*/5 * * * *", or @yearly, @monthly, @weekly, @daily, @hourly';

const DESCRIPTORS = [
  "@yearly",
  "@annually",
  "@monthly",
  "@weekly",
  "@daily",
  "@midnight",
  "@hourly",
];
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

interface Bounds {
  field: string;
  min: number;
  max: number;
  names?: string[];
  /** Value of names[0]. */
  first?: number;
}

const SECONDS: Bounds = { field: "seconds", min: 0, max: 59 };
const FIELDS: Bounds[] = [
  { field: "minutes", min: 0, max: 59 },
  { field: "hours", min: 0, max: 23 },
  { field: "day of month", min: 1, max: 31 },
  { field: "month", min: 1, max: 12, names: MONTHS, first: 1 },
  { field: "day of week", min: 0, max: 6, names: DAYS, first: 0 },
];

function number(text: string, b: Bounds): number | string {
  const i = b.names?.indexOf(text.toLowerCase()) ?? -1;
  if (i >= 0) return i + (b.first ?? 0);
  if (!/^\d+$/.test(text)) return `"${text}" is not a number in ${b.field}`;
  return Number(text);
}

/** robfig/cron's getRange: `*`, `?`, `a`, `a-b`, each optionally `/step`. */
function rangeError(expr: string, b: Bounds): string | undefined {
  const [range, step, extraStep] = expr.split("/");
  if (extraStep !== undefined) return `too many slashes in "${expr}"`;
  const [low, high, extraHigh] = range.split("-");
  if (extraHigh !== undefined) return `too many hyphens in "${expr}"`;
  let start = b.min;
  let end = b.max;
  if (low !== "*" && low !== "?") {
    const s = number(low, b);
    if (typeof s === "string") return s;
    const e = high === undefined ? (step === undefined ? s : b.max) : number(high, b);
    if (typeof e === "string") return e;
    [start, end] = [s, e];
  }
  if (step !== undefined) {
    if (!/^\d+$/.test(step) || Number(step) === 0)
      return `step of "${expr}" should be a positive number`;
  }
  if (start < b.min) return `${b.field} "${expr}" below the minimum ${b.min}`;
  if (end > b.max) return `${b.field} "${expr}" above the maximum ${b.max}`;
  if (start > end) return `${b.field} "${expr}" begins after it ends`;
  return undefined;
}

/** Why `schedule` is not a cron schedule Knative's PingSource accepts, or undefined. */
export function cronError(schedule: string): string | undefined {
  const spec = schedule.trim();
  if (spec === "") return "the schedule is empty";
  if (/^(CRON_)?TZ=/.test(spec)) return "a time zone prefix belongs in `timezone`";
  if (spec.startsWith("@")) {
    if (spec.startsWith("@every")) return "Knative refuses the @every descriptor";
    return DESCRIPTORS.includes(spec) ? undefined : `unknown descriptor "${spec}"`;
  }
  const fields = spec.split(/\s+/);
  if (fields.length < 5 || fields.length > 6)
    return `expected 5 or 6 fields, found ${fields.length}`;
  const bounds = fields.length === 6 ? [SECONDS, ...FIELDS] : FIELDS;
  for (let i = 0; i < fields.length; i++) {
    for (const expr of fields[i].split(",")) {
      const error = rangeError(expr, bounds[i]);
      if (error) return error;
    }
  }
  return undefined;
}
