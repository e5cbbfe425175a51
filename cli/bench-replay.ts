import * as pulumi from "@pulumi/pulumi";
import { Recording, RecordedOptions } from "./engine";

/**
 * The bench's yardstick: the bare Pulumi SDK registering exactly what a render registered, in
 * the same order, with the same types, names, inputs, parents, providers, dependencies and
 * lifecycle options (`aliases`, `protect`, `retainOnDelete`), and nothing of the package's code. Components are plain `pulumi.ComponentResource`s (with their
 * `registerOutputs` call, as every component of the package makes one), providers
 * `pulumi.ProviderResource`s, everything else `pulumi.CustomResource`s with every recorded
 * dependency as `dependsOn`. Run with the renderer's settings (the recording engine and
 * `Error.stackTraceLimit = 0`), it is what the render would cost if the package added nothing.
 */

/** One registration as the replay needs it (JSON-serialisable). */
export interface Registration {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  parent?: string;
  provider?: string;
  dependencies: string[];
  inputs: Record<string, unknown>;
  options?: RecordedOptions;
}

/** The registrations of a recording, in order. */
export function registrations(recording: Recording): Registration[] {
  return recording.resources.map((r) => ({
    urn: r.urn,
    type: r.type,
    name: r.name,
    custom: r.custom,
    ...(r.parent ? { parent: r.parent } : {}),
    ...(r.provider ? { provider: r.provider } : {}),
    dependencies: r.dependencies,
    inputs: r.inputs,
    ...(r.options && Object.keys(r.options).length > 0 ? { options: r.options } : {}),
  }));
}

/** Counts of what a replay registers. */
export interface ReplayCounts {
  resources: number;
  components: number;
  dependencies: number;
}

export function replayCounts(regs: Registration[]): ReplayCounts {
  return {
    resources: regs.length,
    components: regs.filter((r) => !r.custom).length,
    dependencies: regs.reduce((n, r) => n + r.dependencies.length, 0),
  };
}

const PROVIDER_PREFIX = "pulumi:providers:";

/** A recorded alias (a URN, or the spec the SDK sent) as the option that sends the same. */
function aliasOption(a: Record<string, string | boolean>): pulumi.Input<string> | pulumi.Alias {
  if (typeof a.urn === "string") return a.urn;
  const str = (k: string) => (typeof a[k] === "string" ? (a[k] as string) : undefined);
  return {
    ...(str("name") ? { name: str("name") } : {}),
    ...(str("type") ? { type: str("type") } : {}),
    ...(str("project") ? { project: str("project") } : {}),
    ...(str("stack") ? { stack: str("stack") } : {}),
    ...(str("parenturn") ? { parent: str("parenturn") } : {}),
    ...(a.noparent === true ? { parent: pulumi.rootStackResource } : {}),
  };
}

/** The recorded lifecycle options as resource options. */
function lifecycle(o: RecordedOptions | undefined): pulumi.ResourceOptions {
  if (!o) return {};
  return {
    ...(o.protect ? { protect: true } : {}),
    ...(o.retainOnDelete ? { retainOnDelete: true } : {}),
    ...(o.aliases ? { aliases: o.aliases.map(aliasOption) } : {}),
  };
}

// The SDK's classes as a program subclasses them (the kinds are abstract), adding nothing.
class Component extends pulumi.ComponentResource {
  constructor(type: string, name: string, opts: pulumi.ComponentResourceOptions) {
    super(type, name, {}, opts);
    this.registerOutputs({});
  }
}
class Custom extends pulumi.CustomResource {}
class Provider extends pulumi.ProviderResource {}

/**
 * Registers `regs` with the installed engine. Parents, providers and dependencies are recorded
 * as URNs; each is looked up among the resources registered before it (a render registers a
 * resource after everything it names).
 */
export function replay(regs: Registration[]): number {
  const byUrn = new Map<string, pulumi.Resource>();
  for (const r of regs) {
    const parent = r.parent ? byUrn.get(r.parent) : undefined;
    const dependsOn = r.dependencies
      .map((u) => byUrn.get(u))
      .filter((d): d is pulumi.Resource => d !== undefined);
    const opts: pulumi.CustomResourceOptions = { parent, dependsOn, ...lifecycle(r.options) };
    let resource: pulumi.Resource;
    if (!r.custom) {
      resource = new Component(r.type, r.name, opts);
    } else if (r.type.startsWith(PROVIDER_PREFIX)) {
      resource = new Provider(r.type.slice(PROVIDER_PREFIX.length), r.name, r.inputs, opts);
    } else {
      const provider = r.provider
        ? (byUrn.get(r.provider.split("::").slice(0, -1).join("::")) as pulumi.ProviderResource)
        : undefined;
      resource = new Custom(r.type, r.name, r.inputs, { ...opts, provider });
    }
    byUrn.set(r.urn, resource);
  }
  return regs.length;
}
