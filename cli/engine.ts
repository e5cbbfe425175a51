import * as pulumi from "@pulumi/pulumi";
import { mockState } from "./mock-state";
import { useRendererSettings } from "./sdk-settings";

/**
 * The recording engine: Pulumi's mock monitor, wrapped so that every registration is kept with
 * what the mock API drops (parent, dependencies, provider, secrets). The renderer and the test
 * harness both run programs against it.
 */

/** What a secret value is replaced with wherever a recording is written out. */
export const SECRET_PLACEHOLDER = "[secret]";
/** What a value unknown at registration (never during a non-preview run) is written as. */
export const UNKNOWN_PLACEHOLDER = "[unknown]";

export interface RecordedResource {
  urn: string;
  type: string;
  name: string;
  /** false for component resources. */
  custom: boolean;
  /** URN of the parent resource, or undefined at the stack's root. */
  parent?: string;
  /** URNs of every resource this one depends on (explicit dependsOn and through inputs). */
  dependencies: string[];
  /** Provider reference (`urn::id`), or undefined for the default provider. */
  provider?: string;
  /** Inputs as the provider would receive them, secrets unwrapped. */
  inputs: Record<string, unknown>;
  /** The same inputs with every secret replaced by SECRET_PLACEHOLDER: the only form written out. */
  redacted: Record<string, unknown>;
  /** Lifecycle options as registered (only those set): what a rename or a delete does to it. */
  options?: RecordedOptions;
  /** A component's `registerOutputs` values, secrets replaced by SECRET_PLACEHOLDER. */
  outputs?: Record<string, unknown>;
}

/** The registered `protect`, `retainOnDelete` and own `aliases` (the engine adds inherited ones). */
export interface RecordedOptions {
  protect?: boolean;
  retainOnDelete?: boolean;
  /** Each alias as a URN, or as the spec fields it set (`name`, `type`, `parentUrn`, ...). */
  aliases?: Array<Record<string, string | boolean>>;
}

interface AliasMessage {
  getUrn(): string;
  getSpec():
    | {
        toObject(): Record<string, string | boolean | undefined>;
      }
    | undefined;
}

function recordedOptions(req: RegisterRequest): RecordedOptions {
  const aliases = req.getAliasesList().map((a) => {
    if (a.getUrn()) return { urn: a.getUrn() };
    const spec = a.getSpec()?.toObject() ?? {};
    return Object.fromEntries(
      Object.entries(spec).filter(([, v]) => v !== undefined && v !== "" && v !== false),
    ) as Record<string, string | boolean>;
  });
  return {
    ...(req.getProtect() ? { protect: true } : {}),
    ...(req.getRetainondelete() ? { retainOnDelete: true } : {}),
    ...(aliases.length > 0 ? { aliases } : {}),
  };
}

/** Every registration of one run, in order, with look-ups. */
export class Recording {
  readonly resources: RecordedResource[] = [];
  private readonly urns = new Map<string, RecordedResource>();

  add(r: RecordedResource): void {
    this.resources.push(r);
    this.urns.set(r.urn, r);
  }

  byUrn(urn: string): RecordedResource | undefined {
    return this.urns.get(urn);
  }

  /** The resource a provider reference (`urn::id`) points at. */
  providerOf(r: RecordedResource): RecordedResource | undefined {
    return r.provider ? this.urns.get(r.provider.split("::").slice(0, -1).join("::")) : undefined;
  }
}

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Replaces every leaf of a secret value, keeping its shape (a Secret's keys stay visible). */
function redactLeaves(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactLeaves);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactLeaves(v)]));
  }
  return SECRET_PLACEHOLDER;
}

/**
 * Decodes a serialized property into [plain, redacted]. Where a value holds no secret, both are
 * the same object: the recording keeps every registration, so an unneeded second copy of each
 * body would double its memory.
 */
function decode(value: unknown): [unknown, unknown] {
  if (value === UNKNOWN) return [UNKNOWN_PLACEHOLDER, UNKNOWN_PLACEHOLDER];
  if (Array.isArray(value)) {
    const plain: unknown[] = [];
    let red: unknown[] | undefined;
    for (const v of value) {
      const [p, r] = decode(v);
      if (red === undefined && r !== p) red = plain.slice();
      plain.push(p);
      red?.push(r);
    }
    return [plain, red ?? plain];
  }
  if (value === null || typeof value !== "object") return [value, value];
  const obj = value as Record<string, unknown>;
  switch (obj[SIG]) {
    case SECRET_SIG: {
      const plain = decode(obj.value)[0];
      return [plain, redactLeaves(plain)];
    }
    case RESOURCE_SIG: {
      const ref = { urn: obj.urn, ...(obj.id !== undefined ? { id: obj.id } : {}) };
      return [ref, ref];
    }
    case ASSET_SIG:
    case ARCHIVE_SIG: {
      const kind = obj[SIG] === ASSET_SIG ? "asset" : "archive";
      const { [SIG]: _sig, ...rest } = obj;
      const [p, r] = decode(rest);
      const plain = { [kind]: p };
      return [plain, r === p ? plain : { [kind]: r }];
    }
  }
  const plain: Record<string, unknown> = {};
  let red: Record<string, unknown> | undefined;
  for (const k of Object.keys(obj)) {
    if (obj[k] === undefined) continue;
    const [p, r] = decode(obj[k]);
    if (red === undefined && r !== p) red = { ...plain };
    plain[k] = p;
    if (red) red[k] = r;
  }
  return [plain, red ?? plain];
}

