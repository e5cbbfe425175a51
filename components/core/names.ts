import { createHash } from "crypto";

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * The name of an Istio extension provider (`meshConfig.extensionProviders[].name`: a tracing
 * provider, an ext-authz provider), which policies and Telemetry refer to it by.
 */
export const PROVIDER_NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/;

/** `order-processing` -> `OrderProcessing`: words are runs of letters and digits. */
export function pascalCase(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join("");
}

/** RFC 1123 label as Kubernetes uses it for namespaces, services and most object names. */
export const DNS1123_LABEL_RULE =
  "a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters";
/** RFC 1123 subdomain: labels joined by '.', at most 253 characters. */
export const DNS1123_SUBDOMAIN_RULE =
  "a DNS-1123 subdomain: DNS-1123 labels joined by '.', at most 253 characters";

export function isDns1123Label(value: string): boolean {
  return value.length <= 63 && DNS1123_LABEL.test(value);
}

export function isDns1123Subdomain(value: string): boolean {
  return value.length <= 253 && DNS1123_SUBDOMAIN.test(value);
}

/**
 * Joins a parent name and a suffix into a child name that stays a DNS-1123 label: when the result
 * would pass `max` characters, the parent part is cut and an 8-character hash of the full name
 * keeps it unique and stable across runs.
 */
export function childName(parent: string, suffix: string, max = 63): string {
  const full = suffix ? `${parent}-${suffix}` : parent;
  if (full.length <= max) return full;
  const hash = createHash("sha256").update(full).digest("hex").slice(0, 8);
  const keep = max - hash.length - 1;
  return `${full.slice(0, keep).replace(/-+$/, "")}-${hash}`;
}
