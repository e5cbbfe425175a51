import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { IServiceEntry } from "@kubernetes-models/istio/networking.istio.io/v1/ServiceEntry" with {
  "resolution-mode": "import",
};
import { isIP } from "net";
import { ArgChecker } from "../../core/validate";
import { isDns1123Subdomain } from "../../core/names";
import { KubeObject } from "../../core/kube";
import { MeshInfo } from "../mesh-info";
import { metaFor, NamespaceRef, registerObject, placePart, ServiceContext } from "./spec";
import { defined } from "../../core/values";
import { checkArgs } from "../../core/args-schema";
import schema from "../../../schema/MeshServiceEntry.schema.json";

/** @internal */
export type ServiceEntrySpec = NonNullable<IServiceEntry["spec"]>;

type PortProtocol = "HTTP" | "HTTPS" | "HTTP2" | "GRPC" | "TLS" | "TCP" | "MONGO";
type Resolution = "NONE" | "STATIC" | "DNS" | "DNS_ROUND_ROBIN";
const SE_HOST = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export interface MeshServiceEntryArgs {
  /**
   * Hosts of the callee, e.g. `api.example.com` or `*.openfaas-fn.svc.cluster.local`. Plain, not
   * Outputs: whether one is a wildcard decides the default `resolution` and its checks. At most
   * 256, as the ServiceEntry CRD allows.
   * https://istio.io/latest/docs/reference/config/networking/service-entry/
   * @maxItems 256
   */
  hosts: string[];
  ports: {
    number: number;
    name?: string;
    protocol?: PortProtocol;
    targetPort?: number;
  }[];
  /** `MESH_INTERNAL` for workloads with sidecars (e.g. functions on another platform in the cluster). @default "MESH_EXTERNAL" */
  location?: "MESH_INTERNAL" | "MESH_EXTERNAL";
  /**
   * How endpoints are found. Istio rejects `DNS` for wildcard hosts unless `endpoints` are given,
   * so this is checked. @default "DNS" ("NONE" when a host is a wildcard)
   */
  resolution?: Resolution;
  endpoints?: { address: string; ports?: Record<string, number> }[];
  /** Namespaces that see the entry (`.` = own, `*` = all). @default all */
  exportTo?: string[];
  /** @default "default" */
  namespace?: string | NamespaceRef;
  mesh?: MeshInfo;
}

/** ServiceEntry args with every default applied: what `serviceEntryObject` emits. @internal */
export type ResolvedServiceEntry = ServiceEntrySpec & {
  hosts: string[];
  location: "MESH_INTERNAL" | "MESH_EXTERNAL";
  resolution: Resolution;
};

