/**
 * Where alerts go: kube-prometheus-stack's `alertmanager.config` (Alertmanager's configuration
 * file) built from typed receivers and routes. Every credential stays in a Kubernetes Secret:
 * the Secrets are mounted by the operator (`alertmanagerSpec.secrets`, at
 * /etc/alertmanager/secrets/<secret>/<key>) and the receivers read them through Alertmanager's
 * `*_file` fields, so no secret value is in the values, the state or the config.
 * https://prometheus.io/docs/alerting/latest/configuration/ (slack `api_url_file`, pagerduty
 * `routing_key_file`, webhook `url_file`, email `auth_password_file`; Alertmanager v0.34 in chart 88.5.3)
 */
import { ArgChecker } from "../../core/validate";
import { escapeRegex } from "../../core/regex";
import type { Values } from "./helm";

/** A key of a Secret in the monitoring namespace. */
export interface SecretFileArgs {
  /** Secret name. */
  name: string;
  /** Key in the Secret. */
  key: string;
}

interface ReceiverBase {
  /** Also notify when the alert resolves. @default true */
  sendResolved?: boolean;
}
/** Slack incoming webhook; the URL is the secret. */
export interface SlackReceiverArgs extends ReceiverBase {
  type: "slack";
  webhookUrl: SecretFileArgs;
  /** Channel, e.g. `#alerts` (the webhook's own channel when unset). */
  channel?: string;
}
/** PagerDuty Events API v2; the integration's routing key is the secret. */
export interface PagerDutyReceiverArgs extends ReceiverBase {
  type: "pagerduty";
  routingKey: SecretFileArgs;
}
/** A generic webhook; its URL (which often carries a token) is the secret. */
export interface WebhookReceiverArgs extends ReceiverBase {
  type: "webhook";
  url: SecretFileArgs;
}
/** Email through an SMTP relay. */
export interface EmailReceiverArgs extends ReceiverBase {
  type: "email";
  to: string;
  from: string;
  /** SMTP relay as `host:port`. */
  smarthost: string;
  username?: string;
  /** SMTP password, needed with `username`. */
  password?: SecretFileArgs;
}
export type AlertReceiverArgs =
  SlackReceiverArgs | PagerDutyReceiverArgs | WebhookReceiverArgs | EmailReceiverArgs;

/** One route, tried in order: alerts matching every given matcher go to `receiver`. */
export interface AlertRouteArgs {
  receiver: string;
  /** `severity` label values, e.g. `["critical"]`. */
  severities?: string[];
  /** `namespace` label values (the namespace of the service an alert is about). */
  namespaces?: string[];
  /** Keep trying later routes after this one matched. @default false */
  continue?: boolean;
}

