import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { Section } from "./config";
import { deployPlatform } from "./platform";
import { deployServices } from "./services";
import { checkEnvironment, readClouds, readEnvironment, rejectUnknownKeys } from "./environment";

/**
 * The Kubernetes provider: an explicit one when `kubeconfig` (a secret) or `kubernetes.context`
 * is set, so the cluster is named in config rather than taken from whatever kubectl context the
 * deploying machine has.
 */
export function kubernetesOptions(config = new pulumi.Config()): pulumi.ComponentResourceOptions {
  const kubeconfig = config.getSecret("kubeconfig");
  const section = Section.root("kubernetes", config);
  const context = section?.string("context");
  section?.done();
  if (kubeconfig === undefined && context === undefined) return {};
  const provider = new k8s.Provider("cluster", {
    ...(kubeconfig ? { kubeconfig } : {}),
    ...(context ? { context } : {}),
  });
  return { providers: { kubernetes: provider } };
}

/** Services of `services` (serverless, workloads, observability) that declare alert rules. */
function servicesWithAlerts(services: unknown): string[] {
  const out: string[] = [];
  for (const kind of ["serverless", "workloads", "observability"]) {
    const entries = (services as Record<string, Record<string, { alerts?: unknown }>>)?.[kind];
    for (const [name, e] of Object.entries(entries ?? {})) if (e?.alerts) out.push(name);
  }
  return out.sort();
}

/**
 * The render warning for alerts nobody receives: alert rules exist, but Prometheus is off,
 * Alertmanager is off, or Alertmanager has no `alerting` (the chart's config sends every alert
 * to its `null` receiver).
 */
export function unroutedAlertsWarning(config = new pulumi.Config()): string | undefined {
  const withAlerts = servicesWithAlerts(config.getObject<unknown>("services"));
  if (withAlerts.length === 0) return undefined;
  const prometheus = config.getObject<Record<string, unknown>>("platform")?.prometheus;
  const why =
    prometheus === false
      ? "Prometheus is not installed (`platform.prometheus: false`)"
      : (prometheus as { alertmanager?: unknown } | undefined)?.alertmanager === false
        ? "Alertmanager is off (`platform.prometheus.alertmanager: false`)"
        : !(prometheus as { alerting?: unknown } | undefined)?.alerting
          ? "Alertmanager has no receivers (`platform.prometheus.alerting`), so the chart's `null` receiver drops them"
          : undefined;
  return why && `alert rules of ${withAlerts.join(", ")} reach nobody: ${why}`;
}

/** The program: builds what the stack's config selects and returns the stack outputs. */
export async function main(): Promise<Record<string, unknown>> {
  const config = new pulumi.Config();
  rejectUnknownKeys(config);
  const environment = readEnvironment(config);
  const clouds = readClouds(config);
  checkEnvironment(environment, clouds, config);
  const outputs: Record<string, unknown> = { stack: pulumi.getStack(), environment, clouds };
  if (clouds.includes("kubernetes")) {
    const opts = kubernetesOptions(config);
    const platformConfig = Section.root("platform", config);
    const platform = platformConfig ? deployPlatform(platformConfig, opts) : undefined;
    Object.assign(outputs, platform?.outputs);
    const servicesConfig = Section.root("services", config);
    if (servicesConfig)
      Object.assign(outputs, deployServices(servicesConfig, platform?.mesh ?? {}, opts));
    const unrouted = unroutedAlertsWarning(config);
    if (unrouted) pulumi.log.warn(unrouted);
  }
  if (clouds.includes("aws")) {
    const awsConfig = Section.root("aws", config);
    if (awsConfig) {
      // Loaded only for stacks that use AWS: @pulumi/aws costs about a second to load.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { deployAws } = require("./aws") as typeof import("./aws");
      Object.assign(outputs, deployAws(awsConfig, {}));
    }
  }
  return outputs;
}
