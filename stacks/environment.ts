import { fail } from "./config";
import type { StackConfig } from "./config-types";

export type Environment = StackConfig["environment"];

/**
 * What each environment insists on, checked before anything is built:
 * - outside dev, mTLS is STRICT: the mesh-wide mode and every namespace's mode, and Prometheus
 *   and Jaeger keep their data on persistent volumes (`platform.<add-on>.storage`), and
 *   Alertmanager has receivers (`platform.prometheus.alerting`);
 * - in prod, the cluster and the AWS account/region are named explicitly (a `kubeconfig`
 *   secret; a provider for every AWS network), never taken from whatever the deploying machine
 *   has configured.
 */
export function checkEnvironment(stack: StackConfig, project: string): void {
  const env = stack.environment;
  if (env === "dev") return;
  const clouds = stack.clouds ?? ["kubernetes"];
  const strict = `must be STRICT outside dev (environment is ${env})`;
  const meshMode = stack.platform?.istio?.mtls;
  if (meshMode !== undefined && meshMode !== "STRICT")
    fail(`${project}:platform.istio.mtls`, meshMode, strict);
  for (const [name, ns] of Object.entries(stack.services?.namespaces ?? {})) {
    const mode = ns.mtls === false ? undefined : ns.mtls?.mode;
    if (mode !== undefined && mode !== "STRICT")
      fail(`${project}:services.namespaces.${name}.mtls.mode`, mode, strict);
  }
  // Telemetry survives a restart and alerts reach someone outside dev: Prometheus and Jaeger on
  // volumes, Alertmanager with receivers. Add-ons are on unless set to false.
  const platform = clouds.includes("kubernetes") ? stack.platform : undefined;
  const addOn = <T>(a: T | boolean | undefined): T | undefined | false =>
    a === false ? false : a === true ? undefined : a;
  const required = (key: string, value: unknown, what: string): void => {
    if (value === undefined)
      fail(
        `${project}:platform.${key}`,
        value,
        `is required outside dev (environment is ${env}): ${what}`,
      );
  };
  const prometheus = platform && addOn(platform.prometheus);
  const jaeger = platform && addOn(platform.jaeger);
  if (platform && prometheus !== false)
    required(
      "prometheus.storage",
      prometheus?.storage,
      "{ size, storageClass }, a volume per Prometheus pod",
    );
  if (platform && jaeger !== false)
    required(
      "jaeger.storage",
      jaeger?.storage,
      "{ backend: badger, size, storageClass, retention }, traces on a volume",
    );
  if (platform && prometheus !== false)
    required(
      "prometheus.alerting",
      prometheus?.alerting,
      "receivers (from Secrets) and routes, or alerts reach nobody",
    );
  if (env !== "prod") return;
  if (clouds.includes("kubernetes") && stack.kubeconfig === undefined) {
    fail(
      `${project}:kubeconfig`,
      undefined,
      "is required in prod: set the cluster's kubeconfig with `pulumi config set --secret kubeconfig`",
    );
  }
  if (!clouds.includes("aws")) return;
  for (const [name, network] of Object.entries(stack.aws?.networks ?? {})) {
    if (network.provider === undefined) {
      fail(
        `${project}:aws.networks.${name}.provider`,
        undefined,
        "is required in prod: name an entry of `aws.providers` (region, assumeRoleArn)",
      );
    }
  }
}

/**
 * Outside dev, a namespace of `services.namespaces` denies by default unless its entry says
 * `denyByDefault: false`: STRICT mTLS proves who calls, only an authorization policy limits who
 * may, so in staging and prod a service is reachable only by the callers its `access` names.
 * In dev the mesh stays open so services can be tried out before their rules exist.
 */
export function withEnvironmentDefaults(stack: StackConfig): StackConfig {
  const namespaces = stack.services?.namespaces;
  if (stack.environment === "dev" || !stack.services || !namespaces) return stack;
  const closed = Object.fromEntries(
    Object.entries(namespaces).map(([k, ns]) => [
      k,
      { ...ns, denyByDefault: ns.denyByDefault ?? true },
    ]),
  );
  return { ...stack, services: { ...stack.services, namespaces: closed } };
}
