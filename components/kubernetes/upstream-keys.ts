/**
 * Upstream field names (Istio, Knative) that a user copying a manifest writes, and the package
 * key that expresses each, by where they appear (a type's name, then property names). `npm run
 * schema` attaches them to those object schemas, so an unknown `percentage` under a fault says
 * "upstream's `percentage` is `percent` here" rather than only "unknown key".
 * Istio: https://istio.io/latest/docs/reference/config/networking/virtual-service/
 * Knative: https://knative.dev/docs/serving/autoscaling/ and the Service's `spec.traffic`.
 */
export const UPSTREAM_KEYS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  // VirtualService HTTPRoute: `route: [{ destination: { host, subset, port }, weight }]`.
  HttpRouteArgs: { route: "`destinations`", mirrorPercentage: "`mirror.percent`" },
  DestinationArgs: { destination: "`host`, `subset` and `port` (flattened)" },
  // HTTPFaultInjection: `delay.percentage: { value }`, `abort.percentage: { value }`.
  "HttpRouteArgs.fault.delay": { percentage: "`percent`" },
  "HttpRouteArgs.fault.abort": { percentage: "`percent`" },
  // Knative Service `spec.traffic[]`.
  RevisionTrafficArgs: {
    revisionName: "`revision`",
    latestRevision: "`revision` left unset",
  },
  // Knative autoscaling annotations (`autoscaling.knative.dev/min-scale`, the older `minScale`).
  ScaleArgs: {
    minScale: "`min`",
    "min-scale": "`min`",
    maxScale: "`max`",
    "max-scale": "`max`",
    initialScale: "`initial`",
    "initial-scale": "`initial`",
  },
};
