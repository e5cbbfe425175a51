import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ArgChecker } from "../../core/validate";
import { deepMerge, sortKeys, Values } from "../../core/values";
import { isPinnedVersion, VERSION_RULE } from "./versions";

/** Chart values: a YAML mapping. */
export type { Values };
export { deepMerge, sortKeys };

/** True when `value` holds an Output or a Promise anywhere (a value not known yet). */
function holdsOutput(value: unknown): boolean {
  if (pulumi.Output.isInstance(value) || value instanceof Promise) return true;
  if (Array.isArray(value)) return value.some(holdsOutput);
  if (value !== null && typeof value === "object") return Object.values(value).some(holdsOutput);
  return false;
}

/**
 * `finalValues` of what `build` makes from `inputs`: at once when every Input in them is known,
 * else once they resolve (an Output of the values, secret when any of them is).
 */
export function finalValuesOf<I>(
  inputs: I,
  build: (known: pulumi.Unwrap<I>) => Values,
  overrides?: Values,
): pulumi.Input<Values> {
  if (!holdsOutput(inputs)) return finalValues(build(inputs as pulumi.Unwrap<I>), overrides);
  return pulumi.output(inputs).apply((known) => finalValues(build(known), overrides));
}

/** Builder values with the caller's overrides merged last, keys sorted. */
export function finalValues(built: Values, overrides?: Values): Values {
  return sortKeys(deepMerge(built, overrides));
}

/** Checks an optional chart-version override and returns the version to install. */
export function chartVersion(
  check: ArgChecker,
  argument: string,
  override: string | undefined,
  pinned: string,
): string {
  if (override === undefined) return pinned;
  if (!isPinnedVersion(override)) check.fail(argument, override, VERSION_RULE);
  return override;
}

// host[:port][/path...], as image references write a registry (lowercase, no scheme, no tag).
const REGISTRY =
  /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;

const REGISTRY_RULE =
  'must be an image registry host with an optional port and path, such as "registry.example.com:5000/mirror" (no scheme, no trailing slash)';

/** Checks the air-gapped registry override. */
export function checkRegistry(
  check: ArgChecker,
  argument: string,
  value: string | undefined,
): void {
  check.pattern(argument, value, REGISTRY, REGISTRY_RULE);
}

/** What a platform Helm release is made of. */
export interface ReleaseSpec {
  /** Helm release name (deterministic; what `helm list` shows). */
  name: string;
  chart: string;
  repo: string;
  version: string;
  namespace: string;
  /** Let Helm create the namespace (only where it is not created separately). */
  createNamespace?: boolean;
  /** Final values (already merged and sorted), or an Output of them. */
  values: pulumi.Input<Values>;
}

/**
 * A Helm release (`helm.sh/v3`): Helm hooks run and, since `skipAwait` stays unset, the release
 * is ready only once its workloads are, so `dependsOn` on it orders by readiness.
 */
export function helmRelease(
  resourceName: string,
  spec: ReleaseSpec,
  opts: pulumi.CustomResourceOptions,
): k8s.helm.v3.Release {
  return new k8s.helm.v3.Release(
    resourceName,
    {
      name: spec.name,
      chart: spec.chart,
      version: spec.version,
      namespace: spec.namespace,
      ...(spec.createNamespace ? { createNamespace: true } : {}),
      repositoryOpts: { repo: spec.repo },
      values: spec.values,
    },
    opts,
  );
}
