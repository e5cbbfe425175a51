import { strict as assert } from "assert";
import { analyze, formatFinding, K8sObject, RULES } from "../../components/analysis";

export const API = {
  net: "networking.istio.io/v1",
  sec: "security.istio.io/v1",
  tel: "telemetry.istio.io/v1",
  ksvc: "serving.knative.dev/v1",
  mon: "monitoring.coreos.com/v1",
  v1: "v1",
  apps: "apps/v1",
} as const;

/** A manifest: `kind` in `apiVersion`, `namespace/name` (or a bare name), body fields. */
export function obj(
  apiVersion: string,
  kind: string,
  ref: string,
  body: Record<string, unknown> = {},
  labels?: Record<string, string>,
): K8sObject {
  const [namespace, name] = ref.includes("/") ? ref.split("/") : [undefined, ref];
  return {
    apiVersion,
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}), ...(labels ? { labels } : {}) },
    ...body,
  };
}

export const vs = (ref: string, spec: unknown, labels?: Record<string, string>) =>
  obj(API.net, "VirtualService", ref, { spec }, labels);
export const dr = (ref: string, spec: unknown) => obj(API.net, "DestinationRule", ref, { spec });
export const gw = (ref: string, spec: unknown) => obj(API.net, "Gateway", ref, { spec });
export const ap = (ref: string, spec: unknown) =>
  obj(API.sec, "AuthorizationPolicy", ref, { spec });
export const ksvc = (
  ref: string,
  annotations: Record<string, string> = {},
  podSpec: unknown = {},
  labels?: Record<string, string>,
) =>
  obj(API.ksvc, "Service", ref, {
    spec: {
      template: {
        metadata: { annotations, labels: labels ?? { app: ref.split("/")[1] } },
        spec: { containers: [{ name: "user-container", image: "x" }], ...(podSpec as object) },
      },
    },
  });
export const route = (host: string, extra: Record<string, unknown> = {}) => ({
  route: [{ destination: { host } }],
  ...extra,
});

/** The findings of one rule, as printed lines. */
export function lines(code: string, objects: K8sObject[]): string[] {
  const rule = RULES.find((r) => r.code === code);
  assert.ok(rule, `no rule ${code}`);
  return analyze(objects, {}, [rule]).map(formatFinding);
}

/**
 * One case of a rule table: `objects` make the rule report exactly `fires` (line prefixes
 * `severity CODE Kind ns/name: message-start`), or nothing when `fires` is empty.
 */
export interface Case {
  name: string;
  objects: K8sObject[];
  fires: string[];
}

export function runCases(code: string, cases: Case[]): void {
  describe(code, () => {
    for (const c of cases)
      it(c.fires.length ? `fires: ${c.name}` : `stays quiet: ${c.name}`, () => {
        const got = lines(code, c.objects);
        assert.equal(got.length, c.fires.length, got.join("\n"));
        for (const prefix of c.fires)
          assert.equal(
            got.filter((l) => l.startsWith(prefix)).length,
            1,
            `expected one "${prefix}...", got\n${got.join("\n")}`,
          );
      });
  });
}
