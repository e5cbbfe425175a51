import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as os from "os";
import { parseAllDocuments } from "yaml";
import { main } from "../../stacks/program";
import { StackConfigError } from "../../stacks/config";
import { exitCodeFor, render, RenderResult } from "../../cli/render";
import * as h from "../harness";

export const P = "mesh-serverless";

/** Runs the program with `config` (values as the engine gives them: strings, JSON for objects). */
export async function run(
  config: Record<string, unknown>,
  secretKeys: string[] = [],
): Promise<unknown> {
  const encoded = Object.fromEntries(
    Object.entries(config).map(([k, v]) => [
      `${P}:${k}`,
      typeof v === "string" ? v : JSON.stringify(v),
    ]),
  );
  await h.reset({ config: encoded, secretKeys: secretKeys.map((k) => `${P}:${k}`) });
  return main();
}

/**
 * Runs the program and expects a StackConfigError (exit code 2) with `message` (exact, or
 * matching), before anything is registered.
 */
export async function rejects(
  config: Record<string, unknown>,
  message: string | RegExp,
  secretKeys?: string[],
): Promise<void> {
  await assert.rejects(run(config, secretKeys), (e: unknown) => {
    assert.ok(e instanceof StackConfigError, String(e));
    if (typeof message === "string") assert.equal(e.message, message);
    else assert.match(e.message, message);
    assert.equal(exitCodeFor(e), 2);
    return true;
  });
  await h.settled();
  assert.deepEqual(
    h.resources().map((r) => r.type),
    [],
    "nothing may be built before config is checked",
  );
}

/** Every Kubernetes object a render wrote under `out`, in the order of its `files` list. */
export function renderedManifests<M>(out: string, files: string[]): M[] {
  return files
    .filter((f) => f.startsWith("manifests/") && !f.endsWith("/kustomization.yaml"))
    .flatMap((f) =>
      parseAllDocuments(fs.readFileSync(path.join(out, f), "utf8")).map((d) => d.toJS() as M),
    );
}

const root = path.join(__dirname, "..", "..");

/** Rendered YAML/JSON, read loosely: the assertions say what shape they expect. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;
export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Loose;
};

export interface Rendered {
  result: RenderResult;
  manifests: Manifest[];
  outputs: Record<string, Loose>;
}

/** Renders `stack` of this repo into a temporary directory, as `npm run render` does. */
export async function renderStack(stack: string): Promise<Rendered> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `env-${stack}-`));
  const result = await render({ stack, root, out });
  return {
    result,
    manifests: renderedManifests<Manifest>(out, result.files),
    outputs: JSON.parse(fs.readFileSync(path.join(out, "outputs.json"), "utf8")),
  };
}

/** The one rendered object of `kind` named `name` (in `namespace` when given). */
export function find(r: Rendered, kind: string, name: string, namespace?: string): Manifest {
  const m = r.manifests.find(
    (x) =>
      x.kind === kind &&
      x.metadata.name === name &&
      (namespace === undefined || x.metadata.namespace === namespace),
  );
  assert.ok(m, `${kind} ${namespace ?? ""}/${name} not rendered`);
  return m;
}
