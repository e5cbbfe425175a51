import * as pulumi from "@pulumi/pulumi";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as vpclattice from "@pulumi/aws/vpclattice";
import { ArgChecker } from "../core/validate";
import { childName } from "../core/names";
import {
  CLOUDWATCH_RETENTION_DAYS,
  FIREHOSE_STREAM_ARN,
  LOG_GROUP_NAME,
  S3_BUCKET_ARN,
} from "./limits";

/**
 * Lattice access logs of a service network or a service: one access log subscription to a
 * CloudWatch Logs group (created here, with retention), an S3 bucket or a Firehose stream.
 * @see https://docs.aws.amazon.com/vpc-lattice/latest/ug/monitoring-access-logs.html
 */

/** Logs to a CloudWatch Logs group this package creates. */
export interface CloudWatchAccessLogs {
  /** Selects this destination. */
  type: "cloudwatch";
  /**
   * Log group name. Under `/aws/vendedlogs/` CloudWatch keeps the delivery resource policy small
   * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html).
   * @default "/aws/vendedlogs/vpc-lattice/<network or service name>"
   */
  logGroupName?: string;
  /** Days kept, one of CloudWatch's retention values. @default 30 */
  retentionInDays?: number;
}

/** Logs to an existing S3 bucket. */
export interface S3AccessLogs {
  /** Selects this destination. */
  type: "s3";
  /** `arn:aws:s3:::<bucket>`, optionally `/<prefix>`; may come from another resource. */
  bucketArn: pulumi.Input<string>;
}

/** Logs to an existing Firehose delivery stream. */
export interface FirehoseAccessLogs {
  /** Selects this destination. */
  type: "firehose";
  /** `arn:aws:firehose:<region>:<account>:deliverystream/<name>`; may come from another resource. */
  deliveryStreamArn: pulumi.Input<string>;
}

export type AccessLogDestination = CloudWatchAccessLogs | S3AccessLogs | FirehoseAccessLogs;

const DEFAULT_RETENTION_DAYS = 30;

/** A destination with its defaults applied: a log group this package creates, or an ARN. */
export type ResolvedAccessLogs =
  | { type: "cloudwatch"; logGroupName: string; retentionInDays: number }
  | { type: "s3" | "firehose"; destinationArn: pulumi.Input<string> };

/**
 * Checks a destination (`at` is its argument path) and applies its defaults; `resourceName`
 * (the network's or service's name) names the default log group.
 */
export function resolveAccessLogs(
  check: ArgChecker,
  at: string,
  d: AccessLogDestination | undefined,
  resourceName: string,
): ResolvedAccessLogs | undefined {
  if (d === undefined) return undefined;
  if (d.type === "cloudwatch") {
    check.pattern(
      `${at}.logGroupName`,
      d.logGroupName,
      LOG_GROUP_NAME,
      "must be 1-512 of a-z A-Z 0-9 . - _ / #",
    );
    if (
      d.retentionInDays !== undefined &&
      !(CLOUDWATCH_RETENTION_DAYS as readonly number[]).includes(d.retentionInDays)
    )
      check.fail(
        `${at}.retentionInDays`,
        d.retentionInDays,
        `must be one of ${CLOUDWATCH_RETENTION_DAYS.join(", ")}`,
      );
    return {
      type: "cloudwatch",
      logGroupName: d.logGroupName ?? `/aws/vendedlogs/vpc-lattice/${resourceName}`,
      retentionInDays: d.retentionInDays ?? DEFAULT_RETENTION_DAYS,
    };
  }
  const [key, arn, re, rule] =
    d.type === "s3"
      ? (["bucketArn", d.bucketArn, S3_BUCKET_ARN, S3_RULE] as const)
      : (["deliveryStreamArn", d.deliveryStreamArn, FIREHOSE_STREAM_ARN, FIREHOSE_RULE] as const);
  const destinationArn = check.input(arn, (known) =>
    check.pattern(`${at}.${key}`, known, re, rule),
  );
  return { type: d.type, destinationArn: destinationArn! };
}

const S3_RULE = "must be an S3 bucket ARN, arn:aws:s3:::<bucket>[/<prefix>]";
const FIREHOSE_RULE =
  "must be a Firehose delivery stream ARN, arn:aws:firehose:<region>:<account>:deliverystream/<name>";

export interface AccessLogs {
  /** The log group, for `cloudwatch`. Kept when deleted (`retainOnDelete`): it holds data. */
  logGroup?: cloudwatch.LogGroup;
  subscription: vpclattice.AccessLogSubscription;
}

/** Creates the destination (a log group) if it is ours, and the subscription of `resourceArn`. */
export function createAccessLogs(
  name: string,
  parent: pulumi.Resource,
  d: ResolvedAccessLogs,
  resourceArn: pulumi.Output<string>,
  tags: Record<string, string>,
): AccessLogs {
  let logGroup: cloudwatch.LogGroup | undefined;
  let destinationArn: pulumi.Input<string>;
  if (d.type === "cloudwatch") {
    logGroup = new cloudwatch.LogGroup(
      childName(name, "access-logs"),
      { name: d.logGroupName, retentionInDays: d.retentionInDays, tags },
      // Logs are data: a rename or a removed setting must not delete them.
      { parent, retainOnDelete: true },
    );
    destinationArn = logGroup.arn;
  } else {
    destinationArn = d.destinationArn;
  }
  const subscription = new vpclattice.AccessLogSubscription(
    childName(name, "access-log-subscription"),
    { resourceIdentifier: resourceArn, destinationArn, tags },
    { parent },
  );
  return { logGroup, subscription };
}
