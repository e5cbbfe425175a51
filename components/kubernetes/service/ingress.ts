/**
 * Ingress: an Istio `Gateway` (hosts, ports, TLS from a Kubernetes secret) on the mesh's ingress
 * gateway pods, and the `VirtualService` that binds hosts and paths to a service through it.
 * https://istio.io/latest/docs/reference/config/networking/gateway/
 */
import type { IGateway } from "@kubernetes-models/istio/networking.istio.io/v1/Gateway" with {
  "resolution-mode": "import",
};
import * as pulumi from "@pulumi/pulumi";
import { ArgChecker } from "../../core/validate";
import { childName } from "../../core/names";
import { KubeObject } from "../../core/kube";
import { defined } from "../../core/values";
import { metaFor, ServiceContext } from "./spec";
import {
  checkAuthority,
  checkHost,
  checkGatewayRef,
  defaultHost,
  HttpRouteArgs,
  ResolvedTraffic,
  resolveTraffic,
  TrafficArgs,
  trafficObjects,
  TrafficObjects,
} from "./traffic";

/** @internal */
export type GatewaySpec = NonNullable<IGateway["spec"]>;
type Server = NonNullable<GatewaySpec["servers"]>[number];

type ServerProtocol = "HTTP" | "HTTPS" | "HTTP2" | "GRPC" | "TLS" | "TCP";

/** One listener of the gateway. */
export interface GatewayServerArgs {
  port: number;
  /** @default "HTTPS" with `tls`, "HTTP" without */
  protocol?: ServerProtocol;
  /** Port name. @default the protocol, lowercased */
  name?: string;
  /**
   * Hosts served, e.g. `serverless.example.com`, `*.example.com`, `*`, or `<namespace>/<host>`;
   * a host may be an Output (a domain from another resource), checked when it resolves.
   */
  hosts: pulumi.Input<string>[];
  /**
   * Terminate TLS with the certificate in a Secret. Istio reads it from the namespace of the
   * gateway *pods* (`istio-system` for the platform's gateway), not of this Gateway object.
   */
  tls?: {
    /** Name of the Secret (`credentialName`) holding tls.crt/tls.key (and ca.crt for MUTUAL), in the gateway pods' namespace. */
    secret?: string;
    /** @default "SIMPLE" */
    mode?: "SIMPLE" | "MUTUAL" | "PASSTHROUGH" | "ISTIO_MUTUAL" | "OPTIONAL_MUTUAL";
    /** Redirect plain HTTP on this server to HTTPS. */
    httpsRedirect?: boolean;
    /**
     * Oldest TLS version the gateway accepts where it terminates TLS (not with PASSTHROUGH).
     * https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings-TLSProtocol
     * @default "TLSV1_2"
     */
    minProtocolVersion?: "TLSV1_2" | "TLSV1_3";
  };
}

export interface GatewayArgs {
  servers: GatewayServerArgs[];
  /** Labels of the gateway pods. @default the mesh's gatewaySelector ({ istio: "ingressgateway" }) */
  selector?: Record<string, string>;
}

/** Binding of hosts (and paths) to a service through a gateway. */
export interface IngressArgs {
  /** Gateway as `<name>` (same namespace) or `<namespace>/<name>`. @default the mesh's shared gateway */
  gateway?: string;
  /** Public hosts, e.g. `serverless.example.com`; each may be an Output, checked when it resolves. */
  hosts: pulumi.Input<string>[];
  /** URI prefixes routed to the service. @default every path */
  paths?: string[];
  /** Full routes instead of `paths` (retries, rewrites, ...). @minItems 1 */
  routes?: HttpRouteArgs[];
  /** Destination host. @default "<service>.<namespace>.svc.cluster.local" */
  host?: string;
  /** Destination port (the Service port). */
  port?: number;
  /** Host header the destination sees (`rewrite.authority` on the generated routes). */
  authority?: string;
  /**
   * VirtualService name. Not `<ksvc>-ingress` or `<ksvc>-mesh`: net-istio owns those names.
   * @default "<service>-ingress-route" (the component name for IngressRoute)
   */
  name?: string;
}

