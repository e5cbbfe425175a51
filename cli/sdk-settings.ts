import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import type { Struct as StructClass } from "google-protobuf/google/protobuf/struct_pb";

/**
 * The renderer's settings of the Pulumi SDK: costs the SDK pays for a real engine or for
 * debugging that a program run under the recording engine (cli/engine.ts) does not need. Each is
 * installed once per process; those that depend on `Error.stackTraceLimit` apply while it is 0
 * (the renderer and the bench, unless RENDER_TRACES is set) and leave the SDK as shipped under any
 * other limit (the tests). The bench's bare-SDK floor runs with the same settings.
 */

const SDK = "@pulumi/pulumi/";

/** The SDK's own copy of one of its modules (by file), or of a dependency it loads. */
function sdkModule<T>(request: string): T {
  const sdk = path.dirname(require.resolve(`${SDK}package.json`));
  const file = request.startsWith(SDK)
    ? path.join(sdk, request.slice(SDK.length))
    : require.resolve(request, { paths: [sdk] });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file) as T;
}

/** Installs every setting (idempotent): called by installRecordingEngine. */
export function useRendererSettings(): void {
  honourStackTraceLimit();
  keepStructData();
  skipPromiseDebugging();
  serializePlainDataDirectly();
}

/**
 * Runs `fn` as the renderer runs a program: `Error.stackTraceLimit` at 0, the switch of the
 * settings below, unless RENDER_TRACES is set; the limit is restored after. The SDK takes
 * `new Error().stack` for every promise and resource (leak diagnostics, source positions), and
 * under ts-node each frame is source-mapped: that was 80% of a 3,000-object render. With the limit
 * at 0 those captures are empty; RENDER_TRACES=1 keeps them for debugging.
 */
export async function withoutTraces<T>(fn: () => Promise<T>): Promise<T> {
  const limit = Error.stackTraceLimit;
  if (!process.env.RENDER_TRACES) Error.stackTraceLimit = 0;
  try {
    return await fn();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

const SKIP_CALLSITES = Symbol.for("mesh-serverless.render.callsites");
const KEEP_DATA = Symbol.for("mesh-serverless.render.structData");

/**
 * The SDK records where each resource was declared: `Resource.callsites()` raises
 * `Error.stackTraceLimit` to Infinity, takes `new Error().stack` (under ts-node every frame is
 * source-mapped) and parses each line, for every resource, at a cost that grows with the depth of
 * the component tree. The mock monitor drops source positions, so while a program runs with
 * `Error.stackTraceLimit = 0` (the renderer, unless RENDER_TRACES is set) none are taken either.
 * With any other limit (tests, RENDER_TRACES=1) the SDK behaves as shipped.
 */
function honourStackTraceLimit(): void {
  const resource = pulumi.Resource as unknown as {
    callsites?: () => unknown[];
    [SKIP_CALLSITES]?: true;
  };
  const callsites = resource.callsites;
  if (typeof callsites !== "function" || resource[SKIP_CALLSITES]) return;
  resource.callsites = function (this: unknown) {
    return Error.stackTraceLimit === 0 ? [] : callsites.call(this);
  };
  resource[SKIP_CALLSITES] = true;
}

const SKIP_PROMISE_DEBUG = Symbol.for("mesh-serverless.render.promiseDebug");
const PLAIN_SERIALIZATION = Symbol.for("mesh-serverless.render.plainSerialization");
const NOT_PLAIN = Symbol("not plain data");

/**
 * What the SDK's serializeProperty makes of `value` when it is plain data (strings, numbers,
 * booleans, null, lists and mappings of them, nothing inherited): the same value with undefined
 * fields dropped and undefined list items null. NOT_PLAIN for anything else (an Output, a
 * Promise, a resource, an asset, a function, a class instance), which the SDK then serializes.
 */
function plainData(value: unknown): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case "string":
    case "number":
    case "boolean":
      return value;
    case "object":
      break;
    default:
      return NOT_PLAIN;
  }
  const proto = Object.getPrototypeOf(value);
  if (Array.isArray(value)) {
    if (proto !== Array.prototype) return NOT_PLAIN;
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const v = value[i] === undefined ? null : plainData(value[i]);
      if (v === NOT_PLAIN) return NOT_PLAIN;
      out[i] = v;
    }
    return out;
  }
  if (proto !== Object.prototype && proto !== null) return NOT_PLAIN;
  const obj = value as Record<string, unknown>;
  // The SDK recognises its own values by these flags, whatever their prototype.
  if (obj.__pulumiOutput || obj.__pulumiResource || obj.__pulumiAsset || obj.__pulumiArchive)
    return NOT_PLAIN;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(obj)) {
    if (obj[k] === undefined) continue;
    const v = plainData(obj[k]);
    if (v === NOT_PLAIN) return NOT_PLAIN;
    out[k] = v;
  }
  return out;
}

