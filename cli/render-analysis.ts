import {
  AnalysisOptions,
  analyze,
  countLine,
  Finding,
  formatFinding,
  K8sObject,
  optionsFromReleases,
  ReleaseValues,
} from "../components/analysis";
import { groupBy } from "../components/analysis/read";
import { clusterDir, HELM_RELEASE, isKubernetesObject } from "./artifacts";
import { Recording } from "./engine";

/**
 * The analyzer on what a render produced: each cluster (manifest directory) on its own, on the
 * redacted objects (a finding never quotes a secret). Errors stop the render; warnings go into
 * the summary.
 */
export interface RenderAnalysis {
  findings: Finding[];
  /** Formatted warning lines for the summary. */
  warnings: string[];
}

export class AnalysisError extends Error {
  override name = "AnalysisError";
  constructor(readonly findings: Finding[]) {
    super(
      `the analyzer found ${countLine(findings)}:\n` +
        findings.map((f) => `  ${formatFinding(f)}`).join("\n"),
    );
  }
}

/** Cluster facts the render knows beyond its manifests: istiod's own sidecar resources. */
function renderOptions(recording: Recording): AnalysisOptions {
  return optionsFromReleases(
    recording.resources
      .filter((r) => r.type === HELM_RELEASE)
      .map((r) => r.inputs as ReleaseValues),
  );
}

export function analyzeRecording(recording: Recording): RenderAnalysis {
  const kube = recording.resources.filter(isKubernetesObject);
  const clusters = groupBy(kube, (r) => clusterDir(recording, r));
  const findings = [...clusters.keys()].sort().flatMap((dir) =>
    analyze(
      clusters.get(dir)!.map((r) => r.redacted as K8sObject),
      renderOptions(recording),
    ),
  );
  if (findings.some((f) => f.severity === "error")) throw new AnalysisError(findings);
  return { findings, warnings: findings.map(formatFinding) };
}
