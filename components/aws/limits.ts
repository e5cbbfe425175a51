import * as pulumi from "@pulumi/pulumi";
import { ArgChecker } from "../core/validate";

/**
 * AWS service limits the AWS components check at construction, each with its upstream source.
 * Pure: the checks take an `ArgChecker` so messages keep core's format.
 */

/** Lambda memory, MB. https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html */
export const LAMBDA_MEMORY_MB = { min: 128, max: 10240 } as const;
/** Lambda timeout, s. https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html */
export const LAMBDA_TIMEOUT_S = { min: 1, max: 900 } as const;
/** Function names. https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html */
export const LAMBDA_FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
/** Alias names: 1-128 of [a-zA-Z0-9-_], not all digits. API_CreateAlias. */
export const LAMBDA_ALIAS_NAME = /^(?!\d+$)[a-zA-Z0-9_-]{1,128}$/;
/**
 * Container images Lambda runs: an Amazon ECR repository URI with a tag or a digest.
 * https://docs.aws.amazon.com/lambda/latest/api/API_FunctionCode.html (`ImageUri`)
 */
export const ECR_IMAGE_URI =
  /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/[a-z0-9]+([._/-][a-z0-9]+)*(:[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64})$/;
/**
 * EC2 resource IDs: the type's prefix and hexadecimal digits (8 or 17 today).
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html
 */
export const EC2_ID = {
  vpc: /^vpc-[0-9a-f]{1,17}$/,
  subnet: /^subnet-[0-9a-f]{1,17}$/,
  sg: /^sg-[0-9a-f]{1,17}$/,
} as const;
/** Environment variable keys. API_Environment. */
export const LAMBDA_ENV_KEY = /^[a-zA-Z]\w+$/;

/** Lattice service names: 3-40, a-z 0-9 '-', no leading/trailing/double '-', no `svc-` prefix. */
export const LATTICE_SERVICE_NAME = { min: 3, max: 40, prefix: "svc-" } as const;
/** Lattice target group names: 3-128, same characters, no `tg-` prefix. API_CreateTargetGroup. */
export const LATTICE_TARGET_GROUP_NAME = { min: 3, max: 128, prefix: "tg-" } as const;
/** Lattice service network names: 3-63, same characters. API_CreateServiceNetwork. */
export const LATTICE_SERVICE_NETWORK_NAME = { min: 3, max: 63, prefix: undefined } as const;
/** Lattice listener names: 3-63, no `listener-` prefix. API_CreateListener. */
export const LATTICE_LISTENER_NAME = { min: 3, max: 63, prefix: "listener-" } as const;
/** The name of the HTTPS listener the package gives a function's Lattice service. */
export const latticeListenerName = (serviceName: string): string => `${serviceName}-https`;
/** Lattice service idle timeout, s. API_CreateService `idleTimeoutSeconds`. */
export const LATTICE_IDLE_TIMEOUT_S = { min: 60, max: 600 } as const;
const LATTICE_NAME = /^(?!-)(?!.*-$)(?!.*--)[a-z0-9-]+$/;
/** Lattice listener rule names: 3-63, the same characters. API_CreateRule `name`. */
export const LATTICE_RULE_NAME = { min: 3, max: 63, prefix: undefined } as const;
/**
 * Listener rules. Rules per listener: 10 (default quota, adjustable through Service Quotas):
 * https://docs.aws.amazon.com/vpc-lattice/latest/ug/quotas.html. Priority 1-100:
 * https://docs.aws.amazon.com/vpc-lattice/latest/APIReference/API_CreateRule.html
 */
export const LATTICE_RULES_PER_LISTENER = 10;
export const LATTICE_RULE_PRIORITY = { min: 1, max: 100 } as const;
/**
 * Forward actions: 1-10 weighted target groups, each weight 0-999.
 * https://docs.aws.amazon.com/vpc-lattice/latest/APIReference/API_ForwardAction.html,
 * https://docs.aws.amazon.com/vpc-lattice/latest/APIReference/API_WeightedTargetGroup.html
 */
