import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import {
  analyze,
  countLine,
  Finding,
  formatFinding,
  isK8sObject,
  K8sObject,
} from "../components/analysis";
import { UsageError } from "./stack-config";
import { ANALYZE_USAGE as USAGE } from "./usage";

/**
 * `npm run analyze -- <dir> [--json]`: the analyzer on any folder of Kubernetes YAML (a render's
 * `manifests/`, or a user's own), read recursively, multi-document files and `kind: List`
 * included. Exit code 1 when there is an error finding, 2 for bad usage or unreadable YAML.
 */

export function parseArgs(argv: string[]): { dir: string; json: boolean } {
  const json = argv.includes("--json");
  const rest = argv.filter((a) => a !== "--json");
  const unknown = rest.find((a) => a.startsWith("-"));
  if (unknown) throw new UsageError(`unknown argument "${unknown}": ${USAGE}`);
  if (rest.length !== 1) throw new UsageError(`name one directory: ${USAGE}`);
  return { dir: rest[0], json };
}

function yamlFiles(dir: string): string[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new UsageError(`${dir} is not a directory: ${USAGE}`);
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return yamlFiles(p);
      return /\.ya?ml$/.test(e.name) ? [p] : [];
    });
}

/** Every Kubernetes object in the folder's YAML files; a file that does not parse is a usage error. */
export function readObjects(dir: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const file of yamlFiles(dir)) {
    for (const doc of parseAllDocuments(fs.readFileSync(file, "utf8"))) {
      if (doc.errors.length > 0)
        throw new UsageError(`${file}: ${doc.errors[0].message.split("\n")[0]}`);
      const value = doc.toJS() as { kind?: unknown; items?: unknown } | null;
      const isList =
        typeof value?.kind === "string" &&
        value.kind.endsWith("List") &&
        Array.isArray(value.items);
      const items = isList ? (value!.items as unknown[]) : [value];
      out.push(...items.filter(isK8sObject));
    }
  }
  return out;
}

export function report(findings: Finding[], json: boolean): string {
  if (json) {
    const errors = findings.filter((f) => f.severity === "error").length;
    return JSON.stringify({ errors, warnings: findings.length - errors, findings }, null, 2);
  }
  return [...findings.map(formatFinding), countLine(findings)].join("\n");
}

export function main(argv: string[]): number {
  try {
    const { dir, json } = parseArgs(argv);
    const objects = readObjects(dir);
    const findings = analyze(objects);
    process.stdout.write(`${report(findings, json)}\n`);
    return findings.some((f) => f.severity === "error") ? 1 : 0;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`analyze failed: ${err.message}\n`);
    return 2;
  }
}
