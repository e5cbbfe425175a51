import { ArgChecker } from "../core/validate";
import {
  ARN_PREFIX_MAX,
  checkCloudMapAttributes,
  FUNCTION_URL_MAX,
  LATTICE_ADDRESS_MAX,
  Reserved,
} from "./limits";
import { appMeshAddress } from "./app-mesh-wiring";
import type { ResolvedAlias, ResolvedFunction } from "./function-args";

/**
 * The attributes of a MeshedFunction's Cloud Map instance: what callers discover it by (ARNs, URL,
 * mesh address) and the caller's own.
 */

/** Cloud Map attribute keys the component sets (callers' `attributes` may not reuse them). */
export const INSTANCE_ATTRIBUTES = [
  "FUNCTION_ARN",
  "ALIAS_ARN",
  "ALIASES",
  "URL",
  "MESH_BACKEND",
  "MESH_ADDRESS",
] as const;

/**
 * The instance's attributes, checked against Cloud Map's limits before anything is registered:
 * values known after deployment (ARNs, URLs) count with their longest length.
 */
export function resolveAttributes(
  check: ArgChecker,
  given: Record<string, string> | undefined,
  functionName: string,
  aliases: ResolvedAlias[],
  url: ResolvedFunction["url"],
  wiring: ResolvedFunction["wiring"],
): Record<string, string> {
  const attributes: Record<string, string | Reserved> = {
    FUNCTION_ARN: { maxLength: ARN_PREFIX_MAX + functionName.length },
    ALIAS_ARN: { maxLength: ARN_PREFIX_MAX + functionName.length + 1 + aliases[0].name.length },
    ALIASES: aliases.map((a) => `${a.name}=${a.weight}`).join(","),
    ...(url ? { URL: { maxLength: FUNCTION_URL_MAX } } : {}),
    MESH_BACKEND: wiring.backend,
    MESH_ADDRESS:
      wiring.backend === "app-mesh" ? appMeshAddress(wiring) : { maxLength: LATTICE_ADDRESS_MAX },
  };
  for (const [key, value] of Object.entries(given ?? {})) {
    if ((INSTANCE_ATTRIBUTES as readonly string[]).includes(key))
      check.fail(
        `attributes.${key}`,
        key,
        `is set by the component (${INSTANCE_ATTRIBUTES.join(", ")})`,
      );
    attributes[key] = value;
  }
  checkCloudMapAttributes(check, "attributes", attributes);
  return Object.fromEntries(
    Object.entries(attributes).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
}
