/**
 * Who may call a service: Istio `AuthorizationPolicy` (callers by principal, service account or
 * namespace; methods, paths, ports; `when` conditions such as JWT claims) and
 * `RequestAuthentication` (the JWT issuers those claims come from).
 * https://istio.io/latest/docs/reference/config/security/authorization-policy/
 * https://istio.io/latest/docs/reference/config/security/conditions/
 * https://istio.io/latest/docs/reference/config/security/request_authentication/
 */
import type { IAuthorizationPolicy } from "@kubernetes-models/istio/security.istio.io/v1/AuthorizationPolicy" with {
  "resolution-mode": "import",
};
import type { IRequestAuthentication } from "@kubernetes-models/istio/security.istio.io/v1/RequestAuthentication" with {
  "resolution-mode": "import",
};
import { ArgChecker } from "../../core/validate";
import { KubeObject } from "../../core/kube";
import { isIPv4, isIPv6 } from "net";
import { isDns1123Label, isDns1123Subdomain } from "../../core/names";
import { checkLabels, metaFor, principalOf, ServiceContext } from "./spec";
import { defined } from "../../core/values";

export type AuthorizationPolicySpec = NonNullable<IAuthorizationPolicy["spec"]>;
type Rule = NonNullable<AuthorizationPolicySpec["rules"]>[number];
export type RequestAuthenticationSpec = NonNullable<IRequestAuthentication["spec"]>;

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

/** A JWT issuer accepted on requests to the service. */
export interface JwtArgs {
  /** The token issuer (`iss`), e.g. `https://auth.example.com`. */
  issuer: string;
  /** URL of the issuer's JWKS; Istio discovers it from the issuer when neither this nor `jwks` is set. */
  jwksUri?: string;
  /** Inline JWKS (JSON). */
  jwks?: string;
  audiences?: string[];
  /** Keep the Authorization header for the workload. @default false */
  forwardOriginalToken?: boolean;
}

/**
 * Requests whose decision is delegated to an external authorizer (an AuthorizationPolicy with
 * action CUSTOM, evaluated before DENY and ALLOW).
 * https://istio.io/latest/docs/tasks/security/authorization/authz-custom/
 */
export interface CustomAccessArgs {
  /** The ext-authz provider, by its `meshConfig.extensionProviders[].name`. */
  provider: { name: string };
  /**
   * Requests sent to the provider. Callers can only be matched by IP, and conditions not on the
   * caller's identity or JWT: Istio evaluates CUSTOM before it knows them. @default every request
   */
  rules?: AccessRuleArgs[];
}

/** Access settings of one service. */
export interface AccessArgs {
  /** Rules of the ALLOW policy; `[]` allows nothing. Unset: no ALLOW policy. */
  allow?: AccessRuleArgs[];
  /** Rules of a DENY policy (evaluated before ALLOW). */
  deny?: AccessRuleArgs[];
  /** Rules of an AUDIT policy: matching requests are logged by the mesh's audit provider; the decision is unchanged. */
  audit?: AccessRuleArgs[];
  /** Delegates matching requests to an ext-authz provider (a CUSTOM policy). */
  custom?: CustomAccessArgs;
  /** JWT issuers: emits a RequestAuthentication. Required by JWT conditions and requestPrincipals. */
  jwt?: JwtArgs[];
  /** Pods the policies apply to. @default the service's selector (`app: <name>`) */
  selector?: Record<string, string>;
  /** Trust domain for `serviceAccounts`. @default "cluster.local" */
  trustDomain?: string;
  /**
   * Namespaces whose system pods always reach the pods: one more ALLOW rule, added when `allow`
   * has rules. `ServerlessService` adds Knative Serving's namespace, because its activator
   * proxies requests while a revision scales from zero and its autoscaler probes the pods.
   * @see https://knative.dev/docs/serving/istio-authorization/
   * @default []
   */
  systemNamespaces?: string[];
  /**
   * Principals of a proxy that forwards the allowed callers' requests (Knative's activator).
   * Each allow rule is repeated for them with the rule's own operations (`methods`, `paths`,
   * `ports`), `requestPrincipals` and request conditions, but not its caller conditions
   * (`source.*`, `remote.ip`), which the proxy hides. Added when `allow` has rules.
   * @default []
   */
  proxies?: string[];
  /**
   * Rules for system callers of their own (health probes, metrics scrapes), each as narrow as
   * its caller needs. Added after the allow rules when `allow` has rules. @default []
   */
  systemRules?: AccessRuleArgs[];
  /** @default the service name */
  policyName?: string;
  /** @default "<policyName>-deny" */
  denyPolicyName?: string;
  /** @default "<policyName>-audit" */
  auditPolicyName?: string;
  /** @default "<policyName>-custom" */
  customPolicyName?: string;
  /** @default the service name */
  requestAuthenticationName?: string;
}

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

