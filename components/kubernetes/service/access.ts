/**
 * Who may call a service: Istio `AuthorizationPolicy` (callers by principal, service account or
 * namespace; methods, paths, ports; `when` conditions such as JWT claims) and
 * `RequestAuthentication` (the JWT issuers those claims come from).
 * https://istio.io/latest/docs/reference/config/security/authorization-policy/
 * https://istio.io/latest/docs/reference/config/security/conditions/
 * https://istio.io/latest/docs/reference/config/security/request_authentication/
 */
import type { IRequestAuthentication } from "@kubernetes-models/istio/security.istio.io/v1/RequestAuthentication" with {
  "resolution-mode": "import",
};
import * as pulumi from "@pulumi/pulumi";
import { ArgChecker } from "../../core/validate";
import { KubeObject } from "../../core/kube";
import { metaFor, ServiceContext } from "./spec";
import { defined } from "../../core/values";
import {
  AccessRuleArgs,
  AuthorizationPolicySpec,
  CALLER_KEY,
  checkCustomRule,
  checkRule,
  Rule,
  rule,
} from "./access-rules";

export type { AccessRuleArgs, ConditionArgs } from "./access-rules";
export { isPolicyPath } from "./access-rules";
/** @internal */
export type RequestAuthenticationSpec = NonNullable<IRequestAuthentication["spec"]>;

