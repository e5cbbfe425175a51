import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { IBroker } from "@kubernetes-models/knative/eventing.knative.dev/v1/Broker" with {
  "resolution-mode": "import",
};
import type { IDestinationRule } from "@kubernetes-models/istio/networking.istio.io/v1/DestinationRule" with {
  "resolution-mode": "import",
};
import { ArgChecker } from "../../core/validate";
import { KubeObject } from "../../core/kube";
import { MeshInfo } from "../mesh-info";
import { deliverySpec, DeliverySpec, EventDeliveryArgs } from "../event-delivery";
import { placeWorkload, metaFor, NamespaceRef, registerObject, ServiceContext } from "./spec";
import { checkArgs } from "../../core/args-schema";
import schema from "../../../schema/EventBroker.schema.json";

/** The class annotation (knative/eventing pkg/apis/eventing/v1/broker_validation.go). */
const CLASS_ANNOTATION = "eventing.knative.dev/broker.class";
/**
 * The channel-based broker's channel Service: the broker's channel `<broker>-kne-trigger`
 * (pkg/reconciler/broker/resources/channel.go BrokerChannelName) gets the ExternalName Service
 * `<channel>-kn-channel` (pkg/reconciler/inmemorychannel/controller/resources/service.go), both
 * through kmeta.ChildName, which hashes names past 63 characters: up to 40 characters of broker
 * name the Service's name is known here.
 */
const CHANNEL_SERVICE_SUFFIX = "-kne-trigger-kn-channel";
const MAX_BROKER_NAME = 63 - CHANNEL_SERVICE_SUFFIX.length;

export interface EventBrokerArgs {
  /** @default "default" */
  namespace?: string | NamespaceRef;
  mesh?: MeshInfo;
  /**
   * `eventing.knative.dev/broker.class` (immutable upstream). The operator installs only the
   * channel-based broker. @default the cluster's default class (the Eventing add-on's)
   */
  class?: "MTChannelBasedBroker";
  /** Retries of deliveries to this broker's triggers' subscribers. @default the cluster's */
  delivery?: EventDeliveryArgs;
}

/** EventBrokerArgs checked, with every default applied. @internal */
export interface ResolvedEventBroker {
  ctx: ServiceContext;
  class?: "MTChannelBasedBroker";
  delivery?: DeliverySpec;
}

/** Validates EventBrokerArgs (name included) and resolves namespace, mesh and delivery. @internal */
export function resolveEventBroker(
  check: ArgChecker,
  name: string,
  args: EventBrokerArgs,
): ResolvedEventBroker {
  const ctx = placeWorkload(check, name, args);
  if (name.length > MAX_BROKER_NAME)
    check.fail(
      "name",
      name,
      `at most ${MAX_BROKER_NAME} characters: Knative names the broker's channel Service "<name>${CHANNEL_SERVICE_SUFFIX}", which must fit in 63`,
    );
  const delivery = deliverySpec(check, "delivery", args.delivery);
  return {
    ctx,
    ...(args.class !== undefined ? { class: args.class } : {}),
    ...(delivery ? { delivery } : {}),
  };
}

/** The Broker and the channel DestinationRule of a resolved broker. @internal */
export function brokerObjects(r: ResolvedEventBroker): {
  broker: KubeObject<NonNullable<IBroker["spec"]>> & {
    apiVersion: "eventing.knative.dev/v1";
    kind: "Broker";
  };
  channelMtls: KubeObject<NonNullable<IDestinationRule["spec"]>> & {
    apiVersion: "networking.istio.io/v1";
    kind: "DestinationRule";
  };
} {
  const { ctx } = r;
  const meta = metaFor(ctx, ctx.name, "event-broker");
  if (r.class !== undefined) meta.annotations = { [CLASS_ANNOTATION]: r.class };
  const channel = `${ctx.name}${CHANNEL_SERVICE_SUFFIX}`;
  return {
    broker: {
      apiVersion: "eventing.knative.dev/v1",
      kind: "Broker",
      metadata: meta,
      spec: r.delivery ? { delivery: r.delivery } : {},
    },
    // What knative-extensions/eventing-istio's controller creates for an in-memory channel's
    // ExternalName Service (pkg/reconciler/service/destinationrule.go): Istio cannot tell that
    // the dispatcher behind it has a sidecar, so clients must be told to use mTLS.
    // https://knative.dev/docs/eventing/features/istio-integration/
    channelMtls: {
      apiVersion: "networking.istio.io/v1",
      kind: "DestinationRule",
      metadata: metaFor(ctx, channel, "event-broker"),
      spec: {
        host: `${channel}.${ctx.namespace}.svc.cluster.local`,
        trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } },
      },
    },
  };
}

/**
 * A Knative Eventing `Broker` in a namespace of the mesh, with the DestinationRule that makes its
 * in-memory channel reachable under STRICT mTLS. Events reach it at `address`; `EventTrigger`s
 * route them on to services.
 */
export class EventBroker extends pulumi.ComponentResource {
  readonly broker: k8s.apiextensions.CustomResource;
  /** ISTIO_MUTUAL for the channel's ExternalName Service. */
  readonly channelDestinationRule: k8s.apiextensions.CustomResource;
  readonly brokerName: string;
  readonly namespace: string;
  /** The broker's ingress URL, `http://broker-ingress.<eventing>.svc.cluster.local/<ns>/<name>`. */
  readonly address: pulumi.Output<string>;

  constructor(name: string, args: EventBrokerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-serverless:service:EventBroker", name, {}, opts);
    checkArgs(this, schema, args);
    const r = resolveEventBroker(new ArgChecker(this), name, args);
    const ctx = r.ctx;

    const objects = brokerObjects(r);
    this.broker = registerObject(this, objects.broker, ctx.dependsOn);
    this.channelDestinationRule = registerObject(this, objects.channelMtls, ctx.dependsOn);
    this.brokerName = name;
    this.namespace = ctx.namespace;
    // knative/eventing pkg/reconciler/broker: the ingress path is /<namespace>/<name>.
    const address = `http://broker-ingress.${ctx.mesh.eventingNamespace}.svc.cluster.local/${ctx.namespace}/${name}`;
    this.address = pulumi.output(address);
    this.registerOutputs({ brokerName: name, namespace: ctx.namespace, address });
  }
}
