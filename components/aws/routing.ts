import { ArgChecker } from "../core/validate";
import { toSeconds } from "../core/durations";
import {
  appMeshDuration,
  checkLatticeName,
  HttpRetryEvent,
  LATTICE_HEADER_MATCHES_MAX,
  LATTICE_HEADER_NAME,
  LATTICE_HEADER_VALUE,
  LATTICE_IDLE_TIMEOUT_S,
  LATTICE_PATH,
  LATTICE_RULE_NAME,
  LATTICE_RULE_PRIORITY,
  LATTICE_RULES_PER_LISTENER,
  LATTICE_TARGET_GROUP_NAME,
  LATTICE_TARGET_GROUPS_PER_FORWARD,
  LATTICE_WEIGHT,
  LatticeMethod,
} from "./limits";
import { APP_MESH_END_OF_SUPPORT, MeshBackend } from "./mesh-network";

/**
 * The routing of a MeshedFunction, written once for both backends and mapped to each: App Mesh
 * route retries and timeouts, or a Lattice service's idle timeout and listener rules. What a
 * backend cannot do is rejected with the reason, never accepted and dropped.
 */

/** Retries of a request. App Mesh: the route's retry policy (API_HttpRetryPolicy). */
export interface RetryPolicyArgs {
  /** Retries after the first try, >= 0. */
  maxRetries: number;
  /** Timeout of each try: "500ms", "2s". */
  perRetryTimeout: string;
  /** HTTP conditions that retry. At least one of these or `tcpRetryEvents`. @default [] */
  httpRetryEvents?: HttpRetryEvent[];
  /** TCP conditions that retry. @default [] */
  tcpRetryEvents?: "connection-error"[];
}

/** Timeouts of a request. */
export interface RouteTimeoutArgs {
  /**
   * Whole request, "15s". App Mesh: route `timeout.perRequest`. VPC Lattice has no request
   * timeout (the function's `timeout` bounds it), so it is rejected there.
   * @default App Mesh's 15 s
   */
  perRequest?: string;
  /**
   * How long a connection may be idle, "2m". App Mesh: route `timeout.idle`. VPC Lattice: the
   * service's `idleTimeoutSeconds`, whole seconds from 60 to 600.
   * @default the backend's (Lattice: 60 s)
   */
  idle?: string;
}

/** One header condition of a rule. API_HeaderMatch. */
export interface HeaderMatchArgs {
  /** Header name, 1-100 characters. */
  name: string;
  /** How `value` is compared. */
  type: "exact" | "prefix" | "contains";
  /** 1-128 characters. */
  value: string;
  /** Compare case-sensitively, as Istio's `exact` does. @default true */
  caseSensitive?: boolean;
}

/** The path condition of a rule. API_PathMatch. */
export interface PathMatchArgs {
  /** How `value` is compared. */
  type: "exact" | "prefix";
  /** Starts with '/', 1-200 characters. */
  value: string;
  /** Compare case-sensitively. @default true */
  caseSensitive?: boolean;
}

/** What a rule matches; at least one condition. API_HttpMatch. */
export interface RouteMatchArgs {
  /** Up to 5 header conditions, all of which must hold. @default [] */
  headers?: HeaderMatchArgs[];
  /** The path condition. @default any path */
  path?: PathMatchArgs;
  /** The HTTP method. @default any method */
  method?: LatticeMethod;
}

/** Where a rule sends requests: an alias of a MeshedFunction of the same network. */
export interface RouteTargetArgs {
  /** The component name of a MeshedFunction on the same network, built before this one. */
  function: string;
  /** One of its aliases. @default its first alias */
  alias?: string;
  /** 0-999; required when the rule has more than one target. @default 1 */
  weight?: number;
}

/**
 * A listener rule ahead of the function's default weighted split: the seeds' "premium users to
 * another function". @see https://docs.aws.amazon.com/vpc-lattice/latest/ug/listener-rules.html
 */
export interface RouteRuleArgs {
  /** 1-100, unique; lower is evaluated first. */
  priority: number;
  /** Rule name, 3-63 lowercase characters. @default "<service name>-rule-<priority>" */
  name?: string;
  /** The conditions, all of which must hold. */
  match: RouteMatchArgs;
  /** 1-10 targets. */
  forward: RouteTargetArgs[];
}

/** Backend-neutral routing of a MeshedFunction. */
export interface RoutingArgs {
  /** Retries. App Mesh only: VPC Lattice does not retry (rejected there). @default none */
  retries?: RetryPolicyArgs;
  /** Timeouts. @default the backend's */
  timeout?: RouteTimeoutArgs;
  /**
   * Header/path/method rules, at most 10 (Lattice's default rules per listener). VPC Lattice
   * only: App Mesh, past its end of support, gets no new routing. @default []
   */
  rules?: RouteRuleArgs[];
}

type AppMeshDuration = { unit: "s" | "ms"; value: number };

