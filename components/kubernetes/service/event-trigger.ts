import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { ITrigger } from "@kubernetes-models/knative/eventing.knative.dev/v1/Trigger" with {
  "resolution-mode": "import",
};
import { ArgChecker } from "../../core/validate";
import { KubeObject } from "../../core/kube";
import { sortKeys } from "../../core/values";
import { MeshInfo } from "../mesh-info";
import { deliverySpec, DeliverySpec, EventDeliveryArgs } from "../event-delivery";
import { AccessRuleArgs } from "./access";
import { brokerServiceAccount, triggerDeliveryRule } from "./event-access";
import { placeWorkload, metaFor, NamespaceRef, registerObject, ServiceContext } from "./spec";
import { checkArgs } from "../../core/args-schema";
import schema from "../../../schema/EventTrigger.schema.json";

/**
 * A CloudEvents context attribute name as Knative's Trigger webhook accepts it: lowercase letters
 * and digits, starting with a letter (knative/eventing pkg/apis/eventing/v1/trigger_validation.go
 * validAttributeName; the CloudEvents spec's attribute naming).
 */
const ATTRIBUTE_NAME = /^[a-z][a-z0-9]*$/;
/** A path of a relative URI (RFC 3986 path characters), without '*', which access paths reserve. */
const SUBSCRIBER_PATH = /^\/[A-Za-z0-9\-._~%!$&'()+,;=:@/]*$/;

/** The Knative Service a Trigger delivers to. */
export interface TriggerSubscriberArgs {
  /** Name of a Knative Service (a `ServerlessService`) in the Trigger's namespace. */
  service: string;
  /** Path events are POSTed to, e.g. "/events" (the subscriber's relative `uri`). @default "/" */
  path?: string;
}

export interface EventTriggerArgs {
  /** @default "default" */
  namespace?: string | NamespaceRef;
  mesh?: MeshInfo;
  /** Name of the Broker in the Trigger's namespace (immutable upstream). */
  broker: string;
  /**
   * CloudEvents attributes an event must carry with exactly these values
   * (`spec.filter.attributes`), e.g. `{ type: "dev.example.order.created", source: "/orders" }`.
   * Names are lowercase letters and digits, starting with a letter. @default every event
   * @see https://knative.dev/docs/eventing/triggers/#trigger-filtering
   */
  filter?: Record<string, string>;
  subscriber: TriggerSubscriberArgs;
  /** Retries of deliveries to the subscriber. @default the broker's */
  delivery?: EventDeliveryArgs;
}

/** EventTriggerArgs checked, with every default applied. @internal */
export interface ResolvedEventTrigger {
  ctx: ServiceContext;
  broker: string;
  /** The filter's attributes, sorted by name. */
  attributes: Record<string, string>;
  subscriber: TriggerSubscriberArgs;
  delivery?: DeliverySpec;
  /** `<namespace>/<name>` of the account that delivers the events (the broker filter's). */
  deliveryServiceAccount: string;
  deliveryRule: AccessRuleArgs;
}

/** Validates EventTriggerArgs (name included) as Knative's Trigger webhook would, and resolves them. @internal */
export function resolveEventTrigger(
  check: ArgChecker,
  name: string,
  args: EventTriggerArgs,
): ResolvedEventTrigger {
  const ctx = placeWorkload(check, name, args);
  check.dnsLabel("broker", args.broker);
  for (const key of Object.keys(args.filter ?? {}))
    check.pattern(
      `filter.${key}`,
      key,
      ATTRIBUTE_NAME,
      "a CloudEvents attribute name: lowercase letters and digits, starting with a letter (e.g. type, source, subject)",
    );
  check.dnsLabel("subscriber.service", args.subscriber.service);
  check.pattern(
    "subscriber.path",
    args.subscriber.path,
    SUBSCRIBER_PATH,
    "a path starting with '/', of URI path characters without '*', e.g. \"/events\"",
  );
  const delivery = deliverySpec(check, "delivery", args.delivery);
  const path = args.subscriber.path;
  return {
    ctx,
    broker: args.broker,
    attributes: sortKeys(args.filter ?? {}),
    subscriber: { service: args.subscriber.service, ...(path !== undefined ? { path } : {}) },
    ...(delivery ? { delivery } : {}),
    deliveryServiceAccount: brokerServiceAccount(ctx.mesh.eventingNamespace),
    deliveryRule: triggerDeliveryRule(
      ctx.mesh.eventingNamespace,
      path === undefined ? undefined : [path],
    ),
  };
}

/** The Trigger of a resolved trigger. @internal */
export function triggerObject(r: ResolvedEventTrigger): KubeObject<
  NonNullable<ITrigger["spec"]>
> & {
  apiVersion: "eventing.knative.dev/v1";
  kind: "Trigger";
} {
  const { attributes, subscriber } = r;
  return {
    apiVersion: "eventing.knative.dev/v1",
    kind: "Trigger",
    metadata: metaFor(r.ctx, r.ctx.name, "event-trigger"),
    spec: {
      broker: r.broker,
      ...(Object.keys(attributes).length > 0 ? { filter: { attributes } } : {}),
      subscriber: {
        ref: { apiVersion: "serving.knative.dev/v1", kind: "Service", name: subscriber.service },
        ...(subscriber.path !== undefined ? { uri: subscriber.path } : {}),
      },
      ...(r.delivery ? { delivery: r.delivery } : {}),
    },
  };
}

/**
 * A Knative Eventing `Trigger`: the events of `broker` whose attributes match `filter`, POSTed to
 * a Knative Service. The broker's filter delivers them as itself, so the subscriber's access must
 * admit that identity: `deliveryRule` is the allow rule (`withTriggerDelivery` adds it to a
 * service's `access`; the stacks do it for every Trigger's subscriber).
 */
export class EventTrigger extends pulumi.ComponentResource {
  readonly trigger: k8s.apiextensions.CustomResource;
  /** `<namespace>/<name>` of the service account that delivers the events (the broker filter's). */
  readonly deliveryServiceAccount: string;
  /** The allow rule the subscriber needs: POST from that service account on the subscriber path. */
  readonly deliveryRule: AccessRuleArgs;

  constructor(name: string, args: EventTriggerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-serverless:service:EventTrigger", name, {}, opts);
    checkArgs(this, schema, args);
    const r = resolveEventTrigger(new ArgChecker(this), name, args);
    this.trigger = registerObject(this, triggerObject(r), r.ctx.dependsOn);
    this.deliveryServiceAccount = r.deliveryServiceAccount;
    this.deliveryRule = r.deliveryRule;
    this.registerOutputs({ deliveryServiceAccount: this.deliveryServiceAccount });
  }
}
