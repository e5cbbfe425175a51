import { checkComputeResources, ComputeResources } from "./resources";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { IPeerAuthentication } from "@kubernetes-models/istio/security.istio.io/v1/PeerAuthentication" with {
  "resolution-mode": "import",
};
import type { IKnativeServing } from "@kubernetes-models/knative/operator.knative.dev/v1beta1/KnativeServing" with {
  "resolution-mode": "import",
};
import { customResource, managedLabels, Typed } from "../../core/kube";
import { MeshInfo } from "../mesh-info";
import { knativeNamespace, knativeRegistry, knativeRelease } from "./knative-operator";
import { childName } from "../../core/names";
import { ArgChecker } from "../../core/validate";
import { chartVersion, checkRegistry, finalValues, helmRelease, Values } from "./helm";
import { CHARTS, KNATIVE_SERVING_VERSION } from "./versions";
import { checkArgs } from "../../core/args-schema";
import schema from "../../../schema/KnativeServing.schema.json";

/** Knative's ingress class for net-istio (`config-network` `ingress-class`). */
export const ISTIO_INGRESS_CLASS = "istio.ingress.networking.knative.dev";
/** Name of the Istio Gateway Knative creates for external traffic. */
export const KNATIVE_INGRESS_GATEWAY = "knative-ingress-gateway";
const DEFAULT_GATEWAY_SERVICE = "istio-ingressgateway.istio-system.svc.cluster.local";
const MIN_WINDOW_MS = 6_000;
const FEATURE_KEY = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;

/** A feature flag's state in `config-features`. @see https://knative.dev/docs/serving/configuration/feature-flags/ */
export type FeatureState = "enabled" | "disabled" | "allowed";

/** `config-autoscaler`. @see https://knative.dev/docs/serving/autoscaling/ */
export interface KnativeAutoscalerArgs {
  /** `enable-scale-to-zero`. @default true */
  scaleToZero?: boolean;
  /** `scale-to-zero-grace-period`, at least 6s. @default Knative's "30s" */
  scaleToZeroGracePeriod?: string;
  /** `stable-window`, 6s to 1h. @default Knative's "60s" */
  stableWindow?: string;
  /** `container-concurrency-target-default`, at least 0.01. @default Knative's 100 */
  target?: number;
  /** `container-concurrency-target-percentage`, 1-100. @default Knative's 70 */
  targetUtilizationPercentage?: number;
  /** `initial-scale`; 0 needs `allowZeroInitialScale`. @default Knative's 1 */
  initialScale?: number;
  /** `allow-zero-initial-scale`. @default Knative's false */
  allowZeroInitialScale?: boolean;
  /** `max-scale` (0: unlimited). @default Knative's 0 */
  maxScale?: number;
}

/** The Istio install Knative uses as its ingress. */
export interface KnativeIstioTarget {
  /** Labels of the ingress gateway pods (`knative-ingress-gateway` selector). */
  gatewaySelector: Record<string, string>;
  /** Fully qualified host of the gateway Service. @default "istio-ingressgateway.istio-system.svc.cluster.local" */
  gatewayService?: string;
  /** Istio's releases (CRDs, istiod, gateway) that must be ready first. */
  dependsOn: pulumi.Resource[];
  /**
   * How the mesh enrols a namespace. Knative's activator sits in the request path, so under
   * STRICT mTLS it needs the mesh too. @default sidecar injection of the default revision
   * @see https://knative.dev/docs/serving/istio-authorization/#mutual-tls-in-knative
   */
  enrol?: Pick<MeshInfo, "dataPlane" | "revision">;
}

