import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import {
  AnalysisOptions,
  analyze,
  Finding,
  formatFinding,
  optionsFromReleases,
  ReleaseValues,
  Severity,
} from "../components/analysis";
import { groupBy } from "../components/analysis/read";
import { kubernetesObjects, StackObject, urnOf } from "./resources";

/**
 * The renderer's analyzer as stack policies: the same rules (components/analysis) on the
 * Kubernetes objects a program registers, each cluster (provider) on its own. Errors are
 * mandatory by default, warnings advisory; both levels are policy config.
 */

function findingsOf(objects: StackObject[], options: AnalysisOptions): Finding[] {
  const clusters = groupBy(objects, (o) => o.cluster);
  return [...clusters.values()].flatMap((group) =>
    analyze(
      group.map((o) => o.object),
      options,
    ),
  );
}

/** The cluster facts the renderer also passes: the istiod release's sidecar resources. */
function releaseOptions(resources: PolicyResource[]): AnalysisOptions {
  return optionsFromReleases(
    resources
      .filter((r) => r.type === "kubernetes:helm.sh/v3:Release")
      .map((r) => r.props as ReleaseValues),
  );
}

function analyzerPolicy(severity: Severity): StackValidationPolicy {
  return {
    name: `mesh-serverless-analyzer-${severity}s`,
    description:
      severity === "error"
        ? "Kubernetes objects pass the mesh-serverless analyzer: Istio and Knative admission rules, controller-owned names, references, PromQL, quota capacity (error findings)."
        : "Warning findings of the mesh-serverless analyzer (references that may resolve outside this stack, colliding DestinationRules, unbounded scale in a quota).",
    enforcementLevel: severity === "error" ? "mandatory" : "advisory",
    validateStack: (args, report) => {
      const objects = kubernetesObjects(args.resources);
      for (const f of findingsOf(objects, releaseOptions(args.resources)).filter(
        (x) => x.severity === severity,
      ))
        report(formatFinding(f), urnOf(objects, f.kind, f.namespace, f.name));
    },
  };
}

export const analyzerErrors = analyzerPolicy("error");
export const analyzerWarnings = analyzerPolicy("warning");