export const LATTICE_TARGET_GROUPS_PER_FORWARD = { min: 1, max: 10 } as const;
export const LATTICE_WEIGHT = { min: 0, max: 999 } as const;
/**
 * Rule matches: up to 5 header matches (names 1-100, values 1-128 characters), paths 1-200
 * characters starting with '/'. API_HttpMatch, API_HeaderMatch, API_HeaderMatchType,
 * API_PathMatchType.
 */
export const LATTICE_HEADER_MATCHES_MAX = 5;
export const LATTICE_HEADER_NAME = { min: 1, max: 100 } as const;
export const LATTICE_HEADER_VALUE = { min: 1, max: 128 } as const;
export const LATTICE_PATH = { min: 1, max: 200 } as const;
/** Methods a rule matches. AWS::VpcLattice::Rule HttpMatch `Method` allowed values. */
export const LATTICE_METHODS = [
  "CONNECT",
  "DELETE",
  "GET",
  "HEAD",
  "OPTIONS",
  "POST",
  "PUT",
  "TRACE",
] as const;
export type LatticeMethod = (typeof LATTICE_METHODS)[number];
/**
 * Custom domain names of a Lattice service: 3-255 characters.
 * https://docs.aws.amazon.com/vpc-lattice/latest/APIReference/API_CreateService.html
 */
export const LATTICE_CUSTOM_DOMAIN = { min: 3, max: 255 } as const;
/** ACM certificate ARNs. https://docs.aws.amazon.com/acm/latest/APIReference/API_CertificateDetail.html */
export const ACM_CERTIFICATE_ARN =
  /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/;
/**
 * Retention values CloudWatch Logs accepts, days.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
 */
export const CLOUDWATCH_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;
/** Log group names: 1-512 of [.-_/#A-Za-z0-9]. API_CreateLogGroup. */
export const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
/** S3 bucket and Firehose delivery stream ARNs, the access log destinations besides log groups. */
export const S3_BUCKET_ARN = /^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/;
export const FIREHOSE_STREAM_ARN =
  /^arn:aws[a-z-]*:firehose:[a-z0-9-]+:\d{12}:deliverystream\/[a-zA-Z0-9._-]{1,64}$/;

/** App Mesh: weighted targets per route action, weights, route priority, name length. */
export const APP_MESH_WEIGHTED_TARGETS = { min: 1, max: 10 } as const;
export const APP_MESH_ROUTE_PRIORITY = { min: 0, max: 1000 } as const;
export const APP_MESH_NAME_MAX = 255;
/** Retry events App Mesh accepts in an HTTP retry policy. API_HttpRetryPolicy. */
export const APP_MESH_HTTP_RETRY_EVENTS = [
  "server-error",
  "gateway-error",
  "client-error",
  "stream-error",
] as const;
export type HttpRetryEvent = (typeof APP_MESH_HTTP_RETRY_EVENTS)[number];
/** Envoy's log levels (`ENVOY_LOG_LEVEL`). https://www.envoyproxy.io/docs/envoy/latest/operations/cli */
export const ENVOY_LOG_LEVELS = [
  "trace",
  "debug",
  "info",
  "warning",
  "error",
  "critical",
  "off",
] as const;
export type EnvoyLogLevel = (typeof ENVOY_LOG_LEVELS)[number];

/**
 * Cloud Map instance attributes: at most 30, keys <= 255, values <= 1024, keys plus values
 * <= 5000 characters. https://docs.aws.amazon.com/cloud-map/latest/api/API_RegisterInstance.html
 */
const CLOUD_MAP = {
  maxAttributes: 30,
  maxKey: 255,
  maxValue: 1024,
  maxTotal: 5000,
} as const;

/**
 * Longest text an ARN adds around the names we know: `arn:` + partition (`aws-us-gov`, 10) +
 * `:lambda:` + region (reserved 20) + `:` + account (12) + `:function:`.
 */
