import * as pulumi from "@pulumi/pulumi";
import type { MeshInfo } from "../mesh-info";
import { ArgChecker, ScopedChecker } from "../../core/validate";
import { checkRegistry } from "./helm";
import { Fluentd, FluentdArgs, resolveFluentd, ResolvedFluentd } from "./fluentd";
import { gatewaySelector, IstioMesh, IstioMeshArgs, resolveIstio, ResolvedIstio } from "./istio";
import { Jaeger, JaegerArgs, jaegerTracingProvider, resolveJaeger, ResolvedJaeger } from "./jaeger";
import { KnativeServing, KnativeServingArgs, resolveKnative, ResolvedKnative } from "./knative";
import { Prometheus, PrometheusArgs, resolvePrometheus, ResolvedPrometheus } from "./prometheus";
import { OpenFaas, OpenFaasArgs, resolveOpenFaas, ResolvedOpenFaas } from "./openfaas";
import {
  KnativeEventing,
  KnativeEventingArgs,
  resolveKnativeEventing,
  ResolvedKnativeEventing,
} from "./knative-eventing";
import { ChartVersions, isPinnedVersion, VERSION_RULE } from "./versions";
import { childName } from "../../core/names";
import { checkArgs } from "../../core/args-schema";
import schema from "../../../schema/MeshPlatform.schema.json";

/** An add-on: `true` or unset installs it with defaults, `false` leaves it out, an object configures it. */
export type AddOn<T> = boolean | T;

export type PlatformIstioArgs = Omit<IstioMeshArgs, "registry" | "version">;
export type PlatformKnativeArgs = Omit<KnativeServingArgs, "registry" | "version" | "istio">;
export type PlatformJaegerArgs = Omit<JaegerArgs, "registry" | "version" | "telemetry">;
export type PlatformPrometheusArgs = Omit<PrometheusArgs, "registry" | "version" | "istio">;
export type PlatformFluentdArgs = Omit<FluentdArgs, "registry" | "version">;
export type PlatformEventingArgs = Omit<KnativeEventingArgs, "registry" | "operator" | "istio">;
export type PlatformOpenFaasArgs = Omit<OpenFaasArgs, "registry" | "version" | "istio">;

export interface MeshPlatformArgs {
  /**
   * Image registry mirror for air-gapped clusters, passed to every chart in the key it uses
   * (Istio `global.hub`/`hub`, kube-prometheus-stack and Jaeger `global.imageRegistry`, Fluentd
   * `image.repository`, Knative operator images and `KnativeServing.spec.registry`). Images keep
   * their upstream path below the registry (`docker.io/istio/pilot` -> `<registry>/istio/pilot`).
   */
  registry?: string;
  /** Chart version overrides by key of the pinned table (versions.ts). */
  versions?: ChartVersions;
  /** Istio, always installed; `tracing` only while jaeger is off (else it is Jaeger). @default {} */
  istio?: PlatformIstioArgs;
  /** Knative Serving with Istio as its ingress. @default true */
  knative?: AddOn<PlatformKnativeArgs>;
  /**
   * Knative Eventing (brokers, triggers, sources) through the operator the knative add-on
   * installs, so it needs `knative`. Off unless asked: it adds a control plane (controller,
   * webhook, in-memory channel, broker ingress/filter) that a stack without events does not need.
   * @default false
   */
  eventing?: AddOn<PlatformEventingArgs>;
  /** Jaeger v2 and the mesh tracing provider. @default true */
  jaeger?: AddOn<PlatformJaegerArgs>;
  /** kube-prometheus-stack and Istio's monitors. @default true */
  prometheus?: AddOn<PlatformPrometheusArgs>;
  /** Fluentd DaemonSet. @default true */
  fluentd?: AddOn<PlatformFluentdArgs>;
  /**
   * OpenFaaS (Pro by default, for `Function` resources) with its namespaces in the mesh; off
   * unless set (`true` or an object). Functions deploy with `OpenFaasFunction`. @default false
   */
  openfaas?: AddOn<PlatformOpenFaasArgs>;
}

function enabled<T extends object>(addOn: AddOn<T> | undefined): T | undefined {
  if (addOn === false) return undefined;
  return addOn === undefined || addOn === true ? ({} as T) : addOn;
}

/** A part's args as MeshPlatform passes them on, and what resolving them under its path gave. */
interface Part<A, R> {
  args: A;
  resolved: R;
}

/** MeshPlatform arguments checked, each part resolved under its path (`istio.`, `jaeger.`, ...). */
interface ResolvedPlatform {
  istio: Part<IstioMeshArgs, ResolvedIstio>;
  knative?: Part<Omit<KnativeServingArgs, "istio">, ResolvedKnative>;
  jaeger?: Part<Omit<JaegerArgs, "telemetry">, ResolvedJaeger>;
  prometheus?: Part<Omit<PrometheusArgs, "istio">, ResolvedPrometheus>;
  fluentd?: Part<FluentdArgs, ResolvedFluentd>;
  openfaas?: Part<Omit<OpenFaasArgs, "istio">, ResolvedOpenFaas>;
  eventing?: Part<PlatformEventingArgs & { registry?: string }, ResolvedKnativeEventing>;
  /** Labels of the ingress gateway's pods, when there is a gateway. */
  selector?: Record<string, string>;
  /** Fully qualified host of the ingress gateway Service, when there is a gateway. */
  gatewayService?: string;
}

