/**
 * Validation of emitted Kubernetes objects against the upstream schemas published as
 * `kubernetes-models` (core APIs) and `@kubernetes-models/{istio,knative,prometheus-operator}`.
 * Those packages are ESM-only, so they are loaded with dynamic `import()` and cached per module.
 */

export type SchemaVerdict =
  | { status: "valid" }
  | { status: "invalid"; message: string }
  | { status: "unvalidated"; reason: string };

interface ManifestLike {
  apiVersion?: unknown;
  kind?: unknown;
}

type ModelClass = new (data: unknown) => { validate(): void };

/** Which package publishes the schema of an API group (undefined: none we ship). */
export function schemaPackage(group: string): string | undefined {
  if (group === "" || group.endsWith(".k8s.io") || !group.includes(".")) return "kubernetes-models";
  if (group.endsWith(".istio.io")) return "@kubernetes-models/istio";
  if (group.endsWith(".knative.dev")) return "@kubernetes-models/knative";
  if (group === "monitoring.coreos.com") return "@kubernetes-models/prometheus-operator";
  return undefined;
}

/**
 * Groups the package emits without a published model, and what checks them instead (the render
 * cannot read the upstream CRDs, which tests read from ../shared).
 */
const UNPUBLISHED: Readonly<Record<string, string>> = {
  "openfaas.com":
    "no model package publishes openfaas.com; OpenFaasFunction checks its fields and the tests validate it against the Function CRD",
};

const modules = new Map<string, Promise<Record<string, unknown> | undefined>>();

function loadModule(specifier: string): Promise<Record<string, unknown> | undefined> {
  let m = modules.get(specifier);
  if (!m) {
    m = import(specifier).then(
      (mod: Record<string, unknown>) => mod,
      () => undefined,
    );
    modules.set(specifier, m);
  }
  return m;
}

function hasUndefined(value: unknown): boolean {
  if (value === undefined) return true;
  if (value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) return value.some(hasUndefined);
  for (const k in value) if (hasUndefined((value as Record<string, unknown>)[k])) return true;
  return false;
}

/** Validates one object; never throws. */
export async function validateManifest(object: ManifestLike): Promise<SchemaVerdict> {
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== "string" || typeof kind !== "string") {
    return { status: "invalid", message: "apiVersion and kind must be strings" };
  }
  const slash = apiVersion.lastIndexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  const version = apiVersion.slice(slash + 1);
  const pkg = schemaPackage(group);
  if (!pkg)
    return {
      status: "unvalidated",
      reason: UNPUBLISHED[group] ?? `no published schema for API group ${group}`,
    };
  // One module per kind (`kubernetes-models/apps/v1/Deployment`, exported as `./apps/v1/*` by
  // each package), not the version's index: the index loads every model of the version, which
  // cost a render 0.3-1 s whatever it holds.
  const mod = /^[A-Za-z][A-Za-z0-9]*$/.test(kind)
    ? await loadModule(group ? `${pkg}/${group}/${version}/${kind}` : `${pkg}/${version}/${kind}`)
    : undefined;
  const Model = mod?.[kind] as ModelClass | undefined;
  if (typeof Model !== "function") {
    return { status: "unvalidated", reason: `${pkg} has no schema for ${apiVersion} ${kind}` };
  }
  try {
    // The model's constructor deep-copies the object without its undefined values, then the
    // validator reads the copy (and never writes). An object without undefined values (every
    // recorded body: the engine drops them) is validated as it is: no copy of 6,000 bodies.
    if (hasUndefined(object)) new Model(object).validate();
    else Model.prototype.validate.call(object);
    return { status: "valid" };
  } catch (err) {
    return { status: "invalid", message: err instanceof Error ? err.message : String(err) };
  }
}
