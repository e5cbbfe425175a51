/**
 * Istio's validating webhook for traffic objects, beyond what the CRD's OpenAPI schema checks.
 * Upstream: istio/istio pkg/config/validation/validation.go (ValidateVirtualService,
 * ValidateGateway, ValidateDestinationRule, ValidateServiceEntry), virtualservice.go
 * (validateHTTPRoute) and agent/validation.go (ValidateDuration, ValidateHTTPRetry,
 * ValidateWildcardDomain).
 */
import { parseDuration } from "../core/durations";
import { re2Error } from "../core/regex";
import { isDns1123Label } from "../core/names";
import { K8sObject, Reporter, Rule } from "./model";
import { arr, obj, Obj, objs, spec, str, strs } from "./read";

const ISTIO_GROUPS = ["networking.istio.io/", "security.istio.io/", "telemetry.istio.io/"];

export function istioObjects(
  index: { byKind(kind: string): K8sObject[] },
  kind: string,
): K8sObject[] {
  return index.byKind(kind).filter((o) => ISTIO_GROUPS.some((g) => o.apiVersion.startsWith(g)));
}

const WILDCARD_LABEL = /^(\*|\*?[a-z0-9]([-a-z0-9]*[a-z0-9])?)$/i;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/i;

/** agent.ValidateWildcardDomain: a wildcard only as the whole first label or its prefix. */
export function wildcardDomainError(host: string): string | undefined {
  if (host.length === 0) return "empty host";
  if (host.length > 255) return `host "${host}" is longer than 255 characters`;
  const [first, ...rest] = host.split(".");
  if (!WILDCARD_LABEL.test(first)) return `host "${host}" is invalid (label "${first}")`;
  const bad = rest.find((l) => !DNS_LABEL.test(l) || l.length > 63);
  return bad === undefined ? undefined : `host "${host}" is invalid (label "${bad}")`;
}

/** agent.ValidateDuration: at least 1ms, whole milliseconds. */
function durationError(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const ms = typeof value === "string" ? parseDuration(value) : undefined;
  if (ms === undefined) return `${JSON.stringify(value)} is not a duration`;
  if (ms < 1) return `duration ${value} must be at least 1ms`;
  if (!Number.isInteger(Math.round(ms * 1e6) / 1e6)) return `duration ${value} is finer than 1ms`;
  return undefined;
}

function checkDurations(o: K8sObject, report: Reporter, fields: [string, unknown][]): void {
  for (const [where, value] of fields) {
    const e = durationError(value);
    if (e) report(o, "error", `${where}: ${e}; Istio takes durations of 1ms or more, in ms steps`);
  }
}

const HTTP_ACTIONS = ["route", "redirect", "directResponse"] as const;

function httpRoutes(o: K8sObject): Obj[] {
  return objs(spec(o).http);
}

export const virtualServiceHosts: Rule = {
  code: "MS101",
  summary: "VirtualService hosts are valid, not `*` on the mesh, not duplicated",
  source: "istio/istio pkg/config/validation/validation.go (ValidateVirtualService)",
  check(index, report) {
    for (const vs of istioObjects(index, "VirtualService")) {
      const s = spec(vs);
      const hosts = strs(s.hosts);
      const gateways = strs(s.gateways);
      const mesh = gateways.length === 0 || gateways.includes("mesh");
      if (hosts.length === 0 && gateways.length > 0)
        report(vs, "error", "a delegate VirtualService (no hosts) must not name gateways");
      for (const h of hosts) {
        const e = /^[\d.:]+$/.test(h) ? undefined : wildcardDomainError(h);
        if (e) report(vs, "error", `${e}; use a DNS name, optionally with a leading wildcard`);
        else if (mesh && h === "*")
          report(vs, "error", 'host "*" is not allowed on a VirtualService bound to the mesh');
      }
      const seen = new Set<string>();
      for (const h of hosts) {
        if (seen.has(h)) report(vs, "error", `duplicate host ${h}; list each host once`);
        seen.add(h);
      }
      if (arr(s.http).length + arr(s.tcp).length + arr(s.tls).length === 0)
        report(vs, "error", "a VirtualService needs http, tcp or tls routes");
    }
  },
};