export interface AlertingArgs {
  /** Receivers by name. */
  receivers: Record<string, AlertReceiverArgs>;
  /** Routes, first match wins (unless `continue`). @default [] */
  routes?: AlertRouteArgs[];
  /** Receiver of every alert no route takes. */
  defaultReceiver: string;
  /**
   * Receiver of kube-prometheus-stack's always-firing `Watchdog` alert, a dead man's switch
   * (the receiver alerts when it stops arriving). Unset: the Watchdog is dropped.
   */
  watchdog?: string;
  /** Labels an alert group shares. @default ["alertname", "namespace", "service"] */
  groupBy?: string[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const LABEL_VALUE = /^[A-Za-z0-9_.:/-]+$/;
const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$/;
const EMAIL = /^[^\s@<>"']+@[^\s@<>"']+$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const SECRETS_DIR = "/etc/alertmanager/secrets";

function checkSecret(check: ArgChecker, path: string, s: SecretFileArgs | undefined): void {
  // The schema requires name and key; the Secret itself may be unset (`password` is optional).
  const secret = check.require(path, s, "{ name, key } of a Secret in the monitoring namespace");
  check.dnsSubdomain(`${path}.name`, secret.name);
  check.secretKey(`${path}.key`, secret.key);
}

/** Validates `alerting` at `prefix` (e.g. "alerting."). */
export function checkAlerting(check: ArgChecker, prefix: string, a: AlertingArgs): void {
  const names = Object.keys(a.receivers ?? {}).sort();
  if (names.length === 0) check.fail(`${prefix}receivers`, a.receivers, "at least one receiver");
  for (const [n, r] of Object.entries(a.receivers ?? {})) {
    const p = `${prefix}receivers.${n}`;
    check.pattern(p, n, NAME, "receiver names are letters, digits, '_', '.' and '-'");
    if (n === "null")
      check.fail(p, n, '"null" is the receiver that drops alerts; pick another name');
    if (r.type === "slack") {
      checkSecret(check, `${p}.webhookUrl`, r.webhookUrl);
      check.pattern(`${p}.channel`, r.channel, /^[#@]?[\w.-]+$/, 'a channel such as "#alerts"');
    }
    if (r.type === "pagerduty") checkSecret(check, `${p}.routingKey`, r.routingKey);
    if (r.type === "webhook") checkSecret(check, `${p}.url`, r.url);
    if (r.type === "email") {
      check.pattern(`${p}.to`, r.to, EMAIL, "an email address");
      check.pattern(`${p}.from`, r.from, EMAIL, "an email address");
      check.pattern(`${p}.smarthost`, r.smarthost, HOST_PORT, 'an SMTP relay as "host:port"');
      if (r.username !== undefined) checkSecret(check, `${p}.password`, r.password);
    }
  }
  const known = (path: string, name: string | undefined) => {
    check.require(path, name, `one of the receivers: ${names.join(", ")}`);
    if (!names.includes(name as string))
      check.fail(path, name, `must be one of the receivers: ${names.join(", ")}`);
  };
  known(`${prefix}defaultReceiver`, a.defaultReceiver);
  if (a.watchdog !== undefined) known(`${prefix}watchdog`, a.watchdog);
  (a.routes ?? []).forEach((r, i) => {
    const p = `${prefix}routes[${i}]`;
    known(`${p}.receiver`, r.receiver);
    (r.severities ?? []).forEach((v, j) =>
      check.pattern(`${p}.severities[${j}]`, v, LABEL_VALUE, "a label value"),
    );
    (r.namespaces ?? []).forEach((v, j) => check.dnsLabel(`${p}.namespaces[${j}]`, v));
    if ((r.severities ?? []).length === 0 && (r.namespaces ?? []).length === 0)
      check.fail(
        p,
        r,
        "a route needs severities or namespaces; unmatched alerts go to defaultReceiver",
      );
  });
  (a.groupBy ?? []).forEach((l, i) =>
    check.pattern(`${prefix}groupBy[${i}]`, l, LABEL_NAME, "a label name"),
  );
}

const file = (s: SecretFileArgs) => `${SECRETS_DIR}/${s.name}/${s.key}`;

function receiverConfig(name: string, r: AlertReceiverArgs): Values {
  const resolved = { send_resolved: r.sendResolved ?? true };
  switch (r.type) {
    case "slack":
      return {
        name,
        slack_configs: [
          {
            ...resolved,
            api_url_file: file(r.webhookUrl),
            ...(r.channel ? { channel: r.channel } : {}),
          },
        ],
      };
    case "pagerduty":
      return { name, pagerduty_configs: [{ ...resolved, routing_key_file: file(r.routingKey) }] };
    case "webhook":
      return { name, webhook_configs: [{ ...resolved, url_file: file(r.url) }] };
    case "email":
      return {
        name,
        email_configs: [
          {
            ...resolved,
            from: r.from,
            smarthost: r.smarthost,
            to: r.to,
            ...(r.username !== undefined && r.password
              ? { auth_username: r.username, auth_password_file: file(r.password) }
              : {}),
          },
        ],
      };
  }
}

function secretsOf(r: AlertReceiverArgs): SecretFileArgs[] {
  if (r.type === "slack") return [r.webhookUrl];
  if (r.type === "pagerduty") return [r.routingKey];
  if (r.type === "webhook") return [r.url];
  return r.password ? [r.password] : [];
}

/**
 * Matchers in Alertmanager's syntax: `label="a"`, or `label=~"a|b"` with each value's regex
 * characters escaped (so `crit.v1` matches only itself), quoted with OpenMetrics escapes (`\"`,
 * `\\`), as JSON.stringify writes them for the characters LABEL_VALUE admits.
 * https://github.com/prometheus/alertmanager/blob/main/pkg/labels/parse.go (ParseMatcher)
 */
function matcher(label: string, values: string[]): string {
  const quoted = values.length === 1 ? values[0] : values.map(escapeRegex).join("|");
  return `${label}${values.length === 1 ? "=" : "=~"}${JSON.stringify(quoted)}`;
}

/**
 * `alertmanager.*` values for checked args: the config (routes, receivers, inhibition) and the
 * Secrets to mount. Inhibition: a critical alert silences warning/info alerts of the same
 * service (`namespace` and `service` labels, which the service alerts carry).
 */
export function alertmanagerValues(a: AlertingArgs): Values {
  const receivers = Object.keys(a.receivers)
    .sort()
    .map((n) => receiverConfig(n, a.receivers[n]));
  const secrets = [
    ...new Set(
      Object.values(a.receivers)
        .flatMap(secretsOf)
        .map((s) => s.name),
    ),
  ].sort();
  const routes: Values[] = [
    // First, so the Watchdog never reaches a person's receiver.
    {
      matchers: ['alertname="Watchdog"'],
      receiver: a.watchdog ?? "null",
      ...(a.watchdog ? { group_wait: "0s", group_interval: "1m", repeat_interval: "1m" } : {}),
    },
    ...(a.routes ?? []).map((r) => ({
      matchers: [
        ...(r.severities?.length ? [matcher("severity", r.severities)] : []),
        ...(r.namespaces?.length ? [matcher("namespace", r.namespaces)] : []),
      ],
      receiver: r.receiver,
      ...(r.continue ? { continue: true } : {}),
    })),
  ];
  return {
    alertmanagerSpec: { secrets },
    config: {
      inhibit_rules: [
        {
          equal: ["namespace", "service"],
          source_matchers: ['severity="critical"'],
          target_matchers: ['severity=~"warning|info"'],
        },
      ],
      receivers: [{ name: "null" }, ...receivers],
      route: {
        group_by: a.groupBy ?? ["alertname", "namespace", "service"],
        group_interval: "5m",
        group_wait: "30s",
        receiver: a.defaultReceiver,
        repeat_interval: "4h",
        routes,
      },
    },
  };
}
