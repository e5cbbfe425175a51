import * as pulumi from "@pulumi/pulumi";
import { ArgChecker } from "../core/validate";
import {
  APP_MESH_NAME_MAX,
  APP_MESH_ROUTE_PRIORITY,
  APP_MESH_WEIGHTED_TARGETS,
  appMeshDuration,
  checkLatticeName,
  HttpRetryEvent,
  LAMBDA_ALIAS_NAME,
  LAMBDA_ENV_KEY,
  LAMBDA_FUNCTION_NAME,
  LAMBDA_MEMORY_MB,
  LAMBDA_TIMEOUT_S,
  LATTICE_IDLE_TIMEOUT_S,
  LATTICE_SERVICE_NAME,
  LATTICE_TARGET_GROUP_NAME,
} from "./limits";
import { MeshNetworkSettings } from "./mesh-network";
import { checkTags } from "./tags";

/**
 * The argument types of MeshedFunction that are not the component itself, and their checks.
 * Kept apart so meshed-function.ts reads as the resources it creates.
 */

/** One alias of the function and its share of the traffic (a canary is two of them). */
export interface FunctionAlias {
  /** Alias name (Lambda: 1-128 of [a-zA-Z0-9-_], not all digits; lowercase for Lattice). */
  name: string;
  /**
   * Published version the alias points at, e.g. the last stable one during a canary.
   * @default the version this deployment publishes
   */
  version?: string;
  /** Percent of requests, 0-100; weights of all aliases sum to 100. @default 100 for one alias */
  weight?: number;
}

/** Function URL of each alias. @see https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html */
export interface FunctionUrlOptions {
  /** `AWS_IAM`: SigV4-signed callers only. @default "AWS_IAM" */
  authType?: "AWS_IAM" | "NONE";
  /**
   * Principals (account ids or IAM ARNs) granted both URL permissions (`lambda:InvokeFunctionUrl`
   * and `lambda:InvokeFunction` via the URL). Ignored for `NONE` (the principal is `*`).
   * @default this account
   */
  invokers?: pulumi.Input<string>[];
}

export interface RetryPolicyArgs {
  /** Retries after the first try, >= 0. */
  maxRetries: number;
  /** Timeout of each try: "500ms", "2s". */
  perRetryTimeout: string;
  /** HTTP conditions that retry. At least one of these or `tcpRetryEvents`. */
  httpRetryEvents?: HttpRetryEvent[];
  /** TCP conditions that retry. */
  tcpRetryEvents?: "connection-error"[];
}

export interface LatticeFunctionOptions {
  /** Lattice service name, 3-40 lowercase characters. @default the function name */
  serviceName?: string;
  /** Service auth type. @default the network's auth type */
  authType?: "AWS_IAM" | "NONE";
  /** Idle timeout of connections, 60-600 s. @default Lattice's default */
  idleTimeoutSeconds?: number;
  /** Principals allowed by the service auth policy besides this account's own. @default [] */
  allowedPrincipals?: string[];
}

export interface AppMeshFunctionOptions {
  /** Port of the virtual router's listener (what callers dial). @default 80 */
  port?: number;
  /** Route priority, 0-1000 (0 is highest). @default unset */
  priority?: number;
  /** Retries of the route; every field is checked when given. @default none */
  retryPolicy?: RetryPolicyArgs;
  /** Route timeouts: "15s", "500ms". @default App Mesh's (15 s per request) */
  timeout?: { perRequest?: string; idle?: string };
}

type AppMeshDuration = { unit: "s" | "ms"; value: number };

/** What the checks hand back, defaults filled in. */
export interface NormalizedFunctionArgs {
  functionName: string;
  aliases: { name: string; version?: string; weight: number }[];
  url?: { authType: "AWS_IAM" | "NONE"; invokers?: pulumi.Input<string>[] };
  latticeServiceName: string;
  appMesh: {
    port: number;
    priority?: number;
    retryPolicy?: {
      maxRetries: number;
      perRetryTimeout: AppMeshDuration;
      httpRetryEvents?: string[];
      tcpRetryEvents?: string[];
    };
    timeout?: { perRequest?: AppMeshDuration; idle?: AppMeshDuration };
  };
}

export interface CheckedInputs {
  functionName?: string;
  code?: unknown;
  imageUri?: unknown;
  runtime?: string;
  memorySize?: number;
  timeout?: number;
  environment?: Record<string, unknown>;
  aliases?: FunctionAlias[];
  url?: boolean | FunctionUrlOptions;
  lattice?: LatticeFunctionOptions;
  appMesh?: AppMeshFunctionOptions;
  tags?: Record<string, string>;
}

function meshDuration(check: ArgChecker, argument: string, value: string | undefined) {
  const ms = check.durationMs(argument, value, 1);
  if (ms === undefined) return undefined;
  if (!Number.isInteger(ms)) check.fail(argument, value, "must be whole milliseconds (ms or s)");
  return appMeshDuration(ms);
}

