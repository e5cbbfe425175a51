import { checkComputeResources, ComputeResources } from "./resources";
import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import type { IPeerAuthentication } from "@kubernetes-models/istio/security.istio.io/v1/PeerAuthentication" with {
  "resolution-mode": "import",
};
import { customResource, managedLabels, Typed } from "../../core/kube";
import { childName, PROVIDER_NAME } from "../../core/names";
import { ArgChecker } from "../../core/validate";
import { chartVersion, checkRegistry, finalValues, helmRelease } from "./helm";
import {
  checkSamplingPercentage,
  cniValues,
  GatewayServiceType,
  gatewaySelector,
  gatewayValues,
  istiodValues,
  IstioGatewayArgs,
  IstioProfile,
  IstioTracingProvider,
  IstioValues,
  MtlsMode,
  ztunnelValues,
} from "./istio-values";
import { CHARTS, ISTIO_CHARTS } from "./versions";
import { IstioExtAuthzProvider, resolveExtAuthz } from "./ext-authz";
import { checkArgs } from "../../core/args-schema";
import schema from "../../../schema/IstioMesh.schema.json";

export * from "./istio-values";
export type { IstioExtAuthzProvider, ExtAuthzRequestBody } from "./ext-authz";

/** IstioMesh arguments checked, every default applied. */
export interface ResolvedIstio {
  namespace: string;
  version: string;
  profile: IstioProfile;
  revision?: string;
  /** Whether the CNI node agent is installed (always with the ambient profile). */
  cni: boolean;
  /** The ingress gateway; undefined with `gateway: false`. */
  gateway?: { name: string; namespace: string; serviceType: GatewayServiceType };
  accessLogFile: string;
  accessLogEncoding: "TEXT" | "JSON";
  trustDomain: string;
  tracing?: IstioTracingProvider;
  /** Ext-authz providers, sorted by name, timeouts as protobuf Durations. */
  extAuthz: Array<IstioExtAuthzProvider & { name: string }>;
  mtls: MtlsMode;
  replicas?: number;
  proxyResources?: ComputeResources;
  registry?: string;
  values: IstioValues;
}

/** Checks IstioMesh arguments and applies defaults (MeshPlatform runs it scoped as `istio.*`). */
export function resolveIstio(check: ArgChecker, args: IstioMeshArgs): ResolvedIstio {
  const namespace = args.namespace ?? "istio-system";
  check.dnsLabel("namespace", namespace);
  const version = chartVersion(check, "version", args.version, CHARTS.istio.version);
  const profile = args.profile ?? "default";
  if (args.revision !== undefined) {
    check.dnsLabel("revision", args.revision);
    if (args.revision.length > MAX_REVISION) {
      check.fail(
        "revision",
        args.revision,
        `must be at most ${MAX_REVISION} characters (release "istiod-<revision>" must fit Helm's 53)`,
      );
    }
  }
  if (profile === "ambient" && args.cni === false) {
    check.fail(
      "cni",
      false,
      'must be true or unset with profile "ambient": ambient mode needs the Istio CNI node agent',
    );
  }
  const gw = args.gateway === false ? undefined : (args.gateway ?? {});
  let gateway: ResolvedIstio["gateway"];
  if (gw) {
    const name = gw.name ?? "istio-ingressgateway";
    check.dnsLabel("gateway.name", name);
    check.length("gateway.name", name, 1, 53);
    check.dnsLabel("gateway.namespace", gw.namespace);
    gateway = {
      name,
      namespace: gw.namespace ?? namespace,
      serviceType: gw.serviceType ?? "LoadBalancer",
    };
  }
  const accessLogFile = args.accessLogFile ?? "/dev/stdout";
  check.pattern(
    "accessLogFile",
    accessLogFile,
    LOG_FILE,
    'must be an absolute path such as "/dev/stdout", or "" to turn access logs off',
  );
  const trustDomain = args.trustDomain ?? "cluster.local";
  check.dnsSubdomain("trustDomain", trustDomain);
  if (args.tracing) {
    check.pattern(
      "tracing.name",
      args.tracing.name,
      PROVIDER_NAME,
      "must be a provider name of letters, digits, '.', '_' and '-'",
    );
    check.dnsSubdomain("tracing.service", args.tracing.service);
    check.port("tracing.port", args.tracing.port);
    // 0 is not a rate here: Istio reads defaultConfig.tracing.sampling 0 as unset (1%).
    checkSamplingPercentage(
      check,
      "tracing.samplingPercentage",
      args.tracing.samplingPercentage,
      0.01,
    );
  }
  const extAuthz = resolveExtAuthz(
    check,
    "extAuthz",
    args.extAuthz,
    args.tracing ? [args.tracing.name] : [],
  );
  check.int("replicas", args.replicas, 1, 50);
  checkComputeResources(check, "proxyResources", args.proxyResources);
  checkRegistry(check, "registry", args.registry);
  return {
    namespace,
    version,
    profile,
    revision: args.revision,
    cni: profile === "ambient" || args.cni === true,
    gateway,
    accessLogFile,
    accessLogEncoding: args.accessLogEncoding ?? "TEXT",
    trustDomain,
    tracing: args.tracing,
    extAuthz,
    mtls: args.mtls ?? "STRICT",
    replicas: args.replicas,
    proxyResources: args.proxyResources,
    registry: args.registry,
    values: args.values ?? {},
  };
}

