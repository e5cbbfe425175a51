import * as pulumi from "@pulumi/pulumi";
import { MeshInfo } from "../components/kubernetes/mesh-info";
import {
  IngressGateway,
  IngressGatewayArgs,
  IngressRoute,
  IngressRouteArgs,
  MeshedWorkload,
  MeshedWorkloadArgs,
  MeshNamespace,
  MeshNamespaceArgs,
  MeshServiceEntry,
  MeshServiceEntryArgs,
  ServerlessService,
  ServerlessServiceArgs,
  ServiceAccess,
  ServiceAccessArgs,
  ServiceObservability,
  ServiceObservabilityArgs,
  ServiceTraffic,
  ServiceTrafficArgs,
} from "../components/kubernetes/service";
import { Section } from "./config";

// The top-level keys of each kind's arguments: an unknown key in config (a typo) is rejected with
// its full config path; the values themselves are checked by the components.
const CONTAINER = [
  "image",
  "containerName",
  "ports",
  "env",
  "secretEnv",
  "resources",
  "args",
  "command",
  "livenessProbe",
  "readinessProbe",
  "startupProbe",
] as const;
const PARTS = ["access", "monitor", "alerts", "telemetry", "ingress", "callees"] as const;
const KEYS = {
  namespaces: [
    "namespace",
    "create",
    "injection",
    "labels",
    "mtls",
    "denyByDefault",
    "egressHosts",
    "quota",
    "limits",
    "priorityClass",
  ],
  serverless: [
    ...CONTAINER,
    ...PARTS,
    "namespace",
    "scale",
    "containerConcurrency",
    "timeout",
    "responseStartTimeout",
    "idleTimeout",
    "serviceAccountName",
    "revisionName",
    "public",
    "labels",
    "annotations",
    "traffic",
  ],
  workloads: [
    ...CONTAINER,
    ...PARTS,
    "namespace",
    "traffic",
    "replicas",
    "version",
    "servicePort",
    "serviceAccountName",
    "createServiceAccount",
    "labels",
    "priorityClassName",
  ],
  traffic: [
    "namespace",
    "host",
    "hosts",
    "gateways",
    "subsets",
    "routes",
    "policy",
    "virtualServiceName",
    "destinationRuleName",
  ],
  access: [
    "namespace",
    "allow",
    "deny",
    "jwt",
    "selector",
    "trustDomain",
    "policyName",
    "denyPolicyName",
    "requestAuthenticationName",
  ],
  observability: ["namespace", "selector", "monitor", "alerts", "telemetry"],
  gateways: ["namespace", "servers", "selector"],
  routes: ["namespace", "gateway", "hosts", "paths", "routes", "host", "port", "name"],
  serviceEntries: [
    "namespace",
    "hosts",
    "ports",
    "location",
    "resolution",
    "endpoints",
    "exportTo",
  ],
} as const satisfies {
  namespaces: readonly (keyof MeshNamespaceArgs)[];
  serverless: readonly (keyof ServerlessServiceArgs)[];
  workloads: readonly (keyof MeshedWorkloadArgs)[];
  traffic: readonly (keyof ServiceTrafficArgs)[];
  access: readonly (keyof ServiceAccessArgs)[];
  observability: readonly (keyof ServiceObservabilityArgs)[];
  gateways: readonly (keyof IngressGatewayArgs)[];
  routes: readonly (keyof IngressRouteArgs)[];
  serviceEntries: readonly (keyof MeshServiceEntryArgs)[];
};

/** The arguments in one config entry, reading only the known keys (then rejecting the rest). */
function argsOf<T>(entry: Section, keys: readonly string[]): T {
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = entry.raw<unknown>(k);
    if (v !== undefined) out[k] = v;
  }
  entry.done();
  return out as T;
}

/**
 * A service without `access` in a deny-by-default namespace answers every call with 403: legal
 * (a worker that only calls out), but usually a forgotten `access`, so say so.
 */
