/**
 * One access rule as Istio reads it: the rule's arguments (callers, operations, conditions), the
 * checks Istio's validation makes on them, and the `AuthorizationPolicy` rule they become.
 * https://istio.io/latest/docs/reference/config/security/authorization-policy/#Rule
 * https://istio.io/latest/docs/reference/config/security/conditions/
 */
import type { IAuthorizationPolicy } from "@kubernetes-models/istio/security.istio.io/v1/AuthorizationPolicy" with {
  "resolution-mode": "import",
};
import { isIPv4, isIPv6 } from "net";
import { ArgChecker } from "../../core/validate";
import { isDns1123Label, isDns1123Subdomain } from "../../core/names";
import { defined } from "../../core/values";
import { principalOf } from "./spec";

/** @internal */
export type AuthorizationPolicySpec = NonNullable<IAuthorizationPolicy["spec"]>;
/** @internal */
export type Rule = NonNullable<AuthorizationPolicySpec["rules"]>[number];

/** One condition on request attributes. https://istio.io/latest/docs/reference/config/security/conditions/ */
export interface ConditionArgs {
  /** e.g. `request.auth.claims[groups]`, `source.namespace`, `request.headers[x-user]`. */
  key: string;
  values?: string[];
  notValues?: string[];
}

/** One allow (or deny) rule: callers (`from`), operations (`to`) and conditions (`when`), all ANDed. */
export interface AccessRuleArgs {
  /** Caller identities, e.g. `cluster.local/ns/default/sa/knative-sa`. */
  principals?: string[];
  /** Caller service accounts as `<namespace>/<name>`; become principals in `trustDomain`. */
  serviceAccounts?: string[];
  /** Caller namespaces. */
  namespaces?: string[];
  /** JWT identities `<iss>/<sub>`, or `*` for any valid token (needs `jwt`). */
  requestPrincipals?: string[];
  /** HTTP methods, e.g. GET, POST. */
  methods?: string[];
  /** Paths: exact, `/prefix/*`, `*suffix` or `*`. */
  paths?: string[];
  ports?: number[];
  when?: ConditionArgs[];
  /** Callers whose identity is none of these (e.g. `["*"]` is "no mTLS identity"). */
  notPrincipals?: string[];
  /** Callers from none of these namespaces. */
  notNamespaces?: string[];
  /** Requests without any of these JWT identities; `["*"]` matches requests without a token. */
  notRequestPrincipals?: string[];
  /** Caller IPs or CIDR ranges (the peer address). */
  ipBlocks?: string[];
  notIpBlocks?: string[];
  /** Original client IPs or CIDR ranges (X-Forwarded-For, proxy protocol). */
  remoteIpBlocks?: string[];
  notRemoteIpBlocks?: string[];
  /** Requested hosts (`Host`/`:authority`), e.g. `api.example.com`, `*.example.com`. */
  hosts?: string[];
  notHosts?: string[];
  notMethods?: string[];
  notPaths?: string[];
  notPorts?: number[];
}

/** The rule fields that are lists of strings, by where Istio puts them. */
const SOURCE_FIELDS = [
  "namespaces",
  "requestPrincipals",
  "notPrincipals",
  "notNamespaces",
  "notRequestPrincipals",
  "ipBlocks",
  "notIpBlocks",
  "remoteIpBlocks",
  "notRemoteIpBlocks",
] as const;
const OPERATION_FIELDS = [
  "hosts",
  "notHosts",
  "methods",
  "notMethods",
  "paths",
  "notPaths",
] as const;

const CONDITION_KEY =
  /^(request\.headers\[[^\]\s]+\]|source\.ip|remote\.ip|source\.namespace|source\.principal|source\.serviceAccount|request\.auth\.principal|request\.auth\.audiences|request\.auth\.presenter|request\.auth\.claims\[[^\]\s]+\](\[[^\]\s]+\])*|destination\.ip|destination\.port|connection\.sni|experimental\.envoy\.filters\.[\w.]+\[[^\]\s]+\])$/;
const METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"];
const PRINCIPAL = /^(\*|\S+)$/;

