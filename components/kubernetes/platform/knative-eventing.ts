import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { IPeerAuthentication } from "@kubernetes-models/istio/security.istio.io/v1/PeerAuthentication" with {
  "resolution-mode": "import",
};
import type { IKnativeEventing } from "@kubernetes-models/knative/operator.knative.dev/v1beta1/KnativeEventing" with {
  "resolution-mode": "import",
};
import { customResource, managedLabels, Typed } from "../../core/kube";
import { childName } from "../../core/names";
import { ArgChecker } from "../../core/validate";
import { deliverySpec, DeliverySpec, EventDeliveryArgs } from "../event-delivery";
import { MeshInfo } from "../mesh-info";
import { checkRegistry } from "./helm";
import { knativeNamespace, knativeRegistry, knativeRelease } from "./knative-operator";
import { KNATIVE_EVENTING_VERSION } from "./versions";
import { checkArgs } from "../../core/args-schema";
import schema from "../../../schema/KnativeEventing.schema.json";

/**
 * The broker class the operator installs with Eventing (config/brokers/mt-channel-broker in
 * knative/eventing). Kafka's broker class (`Kafka`) needs knative-extensions/eventing-kafka-broker,
 * which the operator does not install, so it is not offered.
 */
export const BROKER_CLASSES = ["MTChannelBasedBroker"] as const;
/** The channel the operator installs with Eventing (config/channels/in-memory-channel). */
export const CHANNEL_KINDS = ["InMemoryChannel"] as const;

/**
 * Webhook pods the Kubernetes API server calls in plain TLS on port 8443 (knative/eventing
 * config/core/deployments/webhook.yaml `eventing-webhook`, and
 * config/channels/in-memory-channel/deployments/controller.yaml `inmemorychannel-webhook`).
 */
const WEBHOOKS: { name: string; selector: Record<string, string> }[] = [
  { name: "eventing-webhook", selector: { role: "eventing-webhook" } },
  {
    name: "inmemorychannel-webhook",
    selector: {
      "messaging.knative.dev/channel": "in-memory-channel",
      "messaging.knative.dev/role": "controller",
    },
  },
];
const WEBHOOK_PORT = "8443";

/** The brokers Eventing creates when a `Broker` names no class or config. */
export interface EventingBrokerArgs {
  /**
   * `defaultBrokerClass` and `config-br-defaults`: the operator installs only the
   * channel-based broker. @default "MTChannelBasedBroker"
   */
  class?: (typeof BROKER_CLASSES)[number];
  /**
   * The channel behind a channel-based broker (`config-br-default-channel`) and any channel
   * (`default-ch-webhook`). The in-memory channel keeps events in the dispatcher's memory: fine
   * for dev, lossy on a restart; a durable one (KafkaChannel) needs an install of its own.
   * @default "InMemoryChannel"
   */
  channel?: (typeof CHANNEL_KINDS)[number];
  /** Retries of every broker that sets none. @default Knative's (10, exponential, 0.2s) */
  delivery?: EventDeliveryArgs;
}

/** The Knative Operator install `KnativeEventing` is handed to. */
export interface KnativeOperatorTarget {
  /**
   * What installs the operator and its `KnativeEventing` CRD (the knative-operator Helm release,
   * `KnativeServing.operator`): the CR waits for it.
   */
  dependsOn: pulumi.Resource[];
}

/** The mesh Eventing runs in. */
export interface KnativeEventingMeshTarget {
  /** Istio's releases (CRDs, istiod) that must be ready first. */
  dependsOn: pulumi.Resource[];
  /**
   * How the namespace is enrolled: Knative documents Eventing in the mesh with sidecar injection
   * on `knative-eventing`. @default sidecar injection of the default revision
   * @see https://knative.dev/docs/eventing/features/istio-integration/
   */
  enrol?: Pick<MeshInfo, "dataPlane" | "revision">;
}