const MAX_REVISION = 46;
const LOG_FILE = /^(\/.*)?$/;

export interface IstioMeshArgs {
  /** Root namespace (istiod, mesh-wide policy). @default "istio-system" */
  namespace?: string;
  /** Version of every Istio chart. @default ISTIO_VERSION in versions.ts */
  version?: string;
  /** `"ambient"` adds ztunnel and the CNI node agent. @default "default" (sidecars) */
  profile?: IstioProfile;
  /**
   * Control plane revision: istiod is installed as release `istiod-<revision>` beside any
   * existing one, for canary upgrades (https://istio.io/latest/docs/setup/upgrade/canary/).
   * DNS-1123 label of at most 46 characters (Helm release names stop at 53). @default unset
   */
  revision?: string;
  /** Install the Istio CNI node agent in sidecar mode (ambient always has it). @default false */
  cni?: boolean;
  /** The ingress gateway; `false` installs none. @default {} */
  gateway?: IstioGatewayArgs | false;
  /** `meshConfig.accessLogFile`; `""` turns access logs off. @default "/dev/stdout" */
  accessLogFile?: string;
  /** `meshConfig.accessLogEncoding`. @default "TEXT" */
  accessLogEncoding?: "TEXT" | "JSON";
  /** `meshConfig.trustDomain`. @default "cluster.local" */
  trustDomain?: string;
  /**
   * Tracing provider: added to `meshConfig.extensionProviders` and made the mesh's default
   * (`meshConfig.defaultProviders.tracing`), so every proxy reports spans to it.
   * @default none
   */
  tracing?: IstioTracingProvider;
  /**
   * External authorization servers by provider name, added to `meshConfig.extensionProviders`
   * beside the tracing provider: the providers a service's CUSTOM access rule may name.
   * @default {} @see https://istio.io/latest/docs/tasks/security/authorization/authz-custom/
   */
  extAuthz?: Record<string, IstioExtAuthzProvider>;
  /** Mesh-wide `PeerAuthentication` mode in the root namespace. @default "STRICT" */
  mtls?: MtlsMode;
  /**
   * Minimum replicas of istiod and the ingress gateway, 1-50: both charts autoscale, so this is
   * the HPA minimum (istiod `autoscaleMin`, gateway `autoscaling.minReplicas`; the maximum is
   * raised to match when above the charts' 5). @default the charts' 1
   */
  replicas?: number;
  /**
   * Requests and limits of every injected istio-proxy sidecar (istiod `global.proxy.resources`),
   * a per-pod overhead a namespace quota must hold. @default the chart's: requests 100m/128Mi,
   * limits 2000m/1024Mi
   */
  proxyResources?: ComputeResources;
  /** Image registry mirror for air-gapped clusters (`global.hub` = `<registry>/istio`). */
  registry?: string;
  /** Value overrides per chart. */
  values?: IstioValues;
}

/**
 * Istio from its Helm charts: `base` (CRDs) -> `istiod` (ready) -> `gateway`, plus `cni` and, for
 * the ambient profile, `ztunnel`; and a mesh-wide `PeerAuthentication` in the root namespace.
 */
