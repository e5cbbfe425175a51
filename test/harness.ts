import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { installRecordingEngine, RecordedResource, Recording, settle } from "../cli/engine";
import { isKubernetesObject } from "../cli/artifacts";
import { validateManifest } from "../components/core/schema";
import { StackConfigError } from "../stacks/config";

/**
 * The one test harness: Pulumi's mocks with a recording of every registration (type, name,
 * inputs, parent, dependencies, provider). `reset()` before each scenario, build the code under
 * test, then `await settled()` and select what was registered.
 */

let current: Recording | undefined;

/** A new temporary directory (`<prefix>...`) holding `files` (path -> text); the caller removes it. */
export function tempDir(prefix: string, files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

export interface ResetOptions {
  stack?: string;
  config?: Record<string, string>;
  secretKeys?: string[];
}

/** Installs a fresh engine and an empty recording. */
export async function reset(options: ResetOptions = {}): Promise<Recording> {
  if (current) await settle();
  current = await installRecordingEngine({
    project: "mesh-serverless",
    stack: options.stack ?? "test",
    config: options.config,
    secretKeys: options.secretKeys,
  });
  return current;
}

/** Waits for every pending registration, then returns the recording. */
export async function settled(): Promise<Recording> {
  await settle();
  return recording();
}

export function recording(): Recording {
  if (!current) throw new Error("harness: call reset() first");
  return current;
}

/** Every recorded resource of `type` (all of them without a type), in registration order. */
export function resources(type?: string): RecordedResource[] {
  const all = recording().resources;
  return type === undefined ? all : all.filter((r) => r.type === type);
}

/** The one resource of `type` named `name`; fails listing what there is. */
export function get(type: string, name: string): RecordedResource {
  const found = resources(type).filter((r) => r.name === name);
  if (found.length !== 1) {
    const names = resources(type).map((r) => r.name);
    assert.fail(
      `expected one ${type} named ${name}, found ${found.length}; ${type} names: ${names.join(", ") || "none"}`,
    );
  }
  return found[0];
}

/** Names of the recorded resources of `type`, sorted. */
export function names(type: string): string[] {
  return resources(type)
    .map((r) => r.name)
    .sort();
}

/** Number of recorded resources per type. */
export function countByType(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of resources()) out[r.type] = (out[r.type] ?? 0) + 1;
  return out;
}

/** The recorded parent of `r`. */
export function parentOf(r: RecordedResource): RecordedResource | undefined {
  return r.parent ? recording().byUrn(r.parent) : undefined;
}

/** `type::name` of each resource `r` depends on, sorted. */
export function dependencies(r: RecordedResource): string[] {
  return r.dependencies
    .map((urn) => {
      const d = recording().byUrn(urn);
      return d ? `${d.type}::${d.name}` : urn;
    })
    .sort();
}

/** `type::name` of the provider resource `r` was registered with, if an explicit one. */
export function providerOf(r: RecordedResource): string | undefined {
  const p = recording().providerOf(r);
  return p ? `${p.type}::${p.name}` : undefined;
}

/** The resolved value of an Input/Output. */
export function resolve<T>(value: pulumi.Input<T>): Promise<pulumi.Unwrap<T>> {
  return new Promise((ok) => {
    pulumi.output(value).apply((v) => {
      ok(v);
      return v;
    });
  });
}

/**
 * Asserts that `build` throws a `pulumi.ResourceError` whose message names `argument` (in
 * backticks) and contains each of `mentions`, and that nothing was registered below the
 * component that failed. Prerequisites that `build` creates first (a network, a backend) may
 * exist; `expectInvalid` is the strict form for builds without any.
 */
