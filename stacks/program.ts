import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { readConfig } from "./config";
import { hasSecrets, keepSecret, warn } from "../components/core/secrets";
import { deployPlatform } from "./platform";
import { checkOpenFaas, deployServices } from "./services";
import { checkSubsetReferences } from "../components/kubernetes/service/subsets";
import { checkEnvironment } from "./environment";
import type { StackConfig } from "./config-types";
// Issue 11: environment defaults (deny by default outside dev) applied before anything is built.
import { withEnvironmentDefaults } from "./environment";
import { eventingWarning } from "./eventing";

/**
 * The Kubernetes provider: an explicit one when `kubeconfig` (a secret) or `kubernetes.context`
 * is set, so the cluster is named in config rather than taken from whatever kubectl context the
 * deploying machine has.
 */
function kubernetesOptions(
  stack: StackConfig,
  config = new pulumi.Config(),
): pulumi.ComponentResourceOptions {
  const kubeconfig =
    stack.kubeconfig === undefined ? undefined : config.requireSecret("kubeconfig");
  const context = stack.kubernetes?.context;
  if (kubeconfig === undefined && context === undefined) return {};
  const provider = new k8s.Provider("cluster", {
    ...(kubeconfig ? { kubeconfig } : {}),
    ...(context ? { context } : {}),
  });
  return { providers: { kubernetes: provider } };
}

/** Services of `services` (serverless, workloads, observability, openfaas) that declare alert rules. */
function servicesWithAlerts(services: StackConfig["services"]): string[] {
  const kinds = [
    services?.serverless,
    services?.workloads,
    services?.observability,
    services?.openfaas,
  ];
  return kinds
    .flatMap((entries) => Object.entries(entries ?? {}))
    .filter(([, e]) => e.alerts)
    .map(([name]) => name)
    .sort();
}

/** At most `max` names, then how many more: a warning about 1,200 services stays one line. */
export function nameList(names: readonly string[], max = 10): string {
  const more = names.length - max;
  return more > 0 ? `${names.slice(0, max).join(", ")} and ${more} more` : names.join(", ");
}

/**
 * The render warning for alerts nobody receives: alert rules exist, but Prometheus is off,
 * Alertmanager is off, or Alertmanager has no `alerting` (the chart's config sends every alert
 * to its `null` receiver).
 */
function unroutedAlertsWarning(stack: StackConfig): string | undefined {
  const withAlerts = servicesWithAlerts(stack.services);
  if (withAlerts.length === 0) return undefined;
  const prometheus = stack.platform?.prometheus;
  const why =
    prometheus === false
      ? "Prometheus is not installed (`platform.prometheus: false`)"
      : prometheus !== true && prometheus?.alertmanager === false
        ? "Alertmanager is off (`platform.prometheus.alertmanager: false`)"
        : prometheus === true || !prometheus?.alerting
          ? "Alertmanager has no receivers (`platform.prometheus.alerting`), so the chart's `null` receiver drops them"
          : undefined;
  return why && `alert rules of ${nameList(withAlerts)} reach nobody: ${why}`;
}

/** The program: builds what the stack's config selects and returns the stack outputs. */
export async function main(): Promise<Record<string, unknown>> {
  const config = new pulumi.Config();
  // The whole config is checked against the stack schema before anything is built.
  const stack = withEnvironmentDefaults(readConfig(config));
  const { environment } = stack;
  const clouds = [...new Set(stack.clouds ?? ["kubernetes"])];
  checkEnvironment(stack, config.name);
  checkOpenFaas(stack, config.name);
  const outputs: Record<string, unknown> = { stack: pulumi.getStack(), environment, clouds };
  // Inputs that hold a value of a secret config key are registered as secrets.
  const secrecy = hasSecrets() ? { transformations: [keepSecret] } : {};
  if (clouds.includes("kubernetes")) {
    const opts = { ...kubernetesOptions(stack, config), ...secrecy };
    const platform = stack.platform ? deployPlatform(stack.platform, opts) : undefined;
    Object.assign(outputs, platform?.outputs);
    if (stack.services)
      Object.assign(outputs, deployServices(stack.services, platform?.mesh ?? {}, opts));
    // Routes built before the traffic that declares their subsets are checked now.
    checkSubsetReferences();
    const unrouted = unroutedAlertsWarning(stack);
    if (unrouted) warn(unrouted);
    const noEventing = eventingWarning(stack);
    if (noEventing) warn(noEventing);
  }
  if (clouds.includes("aws") && stack.aws) {
    // Loaded only for stacks that use AWS: @pulumi/aws costs about a second to load.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { deployAws } = require("./aws") as typeof import("./aws");
    Object.assign(outputs, deployAws(stack.aws, secrecy, `${config.name}:aws`));
  }
  return outputs;
}
