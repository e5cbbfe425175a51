import { strict as assert } from "assert";
import fc from "fast-check";
import * as h from "../../harness";
import { EventBroker } from "../../../components/kubernetes/service/event-broker";
import { EventTrigger } from "../../../components/kubernetes/service/event-trigger";
import { PingSource } from "../../../components/kubernetes/service/ping-source";
import { MeshNamespace } from "../../../components/kubernetes/service/mesh-namespace";
import { ServerlessService } from "../../../components/kubernetes/service/serverless-service";
import {
  triggerDeliveryRule,
  withTriggerDelivery,
} from "../../../components/kubernetes/service/event-access";
import { cronError } from "../../../components/core/cron";
import { FakeRelease, labels, meta, parent, RELEASE, spec, T } from "./helpers";

const BROKER = "kubernetes:eventing.knative.dev/v1:Broker";
const TRIGGER = "kubernetes:eventing.knative.dev/v1:Trigger";
const PING = "kubernetes:sources.knative.dev/v1:PingSource";

describe("kubernetes/service eventing: EventBroker, EventTrigger, PingSource", () => {
  beforeEach(() => h.reset());

  it("EventBroker: the Broker and its channel's ISTIO_MUTUAL DestinationRule, after the mesh and namespace", async () => {
    const mesh = { dependsOn: [new FakeRelease("istio-base")] };
    const ns = new MeshNamespace("events", { mesh });
    const b = new EventBroker("default", {
      namespace: ns,
      mesh,
      class: "MTChannelBasedBroker",
      delivery: { retry: 3, backoffPolicy: "exponential", backoffDelay: "1s" },
    });
    await h.settled();
    const broker = h.get(BROKER, "events/default");
    assert.equal(parent(broker), "mesh-serverless:service:EventBroker::default");
    assert.deepEqual(broker.inputs.metadata, {
      name: "default",
      namespace: "events",
      labels: labels("default", "event-broker"),
      annotations: { "eventing.knative.dev/broker.class": "MTChannelBasedBroker" },
    });
    assert.deepEqual(broker.inputs.spec, {
      delivery: { retry: 3, backoffPolicy: "exponential", backoffDelay: "PT1S" },
    });
    assert.deepEqual(h.dependencies(broker), [
      `${T.ns}::events`,
      RELEASE,
      `${T.pa}::events/default`,
    ]);
    const dr = h.get(T.dr, "events/default-kne-trigger-kn-channel");
    assert.equal(parent(dr), "mesh-serverless:service:EventBroker::default");
    assert.deepEqual(spec(T.dr, "events/default-kne-trigger-kn-channel"), {
      host: "default-kne-trigger-kn-channel.events.svc.cluster.local",
      trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } },
    });
    assert.deepEqual(h.dependencies(dr), [`${T.ns}::events`, RELEASE, `${T.pa}::events/default`]);
    assert.equal(
      await h.resolve(b.address),
      "http://broker-ingress.knative-eventing.svc.cluster.local/events/default",
    );
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  it("EventBroker: no class, no delivery: the cluster's defaults (an empty spec, no annotation)", async () => {
    new EventBroker("default", { mesh: { eventingNamespace: "eventing" } });
    await h.settled();
    assert.deepEqual(meta(BROKER, "default/default").annotations, undefined);
    assert.deepEqual(spec(BROKER, "default/default"), {});
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  it("EventTrigger: exact attribute filters (sorted), a Knative Service subscriber with a path, and the broker filter's delivery rule", async () => {
    const t = new EventTrigger("orders-created", {
      namespace: "events",
      mesh: { eventingNamespace: "eventing" },
      broker: "default",
      filter: { type: "dev.example.order.created", source: "/orders" },
      subscriber: { service: "orders", path: "/events" },
      delivery: { retry: 2 },
    });
    await h.settled();
    const trigger = h.get(TRIGGER, "events/orders-created");
    assert.equal(parent(trigger), "mesh-serverless:service:EventTrigger::orders-created");
    assert.deepEqual(trigger.inputs.spec, {
      broker: "default",
      filter: { attributes: { source: "/orders", type: "dev.example.order.created" } },
      subscriber: {
        ref: { apiVersion: "serving.knative.dev/v1", kind: "Service", name: "orders" },
        uri: "/events",
      },
      delivery: { retry: 2 },
    });
    assert.deepEqual(h.dependencies(trigger), []);
    assert.equal(t.deliveryServiceAccount, "eventing/mt-broker-filter");
    assert.deepEqual(t.deliveryRule, {
      serviceAccounts: ["eventing/mt-broker-filter"],
      methods: ["POST"],
      paths: ["/events"],
    });
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  it("PingSource: schedule, zone, JSON data, a Broker sink", async () => {
    new PingSource("tick", {
      namespace: "events",
      schedule: "*/1 * * * *",
      timezone: "Europe/Berlin",
      contentType: "application/json",
      data: '{"message":"tick"}',
      sink: { broker: "default" },
    });
    await h.settled();
    const ping = h.get(PING, "events/tick");
    assert.equal(parent(ping), "mesh-serverless:service:PingSource::tick");
    assert.deepEqual(ping.inputs.spec, {
      schedule: "*/1 * * * *",
      timezone: "Europe/Berlin",
      contentType: "application/json",
      data: '{"message":"tick"}',
      sink: { ref: { apiVersion: "eventing.knative.dev/v1", kind: "Broker", name: "default" } },
    });
    assert.deepEqual(meta(PING, "events/tick").labels, labels("tick", "ping-source"));
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  it("a service reached by a Trigger admits the broker filter (and the activator forwarding it) and no one else", async () => {
    const rule = triggerDeliveryRule("knative-eventing", ["/events", "/events"]);
    new ServerlessService("orders", {
      namespace: "events",
      image: "ghcr.io/example/orders:1",
      access: withTriggerDelivery(undefined, rule),
    });
    await h.settled();
    const post = [{ operation: { methods: ["POST"], paths: ["/events"] } }];
    assert.deepEqual((spec(T.ap, "events/orders") as { rules: unknown[] }).rules, [
      {
        from: [
          { source: { principals: ["cluster.local/ns/knative-eventing/sa/mt-broker-filter"] } },
        ],
        to: post,
      },
      {
        from: [{ source: { principals: ["cluster.local/ns/knative-serving/sa/activator"] } }],
        to: post,
      },
      {
        from: [{ source: { principals: ["cluster.local/ns/knative-serving/sa/activator"] } }],
        to: [{ operation: { methods: ["GET"], paths: ["/healthz"] } }],
      },
      {
        from: [{ source: { principals: ["cluster.local/ns/knative-serving/sa/controller"] } }],
        to: [{ operation: { methods: ["GET"], paths: ["/metrics"] } }],
      },
    ]);
  });

  it("withTriggerDelivery keeps the service's own rules first and its trust domain", () => {
    const own = { serviceAccounts: ["web/frontend"], methods: ["GET"] };
    assert.deepEqual(
      withTriggerDelivery({ allow: [own], trustDomain: "corp.example" }, triggerDeliveryRule("ke")),
      {
        allow: [own, { serviceAccounts: ["ke/mt-broker-filter"], methods: ["POST"] }],
        trustDomain: "corp.example",
      },
    );
  });

  it("rejects bad input before creating any child, naming the argument", async () => {
    const cases: [() => unknown, string, string, string][] = [
      [() => new EventBroker("Default", {}), "name", '"Default"', "DNS-1123"],
      [
        () => new EventBroker("b".repeat(41), {}),
        "name",
        "b".repeat(41),
        'at most 40 characters: Knative names the broker\'s channel Service "<name>-kne-trigger-kn-channel"',
      ],
      [
        () => new EventBroker("default", { class: "Kafka" } as never),
        "class",
        '"Kafka"',
        "MTChannelBasedBroker",
      ],
      [
        () => new EventBroker("default", { delivery: { retry: 101 } }),
        "delivery.retry",
        "101",
        "0 to 100",
      ],
      [
        () => new EventBroker("default", { delivery: { backoffDelay: "0s" } }),
        "delivery.backoffDelay",
        '"0s"',
        "at least 1ms",
      ],
      [
        () => new EventBroker("default", { mesh: { eventingNamespace: "Eventing" } }),
        "mesh.eventingNamespace",
        '"Eventing"',
        "DNS-1123",
      ],
      [
        () => new EventTrigger("a.b", { broker: "default", subscriber: { service: "orders" } }),
        "name",
        '"a.b"',
        "DNS-1123 label",
      ],
      [
        () => new PingSource("p".repeat(64), { schedule: "@daily", sink: { broker: "default" } }),
        "name",
        "p".repeat(64),
        "DNS-1123 label",
      ],
      [
        () => new EventTrigger("t", { broker: "Default", subscriber: { service: "orders" } }),
        "broker",
        '"Default"',
        "DNS-1123",
      ],
      [
        () =>
          new EventTrigger("t", {
            broker: "default",
            filter: { Type: "x" },
            subscriber: { service: "orders" },
          }),
        "filter.Type",
        '"Type"',
        "lowercase letters and digits, starting with a letter",
      ],
      [
        () =>
          new EventTrigger("t", {
            broker: "default",
            filter: { "ce-type": "x" },
            subscriber: { service: "orders" },
          }),
        "filter.ce-type",
        '"ce-type"',
        "CloudEvents attribute name",
      ],
      [
        () => new EventTrigger("t", { broker: "default", subscriber: { service: "Orders" } }),
        "subscriber.service",
        '"Orders"',
        "DNS-1123",
      ],
      [
        () =>
          new EventTrigger("t", {
            broker: "default",
            subscriber: { service: "orders", path: "http://orders/x" },
          }),
        "subscriber.path",
        '"http://orders/x"',
        "starting with '/'",
      ],
      [
        () =>
          new EventTrigger("t", {
            broker: "default",
            subscriber: { service: "orders", path: "/events/*" },
          }),
        "subscriber.path",
        '"/events/*"',
        "without '*'",
      ],
      [
        () => new PingSource("p", { schedule: "@every 1m", sink: { broker: "default" } }),
        "schedule",
        '"@every 1m"',
        "Knative refuses the @every descriptor",
      ],
      [
        () => new PingSource("p", { schedule: "61 * * * *", sink: { broker: "default" } }),
        "schedule",
        '"61 * * * *"',
        "above the maximum 59",
      ],
      [
        () => new PingSource("p", { schedule: "* * * *", sink: { broker: "default" } }),
        "schedule",
        '"* * * *"',
        "expected 5 or 6 fields, found 4",
      ],
      [
        () =>
          new PingSource("p", {
            schedule: "CRON_TZ=UTC * * * * *",
            sink: { broker: "default" },
          }),
        "schedule",
        '"CRON_TZ=UTC * * * * *"',
        "belongs in `timezone`",
      ],
      [
        () =>
          new PingSource("p", {
            schedule: "* * * * *",
            timezone: "Mars/Olympus",
            sink: { broker: "default" },
          }),
        "timezone",
        '"Mars/Olympus"',
        "IANA time zone",
      ],
      [
        () =>
          new PingSource("p", {
            schedule: "* * * * *",
            data: "a",
            dataBase64: "YQ==",
            sink: { broker: "default" },
          }),
        "dataBase64",
        "(given)",
        "give data or dataBase64, not both",
      ],
      [
        () =>
          new PingSource("p", {
            schedule: "* * * * *",
            dataBase64: "not base64!",
            sink: { broker: "default" },
          }),
        "dataBase64",
        '"not base64!"',
        "standard base64",
      ],
      [
        () =>
          new PingSource("p", {
            schedule: "* * * * *",
            contentType: "application/json",
            data: "[1,2]",
            sink: { broker: "default" },
          }),
        "data",
        '"[1,2]"',
        "a JSON object",
      ],
      [
        () =>
          new PingSource("p", {
            schedule: "* * * * *",
            contentType: "application/json",
            dataBase64: Buffer.from("nope").toString("base64"),
            sink: { broker: "default" },
          }),
        "dataBase64",
        Buffer.from("nope").toString("base64"),
        "a JSON object",
      ],
      [
        () => new PingSource("p", { schedule: "* * * * *", sink: { broker: "Default" } }),
        "sink.broker",
        '"Default"',
        "DNS-1123",
      ],
    ];
    for (const [build, arg, value, allowed] of cases) {
      await h.reset();
      await h.expectInvalid(build, arg, value, allowed);
    }
  });
});

describe("core/cron (robfig/cron as Knative's PingSource parses it)", () => {
  it("accepts what robfig/cron accepts: steps, ranges, lists, names, seconds, descriptors", () => {
    for (const s of [
      "* * * * *",
      "*/5 * * * *",
      "0 9-17/2 * * MON-FRI",
      "0 0 1,15 jan,jul ?",
      "30 */10 * * * *",
      "5/15 * * * *",
      "0 0 * * 0",
      "@hourly",
      "@midnight",
      "@annually",
    ])
      assert.equal(cronError(s), undefined, s);
  });

  it("refuses what it refuses, saying why", () => {
    const cases: [string, string][] = [
      ["", "the schedule is empty"],
      ["@every 5m", "Knative refuses the @every descriptor"],
      ["@often", 'unknown descriptor "@often"'],
      ["* * * * * * *", "expected 5 or 6 fields, found 7"],
      ["* 24 * * *", 'hours "24" above the maximum 23'],
      ["* * 0 * *", 'day of month "0" below the minimum 1'],
      ["* * * 13 *", 'month "13" above the maximum 12'],
      ["* * * * 7", 'day of week "7" above the maximum 6'],
      ["*/0 * * * *", 'step of "*/0" should be a positive number'],
      ["5-1 * * * *", 'minutes "5-1" begins after it ends'],
      ["1-2-3 * * * *", 'too many hyphens in "1-2-3"'],
      ["1/2/3 * * * *", 'too many slashes in "1/2/3"'],
      ["x * * * *", '"x" is not a number in minutes'],
      ["1,,2 * * * *", '"" is not a number in minutes'],
    ];
    for (const [s, why] of cases) assert.equal(cronError(s), why, s);
  });

  it("property: every in-range 5-field schedule of plain numbers parses", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 1, max: 31 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 6 }),
        (m, hr, dom, mon, dow) => cronError(`${m} ${hr} ${dom} ${mon} ${dow}`) === undefined,
      ),
    );
  });
});