/**
 * The SDK serializes every property of every registration (and every mock response) with an
 * `await` per field, to find the Outputs, Promises and resources in it: a 1,000-service render
 * has ~250,000 fields and none of them needs it. While `Error.stackTraceLimit` is 0 (the
 * renderer), properties that are plain data are copied as serializeProperty would copy them, with
 * no dependencies; anything else goes to the SDK as shipped, as does every call under another
 * limit.
 */
function serializePlainDataDirectly(): void {
  type Serialized = [Record<string, unknown>, Map<string, Set<pulumi.Resource>>];
  const rpc = sdkModule<{
    serializeResourceProperties: (
      label: string,
      props: object,
      opts?: unknown,
    ) => Promise<Serialized>;
    serializeProperties: (label: string, props: object, opts?: unknown) => Promise<object>;
    [PLAIN_SERIALIZATION]?: true;
  }>("@pulumi/pulumi/runtime/rpc.js");
  if (rpc[PLAIN_SERIALIZATION]) return;
  const plainProps = (props: object, skip?: (k: string) => boolean): Serialized | undefined => {
    const result: Record<string, unknown> = {};
    const deps = new Map<string, Set<pulumi.Resource>>();
    for (const k of Object.keys(props)) {
      const v = (props as Record<string, unknown>)[k];
      if (v === undefined || skip?.(k)) continue;
      const data = plainData(v);
      if (data === NOT_PLAIN) return undefined;
      result[k] = data;
      deps.set(k, new Set());
    }
    return [result, deps];
  };
  const resourceProperties = rpc.serializeResourceProperties;
  rpc.serializeResourceProperties = async (label, props, opts) =>
    (Error.stackTraceLimit === 0 && plainProps(props, (k) => k === "id" || k === "urn")) ||
    resourceProperties(label, props, opts);
  const properties = rpc.serializeProperties;
  rpc.serializeProperties = async (label, props, opts) =>
    (Error.stackTraceLimit === 0 && plainProps(props)?.[0]) || properties(label, props, opts);
  rpc[PLAIN_SERIALIZATION] = true;
}

/**
 * The SDK wraps each of its internal promises (several per resource) for leak diagnostics: three
 * properties, a stack trace, a set entry and two more promises (runtime/debuggable.js). With
 * `Error.stackTraceLimit = 0` (the renderer) the trace is empty anyway and settle() is what
 * notices a registration that never finishes, so the promise is used as it is; with any other
 * limit the SDK behaves as shipped.
 */
function skipPromiseDebugging(): void {
  const debuggable = sdkModule<{
    debuggablePromise: <T>(p: Promise<T>, ctx: unknown) => Promise<T>;
    [SKIP_PROMISE_DEBUG]?: true;
  }>("@pulumi/pulumi/runtime/debuggable.js");
  if (debuggable[SKIP_PROMISE_DEBUG]) return;
  const wrap = debuggable.debuggablePromise;
  debuggable.debuggablePromise = (p, ctx) => (Error.stackTraceLimit === 0 ? p : wrap(p, ctx));
  debuggable[SKIP_PROMISE_DEBUG] = true;
}

/**
 * Under the mock engine the SDK hands every request and response body to the monitor as a
 * protobuf `Struct` built from plain JSON data (`Struct.fromJavaScript`), and the other side reads
 * it straight back (`toJavaScript`): nothing is ever serialised to bytes. That round trip was the
 * SDK's largest single cost in a render (google-protobuf ~15% of its CPU and much of its garbage).
 * Once the recording engine is installed, a `Struct` made from JSON data keeps the data and hands
 * it back; its fields (the SDK's `getResource` reads them, as does `toObject()`) are built from it
 * on demand. Its readers only read the data: the SDK's deserializeProperties and the engine's
 * decode() copy it.
 */
function keepStructData(): void {
  // The copy of google-protobuf the SDK itself loads (a dependency of @pulumi/pulumi's, not ours).
  const { Struct } = sdkModule<{ Struct: typeof StructClass }>(
    "google-protobuf/google/protobuf/struct_pb",
  );
  const struct = Struct as unknown as {
    fromJavaScript: (value: Record<string, unknown>) => StructClass;
    [KEEP_DATA]?: true;
  };
  if (struct[KEEP_DATA]) return;
  const fromJavaScript = struct.fromJavaScript.bind(Struct);
  struct.fromJavaScript = (value) => {
    const kept = new Struct();
    let real: StructClass | undefined;
    kept.toJavaScript = () => value as ReturnType<StructClass["toJavaScript"]>;
    // Anything else (the SDK's getResource, a test's toObject()) gets the real message.
    kept.getFieldsMap = () => (real ??= fromJavaScript(value)).getFieldsMap();
    return kept;
  };
  struct[KEEP_DATA] = true;
}
