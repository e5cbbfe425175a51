import * as pulumi from "@pulumi/pulumi";
import * as h from "../../harness";
import { RecordedResource } from "../../../cli/engine";
import { managedLabels } from "../../../components/core/kube";

/** A stand-in for the releases that install the mesh's CRDs, to assert dependency edges. */
export class FakeRelease extends pulumi.CustomResource {
  constructor(name: string) {
    super("kubernetes:helm.sh/v3:Release", name, { name, chart: "fake" });
  }
}

export const T = {
  vs: "kubernetes:networking.istio.io/v1:VirtualService",
  dr: "kubernetes:networking.istio.io/v1:DestinationRule",
  gw: "kubernetes:networking.istio.io/v1:Gateway",
  se: "kubernetes:networking.istio.io/v1:ServiceEntry",
  sidecar: "kubernetes:networking.istio.io/v1:Sidecar",
  ap: "kubernetes:security.istio.io/v1:AuthorizationPolicy",
  pa: "kubernetes:security.istio.io/v1:PeerAuthentication",
  ra: "kubernetes:security.istio.io/v1:RequestAuthentication",
  tel: "kubernetes:telemetry.istio.io/v1:Telemetry",
  sm: "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
  pm: "kubernetes:monitoring.coreos.com/v1:PodMonitor",
  pr: "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
  ksvc: "kubernetes:serving.knative.dev/v1:Service",
  ns: "kubernetes:core/v1:Namespace",
  quota: "kubernetes:core/v1:ResourceQuota",
  pc: "kubernetes:scheduling.k8s.io/v1:PriorityClass",
  deploy: "kubernetes:apps/v1:Deployment",
  svc: "kubernetes:core/v1:Service",
  sa: "kubernetes:core/v1:ServiceAccount",
} as const;

export const RELEASE = "kubernetes:helm.sh/v3:Release::istio-base";

/** The spec of the recorded object `type` named `<namespace>/<name>`. */
export function spec(type: string, name: string): unknown {
  return h.get(type, name).inputs.spec;
}

export function meta(type: string, name: string): Record<string, unknown> {
  return h.get(type, name).inputs.metadata as Record<string, unknown>;
}

export function labels(app: string, component: string): Record<string, string> {
  return managedLabels(app, component);
}

/** Parent component's `type::name`. */
export function parent(r: RecordedResource): string | undefined {
  const p = h.parentOf(r);
  return p ? `${p.type}::${p.name}` : undefined;
}

/** The container securityContext every emitted container gets unless overridden: the Pod Security
 * Standards "restricted" profile plus a read-only root filesystem (written out, not imported). */
export const RESTRICTED = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  seccompProfile: { type: "RuntimeDefault" },
};