/** A JWT issuer accepted on requests to the service. */
export interface JwtArgs {
  /** The token issuer (`iss`), e.g. `https://auth.example.com`. */
  issuer: string;
  /** URL of the issuer's JWKS; Istio discovers it from the issuer when neither this nor `jwks` is set. */
  jwksUri?: string;
  /** Inline JWKS (JSON); may be an Output (a secret stays secret in the registered inputs). */
  jwks?: pulumi.Input<string>;
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

/** Access arguments with every default applied: what `accessObjects` emits. @internal */
export interface ResolvedAccess {
  /** Unset: no ALLOW policy; `[]`: an ALLOW policy that admits nothing. */
  allow?: AccessRuleArgs[];
  deny: AccessRuleArgs[];
  audit: AccessRuleArgs[];
  /** The CUSTOM policy's provider and rules (`[{}]`, every request, when none are given). */
  custom?: { provider: { name: string }; rules: AccessRuleArgs[] };
  jwt: JwtArgs[];
  selector: Record<string, string>;
  trustDomain: string;
  systemNamespaces: string[];
  proxies: string[];
  systemRules: AccessRuleArgs[];
  policyName: string;
  denyPolicyName: string;
  auditPolicyName: string;
  customPolicyName: string;
  requestAuthenticationName: string;
}

/**
 * Checks access arguments under `prefix` (e.g. "access.") and applies their defaults; a `custom`
 * provider must be one of the mesh's extension providers, when known (`mesh.extensionProviders`).
 * @internal
 */
export function resolveAccess(
  check: ArgChecker,
  prefix: string,
  ctx: ServiceContext,
  a: AccessArgs,
): ResolvedAccess {
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
  check.labels(`${prefix}selector`, a.selector);
  const hasJwt = jwt.length > 0;
  const rules = (field: string, rs: AccessRuleArgs[] | undefined): AccessRuleArgs[] => {
    (rs ?? []).forEach((r, i) => checkRule(check, `${prefix}${field}[${i}]`, r, hasJwt));
    return rs ?? [];
  };
  const allow = a.allow && rules("allow", a.allow);
  (a.proxies ?? []).forEach((p, i) =>
    check.pattern(`${prefix}proxies[${i}]`, p, /^[^*\s]+$/, "a principal without '*'"),
  );
  const systemRules = rules("systemRules", a.systemRules);
  const deny = rules("deny", a.deny);
  const audit = rules("audit", a.audit);
  const custom =
    a.custom &&
    resolveCustom(check, `${prefix}custom.`, a.custom, ctx.mesh.extensionProviders, hasJwt);
  const policyName = a.policyName ?? ctx.name;
  const out: ResolvedAccess = {
    deny,
    audit,
    jwt,
    selector: a.selector ?? ctx.selector,
    trustDomain: a.trustDomain ?? "cluster.local",
    systemNamespaces: a.systemNamespaces ?? [],
    proxies: a.proxies ?? [],
    systemRules,
    policyName,
    denyPolicyName: a.denyPolicyName ?? `${policyName}-deny`,
    auditPolicyName: a.auditPolicyName ?? `${policyName}-audit`,
    customPolicyName: a.customPolicyName ?? `${policyName}-custom`,
    requestAuthenticationName: a.requestAuthenticationName ?? ctx.name,
  };
  if (allow) out.allow = allow;
  if (custom) out.custom = custom;
  return out;
}

/**
 * The CUSTOM policy as istio/istio pkg/config/validation/validation.go (ValidateAuthorizationPolicy)
 * accepts it: a provider name, rules that do not match on identities or JWT, and a provider the
 * mesh declares when its `extensionProviders` are known.
 */
function resolveCustom(
  check: ArgChecker,
  at: string,
  c: CustomAccessArgs,
  providers: string[] | undefined,
  hasJwt: boolean,
): NonNullable<ResolvedAccess["custom"]> {
  if (providers === undefined)
    check.pattern(`${at}provider.name`, c.provider.name, /\S/, "a provider name");
  else check.oneOf(`${at}provider.name`, c.provider.name, providers);
  if (c.rules?.length === 0)
    check.fail(
      `${at}rules`,
      c.rules,
      "CUSTOM without rules never triggers; leave rules unset to send every request",
    );
  (c.rules ?? []).forEach((r, i) => checkCustomRule(check, `${at}rules[${i}]`, r));
  (c.rules ?? []).forEach((r, i) => checkRule(check, `${at}rules[${i}]`, r, hasJwt));
  // No rules: a rule matching every request (`{}`), as Istio's ext-authz task writes it.
  return { provider: { name: c.provider.name }, rules: c.rules ?? [{}] };
}

/**
 * The rules that let `proxies` forward what `allow` admits: per allow rule, the proxies as
 * principals with the rule's operations and request conditions; equal rules once.
 */
function proxyRules(a: ResolvedAccess): Rule[] {
  const proxies = a.proxies;
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
      a.trustDomain,
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

/** @internal */
export interface AccessObjects {
  requestAuthentication?: ReqAuthn;
  allowPolicy?: Policy;
  denyPolicy?: Policy;
  auditPolicy?: Policy;
  customPolicy?: Policy;
}

/** The objects for resolved access args. @internal */
export function accessObjects(
  ctx: ServiceContext,
  a: ResolvedAccess,
  component = "access",
): AccessObjects {
  const selector = { matchLabels: a.selector };
  const out: AccessObjects = {};
  if (a.jwt.length > 0) {
    out.requestAuthentication = {
      apiVersion: "security.istio.io/v1",
      kind: "RequestAuthentication",
      metadata: metaFor(ctx, a.requestAuthenticationName, component),
      spec: {
        selector,
        jwtRules: a.jwt.map((j) =>
          defined({
            issuer: j.issuer,
            jwksUri: j.jwksUri,
            // An Output stays one inside the spec; the engine resolves it.
            jwks: j.jwks as string | undefined,
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
  const rules = (rs: AccessRuleArgs[]) => rs.map((r) => rule(r, a.trustDomain));
  if (a.custom)
    out.customPolicy = policy(a.customPolicyName, {
      selector,
      action: "CUSTOM",
      provider: a.custom.provider,
      rules: rules(a.custom.rules),
    });
  if (a.deny.length > 0)
    out.denyPolicy = policy(a.denyPolicyName, { selector, action: "DENY", rules: rules(a.deny) });
  if (a.audit.length > 0)
    out.auditPolicy = policy(a.auditPolicyName, {
      selector,
      action: "AUDIT",
      rules: rules(a.audit),
    });
  if (a.allow) {
    const spec: AuthorizationPolicySpec = { selector, action: "ALLOW" };
    // An ALLOW policy without rules matches nothing, so it denies every request to the pods.
    if (a.allow.length > 0) {
      spec.rules = [...rules(a.allow), ...proxyRules(a), ...rules(a.systemRules)];
      if (a.systemNamespaces.length > 0)
        spec.rules.push({ from: [{ source: { namespaces: [...a.systemNamespaces] } }] });
    }
    out.allowPolicy = policy(a.policyName, spec);
  }
  return out;
}