/** Checks ServiceEntry args (paths under `prefix`) and applies their defaults. @internal */
export function resolveServiceEntry(
  check: ArgChecker,
  prefix: string,
  a: Omit<MeshServiceEntryArgs, "namespace" | "mesh">,
): ResolvedServiceEntry {
  const hosts = a.hosts ?? [];
  if (hosts.length === 0) check.fail(`${prefix}hosts`, a.hosts, "at least one host");
  hosts.forEach((h, i) =>
    check.pattern(`${prefix}hosts[${i}]`, h, SE_HOST, "a DNS name, optionally starting with '*.'"),
  );
  const ports = a.ports ?? [];
  if (ports.length === 0) check.fail(`${prefix}ports`, a.ports, "at least one port");
  ports.forEach((p, i) => {
    check.port(`${prefix}ports[${i}].number`, p.number);
    check.port(`${prefix}ports[${i}].targetPort`, p.targetPort);
    check.dnsLabel(`${prefix}ports[${i}].name`, p.name);
  });
  check.unique(
    `${prefix}ports`,
    ports.map((p) => String(p.number)),
  );
  const wildcard = hosts.find((h) => h.startsWith("*"));
  const resolution = a.resolution ?? (wildcard ? "NONE" : "DNS");
  if (wildcard && resolution.startsWith("DNS") && (a.endpoints ?? []).length === 0)
    check.fail(
      `${prefix}resolution`,
      resolution,
      `Istio rejects DNS resolution for the wildcard host "${wildcard}" without endpoints (hosts must be FQDNs); use "NONE" or list endpoints`,
    );
  if (resolution === "STATIC" && (a.endpoints ?? []).length === 0)
    check.fail(
      `${prefix}endpoints`,
      a.endpoints,
      "STATIC resolution needs endpoints with IP addresses",
    );
  // istio pkg/config/validation ServiceEntry: STATIC endpoints are IPs (or unix:// sockets),
  // DNS endpoints FQDNs or IPs.
  (a.endpoints ?? []).forEach((e, i) => {
    const at = `${prefix}endpoints[${i}].address`;
    check.length(at, e.address, 1, 253);
    if (resolution === "STATIC" && !isIP(e.address) && !e.address.startsWith("unix://"))
      check.fail(at, e.address, "STATIC resolution needs an IPv4/IPv6 address or a unix:// socket");
    if (resolution.startsWith("DNS") && !isIP(e.address) && !isDns1123Subdomain(e.address))
      check.fail(at, e.address, "DNS resolution needs a host name (FQDN) or an IP address");
  });
  (a.exportTo ?? []).forEach((n, i) =>
    check.pattern(
      `${prefix}exportTo[${i}]`,
      n,
      /^(\.|\*|~|[a-z0-9]([-a-z0-9]*[a-z0-9])?)$/,
      '".", "*" or a namespace name',
    ),
  );
  const spec: ResolvedServiceEntry = {
    hosts,
    location: a.location ?? "MESH_EXTERNAL",
    ports: ports.map((p) => {
      const protocol = p.protocol ?? "HTTP";
      return defined({
        number: p.number,
        name: p.name ?? `${protocol.toLowerCase()}-${p.number}`,
        protocol,
        targetPort: p.targetPort,
      });
    }),
    resolution,
  };
  if (a.endpoints && a.endpoints.length > 0)
    spec.endpoints = a.endpoints.map((e) => defined({ address: e.address, ports: e.ports }));
  if (a.exportTo) spec.exportTo = a.exportTo;
  return spec;
}

/** @internal */
export function serviceEntryObject(
  ctx: ServiceContext,
  name: string,
  spec: ResolvedServiceEntry,
  component = "service-entry",
): KubeObject<ServiceEntrySpec> & { apiVersion: "networking.istio.io/v1"; kind: "ServiceEntry" } {
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "ServiceEntry",
    metadata: metaFor(ctx, name, component),
    spec,
  };
}

function resolveMeshServiceEntry(
  check: ArgChecker,
  name: string,
  args: MeshServiceEntryArgs,
): { ctx: ServiceContext; spec: ResolvedServiceEntry } {
  const { ctx, rest } = placePart(check, name, args);
  return { ctx, spec: resolveServiceEntry(check, "", rest) };
}

/**
 * A callee outside the mesh's registry (an external API, functions on another serverless
 * platform): an Istio `ServiceEntry` so sidecars route, secure and observe calls to it.
 */
export class MeshServiceEntry extends pulumi.ComponentResource {
  readonly serviceEntry: k8s.apiextensions.CustomResource;
  readonly entryName: pulumi.Output<string>;

  constructor(name: string, args: MeshServiceEntryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-serverless:service:MeshServiceEntry", name, {}, opts);
    checkArgs(this, schema, args);
    const check = new ArgChecker(this);
    const r = resolveMeshServiceEntry(check, name, args);
    this.serviceEntry = registerObject(
      this,
      serviceEntryObject(r.ctx, name, r.spec),
      r.ctx.dependsOn,
    );
    this.entryName = pulumi.output(name);
    this.registerOutputs({ entryName: name });
  }
}