export const ARN_PREFIX_MAX = 4 + 10 + 8 + 20 + 1 + 12 + 10;
/** Function URLs are 40-100 characters. API_FunctionUrlConfig. */
export const FUNCTION_URL_MAX = 100;
/** `https://` + a DNS name (253): the Lattice-generated domain of a service. */
export const LATTICE_ADDRESS_MAX = 8 + 253;

/** An attribute whose value is only known after deployment: reserve its longest length. */
export interface Reserved {
  maxLength: number;
}

/** Checks a Lattice-style name: length, characters, and the prefix AWS keeps for itself. */
export function checkLatticeName(
  check: ArgChecker,
  argument: string,
  value: string,
  limit: { min: number; max: number; prefix?: string },
): void {
  const prefix = limit.prefix ? `, not starting with "${limit.prefix}"` : "";
  const rule = `must be ${limit.min}-${limit.max} characters of lowercase letters, digits and '-', not starting or ending with '-' and without '--'${prefix}`;
  if (
    typeof value !== "string" ||
    value.length < limit.min ||
    value.length > limit.max ||
    !LATTICE_NAME.test(value) ||
    (limit.prefix !== undefined && value.startsWith(limit.prefix))
  ) {
    check.fail(argument, value, rule);
  }
}

/**
 * Checks Cloud Map attributes before anything is registered. Values known now are measured;
 * values only known after deployment (ARNs, URLs) count with their reserved maximum, so an
 * instance that passes here cannot fail at registration for its size.
 */
export function checkCloudMapAttributes(
  check: ArgChecker,
  argument: string,
  attributes: Record<string, string | Reserved>,
): void {
  const keys = Object.keys(attributes);
  if (keys.length > CLOUD_MAP.maxAttributes) {
    check.fail(
      argument,
      keys,
      `at most ${CLOUD_MAP.maxAttributes} attributes per Cloud Map instance (got ${keys.length})`,
    );
  }
  let total = 0;
  for (const key of keys) {
    const value = attributes[key];
    if (key.length === 0 || key.length > CLOUD_MAP.maxKey) {
      check.fail(`${argument}.${key}`, key, `keys must be 1-${CLOUD_MAP.maxKey} characters long`);
    }
    const length = typeof value === "string" ? value.length : value.maxLength;
    if (length > CLOUD_MAP.maxValue) {
      check.fail(
        `${argument}.${key}`,
        typeof value === "string" ? value : `(up to ${length} characters)`,
        `values must be at most ${CLOUD_MAP.maxValue} characters long`,
      );
    }
    total += key.length + length;
  }
  if (total > CLOUD_MAP.maxTotal) {
    check.fail(
      argument,
      keys,
      `keys and values together must be at most ${CLOUD_MAP.maxTotal} characters (these take up to ${total}, counting ARNs and URLs at their longest)`,
    );
  }
}

/** A duration as App Mesh takes it: whole seconds when exact, else milliseconds. */
export function appMeshDuration(ms: number): { unit: "s" | "ms"; value: number } {
  return ms % 1000 === 0 ? { unit: "s", value: ms / 1000 } : { unit: "ms", value: ms };
}

/** `FOO-bar.baz` -> `FOO_BAR_BAZ`: a name as an environment variable suffix. */
export function envSuffix(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}

/**
 * A list of IDs a program may take from other resources: the list itself, or each of its items,
 * may be an Output; each is checked against `re` when known (`check.input`).
 */
export function checkIds(
  check: ArgChecker,
  argument: string,
  ids: pulumi.Input<pulumi.Input<string>[]>,
  re: RegExp,
  rule: string,
): pulumi.Input<pulumi.Input<string>[]> {
  const one = (id: unknown, i: number) =>
    check.pattern(`${argument}[${i}]`, id as string, re, rule);
  if (Array.isArray(ids)) return ids.map((id, i) => check.input(id, (known) => one(known, i))!);
  // The whole list from another resource: its items are plain once it resolves.
  return check.input(ids, (list) => list.forEach(one))!;
}