/** KnativeServing arguments checked, every default applied. */
export interface ResolvedKnative {
  namespace: string;
  operatorNamespace: string;
  version: string;
  servingVersion: string;
  domain?: string;
  autoscaler: KnativeAutoscalerArgs;
  features?: Record<string, FeatureState>;
  queueProxy?: ComputeResources;
  highAvailability?: number;
  istio: {
    gatewaySelector: Record<string, string>;
    gatewayService: string;
    dependsOn: pulumi.Resource[];
    enrol: Pick<MeshInfo, "dataPlane" | "revision">;
  };
  registry?: string;
  values?: Values;
}

/** Checks KnativeServingArgs and applies defaults (MeshPlatform runs it scoped as `knative.*`). */
export function resolveKnative(check: ArgChecker, args: KnativeServingArgs): ResolvedKnative {
  const namespace = args.namespace ?? "knative-serving";
  check.dnsLabel("namespace", namespace);
  const operatorNamespace = args.operatorNamespace ?? "knative-operator";
  check.dnsLabel("operatorNamespace", operatorNamespace);
  const version = chartVersion(check, "version", args.version, CHARTS.knativeOperator.version);
  const servingVersion = knativeRelease(
    check,
    "servingVersion",
    args.servingVersion,
    KNATIVE_SERVING_VERSION,
    "Knative Serving",
  );
  check.dnsSubdomain("domain", args.domain);
  const a = args.autoscaler ?? {};
  check.durationMs("autoscaler.scaleToZeroGracePeriod", a.scaleToZeroGracePeriod, MIN_WINDOW_MS);
  check.durationMs("autoscaler.stableWindow", a.stableWindow, MIN_WINDOW_MS, 3_600_000);
  check.number("autoscaler.target", a.target, 0.01, Number.MAX_SAFE_INTEGER);
  check.number("autoscaler.targetUtilizationPercentage", a.targetUtilizationPercentage, 1, 100);
  check.int("autoscaler.initialScale", a.initialScale, 0, Number.MAX_SAFE_INTEGER);
  check.int("autoscaler.maxScale", a.maxScale, 0, Number.MAX_SAFE_INTEGER);
  if (a.initialScale === 0 && a.allowZeroInitialScale !== true) {
    check.fail(
      "autoscaler.initialScale",
      0,
      "may be 0 only with autoscaler.allowZeroInitialScale: true",
    );
  }
  for (const key of Object.keys(args.features ?? {})) {
    check.pattern(
      `features.${key}`,
      key,
      FEATURE_KEY,
      'must be a Knative feature flag name such as "kubernetes.podspec-fieldref"',
    );
  }
  check.int("highAvailability", args.highAvailability, 1, 10);
  checkComputeResources(check, "queueProxy", args.queueProxy);
  check.dnsSubdomain("istio.gatewayService", args.istio.gatewayService);
  // It becomes the selector of Knative's Gateways: a value the API server would refuse as a label
  // matches no gateway pod.
  check.labels("istio.gatewaySelector", args.istio.gatewaySelector);
  checkRegistry(check, "registry", args.registry);
  return {
    namespace,
    operatorNamespace,
    version,
    servingVersion,
    domain: args.domain,
    autoscaler: a,
    features: args.features,
    queueProxy: args.queueProxy,
    highAvailability: args.highAvailability,
    istio: {
      gatewaySelector: { ...args.istio.gatewaySelector },
      gatewayService: args.istio.gatewayService ?? DEFAULT_GATEWAY_SERVICE,
      dependsOn: args.istio.dependsOn,
      enrol: args.istio.enrol ?? {},
    },
    registry: args.registry,
    values: args.values,
  };
}

