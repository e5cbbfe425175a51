import { strict as assert } from "assert";
import * as h from "../harness";
import { find as findIn, Loose, Manifest, Rendered, renderStack, run } from "./run";
import { eventingWarning, withEventDelivery } from "../../stacks/eventing";

const FILTER = "cluster.local/ns/knative-eventing/sa/mt-broker-filter";
const ACTIVATOR = "cluster.local/ns/knative-serving/sa/activator";

describe("stacks: Knative Eventing (issue 16)", () => {
  let dev: Rendered;
  before(async function () {
    this.timeout(120_000);
    dev = await renderStack("dev");
  });
  const find = (kind: string, ns: string, name: string): Manifest => findIn(dev, kind, name, ns);

  it("dev shows one event flow end to end: PingSource -> Broker -> Trigger -> serverless service", () => {
    const ping = find("PingSource", "events", "heartbeat");
    assert.deepEqual(ping.spec.sink.ref, {
      apiVersion: "eventing.knative.dev/v1",
      kind: "Broker",
      name: "default",
    });
    find("Broker", "events", "default");
    const trigger = find("Trigger", "events", "audit-heartbeat");
    assert.equal(trigger.spec.broker, ping.spec.sink.ref.name);
    // The Trigger passes exactly the PingSource's events (knative/eventing
    // pkg/apis/sources/v1/ping_lifecycle.go PingSourceEventType, PingSourceSource).
    assert.deepEqual(trigger.spec.filter.attributes, {
      source: "/apis/v1/namespaces/events/pingsources/heartbeat",
      type: "dev.knative.sources.ping",
    });
    assert.deepEqual(trigger.spec.subscriber, {
      ref: { apiVersion: "serving.knative.dev/v1", kind: "Service", name: "audit" },
      uri: "/events",
    });
    find("Service", "events", "audit");
    assert.deepEqual(find("DestinationRule", "events", "default-kne-trigger-kn-channel").spec, {
      host: "default-kne-trigger-kn-channel.events.svc.cluster.local",
      trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } },
    });
    const ke = find("KnativeEventing", "knative-eventing", "knative-eventing");
    assert.equal(ke.spec.defaultBrokerClass, "MTChannelBasedBroker");
    assert.deepEqual(dev.outputs.brokerAddresses, {
      default: "http://broker-ingress.knative-eventing.svc.cluster.local/events/default",
    });
  });

  it("the subscriber admits the broker filter's POSTs (and the activator forwarding them), no one else", () => {
    const rules = find("AuthorizationPolicy", "events", "audit").spec.rules as Loose[];
    const callers = rules.map((r) => r.from[0].source.principals[0]);
    assert.deepEqual(callers, [
      FILTER,
      ACTIVATOR,
      ACTIVATOR,
      "cluster.local/ns/knative-serving/sa/controller",
    ]);
    assert.deepEqual(rules[0].to, [{ operation: { methods: ["POST"], paths: ["/events"] } }]);
    assert.deepEqual(rules[1].to, rules[0].to);
    // The namespace denies by default, so nothing else reaches it.
    assert.deepEqual(find("AuthorizationPolicy", "events", "allow-nothing").spec, {});
  });

  it("withEventDelivery: one rule per subscriber with every Trigger's path; any path when one names none; other namespaces untouched", () => {
    const serverless = {
      a: { namespace: "events", image: "a:1" },
      b: {
        namespace: "events",
        image: "b:1",
        access: { allow: [{ serviceAccounts: ["web/ui"] }] },
      },
      c: { namespace: "other", image: "c:1" },
    };
    const t = (service: string, p?: string) => ({
      namespace: "events",
      broker: "default",
      subscriber: { service, ...(p ? { path: p } : {}) },
    });
    const out = withEventDelivery(
      {
        serverless,
        triggers: { t1: t("a", "/x"), t2: t("a", "/y"), t3: t("b", "/x"), t4: t("b"), t5: t("c") },
      },
      { eventingNamespace: "ke" },
    );
    const sa = ["ke/mt-broker-filter"];
    assert.deepEqual(out.serverless?.a.access, {
      allow: [{ serviceAccounts: sa, methods: ["POST"], paths: ["/x", "/y"] }],
    });
    assert.deepEqual(out.serverless?.b.access, {
      allow: [{ serviceAccounts: ["web/ui"] }, { serviceAccounts: sa, methods: ["POST"] }],
    });
    assert.deepEqual(out.serverless?.c, serverless.c);
    const none = { serverless };
    assert.equal(withEventDelivery(none, {}), none);
  });

  it("a Trigger's errors name the stack key path; a stack without platform.eventing still builds the objects", async () => {
    await assert.rejects(
      run({
        environment: "dev",
        services: {
          triggers: {
            t: { broker: "default", filter: { Type: "x" }, subscriber: { service: "a" } },
          },
        },
      }),
      /`filter.Type`/,
    );
    await run({
      environment: "dev",
      services: { brokers: { default: { namespace: "events" } } },
    });
    await h.settled();
    assert.deepEqual(h.names("kubernetes:eventing.knative.dev/v1:Broker"), ["events/default"]);
  });

  it("eventingWarning: a platform without eventing but with Eventing objects says so; otherwise quiet", () => {
    const services = {
      brokers: { default: {} },
      pingSources: { p: { schedule: "@hourly", sink: { broker: "default" } } },
    };
    assert.equal(
      eventingWarning({ environment: "dev", platform: {}, services }),
      "services.brokers, services.pingSources need Knative Eventing, which `platform.eventing` leaves out: turn it on (`platform.eventing: true`)",
    );
    assert.equal(
      eventingWarning({ environment: "dev", platform: { eventing: false }, services }) !==
        undefined,
      true,
    );
    assert.equal(
      eventingWarning({ environment: "dev", platform: { eventing: true }, services }),
      undefined,
    );
    // No platform in the stack: Eventing may be installed otherwise.
    assert.equal(eventingWarning({ environment: "dev", services }), undefined);
    assert.equal(
      eventingWarning({ environment: "dev", platform: {}, services: { brokers: {} } }),
      undefined,
    );
  });
});