export interface KnativeEventingArgs {
  /** Namespace of Knative Eventing. @default "knative-eventing" */
  namespace?: string;
  /** `KnativeEventing.spec.version`. @default KNATIVE_EVENTING_VERSION in versions.ts */
  eventingVersion?: string;
  /** Default broker class, channel and delivery. @default the in-memory channel-based broker */
  broker?: EventingBrokerArgs;
  /**
   * Replicas of each Eventing control-plane deployment (`spec.high-availability.replicas`,
   * 1-10). @default the operator's 1
   * @see https://knative.dev/docs/install/operator/configuring-eventing-cr/#high-availability
   */
  highAvailability?: number;
  operator: KnativeOperatorTarget;
  istio: KnativeEventingMeshTarget;
  /** Image registry mirror: `spec.registry.default` `<registry>/knative-releases/${NAME}:v<version>`. */
  registry?: string;
}

/** KnativeEventingArgs with every default applied. */
export interface ResolvedKnativeEventing {
  namespace: string;
  eventingVersion: string;
  brokerClass: (typeof BROKER_CLASSES)[number];
  channel: (typeof CHANNEL_KINDS)[number];
  delivery?: DeliverySpec;
  highAvailability?: number;
  registry?: string;
  /** What the CR waits for: the operator, then Istio. */
  operatorDependsOn: pulumi.Resource[];
  istioDependsOn: pulumi.Resource[];
  enrol: Pick<MeshInfo, "dataPlane" | "revision">;
}

/**
 * Validates and defaults KnativeEventingArgs (MeshPlatform runs it scoped by "eventing.", before
 * the operator and Istio exist: their dependencies are then empty).
 */
export function resolveKnativeEventing(
  check: ArgChecker,
  args: Omit<KnativeEventingArgs, "operator" | "istio"> &
    Partial<Pick<KnativeEventingArgs, "operator" | "istio">>,
): ResolvedKnativeEventing {
  const namespace = args.namespace ?? "knative-eventing";
  check.dnsLabel("namespace", namespace);
  const eventingVersion = knativeRelease(
    check,
    "eventingVersion",
    args.eventingVersion,
    KNATIVE_EVENTING_VERSION,
    "Knative Eventing",
  );
  const b = args.broker ?? {};
  check.oneOf("broker.class", b.class, BROKER_CLASSES);
  check.oneOf("broker.channel", b.channel, CHANNEL_KINDS);
  const delivery = deliverySpec(check, "broker.delivery", b.delivery);
  check.int("highAvailability", args.highAvailability, 1, 10);
  checkRegistry(check, "registry", args.registry);
  return {
    namespace,
    eventingVersion,
    brokerClass: b.class ?? "MTChannelBasedBroker",
    channel: b.channel ?? "InMemoryChannel",
    ...(delivery ? { delivery } : {}),
    ...(args.highAvailability !== undefined ? { highAvailability: args.highAvailability } : {}),
    ...(args.registry !== undefined ? { registry: args.registry } : {}),
    operatorDependsOn: [...(args.operator?.dependsOn ?? [])],
    istioDependsOn: [...(args.istio?.dependsOn ?? [])],
    enrol: { ...args.istio?.enrol },
  };
}

