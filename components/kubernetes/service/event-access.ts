/**
 * Who delivers a Trigger's events, for the access rules of the service it reaches. With the
 * channel-based broker the operator installs, the broker's filter (deployment and service account
 * `mt-broker-filter` in Eventing's namespace, knative/eventing
 * config/brokers/mt-channel-broker/deployments/broker-filter.yaml) sends each matching event to
 * the subscriber as an HTTP POST (the CloudEvents HTTP binding), with its own mesh identity.
 * https://knative.dev/docs/eventing/brokers/broker-types/channel-based-broker/
 */
import { AccessArgs, AccessRuleArgs } from "./access";

/** Service account of the broker filter that delivers Trigger events. */
export const BROKER_FILTER_SERVICE_ACCOUNT = "mt-broker-filter";

/** The broker filter's service account as `<eventingNamespace>/mt-broker-filter`. */
export function brokerServiceAccount(eventingNamespace: string): string {
  return `${eventingNamespace}/${BROKER_FILTER_SERVICE_ACCOUNT}`;
}

/**
 * The allow rule for a Trigger's deliveries: POST from the broker filter's identity (a principal
 * in the service's `access.trustDomain`) and no one else, on the subscriber paths when the
 * Triggers name some (else any path).
 */
export function triggerDeliveryRule(eventingNamespace: string, paths?: string[]): AccessRuleArgs {
  return {
    serviceAccounts: [brokerServiceAccount(eventingNamespace)],
    methods: ["POST"],
    ...(paths && paths.length > 0 ? { paths: [...new Set(paths)].sort() } : {}),
  };
}

/**
 * `access` of a service that Triggers deliver to: its own rules plus `triggerDeliveryRule`. A
 * service without `access.allow` gets an ALLOW policy with this one rule, so it admits the broker
 * and only the broker (and, on a Knative service, the activator forwarding those POSTs).
 */
export function withTriggerDelivery(
  access: AccessArgs | undefined,
  rule: AccessRuleArgs,
): AccessArgs {
  return { ...access, allow: [...(access?.allow ?? []), rule] };
}
