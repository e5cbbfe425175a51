/**
 * Names controllers create and own: an object of ours with such a name either breaks the
 * controller ("not owned by ...", the Knative Service never becomes Ready) or fails to apply.
 */
import { Inventory, K8sObject, Rule } from "./model";
import { nsOf } from "./read";

function knativeServicesByNamespace(index: Inventory): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const o of index.byKind("Service")) {
    if (!o.apiVersion.startsWith("serving.knative.dev/") || !o.metadata.name) continue;
    const set = out.get(nsOf(o)) ?? new Set<string>();
    set.add(o.metadata.name);
    out.set(nsOf(o), set);
  }
  return out;
}

const isIstio = (o: K8sObject) => o.apiVersion.startsWith("networking.istio.io/");
// net-istio labels the VirtualServices it owns with the Ingress they come from.
const NET_ISTIO_LABEL = "networking.internal.knative.dev/ingress";

export const netIstioNames: Rule = {
  code: "MS301",
  summary: "no VirtualService named `<ksvc>-ingress` / `<ksvc>-mesh` (net-istio owns those names)",
  source:
    "knative/net-istio pkg/reconciler/ingress/resources/names/names.go (IngressVirtualService, MeshVirtualService)",
  check(index, report) {
    const ksvcs = knativeServicesByNamespace(index);
    for (const vs of index.byKind("VirtualService").filter(isIstio)) {
      const m = /^(.+)-(ingress|mesh)$/.exec(vs.metadata.name ?? "");
      if (!m || vs.metadata.labels?.[NET_ISTIO_LABEL]) continue;
      if (ksvcs.get(nsOf(vs))?.has(m[1]))
        report(
          vs,
          "error",
          `net-istio creates and owns VirtualService ${vs.metadata.name} for Knative Service ${m[1]}: ` +
            "it refuses one it does not own, so the Knative Service never becomes Ready; rename this one",
        );
      else
        report(
          vs,
          "warning",
          `the name collides with net-istio's VirtualService for a Knative Service named ${m[1]}, should one exist in ${nsOf(vs)}`,
        );
    }
  },
};

const REVISION = /^(.+)-\d{5}(-private|-deployment)?$/;

export const knativeChildNames: Rule = {
  code: "MS302",
  summary: "no Service/Deployment named like a Knative Service's route or revision children",
  source:
    "knative/serving pkg/reconciler/route/resources/names/names.go (K8sService), revision/resources/names/names.go, serverlessservice/resources/names/names.go",
  check(index, report) {
    const ksvcs = knativeServicesByNamespace(index);
    for (const o of [...index.byKind("Service"), ...index.byKind("Deployment")]) {
      if (o.apiVersion.includes("knative")) continue;
      const name = o.metadata.name ?? "";
      const owned = ksvcs.get(nsOf(o));
      if (!owned) continue;
      if (o.kind === "Service" && owned.has(name))
        report(
          o,
          "error",
          `Knative's route reconciler creates and owns Service ${name} for the Knative Service of that name; rename this one`,
        );
      const m = REVISION.exec(name);
      if (m && owned.has(m[1]))
        report(
          o,
          "error",
          `${name} is the name of a revision child of Knative Service ${m[1]}; rename this one`,
        );
    }
  },
};

export const istioOwnedNames: Rule = {
  code: "MS303",
  summary: "no ConfigMap named `istio-ca-root-cert` (istiod writes it into every namespace)",
  source:
    "istio/istio pilot/pkg/serviceregistry/kube/controller/namespacecontroller.go (CACertNamespaceConfigMap)",
  check(index, report) {
    for (const cm of index.byKind("ConfigMap"))
      if (cm.metadata.name === "istio-ca-root-cert")
        report(
          cm,
          "error",
          "istiod owns ConfigMap istio-ca-root-cert in every namespace and overwrites it; rename this one",
        );
  },
};
