import * as pulumi from "@pulumi/pulumi";
import { describeValue } from "../components/core/errors";

/**
 * Typed, validated reading of stack config. Every error names the full key
 * (`mesh-serverless:platform.istio.revision`), the value and what is allowed, and is a
 * `pulumi.RunError`, so `pulumi up` prints it without a stack trace and the renderer exits 2.
 */
export class StackConfigError extends pulumi.RunError {
  override name = "StackConfigError";
}

function fail(path: string, value: unknown, allowed: string): never {
  throw new StackConfigError(`config \`${path}\` is ${describeValue(value)}: ${allowed}`);
}

/** Whether the engine marked a config key secret (a `secure:` value anywhere inside it). */
export function isSecretKey(fullKey: string): boolean {
  // Exported by the SDK's runtime but not in its typings.
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean };
  return runtime.isConfigSecret?.(fullKey) ?? false;
}

/**
 * One object of config with the key path that leads to it. `secret` is true when the top-level
 * key holds a `secure:` value: the engine then marks the whole key secret, so values that may
 * carry it (env, credentials) must be read with `input`/`inputMap` to stay secret in state.
 */
export class Section {
  private readonly used = new Set<string>();

  constructor(
    readonly path: string,
    readonly value: Record<string, unknown>,
    readonly secret = false,
  ) {}

  /** A structured top-level key of the project's config, or undefined when not set. */
  static root(key: string, config = new pulumi.Config()): Section | undefined {
    const full = `${config.name}:${key}`;
    let value: unknown;
    try {
      value = config.getObject<unknown>(key);
    } catch {
      fail(full, config.get(key), "must be a structured (YAML mapping) value");
    }
    if (value === undefined) return undefined;
    return Section.of(full, value, isSecretKey(full));
  }

  static of(path: string, value: unknown, secret = false): Section {
    if (value === null || typeof value !== "object" || Array.isArray(value))
      fail(path, value, "must be a mapping");
    return new Section(path, value as Record<string, unknown>, secret);
  }

  /** `value` as an input that stays secret when this section's key is secret. */
  protect<T>(value: T): pulumi.Input<T> {
    return this.secret ? (pulumi.secret(value) as pulumi.Input<T>) : value;
  }

  /** A string that may carry a `secure:` value: secret in state when the key is secret. */
  input(key: string): pulumi.Input<string> | undefined {
    const v = this.string(key);
    return v === undefined ? undefined : this.protect(v);
  }

  /** A string map (env) whose values stay secret in state when the key is secret. */
  inputMap(key: string): Record<string, pulumi.Input<string>> | undefined {
    const m = this.stringMap(key);
    if (m === undefined) return undefined;
    return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, this.protect(v)]));
  }

  private at(key: string): unknown {
    this.used.add(key);
    return this.value[key];
  }

  key(key: string): string {
    return `${this.path}.${key}`;
  }

  has(key: string): boolean {
    return this.value[key] !== undefined;
  }

  string(key: string): string | undefined;
  string(key: string, fallback: string): string;
  string(key: string, fallback?: string): string | undefined {
    const v = this.at(key);
    if (v === undefined) return fallback;
    if (typeof v !== "string") fail(this.key(key), v, "must be a string");
    return v;
  }

  requireString(key: string): string {
    const v = this.string(key);
    if (v === undefined || v === "") fail(this.key(key), v, "is required: a non-empty string");
    return v;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined;
  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T;
  oneOf<T extends string>(key: string, allowed: readonly T[], fallback?: T): T | undefined {
    const v = this.string(key);
    if (v === undefined) return fallback;
    if (!allowed.includes(v as T)) fail(this.key(key), v, `must be one of ${allowed.join(", ")}`);
    return v as T;
  }

  number(
    key: string,
    opts: { min?: number; max?: number; integer?: boolean } = {},
  ): number | undefined {
    const v = this.at(key);
    if (v === undefined) return undefined;
    const { min = -Infinity, max = Infinity, integer = false } = opts;
    const range = `${integer ? "an integer" : "a number"}${min > -Infinity ? ` >= ${min}` : ""}${max < Infinity ? ` <= ${max}` : ""}`;
    if (
      typeof v !== "number" ||
      !Number.isFinite(v) ||
      (integer && !Number.isInteger(v)) ||
      v < min ||
      v > max
    ) {
      fail(this.key(key), v, `must be ${range}`);
    }
    return v;
  }

  boolean(key: string): boolean | undefined {
    const v = this.at(key);
    if (v === undefined) return undefined;
    if (typeof v !== "boolean") fail(this.key(key), v, "must be true or false");
    return v;
  }

  strings(key: string): string[] | undefined {
    const v = this.at(key);
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((s) => typeof s !== "string"))
      fail(this.key(key), v, "must be a list of strings");
    return v as string[];
  }

  /** A string-to-string mapping (labels, env, headers). */
  stringMap(key: string): Record<string, string> | undefined {
    const v = this.at(key);
    if (v === undefined) return undefined;
    if (
      v === null ||
      typeof v !== "object" ||
      Array.isArray(v) ||
      Object.values(v).some((s) => typeof s !== "string")
    ) {
      fail(this.key(key), v, "must be a mapping of strings to strings");
    }
    return v as Record<string, string>;
  }

  section(key: string): Section | undefined {
    const v = this.at(key);
    return v === undefined ? undefined : Section.of(this.key(key), v, this.secret);
  }

  /** A list of mappings. */
  sections(key: string): Section[] {
    const v = this.at(key);
    if (v === undefined) return [];
    if (!Array.isArray(v)) fail(this.key(key), v, "must be a list of mappings");
    return v.map((item, i) => Section.of(`${this.key(key)}[${i}]`, item, this.secret));
  }

  /** A mapping of names to mappings (e.g. services by name). */
  named(key: string): [string, Section][] {
    const s = this.section(key);
    if (!s) return [];
    return Object.keys(s.value).map((name) => [
      name,
      Section.of(s.key(name), s.at(name), this.secret),
    ]);
  }

  /** A value passed on untouched (component args checked by the component itself). */
  raw<T>(key: string): T | undefined {
    return this.at(key) as T | undefined;
  }

  /** Fails on keys that were never read: a typo must not be silently ignored. */
  done(): void {
    const unknown = Object.keys(this.value).filter((k) => !this.used.has(k));
    if (unknown.length > 0) {
      const allowed = [...this.used].sort().join(", ") || "none";
      fail(
        this.key(unknown[0]),
        this.value[unknown[0]],
        `is not a known key here; known keys: ${allowed}`,
      );
    }
  }
}
