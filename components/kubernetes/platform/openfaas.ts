import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { IPeerAuthentication } from "@kubernetes-models/istio/security.istio.io/v1/PeerAuthentication" with {
  "resolution-mode": "import",
};
import { customResource, managedLabels, Typed } from "../../core/kube";
import { childName } from "../../core/names";
import { ArgChecker } from "../../core/validate";
import { checkArgs } from "../../core/args-schema";
import { injectionLabels, MeshInfo, OpenFaasInfo } from "../mesh-info";
import { chartVersion, checkRegistry, finalValues, helmRelease, Values } from "./helm";
import { OpenFaasEdition, openfaasValues } from "./openfaas-values";
import { CHARTS } from "./versions";
import schema from "../../../schema/OpenFaas.schema.json";

export type { OpenFaasEdition };

/** The Helm release name; the chart names the gateway's service account `<release>-operator`. */
export const OPENFAAS_RELEASE = "openfaas";
/** Secret the chart mounts the licence from (key `license`); the name is fixed by the chart. */
export const LICENSE_SECRET = "openfaas-license";
/** Secret the chart reads basic auth from (keys `basic-auth-user`, `basic-auth-password`). */
export const BASIC_AUTH_SECRET = "basic-auth";

/**
 * The licence and the gateway's admin credentials. The chart reads them from Secrets of fixed
 * names in the release namespace; given here, the component creates those Secrets (values kept
 * secret in state) before the release. Unset, they must exist before the release is installed:
 * `kubectl -n openfaas create secret generic openfaas-license --from-file license=LICENSE` and
 * `... create secret generic basic-auth --from-literal basic-auth-user=admin
 * --from-literal basic-auth-password=...` (chart README, "OpenFaaS Pro" and "GitOps").
 */
export interface OpenFaasCredentials {
  /** OpenFaaS Pro licence key (JWT), e.g. `config.requireSecret("openfaasLicense")`; `pro` only. */
  license?: pulumi.Input<string>;
  /** The gateway's basic-auth password, e.g. a `random.RandomPassword`'s result. */
  adminPassword?: pulumi.Input<string>;
  /** The basic-auth user name. @default "admin" */
  adminUser?: string;
}

/** The Istio install OpenFaaS joins. */
export interface OpenFaasIstioTarget {
  /** Istio's releases (CRDs, istiod with its injection webhook) that must be ready first. */
  dependsOn: pulumi.Resource[];
  /** How the mesh enrols a namespace. @default sidecar injection of the default revision */
  enrol?: Pick<MeshInfo, "dataPlane" | "revision">;
}

export interface OpenFaasArgs {
  /**
   * `pro`: OpenFaaS Standard or for Enterprises (chart `openfaasPro: true`) with the operator, so
   * `Function` resources (`OpenFaasFunction`) work; needs a licence (`credentials.license` or a
   * pre-created `openfaas-license` Secret). `ce`: the Community Edition, which runs only the
   * legacy controller (no `Function` resources; functions are deployed through the gateway's
   * API) and whose EULA limits commercial use to 60-day proofs of concept.
   * @see https://docs.openfaas.com/deployment/pro/
   * @default "pro"
   */
  edition?: OpenFaasEdition;
  /** Namespace of the gateway, operator, NATS and Prometheus (the release). @default "openfaas" */
  namespace?: string;
  /** Namespace of the functions (chart `functionNamespace`). @default "openfaas-fn" */
  functionNamespace?: string;
  /** Chart version. @default CHARTS.openfaas.version in versions.ts */
  version?: string;
  /**
   * Gateway replicas (1-20); above 1 the operator runs with leader election (values-pro.yaml
   * recommends 3 for production). @default 1
   */
  gatewayReplicas?: number;
  /**
   * Liveness/readiness probes of the OpenFaaS components and functions: `http` (Istio's injector
   * rewrites them to the sidecar's agent, so they pass STRICT mTLS) or `exec` (a command in the
   * container, the chart's alternative). @see https://istio.io/latest/docs/ops/configuration/mesh/app-health-check/
   * @default "http"
   */
  probes?: "http" | "exec";
  /** Licence and admin credentials; unset: Secrets created beforehand (see `OpenFaasCredentials`). */
  credentials?: OpenFaasCredentials;
  /** The mesh to join. @default no dependencies, sidecar injection */
  istio?: OpenFaasIstioTarget;
  /** Image registry mirror (chart `registryPrefix`, which replaces docker.io/ghcr.io/quay.io). */
  registry?: string;
  /** Chart value overrides, deep-merged last. */
  values?: Values;
}

