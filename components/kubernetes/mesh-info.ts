import * as pulumi from "@pulumi/pulumi";
import { ArgChecker } from "../core/validate";

/**
 * What per-service components need to know about the installed mesh. `MeshPlatform` hands one
 * out; a platform installed by other means is described by passing the fields directly, and
 * every field has the default of a stock Istio + Knative + kube-prometheus-stack install.
 */
export interface MeshInfo {
  /** Istio's root namespace, where mesh-wide policy lives. @default "istio-system" */
  rootNamespace?: string;
  /** Namespace of the Knative Serving install. @default "knative-serving" */
  knativeNamespace?: string;
  /** Namespace of the Knative Eventing install (whose broker delivers events). @default "knative-eventing" */
  eventingNamespace?: string;
  /** Labels that select the ingress gateway's pods. @default { istio: "ingressgateway" } */
  gatewaySelector?: Record<string, string>;
  /** Knative's default route domain (`config-domain`); unset: Knative's `svc.cluster.local`. */
  domain?: string;
  /** `namespace/name` of the shared ingress Gateway, when the platform made one. */
  gateway?: string;
  /** Istio revision to inject with (`istio.io/rev`); unset: the default revision. */
  revision?: string;
  /** Data plane mode of the mesh. @default "sidecar" */
  dataPlane?: "sidecar" | "ambient";
  /**
   * Whether the Istio CNI node agent sets up traffic redirection, so sidecar pods have no
   * `istio-init` container needing NET_ADMIN and NET_RAW (ambient always has it).
   * https://istio.io/latest/docs/setup/additional-setup/cni/
   * @default false
   */
  cni?: boolean;
  /** `meshConfig.extensionProviders[].name` of the tracing provider, when tracing is on. */
  tracingProvider?: string;
  /**
   * Names of the mesh's `meshConfig.extensionProviders` (ext-authz servers among them). When
   * given, a CUSTOM access policy must name one of them; unset: not known, not checked.
   */
  extensionProviders?: string[];
  /** Host of the tracing collector (`jaeger.tracing.svc.cluster.local`): sidecars with scoped
   * egress must still reach it, or spans are dropped silently. */
  tracingService?: string;
  /** Labels a ServiceMonitor/PodMonitor/PrometheusRule carries to be picked up. @default {} */
  monitorLabels?: Record<string, string>;
  /** Resources that install the CRDs and controllers mesh objects need (Helm releases, CRs). */
  dependsOn?: pulumi.Resource[];
  /** The OpenFaaS install functions deploy to (`OpenFaas` hands one out). Unset: none known. */
  openfaas?: OpenFaasInfo;
}

/**
 * An OpenFaaS install as `OpenFaasFunction` needs to know it; every field has the default of
 * the `openfaas` chart installed as OpenFaaS Pro into `openfaas`.
 */
export interface OpenFaasInfo {
  /** Namespace of the gateway and operator (the Helm release). @default "openfaas" */
  namespace?: string;
  /** The chart's `functionNamespace`. @default "openfaas-fn" */
  functionNamespace?: string;
  /**
   * `pro`: OpenFaaS Standard or for Enterprises, whose operator reconciles `Function`
   * resources; `ce`: the Community Edition, which has none. @default "pro"
   */
  edition?: "pro" | "ce";
  /** Helm release name; the gateway runs as service account `<release>-operator`. @default "openfaas" */
  release?: string;
  /** What installs the Function CRD and its operator (the OpenFaaS release). */
  dependsOn?: pulumi.Resource[];
}

/** MeshInfo with every default filled in; the fields that have none stay optional. */
export type ResolvedMeshInfo = Required<
  Omit<
    MeshInfo,
    | "gateway"
    | "revision"
    | "tracingProvider"
    | "tracingService"
    | "domain"
    | "extensionProviders"
    | "openfaas"
  >
> &
  MeshInfo;

/** `info` with every default filled in. */
export function meshDefaults(info: MeshInfo = {}): ResolvedMeshInfo {
  return {
    rootNamespace: info.rootNamespace ?? "istio-system",
    knativeNamespace: info.knativeNamespace ?? "knative-serving",
    eventingNamespace: info.eventingNamespace ?? "knative-eventing",
    gatewaySelector: info.gatewaySelector ?? { istio: "ingressgateway" },
    domain: info.domain,
    gateway: info.gateway,
    revision: info.revision,
    dataPlane: info.dataPlane ?? "sidecar",
    cni: info.cni ?? info.dataPlane === "ambient",
    tracingProvider: info.tracingProvider,
    tracingService: info.tracingService,
    extensionProviders: info.extensionProviders,
    monitorLabels: info.monitorLabels ?? {},
    dependsOn: info.dependsOn ?? [],
    openfaas: info.openfaas,
  };
}

/**
 * Labels that enrol a namespace in the mesh: `istio.io/dataplane-mode: ambient` in ambient mode,
 * `istio.io/rev: <revision>` for a revisioned control plane, `istio-injection: enabled` otherwise.
 */
export function injectionLabels(
  mesh: Pick<MeshInfo, "dataPlane" | "revision">,
): Record<string, string> {
  if (mesh.dataPlane === "ambient") return { "istio.io/dataplane-mode": "ambient" };
  if (mesh.revision) return { "istio.io/rev": mesh.revision };
  return { "istio-injection": "enabled" };
}

/**
 * Checks the names a `MeshInfo` passed by hand carries (`mesh.rootNamespace` becomes a Sidecar
 * egress host and a namespace of generated objects, so it must be a namespace name).
 */
export function checkMesh(check: ArgChecker, info: MeshInfo | undefined): void {
  if (info === undefined) return;
  check.dnsLabel("mesh.rootNamespace", info.rootNamespace);
  check.dnsLabel("mesh.knativeNamespace", info.knativeNamespace);
  check.dnsLabel("mesh.eventingNamespace", info.eventingNamespace);
  check.dnsLabel("mesh.revision", info.revision);
  check.dnsSubdomain("mesh.domain", info.domain);
  check.dnsLabel("mesh.openfaas.namespace", info.openfaas?.namespace);
  check.dnsLabel("mesh.openfaas.functionNamespace", info.openfaas?.functionNamespace);
  check.dnsLabel("mesh.openfaas.release", info.openfaas?.release);
}
