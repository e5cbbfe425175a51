import * as pulumi from "@pulumi/pulumi";
import type { MeshInfo } from "../mesh-info";
import { ArgChecker } from "../../core/validate";
import { ScopedChecker } from "../../core/validate";
import { checkRegistry } from "./helm";
import { checkFluentdArgs, Fluentd, FluentdArgs } from "./fluentd";
import { checkIstioArgs, gatewaySelector, IstioMesh, IstioMeshArgs } from "./istio";
import { checkJaegerArgs, Jaeger, JaegerArgs, jaegerTracingProvider } from "./jaeger";
import { checkKnativeArgs, KnativeServing, KnativeServingArgs } from "./knative";
import { KnativeEventing, KnativeEventingArgs, resolveKnativeEventing } from "./knative-eventing";
import { checkPrometheusArgs, Prometheus, PrometheusArgs } from "./prometheus";
import { OpenFaas, OpenFaasArgs, resolveOpenFaas } from "./openfaas";
import { ChartVersions, isPinnedVersion, VERSION_RULE } from "./versions";
import { childName } from "../../core/names";
import { checkArgs } from "../../core/args-schema";
import schema from "../../../schema/MeshPlatform.schema.json";

/** An add-on: `true` or unset installs it with defaults, `false` leaves it out, an object configures it. */
export type AddOn<T> = boolean | T;

export type PlatformIstioArgs = Omit<IstioMeshArgs, "registry" | "version">;
export type PlatformKnativeArgs = Omit<KnativeServingArgs, "registry" | "version" | "istio">;
export type PlatformEventingArgs = Omit<KnativeEventingArgs, "registry" | "operator" | "istio">;
export type PlatformJaegerArgs = Omit<JaegerArgs, "registry" | "version" | "telemetry">;
export type PlatformPrometheusArgs = Omit<PrometheusArgs, "registry" | "version" | "istio">;
export type PlatformFluentdArgs = Omit<FluentdArgs, "registry" | "version">;
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

/**
 * The platform: Istio first, then the add-ons a stack selects, each ordered after what it needs
 * (Knative and the mesh `Telemetry`/monitors after istiod; monitors after the Prometheus CRDs).
 * `mesh` hands per-service components what they need to know about it.
 */
export class MeshPlatform extends pulumi.ComponentResource {
  readonly istio: IstioMesh;
  readonly knative?: KnativeServing;
  readonly eventing?: KnativeEventing;
  readonly jaeger?: Jaeger;
  readonly prometheus?: Prometheus;
  readonly fluentd?: Fluentd;
  readonly openfaas?: OpenFaas;
  readonly mesh: MeshInfo;
  /** In-cluster addresses of the installed UIs: prometheus, grafana, alertmanager, jaeger. */
  readonly dashboards: Record<string, string>;
  /** Fully qualified host of the ingress gateway Service, when there is one. */
  readonly gatewayService?: string;

