import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { readConfig } from "./config";
import { deployPlatform } from "./platform";
import { deployServices } from "./services";
import { checkEnvironment } from "./environment";
import type { StackConfig } from "./config-types";

/**
 * The Kubernetes provider: an explicit one when `kubeconfig` (a secret) or `kubernetes.context`
 * is set, so the cluster is named in config rather than taken from whatever kubectl context the
 * deploying machine has.
 */
export function kubernetesOptions(
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

/** The program: builds what the stack's config selects and returns the stack outputs. */
export async function main(): Promise<Record<string, unknown>> {
  const config = new pulumi.Config();
  // The whole config is checked against the stack schema before anything is built.
  const stack = readConfig(config);
  const { environment } = stack;
  const clouds = [...new Set(stack.clouds ?? ["kubernetes"])];
  checkEnvironment(stack, config.name);
  const outputs: Record<string, unknown> = { stack: pulumi.getStack(), environment, clouds };
  if (clouds.includes("kubernetes")) {
    const opts = kubernetesOptions(stack, config);
    const platform = stack.platform ? deployPlatform(stack.platform, opts) : undefined;
    Object.assign(outputs, platform?.outputs);
    if (stack.services)
      Object.assign(outputs, deployServices(stack.services, platform?.mesh ?? {}, opts));
  }
  if (clouds.includes("aws") && stack.aws) {
    // Loaded only for stacks that use AWS: @pulumi/aws costs about a second to load.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { deployAws } = require("./aws") as typeof import("./aws");
    Object.assign(outputs, deployAws(stack.aws, {}, `${config.name}:aws`));
  }
  return outputs;
}