/** Checks every argument MeshedFunction takes except the network and backends. */
export function checkFunctionArgs(
  check: ArgChecker,
  name: string,
  args: CheckedInputs,
  network: MeshNetworkSettings,
): NormalizedFunctionArgs {
  const functionName = args.functionName ?? name;
  check.pattern(
    "functionName",
    functionName,
    LAMBDA_FUNCTION_NAME,
    "must be 1-64 of a-z A-Z 0-9 _ -",
  );
  if (args.code === undefined && args.imageUri === undefined)
    check.fail("code", undefined, "one of `code` (a Pulumi archive) or `imageUri` is required");
  if (args.code !== undefined && args.imageUri !== undefined)
    check.fail("imageUri", args.imageUri, "cannot be given together with `code`");
  if (args.code !== undefined) check.require("runtime", args.runtime, "is required with `code`");
  check.int("memorySize", args.memorySize, LAMBDA_MEMORY_MB.min, LAMBDA_MEMORY_MB.max);
  check.int("timeout", args.timeout, LAMBDA_TIMEOUT_S.min, LAMBDA_TIMEOUT_S.max);
  for (const key of Object.keys(args.environment ?? {}))
    check.pattern(
      `environment.${key}`,
      key,
      LAMBDA_ENV_KEY,
      "keys must match [a-zA-Z][a-zA-Z0-9_]+",
    );
  checkTags(check, "tags", args.tags);

  const given = args.aliases ?? [{ name: "live" }];
  if (given.length < APP_MESH_WEIGHTED_TARGETS.min || given.length > APP_MESH_WEIGHTED_TARGETS.max)
    check.fail(
      "aliases",
      given.map((a) => a.name),
      "must list 1-10 aliases (App Mesh's limit of weighted targets, held on both backends)",
    );
  const aliases = given.map((a, i) => {
    check.pattern(
      `aliases[${i}].name`,
      a.name,
      LAMBDA_ALIAS_NAME,
      "must be 1-128 of a-z A-Z 0-9 _ -, not all digits",
    );
    check.pattern(
      `aliases[${i}].version`,
      a.version,
      /^[1-9]\d*$/,
      "must be a published version number",
    );
    const weight = a.weight ?? (given.length === 1 ? 100 : undefined);
    check.require(`aliases[${i}].weight`, weight, "is required when there is more than one alias");
    return { name: a.name, version: a.version, weight: weight! };
  });
  check.unique(
    "aliases",
    aliases.map((a) => a.name),
  );
  check.weights(
    "aliases",
    aliases.map((a) => a.weight),
  );

  const appMeshOnly = network.backend === "app-mesh";
  if (!appMeshOnly && args.appMesh !== undefined)
    check.fail("appMesh", args.appMesh, 'applies only to a network with backend "app-mesh"');
  if (appMeshOnly && args.lattice !== undefined)
    check.fail("lattice", args.lattice, 'applies only to a network with backend "vpc-lattice"');
  if (appMeshOnly && args.url === false)
    check.fail(
      "url",
      false,
      'must be on with backend "app-mesh": virtual nodes find the function by its URL host',
    );
  const urlGiven = args.url ?? appMeshOnly;
  const urlOptions = typeof urlGiven === "object" ? urlGiven : {};
  const url = urlGiven
    ? { authType: urlOptions.authType ?? "AWS_IAM", invokers: urlOptions.invokers }
    : undefined;

  const lattice = args.lattice ?? {};
  const latticeServiceName = lattice.serviceName ?? functionName;
  if (!appMeshOnly) {
    checkLatticeName(check, "lattice.serviceName", latticeServiceName, LATTICE_SERVICE_NAME);
    aliases.forEach((a, i) =>
      checkLatticeName(
        check,
        `aliases[${i}].name`,
        `${latticeServiceName}-${a.name}`,
        LATTICE_TARGET_GROUP_NAME,
      ),
    );
    check.int(
      "lattice.idleTimeoutSeconds",
      lattice.idleTimeoutSeconds,
      LATTICE_IDLE_TIMEOUT_S.min,
      LATTICE_IDLE_TIMEOUT_S.max,
    );
  }

  const mesh = args.appMesh ?? {};
  check.port("appMesh.port", mesh.port);
  check.int(
    "appMesh.priority",
    mesh.priority,
    APP_MESH_ROUTE_PRIORITY.min,
    APP_MESH_ROUTE_PRIORITY.max,
  );
  let retryPolicy: NormalizedFunctionArgs["appMesh"]["retryPolicy"];
  if (mesh.retryPolicy !== undefined) {
    const r = mesh.retryPolicy;
    check.int("appMesh.retryPolicy.maxRetries", r.maxRetries, 0, Number.MAX_SAFE_INTEGER);
    if ((r.httpRetryEvents ?? []).length === 0 && (r.tcpRetryEvents ?? []).length === 0)
      check.fail(
        "appMesh.retryPolicy",
        r,
        "needs at least one of httpRetryEvents or tcpRetryEvents",
      );
    retryPolicy = {
      maxRetries: r.maxRetries,
      perRetryTimeout: meshDuration(
        check,
        "appMesh.retryPolicy.perRetryTimeout",
        r.perRetryTimeout,
      )!,
      ...(r.httpRetryEvents?.length ? { httpRetryEvents: r.httpRetryEvents } : {}),
      ...(r.tcpRetryEvents?.length ? { tcpRetryEvents: r.tcpRetryEvents } : {}),
    };
  }
  const perRequest = meshDuration(check, "appMesh.timeout.perRequest", mesh.timeout?.perRequest);
  const idle = meshDuration(check, "appMesh.timeout.idle", mesh.timeout?.idle);
  if (appMeshOnly) {
    const serviceName = `${functionName}.${network.namespaceName}`;
    if (serviceName.length > APP_MESH_NAME_MAX)
      check.fail(
        "functionName",
        serviceName,
        `with the namespace, the virtual service name must be at most ${APP_MESH_NAME_MAX} characters`,
      );
  }
  return {
    functionName,
    aliases,
    url,
    latticeServiceName,
    appMesh: {
      port: mesh.port ?? 80,
      priority: mesh.priority,
      retryPolicy,
      timeout:
        perRequest || idle
          ? { ...(perRequest ? { perRequest } : {}), ...(idle ? { idle } : {}) }
          : undefined,
    },
  };
}
