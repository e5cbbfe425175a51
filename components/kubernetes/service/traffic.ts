/**
 * Traffic rules of one service: Istio `VirtualService` (matches, weighted subset routes, retries,
 * timeouts, fault injection, mirroring, rewrites) and `DestinationRule` (subsets, connection pool,
 * outlier detection, load balancer, TLS). Accepts the seeds' terms (`consecutiveErrors`,
 * `LEAST_CONN`) and emits current `networking.istio.io/v1` fields.
 * https://istio.io/latest/docs/reference/config/networking/virtual-service/
 * https://istio.io/latest/docs/reference/config/networking/destination-rule/
 */
import type { IVirtualService } from "@kubernetes-models/istio/networking.istio.io/v1/VirtualService" with {
  "resolution-mode": "import",
};
import { ArgChecker } from "../../core/validate";
import { re2Error } from "../../core/regex";
import { defined } from "../../core/values";
import { KubeObject } from "../../core/kube";
import { metaFor, ServiceContext } from "./spec";
import {
  checkPolicy,
  DestinationRuleSpec,
  subsetTrafficPolicy,
  trafficPolicy,
  TrafficPolicyArgs,
} from "./destination-policy";

import { declareSubsets, qualifiedHost, referSubset } from "./subsets";

export type { TrafficPolicyArgs };

/** @internal */
export type VirtualServiceSpec = NonNullable<IVirtualService["spec"]>;
/** @internal */
export type HttpRoute = NonNullable<VirtualServiceSpec["http"]>[number];
type HttpMatch = NonNullable<HttpRoute["match"]>[number];
type StringMatch = NonNullable<HttpMatch["uri"]>;

/** A string match: a plain string means `exact`. */
export type StringMatchArgs = string | { exact: string } | { prefix: string } | { regex: string };

/** Conditions of one route; all given fields must match. */
export interface MatchArgs {
  uri?: StringMatchArgs;
  /** Header name (lowercase) to match. */
  headers?: Record<string, StringMatchArgs>;
  queryParams?: Record<string, StringMatchArgs>;
  method?: StringMatchArgs;
  authority?: StringMatchArgs;
}

/** Where a route sends traffic. */
export interface DestinationArgs {
  /** @default the traffic host */
  host?: string;
  /** A subset of the destination host, declared in `subsets` or by another component for that host. */
  subset?: string;
  port?: number;
  /** Share of the route's traffic, 0-100; required when a route has several destinations. */
  weight?: number;
}

/** One HTTP route, in order; a route without `match` catches everything and must be last. */
export interface HttpRouteArgs {
  name?: string;
  match?: MatchArgs[];
  /** @default [{ host: <traffic host> }] */
  destinations?: DestinationArgs[];
  /** Overall request timeout, e.g. "10s". */
  timeout?: string;
  retries?: { attempts: number; perTryTimeout?: string; retryOn?: string };
  fault?: {
    delay?: { fixedDelay: string; percent?: number };
    abort?: { httpStatus: number; percent?: number };
  };
  /** Copy of the traffic sent to another destination (responses dropped); `subset` as in destinations. */
  mirror?: { host: string; subset?: string; port?: number; percent?: number };
  rewrite?: { uri?: string; authority?: string };
}

/** A named subset of the host's endpoints. */
export interface SubsetArgs {
  name: string;
  labels: Record<string, string>;
  policy?: TrafficPolicyArgs;
}

/** Traffic settings of one service. */
export interface TrafficArgs {
  /**
   * The host rules apply to. Plain, not an Output: routes' subsets are checked against the
   * subsets declared for it anywhere in the program while the program runs (subsets.ts).
   * @default "<name>.<namespace>.svc.cluster.local"
   */
  host?: string;
  /** VirtualService hosts (plain, as `host`). @default [host] */
  hosts?: string[];
  /** Gateways the routes bind to (`mesh` for sidecars). @default none (mesh only) */
  gateways?: string[];
  subsets?: SubsetArgs[];
  routes?: HttpRouteArgs[];
  policy?: TrafficPolicyArgs;
  /** @default the service name */
  virtualServiceName?: string;
  /** @default the service name */
  destinationRuleName?: string;
}

