import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as h from "../../harness";
import {
  KnativeEventing,
  knativeEventingConfig,
} from "../../../components/kubernetes/platform/knative-eventing";
import { MeshPlatform } from "../../../components/kubernetes/platform/platform";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const KE = "kubernetes:operator.knative.dev/v1beta1:KnativeEventing";
const PA = "kubernetes:security.istio.io/v1:PeerAuthentication";
const NS = "kubernetes:core/v1:Namespace";

function release(name: string): pulumi.Resource {
  return new k8s.helm.v3.Release(name, { chart: name, name });
}

/** The default-broker ConfigMaps as knative/eventing config/core/configmaps write them. */
const DEFAULT_CONFIG = {
  "config-br-default-channel": {
    "channel-template-spec": "apiVersion: messaging.knative.dev/v1\nkind: InMemoryChannel\n",
  },
  "config-br-defaults": {
    "default-br-config":
      "clusterDefault:\n  brokerClass: MTChannelBasedBroker\n  apiVersion: v1\n  kind: ConfigMap\n  name: config-br-default-channel\n  namespace: knative-eventing\n",
  },
  "default-ch-webhook": {
    "default-ch-config":
      "clusterDefault:\n  apiVersion: messaging.knative.dev/v1\n  kind: InMemoryChannel\n",
  },
};