/** A path segment of a template: RFC 3986 pchar (what Envoy's URI templates accept). */
const PATH_LITERAL = /^[a-zA-Z0-9\-._~%!$&'()+,;:@=]+$/;

/**
 * Istio path templates (1.22+): segments `{*}` (one segment) and `{**}` (any number; no template
 * operator after it), the others literal, as istio/istio pkg/config/security's
 * CheckValidPathTemplate accepts them.
 */
function isPathTemplate(p: string): boolean {
  if (!p.startsWith("/")) return false;
  let any = false;
  for (const segment of p.replace(/^\/+|\/+$/g, "").split("/")) {
    if (segment === "{*}" || segment === "{**}") {
      if (any) return false;
      any = segment === "{**}";
    } else if (!PATH_LITERAL.test(segment)) return false;
  }
  return true;
}

/**
 * Istio path syntax: `*` only as the whole path, a prefix or a suffix, or a path template
 * (`/api/{*}/users`, `/api/{**}`); otherwise starting with '/'.
 * https://istio.io/latest/docs/reference/config/security/authorization-policy/#Operation
 */
export function isPolicyPath(p: string): boolean {
  if (p.includes("{*}") || p.includes("{**}")) return isPathTemplate(p);
  if (p === "*") return true;
  const body = p.startsWith("*") ? p.slice(1) : p.endsWith("*") ? p.slice(0, -1) : p;
  if (body.length === 0 || body.includes("*") || /\s/.test(body)) return false;
  return p.startsWith("*") || body.startsWith("/");
}

/** An IP address or CIDR range, as Istio's ValidateIPs accepts (netip.ParseAddr/ParsePrefix). */
function isIpOrCidr(value: string): boolean {
  const [addr, bits, extra] = value.split("/");
  if (extra !== undefined) return false;
  const v4 = isIPv4(addr);
  if (!v4 && !isIPv6(addr)) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (v4 ? 32 : 128);
}

/** Whether a condition key reads the request's JWT (so needs a RequestAuthentication). */
function isJwtKey(key: string): boolean {
  return key.startsWith("request.auth.");
}

/** @internal */
export function checkRule(
  check: ArgChecker,
  path: string,
  r: AccessRuleArgs,
  hasJwt: boolean,
): void {
  (r.principals ?? []).forEach((p, i) =>
    check.pattern(
      `${path}.principals[${i}]`,
      p,
      PRINCIPAL,
      "a principal such as cluster.local/ns/<namespace>/sa/<name>",
    ),
  );
  (r.serviceAccounts ?? []).forEach((sa, i) => {
    const [ns, name, extra] = sa.split("/");
    if (extra !== undefined || !ns || !name || !isDns1123Label(ns) || !isDns1123Subdomain(name))
      check.fail(
        `${path}.serviceAccounts[${i}]`,
        sa,
        '"<namespace>/<service account>" with DNS-1123 names',
      );
  });
  (r.namespaces ?? []).forEach((n, i) =>
    check.pattern(
      `${path}.namespaces[${i}]`,
      n,
      /^(\*|\*?[a-z0-9-]+\*?)$/,
      "a namespace name (DNS-1123 label), optionally with a leading or trailing '*'",
    ),
  );
  (r.requestPrincipals ?? []).forEach((p, i) => {
    check.pattern(`${path}.requestPrincipals[${i}]`, p, PRINCIPAL, '"<issuer>/<subject>" or "*"');
    if (!hasJwt)
      check.fail(
        `${path}.requestPrincipals[${i}]`,
        p,
        "requestPrincipals come from a JWT: set `jwt` with the issuer (a RequestAuthentication) too",
      );
  });
  for (const field of ["methods", "notMethods"] as const)
    (r[field] ?? []).forEach((m, i) => check.oneOf(`${path}.${field}[${i}]`, m, METHODS));
  for (const field of ["ipBlocks", "notIpBlocks", "remoteIpBlocks", "notRemoteIpBlocks"] as const)
    (r[field] ?? []).forEach((ip, i) => {
      if (!isIpOrCidr(ip))
        check.fail(
          `${path}.${field}[${i}]`,
          ip,
          "an IPv4/IPv6 address or CIDR range, e.g. 10.0.0.0/8",
        );
    });
  for (const field of [
    ...SOURCE_FIELDS,
    ...OPERATION_FIELDS,
    "principals",
    "serviceAccounts",
  ] as const)
    (r[field] ?? []).forEach((v, i) => {
      // Istio rejects empty strings in every source/operation list (CheckEmptyValues).
      if (v === "") check.fail(`${path}.${field}[${i}]`, v, "must not be empty");
    });
  (r.notPorts ?? []).forEach((p, i) => check.port(`${path}.notPorts[${i}]`, p));
  [
    ...(r.paths ?? []).map((p, i) => [`paths[${i}]`, p]),
    ...(r.notPaths ?? []).map((p, i) => [`notPaths[${i}]`, p]),
  ].forEach(([at, p]) => {
    if (!isPolicyPath(p))
      check.fail(
        `${path}.${at}`,
        p,
        "a path starting with '/', with '*' only as the whole path, a prefix or a suffix (e.g. \"/api/*\"), or a path template with {*} and a last {**} (e.g. \"/api/{*}/users\")",
      );
  });
  (r.ports ?? []).forEach((p, i) => check.port(`${path}.ports[${i}]`, p));
  (r.when ?? []).forEach((c, i) => {
    const cp = `${path}.when[${i}]`;
    check.pattern(
      `${cp}.key`,
      c.key,
      CONDITION_KEY,
      "a supported condition key, e.g. request.auth.claims[groups], source.namespace, request.headers[x-name]",
    );
    if ((c.values ?? []).length === 0 && (c.notValues ?? []).length === 0)
      check.fail(`${cp}.values`, c.values, "a condition needs values or notValues");
    // Istio's ValidateAttribute: the *.ip keys take addresses or CIDR ranges (ValidateIPs).
    if (/^(source|remote|destination)\.ip$/.test(c.key))
      for (const f of ["values", "notValues"] as const)
        (c[f] ?? []).forEach((ip, j) => {
          if (!isIpOrCidr(ip))
            check.fail(`${cp}.${f}[${j}]`, ip, "an IPv4/IPv6 address or CIDR range");
        });
    if (isJwtKey(c.key) && !hasJwt)
      check.fail(
        `${cp}.key`,
        c.key,
        "JWT conditions need a RequestAuthentication that validates the token: set `jwt` with the issuer (and JWKS)",
      );
  });
  const empty = [
    ...SOURCE_FIELDS,
    ...OPERATION_FIELDS,
    "principals",
    "serviceAccounts",
    "ports",
    "notPorts",
    "when",
  ].every((k) => ((r[k as keyof AccessRuleArgs] ?? []) as unknown[]).length === 0);
  if (empty)
    check.fail(
      path,
      r,
      "an empty rule matches every request; list callers, operations or conditions",
    );
}

/** Rule fields and condition keys Istio rejects with action CUSTOM ("... is currently not supported with CUSTOM action"). */
const NOT_WITH_CUSTOM = [
  "principals",
  "notPrincipals",
  "serviceAccounts",
  "namespaces",
  "notNamespaces",
  "requestPrincipals",
  "notRequestPrincipals",
] as const;
const CUSTOM_KEY = /^(source\.(namespace|serviceAccount|principal)$|request\.auth\.)/;

/**
 * A rule of a CUSTOM policy as istio/istio pkg/config/validation/validation.go
 * (ValidateAuthorizationPolicy) accepts it: no match on identities or JWT.
 * @internal
 */
export function checkCustomRule(check: ArgChecker, path: string, r: AccessRuleArgs): void {
  for (const f of NOT_WITH_CUSTOM)
    if (r[f] !== undefined)
      check.fail(
        `${path}.${f}`,
        r[f],
        "not supported with CUSTOM (Istio decides it before it knows the caller's identity); match ipBlocks, operations or request headers",
      );
  (r.when ?? []).forEach((w, j) => {
    if (CUSTOM_KEY.test(w.key))
      check.fail(
        `${path}.when[${j}].key`,
        w.key,
        "not supported with CUSTOM; use request.headers[...], source.ip, remote.ip, destination.* or connection.sni",
      );
  });
}

/** The AuthorizationPolicy rule for checked rule args; service accounts become principals. @internal */
export function rule(r: AccessRuleArgs, trustDomain: string): Rule {
  const out: Rule = {};
  const principals = [
    ...(r.principals ?? []),
    ...(r.serviceAccounts ?? []).map((sa) => principalOf(trustDomain, sa)),
  ];
  const source = defined({
    principals: principals.length > 0 ? principals : undefined,
    ...Object.fromEntries(SOURCE_FIELDS.map((f) => [f, r[f]])),
  });
  if (Object.keys(source).length > 0) out.from = [{ source }];
  const operation = defined({
    ...Object.fromEntries(OPERATION_FIELDS.map((f) => [f, r[f]])),
    ports: r.ports?.map(String),
    notPorts: r.notPorts?.map(String),
  });
  if (Object.keys(operation).length > 0) out.to = [{ operation }];
  if (r.when && r.when.length > 0)
    out.when = r.when.map((c) => defined({ key: c.key, values: c.values, notValues: c.notValues }));
  return out;
}

/** Condition keys that describe the caller, which a proxy in between replaces with itself. */
export const CALLER_KEY = /^(source\.|remote\.ip$)/;
