import { Entity } from "./render-reader";
import { objectAt, objectsAt, stringsAt } from "./plain";

/**
 * The changes a reviewer must not miss, called out before the rest of a diff: access widened,
 * mTLS relaxed, something newly reachable from outside, and deletions that take data or other
 * objects with them. Each note names the object and says what changed.
 */

type Json = Record<string, unknown>;

function kindOf(e: Entity): string {
  if (e.kind !== "kubernetes") return "";
  const apiVersion = String(e.body.apiVersion);
  return `${apiVersion.includes("/") ? apiVersion.split("/")[0] : "core"}/${String(e.body.kind)}`;
}

const ISTIO_SECURITY = "security.istio.io";

/**
 * Sources and operations of one AuthorizationPolicy rule, flattened: `from.principals=x`.
 * https://istio.io/latest/docs/reference/config/security/authorization-policy/#Rule
 */
function ruleTerms(rule: unknown): Set<string> {
  const terms = new Set<string>();
  const r = objectAt(rule);
  for (const f of objectsAt(r.from))
    for (const [k, v] of Object.entries(objectAt(objectAt(f).source)))
      for (const x of stringsAt(v)) terms.add(`from.${k}=${x}`);
  for (const t of objectsAt(r.to))
    for (const [k, v] of Object.entries(objectAt(objectAt(t).operation)))
      for (const x of stringsAt(v)) terms.add(`to.${k}=${x}`);
  for (const w of objectsAt(r.when)) terms.add(`when=${JSON.stringify(w)}`);
  return terms;
}

const kindOfTerm = (t: string): string => t.split("=")[0];

/** Plain-word description of what a rule lets in, for a note. */
function describeRule(rule: unknown): string {
  const terms = [...ruleTerms(rule)].filter((t) => t.startsWith("from."));
  return terms.length ? terms.map((t) => t.slice(5)).join(", ") : "any source";
}

function authorizationNotes(title: string, a?: Json, b?: Json): string[] {
  const action = (m?: Json): string => String(objectAt(m?.spec).action ?? "ALLOW");
  const rules = (m?: Json): unknown[] => objectsAt(objectAt(m?.spec).rules);
  const notes: string[] = [];
  if (a && !b) {
    if (action(a) === "DENY") notes.push(`access widened: DENY policy ${title} removed`);
    if (action(a) === "ALLOW" && rules(a).length === 0)
      notes.push(
        `access widened: deny-all policy ${title} removed (deny by default no longer holds)`,
      );
    return notes;
  }
  if (!b || action(b) !== "ALLOW") return notes;
  if (!a || action(a) !== "ALLOW") {
    for (const r of rules(b)) notes.push(`access widened: ${title} allows ${describeRule(r)}`);
    return notes;
  }
  const old = rules(a);
  rules(b).forEach((r, i) => {
    const before = old[i] === undefined ? undefined : ruleTerms(old[i]);
    if (before === undefined) {
      notes.push(`access widened: ${title} rules[${i}] added, allows ${describeRule(r)}`);
      return;
    }
    const after = ruleTerms(r);
    // `notPrincipals`, `notPaths`, ... exclude: adding one narrows, removing one widens.
    const negative = (t: string): boolean => /^(from|to)\.not/.test(t);
    const added = [...after].filter((t) => !before.has(t) && !negative(t));
    const unexcluded = [...before].filter((t) => negative(t) && !after.has(t));
    // A condition that disappears entirely (no `to`, no principals) lets more in.
    const droppedKinds = [
      ...new Set([...before].filter((t) => !negative(t)).map(kindOfTerm)),
    ].filter((k) => ![...after].some((t) => kindOfTerm(t) === k));
    const changes = [
      ...added.map((t) => `+ ${t}`),
      ...unexcluded.map(
        (t) =>
          `no longer excludes ${t.replace(/\.not([A-Z])/, (_, c: string) => `.${c.toLowerCase()}`)}`,
      ),
      ...droppedKinds.map((k) => `no longer restricted by ${k}`),
    ];
    if (changes.length) notes.push(`access widened: ${title} rules[${i}] ${changes.join(", ")}`);
  });
  return notes;
}

/**
 * STRICT > PERMISSIVE > DISABLE; UNSET inherits from the parent and is ranked just above DISABLE.
 * https://istio.io/latest/docs/reference/config/security/peer_authentication/#PeerAuthentication-MutualTLS-Mode
 */
const MTLS_RANK: Record<string, number> = { STRICT: 3, PERMISSIVE: 2, UNSET: 1, DISABLE: 0 };