describe("platform/KnativeEventing", () => {
  beforeEach(() => h.reset());

  it("GIVEN defaults THEN an enrolled namespace, a KnativeEventing CR after the operator, and webhook-only PERMISSIVE ports", async () => {
    const ke = new KnativeEventing("ev", {
      operator: { dependsOn: [release("knative-operator")] },
      istio: { dependsOn: [release("istiod")] },
    });
    await h.settled();
    assert.deepEqual(h.countByType(), {
      [RELEASE]: 2,
      "mesh-serverless:platform:KnativeEventing": 1,
      [NS]: 1,
      [KE]: 1,
      [PA]: 2,
    });
    const ns = h.get(NS, "ev-namespace");
    assert.deepEqual(ns.inputs.metadata, {
      name: "knative-eventing",
      labels: {
        "app.kubernetes.io/managed-by": "pulumi",
        "app.kubernetes.io/name": "knative-eventing",
        "app.kubernetes.io/part-of": "mesh-serverless",
        "mesh-serverless/component": "namespace",
        // https://knative.dev/docs/eventing/features/istio-integration/ step 1
        "istio-injection": "enabled",
      },
    });
    assert.equal(h.parentOf(ns)?.name, "ev");
    const cr = h.get(KE, "ev-eventing");
    assert.equal(h.parentOf(cr)?.name, "ev");
    // CRD before CR: the operator's release installs the KnativeEventing CRD.
    assert.deepEqual(h.dependencies(cr), [
      `${NS}::ev-namespace`,
      `${RELEASE}::istiod`,
      `${RELEASE}::knative-operator`,
    ]);
    assert.deepEqual(cr.inputs.metadata, {
      name: "knative-eventing",
      namespace: "knative-eventing",
      labels: {
        "app.kubernetes.io/managed-by": "pulumi",
        "app.kubernetes.io/name": "knative-eventing",
        "app.kubernetes.io/part-of": "mesh-serverless",
        "mesh-serverless/component": "eventing",
      },
    });
    assert.deepEqual(cr.inputs.spec, {
      config: DEFAULT_CONFIG,
      defaultBrokerClass: "MTChannelBasedBroker",
      version: "1.23.0",
    });
    assert.deepEqual(
      h.names(PA).map((n) => [n, h.get(PA, n).inputs.spec, h.dependencies(h.get(PA, n))]),
      [
        [
          "ev-eventing-webhook",
          {
            selector: { matchLabels: { role: "eventing-webhook" } },
            portLevelMtls: { "8443": { mode: "PERMISSIVE" } },
          },
          [`${NS}::ev-namespace`, `${RELEASE}::istiod`],
        ],
        [
          "ev-inmemorychannel-webhook",
          {
            selector: {
              matchLabels: {
                "messaging.knative.dev/channel": "in-memory-channel",
                "messaging.knative.dev/role": "controller",
              },
            },
            portLevelMtls: { "8443": { mode: "PERMISSIVE" } },
          },
          [`${NS}::ev-namespace`, `${RELEASE}::istiod`],
        ],
      ],
    );
    assert.equal(ke.namespace, "knative-eventing");
    assert.equal(ke.brokerClass, "MTChannelBasedBroker");
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  it("GIVEN delivery, HA, a registry, a revision THEN the CR and namespace carry them", async () => {
    new KnativeEventing("ev", {
      namespace: "events-system",
      eventingVersion: "1.22.1",
      broker: { delivery: { retry: 5, backoffPolicy: "linear", backoffDelay: "500ms" } },
      highAvailability: 2,
      registry: "harbor.corp:8443/mirror",
      operator: { dependsOn: [] },
      istio: { dependsOn: [], enrol: { dataPlane: "sidecar", revision: "1-31-1" } },
    });
    await h.settled();
    const cr = h.get(KE, "ev-eventing");
    const spec = cr.inputs.spec as Record<string, unknown>;
    assert.deepEqual(spec["high-availability"], { replicas: 2 });
    assert.deepEqual(spec.registry, {
      default: "harbor.corp:8443/mirror/knative-releases/${NAME}:v1.22.1",
    });
    assert.equal(spec.version, "1.22.1");
    assert.deepEqual((spec.config as Record<string, unknown>)["config-br-defaults"], {
      "default-br-config":
        "clusterDefault:\n  brokerClass: MTChannelBasedBroker\n  apiVersion: v1\n  kind: ConfigMap\n  name: config-br-default-channel\n  namespace: events-system\n  delivery:\n    retry: 5\n    backoffPolicy: linear\n    backoffDelay: PT0.5S\n",
    });
    const labels = (h.get(NS, "ev-namespace").inputs.metadata as { labels: object }).labels;
    assert.equal((labels as Record<string, string>)["istio.io/rev"], "1-31-1");
    assert.equal((labels as Record<string, string>)["istio-injection"], undefined);
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  it("knativeEventingConfig: ambient enrolment is the namespace's business, the config is the same", () => {
    assert.deepEqual(
      knativeEventingConfig({
        namespace: "knative-eventing",
        brokerClass: "MTChannelBasedBroker",
        channel: "InMemoryChannel",
      }),
      DEFAULT_CONFIG,
    );
  });

  it("rejects bad input before creating any child, with the argument path", async () => {
    const base = { operator: { dependsOn: [] }, istio: { dependsOn: [] } };
    const cases: [object, string, string, string][] = [
      [{ namespace: "Events" }, "namespace", '"Events"', "DNS-1123 label"],
      [
        { eventingVersion: "v1.23" },
        "eventingVersion",
        '"v1.23"',
        'Knative Eventing release "x.y.z"',
      ],
      [{ broker: { class: "Kafka" } }, "broker.class", '"Kafka"', "MTChannelBasedBroker"],
      [{ broker: { channel: "KafkaChannel" } }, "broker.channel", '"KafkaChannel"', "InMemory"],
      [{ broker: { delivery: { retry: -1 } } }, "broker.delivery.retry", "-1", "0 to 100"],
      [
        { broker: { delivery: { backoffDelay: "PT1S" } } },
        "broker.delivery.backoffDelay",
        '"PT1S"',
        "a duration",
      ],
      [
        { broker: { delivery: { backoffPolicy: "random" } } },
        "broker.delivery.backoffPolicy",
        '"random"',
        "linear",
      ],
      [{ highAvailability: 0 }, "highAvailability", "0", "1 to 10"],
      [{ registry: "http://mirror" }, "registry", '"http://mirror"', "image registry host"],
    ];
    for (const [args, arg, value, allowed] of cases) {
      await h.reset();
      await h.expectInvalid(
        () => new KnativeEventing("bad", { ...base, ...args } as never),
        arg,
        value,
        allowed,
      );
    }
  });
});

describe("platform/MeshPlatform eventing add-on", () => {
  beforeEach(() => h.reset());

  it("GIVEN defaults THEN Eventing is off", async () => {
    const p = new MeshPlatform("platform", {});
    await h.settled();
    assert.equal(p.eventing, undefined);
    assert.deepEqual(h.resources(KE), []);
    assert.equal(p.mesh.eventingNamespace, undefined);
  });

  it("GIVEN eventing on THEN KnativeEventing follows the operator release and istiod, and the mesh waits for it", async () => {
    const p = new MeshPlatform("platform", {
      registry: "harbor.corp:8443/mirror",
      eventing: { broker: { delivery: { retry: 3 } } },
    });
    await h.settled();
    const cr = h.get(KE, "platform-eventing-eventing");
    assert.equal(h.parentOf(cr)?.name, "platform-eventing");
    assert.equal(h.parentOf(h.parentOf(cr)!)?.name, "platform");
    // Its namespace, the operator that reconciles it, and istiod (and istio-base before it).
    assert.deepEqual(h.dependencies(cr), [
      `${NS}::platform-eventing-namespace`,
      `${RELEASE}::platform-istio-base`,
      `${RELEASE}::platform-istio-istiod`,
      `${RELEASE}::platform-knative-operator`,
    ]);
    const spec = cr.inputs.spec as Record<string, unknown>;
    assert.deepEqual(spec.registry, {
      default: "harbor.corp:8443/mirror/knative-releases/${NAME}:v1.23.0",
    });
    assert.equal(p.mesh.eventingNamespace, "knative-eventing");
    assert.ok(p.mesh.dependsOn?.includes(p.eventing!.eventing));
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  it("rejects eventing without knative, and bad eventing args under `eventing.`, before any child", async () => {
    await h.expectInvalid(
      () => new MeshPlatform("bad", { knative: false, eventing: true }),
      "eventing",
      "true",
      "needs knative on",
    );
    await h.reset();
    await h.expectInvalid(
      () => new MeshPlatform("bad", { eventing: { highAvailability: 11 } }),
      "eventing.highAvailability",
      "11",
      "1 to 10",
    );
  });
});