/** The `spec.config` of the KnativeServing CR (ConfigMap name without `config-` -> data). */
export function knativeConfig(i: {
  domain?: string;
  autoscaler: KnativeAutoscalerArgs;
  features?: Record<string, FeatureState>;
  gatewayService: string;
  namespace: string;
  queueProxy?: ComputeResources;
}): Record<string, Record<string, string>> {
  const a = i.autoscaler;
  const autoscaler: Record<string, string> = {
    "enable-scale-to-zero": String(a.scaleToZero ?? true),
  };
  const set = (key: string, v: string | number | boolean | undefined) => {
    if (v !== undefined) autoscaler[key] = String(v);
  };
  set("allow-zero-initial-scale", a.allowZeroInitialScale);
  set("container-concurrency-target-default", a.target);
  set("container-concurrency-target-percentage", a.targetUtilizationPercentage);
  set("initial-scale", a.initialScale);
  set("max-scale", a.maxScale);
  set("scale-to-zero-grace-period", a.scaleToZeroGracePeriod);
  set("stable-window", a.stableWindow);
  const config: Record<string, Record<string, string>> = {
    autoscaler,
    network: { "ingress-class": ISTIO_INGRESS_CLASS },
  };
  if (i.domain !== undefined) config.domain = { [i.domain]: "" };
  // queue-proxy, Knative's sidecar in every revision pod (config-deployment queue-sidecar-*,
  // knative/serving config/core/configmaps/deployment.yaml).
  const deployment: Record<string, string> = {};
  for (const kind of ["requests", "limits"] as const)
    for (const res of ["cpu", "memory"] as const) {
      const v = i.queueProxy?.[kind]?.[res];
      if (v !== undefined) deployment[`queue-sidecar-${res}-${kind.slice(0, -1)}`] = v;
    }
  if (Object.keys(deployment).length > 0) config.deployment = deployment;
  if (i.features && Object.keys(i.features).length > 0) config.features = { ...i.features };
  if (i.gatewayService !== DEFAULT_GATEWAY_SERVICE) {
    config.istio = {
      "external-gateways": `- name: ${KNATIVE_INGRESS_GATEWAY}\n  namespace: ${i.namespace}\n  service: ${i.gatewayService}\n`,
    };
  }
  return config;
}

/** Values of chart `knative-operator`. */
export function knativeOperatorValues(i: { registry?: string }): Values {
  if (i.registry === undefined) return {};
  const base = `${i.registry}/knative-releases/knative.dev/operator/cmd`;
  return {
    knative_operator: {
      knative_operator: { image: `${base}/operator` },
      operator_webhook: { image: `${base}/webhook` },
    },
  };
}

export interface KnativeServingArgs {
  /** Namespace of Knative Serving. @default "knative-serving" */
  namespace?: string;
  /** Namespace of the operator. @default "knative-operator" */
  operatorNamespace?: string;
  /** Operator chart version. @default CHARTS.knativeOperator.version in versions.ts */
  version?: string;
  /** `KnativeServing.spec.version`. @default KNATIVE_SERVING_VERSION in versions.ts */
  servingVersion?: string;
  /** Default domain of routes (`config-domain`). @default Knative's "svc.cluster.local" */
  domain?: string;
  autoscaler?: KnativeAutoscalerArgs;
  /** `config-features` flags, e.g. `{ "kubernetes.podspec-fieldref": "enabled" }`. */
  features?: Record<string, FeatureState>;
  /**
   * Requests and limits of queue-proxy, the sidecar Knative adds to every revision pod
   * (`config-deployment` `queue-sidecar-{cpu,memory}-{request,limit}`), a per-pod overhead a
   * namespace quota must hold. @default Knative's: a 25m CPU request, nothing else
   */
  queueProxy?: ComputeResources;
  /**
   * Replicas of each Knative Serving control-plane deployment (`spec.high-availability.replicas`,
   * 1-10). @default the operator's 1
   * @see https://knative.dev/docs/install/operator/configuring-serving-cr/#high-availability
   */
  highAvailability?: number;
  /** Istio as the ingress; required. */
  istio: KnativeIstioTarget;
  /**
   * Image registry mirror: the operator images become `<registry>/knative-releases/knative.dev/
   * operator/cmd/{operator,webhook}` and Serving's `<registry>/knative-releases/${NAME}:v<version>`.
   */
  registry?: string;
  /** Operator chart value overrides, deep-merged last. */
  values?: Values;
}

