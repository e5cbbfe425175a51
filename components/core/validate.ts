import * as pulumi from "@pulumi/pulumi";
import { invalidArgument } from "./errors";
import { declareSecret } from "./secrets";
import { DURATION_RULE, formatDuration, parseDuration } from "./durations";
import {
  DNS1123_LABEL_RULE,
  DNS1123_SUBDOMAIN_RULE,
  isDns1123Label,
  isDns1123Subdomain,
} from "./names";

/**
 * Kubernetes label keys and values (apimachinery pkg/util/validation IsQualifiedName,
 * IsValidLabelValue): a key is an optional DNS-1123 subdomain prefix and '/', then a name.
 */
const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
function isQualifiedName(key: string): boolean {
  const parts = key.split("/");
  if (parts.length > 2) return false;
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  return (prefix === undefined || isDns1123Subdomain(prefix)) && QUALIFIED_NAME.test(name);
}
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

/**
 * Argument checks for a component's constructor. Each method throws a `pulumi.ResourceError`
 * naming the argument, the value and what is allowed; undefined values pass (optional args).
 *
 * The one validate-then-default idiom: a component's constructor calls `checkArgs` (structure,
 * from the generated schema) and then `resolveXxx(check, args)`, which makes every check a schema
 * cannot (`ArgChecker`, or a `ScopedChecker` when a composite resolves its parts' args under their
 * path) and returns a `ResolvedXxx` with every default applied. Nothing after that reads `args`,
 * and no child is created before it returns.
 */
export class ArgChecker {
  constructor(private readonly resource?: pulumi.Resource) {}

  fail(argument: string, value: unknown, allowed: string): never {
    throw invalidArgument(this.resource, argument, value, allowed);
  }

  require<T>(argument: string, value: T | undefined | null, allowed: string): T {
    if (value === undefined || value === null || (value as unknown) === "") {
      this.fail(argument, value, allowed);
    }
    return value;
  }

  dnsLabel(argument: string, value: string | undefined): void {
    if (value === undefined) return;
    if (typeof value !== "string" || !isDns1123Label(value))
      this.fail(argument, value, `must be ${DNS1123_LABEL_RULE}`);
  }

  dnsSubdomain(argument: string, value: string | undefined): void {
    if (value === undefined) return;
    if (typeof value !== "string" || !isDns1123Subdomain(value))
      this.fail(argument, value, `must be ${DNS1123_SUBDOMAIN_RULE}`);
  }

  /**
   * A key of a Secret or ConfigMap as Kubernetes takes it (IsConfigMapKey): at most 253 of
   * letters, digits, '-', '_' and '.', not "." or "..", not starting with ".." (a mounted key is
   * a file name: `..` would leave the directory).
   * https://github.com/kubernetes/apimachinery/blob/master/pkg/util/validation/validation.go
   */
  secretKey(argument: string, value: string | undefined): void {
    if (value === undefined) return;
    if (
      typeof value !== "string" ||
      !/^[-._a-zA-Z0-9]{1,253}$/.test(value) ||
      /^\.\.?$|^\.\./.test(value)
    )
      this.fail(
        argument,
        value,
        "must be a Secret key: at most 253 of letters, digits, '-', '_' and '.', not starting with '..' nor '.' alone",
      );
  }

