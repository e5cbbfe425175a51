/**
 * Destination policy (DestinationRule `trafficPolicy`) in the seeds' terms, emitted as current
 * Istio fields: `consecutiveErrors` becomes `consecutive5xxErrors`, `LEAST_CONN` becomes
 * `LEAST_REQUEST`; durations are kept as written (Istio durations).
 * https://istio.io/latest/docs/reference/config/networking/destination-rule/#TrafficPolicy
 */
import type { IDestinationRule } from "@kubernetes-models/istio/networking.istio.io/v1/DestinationRule" with {
  "resolution-mode": "import",
};
import { ArgChecker } from "../../core/validate";
import { defined } from "../../core/values";

/** @internal */
export type DestinationRuleSpec = NonNullable<IDestinationRule["spec"]>;
/** @internal */
export type TrafficPolicy = NonNullable<DestinationRuleSpec["trafficPolicy"]>;
type Subset = NonNullable<DestinationRuleSpec["subsets"]>[number];
/** @internal */
export type SubsetTrafficPolicy = NonNullable<Subset["trafficPolicy"]>;

const I32 = 2_147_483_647;

/** Destination policy in the seeds' terms. */
export interface TrafficPolicyArgs {
  connectionPool?: {
    tcp?: {
      maxConnections?: number;
      connectTimeout?: string;
      idleTimeout?: string;
      maxConnectionDuration?: string;
      tcpKeepalive?: { time?: string; interval?: string; probes?: number };
    };
    http?: {
      http1MaxPendingRequests?: number;
      http2MaxRequests?: number;
      maxRequestsPerConnection?: number;
      maxRetries?: number;
      idleTimeout?: string;
      maxConcurrentStreams?: number;
      h2UpgradePolicy?: "DEFAULT" | "DO_NOT_UPGRADE" | "UPGRADE";
    };
  };
  outlierDetection?: {
    /** The seeds' (pre-1.5 Istio) name; emitted as `consecutive5xxErrors`. */
    consecutiveErrors?: number;
    consecutive5xxErrors?: number;
    consecutiveGatewayErrors?: number;
    interval?: string;
    baseEjectionTime?: string;
    maxEjectionPercent?: number;
    minHealthPercent?: number;
  };
  /** `LEAST_CONN` (deprecated upstream) is emitted as `LEAST_REQUEST`. */
  loadBalancer?: "ROUND_ROBIN" | "LEAST_REQUEST" | "LEAST_CONN" | "RANDOM" | "PASSTHROUGH";
  tls?: {
    mode: "DISABLE" | "SIMPLE" | "MUTUAL" | "ISTIO_MUTUAL";
    credentialName?: string;
    sni?: string;
  };
}

/** Validates a destination policy under `path`. */
export function checkPolicy(
  check: ArgChecker,
  path: string,
  p: TrafficPolicyArgs | undefined,
): void {
  if (p === undefined) return;
  const tcp = p.connectionPool?.tcp;
  const tp = `${path}.connectionPool.tcp`;
  check.int(`${tp}.maxConnections`, tcp?.maxConnections, 1, I32);
  check.durationMs(`${tp}.connectTimeout`, tcp?.connectTimeout, 1);
  check.durationMs(`${tp}.idleTimeout`, tcp?.idleTimeout, 1);
  check.durationMs(`${tp}.maxConnectionDuration`, tcp?.maxConnectionDuration, 1);
  check.durationMs(`${tp}.tcpKeepalive.time`, tcp?.tcpKeepalive?.time, 1);
  check.durationMs(`${tp}.tcpKeepalive.interval`, tcp?.tcpKeepalive?.interval, 1);
  check.int(`${tp}.tcpKeepalive.probes`, tcp?.tcpKeepalive?.probes, 1, I32);
  const http = p.connectionPool?.http;
  const hp = `${path}.connectionPool.http`;
  check.int(`${hp}.http1MaxPendingRequests`, http?.http1MaxPendingRequests, 0, I32);
  check.int(`${hp}.http2MaxRequests`, http?.http2MaxRequests, 0, I32);
  check.int(`${hp}.maxRequestsPerConnection`, http?.maxRequestsPerConnection, 0, 536_870_912);
  check.int(`${hp}.maxRetries`, http?.maxRetries, 0, I32);
  check.int(`${hp}.maxConcurrentStreams`, http?.maxConcurrentStreams, 1, I32);
  check.durationMs(`${hp}.idleTimeout`, http?.idleTimeout, 1);
  const od = p.outlierDetection;
  const op = `${path}.outlierDetection`;
  if (od?.consecutiveErrors !== undefined && od.consecutive5xxErrors !== undefined)
    check.fail(
      `${op}.consecutiveErrors`,
      od.consecutiveErrors,
      "give consecutiveErrors or consecutive5xxErrors (its current name), not both",
    );
  check.int(`${op}.consecutiveErrors`, od?.consecutiveErrors, 0, I32);
  check.int(`${op}.consecutive5xxErrors`, od?.consecutive5xxErrors, 0, I32);
  check.int(`${op}.consecutiveGatewayErrors`, od?.consecutiveGatewayErrors, 0, I32);
  check.durationMs(`${op}.interval`, od?.interval, 1);
  check.durationMs(`${op}.baseEjectionTime`, od?.baseEjectionTime, 1);
  check.int(`${op}.maxEjectionPercent`, od?.maxEjectionPercent, 0, 100);
  check.int(`${op}.minHealthPercent`, od?.minHealthPercent, 0, 100);
}

/** The `trafficPolicy` Istio wants; only given fields are emitted, durations as written. */
/**
 * A subset's `trafficPolicy`: the same fields, but the model declares them as a second anonymous
 * type, and relating the two structurally cost the compiler 30 s per build. Same value, retyped.
 * @internal
 */
export function subsetTrafficPolicy(p: TrafficPolicyArgs): SubsetTrafficPolicy {
  return trafficPolicy(p) as unknown as SubsetTrafficPolicy;
}

/** @internal */
export function trafficPolicy(p: TrafficPolicyArgs): TrafficPolicy {
  const out: TrafficPolicy = {};
  const { tcp, http } = p.connectionPool ?? {};
  if (tcp || http) {
    out.connectionPool = {};
    if (tcp)
      out.connectionPool.tcp = defined({
        ...tcp,
        tcpKeepalive: tcp.tcpKeepalive && defined(tcp.tcpKeepalive),
      });
    if (http) out.connectionPool.http = defined({ ...http });
  }
  if (p.outlierDetection) {
    const { consecutiveErrors, consecutive5xxErrors, ...rest } = p.outlierDetection;
    out.outlierDetection = defined({
      consecutive5xxErrors: consecutive5xxErrors ?? consecutiveErrors,
      ...rest,
    });
  }
  if (p.loadBalancer)
    out.loadBalancer = {
      simple: p.loadBalancer === "LEAST_CONN" ? "LEAST_REQUEST" : p.loadBalancer,
    };
  if (p.tls) out.tls = defined({ ...p.tls });
  return out;
}
