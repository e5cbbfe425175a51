import * as pulumi from "@pulumi/pulumi";
import { Section, StackConfigError } from "./config";
import { deployAws } from "./aws";
import { deployPlatform } from "./platform";
import { deployServices } from "./services";

export const CLOUDS = ["kubernetes", "aws"] as const;
export type Cloud = (typeof CLOUDS)[number];

/** `clouds`: which clouds this stack deploys to; default kubernetes only. */
export function readClouds(config = new pulumi.Config()): Cloud[] {
  const clouds = config.getObject<unknown>("clouds") ?? ["kubernetes"];
  const key = `${config.name}:clouds`;
  if (!Array.isArray(clouds) || clouds.length === 0) {
    throw new StackConfigError(
      `config \`${key}\` is ${JSON.stringify(clouds)}: must be a non-empty list of ${CLOUDS.join(", ")}`,
    );
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

/** The program: builds what the stack's config selects and returns the stack outputs. */
export async function main(): Promise<Record<string, unknown>> {
  const clouds = readClouds();
  const outputs: Record<string, unknown> = { stack: pulumi.getStack(), clouds };
  if (clouds.includes("kubernetes")) {
    const opts: pulumi.ComponentResourceOptions = {};
    const platformConfig = Section.root("platform");
    const platform = platformConfig ? deployPlatform(platformConfig, opts) : undefined;
    Object.assign(outputs, platform?.outputs);
    const servicesConfig = Section.root("services");
    if (servicesConfig)
      Object.assign(outputs, deployServices(servicesConfig, platform?.mesh ?? {}, opts));
  }
  if (clouds.includes("aws")) {
    const awsConfig = Section.root("aws");
    if (awsConfig) Object.assign(outputs, deployAws(awsConfig, {}));
  }
  return outputs;
}
