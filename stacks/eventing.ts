import { MeshInfo, meshDefaults } from "../components/kubernetes/mesh-info";
import {
  triggerDeliveryRule,
  withTriggerDelivery,
} from "../components/kubernetes/service/event-access";
import type { ServicesConfig, StackConfig } from "./config-types";

/**
 * The render warning for Eventing objects on a platform without Eventing: the stack installs the
 * platform (so it is the cluster's), leaves `platform.eventing` off, and still declares brokers,
 * triggers or sources, which nothing would reconcile (and whose CRDs would be missing).
 */
export function eventingWarning(stack: StackConfig): string | undefined {
  const s = stack.services ?? {};
  const kinds = (["brokers", "triggers", "pingSources"] as const).filter(
    (k) => Object.keys(s[k] ?? {}).length > 0,
  );
  const eventing = stack.platform?.eventing;
  if (!stack.platform || kinds.length === 0 || (eventing !== undefined && eventing !== false))
    return undefined;
  return `services.${kinds.join(", services.")} need Knative Eventing, which \`platform.eventing\` leaves out: turn it on (\`platform.eventing: true\`)`;
}

/**
 * Issue 16: `services.serverless` with the broker's delivery rule added to the `access` of every
 * service a `services.triggers` entry delivers to (same name, same namespace), so a service
 * reached by a Trigger admits the broker filter's identity: POST on the Triggers' paths (any path
 * when one of them names none). Services no Trigger reaches are left as they are.
 */
export function withEventDelivery(config: ServicesConfig, mesh: MeshInfo): ServicesConfig {
  const triggers = Object.values(config.triggers ?? {});
  if (triggers.length === 0 || !config.serverless) return config;
  const paths = new Map<string, string[] | undefined>();
  for (const t of triggers) {
    const key = `${t.namespace ?? "default"}/${t.subscriber.service}`;
    const path = t.subscriber.path;
    const seen = paths.has(key) ? paths.get(key) : [];
    paths.set(key, seen === undefined || path === undefined ? undefined : [...seen, path]);
  }
  const eventing = meshDefaults(mesh).eventingNamespace;
  const serverless = Object.fromEntries(
    Object.entries(config.serverless).map(([name, entry]) => {
      const key = `${entry.namespace ?? "default"}/${name}`;
      if (!paths.has(key)) return [name, entry];
      const rule = triggerDeliveryRule(eventing, paths.get(key));
      return [name, { ...entry, access: withTriggerDelivery(entry.access, rule) }];
    }),
  );
  return { ...config, serverless };
}
