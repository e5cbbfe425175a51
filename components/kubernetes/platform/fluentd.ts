import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import { childName } from "../../core/names";
import { ArgChecker } from "../../core/validate";
import { chartVersion, checkRegistry, finalValuesOf, helmRelease, Values } from "./helm";
import { CHARTS } from "./versions";
import {
  fluentdPipeline,
  outputUsesTls,
  PASSWORD_ENV,
  TLS_DIR,
  USER_ENV,
} from "./fluentd-pipeline";

export { fluentdPipeline };
import { checkArgs } from "../../core/args-schema";
import schema from "../../../schema/Fluentd.schema.json";

/** A key of a Kubernetes Secret. */
export interface SecretKeyRef {
  /** Secret name, in the Fluentd namespace. */
  name: string;
  key: string;
}

/** Credentials of the log store, read from a Kubernetes Secret (never from config). */
export interface OutputCredentials {
  /** Secret name, in the Fluentd namespace (may come from the Secret resource that holds them). */
  secretName: pulumi.Input<string>;
  /** @default "username" */
  usernameKey?: string;
  /** @default "password" */
  passwordKey?: string;
}

/** TLS to the log store. */
export interface OutputTls {
  /** Use https. @default true */
  enabled?: boolean;
  /** Verify the server certificate. @default true */
  verify?: boolean;
  /** CA bundle (PEM) in a Secret, mounted at `/fluentd/tls/<key>`. @default the image's CAs */
  ca?: SecretKeyRef;
}

/** Ship to Elasticsearch or OpenSearch. @see https://github.com/uken/fluent-plugin-elasticsearch */
export interface SearchOutput {
  type: "elasticsearch" | "opensearch";
  /** Host name or IPv4 address, no scheme or port (may come from the resource that runs it). */
  host: pulumi.Input<string>;
  /** @default 9200 */
  port?: number;
  /** Index to write. @default "fluentd" */
  index?: string;
  tls?: OutputTls;
  credentials?: OutputCredentials;
}

/** Print records on Fluentd's stdout (development). */
export interface StdoutOutput {
  type: "stdout";
}

export type FluentdOutput = SearchOutput | StdoutOutput;

/** Fluentd arguments checked, every default applied. */
export interface ResolvedFluentd {
  namespace: string;
  version: string;
  output: FluentdOutput;
  path: string;
  registry?: string;
  values?: Values;
}

/** Checks FluentdArgs and applies defaults (MeshPlatform runs it scoped as `fluentd.*`). */
export function resolveFluentd(check: ArgChecker, args: FluentdArgs): ResolvedFluentd {
  const namespace = args.namespace ?? "logging";
  check.dnsLabel("namespace", namespace);
  const version = chartVersion(check, "version", args.version, CHARTS.fluentd.version);
  let output: FluentdOutput = args.output ?? { type: "stdout" };
  if (output.type !== "stdout") {
    const host = check.input(output.host, (v) =>
      check.pattern(
        "output.host",
        v,
        HOST,
        "must be a DNS host name or an IPv4 address (no scheme, no port)",
      ),
    ) as pulumi.Input<string>;
    check.port("output.port", output.port);
    check.pattern(
      "output.index",
      output.index,
      INDEX,
      "must be a lowercase index name of letters, digits, '.', '_' and '-', starting with a letter or digit, at most 255 characters",
    );
    if (output.tls?.ca) {
      check.dnsSubdomain("output.tls.ca.name", output.tls.ca.name);
      check.secretKey("output.tls.ca.key", output.tls.ca.key);
      if (output.tls.enabled === false)
        check.fail("output.tls.ca", output.tls.ca, "needs output.tls.enabled: true");
    }
    let credentials = output.credentials;
    if (credentials) {
      const c = credentials;
      const secretName = check.input(c.secretName, (v) =>
        check.dnsSubdomain("output.credentials.secretName", v),
      ) as pulumi.Input<string>;
      credentials = { ...c, secretName };
      check.secretKey("output.credentials.usernameKey", c.usernameKey);
      check.secretKey("output.credentials.passwordKey", c.passwordKey);
    }
    output = { ...output, host, ...(credentials ? { credentials } : {}) };
  }
  const path = args.path ?? "/var/log/containers/*.log";
  check.pattern("path", path, PATH, "must be an absolute file path or glob without spaces");
  checkRegistry(check, "registry", args.registry);
  return { namespace, version, output, path, registry: args.registry, values: args.values };
}