export class IstioMesh extends pulumi.ComponentResource {
  readonly base: k8s.helm.v3.Release;
  readonly istiod: k8s.helm.v3.Release;
  readonly gateway?: k8s.helm.v3.Release;
  readonly cni?: k8s.helm.v3.Release;
  readonly ztunnel?: k8s.helm.v3.Release;
  readonly peerAuthentication: k8s.apiextensions.CustomResource;
  readonly rootNamespace: string;
  readonly revision?: string;
  readonly dataPlane: "sidecar" | "ambient";
  /** Release name of the gateway (its Service and Deployment name). */
  readonly gatewayName?: string;
  readonly gatewayNamespace?: string;
  readonly gatewaySelector?: Record<string, string>;
  readonly tracingProvider?: string;
  /** Names of `meshConfig.extensionProviders`: the tracing provider, then the ext-authz ones. */
  readonly extensionProviders: string[];
  /** What objects using Istio's CRDs and injection wait for: base and istiod (and ztunnel). */
  readonly dependsOn: pulumi.Resource[];
  readonly version: string;

  constructor(name: string, args: IstioMeshArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-serverless:platform:IstioMesh", name, {}, opts);
    checkArgs(this, schema, args);
    const r = resolveIstio(new ArgChecker(this), args);
    const { namespace, version, profile, revision, registry, values } = r;

    const repo = CHARTS.istio.repo;

    this.base = helmRelease(
      childName(name, "base"),
      {
        name: "istio-base",
        chart: ISTIO_CHARTS.base,
        repo,
        version,
        namespace,
        createNamespace: true,
        values: finalValues({}, values.base),
      },
      // istio-base carries Istio's CRDs in its templates: uninstalling it deletes every Istio
      // custom resource in the cluster, so neither a removal nor a rename uninstalls it.
      { parent: this, retainOnDelete: true },
    );
    if (r.cni) {
      this.cni = helmRelease(
        childName(name, "cni"),
        {
          name: "istio-cni",
          chart: ISTIO_CHARTS.cni,
          repo,
          version,
          namespace,
          values: finalValues(cniValues({ profile, revision, registry }), values.cni),
        },
        { parent: this, dependsOn: [this.base] },
      );
    }
    this.istiod = helmRelease(
      childName(name, "istiod"),
      {
        name: revision === undefined ? "istiod" : `istiod-${revision}`,
        chart: ISTIO_CHARTS.istiod,
        repo,
        version,
        namespace,
        values: finalValues(istiodValues(r), values.istiod),
      },
      { parent: this, dependsOn: this.cni ? [this.base, this.cni] : [this.base] },
    );
    if (profile === "ambient") {
      this.ztunnel = helmRelease(
        childName(name, "ztunnel"),
        {
          name: "ztunnel",
          chart: ISTIO_CHARTS.ztunnel,
          repo,
          version,
          namespace,
          values: finalValues(ztunnelValues({ namespace, revision, registry }), values.ztunnel),
        },
        { parent: this, dependsOn: [this.istiod] },
      );
    }
    const ready = [this.base, this.istiod, ...(this.ztunnel ? [this.ztunnel] : [])];
    const gw = r.gateway;
    if (gw) {
      this.gateway = helmRelease(
        childName(name, "gateway"),
        {
          name: gw.name,
          chart: ISTIO_CHARTS.gateway,
          repo,
          version,
          namespace: gw.namespace,
          ...(gw.namespace !== namespace ? { createNamespace: true } : {}),
          values: finalValues(
            gatewayValues({ revision, serviceType: gw.serviceType, replicas: r.replicas }),
            values.gateway,
          ),
        },
        { parent: this, dependsOn: ready },
      );
      this.gatewayName = gw.name;
      this.gatewayNamespace = gw.namespace;
      this.gatewaySelector = gatewaySelector(gw.name);
    }
    const peer: Typed<IPeerAuthentication> = {
      apiVersion: "security.istio.io/v1",
      kind: "PeerAuthentication",
      metadata: { name: "default", namespace, labels: managedLabels("istio", "mesh-mtls") },
      spec: { mtls: { mode: r.mtls } },
    };
    this.peerAuthentication = customResource(childName(name, "mtls"), peer, {
      parent: this,
      dependsOn: [this.base, this.istiod],
    });

    this.rootNamespace = namespace;
    this.revision = revision;
    this.dataPlane = profile === "ambient" ? "ambient" : "sidecar";
    this.tracingProvider = r.tracing?.name;
    this.extensionProviders = [
      ...(r.tracing ? [r.tracing.name] : []),
      ...r.extAuthz.map((p) => p.name),
    ];
    this.dependsOn = ready;
    this.version = version;
    this.registerOutputs({ rootNamespace: this.rootNamespace, gatewayName: this.gatewayName });
  }
}