/** OpenFaasArgs with every default applied. */
export interface ResolvedOpenFaas {
  edition: OpenFaasEdition;
  namespace: string;
  functionNamespace: string;
  version: string;
  gatewayReplicas: number;
  probes: "http" | "exec";
  credentials: OpenFaasCredentials;
  dependsOn: pulumi.Resource[];
  enrol: Pick<MeshInfo, "dataPlane" | "revision">;
  registry?: string;
  values?: Values;
}

/** Checks OpenFaasArgs (MeshPlatform runs it scoped as `openfaas.`) and applies the defaults. */
export function resolveOpenFaas(check: ArgChecker, args: OpenFaasArgs): ResolvedOpenFaas {
  const edition = args.edition ?? "pro";
  const namespace = args.namespace ?? "openfaas";
  const functionNamespace = args.functionNamespace ?? "openfaas-fn";
  check.dnsLabel("namespace", namespace);
  check.dnsLabel("functionNamespace", functionNamespace);
  if (functionNamespace === namespace)
    check.fail(
      "functionNamespace",
      functionNamespace,
      `must differ from namespace (${namespace}): functions run apart from the gateway and operator, each namespace with its own policies`,
    );
  const version = chartVersion(check, "version", args.version, CHARTS.openfaas.version);
  const gatewayReplicas = args.gatewayReplicas ?? 1;
  check.int("gatewayReplicas", gatewayReplicas, 1, 20);
  const credentials = args.credentials ?? {};
  if (edition === "ce" && credentials.license !== undefined)
    check.fail(
      "credentials.license",
      "[secret]",
      'is only read by OpenFaaS Pro: set edition "pro" or leave the licence out',
    );
  check.dnsSubdomain("credentials.adminUser", credentials.adminUser);
  checkRegistry(check, "registry", args.registry);
  return {
    edition,
    namespace,
    functionNamespace,
    version,
    gatewayReplicas,
    probes: args.probes ?? "http",
    credentials,
    dependsOn: [...(args.istio?.dependsOn ?? [])],
    enrol: args.istio?.enrol ?? {},
    ...(args.registry !== undefined ? { registry: args.registry } : {}),
    ...(args.values !== undefined ? { values: args.values } : {}),
  };
}

/**
 * OpenFaaS in the mesh: the `openfaas` chart (gateway in direct-functions mode, the Pro operator
 * for `Function` resources, probes the mesh lets through), its namespace and the functions'
 * namespace enrolled in the mesh with a STRICT `PeerAuthentication` each (what the chart's
 * `istio.mtls` does, as security.istio.io/v1), and the licence and basic-auth Secrets when their
 * values are given. Prometheus reaches the components and functions through Istio's metrics
 * merging (their `prometheus.io/*` annotations, served in plain text on the sidecar's :15020).
 * @see https://istio.io/latest/docs/ops/integrations/prometheus/#option-1-metrics-merging
 */
