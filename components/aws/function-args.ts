import * as pulumi from "@pulumi/pulumi";
import { ArgChecker } from "../core/validate";
import { isDns1123Label } from "../core/names";
import { AccessLogDestination, checkAccessLogs } from "./access-logs";
import {
  ACM_CERTIFICATE_ARN,
  APP_MESH_NAME_MAX,
  APP_MESH_ROUTE_PRIORITY,
  APP_MESH_WEIGHTED_TARGETS,
  checkLatticeName,
  LAMBDA_ALIAS_NAME,
  LAMBDA_ENV_KEY,
  LAMBDA_FUNCTION_NAME,
  LAMBDA_MEMORY_MB,
  LAMBDA_TIMEOUT_S,
  LATTICE_CUSTOM_DOMAIN,
  LATTICE_LISTENER_NAME,
  LATTICE_SERVICE_NAME,
  latticeListenerName,
  LATTICE_TARGET_GROUP_NAME,
} from "./limits";
import { MeshNetworkSettings } from "./mesh-network";
import { AliasLookup, checkRouting, NormalizedRouting, RoutingArgs } from "./routing";
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

/**
 * A custom domain name of a Lattice service, served by its HTTPS listener with your ACM
 * certificate (same Region). Point the name at the service's generated domain with a CNAME.
 * @see https://docs.aws.amazon.com/vpc-lattice/latest/ug/service-custom-domain-name.html
 */
export interface CustomDomainArgs {
  /** Lowercase DNS name, 3-255 characters, e.g. "orders.example.com". */
  domainName: string;
  /** ARN of an ACM certificate that covers `domainName`. */
  certificateArn: string;
}

export interface LatticeFunctionOptions {
  /** Lattice service name, 3-40 lowercase characters. @default the function name */
  serviceName?: string;
  /** Service auth type. @default the network's auth type */
  authType?: "AWS_IAM" | "NONE";
  /** Principals allowed by the service auth policy besides this account's own. @default [] */
  allowedPrincipals?: string[];
  /** Access logs of the service (see the network's `accessLogs`). @default none */
  accessLogs?: AccessLogDestination;
  /** A custom domain name with its certificate; callers get `https://<domainName>`. @default none */
  customDomain?: CustomDomainArgs;
}

export interface AppMeshFunctionOptions {
  /** Port of the virtual router's listener (what callers dial). @default 80 */
  port?: number;
  /** Route priority, 0-1000 (0 is highest). @default unset */
  priority?: number;
}

/** What the checks hand back, defaults filled in. */
export interface NormalizedFunctionArgs {
  functionName: string;
  aliases: { name: string; version?: string; weight: number }[];
  url?: { authType: "AWS_IAM" | "NONE"; invokers?: pulumi.Input<string>[] };
  latticeServiceName: string;
  appMesh: { port: number; priority?: number } & NormalizedRouting["appMesh"];
  routing: NormalizedRouting;
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
  routing?: RoutingArgs;
  tags?: Record<string, string>;
}

/** Why App Mesh cannot reach a function URL with AWS_IAM auth, and what to use instead. */
export const APP_MESH_IAM_URL_RULE =
  'must be "NONE" with backend "app-mesh": callers reach the function URL through Envoy, and App ' +
  "Mesh cannot make Envoy sign requests with SigV4 (its client policy has TLS settings only, " +
  "API_ClientPolicy), so an AWS_IAM URL answers every mesh call with 403. Use backend " +
  '"vpc-lattice" (callers sign with their role), or set url.authType "NONE": the URL\'s ' +
  "resource policy then admits any caller, so the function must authenticate requests itself";

/** Checks every argument MeshedFunction takes except the network and backends. */
export function checkFunctionArgs(
  check: ArgChecker,
  name: string,
  args: CheckedInputs,
  network: MeshNetworkSettings,
  aliasesOf: AliasLookup,
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
  if (appMeshOnly && url?.authType === "AWS_IAM")
    check.fail(
      "url.authType",
      urlOptions.authType === undefined ? "AWS_IAM (the default)" : url.authType,
      APP_MESH_IAM_URL_RULE,
    );

  // Options that moved to `routing` are rejected by the schema with where they went
  // (aws/key-hints.ts).
  const lattice = args.lattice ?? {};
  const latticeServiceName = lattice.serviceName ?? functionName;
  if (!appMeshOnly) {
    checkLatticeName(check, "lattice.serviceName", latticeServiceName, LATTICE_SERVICE_NAME);
    // Its listener is named after it, and listener names may not start with "listener-".
    checkLatticeName(
      check,
      "lattice.serviceName",
      latticeListenerName(latticeServiceName),
      LATTICE_LISTENER_NAME,
    );
    aliases.forEach((a, i) =>
      checkLatticeName(
        check,
        `aliases[${i}].name`,
        `${latticeServiceName}-${a.name}`,
        LATTICE_TARGET_GROUP_NAME,
      ),
    );
    checkAccessLogs(check, "lattice.accessLogs", lattice.accessLogs);
    const domain = lattice.customDomain;
    if (domain !== undefined) {
      const name = check.require(
        "lattice.customDomain.domainName",
        domain.domainName,
        "is required",
      );
      if (
        typeof name !== "string" ||
        name.length < LATTICE_CUSTOM_DOMAIN.min ||
        name.length > LATTICE_CUSTOM_DOMAIN.max ||
        !name.split(".").every(isDns1123Label) ||
        !name.includes(".")
      )
        check.fail(
          "lattice.customDomain.domainName",
          name,
          `must be a lowercase DNS name of ${LATTICE_CUSTOM_DOMAIN.min}-${LATTICE_CUSTOM_DOMAIN.max} characters with at least two labels`,
        );
      check.pattern(
        "lattice.customDomain.certificateArn",
        check.require(
          "lattice.customDomain.certificateArn",
          domain.certificateArn,
          "is required: the HTTPS listener serves the custom domain with your ACM certificate",
        ),
        ACM_CERTIFICATE_ARN,
        "must be an ACM certificate ARN, arn:aws:acm:<region>:<account>:certificate/<uuid>",
      );
    }
  }

  const mesh = args.appMesh ?? {};
  check.port("appMesh.port", mesh.port);
  check.int(
    "appMesh.priority",
    mesh.priority,
    APP_MESH_ROUTE_PRIORITY.min,
    APP_MESH_ROUTE_PRIORITY.max,
  );
  const routing = checkRouting(check, args.routing, network.backend, latticeServiceName, aliasesOf);
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
    appMesh: { port: mesh.port ?? 80, priority: mesh.priority, ...routing.appMesh },
    routing,
  };
}