export interface ResolvedRule {
  name: string;
  priority: number;
  match: {
    headers: {
      name: string;
      type: HeaderMatchArgs["type"];
      value: string;
      caseSensitive: boolean;
    }[];
    path?: { type: PathMatchArgs["type"]; value: string; caseSensitive: boolean };
    method?: LatticeMethod;
  };
  forward: { function: string; alias: string; weight: number }[];
}

/** The routing as each backend takes it. */
export interface ResolvedRouting {
  appMesh: {
    retryPolicy?: {
      maxRetries: number;
      perRetryTimeout: AppMeshDuration;
      httpRetryEvents?: string[];
      tcpRetryEvents?: string[];
    };
    timeout?: { perRequest?: AppMeshDuration; idle?: AppMeshDuration };
  };
  lattice: { idleTimeoutSeconds?: number; rules: ResolvedRule[] };
}

/**
 * The aliases of a function on the network by component name, and whether it is the function
 * being built; undefined when no such function was built before it.
 */
export type AliasLookup = (
  functionComponent: string,
) => { aliases: string[]; own: boolean } | undefined;

/** The name of the target group through which `service`'s rules reach another function's alias. */
export function ruleTargetGroupName(service: string, fn: string, alias: string): string {
  return `${service}-${fn}-${alias}`;
}

function meshDuration(check: ArgChecker, argument: string, value: string | undefined) {
  const ms = check.durationMs(argument, value, 1);
  if (ms === undefined) return undefined;
  if (!Number.isInteger(ms)) check.fail(argument, value, "must be whole milliseconds (ms or s)");
  return appMeshDuration(ms);
}

function checkRetries(check: ArgChecker, r: RetryPolicyArgs) {
  const at = "routing.retries";
  check.int(`${at}.maxRetries`, r.maxRetries, 0, Number.MAX_SAFE_INTEGER);
  if ((r.httpRetryEvents ?? []).length === 0 && (r.tcpRetryEvents ?? []).length === 0)
    check.fail(at, r, "needs at least one of httpRetryEvents or tcpRetryEvents");
  return {
    maxRetries: r.maxRetries,
    perRetryTimeout: meshDuration(check, `${at}.perRetryTimeout`, r.perRetryTimeout)!,
    ...(r.httpRetryEvents?.length ? { httpRetryEvents: r.httpRetryEvents } : {}),
    ...(r.tcpRetryEvents?.length ? { tcpRetryEvents: r.tcpRetryEvents } : {}),
  };
}

function checkRule(
  check: ArgChecker,
  at: string,
  rule: RouteRuleArgs,
  serviceName: string,
  aliasesOf: AliasLookup,
): ResolvedRule {
  check.int(`${at}.priority`, rule.priority, LATTICE_RULE_PRIORITY.min, LATTICE_RULE_PRIORITY.max);
  const name = rule.name ?? `${serviceName}-rule-${rule.priority}`;
  checkLatticeName(check, `${at}.name`, name, LATTICE_RULE_NAME);
  const match = rule.match ?? {};
  const headers = match.headers ?? [];
  if (headers.length === 0 && match.path === undefined && match.method === undefined)
    check.fail(`${at}.match`, rule.match, "needs at least one of headers, path or method");
  if (headers.length > LATTICE_HEADER_MATCHES_MAX)
    check.fail(
      `${at}.match.headers`,
      headers.length,
      `at most ${LATTICE_HEADER_MATCHES_MAX} header matches per rule`,
    );
  headers.forEach((h, i) => {
    const hat = `${at}.match.headers[${i}]`;
    check.length(`${hat}.name`, h.name, LATTICE_HEADER_NAME.min, LATTICE_HEADER_NAME.max);
    check.length(`${hat}.value`, h.value, LATTICE_HEADER_VALUE.min, LATTICE_HEADER_VALUE.max);
  });
  if (match.path !== undefined) {
    check.pattern(
      `${at}.match.path.value`,
      match.path.value,
      new RegExp(`^/.{0,${LATTICE_PATH.max - 1}}$`),
      `must start with '/' and be ${LATTICE_PATH.min}-${LATTICE_PATH.max} characters long`,
    );
  }

  const forward = rule.forward ?? [];
  if (
    forward.length < LATTICE_TARGET_GROUPS_PER_FORWARD.min ||
    forward.length > LATTICE_TARGET_GROUPS_PER_FORWARD.max
  )
    check.fail(
      `${at}.forward`,
      forward.length,
      `must list ${LATTICE_TARGET_GROUPS_PER_FORWARD.min}-${LATTICE_TARGET_GROUPS_PER_FORWARD.max} targets (weighted target groups per forward action)`,
    );
  const targets = forward.map((t, i) => {
    const tat = `${at}.forward[${i}]`;
    const target = aliasesOf(t.function);
    if (target === undefined)
      check.fail(
        `${tat}.function`,
        t.function,
        "must name a MeshedFunction built before this one on the same network",
      );
    const alias = t.alias ?? target.aliases[0];
    if (!target.aliases.includes(alias))
      check.fail(
        `${tat}.alias`,
        alias,
        `must be one of its aliases (${target.aliases.join(", ")})`,
      );
    // Another function's alias is reached through a target group of this service's own.
    if (!target.own)
      checkLatticeName(
        check,
        `${tat}.function`,
        ruleTargetGroupName(serviceName, t.function, alias),
        LATTICE_TARGET_GROUP_NAME,
      );
    if (forward.length > 1)
      check.require(`${tat}.weight`, t.weight, "is required when a rule has more than one target");
    check.int(`${tat}.weight`, t.weight, LATTICE_WEIGHT.min, LATTICE_WEIGHT.max);
    return { function: t.function, alias, weight: t.weight ?? 1 };
  });
  check.unique(
    `${at}.forward`,
    targets.map((t) => `${t.function}:${t.alias}`),
  );
  return {
    name,
    priority: rule.priority,
    match: {
      headers: headers.map((h) => ({
        name: h.name,
        type: h.type,
        value: h.value,
        caseSensitive: h.caseSensitive ?? true,
      })),
      ...(match.path
        ? {
            path: {
              type: match.path.type,
              value: match.path.value,
              caseSensitive: match.path.caseSensitive ?? true,
            },
          }
        : {}),
      ...(match.method ? { method: match.method } : {}),
    },
    forward: targets,
  };
}