  int(argument: string, value: number | undefined, min: number, max: number): void {
    if (value === undefined) return;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      this.fail(argument, value, `must be an integer from ${min} to ${max}`);
    }
  }

  number(argument: string, value: number | undefined, min: number, max: number): void {
    if (value === undefined) return;
    if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
      this.fail(argument, value, `must be a number from ${min} to ${max}`);
    }
  }

  port(argument: string, value: number | undefined): void {
    this.int(argument, value, 1, 65535);
  }

  oneOf<T extends string>(argument: string, value: T | undefined, allowed: readonly T[]): void {
    if (value === undefined) return;
    if (!allowed.includes(value))
      this.fail(argument, value, `must be one of ${allowed.map((a) => `"${a}"`).join(", ")}`);
  }

  pattern(argument: string, value: string | undefined, re: RegExp, allowed: string): void {
    if (value === undefined) return;
    if (typeof value !== "string" || !re.test(value)) this.fail(argument, value, allowed);
  }

  length(argument: string, value: string | undefined, min: number, max: number): void {
    if (value === undefined) return;
    if (typeof value !== "string" || value.length < min || value.length > max) {
      this.fail(argument, value, `must be ${min}-${max} characters long`);
    }
  }

  /** Checks a duration and returns it normalized ("900000ms" -> "15m"), or undefined. */
  duration(
    argument: string,
    value: string | undefined,
    minMs = 0,
    maxMs = Infinity,
  ): string | undefined {
    const ms = this.durationMs(argument, value, minMs, maxMs);
    return ms === undefined ? undefined : formatDuration(ms);
  }

  /** Checks a duration and returns its milliseconds, or undefined when not given. */
  durationMs(
    argument: string,
    value: string | undefined,
    minMs = 0,
    maxMs = Infinity,
  ): number | undefined {
    if (value === undefined) return undefined;
    const ms = parseDuration(value);
    if (ms === undefined) this.fail(argument, value, `must be ${DURATION_RULE}`);
    if (ms < minMs || ms > maxMs) {
      const hi = maxMs === Infinity ? "" : ` and at most ${formatDuration(maxMs)}`;
      this.fail(argument, value, `must be at least ${formatDuration(minMs)}${hi}`);
    }
    return ms;
  }

  /** Weights of a split (`argument[i].<field>`): integers 0-100 that sum to 100. */
  weights(argument: string, weights: readonly number[], field = "weight"): void {
    weights.forEach((w, i) => this.int(`${argument}[${i}].${field}`, w, 0, 100));
    const sum = weights.reduce((a, b) => a + b, 0);
    if (weights.length > 0 && sum !== 100) {
      this.fail(argument, weights, `weights must sum to 100 (they sum to ${sum})`);
    }
  }

  /**
   * An argument a program may take from another resource (`pulumi.Input<T>`): a known value is
   * checked now; an Output or Promise is checked when it resolves, failing the deployment with the
   * same message (a secret Output's value shown as "[secret]"), and never in a preview, where it
   * may be unknown. Returns what to pass on to children: the value, or the checked Output.
   */
  input<T>(
    value: pulumi.Input<T> | undefined,
    check: (known: T) => void,
  ): pulumi.Input<T> | undefined {
    if (value === undefined) return undefined;
    if (!pulumi.Output.isInstance(value) && !(value instanceof Promise)) {
      check(value as T);
      return value;
    }
    const out = pulumi.output(value);
    return pulumi.all([out, pulumi.isSecret(out)]).apply(([known, secret]) => {
      if (secret) declareSecret(known, true);
      check(known as T);
      return known as T;
    }) as pulumi.Output<T>;
  }

  /** Kubernetes labels (or a label selector): each key and value as the API server accepts it. */
  labels(argument: string, labels: Record<string, string> | undefined): void {
    if (labels === undefined) return;
    for (const [k, v] of Object.entries(labels)) {
      if (!isQualifiedName(k))
        this.fail(
          `${argument}.${k}`,
          k,
          "label keys must be an optional DNS subdomain prefix and '/', then a name of at most 63 characters",
        );
      this.pattern(
        `${argument}.${k}`,
        v,
        LABEL_VALUE,
        "label values must be at most 63 characters of letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
      );
    }
  }

  unique(argument: string, values: readonly string[]): void {
    const seen = new Set<string>();
    for (const v of values) {
      if (seen.has(v)) this.fail(argument, v, "must be unique; it appears more than once");
      seen.add(v);
    }
  }
}

/**
 * An ArgChecker whose messages name `prefix + argument`: a composite runs its parts' checks as
 * `istio.revision`, `knative.autoscaler.stableWindow`, ... before creating any child.
 */
export class ScopedChecker extends ArgChecker {
  constructor(
    resource: pulumi.Resource | undefined,
    private readonly prefix: string,
  ) {
    super(resource);
  }

  override fail(argument: string, value: unknown, allowed: string): never {
    return super.fail(`${this.prefix}${argument}`, value, allowed);
  }
}
