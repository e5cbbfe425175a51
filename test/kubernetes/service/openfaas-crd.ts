import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv";
import { parse } from "yaml";

/**
 * The Function CRD of the pinned OpenFaaS chart, `../shared/crds/openfaas.com_functions.yaml`
 * (openfaas/faas-netes artifacts/crds, chart 15.0.6), read here and never copied into the
 * project: no published model package has the `openfaas.com` kinds.
 */
export const FUNCTION_CRD = path.resolve(
  __dirname,
  "..",
  "..",
  "..",
  "..",
  "shared",
  "crds",
  "openfaas.com_functions.yaml",
);

/** Skips the calling suite (from a `before` hook) when the CRD is absent, saying why. */
export function skipWithoutCrd(ctx: Mocha.Context): void {
  if (fs.existsSync(FUNCTION_CRD)) return;
  console.log(`      skipped: Function CRD not found at ${FUNCTION_CRD} (../shared/crds)`);
  ctx.skip();
}

type Json = Record<string, unknown>;

/**
 * A structural schema as the API server applies it: a field the schema does not declare is
 * pruned (silently dropped), so for the test it is an error. Objects with `properties` and no
 * `additionalProperties` (or `x-kubernetes-preserve-unknown-fields`) get `additionalProperties:
 * false`; `metadata` (`type: object`, no properties) stays open.
 * https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#field-pruning
 */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (schema === null || typeof schema !== "object") return schema;
  const s = Object.fromEntries(Object.entries(schema as Json).map(([k, v]) => [k, closed(v)]));
  if (
    s.type === "object" &&
    s.properties !== undefined &&
    s.additionalProperties === undefined &&
    s["x-kubernetes-preserve-unknown-fields"] !== true
  )
    s.additionalProperties = false;
  return s;
}

let validate: ((o: unknown) => string[]) | undefined;

/** Problems of `object` against the CRD's v1 openAPIV3Schema (with pruning as errors). */
export function functionProblems(object: unknown): string[] {
  if (!validate) {
    const crd = parse(fs.readFileSync(FUNCTION_CRD, "utf8")) as {
      spec: { versions: { name: string; schema: { openAPIV3Schema: Json } }[] };
    };
    const v1 = crd.spec.versions.find((v) => v.name === "v1");
    if (!v1) throw new Error(`${FUNCTION_CRD}: no v1 version`);
    // OpenAPI formats (int32, int64, date-time) are the API server's business, not the test's.
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    const fn = ajv.compile(closed(v1.schema.openAPIV3Schema) as Json);
    validate = (o) =>
      fn(o)
        ? []
        : (fn.errors ?? []).map(
            (e) => `${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`,
          );
  }
  return validate(object);
}