const HOST = /^(\*|(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$/;
const HOST_RULE = "a hostname: DNS-1123 labels joined by '.', optionally starting with '*.'";
const HEADER = /^[a-z0-9][-a-z0-9_.]*$/;
/** An `:authority`: a DNS name (any case) with an optional port. */
const AUTHORITY =
  /^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*(:\d{1,5})?$/;
const GATEWAY = /^(mesh|([a-z0-9]([-a-z0-9]*[a-z0-9])?\/)?[a-z0-9]([-a-z0-9]*[a-z0-9])?)$/;

export function defaultHost(ctx: ServiceContext): string {
  return `${ctx.name}.${ctx.namespace}.svc.cluster.local`;
}

/** An `:authority` Envoy writes as a header value: a host name with an optional port. */
export function checkAuthority(check: ArgChecker, path: string, v: string | undefined): void {
  check.pattern(
    path,
    v,
    AUTHORITY,
    'a host name, optionally with a port, e.g. "orders.shop.svc.cluster.local" or "api.example.com:8443"',
  );
}

export function checkHost(check: ArgChecker, path: string, host: string | undefined): void {
  check.pattern(path, host, HOST, `must be ${HOST_RULE}`);
  check.length(path, host, 1, 253);
}

function stringMatch(m: StringMatchArgs): StringMatch {
  return typeof m === "string" ? { exact: m } : (m as StringMatch);
}

function matchMap(m: Record<string, StringMatchArgs>): Record<string, StringMatch> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, stringMatch(v)]));
}

/** A `{ regex }` match must compile as RE2 does (Envoy's safe_regex). */
function checkRegex(check: ArgChecker, path: string, m: StringMatchArgs | undefined): void {
  const re = typeof m === "object" && "regex" in m ? m.regex : undefined;
  const error = re === undefined ? undefined : re2Error(re);
  if (error) check.fail(`${path}.regex`, re, `must be an RE2 regex: ${error}`);
}

/** A route with its defaults applied: every destination has a host, faults a percentage. @internal */
export interface ResolvedRoute extends Omit<HttpRouteArgs, "destinations" | "fault"> {
  destinations: (DestinationArgs & { host: string })[];
  fault?: {
    delay?: { fixedDelay: string; percent: number };
    abort?: { httpStatus: number; percent: number };
  };
}

function resolveRoute(
  check: ArgChecker,
  path: string,
  r: HttpRouteArgs,
  host: string,
  refer: (path: string, host: string | undefined, subset: string) => void,
): ResolvedRoute {
  (r.match ?? []).forEach((m, j) => {
    for (const k of Object.keys(m.headers ?? {}))
      check.pattern(
        `${path}.match[${j}].headers.${k}`,
        k,
        HEADER,
        "header names are lowercase letters, digits, '-', '_' and '.'",
      );
    const at = `${path}.match[${j}]`;
    checkRegex(check, `${at}.uri`, m.uri);
    checkRegex(check, `${at}.method`, m.method);
    checkRegex(check, `${at}.authority`, m.authority);
    for (const f of ["headers", "queryParams"] as const)
      for (const [k, v] of Object.entries(m[f] ?? {})) checkRegex(check, `${at}.${f}.${k}`, v);
  });
  const dests = r.destinations ?? [{}];
  if (dests.length === 0)
    check.fail(`${path}.destinations`, dests, "a route needs at least one destination");
  dests.forEach((d, j) => {
    const dp = `${path}.destinations[${j}]`;
    checkHost(check, `${dp}.host`, d.host);
    check.port(`${dp}.port`, d.port);
    if (dests.length > 1 && d.weight === undefined)
      check.fail(
        `${dp}.weight`,
        d.weight,
        "every destination of a split needs a weight (integers 0-100 summing to 100)",
      );
    if (d.subset !== undefined) refer(`${dp}.subset`, d.host, d.subset);
  });
  if (dests.some((d) => d.weight !== undefined))
    check.weights(
      `${path}.destinations`,
      dests.map((d) => d.weight as number),
    );
  check.durationMs(`${path}.timeout`, r.timeout, 1);
  if (r.retries) {
    check.int(`${path}.retries.attempts`, r.retries.attempts, 0, 100);
    check.durationMs(`${path}.retries.perTryTimeout`, r.retries.perTryTimeout, 1);
    check.pattern(
      `${path}.retries.retryOn`,
      r.retries.retryOn,
      /^[a-z0-9-]+(,[a-z0-9-]+)*$/,
      'a comma-separated list of Envoy retry conditions, e.g. "5xx,reset,connect-failure"',
    );
  }
  const delay = r.fault?.delay;
  if (delay) {
    check.durationMs(`${path}.fault.delay.fixedDelay`, delay.fixedDelay, 1);
    check.number(`${path}.fault.delay.percent`, delay.percent, 0, 100);
  }
  const abort = r.fault?.abort;
  if (abort) {
    check.int(`${path}.fault.abort.httpStatus`, abort.httpStatus, 200, 599);
    check.number(`${path}.fault.abort.percent`, abort.percent, 0, 100);
  }
  if (r.mirror) {
    checkHost(check, `${path}.mirror.host`, r.mirror.host);
    check.port(`${path}.mirror.port`, r.mirror.port);
    check.number(`${path}.mirror.percent`, r.mirror.percent, 0, 100);
    if (r.mirror.subset !== undefined)
      refer(`${path}.mirror.subset`, r.mirror.host, r.mirror.subset);
  }
  // Both become HTTP header values Envoy writes (`:path`, `:authority`): no whitespace or
  // control characters, which would split or corrupt the request line.
  check.pattern(
    `${path}.rewrite.uri`,
    r.rewrite?.uri,
    /^\/[^\s\x00-\x1f\x7f]*$/,
    "must start with '/' and contain no whitespace or control characters",
  );
  checkAuthority(check, `${path}.rewrite.authority`, r.rewrite?.authority);
  // A fault without a percentage applies to every request (Istio's default is none).
  const fault = r.fault && {
    ...(delay ? { delay: { fixedDelay: delay.fixedDelay, percent: delay.percent ?? 100 } } : {}),
    ...(abort ? { abort: { httpStatus: abort.httpStatus, percent: abort.percent ?? 100 } } : {}),
  };
  const out: ResolvedRoute = {
    ...r,
    destinations: dests.map((d) => ({ ...d, host: d.host ?? host })),
    fault: undefined,
  };
  if (fault) out.fault = fault;
  return out;
}

