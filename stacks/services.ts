import * as pulumi from "@pulumi/pulumi";
import { MeshInfo } from "../components/kubernetes/mesh-info";
import {
  EventBroker,
  EventBrokerArgs,
  EventTrigger,
  EventTriggerArgs,
  PingSource,
  PingSourceArgs,
  IngressGateway,
  IngressGatewayArgs,
  IngressRoute,
  IngressRouteArgs,
  MeshedWorkload,
  MeshedWorkloadArgs,
  MeshNamespace,
  MeshServiceEntry,
  MeshServiceEntryArgs,
  OpenFaasFunction,
  OpenFaasFunctionArgs,
  ServerlessService,
  ServerlessServiceArgs,
  ServiceAccess,
  ServiceAccessArgs,
  ServiceObservability,
  ServiceObservabilityArgs,
  ServiceTraffic,
  ServiceTrafficArgs,
} from "../components/kubernetes/service";
import type { ServicesConfig, StackConfig } from "./config-types";
import { fail, isSecretKey } from "./config";
import { SECRET_TEXT, warn } from "../components/core/secrets";
import { withEventDelivery } from "./eventing";

type Entries = Record<string, Record<string, unknown>>;

/**
 * A service without `access` in a deny-by-default namespace answers every call with 403: legal
 * (a worker that only calls out), but usually a forgotten `access`, so say so.
 */
function warnUnreachable(config: ServicesConfig): void {
  const closed = new Set(
    Object.entries(config.namespaces ?? {})
      .filter(([, a]) => a.denyByDefault === true)
      .map(([name, a]) => a.namespace ?? name),
  );
  for (const kind of ["serverless", "workloads", "openfaas"] as const) {
    for (const [name, a] of Object.entries(config[kind] ?? {})) {
      if (a.access === undefined && typeof a.namespace === "string" && closed.has(a.namespace)) {
        warn(
          `services.${kind}.${name}: namespace ${a.namespace} denies by default and this service has no \`access\`: every call to it is refused (403)`,
        );
      }
    }
  }
}

/**
 * OpenFaaS in a stack file, checked before anything is built: functions on a CE platform fail,
 * since no operator would reconcile their `Function` resources (OpenFaasFunction says the same
 * when the platform is described by hand); the licence and admin password must be `secure:`
 * values (`pulumi config set --secret --path platform.openfaas.credentials.license`), never
 * plain text in the stack file.
 */
export function checkOpenFaas(stack: StackConfig, project: string): void {
  const openfaas = stack.platform?.openfaas;
  if (typeof openfaas !== "object") return;
  const { license, adminPassword } = openfaas.credentials ?? {};
  if ((license !== undefined || adminPassword !== undefined) && !isSecretKey(`${project}:platform`))
    fail(
      `${project}:platform.openfaas.credentials`,
      SECRET_TEXT,
      "must be secure values (pulumi config set --secret --path platform.openfaas.credentials.license ...), not plain text in the stack file",
    );
  const functions = Object.keys(stack.services?.openfaas ?? {});
  if (functions.length === 0 || openfaas.edition !== "ce") return;
  fail(
    `${project}:platform.openfaas.edition`,
    "ce",
    `must be "pro" while services.openfaas has functions (${functions.join(", ")}): Function resources are reconciled only by the OpenFaaS operator, which the openfaas chart installs only with openfaasPro; OpenFaaS CE runs only the legacy controller, and its EULA limits commercial use to 60-day proofs of concept`,
  );
}

/**
 * Config key `services`: per-service mesh configuration. Each sub-key maps names to one kind's
 * arguments: `namespaces` (MeshNamespace), `serverless` (ServerlessService), `workloads`
 * (MeshedWorkload), `traffic`, `access`, `observability`, `gateways` (IngressGateway), `routes`
 * (IngressRoute), `serviceEntries`, `openfaas` (OpenFaasFunction). A `namespace` naming an entry
 * of `namespaces` refers to it.
 */
export function deployServices(
  stackConfig: ServicesConfig,
  mesh: MeshInfo,
  opts: pulumi.ComponentResourceOptions,
): Record<string, pulumi.Input<unknown>> {
  const config = withEventDelivery(stackConfig, mesh);
  warnUnreachable(config);
  const namespaces = new Map<string, MeshNamespace>();
  for (const [name, args] of Object.entries(config.namespaces ?? {})) {
    const ns = new MeshNamespace(name, { ...args, mesh }, opts);
    namespaces.set(ns.namespace, ns);
  }
  const build = <A, R>(
    key: Exclude<keyof ServicesConfig, "namespaces">,
    make: (name: string, args: A) => R,
  ): Record<string, R> => {
    const out: Record<string, R> = {};
    for (const [name, args] of Object.entries((config[key] ?? {}) as Entries)) {
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
  // Knative Eventing (issue 16).
  const brokers = build<EventBrokerArgs, EventBroker>(
    "brokers",
    (n, a) => new EventBroker(n, { ...a, mesh }, opts),
  );
  build<EventTriggerArgs, EventTrigger>(
    "triggers",
    (n, a) => new EventTrigger(n, { ...a, mesh }, opts),
  );
  build<PingSourceArgs, PingSource>(
    "pingSources",
    (n, a) => new PingSource(n, { ...a, mesh }, opts),
  );
  const functions = build<OpenFaasFunctionArgs, OpenFaasFunction>(
    "openfaas",
    (n, a) => new OpenFaasFunction(n, { ...a, mesh }, opts),
  );

  const hosts = (m: Record<string, { host: pulumi.Output<string> }>) =>
    Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.host]));
  return {
    meshNamespaces: [...namespaces.keys()],
    serverlessHosts: hosts(serverless),
    serviceUrls: Object.fromEntries(Object.entries(serverless).map(([k, v]) => [k, v.url])),
    workloadHosts: hosts(workloads),
    ...(config.openfaas ? { functionHosts: hosts(functions) } : {}),
    gateways: Object.fromEntries(Object.entries(gateways).map(([k, g]) => [k, g.gatewayRef])),
    ...(Object.keys(brokers).length > 0
      ? {
          brokerAddresses: Object.fromEntries(
            Object.entries(brokers).map(([k, b]) => [k, b.address]),
          ),
        }
      : {}),
  };
}
