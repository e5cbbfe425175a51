/**
 * Event delivery settings shared by the Eventing add-on (cluster defaults) and the per-service
 * `EventBroker`/`EventTrigger` (Knative's `DeliverySpec`, knative/eventing
 * pkg/apis/duck/v1/delivery_types.go: retry >= 0, backoffPolicy linear|exponential,
 * backoffDelay an ISO 8601 duration). https://knative.dev/docs/eventing/event-delivery/
 */
import { ArgChecker } from "../core/validate";
import { defined } from "../core/values";

/** How often and how patiently a delivery is retried. */
export interface EventDeliveryArgs {
  /** Retries after the first failed attempt, 0-100. @default Knative's 10 (brokers) */
  retry?: number;
  /** Growth of the wait between retries. @default Knative's "exponential" */
  backoffPolicy?: "linear" | "exponential";
  /**
   * Wait before the first retry, e.g. "200ms" (1ms-1h; written as the ISO 8601 duration Knative
   * reads, `PT0.2S`). @default Knative's "PT0.2S"
   */
  backoffDelay?: string;
}

/** A `DeliverySpec` as Knative writes it. */
export interface DeliverySpec {
  retry?: number;
  backoffPolicy?: "linear" | "exponential";
  backoffDelay?: string;
}

/** Checks delivery args under `path` and returns the `DeliverySpec`, keys in a fixed order. */
export function deliverySpec(
  check: ArgChecker,
  path: string,
  d: EventDeliveryArgs | undefined,
): DeliverySpec | undefined {
  if (d === undefined) return undefined;
  check.int(`${path}.retry`, d.retry, 0, 100);
  const delayMs = check.durationMs(`${path}.backoffDelay`, d.backoffDelay, 1, 3_600_000);
  return defined({
    retry: d.retry,
    backoffPolicy: d.backoffPolicy,
    backoffDelay: delayMs === undefined ? undefined : `PT${delayMs / 1000}S`,
  });
}