/** Lines of a YAML mapping, keys in a fixed order, for a ConfigMap value. */
function yamlBlock(lines: [string, string | number | undefined][], indent: string): string {
  return lines
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${indent}${k}: ${v}\n`)
    .join("");
}

/**
 * The `spec.config` of the KnativeEventing CR: the default broker (`config-br-defaults`), its
 * channel (`config-br-default-channel`) and the default channel (`default-ch-webhook`), as
 * knative/eventing config/core/configmaps/{default-broker,default-broker-channel,default-channel}.yaml
 * write them. Keys are the full ConfigMap names, which the operator matches first (knative/operator
 * pkg/reconciler/common/config_maps.go ConfigMapTransform).
 * https://knative.dev/docs/install/operator/configuring-eventing-cr/
 */
export function knativeEventingConfig(
  r: Pick<ResolvedKnativeEventing, "namespace" | "brokerClass" | "channel" | "delivery">,
): Record<string, Record<string, string>> {
  const channel = `apiVersion: messaging.knative.dev/v1\nkind: ${r.channel}\n`;
  const d = r.delivery ?? {};
  const delivery = yamlBlock(
    [
      ["retry", d.retry],
      ["backoffPolicy", d.backoffPolicy],
      ["backoffDelay", d.backoffDelay],
    ],
    "    ",
  );
  return {
    "config-br-defaults": {
      "default-br-config":
        `clusterDefault:\n` +
        yamlBlock(
          [
            ["brokerClass", r.brokerClass],
            ["apiVersion", "v1"],
            ["kind", "ConfigMap"],
            ["name", "config-br-default-channel"],
            ["namespace", r.namespace],
          ],
          "  ",
        ) +
        (delivery ? `  delivery:\n${delivery}` : ""),
    },
    "config-br-default-channel": { "channel-template-spec": channel },
    "default-ch-webhook": {
      "default-ch-config": `clusterDefault:\n${channel.replace(/^/gm, "  ").trimEnd()}\n`,
    },
  };
}

/**
 * Knative Eventing through the Knative Operator (installed by `KnativeServing`, whose release is
 * passed in): a typed `KnativeEventing` CR, in the mesh the way Knative documents it (sidecar
 * injection on the namespace). Brokers' channels are reached over mTLS because each `EventBroker`
 * emits the DestinationRule eventing-istio's controller would.
 * https://knative.dev/docs/eventing/features/istio-integration/
 */
export class KnativeEventing extends pulumi.ComponentResource {
  readonly eventingNamespace: k8s.core.v1.Namespace;
  readonly eventing: k8s.apiextensions.CustomResource;
  /** Port-level PERMISSIVE mTLS for each webhook the API server calls without mTLS. */
  readonly webhookPeerAuthentications: k8s.apiextensions.CustomResource[];
  readonly namespace: string;
  readonly brokerClass: string;

  constructor(name: string, args: KnativeEventingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-serverless:platform:KnativeEventing", name, {}, opts);
    checkArgs(this, schema, args);
    const r = resolveKnativeEventing(new ArgChecker(this), args);

    this.eventingNamespace = knativeNamespace(
      childName(name, "namespace"),
      { namespace: r.namespace, app: "knative-eventing", enrol: r.enrol },
      this,
    );
    const body: Typed<IKnativeEventing> = {
      apiVersion: "operator.knative.dev/v1beta1",
      kind: "KnativeEventing",
      metadata: {
        name: "knative-eventing",
        namespace: r.namespace,
        labels: managedLabels("knative-eventing", "eventing"),
      },
      spec: {
        config: knativeEventingConfig(r),
        defaultBrokerClass: r.brokerClass,
        ...(r.highAvailability !== undefined
          ? { "high-availability": { replicas: r.highAvailability } }
          : {}),
        ...knativeRegistry(r.registry, r.eventingVersion),
        version: r.eventingVersion,
      },
    };
    // The CRD comes with the operator's release: the CR after it (and after istiod, so the
    // namespace's pods get their sidecars).
    this.eventing = customResource(childName(name, "eventing"), body, {
      parent: this,
      dependsOn: [...r.operatorDependsOn, this.eventingNamespace, ...r.istioDependsOn],
    });
    // The namespace stays STRICT; only the webhook ports take plain TLS from the API server
    // (as KnativeServing's webhooks, https://knative.dev/docs/serving/istio-authorization/).
    // https://istio.io/latest/docs/reference/config/security/peer_authentication/
    this.webhookPeerAuthentications = WEBHOOKS.map((w) => {
      const peer: Typed<IPeerAuthentication> = {
        apiVersion: "security.istio.io/v1",
        kind: "PeerAuthentication",
        metadata: {
          name: w.name,
          namespace: r.namespace,
          labels: managedLabels("knative-eventing", "mtls"),
        },
        spec: {
          selector: { matchLabels: { ...w.selector } },
          portLevelMtls: { [WEBHOOK_PORT]: { mode: "PERMISSIVE" } },
        },
      };
      return customResource(childName(name, w.name), peer, {
        parent: this,
        dependsOn: [this.eventingNamespace, ...r.istioDependsOn],
      });
    });
    this.namespace = r.namespace;
    this.brokerClass = r.brokerClass;
    this.registerOutputs({ namespace: this.namespace, brokerClass: this.brokerClass });
  }
}