/**
 * Checks MeshPlatformArgs: the shared ones (registry, versions), then each enabled part's args as
 * the part's own component will get them, scoped by its key, so a bad value fails before any
 * child exists and names its full path (`knative.autoscaler.stableWindow`).
 */
function resolvePlatform(owner: pulumi.Resource, args: MeshPlatformArgs): ResolvedPlatform {
  const check = new ArgChecker(owner);
  const scoped = (prefix: string) => new ScopedChecker(owner, prefix);
  const registry = args.registry;
  checkRegistry(check, "registry", registry);
  const versions = args.versions ?? {};
  for (const [key, v] of Object.entries(versions)) {
    if (!isPinnedVersion(v)) check.fail(`versions.${key}`, v, VERSION_RULE);
  }

  const jaegerArgs = enabled(args.jaeger);
  let jaeger: ResolvedPlatform["jaeger"];
  if (jaegerArgs) {
    const a = { ...jaegerArgs, registry, version: versions.jaeger };
    jaeger = { args: a, resolved: resolveJaeger(scoped("jaeger."), a) };
  }
  if (jaeger && args.istio?.tracing) {
    check.fail(
      "istio.tracing",
      args.istio.tracing,
      "must be unset while jaeger is on: the mesh then traces to the platform's Jaeger (turn jaeger off to use another provider)",
    );
  }
  const tracing = jaeger
    ? jaegerTracingProvider(jaeger.resolved.namespace, jaeger.resolved.providerName)
    : args.istio?.tracing;
  const istioArgs: IstioMeshArgs = { ...args.istio, registry, version: versions.istio, tracing };
  const istio = { args: istioArgs, resolved: resolveIstio(scoped("istio."), istioArgs) };
  const gw = istio.resolved.gateway;
  const selector = gw ? gatewaySelector(gw.name) : undefined;
  const gatewayService = gw ? `${gw.name}.${gw.namespace}.svc.cluster.local` : undefined;

  const knativeArgs = enabled(args.knative);
  let knative: ResolvedPlatform["knative"];
  if (knativeArgs) {
    if (!gw) {
      check.fail(
        "istio.gateway",
        false,
        "must not be false while knative is on: Knative Serving routes through the Istio ingress gateway",
      );
    }
    const a = { ...knativeArgs, registry, version: versions.knativeOperator };
    const target = { gatewaySelector: selector ?? {}, gatewayService, dependsOn: [] };
    knative = { args: a, resolved: resolveKnative(scoped("knative."), { ...a, istio: target }) };
  }
  // Eventing is off unless asked for, and needs the operator of the knative add-on.
  const eventingArgs = args.eventing === undefined ? undefined : enabled(args.eventing);
  let eventing: ResolvedPlatform["eventing"];
  if (eventingArgs) {
    if (!knativeArgs)
      check.fail(
        "eventing",
        args.eventing,
        "needs knative on: Eventing is installed by the Knative Operator the knative add-on installs",
      );
    const a = { ...eventingArgs, registry };
    eventing = { args: a, resolved: resolveKnativeEventing(scoped("eventing."), a) };
  }
  const prometheusArgs = enabled(args.prometheus);
  let prometheus: ResolvedPlatform["prometheus"];
  if (prometheusArgs) {
    const a = { ...prometheusArgs, registry, version: versions.kubePrometheusStack };
    const resolved = resolvePrometheus(scoped("prometheus."), a);
    // The part gets the checked Input, so an Output fails once, under the platform's path.
    prometheus = { args: { ...a, grafanaAdminSecret: resolved.grafanaAdminSecret }, resolved };
  }
  const fluentdArgs = enabled(args.fluentd);
  let fluentd: ResolvedPlatform["fluentd"];
  if (fluentdArgs) {
    const a = { ...fluentdArgs, registry, version: versions.fluentd };
    const resolved = resolveFluentd(scoped("fluentd."), a);
    fluentd = { args: a.output ? { ...a, output: resolved.output } : a, resolved };
  }
  // OpenFaaS is off unless asked for (unlike the other add-ons): it needs a licence.
  const openfaasArgs = args.openfaas === undefined ? undefined : enabled(args.openfaas);
  let openfaas: ResolvedPlatform["openfaas"];
  if (openfaasArgs) {
    const a = { ...openfaasArgs, registry, version: versions.openfaas };
    openfaas = { args: a, resolved: resolveOpenFaas(scoped("openfaas."), a) };
  }
  return {
    istio,
    knative,
    eventing,
    jaeger,
    prometheus,
    fluentd,
    openfaas,
    selector,
    gatewayService,
  };
}