const GATEWAY_HOST =
  /^([a-z0-9*.~-]+\/)?(\*|(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$/;

/** Whether the server terminates TLS at the gateway (a Secret or a mode is given). */
function terminates(s: GatewayServerArgs): boolean {
  return s.tls !== undefined && (s.tls.secret !== undefined || s.tls.mode !== undefined);
}

/** A gateway with every default applied: what `gatewayObject` emits. @internal */
export interface ResolvedGateway {
  selector: Record<string, string>;
  servers: Server[];
}

/** Checks a gateway's arguments and applies their defaults. @internal */
export function resolveGateway(
  check: ArgChecker,
  ctx: ServiceContext,
  g: GatewayArgs,
): ResolvedGateway {
  const servers = g.servers ?? [];
  if (servers.length === 0) check.fail("servers", g.servers, "a Gateway needs at least one server");
  const resolved = servers.map((s, i): Server => {
    const p = `servers[${i}]`;
    check.port(`${p}.port`, s.port);
    check.dnsLabel(`${p}.name`, s.name);
    if (s.hosts.length === 0)
      check.fail(`${p}.hosts`, s.hosts, 'a server needs at least one host ("*" for any)');
    const hosts = s.hosts.map((h, j) =>
      check.input(h, (v) =>
        check.pattern(
          `${p}.hosts[${j}]`,
          v,
          GATEWAY_HOST,
          'a host such as "example.com", "*.example.com", "*" or "<namespace>/<host>"',
        ),
      )!,
    );
    const protocol = s.protocol ?? (terminates(s) ? "HTTPS" : "HTTP");
    // istio pkg/config/validation validateServer: "server must have TLS settings for HTTPS/TLS protocols".
    if ((protocol === "HTTPS" || protocol === "TLS") && !s.tls)
      check.fail(
        `${p}.tls`,
        s.tls,
        `a ${protocol} server needs \`tls\` (a certificate Secret or mode)`,
      );
    const server: Server = {
      port: { number: s.port, name: s.name ?? protocol.toLowerCase(), protocol },
      hosts: hosts as string[],
    };
    if (s.tls) {
      check.dnsSubdomain(`${p}.tls.secret`, s.tls.secret);
      if (
        s.tls.minProtocolVersion !== undefined &&
        (!terminates(s) || s.tls.mode === "PASSTHROUGH")
      )
        check.fail(
          `${p}.tls.minProtocolVersion`,
          s.tls.minProtocolVersion,
          "only applies where the gateway terminates TLS (a Secret or mode other than PASSTHROUGH)",
        );
      const mode = s.tls.mode ?? "SIMPLE";
      if (
        ["SIMPLE", "MUTUAL", "OPTIONAL_MUTUAL"].includes(mode) &&
        s.tls.secret === undefined &&
        !s.tls.httpsRedirect
      )
        check.fail(
          `${p}.tls.secret`,
          s.tls.secret,
          `TLS mode ${mode} needs the Secret holding the certificate`,
        );
      const terminated = terminates(s) ? mode : undefined;
      server.tls = defined({
        httpsRedirect: s.tls.httpsRedirect ? true : undefined,
        mode: terminated,
        credentialName: s.tls.secret,
        minProtocolVersion:
          terminated !== undefined && terminated !== "PASSTHROUGH"
            ? (s.tls.minProtocolVersion ?? "TLSV1_2")
            : undefined,
      });
    }
    return server;
  });
  check.unique(
    "servers",
    servers.map((s) => `${s.port}`),
  );
  check.labels("selector", g.selector);
  return { selector: g.selector ?? ctx.mesh.gatewaySelector, servers: resolved };
}

/** @internal */
export function gatewayObject(
  ctx: ServiceContext,
  g: ResolvedGateway,
  component = "ingress",
): KubeObject<GatewaySpec> & { apiVersion: "networking.istio.io/v1"; kind: "Gateway" } {
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "Gateway",
    metadata: metaFor(ctx, ctx.name, component),
    spec: { selector: g.selector, servers: g.servers },
  };
}

/**
 * Checks an ingress binding under `prefix` and resolves it to the traffic it amounts to: a
 * VirtualService on the gateway, named `defaultName` unless `name` is given. Public hosts may be
 * Outputs (a domain from another resource), checked when they resolve.
 * @internal
 */
export function resolveIngress(
  check: ArgChecker,
  prefix: string,
  ctx: ServiceContext,
  i: IngressArgs,
  defaultName: string,
): ResolvedTraffic {
  if (i.gateway === undefined && ctx.mesh.gateway === undefined)
    check.fail(
      `${prefix}gateway`,
      i.gateway,
      'name the Gateway ("<name>" or "<namespace>/<name>"); the mesh has no shared gateway',
    );
  checkGatewayRef(check, `${prefix}gateway`, i.gateway);
  if (i.hosts.length === 0) check.fail(`${prefix}hosts`, i.hosts, "at least one public host");
  const hosts = i.hosts.map((h, j) =>
    check.input(h, (v) => checkHost(check, `${prefix}hosts[${j}]`, v))!,
  );
  (i.paths ?? []).forEach((p, j) =>
    check.pattern(`${prefix}paths[${j}]`, p, /^\/\S*$/, "a URI prefix starting with '/'"),
  );
  if (i.paths !== undefined && i.routes !== undefined)
    check.fail(`${prefix}routes`, "(routes)", "give paths or routes, not both");
  check.port(`${prefix}port`, i.port);
  checkAuthority(check, `${prefix}authority`, i.authority);
  check.dnsSubdomain(`${prefix}name`, i.name);
  const gateway = i.gateway ?? ctx.mesh.gateway;
  const rewrite = i.authority !== undefined ? { rewrite: { authority: i.authority } } : {};
  const routes: HttpRouteArgs[] =
    i.routes ??
    (i.paths && i.paths.length > 0
      ? i.paths.map((p) => ({
          match: [{ uri: { prefix: p } }],
          destinations: [{ port: i.port }],
          ...rewrite,
        }))
      : [{ destinations: [{ port: i.port }], ...rewrite }]);
  // The hosts are checked above (when known); the traffic check would read an Output's text.
  const traffic: TrafficArgs = {
    host: i.host ?? defaultHost(ctx),
    gateways: gateway ? [gateway] : [],
    routes,
    virtualServiceName: i.name ?? defaultName,
  };
  return { ...resolveTraffic(check, prefix, ctx, traffic), hosts: hosts as string[] };
}

/**
 * net-istio creates and owns the VirtualServices `<ksvc>-ingress` and `<ksvc>-mesh` in a Knative
 * Service's namespace (knative/net-istio pkg/reconciler/ingress/resources/names/names.go) and
 * refuses objects it does not own, so the default name ends in neither suffix.
 */
const INGRESS_ROUTE_SUFFIX = "ingress-route";

/** The default VirtualService name of a service's ingress route. */
export function ingressRouteName(service: string): string {
  return childName(service, INGRESS_ROUTE_SUFFIX);
}

/** @internal */
export function ingressObjects(ctx: ServiceContext, i: ResolvedTraffic): TrafficObjects {
  return trafficObjects(ctx, i, "ingress");
}
