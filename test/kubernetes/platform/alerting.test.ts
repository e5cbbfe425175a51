import { strict as assert } from "assert";
import * as h from "../../harness";
import { Prometheus } from "../../../components/kubernetes/platform/prometheus";
import { AlertingArgs } from "../../../components/kubernetes/platform/alerting";

const RELEASE = "kubernetes:helm.sh/v3:Release";
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const alertmanager = (name: string): any =>
  (h.get(RELEASE, name).inputs.values as { alertmanager: unknown }).alertmanager;

const alerting: AlertingArgs = {
  receivers: {
    pager: { type: "pagerduty", routingKey: { name: "am-pd", key: "routing-key" } },
    chat: { type: "slack", webhookUrl: { name: "am-slack", key: "url" }, sendResolved: false },
    hook: { type: "webhook", url: { name: "am-hook", key: "url" } },
    mail: {
      type: "email",
      to: "team@example.com",
      from: "am@example.com",
      smarthost: "smtp.example.com:587",
      username: "am",
      password: { name: "am-smtp", key: "password" },
    },
  },
  defaultReceiver: "chat",
  watchdog: "hook",
  routes: [
    { severities: ["critical"], receiver: "pager", continue: true },
    { namespaces: ["shop", "billing"], receiver: "mail" },
  ],
};

describe("platform alerting: alerts that reach someone", () => {
  beforeEach(() => h.reset());

  it("receivers read their credentials from mounted Secrets; routes by severity and namespace", async () => {
    new Prometheus("mon", { alerting });
    await h.settled();
    const am = alertmanager("mon-release");
    assert.deepEqual(am.alertmanagerSpec, { secrets: ["am-hook", "am-pd", "am-slack", "am-smtp"] });
    assert.deepEqual(am.config, {
      inhibit_rules: [
        {
          equal: ["namespace", "service"],
          source_matchers: ['severity="critical"'],
          target_matchers: ['severity=~"warning|info"'],
        },
      ],
      receivers: [
        { name: "null" },
        {
          name: "chat",
          slack_configs: [
            { send_resolved: false, api_url_file: "/etc/alertmanager/secrets/am-slack/url" },
          ],
        },
        {
          name: "hook",
          webhook_configs: [
            { send_resolved: true, url_file: "/etc/alertmanager/secrets/am-hook/url" },
          ],
        },
        {
          name: "mail",
          email_configs: [
            {
              send_resolved: true,
              from: "am@example.com",
              smarthost: "smtp.example.com:587",
              to: "team@example.com",
              auth_username: "am",
              auth_password_file: "/etc/alertmanager/secrets/am-smtp/password",
            },
          ],
        },
        {
          name: "pager",
          pagerduty_configs: [
            {
              send_resolved: true,
              routing_key_file: "/etc/alertmanager/secrets/am-pd/routing-key",
            },
          ],
        },
      ],
      route: {
        group_by: ["alertname", "namespace", "service"],
        group_interval: "5m",
        group_wait: "30s",
        receiver: "chat",
        repeat_interval: "4h",
        routes: [
          {
            matchers: ['alertname="Watchdog"'],
            receiver: "hook",
            group_wait: "0s",
            group_interval: "1m",
            repeat_interval: "1m",
          },
          { matchers: ['severity="critical"'], receiver: "pager", continue: true },
          { matchers: ['namespace=~"shop|billing"'], receiver: "mail" },
        ],
      },
    });
    assert.equal(am.enabled, true);
  });

  it("without a watchdog receiver the Watchdog is dropped; without alerting the chart's config stays", async () => {
    new Prometheus("a", {
      alerting: { receivers: { chat: alerting.receivers.chat }, defaultReceiver: "chat" },
    });
    new Prometheus("b", { namespace: "m2" });
    await h.settled();
    assert.deepEqual(alertmanager("a-release").config.route.routes, [
      { matchers: ['alertname="Watchdog"'], receiver: "null" },
    ]);
    assert.deepEqual(alertmanager("b-release"), { enabled: true });
  });

  it("rejects bad alerting, naming the argument; never echoes a credential", async () => {
    const cases: [object, string, string, string][] = [
      [
        { ...alerting, defaultReceiver: "ops" },
        "alerting.defaultReceiver",
        '"ops"',
        "chat, hook, mail, pager",
      ],
      [
        { ...alerting, watchdog: "dms" },
        "alerting.watchdog",
        '"dms"',
        "must be one of the receivers",
      ],
      [{ ...alerting, receivers: {} }, "alerting.receivers", "{}", "at least one receiver"],
      [
        { ...alerting, routes: [{ receiver: "chat" }] },
        "alerting.routes[0]",
        "receiver",
        "severities or namespaces",
      ],
      [
        { ...alerting, routes: [{ receiver: "chat", namespaces: ["Shop"] }] },
        "alerting.routes[0].namespaces[0]",
        '"Shop"',
        "DNS-1123 label",
      ],
      [
        { receivers: { x: { type: "sms" } }, defaultReceiver: "x" },
        "alerting.receivers.x.type",
        '"sms"',
        "slack",
      ],
      [
        { receivers: { x: { type: "slack" } }, defaultReceiver: "x" },
        "alerting.receivers.x.webhookUrl",
        "undefined",
        "is required",
      ],
      [
        { receivers: { null: alerting.receivers.chat }, defaultReceiver: "null" },
        "alerting.receivers.null",
        '"null"',
        "drops alerts",
      ],
      [
        {
          receivers: { m: { ...alerting.receivers.mail, smarthost: "smtp.example.com" } },
          defaultReceiver: "m",
        },
        "alerting.receivers.m.smarthost",
        '"smtp.example.com"',
        "host:port",
      ],
      [
        {
          receivers: { m: { ...alerting.receivers.mail, password: undefined } },
          defaultReceiver: "m",
        },
        "alerting.receivers.m.password",
        "undefined",
        "Secret",
      ],
    ];
    for (const [a, arg, value, allowed] of cases)
      await h.expectInvalid(
        () => new Prometheus("bad", { alerting: a as AlertingArgs }),
        arg,
        value,
        allowed,
      );
    await h.expectInvalid(
      () => new Prometheus("bad", { alertmanager: false, alerting }),
      "alerting",
      "(receivers)",
      "needs Alertmanager",
    );
  });
});