export async function expectInvalidBelow(
  build: () => unknown,
  argument: string,
  ...mentions: string[]
): Promise<pulumi.ResourceError> {
  const before = resources().length;
  let error: unknown;
  try {
    build();
  } catch (e) {
    error = e;
  }
  assert.ok(
    error instanceof pulumi.ResourceError,
    `expected a ResourceError, got ${String(error)}`,
  );
  assert.ok(
    error.message.includes(`\`${argument}\``),
    `message does not name \`${argument}\`: ${error.message}`,
  );
  for (const m of mentions)
    assert.ok(error.message.includes(m), `message lacks ${JSON.stringify(m)}: ${error.message}`);
  await settle();
  const added = resources().slice(before);
  const failed = error.resource ? await resolve(error.resource.urn) : undefined;
  const children = added.filter(
    (r) => r.parent !== undefined && (failed === undefined || r.parent === failed),
  );
  assert.deepEqual(
    children.map((r) => `${r.type}::${r.name}`),
    [],
    "children were registered before validation failed",
  );
  return error;
}

/**
 * `expectInvalidBelow` for a build that creates nothing else: at most the failing component
 * itself was registered, so a child created without `parent` is caught too.
 */
export async function expectInvalid(
  build: () => unknown,
  argument: string,
  ...mentions: string[]
): Promise<pulumi.ResourceError> {
  const before = resources().length;
  const error = await expectInvalidBelow(build, argument, ...mentions);
  const added = resources().slice(before);
  assert.ok(
    added.length <= 1,
    `expected at most the component itself, got ${added.map((r) => r.name).join(", ")}`,
  );
  assert.ok(
    added.every((r) => r.parent === undefined),
    "children were registered before validation failed",
  );
  return error;
}

/**
 * Asserts that every Kubernetes object recorded so far validates against its upstream schema,
 * and returns the `apiVersion kind` of those that have no published schema (to assert on).
 */
export async function expectValidManifests(): Promise<string[]> {
  await settle();
  const kube = resources().filter(isKubernetesObject);
  const verdicts = await Promise.all(kube.map((r) => validateManifest(r.inputs)));
  const invalid = verdicts
    .map((v, i) =>
      v.status === "invalid" ? `${kube[i].type}::${kube[i].name}: ${v.message}` : undefined,
    )
    .filter((m): m is string => m !== undefined);
  assert.deepEqual(invalid, [], "objects fail their upstream schema");
  const unvalidated = new Set<string>();
  verdicts.forEach((v, i) => {
    if (v.status === "unvalidated")
      unvalidated.add(`${String(kube[i].inputs.apiVersion)} ${String(kube[i].inputs.kind)}`);
  });
  return [...unvalidated].sort();
}

/**
 * Runs `build`, asserts it throws a StackConfigError (a RunError: `pulumi up` prints it without
 * a stack trace, the renderer exits 2), and returns its message.
 */
export function expectConfigError(build: () => unknown): string {
  try {
    build();
  } catch (e) {
    assert.ok(e instanceof StackConfigError, String(e));
    assert.ok(pulumi.RunError.isInstance(e));
    return e.message;
  }
  return assert.fail("expected a StackConfigError");
}

/** Runs `fn` with `pulumi.log.warn` recorded instead of printed: the [message, resource] pairs. */
export async function captureWarnings(fn: () => unknown): Promise<[string, unknown][]> {
  const calls: [string, unknown][] = [];
  const original = pulumi.log.warn;
  (pulumi.log as { warn: unknown }).warn = (msg: string, resource?: unknown) => {
    calls.push([msg, resource]);
  };
  try {
    await fn();
  } finally {
    (pulumi.log as { warn: unknown }).warn = original;
  }
  return calls;
}

/** Runs a command's entry point with stdout and stderr recorded instead of printed. */
export async function captureOutput(
  run: () => number | Promise<number>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => ((stdout += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((stderr += s), true)) as typeof process.stderr.write;
  try {
    return { code: await run(), stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

/** The message of the `pulumi.ResourceError` that `fn` throws (pure checks, no resources). */
export function errorMessage(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof pulumi.ResourceError, `not a ResourceError: ${String(e)}`);
    return e.message;
  }
  return assert.fail("expected an error");
}
