import { createHmac } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { HELM_RELEASE, isAwsResource, isKubernetesObject, releaseKey } from "./artifacts";
import { RecordedResource, Recording, SECRET_PLACEHOLDER } from "./engine";
import { parseYamlFile } from "./stack-config";

/**
 * Secret fingerprints: how `diff` tells that a masked value changed without the value.
 *
 * Renders write every secret as `[secret]`. Beside them, `fingerprints.json` holds, per object
 * and field path, a short keyed hash (HMAC-SHA256, 16 hex digits) of what the render saw:
 * - for `secure:` stack config, the ciphertext in `Pulumi.<stack>.yaml` (the renderer never
 *   decrypts; the ciphertext is committed already, so its hash reveals nothing new). Pulumi
 *   encrypts with a fresh nonce, so setting the same value again also shows as changed;
 * - for secrets the program builds (`pulumi.secret(...)` of a literal or of plain config), the
 *   plaintext the render holds, which is itself in the repository.
 * The hash is keyed by project and stack so equal values in two stacks do not look equal.
 * What a program derives from a secure config value reaches objects as the placeholder, so those
 * fields cannot show a change; the config key itself does (entity `config`).
 */

export const FINGERPRINTS_FILE = "fingerprints.json";

/** Where a field sits: `a.b[0]["app.kubernetes.io/name"]`. */
export function fieldPath(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  const plain = /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key);
  if (!plain) return `${parent}[${JSON.stringify(key)}]`;
  return parent ? `${parent}.${key}` : key;
}

/** Identity of a Kubernetes object across renders: cluster, group/kind, namespace/name. */
export function kubernetesKey(
  cluster: string,
  apiVersion: string,
  kind: string,
  namespace: string | undefined,
  name: string | undefined,
): string {
  const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "core";
  return `k8s ${cluster || "-"} ${group}/${kind} ${namespace ? `${namespace}/` : ""}${name ?? ""}`;
}

export const helmKey = (namespace: string, name: string): string => `helm ${namespace}/${name}`;
export const awsKey = (type: string, name: string): string => `aws ${type}::${name}`;
export const CONFIG_KEY = "config";

function hmac(key: string, value: unknown): string {
  return createHmac("sha256", key)
    .update(JSON.stringify(value) ?? "undefined")
    .digest("hex")
    .slice(0, 16);
}

/** Fingerprints of the fields where `redacted` holds the placeholder. */
function secretLeaves(
  key: string,
  plain: unknown,
  redacted: unknown,
  at: string,
  out: Record<string, string>,
): void {
  if (plain === redacted && redacted !== SECRET_PLACEHOLDER) return; // shared: no secret below
  if (redacted === SECRET_PLACEHOLDER) {
    out[at] = hmac(key, plain);
    return;
  }
  if (Array.isArray(redacted) && Array.isArray(plain))
    redacted.forEach((r, i) => secretLeaves(key, plain[i], r, fieldPath(at, i), out));
  else if (redacted !== null && typeof redacted === "object" && plain && typeof plain === "object")
    for (const [k, r] of Object.entries(redacted))
      secretLeaves(key, (plain as Record<string, unknown>)[k], r, fieldPath(at, k), out);
}

interface SecureWalk {
  at: string;
  value: unknown;
}

/**
 * Every `secure:` value of a stack file's config, with its path. The path is a list of keys while
 * walking and becomes text only where a secure value is: a 1,000-service stack file has ~200,000
 * fields and a handful of secrets.
 */
function secureValues(value: unknown, at: (string | number)[], out: SecureWalk[]): void {
  if (value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      at.push(i);
      secureValues(value[i], at, out);
      at.pop();
    }
    return;
  }
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === "secure") {
    out.push({
      at: at.reduce<string>(fieldPath, ""),
      value: (value as { secure: unknown }).secure,
    });
    return;
  }
  for (const k of keys) {
    at.push(k);
    secureValues((value as Record<string, unknown>)[k], at, out);
    at.pop();
  }
}

export interface FingerprintSource {
  project: string;
  stack: string;
  /** `Pulumi.<stack>.yaml`, read again for the ciphertexts. */
  stackFile: string;
  recording: Recording;
  /** Entity key of each recorded resource written out, or undefined when it is not. */
  entityOf: (r: RecordedResource) => { key: string; prefix: string } | undefined;
}

/** `fingerprints.json`, or nothing when the render holds no secret. */
export function fingerprintFile(src: FingerprintSource): Record<string, string> {
  const key = `mesh-serverless fingerprint ${src.project} ${src.stack}`;
  const all: Record<string, Record<string, string>> = {};
  const doc = fs.existsSync(src.stackFile)
    ? (parseYamlFile(fs.readFileSync(src.stackFile, "utf8")) as { config?: unknown } | null)
    : null;
  const secure: SecureWalk[] = [];
  for (const [k, v] of Object.entries((doc?.config ?? {}) as Record<string, unknown>)) {
    const full = k.includes(":") ? k : `${src.project}:${k}`;
    secureValues(v, [full], secure);
  }
  if (secure.length) all[CONFIG_KEY] = Object.fromEntries(secure.map((s) => [s.at, hmac(key, s)]));
  for (const r of src.recording.resources) {
    if (r.inputs === r.redacted) continue;
    const entity = src.entityOf(r);
    if (!entity) continue;
    const leaves: Record<string, string> = {};
    secretLeaves(key, r.inputs, r.redacted, entity.prefix, leaves);
    if (Object.keys(leaves).length) all[entity.key] = { ...all[entity.key], ...leaves };
  }
  if (Object.keys(all).length === 0) return {};
  const sorted = Object.fromEntries(
    Object.keys(all)
      .sort()
      .map((k) => [k, Object.fromEntries(Object.entries(all[k]).sort())]),
  );
  return { [FINGERPRINTS_FILE]: `${JSON.stringify(sorted, null, 2)}\n` };
}

export function stackFilePath(stackConfigDir: string, stack: string): string {
  return path.join(stackConfigDir, `Pulumi.${stack}.yaml`);
}

/** The diff's identity of a recorded resource that a render writes out (see fingerprints.ts). */
export function entityOf(
  recording: Recording,
  r: RecordedResource,
): { key: string; prefix: string } | undefined {
  if (r.type === HELM_RELEASE) {
    const [namespace, name] = releaseKey(r).split("/");
    return { key: helmKey(namespace, name), prefix: "" };
  }
  if (isKubernetesObject(r)) {
    const m = r.redacted as {
      apiVersion: string;
      kind: string;
      metadata?: { name?: string; namespace?: string };
    };
    const cluster = recording.providerOf(r)?.name ?? "";
    const key = kubernetesKey(
      cluster,
      m.apiVersion,
      m.kind,
      m.metadata?.namespace,
      m.metadata?.name,
    );
    return { key, prefix: "" };
  }
  if (isAwsResource(r)) return { key: awsKey(r.type, r.name), prefix: "inputs" };
  return undefined;
}