export const virtualServiceRoutes: Rule = {
  code: "MS102",
  summary: "each HTTP route has exactly one of route / redirect / directResponse, valid rewrites",
  source: "istio/istio pkg/config/validation/virtualservice.go (validateHTTPRouteConflict)",
  check(index, report) {
    for (const vs of istioObjects(index, "VirtualService")) {
      httpRoutes(vs).forEach((r, i) => {
        const at = `http[${i}]`;
        const actions = HTTP_ACTIONS.filter((a) =>
          a === "route" ? arr(r.route).length > 0 : r[a] !== undefined,
        );
        if (actions.length === 0 && r.delegate === undefined)
          report(vs, "error", `${at} has no route, redirect or directResponse; add one`);
        if (actions.length > 1)
          report(vs, "error", `${at} combines ${actions.join(" and ")}; keep one`);
        if ((r.redirect !== undefined || r.directResponse !== undefined) && r.rewrite)
          report(vs, "error", `${at}: rewrite cannot be combined with redirect or directResponse`);
        if ((r.redirect !== undefined || r.directResponse !== undefined) && r.fault)
          report(vs, "error", `${at}: fault cannot be combined with redirect or directResponse`);
        if (r.mirror !== undefined && arr(r.mirrors).length > 0)
          report(vs, "error", `${at} sets both mirror and mirrors; use mirrors`);
        const rw = r.rewrite === undefined ? undefined : obj(r.rewrite);
        if (rw) {
          if (rw.uri !== undefined && rw.uriRegexRewrite !== undefined)
            report(vs, "error", `${at}.rewrite sets both uri and uriRegexRewrite; keep one`);
          if (rw.uri === undefined && rw.uriRegexRewrite === undefined && !rw.authority)
            report(vs, "error", `${at}.rewrite needs uri, uriRegexRewrite or authority`);
        }
        const setHost = Object.keys(obj(obj(obj(r.headers).request).set)).some((k) =>
          [":authority", "host"].includes(k.toLowerCase()),
        );
        if (rw?.authority && setHost)
          report(
            vs,
            "error",
            `${at} sets the authority twice (rewrite.authority and a Host header)`,
          );
      });
    }
  },
};

export const routeDestinations: Rule = {
  code: "MS103",
  summary: "route destinations: host not `*`, DNS-label subsets, weights >= 0 and not all 0",
  source: "istio/istio pkg/config/validation/validation.go (validateHTTPRouteDestinations)",
  check(index, report) {
    for (const vs of istioObjects(index, "VirtualService")) {
      const s = spec(vs);
      for (const [proto, routes] of [
        ["http", objs(s.http)],
        ["tcp", objs(s.tcp)],
        ["tls", objs(s.tls)],
      ] as const) {
        routes.forEach((r, i) => {
          const dests = objs(r.route);
          let total = 0;
          dests.forEach((d, j) => {
            const at = `${proto}[${i}].route[${j}]`;
            const dest = obj(d.destination);
            const host = str(dest.host) ?? "";
            if (host === "*" || wildcardDomainError(host))
              report(vs, "error", `${at}: destination host "${host}" is not a valid service host`);
            const subset = str(dest.subset);
            if (subset !== undefined && !isDns1123Label(subset))
              report(vs, "error", `${at}: subset "${subset}" must be a DNS-1123 label`);
            const w = Number(d.weight ?? 0);
            if (w < 0) report(vs, "error", `${at}: weight ${w} is negative`);
            total += w;
          });
          if (dests.length > 1 && total === 0)
            report(vs, "error", `${proto}[${i}]: every destination has weight 0`);
        });
      }
    }
  },
};

const RETRY_ON = new Set([
  "5xx",
  "gateway-error",
  "reset",
  "reset-before-request",
  "connect-failure",
  "envoy-ratelimited",
  "retriable-4xx",
  "refused-stream",
  "retriable-status-codes",
  "retriable-headers",
  "http3-post-connect-failure",
  "cancelled",
  "deadline-exceeded",
  "internal",
  "resource-exhausted",
  "unavailable",
]);

export const routeTimingAndFaults: Rule = {
  code: "MS104",
  summary: "route timeouts, retries and fault injection are in range",
  source:
    "istio/istio pkg/config/validation/agent/validation.go (ValidateHTTPRetry, ValidateDuration), validation.go (validateHTTPFaultInjection)",
  check(index, report) {
    for (const vs of istioObjects(index, "VirtualService")) {
      httpRoutes(vs).forEach((r, i) => {
        const at = `http[${i}]`;
        const retries = r.retries === undefined ? undefined : obj(r.retries);
        const fault = r.fault === undefined ? undefined : obj(r.fault);
        checkDurations(vs, report, [
          [`${at}.timeout`, r.timeout],
          [`${at}.retries.perTryTimeout`, retries?.perTryTimeout],
          [`${at}.retries.backoff`, retries?.backoff],
          [`${at}.fault.delay.fixedDelay`, obj(fault?.delay).fixedDelay],
        ]);
        if (retries) {
          const attempts = Number(retries.attempts ?? 0);
          if (attempts < 0) report(vs, "error", `${at}.retries.attempts cannot be negative`);
          if (attempts === 0 && (retries.perTryTimeout || retries.retryOn))
            report(vs, "error", `${at}.retries configures retries with attempts 0 (disabled)`);
          for (const p of (str(retries.retryOn) ?? "").split(",").filter(Boolean)) {
            const code = Number(p);
            if (!RETRY_ON.has(p) && !(Number.isInteger(code) && code >= 100 && code < 600))
              report(vs, "error", `${at}.retries.retryOn: "${p}" is not a retry policy`);
          }
        }
        if (fault) {
          if (fault.abort === undefined && fault.delay === undefined)
            report(vs, "error", `${at}.fault needs an abort and/or a delay`);
          for (const part of ["abort", "delay"] as const) {
            const pct = obj(obj(fault[part]).percentage).value;
            if (pct !== undefined && (Number(pct) < 0 || Number(pct) > 100))
              report(vs, "error", `${at}.fault.${part}.percentage ${pct} is outside 0..100`);
          }
          const status = obj(fault.abort).httpStatus;
          if (status !== undefined && (Number(status) < 200 || Number(status) > 599))
            report(vs, "error", `${at}.fault.abort.httpStatus ${status} is outside 200..599`);
        }
      });
    }
  },
};