const HOST =
  /^(([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*|\d{1,3}(\.\d{1,3}){3})$/;
const INDEX = /^[a-z0-9][a-z0-9._-]{0,254}$/;
// Pasted into the config unquoted: no whitespace (a new parameter or line), no '<' or '>' (a
// section such as `</match>`), no '#' (a comment), no quotes, no control characters (NUL).
const PATH = /^\/[^\s<>"'#\x00-\x1f\x7f]*$/;
/** Values of chart `fluentd`. */
export function fluentdValues(i: {
  output: pulumi.Unwrap<FluentdOutput>;
  path: string;
  namespace: string;
  registry?: string;
}): Values {
  const values: Values = {
    fileConfigs: fluentdPipeline(i.output, i.path, i.namespace),
    kind: "DaemonSet",
    // The chart's default image variant (elasticsearch7) carries the Elasticsearch plugin only.
    // The chart builds the tag from its appVersion and `variant` (templates/_pod.tpl:
    // "v<appVersion>-debian-<variant>-<variantVersion>"), so image and chart move together.
    ...(i.output.type === "opensearch" ? { variant: "opensearch" } : {}),
  };
  if (i.registry !== undefined)
    values.image = { repository: `${i.registry}/fluent/fluentd-kubernetes-daemonset` };
  const o = i.output;
  if (o.type !== "stdout" && o.credentials) {
    const c = o.credentials;
    values.env = [
      {
        name: USER_ENV,
        valueFrom: { secretKeyRef: { key: c.usernameKey ?? "username", name: c.secretName } },
      },
      {
        name: PASSWORD_ENV,
        valueFrom: { secretKeyRef: { key: c.passwordKey ?? "password", name: c.secretName } },
      },
    ];
  }
  if (o.type !== "stdout" && outputUsesTls(o) && o.tls?.ca) {
    values.volumes = [{ name: "output-tls", secret: { secretName: o.tls.ca.name } }];
    values.volumeMounts = [{ mountPath: TLS_DIR, name: "output-tls", readOnly: true }];
  }
  return values;
}

export interface FluentdArgs {
  /** Namespace (created by the release). @default "logging" */
  namespace?: string;
  /** Chart version. @default CHARTS.fluentd.version in versions.ts */
  version?: string;
  /** Where records go. @default { type: "stdout" } */
  output?: FluentdOutput;
  /** Container log files to tail. @default "/var/log/containers/*.log" */
  path?: string;
  /** Image registry mirror (`image.repository` = `<registry>/fluent/fluentd-kubernetes-daemonset`). */
  registry?: string;
  /** Value overrides, deep-merged last. */
  values?: Values;
}

/** Fluentd as a DaemonSet, its pipeline generated from typed args. */
export class Fluentd extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;
  readonly namespace: string;

  constructor(name: string, args: FluentdArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-serverless:platform:Fluentd", name, {}, opts);
    checkArgs(this, schema, args);
    const r = resolveFluentd(new ArgChecker(this), args);
    const { namespace } = r;

    this.release = helmRelease(
      childName(name, "release"),
      {
        name: "fluentd",
        chart: CHARTS.fluentd.chart,
        repo: CHARTS.fluentd.repo,
        version: r.version,
        namespace,
        createNamespace: true,
        values: finalValuesOf({ output: r.output }, (k) => fluentdValues({ ...r, ...k }), r.values),
      },
      { parent: this },
    );
    this.namespace = namespace;
    this.registerOutputs({ namespace });
  }
}