function warnUnreachable(
  entries: Record<string, (readonly [string, Record<string, unknown>])[]>,
): void {
  const closed = new Set(
    entries.namespaces
      .filter(([, a]) => a.denyByDefault === true)
      .map(([name, a]) => (typeof a.namespace === "string" ? a.namespace : name)),
  );
  for (const kind of ["serverless", "workloads"] as const) {
    for (const [name, a] of entries[kind]) {
      if (a.access === undefined && typeof a.namespace === "string" && closed.has(a.namespace)) {
        pulumi.log.warn(
          `services.${kind}.${name}: namespace ${a.namespace} denies by default and this service has no \`access\`: every call to it is refused (403)`,
        );
      }
    }
  }
}

/**
 * Config key `services`: per-service mesh configuration. Each sub-key maps names to one kind's
 * arguments: `namespaces` (MeshNamespace), `serverless` (ServerlessService), `workloads`
 * (MeshedWorkload), `traffic`, `access`, `observability`, `gateways` (IngressGateway), `routes`
 * (IngressRoute), `serviceEntries`. A `namespace` naming an entry of `namespaces` refers to it.
 */
export function deployServices(
  config: Section,
  mesh: MeshInfo,
  opts: pulumi.ComponentResourceOptions,
): Record<string, pulumi.Input<unknown>> {
  // Read every entry (rejecting misspelt keys) before anything is created.
  const entries = Object.fromEntries(
    (Object.keys(KEYS) as (keyof typeof KEYS)[]).map((key) => [
      key,
      config
        .named(key)
        .map(([name, entry]) => [name, argsOf<Record<string, unknown>>(entry, KEYS[key])] as const),
    ]),
  ) as Record<keyof typeof KEYS, (readonly [string, Record<string, unknown>])[]>;
  config.done();
  warnUnreachable(entries);

  const namespaces = new Map<string, MeshNamespace>();
  for (const [name, args] of entries.namespaces) {
    const ns = new MeshNamespace(name, { ...(args as MeshNamespaceArgs), mesh }, opts);
    namespaces.set(ns.namespace, ns);
  }
  const build = <A, R>(
    key: keyof typeof KEYS,
    make: (name: string, args: A) => R,
  ): Record<string, R> => {
    const out: Record<string, R> = {};
    for (const [name, args] of entries[key]) {
      const ns = typeof args.namespace === "string" ? namespaces.get(args.namespace) : undefined;
      out[name] = make(name, (ns ? { ...args, namespace: ns } : args) as A);
    }
    return out;
  };
  const serverless = build<ServerlessServiceArgs, ServerlessService>(
    "serverless",
    (n, a) => new ServerlessService(n, { ...a, mesh }, opts),
  );
  const workloads = build<MeshedWorkloadArgs, MeshedWorkload>(
    "workloads",
    (n, a) => new MeshedWorkload(n, { ...a, mesh }, opts),
  );
  build<ServiceTrafficArgs, ServiceTraffic>(
    "traffic",
    (n, a) => new ServiceTraffic(n, { ...a, mesh }, opts),
  );
  build<ServiceAccessArgs, ServiceAccess>(
    "access",
    (n, a) => new ServiceAccess(n, { ...a, mesh }, opts),
  );
  build<ServiceObservabilityArgs, ServiceObservability>(
    "observability",
    (n, a) => new ServiceObservability(n, { ...a, mesh }, opts),
  );
  const gateways = build<IngressGatewayArgs, IngressGateway>(
    "gateways",
    (n, a) => new IngressGateway(n, { ...a, mesh }, opts),
  );
  build<IngressRouteArgs, IngressRoute>(
    "routes",
    (n, a) => new IngressRoute(n, { ...a, mesh }, opts),
  );
  build<MeshServiceEntryArgs, MeshServiceEntry>(
    "serviceEntries",
    (n, a) => new MeshServiceEntry(n, { ...a, mesh }, opts),
  );

  const hosts = (m: Record<string, { host: pulumi.Output<string> }>) =>
    Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.host]));
  return {
    meshNamespaces: [...namespaces.keys()],
    serverlessHosts: hosts(serverless),
    serviceUrls: Object.fromEntries(Object.entries(serverless).map(([k, v]) => [k, v.url])),
    workloadHosts: hosts(workloads),
    gateways: Object.fromEntries(Object.entries(gateways).map(([k, g]) => [k, g.gatewayRef])),
  };
}