/** The subset of the protobuf RegisterResourceRequest the engine reads. */
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProvider(): string;
  getDependenciesList(): string[];
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
  getProtect(): boolean | undefined;
  getRetainondelete(): boolean | undefined;
  getAliasesList(): AliasMessage[];
}

interface RegisterOutputsRequest {
  getUrn(): string;
  getOutputs(): { toJavaScript(): Record<string, unknown> } | undefined;
}

interface MockMonitorLike {
  registerResource(req: RegisterRequest, cb: (err: unknown, res: unknown) => void): Promise<void>;
  registerResourceOutputs(
    req: RegisterOutputsRequest,
    cb: (err: unknown, res: unknown) => void,
  ): void;
  newUrn(parent: string, type: string, name: string): string;
}

export interface EngineOptions {
  project: string;
  stack: string;
  /** Config as the engine hands it to a program: `namespace:key` -> string. */
  config?: Record<string, string>;
  /** Keys of `config` whose values are secret. */
  secretKeys?: string[];
  /** Region a default AWS provider is taken to use (from `aws:region`). */
  defaultRegion?: string;
}

/**
 * Installs Pulumi's mock engine (process-wide; the last install wins) with a recording wrapped
 * around it, and the given stack config. Returns the new, empty recording.
 */
export async function installRecordingEngine(options: EngineOptions): Promise<Recording> {
  abandoned = false;
  const recording = new Recording();
  useRendererSettings();
  const defaultRegion = options.defaultRegion ?? options.config?.["aws:region"] ?? "us-east-1";
  const regionOf = (provider: string): string => {
    const p = provider ? recording.byUrn(provider.split("::").slice(0, -1).join("::")) : undefined;
    const region = p?.inputs.region;
    return typeof region === "string" ? region : defaultRegion;
  };
  await pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        const state = mockState(args.type, args.name, args.inputs, regionOf(args.provider ?? ""));
        return {
          id: args.custom === false ? undefined : `${args.name}-id`,
          state: { ...args.inputs, ...state },
        };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        return mockCall(args.token, args.inputs, defaultRegion);
      },
    },
    options.project,
    options.stack,
    false,
  );
  pulumi.runtime.setAllConfig(options.config ?? {}, options.secretKeys ?? []);
  const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitorLike;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    const struct = req.getObject();
    const plain = struct?.toJavaScript() ?? {};
    // The mock monitor converts the same Struct again (deserializeProperties); both only read
    // it (decode copies), so the second conversion of every body is served from this one.
    if (struct) struct.toJavaScript = () => plain;
    const [inputs, redacted] = decode(plain);
    recording.add({
      urn: monitor.newUrn(req.getParent(), req.getType(), req.getName()),
      type: req.getType(),
      name: req.getName(),
      custom: req.getCustom(),
      parent: req.getParent() || undefined,
      dependencies: [...req.getDependenciesList()].sort(),
      provider: req.getProvider() || undefined,
      inputs: inputs as Record<string, unknown>,
      redacted: redacted as Record<string, unknown>,
      options: recordedOptions(req),
    });
    return register(req, cb);
  };
  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req, cb) => {
    const r = recording.byUrn(req.getUrn());
    if (r) r.outputs = decode(req.getOutputs()?.toJavaScript() ?? {})[1] as Record<string, unknown>;
    return registerOutputs(req, cb);
  };
  return recording;
}

/** Answers the data-source calls a program may make (identity, region, partition). */
function mockCall(
  token: string,
  inputs: Record<string, unknown>,
  region: string,
): Record<string, unknown> {
  switch (token) {
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return {
        accountId: "123456789012",
        arn: "arn:aws:iam::123456789012:user/render",
        userId: "RENDER",
      };
    case "aws:index/getRegion:getRegion":
      return { name: region, region, id: region };
    case "aws:index/getPartition:getPartition":
      return { partition: "aws", dnsSuffix: "amazonaws.com" };
    default:
      return inputs;
  }
}

let abandoned = false;

/**
 * Waits until every registration the program started has reached the engine. An input that fails
 * while it resolves (an Output a component checks when it is known, `ArgChecker.input`) surfaces
 * only as an unhandled rejection, and a resource that depends on the failed one never registers:
 * the first such failure ends the wait with its error, as Pulumi's language host ends the program,
 * instead of waiting for ever.
 */
export async function settle(): Promise<void> {
  const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
  // A failed program's registrations never finish: only a new engine (installRecordingEngine,
  // whose mocks reset the runtime's RPC tracking) starts over.
  if (!runtime.waitForRPCs || abandoned) return;
  let onRejection: (reason: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (onRejection = reject));
  process.on("unhandledRejection", onRejection);
  try {
    await Promise.race([runtime.waitForRPCs(), failed]);
  } catch (e) {
    abandoned = true;
    throw e;
  } finally {
    process.off("unhandledRejection", onRejection);
  }
}
