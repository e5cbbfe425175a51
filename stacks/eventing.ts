import { MeshInfo } from "../components/kubernetes/mesh-info";
import {
  triggerDeliveryRule,
  withTriggerDelivery,
} from "../components/kubernetes/service/event-access";
import type { ServicesConfig } from "./config-types";

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
  const eventing = mesh.eventingNamespace ?? "knative-eventing";
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
