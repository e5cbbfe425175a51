import * as pulumi from "@pulumi/pulumi";
import { MeshInfo } from "../components/kubernetes/mesh-info";
import { MeshPlatform, MeshPlatformArgs } from "../components/kubernetes/platform/platform";

export interface PlatformDeployment {
  /** What services deployed by this stack get to know about the mesh. */
  mesh: MeshInfo;
  outputs: Record<string, pulumi.Input<unknown>>;
}

/**
 * Config key `platform`: the cluster add-ons, installed by one `MeshPlatform`.
 *
 * ```yaml
 * mesh-serverless:platform:
 *   registry: harbor.corp:8443/mirror     # optional, air-gapped image mirror for every chart
 *   versions: { istio: 1.31.1 }           # optional chart version overrides (versions.ts keys)
 *   istio: { profile: default, revision: 1-31-1, mtls: STRICT, trustDomain: cluster.local }
 *   knative: { domain: dev.example.com, autoscaler: { stableWindow: 60s, initialScale: 1 } }
 *   jaeger: { samplingPercentage: 100 }   # any add-on but istio can be `false`
 *   prometheus: { retention: 2d }
 *   fluentd: { output: { type: stdout } }
 *   openfaas: { gatewayReplicas: 3 }     # off unless set: OpenFaaS Pro (licence Secret) in the mesh
 * ```
 * The stack schema has checked the config; `MeshPlatform` takes it as it is.
 */
export function deployPlatform(
  config: MeshPlatformArgs,
  opts: pulumi.ComponentResourceOptions,
): PlatformDeployment {
  const platform = new MeshPlatform("platform", config, opts);
  const mesh = platform.mesh;
  return {
    mesh,
    outputs: {
      platform: {
        rootNamespace: mesh.rootNamespace,
        gatewayService: platform.gatewayService,
        gateway: mesh.gateway,
        tracingProvider: mesh.tracingProvider,
        monitorLabels: mesh.monitorLabels,
        dashboards: platform.dashboards,
        addOns: [
          "istio",
          "knative",
          "eventing",
          "jaeger",
          "prometheus",
          "fluentd",
          "openfaas",
        ].filter((k) => platform[k as "istio"] !== undefined),
      },
    },
  };
}