  constructor(name: string, args: MeshPlatformArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-serverless:platform:MeshPlatform", name, {}, opts);
    checkArgs(this, schema, args);
    const check = new ArgChecker(this);
    checkRegistry(check, "registry", args.registry);
    const versions = args.versions ?? {};
    for (const [key, v] of Object.entries(versions)) {
      if (!isPinnedVersion(v)) check.fail(`versions.${key}`, v, VERSION_RULE);
    }
    const istioArgs: IstioMeshArgs = {
      ...args.istio,
      registry: args.registry,
      version: versions.istio,
    };
    const knativeArgs = enabled(args.knative);
    const jaegerArgs = enabled(args.jaeger);
    const prometheusArgs = enabled(args.prometheus);
    const fluentdArgs = enabled(args.fluentd);
    // OpenFaaS is off unless asked for (unlike the other add-ons): it needs a licence.
    const openfaasArgs = args.openfaas === undefined ? undefined : enabled(args.openfaas);

    const jaeger = jaegerArgs
      ? checkJaegerArgs(new ScopedChecker(this, "jaeger."), {
          ...jaegerArgs,
          version: versions.jaeger,
        })
      : undefined;
    if (jaeger && args.istio?.tracing) {
      check.fail(
        "istio.tracing",
        args.istio.tracing,
        "must be unset while jaeger is on: the mesh then traces to the platform's Jaeger (turn jaeger off to use another provider)",
      );
    }
    const tracing = jaeger
      ? jaegerTracingProvider(jaeger.namespace, jaeger.providerName)
      : args.istio?.tracing;
    const istio = checkIstioArgs(new ScopedChecker(this, "istio."), { ...istioArgs, tracing });
    if (knativeArgs && !istio.gatewayName) {
      check.fail(
        "istio.gateway",
        false,
        "must not be false while knative is on: Knative Serving routes through the Istio ingress gateway",
      );
    }
    const selector = istio.gatewayName ? gatewaySelector(istio.gatewayName) : undefined;
    const gatewayNamespace = istio.gateway?.namespace ?? istio.namespace;
    const gatewayService = istio.gatewayName
      ? `${istio.gatewayName}.${gatewayNamespace}.svc.cluster.local`
      : undefined;
    if (knativeArgs) {
      checkKnativeArgs(new ScopedChecker(this, "knative."), {
        ...knativeArgs,
        version: versions.knativeOperator,
        istio: { gatewaySelector: selector ?? {}, gatewayService, dependsOn: [] },
      });
    }
    // Eventing (issue 16): off by default; needs the operator of the knative add-on.
    const eventingArgs = args.eventing === undefined ? undefined : enabled(args.eventing);
    if (eventingArgs) {
      if (!knativeArgs)
        check.fail(
          "eventing",
          args.eventing,
          "needs knative on: Eventing is installed by the Knative Operator the knative add-on installs",
        );
      resolveKnativeEventing(new ScopedChecker(this, "eventing."), eventingArgs);
    }
    if (prometheusArgs) {
      checkPrometheusArgs(new ScopedChecker(this, "prometheus."), {
        ...prometheusArgs,
        version: versions.kubePrometheusStack,
      });
    }
    if (fluentdArgs) {
      checkFluentdArgs(new ScopedChecker(this, "fluentd."), {
        ...fluentdArgs,
        version: versions.fluentd,
      });
    }
    if (openfaasArgs) {
      resolveOpenFaas(new ScopedChecker(this, "openfaas."), {
        ...openfaasArgs,
        version: versions.openfaas,
      });
    }

    const registry = args.registry;
    this.istio = new IstioMesh(
      childName(name, "istio"),
      { ...istioArgs, tracing },
      { parent: this },
    );
    const istioReady = this.istio.dependsOn;
    if (jaegerArgs) {
      this.jaeger = new Jaeger(
        childName(name, "jaeger"),
        {
          ...jaegerArgs,
          registry,
          version: versions.jaeger,
          telemetry: { rootNamespace: this.istio.rootNamespace, dependsOn: istioReady },
        },
        { parent: this },
      );
    }
    if (prometheusArgs) {
      this.prometheus = new Prometheus(
        childName(name, "prometheus"),
        {
          ...prometheusArgs,
          registry,
          version: versions.kubePrometheusStack,
          istio: { rootNamespace: this.istio.rootNamespace, dependsOn: istioReady },
        },
        { parent: this },
      );
    }
    if (knativeArgs && this.istio.gateway && selector) {
      this.knative = new KnativeServing(
        childName(name, "knative"),
        {
          ...knativeArgs,
          registry,
          version: versions.knativeOperator,
          istio: {
            gatewaySelector: selector,
            gatewayService,
            dependsOn: [...istioReady, this.istio.gateway],
            enrol: { dataPlane: this.istio.dataPlane, revision: this.istio.revision },
          },
        },
        { parent: this },
      );
    }
    if (eventingArgs && this.knative) {
      this.eventing = new KnativeEventing(
        childName(name, "eventing"),
        {
          ...eventingArgs,
          registry,
          operator: { dependsOn: [this.knative.operator] },
          istio: {
            dependsOn: istioReady,
            enrol: { dataPlane: this.istio.dataPlane, revision: this.istio.revision },
          },
        },
        { parent: this },
      );
    }
    if (fluentdArgs) {
      this.fluentd = new Fluentd(
        childName(name, "fluentd"),
        { ...fluentdArgs, registry, version: versions.fluentd },
        { parent: this },
      );
    }
    if (openfaasArgs) {
      this.openfaas = new OpenFaas(
        childName(name, "openfaas"),
        {
          ...openfaasArgs,
          registry,
          version: versions.openfaas,
          istio: {
            dependsOn: istioReady,
            enrol: { dataPlane: this.istio.dataPlane, revision: this.istio.revision },
          },
        },
        { parent: this },
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
            ...(knativeArgs?.domain !== undefined ? { domain: knativeArgs.domain } : {}),
          }
        : {}),
      ...(this.eventing ? { eventingNamespace: this.eventing.namespace } : {}),
      ...(selector ? { gatewaySelector: selector } : {}),
      ...(this.istio.revision !== undefined ? { revision: this.istio.revision } : {}),
      dataPlane: this.istio.dataPlane,
      cni: this.istio.cni !== undefined,
      ...(tracing ? { tracingProvider: tracing.name, tracingService: tracing.service } : {}),
      ...(this.prometheus ? { monitorLabels: { ...this.prometheus.monitorLabels } } : {}),
      ...(this.openfaas ? { openfaas: this.openfaas.info } : {}),
      dependsOn: [
        this.istio.base,
        this.istio.istiod,
        ...(this.knative ? [this.knative.serving] : []),
        ...(this.eventing ? [this.eventing.eventing] : []),
        ...(this.prometheus ? [this.prometheus.release] : []),
      ],
    };
    this.registerOutputs({
      istio: this.istio,
      knative: this.knative,
      eventing: this.eventing,
      jaeger: this.jaeger,
      prometheus: this.prometheus,
      fluentd: this.fluentd,
      openfaas: this.openfaas,
      rootNamespace: this.istio.rootNamespace,
      gatewayService: this.gatewayService,
    });
  }
}
