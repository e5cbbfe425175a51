/**
 * Istio's validating webhook for AuthorizationPolicy, RequestAuthentication, PeerAuthentication
 * and Telemetry. Upstream: istio/istio pkg/config/validation/validation.go
 * (ValidateAuthorizationPolicy, ValidateRequestAuthentication/validateJwtRule,
 * ValidatePeerAuthentication, ValidateTelemetry/validateTelemetryTracing).
 */
import { K8sObject, Reporter, Rule } from "./model";
import { checkDurations, istioObjects } from "./istio-routing";
import { arr, obj, Obj, objs, spec, str } from "./read";

const SOURCE_FIELDS = [
  "principals",
  "notPrincipals",
  "requestPrincipals",
  "notRequestPrincipals",
  "namespaces",
  "notNamespaces",
  "ipBlocks",
  "notIpBlocks",
  "remoteIpBlocks",
  "notRemoteIpBlocks",
  "serviceAccounts",
  "notServiceAccounts",
];
const OPERATION_FIELDS = [
  "ports",
  "notPorts",
  "methods",
  "notMethods",
  "paths",
  "notPaths",
  "hosts",
  "notHosts",
];
// Attributes that only exist for TCP too (validation.go: tcpRulesInFrom / tcpRulesInTo).
const TCP_SOURCE = SOURCE_FIELDS.filter((f) => !f.toLowerCase().includes("requestprincipals"));

const ACTIONS = ["ALLOW", "DENY", "AUDIT", "CUSTOM"];
// Source fields and condition keys ValidateAuthorizationPolicy rejects with CUSTOM.
const CUSTOM_UNSUPPORTED = [
  ...SOURCE_FIELDS.filter((f) => /principals|namespaces|serviceaccounts/i.test(f)),
  "trustDomains",
  "notTrustDomains",
];
const CUSTOM_KEY = /^(source\.(namespace|serviceAccount|trustDomain|principal)$|request\.auth\.)/;

const has = (o: Obj, f: string) => o[f] !== undefined && o[f] !== null;

function selectorTargetExclusive(o: K8sObject, report: Reporter): void {
  const s = spec(o);
  const set = ["selector", "targetRef", "targetRefs"].filter((f) => s[f] !== undefined);
  if (set.length > 1) report(o, "error", `set only one of ${set.join(", ")}`);
}

export const authorizationPolicies: Rule = {
  code: "MS140",
  summary: "AuthorizationPolicy field combinations per action, non-empty sources and operations",
  source: "istio/istio pkg/config/validation/validation.go (ValidateAuthorizationPolicy)",
  check(index, report) {
    for (const ap of istioObjects(index, "AuthorizationPolicy")) {
      const s = spec(ap);
      const action = str(s.action) ?? "ALLOW";
      selectorTargetExclusive(ap, report);
      if (!ACTIONS.includes(action))
        report(ap, "error", `action ${action} is not one of ${ACTIONS.join(", ")}`);
      // validateMetadata/checkDryRunAnnotation: dry-run only for ALLOW and DENY.
      if (
        ap.metadata?.annotations?.["istio.io/dry-run"] !== undefined &&
        (action === "AUDIT" || action === "CUSTOM")
      )
        report(
          ap,
          "error",
          `the istio.io/dry-run annotation supports only ALLOW and DENY, not ${action}`,
        );
      if ((action === "DENY" || action === "CUSTOM") && s.rules === undefined)
        report(
          ap,
          "error",
          `${action} without rules never triggers; add an empty rule {} to match every request`,
        );
      if (action === "CUSTOM" && s.rules !== undefined && !str(obj(s.provider).name))
        report(ap, "error", "CUSTOM needs provider.name");
      if (action !== "CUSTOM" && s.provider !== undefined)
        report(ap, "error", `provider is only allowed with action CUSTOM, not ${action}`);
      objs(s.rules).forEach((r, i) => {
        const at = `rules[${i}]`;
        if (Array.isArray(r.from) && r.from.length === 0)
          report(ap, "error", `${at}.from must not be empty`);
        if (Array.isArray(r.to) && r.to.length === 0)
          report(ap, "error", `${at}.to must not be empty`);
        let tcpFrom = false;
        let tcpTo = false;
        for (const f of objs(r.from)) {
          const src = obj(f.source);
          if (!SOURCE_FIELDS.some((k) => has(src, k)))
            report(ap, "error", `${at}: from.source must not be empty`);
          const identity = ["principals", "notPrincipals", "namespaces", "notNamespaces"].some(
            (k) => has(src, k),
          );
          if (identity && (has(src, "serviceAccounts") || has(src, "notServiceAccounts")))
            report(
              ap,
              "error",
              `${at}: serviceAccounts cannot be combined with principals or namespaces`,
            );
          for (const k of SOURCE_FIELDS)
            if (arr(src[k]).some((v) => v === ""))
              report(ap, "error", `${at}: from.source.${k} has an empty value`);
          const identities = CUSTOM_UNSUPPORTED.filter((k) => has(src, k));
          if (action === "CUSTOM" && identities.length > 0)
            report(ap, "error", `${at}: ${identities.join(", ")} not supported with CUSTOM`);
          tcpFrom ||= TCP_SOURCE.some((k) => has(src, k));
        }
        for (const t of objs(r.to)) {
          const op = obj(t.operation);
          if (!OPERATION_FIELDS.some((k) => has(op, k)))
            report(ap, "error", `${at}: to.operation must not be empty`);
          for (const k of OPERATION_FIELDS)
            if (arr(op[k]).some((v) => v === ""))
              report(ap, "error", `${at}: to.operation.${k} has an empty value`);
          tcpTo ||= has(op, "ports") || has(op, "notPorts");
        }
        for (const w of objs(r.when)) {
          const key = str(w.key) ?? "";
          if (!key) report(ap, "error", `${at}: a when condition needs a key`);
          else if (arr(w.values).length === 0 && arr(w.notValues).length === 0)
            report(ap, "error", `${at}: when key ${key} needs values or notValues`);
          if (action === "CUSTOM" && CUSTOM_KEY.test(key))
            report(ap, "error", `${at}: ${key} is not supported with CUSTOM`);
        }
        const fromOnlyHttp = arr(r.from).length > 0 && arr(r.to).length === 0 && !tcpFrom;
        const toOnlyHttp = arr(r.to).length > 0 && !tcpTo;
        if (action === "DENY" && (fromOnlyHttp || toOnlyHttp))
          report(
            ap,
            "warning",
            `${at} uses only HTTP attributes in a DENY rule: it denies all TCP traffic in scope; name the ports`,
          );
      });
    }
  },
};