function checkRule(check: ArgChecker, path: string, r: AccessRuleArgs, hasJwt: boolean): void {
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
 * The CUSTOM policy as istio/istio pkg/config/validation/validation.go (ValidateAuthorizationPolicy)
 * accepts it: a provider name, rules that do not match on identities or JWT, and a provider the
 * mesh declares when its `extensionProviders` are known.
 */
function checkCustom(
  check: ArgChecker,
  prefix: string,
  c: CustomAccessArgs,
  providers: string[] | undefined,
): void {
  const at = `${prefix}custom.`;
  if (providers === undefined)
    check.pattern(`${at}provider.name`, c.provider.name, /\S/, "a provider name");
  else check.oneOf(`${at}provider.name`, c.provider.name, providers);
  if (c.rules?.length === 0)
    check.fail(
      `${at}rules`,
      c.rules,
      "CUSTOM without rules never triggers; leave rules unset to send every request",
    );
  (c.rules ?? []).forEach((r, i) => {
    for (const f of NOT_WITH_CUSTOM)
      if (r[f] !== undefined)
        check.fail(
          `${at}rules[${i}].${f}`,
          r[f],
          "not supported with CUSTOM (Istio decides it before it knows the caller's identity); match ipBlocks, operations or request headers",
        );
    (r.when ?? []).forEach((w, j) => {
      if (CUSTOM_KEY.test(w.key))
        check.fail(
          `${at}rules[${i}].when[${j}].key`,
          w.key,
          "not supported with CUSTOM; use request.headers[...], source.ip, remote.ip, destination.* or connection.sni",
        );
    });
  });
}

/**
 * Validates access arguments under `prefix` (e.g. "access."); `providers` are the mesh's
 * extension providers, when known.
 */
export function checkAccess(
  check: ArgChecker,
  prefix: string,
  a: AccessArgs | undefined,
  providers?: string[],
): void {
  if (a === undefined) return;
  (a.systemNamespaces ?? []).forEach((ns, i) =>
    check.dnsLabel(`${prefix}systemNamespaces[${i}]`, ns),
  );
  const jwt = a.jwt ?? [];
  jwt.forEach((j, i) => {
    const jp = `${prefix}jwt[${i}]`;
    check.pattern(`${jp}.issuer`, j.issuer, /^\S+$/, "an issuer without whitespace");
    check.pattern(`${jp}.jwksUri`, j.jwksUri, /^https?:\/\/\S+$/, "an http(s) URL");
    if (j.jwks !== undefined && j.jwksUri !== undefined)
      check.fail(`${jp}.jwks`, "(inline)", "give jwksUri or jwks, not both");
  });
  check.unique(
    `${prefix}jwt`,
    jwt.map((j) => j.issuer),
  );
  check.dnsSubdomain(`${prefix}policyName`, a.policyName);
  check.dnsSubdomain(`${prefix}denyPolicyName`, a.denyPolicyName);
  check.dnsSubdomain(`${prefix}requestAuthenticationName`, a.requestAuthenticationName);
  check.dnsSubdomain(`${prefix}auditPolicyName`, a.auditPolicyName);
  check.dnsSubdomain(`${prefix}customPolicyName`, a.customPolicyName);
  check.dnsSubdomain(`${prefix}trustDomain`, a.trustDomain);
  if (a.selector !== undefined && Object.keys(a.selector).length === 0)
    check.fail(
      `${prefix}selector`,
      a.selector,
      "an empty selector applies to the whole namespace; use MeshNamespace's denyByDefault for that",
    );
  checkLabels(check, `${prefix}selector`, a.selector);
  (a.allow ?? []).forEach((r, i) => checkRule(check, `${prefix}allow[${i}]`, r, jwt.length > 0));
  (a.proxies ?? []).forEach((p, i) =>
    check.pattern(`${prefix}proxies[${i}]`, p, /^[^*\s]+$/, "a principal without '*'"),
  );
  (a.systemRules ?? []).forEach((r, i) =>
    checkRule(check, `${prefix}systemRules[${i}]`, r, jwt.length > 0),
  );
  (a.deny ?? []).forEach((r, i) => checkRule(check, `${prefix}deny[${i}]`, r, jwt.length > 0));
  (a.audit ?? []).forEach((r, i) => checkRule(check, `${prefix}audit[${i}]`, r, jwt.length > 0));
  if (a.custom === undefined) return;
  checkCustom(check, prefix, a.custom, providers);
  (a.custom.rules ?? []).forEach((r, i) =>
    checkRule(check, `${prefix}custom.rules[${i}]`, r, jwt.length > 0),
  );
}

function rule(r: AccessRuleArgs, trustDomain: string): Rule {
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
const CALLER_KEY = /^(source\.|remote\.ip$)/;

/**
 * The rules that let `proxies` forward what `allow` admits: per allow rule, the proxies as
 * principals with the rule's operations and request conditions; equal rules once.
 */
function proxyRules(a: AccessArgs, trust: string): Rule[] {
  const proxies = a.proxies ?? [];
  if (proxies.length === 0) return [];
  const seen = new Set<string>();
  const out: Rule[] = [];
  for (const r of a.allow ?? []) {
    const forwarded = rule(
      {
        principals: proxies,
        requestPrincipals: r.requestPrincipals,
        methods: r.methods,
        paths: r.paths,
        ports: r.ports,
        when: r.when?.filter((c) => !CALLER_KEY.test(c.key)),
      },
      trust,
    );
    const key = JSON.stringify(forwarded);
    if (!seen.has(key)) out.push(forwarded);
    seen.add(key);
  }
  return out;
}

type Policy = KubeObject<AuthorizationPolicySpec> & {
  apiVersion: "security.istio.io/v1";
  kind: "AuthorizationPolicy";
};
type ReqAuthn = KubeObject<RequestAuthenticationSpec> & {
  apiVersion: "security.istio.io/v1";
  kind: "RequestAuthentication";
};

export interface AccessObjects {
  requestAuthentication?: ReqAuthn;
  allowPolicy?: Policy;
  denyPolicy?: Policy;
  auditPolicy?: Policy;
  customPolicy?: Policy;
}

/** The objects for checked access args. */
export function accessObjects(
  ctx: ServiceContext,
  a: AccessArgs,
  component = "access",
): AccessObjects {
  const selector = { matchLabels: a.selector ?? ctx.selector };
  const trust = a.trustDomain ?? "cluster.local";
  const policyName = a.policyName ?? ctx.name;
  const out: AccessObjects = {};
  if (a.jwt && a.jwt.length > 0) {
    out.requestAuthentication = {
      apiVersion: "security.istio.io/v1",
      kind: "RequestAuthentication",
      metadata: metaFor(ctx, a.requestAuthenticationName ?? ctx.name, component),
      spec: {
        selector,
        jwtRules: a.jwt.map((j) =>
          defined({
            issuer: j.issuer,
            jwksUri: j.jwksUri,
            jwks: j.jwks,
            audiences: j.audiences,
            forwardOriginalToken: j.forwardOriginalToken,
          }),
        ),
      },
    };
  }
  const policy = (name: string, spec: AuthorizationPolicySpec): Policy => ({
    apiVersion: "security.istio.io/v1",
    kind: "AuthorizationPolicy",
    metadata: metaFor(ctx, name, component),
    spec,
  });
  const rules = (rs: AccessRuleArgs[]) => rs.map((r) => rule(r, trust));
  if (a.custom)
    out.customPolicy = policy(a.customPolicyName ?? `${policyName}-custom`, {
      selector,
      action: "CUSTOM",
      provider: { name: a.custom.provider.name },
      rules: a.custom.rules ? rules(a.custom.rules) : [{}],
    });
  if (a.deny && a.deny.length > 0)
    out.denyPolicy = policy(a.denyPolicyName ?? `${policyName}-deny`, {
      selector,
      action: "DENY",
      rules: rules(a.deny),
    });
  if (a.audit && a.audit.length > 0)
    out.auditPolicy = policy(a.auditPolicyName ?? `${policyName}-audit`, {
      selector,
      action: "AUDIT",
      rules: rules(a.audit),
    });
  if (a.allow) {
    const spec: AuthorizationPolicySpec = { selector, action: "ALLOW" };
    // An ALLOW policy without rules matches nothing, so it denies every request to the pods.
    if (a.allow.length > 0) {
      spec.rules = [
        ...a.allow.map((r) => rule(r, trust)),
        ...proxyRules(a, trust),
        ...(a.systemRules ?? []).map((r) => rule(r, trust)),
      ];
      const system = a.systemNamespaces ?? [];
      if (system.length > 0) spec.rules.push({ from: [{ source: { namespaces: [...system] } }] });
    }
    out.allowPolicy = policy(policyName, spec);
  }
  return out;
}