function weakestMode(m?: Json): string | undefined {
  if (!m) return undefined;
  const spec = objectAt(m.spec);
  const modes = [
    String(objectAt(spec.mtls).mode ?? "UNSET"),
    ...Object.values(objectAt(spec.portLevelMtls)).map((p) => String(objectAt(p).mode ?? "UNSET")),
  ];
  return modes.sort((x, y) => (MTLS_RANK[x] ?? 0) - (MTLS_RANK[y] ?? 0))[0];
}

function peerAuthenticationNotes(title: string, a?: Json, b?: Json): string[] {
  const [x, y] = [weakestMode(a), weakestMode(b)];
  if (x === "STRICT" && y === undefined) return [`mTLS relaxed: STRICT ${title} removed`];
  if (x !== undefined && y !== undefined && (MTLS_RANK[y] ?? 0) < (MTLS_RANK[x] ?? 0))
    return [`mTLS relaxed: ${title} ${x} -> ${y}`];
  if (x === undefined && y !== undefined && y !== "STRICT")
    return [`mTLS relaxed: ${title} added with mode ${y}`];
  return [];
}

function destinationRuleNotes(title: string, a?: Json, b?: Json): string[] {
  const tls = (m?: Json): string | undefined => {
    const mode = objectAt(objectAt(objectAt(m?.spec).trafficPolicy).tls).mode;
    return mode === undefined ? undefined : String(mode);
  };
  const [x, y] = [tls(a), tls(b)];
  return x === "ISTIO_MUTUAL" && b && y !== "ISTIO_MUTUAL"
    ? [`mTLS relaxed: ${title} tls ISTIO_MUTUAL -> ${y ?? "unset"}`]
    : [];
}

function gatewayHosts(m?: Json): Set<string> {
  return new Set(objectsAt(objectAt(m?.spec).servers).flatMap((s) => stringsAt(objectAt(s).hosts)));
}

/** https://knative.dev/docs/serving/services/private-services/ */
const VISIBILITY = "networking.knative.dev/visibility";

function publicNotes(e: Entity, title: string, a?: Json, b?: Json): string[] {
  const kind = kindOf(e);
  if (kind === "networking.istio.io/Gateway" && b) {
    const before = gatewayHosts(a);
    return [...gatewayHosts(b)]
      .filter((h) => !before.has(h))
      .map((h) => `public host added: ${h} on ${title}`);
  }
  if (kind === "serving.knative.dev/Service" && b) {
    const local = (m?: Json): boolean =>
      objectAt(objectAt(m?.metadata).labels)[VISIBILITY] === "cluster-local";
    if (!local(b) && (!a || local(a)))
      return [
        `public host added: ${title} is reachable through the Knative ingress (not cluster-local)`,
      ];
  }
  return [];
}

/** Chart names whose releases install CRDs (deleting the release can delete them). */
const CRD_CHARTS = /(^|\/)(base|knative-operator|kube-prometheus-stack|[a-z-]*crds?)$/;

function destructiveNotes(e: Entity, title: string, a?: Json, b?: Json): string[] {
  if (!a || b) return [];
  const kind = kindOf(e);
  if (kind === "core/Namespace")
    return [`destructive: ${title} removed (or renamed): deleting it deletes everything in it`];
  if (kind === "apiextensions.k8s.io/CustomResourceDefinition")
    return [`destructive: ${title} removed: deleting it deletes every custom resource of its kind`];
  if (e.kind === "helm" && CRD_CHARTS.test(String(a.chart)))
    return [
      `destructive: ${title} removed (or renamed): chart ${String(a.chart)} installs CRDs; ` +
        "uninstalling it can delete them and every custom resource of their kinds",
    ];
  return [];
}

function awsNotes(e: Entity, title: string, a?: Json, b?: Json): string[] {
  const auth = (m?: Json): unknown =>
    objectAt(m?.inputs).authorizationType ?? objectAt(m?.inputs).authType;
  if (e.kind !== "aws" || !b || auth(b) !== "NONE" || auth(a) === "NONE") return [];
  return [`public host added: ${title} accepts unauthenticated calls (auth NONE)`];
}

/** Safety notes for one entity's change (`before` or `after` undefined: added or removed). */
export function safetyNotes(before?: Entity, after?: Entity): string[] {
  const e = (after ?? before)!;
  const title = e.title;
  const [a, b] = [before?.body, after?.body];
  const kind = kindOf(e);
  return [
    ...(kind === `${ISTIO_SECURITY}/AuthorizationPolicy` ? authorizationNotes(title, a, b) : []),
    ...(kind === `${ISTIO_SECURITY}/PeerAuthentication`
      ? peerAuthenticationNotes(title, a, b)
      : []),
    ...(kind === "networking.istio.io/DestinationRule" ? destinationRuleNotes(title, a, b) : []),
    ...publicNotes(e, title, a, b),
    ...destructiveNotes(e, title, a, b),
    ...awsNotes(e, title, a, b),
  ];
}
