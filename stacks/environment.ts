import * as pulumi from "@pulumi/pulumi";
import { describeValue } from "../components/core/errors";
import { isSecretKey, StackConfigError } from "./config";

export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export const CLOUDS = ["kubernetes", "aws"] as const;
export type Cloud = (typeof CLOUDS)[number];

/** `clouds`: which clouds this stack deploys to; default kubernetes only. */
export function readClouds(config = new pulumi.Config()): Cloud[] {
  const key = `${config.name}:clouds`;
  let clouds: unknown;
  try {
    clouds = config.getObject<unknown>("clouds") ?? ["kubernetes"];
  } catch {
    clouds = config.get("clouds"); // not JSON: a bare word such as `kubernetes`
  }
  if (!Array.isArray(clouds) || clouds.length === 0) {
    fail(key, clouds, `must be a non-empty list of ${CLOUDS.join(", ")}`);
  }
  for (const c of clouds) {
    if (!CLOUDS.includes(c)) {
      throw new StackConfigError(
        `config \`${key}\` has ${JSON.stringify(c)}: each entry must be one of ${CLOUDS.join(", ")}`,
      );
    }
  }
  return [...new Set(clouds as Cloud[])];
}

/** Every key the program reads in its own namespace; anything else is a typo. */
export const PROJECT_KEYS = [
  "environment",
  "clouds",
  "kubeconfig",
  "kubernetes",
  "platform",
  "services",
  "aws",
] as const;

function fail(key: string, value: unknown, allowed: string): never {
  throw new StackConfigError(`config \`${key}\` is ${describeValue(value)}: ${allowed}`);
}

/** `environment` (required): dev, staging or prod; decides what the program insists on. */
export function readEnvironment(config = new pulumi.Config()): Environment {
  const env = config.get("environment");
  const allowed = `must be one of ${ENVIRONMENTS.join(", ")}`;
  if (env === undefined) fail(`${config.name}:environment`, env, `is required: ${allowed}`);
  if (!ENVIRONMENTS.includes(env as Environment)) fail(`${config.name}:environment`, env, allowed);
  return env as Environment;
}

/** Rejects keys of the project's namespace that the program does not read. */
export function rejectUnknownKeys(config = new pulumi.Config()): void {
  const prefix = `${config.name}:`;
  const all = pulumi.runtime.allConfig();
  for (const key of Object.keys(all).sort()) {
    if (!key.startsWith(prefix)) continue;
    if (!(PROJECT_KEYS as readonly string[]).includes(key.slice(prefix.length))) {
      const value = isSecretKey(key) ? "[secret]" : all[key];
      fail(key, value, `is not a key this program reads; known keys: ${PROJECT_KEYS.join(", ")}`);
    }
  }
}

function objectAt(config: pulumi.Config, key: string): Record<string, unknown> | undefined {
  try {
    const v = config.getObject<unknown>(key);
    return v !== null && typeof v === "object" && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined; // not structured: the section reader reports it with the key's name
  }
}

function field(obj: unknown, key: string): unknown {
  return obj !== null && typeof obj === "object" && !Array.isArray(obj)
    ? (obj as Record<string, unknown>)[key]
    : undefined;
}

/**
 * What each environment insists on, checked before anything is built:
 * - outside dev, mTLS is STRICT: the mesh-wide mode and every namespace's mode, and Prometheus
 *   and Jaeger keep their data on persistent volumes (`platform.<add-on>.storage`), and
 *   Alertmanager has receivers (`platform.prometheus.alerting`);
 * - in prod, the cluster and the AWS account/region are named explicitly (a `kubeconfig`
 *   secret; a provider for every AWS network), never taken from whatever the deploying machine
 *   has configured.
 */
export function checkEnvironment(
  env: Environment,
  clouds: readonly string[],
  config = new pulumi.Config(),
): void {
  if (env === "dev") return;
  const strict = `must be STRICT outside dev (environment is ${env})`;
  const istio = field(objectAt(config, "platform"), "istio");
  const meshMode = field(istio, "mtls");
  if (meshMode !== undefined && meshMode !== "STRICT") {
    fail(`${config.name}:platform.istio.mtls`, meshMode, strict);
  }
  const namespaces = field(objectAt(config, "services"), "namespaces");
  if (namespaces !== null && typeof namespaces === "object") {
    for (const [name, ns] of Object.entries(namespaces)) {
      const mode = field(field(ns, "mtls"), "mode");
      if (mode !== undefined && mode !== "STRICT") {
        fail(`${config.name}:services.namespaces.${name}.mtls.mode`, mode, strict);
      }
    }
  }
  // Telemetry survives a restart outside dev: Prometheus and Jaeger on volumes.
  const needs: [string, string][] = [
    ["prometheus", "{ size, storageClass }, a volume per Prometheus pod"],
    ["jaeger", "{ backend: badger, size, storageClass, retention }, traces on a volume"],
  ];
  for (const [addOn, what] of needs) {
    const a = field(objectAt(config, "platform"), addOn);
    if (a !== false && clouds.includes("kubernetes") && !field(a, "storage")) {
      fail(
        `${config.name}:platform.${addOn}.storage`,
        field(a, "storage"),
        `is required outside dev (environment is ${env}): ${what}`,
      );
    }
  }
  // Outside dev, alerts reach someone: Alertmanager with receivers.
  const prometheus = field(objectAt(config, "platform"), "prometheus");
  if (prometheus !== false && clouds.includes("kubernetes") && !field(prometheus, "alerting")) {
    fail(
      `${config.name}:platform.prometheus.alerting`,
      field(prometheus, "alerting"),
      `is required outside dev (environment is ${env}): receivers (from Secrets) and routes, or alerts reach nobody`,
    );
  }
  if (env !== "prod") return;
  if (clouds.includes("kubernetes") && config.getSecret("kubeconfig") === undefined) {
    fail(
      `${config.name}:kubeconfig`,
      undefined,
      "is required in prod: set the cluster's kubeconfig with `pulumi config set --secret kubeconfig`",
    );
  }
  const networks = field(objectAt(config, "aws"), "networks");
  if (clouds.includes("aws") && networks !== null && typeof networks === "object") {
    for (const [name, network] of Object.entries(networks)) {
      if (field(network, "provider") === undefined) {
        fail(
          `${config.name}:aws.networks.${name}.provider`,
          undefined,
          "is required in prod: name an entry of `aws.providers` (region, assumeRoleArn)",
        );
      }
    }
  }
}