/** Knative Serving through the Knative Operator chart and a typed `KnativeServing` CR. */
export class KnativeServing extends pulumi.ComponentResource {
  readonly operator: k8s.helm.v3.Release;
  readonly servingNamespace: k8s.core.v1.Namespace;
  readonly serving: k8s.apiextensions.CustomResource;
  /** PERMISSIVE mTLS for knative-serving: the API server calls its webhooks without mTLS. */
  readonly peerAuthentication: k8s.apiextensions.CustomResource;
  readonly namespace: string;
  /** `namespace/name` of the Istio Gateway Knative routes external traffic through. */
  readonly gateway: string;

  constructor(name: string, args: KnativeServingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-serverless:platform:KnativeServing", name, {}, opts);
    checkArgs(this, schema, args);
    const r = resolveKnative(new ArgChecker(this), args);
    const { namespace, servingVersion, registry } = r;

    this.operator = helmRelease(
      childName(name, "operator"),
      {
        name: "knative-operator",
        chart: CHARTS.knativeOperator.chart,
        repo: CHARTS.knativeOperator.repo,
        version: r.version,
        namespace: r.operatorNamespace,
        createNamespace: true,
        values: finalValues(knativeOperatorValues({ registry }), r.values),
      },
      // The operator chart installs the KnativeServing/KnativeEventing CRDs: uninstalling it
      // deletes every Knative install it manages. Kept when removed or renamed.
      { parent: this, retainOnDelete: true },
    );
    this.servingNamespace = knativeNamespace(
      childName(name, "namespace"),
      { namespace, app: "knative-serving", enrol: r.istio.enrol },
      this,
    );
    const selector = r.istio.gatewaySelector;
    const body: Typed<IKnativeServing> = {
      apiVersion: "operator.knative.dev/v1beta1",
      kind: "KnativeServing",
      metadata: {
        name: "knative-serving",
        namespace,
        labels: managedLabels("knative-serving", "serving"),
      },
      spec: {
        config: knativeConfig({
          domain: r.domain,
          autoscaler: r.autoscaler,
          features: r.features,
          gatewayService: r.istio.gatewayService,
          namespace,
          queueProxy: r.queueProxy,
        }),
        ...(r.highAvailability !== undefined
          ? { "high-availability": { replicas: r.highAvailability } }
          : {}),
        ingress: {
          istio: {
            enabled: true,
            "knative-ingress-gateway": { selector },
            "knative-local-gateway": { selector },
          },
        },
        ...knativeRegistry(registry, servingVersion),
        version: servingVersion,
      },
    };
    this.serving = customResource(childName(name, "serving"), body, {
      parent: this,
      dependsOn: [this.operator, this.servingNamespace, ...r.istio.dependsOn],
    });
    // The namespace is in the mesh (its activator proxies requests to STRICT services), but the
    // Kubernetes API server calls the Knative webhooks here in plain TLS, which a mesh-wide
    // STRICT policy would refuse: Knative's documented setup is PERMISSIVE for this namespace.
    // https://knative.dev/docs/serving/istio-authorization/#mutual-tls-in-knative
    const peer: Typed<IPeerAuthentication> = {
      apiVersion: "security.istio.io/v1",
      kind: "PeerAuthentication",
      metadata: {
        name: "default",
        namespace,
        labels: managedLabels("knative-serving", "mtls"),
      },
      spec: { mtls: { mode: "PERMISSIVE" } },
    };
    this.peerAuthentication = customResource(childName(name, "mtls"), peer, {
      parent: this,
      dependsOn: [this.servingNamespace, ...r.istio.dependsOn],
    });
    this.namespace = namespace;
    this.gateway = `${namespace}/${KNATIVE_INGRESS_GATEWAY}`;
    this.registerOutputs({ namespace, gateway: this.gateway });
  }
}
