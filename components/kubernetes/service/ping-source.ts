import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { IPingSource } from "@kubernetes-models/knative/sources.knative.dev/v1/PingSource" with {
  "resolution-mode": "import",
};
import { ArgChecker } from "../../core/validate";
import { KubeObject } from "../../core/kube";
import { CRON_RULE, cronError } from "../../core/cron";
import { MeshInfo } from "../mesh-info";
import { placeWorkload, metaFor, NamespaceRef, registerObject, ServiceContext } from "./spec";
import { checkArgs } from "../../core/args-schema";
import schema from "../../../schema/PingSource.schema.json";

const JSON_TYPE = "application/json";

export interface PingSourceArgs {
  /** @default "default" */
  namespace?: string | NamespaceRef;
  mesh?: MeshInfo;
  /**
   * When to send: 5 cron fields (minute hour day-of-month month day-of-week), 6 with leading
   * seconds, or a descriptor (@hourly, @daily, @weekly, @monthly, @yearly); `@every` is refused,
   * as Knative's webhook does. https://knative.dev/docs/eventing/sources/ping-source/
   */
  schedule: string;
  /** IANA time zone of the schedule, e.g. "Europe/Berlin". @default the adapter's (UTC) */
  timezone?: string;
  /** Media type of the event data. @default none (Knative sends the data as it is) */
  contentType?: string;
  /** Event data as text; with contentType "application/json" a JSON object. Not with `dataBase64`. */
  data?: string;
  /** Event data, base64-encoded (binary payloads); with contentType "application/json" a JSON object. */
  dataBase64?: string;
  /** Where the events go: a Broker, by name, in the source's namespace. */
  sink: { broker: string };
}

/** Whether `text` decodes as a JSON object, as Go's json.Unmarshal into a map accepts it. */
function isJsonObject(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === "object" && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

/** Whether `text` is standard, padded base64 (Go's base64.StdEncoding). */
function isBase64(text: string): boolean {
  return text.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(text);
}

/** Whether the runtime's time zone database knows `zone` (Go's time.LoadLocation). */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** PingSourceArgs checked, with the namespace and mesh resolved. @internal */
export interface ResolvedPingSource extends Pick<
  PingSourceArgs,
  "schedule" | "timezone" | "contentType" | "data" | "dataBase64"
> {
  ctx: ServiceContext;
  broker: string;
}

/**
 * Validates PingSourceArgs (name included) with the checks of Knative's PingSource webhook (knative/eventing
 * pkg/apis/sources/v1/ping_validation.go): the schedule parses, the time zone exists, data and
 * dataBase64 exclude each other, base64 decodes, JSON data is a JSON object.
 * @internal
 */
export function resolvePingSource(
  check: ArgChecker,
  name: string,
  a: PingSourceArgs,
): ResolvedPingSource {
  const ctx = placeWorkload(check, name, a);
  const scheduleError = cronError(a.schedule);
  if (scheduleError) check.fail("schedule", a.schedule, `${CRON_RULE} (${scheduleError})`);
  if (a.timezone !== undefined && !isTimeZone(a.timezone))
    check.fail("timezone", a.timezone, 'an IANA time zone name such as "Europe/Berlin" or "UTC"');
  if (a.data !== undefined && a.dataBase64 !== undefined)
    check.fail("dataBase64", "(given)", "give data or dataBase64, not both");
  if (a.dataBase64 !== undefined && !isBase64(a.dataBase64))
    check.fail("dataBase64", a.dataBase64, "standard base64 with padding");
  const json = a.contentType === JSON_TYPE;
  if (json && a.data !== undefined && !isJsonObject(a.data))
    check.fail("data", a.data, `a JSON object, since contentType is "${JSON_TYPE}"`);
  if (
    json &&
    a.dataBase64 !== undefined &&
    !isJsonObject(Buffer.from(a.dataBase64, "base64").toString("utf8"))
  )
    check.fail("dataBase64", a.dataBase64, `a JSON object, since contentType is "${JSON_TYPE}"`);
  check.dnsLabel("sink.broker", a.sink.broker);
  return {
    ctx,
    schedule: a.schedule,
    ...(a.timezone !== undefined ? { timezone: a.timezone } : {}),
    ...(a.contentType !== undefined ? { contentType: a.contentType } : {}),
    ...(a.data !== undefined ? { data: a.data } : {}),
    ...(a.dataBase64 !== undefined ? { dataBase64: a.dataBase64 } : {}),
    broker: a.sink.broker,
  };
}

/** The PingSource of a resolved source. @internal */
export function pingSourceObject(r: ResolvedPingSource): KubeObject<
  NonNullable<IPingSource["spec"]>
> & {
  apiVersion: "sources.knative.dev/v1";
  kind: "PingSource";
} {
  return {
    apiVersion: "sources.knative.dev/v1",
    kind: "PingSource",
    metadata: metaFor(r.ctx, r.ctx.name, "ping-source"),
    spec: {
      schedule: r.schedule,
      ...(r.timezone !== undefined ? { timezone: r.timezone } : {}),
      ...(r.contentType !== undefined ? { contentType: r.contentType } : {}),
      ...(r.data !== undefined ? { data: r.data } : {}),
      ...(r.dataBase64 !== undefined ? { dataBase64: r.dataBase64 } : {}),
      sink: { ref: { apiVersion: "eventing.knative.dev/v1", kind: "Broker", name: r.broker } },
    },
  };
}

/**
 * A Knative `PingSource`: a CloudEvent (type `dev.knative.sources.ping`) on a cron schedule, sent
 * to a Broker. Eventing's `pingsource-mt-adapter` sends it, from Eventing's namespace.
 */
export class PingSource extends pulumi.ComponentResource {
  readonly source: k8s.apiextensions.CustomResource;

  constructor(name: string, args: PingSourceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-serverless:service:PingSource", name, {}, opts);
    checkArgs(this, schema, args);
    const r = resolvePingSource(new ArgChecker(this), name, args);
    this.source = registerObject(this, pingSourceObject(r), r.ctx.dependsOn);
    this.registerOutputs({});
  }
}