export class OpenFaas extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;
  readonly namespaces: { core: k8s.core.v1.Namespace; functions: k8s.core.v1.Namespace };
  /** STRICT mTLS in the release namespace and the functions' namespace. */
  readonly peerAuthentications: k8s.apiextensions.CustomResource[];
  readonly licenseSecret?: k8s.core.v1.Secret;
  readonly basicAuthSecret?: k8s.core.v1.Secret;
  /** What `OpenFaasFunction` needs to know (via `MeshInfo.openfaas`). */
  readonly info: Required<Omit<OpenFaasInfo, "dependsOn">> & { dependsOn: pulumi.Resource[] };
  /** In-cluster address of the gateway, `http://gateway.<namespace>.svc.cluster.local:8080`. */
  readonly gatewayUrl: string;

  constructor(name: string, args: OpenFaasArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-serverless:platform:OpenFaas", name, {}, opts);
    checkArgs(this, schema, args);
    const r = resolveOpenFaas(new ArgChecker(this), args);

    const namespace = (suffix: string, ns: string, role: Record<string, string>) =>
      new k8s.core.v1.Namespace(
        childName(name, suffix),
        {
          metadata: {
            name: ns,
            // Labels of faas-netes namespaces.yml, plus the mesh's enrolment.
            labels: {
              ...managedLabels("openfaas", "namespace"),
              ...role,
              ...injectionLabels(r.enrol),
            },
          },
        },
        // Functions, their Secrets and volumes live here, most not created by Pulumi: turning
        // OpenFaaS off or renaming the platform must not delete them (issue 11).
        { parent: this, dependsOn: r.dependsOn, retainOnDelete: true },
      );
    const core = namespace("namespace", r.namespace, {
      role: "openfaas-system",
      access: "openfaas-system",
    });
    const functions = namespace("functions", r.functionNamespace, { role: "openfaas-fn" });
    this.namespaces = { core, functions };

    const secret = (
      suffix: string,
      secretName: string,
      data: Record<string, pulumi.Input<string>>,
    ) =>
      new k8s.core.v1.Secret(
        childName(name, suffix),
        {
          metadata: {
            name: secretName,
            namespace: r.namespace,
            labels: managedLabels("openfaas", suffix),
          },
          type: "Opaque",
          stringData: Object.fromEntries(
            Object.entries(data).map(([k, v]) => [k, pulumi.secret(v)]),
          ),
        },
        { parent: this, dependsOn: [core] },
      );
    const { license, adminPassword, adminUser } = r.credentials;
    if (license !== undefined) this.licenseSecret = secret("license", LICENSE_SECRET, { license });
    if (adminPassword !== undefined)
      this.basicAuthSecret = secret("basic-auth", BASIC_AUTH_SECRET, {
        "basic-auth-user": adminUser ?? "admin",
        "basic-auth-password": adminPassword,
      });

    this.peerAuthentications = [core, functions].map((ns, i) => {
      const body: Typed<IPeerAuthentication> = {
        apiVersion: "security.istio.io/v1",
        kind: "PeerAuthentication",
        metadata: {
          name: "default",
          namespace: i === 0 ? r.namespace : r.functionNamespace,
          labels: managedLabels("openfaas", "mtls"),
        },
        spec: { mtls: { mode: "STRICT" } },
      };
      return customResource(childName(name, i === 0 ? "mtls" : "functions-mtls"), body, {
        parent: this,
        dependsOn: [ns, ...r.dependsOn],
      });
    });

    this.release = helmRelease(
      childName(name, "release"),
      {
        name: OPENFAAS_RELEASE,
        chart: CHARTS.openfaas.chart,
        repo: CHARTS.openfaas.repo,
        version: r.version,
        namespace: r.namespace,
        values: finalValues(openfaasValues(r), r.values),
      },
      {
        parent: this,
        // Pods start enrolled (namespaces labelled, injection webhook up) and find their Secrets.
        dependsOn: [
          core,
          functions,
          ...(this.licenseSecret ? [this.licenseSecret] : []),
          ...(this.basicAuthSecret ? [this.basicAuthSecret] : []),
          ...r.dependsOn,
        ],
      },
    );
    this.info = {
      namespace: r.namespace,
      functionNamespace: r.functionNamespace,
      edition: r.edition,
      release: OPENFAAS_RELEASE,
      dependsOn: [this.release],
    };
    this.gatewayUrl = `http://gateway.${r.namespace}.svc.cluster.local:8080`;
    this.registerOutputs({ gatewayUrl: this.gatewayUrl });
  }
}