/**
 * Checks `routing` against what `backend` can do and returns it in each backend's terms.
 * Sources: App Mesh API_HttpRetryPolicy and API_HttpTimeout; VPC Lattice API_RuleAction (forward
 * or fixed response: no retries), API_CreateService (`idleTimeoutSeconds` is its only timeout).
 */
export function resolveRouting(
  check: ArgChecker,
  routing: RoutingArgs | undefined,
  backend: MeshBackend,
  serviceName: string,
  aliasesOf: AliasLookup,
): ResolvedRouting {
  const r = routing ?? {};
  const lattice = backend === "vpc-lattice";
  if (lattice && r.retries !== undefined)
    check.fail(
      "routing.retries",
      r.retries,
      "VPC Lattice does not retry requests: a listener rule only forwards or answers with a fixed response (API_RuleAction). Retry in the caller, or remove `routing.retries`",
    );
  if (lattice && r.timeout?.perRequest !== undefined)
    check.fail(
      "routing.timeout.perRequest",
      r.timeout.perRequest,
      "VPC Lattice has no per-request timeout (a service has only idleTimeoutSeconds, API_CreateService); the function's `timeout` bounds each request",
    );
  const rules = r.rules ?? [];
  if (!lattice && rules.length > 0)
    check.fail(
      "routing.rules",
      rules.map((x) => x.priority),
      `rules are built on backend "vpc-lattice" only: AWS ended App Mesh support on ${APP_MESH_END_OF_SUPPORT} and it gets no new routing`,
    );

  const retryPolicy = r.retries !== undefined ? checkRetries(check, r.retries) : undefined;
  const perRequest = meshDuration(check, "routing.timeout.perRequest", r.timeout?.perRequest);
  const idleMs = check.durationMs("routing.timeout.idle", r.timeout?.idle, 1);
  const idle = meshDuration(check, "routing.timeout.idle", r.timeout?.idle);
  let idleTimeoutSeconds: number | undefined;
  if (lattice && idleMs !== undefined) {
    idleTimeoutSeconds = toSeconds(idleMs);
    if (
      idleMs % 1000 !== 0 ||
      idleTimeoutSeconds < LATTICE_IDLE_TIMEOUT_S.min ||
      idleTimeoutSeconds > LATTICE_IDLE_TIMEOUT_S.max
    )
      check.fail(
        "routing.timeout.idle",
        r.timeout?.idle,
        `VPC Lattice takes whole seconds from ${LATTICE_IDLE_TIMEOUT_S.min} to ${LATTICE_IDLE_TIMEOUT_S.max} (idleTimeoutSeconds)`,
      );
  }

  if (rules.length > LATTICE_RULES_PER_LISTENER)
    check.fail(
      "routing.rules",
      rules.length,
      `at most ${LATTICE_RULES_PER_LISTENER} rules per listener (VPC Lattice's default quota)`,
    );
  const normalized = rules.map((rule, i) =>
    checkRule(check, `routing.rules[${i}]`, rule, serviceName, aliasesOf),
  );
  check.unique(
    "routing.rules",
    normalized.map((x) => String(x.priority)),
  );
  check.unique(
    "routing.rules",
    normalized.map((x) => x.name),
  );
  return {
    appMesh: {
      retryPolicy,
      timeout:
        perRequest || idle
          ? { ...(perRequest ? { perRequest } : {}), ...(idle ? { idle } : {}) }
          : undefined,
    },
    lattice: { idleTimeoutSeconds, rules: normalized },
  };
}