/** A VirtualService's gateway: "mesh", or a Gateway as "<name>" or "<namespace>/<name>". */
export function checkGatewayRef(
  check: ArgChecker,
  path: string,
  gateway: string | undefined,
): void {
  check.pattern(path, gateway, GATEWAY, '"mesh", or a Gateway as "<name>" or "<namespace>/<name>"');
}

/** Traffic arguments with every default applied: what `trafficObjects` emits. @internal */
export interface ResolvedTraffic {
  /** The host the rules apply to (the DestinationRule's host, routes' default destination). */
  host: string;
  /** VirtualService hosts. */
  hosts: string[];
  gateways: string[];
  subsets: SubsetArgs[];
  routes: ResolvedRoute[];
  policy?: TrafficPolicyArgs;
  virtualServiceName: string;
  destinationRuleName: string;
}

/**
 * Checks traffic arguments under `prefix` (e.g. "traffic.") and applies their defaults; records
 * the subsets they declare and checks the subsets their routes name (subsets.ts).
 * @internal
 */
export function resolveTraffic(
  check: ArgChecker,
  prefix: string,
  ctx: ServiceContext,
  t: TrafficArgs,
): ResolvedTraffic {
  checkHost(check, `${prefix}host`, t.host);
  const host = t.host ?? defaultHost(ctx);
  (t.hosts ?? []).forEach((h, i) => checkHost(check, `${prefix}hosts[${i}]`, h));
  (t.gateways ?? []).forEach((g, i) => checkGatewayRef(check, `${prefix}gateways[${i}]`, g));
  check.dnsSubdomain(`${prefix}virtualServiceName`, t.virtualServiceName);
  check.dnsSubdomain(`${prefix}destinationRuleName`, t.destinationRuleName);
  const subsets = t.subsets ?? [];
  subsets.forEach((s, i) => {
    check.dnsLabel(`${prefix}subsets[${i}].name`, s.name);
    if (!s.labels || Object.keys(s.labels).length === 0)
      check.fail(
        `${prefix}subsets[${i}].labels`,
        s.labels,
        "a subset needs at least one label to select its endpoints",
      );
    checkPolicy(check, `${prefix}subsets[${i}].policy`, s.policy);
  });
  check.unique(
    `${prefix}subsets`,
    subsets.map((s) => s.name),
  );
  checkPolicy(check, `${prefix}policy`, t.policy);
  // Subsets of any host may be declared by another component (subsets.ts).
  const own = qualifiedHost(host, ctx.namespace);
  const names = subsets.map((s) => s.name);
  const refer = (path: string, to: string | undefined, subset: string) => {
    const target = qualifiedHost(to ?? host, ctx.namespace);
    const mine = target === own;
    referSubset(target, subset, mine ? names : [], mine, (m) => check.fail(path, subset, m));
  };
  const routes = (t.routes ?? []).map((r, i, all) => {
    const resolved = resolveRoute(check, `${prefix}routes[${i}]`, r, host, refer);
    if ((r.match ?? []).length === 0 && i < all.length - 1)
      check.fail(
        `${prefix}routes[${i}].match`,
        r.match,
        `a route without match catches every request, so routes after it (from routes[${i + 1}]) would never be used; put it last`,
      );
    return resolved;
  });
  check.unique(
    `${prefix}routes`,
    routes.filter((r) => r.name !== undefined).map((r) => r.name as string),
  );
  routes.forEach((r, i) => check.dnsLabel(`${prefix}routes[${i}].name`, r.name));
  declareSubsets(own, names, `${ctx.namespace}/${ctx.name}`);
  return {
    host,
    hosts: t.hosts ?? [host],
    gateways: t.gateways ?? [],
    subsets,
    routes,
    policy: t.policy,
    virtualServiceName: t.virtualServiceName ?? ctx.name,
    destinationRuleName: t.destinationRuleName ?? ctx.name,
  };
}