export const gatewayNames: Rule = {
  code: "MS105",
  summary: "VirtualService gateways are `<namespace>/<name>` (or `mesh`) with DNS-label parts",
  source: "istio/istio pkg/config/validation/validation.go (validateGatewayNames)",
  check(index, report) {
    for (const vs of istioObjects(index, "VirtualService")) {
      for (const g of strs(spec(vs).gateways)) {
        if (g === "mesh") continue;
        const parts = g.split("/");
        if (parts.length === 1 && g.includes("."))
          report(vs, "warning", `gateway "${g}" uses the legacy <name>.<namespace> form`);
        else if (parts.length > 2 || parts.some((p) => !isDns1123Label(p)))
          report(vs, "error", `gateway "${g}" must be "<name>" or "<namespace>/<name>"`);
      }
    }
  },
};

export { checkDurations };

const HEADER_TOKEN = /^[!#$%&'*+\-.^_`|~A-Za-z0-9]+$/;
const PSEUDO_HEADERS = new Set([":method", ":scheme", ":authority", ":path", ":status"]);
const JWT_CLAIM = /^@request\.auth\.claims(\.|\[)/;

function stringMatchError(m: unknown): string | undefined {
  const sm = obj(m);
  if (sm.prefix === "") return "prefix must not be empty";
  return typeof sm.regex === "string" ? re2Error(sm.regex) : undefined;
}

export const routeMatches: Rule = {
  code: "MS106",
  summary:
    "HTTP matches: header names, non-empty prefixes, RE2 regexes, ports, sourceNamespace; JWT claim routes only on gateways",
  source:
    "istio/istio pkg/config/validation/virtualservice.go (validateHTTPRouteMatchRequest), validation.go (validateStringMatch, ValidateHTTPHeaderNameOrJwtClaimRoute)",
  check(index, report) {
    for (const vs of istioObjects(index, "VirtualService")) {
      const gateways = strs(spec(vs).gateways);
      const gatewayOnly = gateways.length > 0 && !gateways.includes("mesh");
      httpRoutes(vs).forEach((r, i) =>
        objs(r.match).forEach((m, j) => {
          const at = `http[${i}].match[${j}]`;
          for (const part of ["headers", "withoutHeaders"] as const)
            for (const [name, value] of Object.entries(obj(m[part]))) {
              if (JWT_CLAIM.test(name)) {
                if (!gatewayOnly)
                  report(
                    vs,
                    "error",
                    `${at}.${part}: JWT claim routing (${name}) only works on a VirtualService bound to gateways`,
                  );
              } else if (!PSEUDO_HEADERS.has(name) && !HEADER_TOKEN.test(name))
                report(vs, "error", `${at}.${part}: "${name}" is not a valid header name`);
              const e =
                part === "withoutHeaders" && obj(value).regex === "*"
                  ? undefined
                  : stringMatchError(value);
              if (e) report(vs, "error", `${at}.${part}.${name}: ${e}`);
            }
          for (const field of ["uri", "scheme", "method", "authority"]) {
            if (m[field] === undefined) continue;
            const sm = obj(m[field]);
            const e = field === "uri" && sm.prefix === "" ? undefined : stringMatchError(sm);
            if (e) report(vs, "error", `${at}.${field}: ${e}`);
          }
          if (m.port !== undefined && !(Number(m.port) >= 1 && Number(m.port) <= 65535))
            report(vs, "error", `${at}.port ${m.port} is outside 1..65535`);
          const sourceNs = str(m.sourceNamespace);
          if (sourceNs !== undefined && !isDns1123Label(sourceNs))
            report(vs, "error", `${at}.sourceNamespace "${sourceNs}" is not a namespace name`);
        }),
      );
    }
  },
};