/**
 * The platform: Istio first, then the add-ons a stack selects, each ordered after what it needs
 * (Knative and the mesh `Telemetry`/monitors after istiod; monitors after the Prometheus CRDs).
 * `mesh` hands per-service components what they need to know about it.
 */
export class MeshPlatform extends pulumi.ComponentResource {
  readonly istio: IstioMesh;
  readonly knative?: KnativeServing;
  readonly jaeger?: Jaeger;
  readonly prometheus?: Prometheus;
  readonly fluentd?: Fluentd;
  readonly openfaas?: OpenFaas;
  readonly eventing?: KnativeEventing;
  readonly mesh: MeshInfo;
  /** In-cluster addresses of the installed UIs: prometheus, grafana, alertmanager, jaeger. */
  readonly dashboards: Record<string, string>;
  /** Fully qualified host of the ingress gateway Service, when there is one. */
  readonly gatewayService?: string;

  constructor(name: string, args: MeshPlatformArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-serverless:platform:MeshPlatform", name, {}, opts);
    checkArgs(this, schema, args);
    const r = resolvePlatform(this, args);
    const { selector, gatewayService } = r;
    const child = { parent: this };

    this.istio = new IstioMesh(childName(name, "istio"), r.istio.args, child);
    const istioReady = this.istio.dependsOn;
    const rootNamespace = this.istio.rootNamespace;
    if (r.jaeger) {
      this.jaeger = new Jaeger(
        childName(name, "jaeger"),
        { ...r.jaeger.args, telemetry: { rootNamespace, dependsOn: istioReady } },
        child,
      );
    }
    if (r.prometheus) {
      this.prometheus = new Prometheus(
        childName(name, "prometheus"),
        { ...r.prometheus.args, istio: { rootNamespace, dependsOn: istioReady } },
        child,
      );
    }
    if (r.knative && this.istio.gateway && selector) {
      this.knative = new KnativeServing(
        childName(name, "knative"),
        {
          ...r.knative.args,
          istio: {
            gatewaySelector: selector,
            gatewayService,
            dependsOn: [...istioReady, this.istio.gateway],
            enrol: { dataPlane: this.istio.dataPlane, revision: this.istio.revision },
          },
        },
        child,
      );
    }
    if (r.eventing && this.knative) {
      this.eventing = new KnativeEventing(
        childName(name, "eventing"),
        {
          ...r.eventing.args,
          operator: { dependsOn: [this.knative.operator] },
          istio: {
            dependsOn: istioReady,
            enrol: { dataPlane: this.istio.dataPlane, revision: this.istio.revision },
          },
        },
        child,
      );
    }
    if (r.fluentd) {
      this.fluentd = new Fluentd(childName(name, "fluentd"), r.fluentd.args, child);
    }
    if (r.openfaas) {
      this.openfaas = new OpenFaas(
        childName(name, "openfaas"),
        {
          ...r.openfaas.args,
          istio: {
            dependsOn: istioReady,
            enrol: { dataPlane: this.istio.dataPlane, revision: this.istio.revision },
          },
        },
        child,
      );
    }

    this.gatewayService = gatewayService;
    this.dashboards = {
      ...this.prometheus?.dashboards,
      ...(this.jaeger ? { jaeger: this.jaeger.queryUrl } : {}),
    };
    this.mesh = {
      rootNamespace: this.istio.rootNamespace,
      ...(this.knative
        ? {
            knativeNamespace: this.knative.namespace,
            gateway: this.knative.gateway,
            ...(r.knative?.resolved.domain !== undefined
              ? { domain: r.knative.resolved.domain }
              : {}),
          }
        : {}),
      ...(selector ? { gatewaySelector: selector } : {}),
      ...(this.istio.revision !== undefined ? { revision: this.istio.revision } : {}),
      dataPlane: this.istio.dataPlane,
      cni: this.istio.cni !== undefined,
      ...(r.istio.resolved.tracing
        ? {
            tracingProvider: r.istio.resolved.tracing.name,
            tracingService: r.istio.resolved.tracing.service,
          }
        : {}),
      extensionProviders: this.istio.extensionProviders,
      ...(this.prometheus ? { monitorLabels: { ...this.prometheus.monitorLabels } } : {}),
      ...(this.openfaas ? { openfaas: this.openfaas.info } : {}),
      ...(this.eventing ? { eventingNamespace: this.eventing.namespace } : {}),
      dependsOn: [
        this.istio.base,
        this.istio.istiod,
        ...(this.knative ? [this.knative.serving] : []),
        ...(this.prometheus ? [this.prometheus.release] : []),
        ...(this.eventing ? [this.eventing.eventing] : []),
      ],
    };
    this.registerOutputs({ gatewayService: this.gatewayService });
  }
}