function route(r: ResolvedRoute): HttpRoute {
  const out: HttpRoute = {};
  if (r.name) out.name = r.name;
  if (r.match && r.match.length > 0) {
    out.match = r.match.map((m) => {
      const hm: HttpMatch = {};
      if (m.uri !== undefined) hm.uri = stringMatch(m.uri);
      if (m.headers) hm.headers = matchMap(m.headers);
      if (m.queryParams) hm.queryParams = matchMap(m.queryParams);
      if (m.method !== undefined) hm.method = stringMatch(m.method);
      if (m.authority !== undefined) hm.authority = stringMatch(m.authority);
      return hm;
    });
  }
  out.route = r.destinations.map((d) => ({
    destination: defined({
      host: d.host,
      subset: d.subset,
      port: d.port === undefined ? undefined : { number: d.port },
    }),
    ...(d.weight !== undefined ? { weight: d.weight } : {}),
  }));
  if (r.timeout) out.timeout = r.timeout;
  if (r.retries) out.retries = defined({ ...r.retries });
  if (r.fault) {
    const { delay, abort } = r.fault;
    out.fault = {};
    if (delay)
      out.fault.delay = {
        fixedDelay: delay.fixedDelay,
        percentage: { value: delay.percent },
      };
    if (abort)
      out.fault.abort = {
        httpStatus: abort.httpStatus,
        percentage: { value: abort.percent },
      };
  }
  if (r.mirror) {
    out.mirror = defined({
      host: r.mirror.host,
      subset: r.mirror.subset,
      port: r.mirror.port === undefined ? undefined : { number: r.mirror.port },
    });
    if (r.mirror.percent !== undefined) out.mirrorPercentage = { value: r.mirror.percent };
  }
  if (r.rewrite) out.rewrite = defined({ ...r.rewrite });
  return out;
}

/** @internal */
export interface TrafficObjects {
  virtualService?: KubeObject<VirtualServiceSpec> & {
    apiVersion: "networking.istio.io/v1";
    kind: "VirtualService";
  };
  destinationRule?: KubeObject<DestinationRuleSpec> & {
    apiVersion: "networking.istio.io/v1";
    kind: "DestinationRule";
  };
}

/** The objects for resolved traffic: a VirtualService when there are routes, a DestinationRule when there are subsets or a policy. @internal */
export function trafficObjects(
  ctx: ServiceContext,
  t: ResolvedTraffic,
  component = "traffic",
): TrafficObjects {
  const out: TrafficObjects = {};
  if (t.routes.length > 0) {
    const spec: VirtualServiceSpec = { hosts: t.hosts };
    if (t.gateways.length > 0) spec.gateways = t.gateways;
    spec.http = t.routes.map(route);
    out.virtualService = {
      apiVersion: "networking.istio.io/v1",
      kind: "VirtualService",
      metadata: metaFor(ctx, t.virtualServiceName, component),
      spec,
    };
  }
  if (t.subsets.length > 0 || t.policy) {
    const spec: DestinationRuleSpec = { host: t.host };
    if (t.policy) spec.trafficPolicy = trafficPolicy(t.policy);
    if (t.subsets.length > 0)
      spec.subsets = t.subsets.map((s) => ({
        name: s.name,
        labels: s.labels,
        ...(s.policy ? { trafficPolicy: subsetTrafficPolicy(s.policy) } : {}),
      }));
    out.destinationRule = {
      apiVersion: "networking.istio.io/v1",
      kind: "DestinationRule",
      metadata: metaFor(ctx, t.destinationRuleName, component),
      spec,
    };
  }
  return out;
}