function jwksUriError(uri: string): string | undefined {
  try {
    const u = new URL(uri);
    if (!["http:", "https:"].includes(u.protocol)) return `jwksUri ${uri} must be http(s)`;
    if (!u.hostname) return `jwksUri ${uri} has no host`;
  } catch {
    return `jwksUri ${uri} is not a URL`;
  }
  return undefined;
}

export const requestAuthentications: Rule = {
  code: "MS150",
  summary: "RequestAuthentication JWT rules: issuer or jwksUri, URL jwksUri, non-empty names",
  source: "istio/istio pkg/config/validation/validation.go (validateJwtRule)",
  check(index, report) {
    for (const ra of istioObjects(index, "RequestAuthentication")) {
      selectorTargetExclusive(ra, report);
      objs(spec(ra).jwtRules).forEach((r, i) => {
        const at = `jwtRules[${i}]`;
        if (!str(r.issuer) && !str(r.jwksUri)) report(ra, "error", `${at} needs issuer or jwksUri`);
        const uri = str(r.jwksUri);
        const e = uri ? jwksUriError(uri) : undefined;
        if (e) report(ra, "error", `${at}: ${e}`);
        if (arr(r.audiences).some((a) => a === ""))
          report(ra, "error", `${at}: an audience is empty`);
        if (objs(r.fromHeaders).some((h) => !str(h.name)))
          report(ra, "error", `${at}: a fromHeaders entry has no name`);
        if (arr(r.fromParams).some((p) => p === ""))
          report(ra, "error", `${at}: a fromParams entry is empty`);
        if (objs(r.outputClaimToHeaders).some((c) => !str(c.claim) || !str(c.header)))
          report(ra, "error", `${at}: outputClaimToHeaders needs claim and header`);
        checkDurations(ra, report, [[`${at}.timeout`, r.timeout]]);
      });
    }
  },
};

export const peerAuthentications: Rule = {
  code: "MS151",
  summary: "PeerAuthentication port-level mTLS only with a selector, ports 1-65535",
  source: "istio/istio pkg/config/validation/validation.go (ValidatePeerAuthentication)",
  check(index, report) {
    for (const pa of istioObjects(index, "PeerAuthentication")) {
      const s = spec(pa);
      const levels = s.portLevelMtls === undefined ? undefined : obj(s.portLevelMtls);
      const selector = Object.keys(obj(obj(s.selector).matchLabels)).length > 0;
      if (levels && !selector)
        report(
          pa,
          "error",
          "namespace- or mesh-wide PeerAuthentication cannot set portLevelMtls; add a selector",
        );
      if (levels && Object.keys(levels).length === 0)
        report(pa, "error", "portLevelMtls, if set, needs at least one port");
      for (const p of Object.keys(levels ?? {}))
        if (!(Number(p) >= 1 && Number(p) <= 65535))
          report(pa, "error", `portLevelMtls port ${p} is outside 1..65535`);
    }
  },
};

export const telemetries: Rule = {
  code: "MS170",
  summary: "Telemetry providers named, tracing sampling within 0-100, one tracing provider",
  source:
    "istio/istio pkg/config/validation/validation.go (ValidateTelemetry, validateTelemetryTracing)",
  check(index, report) {
    for (const t of istioObjects(index, "Telemetry")) {
      const s = spec(t);
      selectorTargetExclusive(t, report);
      const tracing = objs(s.tracing);
      if (tracing.length > 1) report(t, "warning", "more than one tracing entry is not supported");
      tracing.forEach((tr, i) => {
        const providers = objs(tr.providers);
        if (providers.length > 1)
          report(t, "warning", `tracing[${i}]: more than one provider is not supported`);
        if (providers.some((p) => !str(p.name)))
          report(t, "error", `tracing[${i}]: a provider has no name`);
        const pct = tr.randomSamplingPercentage;
        if (pct !== undefined && (Number(pct) < 0 || Number(pct) > 100))
          report(t, "error", `tracing[${i}].randomSamplingPercentage ${pct} is outside 0..100`);
      });
      for (const part of ["accessLogging", "metrics"])
        objs(s[part]).forEach((e, i) => {
          if (objs(e.providers).some((p) => !str(p.name)))
            report(t, "error", `${part}[${i}]: a provider has no name`);
        });
    }
  },
};
