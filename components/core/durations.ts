/**
 * Durations as Istio, Knative and Prometheus write them: Go-style `1h30m`, `15m`, `10s`, `250ms`,
 * `1.5s`. Parsed once to milliseconds so limits can be checked, then written back in the form
 * each target API wants.
 */
const UNIT_MS: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1_000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  ns: 0.000001,
};
const PART = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/y;

/**
 * prometheus-operator's Duration (the monitoring.coreos.com/v1 CRDs' pattern): `30s`, `1m30s`,
 * `5m`, `1h`, `2d`, `1w`, `1y`; integers only, units in that order, or `0`.
 */
export const PROM_DURATION = /^(0|(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?)$/;

export const DURATION_RULE =
  'a duration such as "250ms", "10s", "15m" or "1h30m" (units h, m, s, ms, us, ns)';

/** Milliseconds in `text`, or undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  if (typeof text !== "string" || text.length === 0) return undefined;
  PART.lastIndex = 0;
  let total = 0;
  let matched = 0;
  while (PART.lastIndex < text.length) {
    const at = PART.lastIndex;
    const m = PART.exec(text);
    if (!m || m.index !== at) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]];
    matched++;
  }
  return matched > 0 ? total : undefined;
}

/** Shortest exact Go-style form of `ms`: 90000 -> "90s", 900000 -> "15m", 30 -> "30ms". */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  for (const [unit, size] of [
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1_000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  if (Number.isInteger(ms)) return `${ms}ms`;
  return `${ms / 1000}s`;
}

/** Seconds, rounded up, as the integer APIs (Knative timeoutSeconds, Lattice) take them. */
export function toSeconds(ms: number): number {
  return Math.ceil(ms / 1000);
}
