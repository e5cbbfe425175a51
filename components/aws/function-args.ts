import * as pulumi from "@pulumi/pulumi";
import { ArgChecker } from "../core/validate";
import { AccessLogDestination, ResolvedAccessLogs } from "./access-logs";
import {
  APP_MESH_WEIGHTED_TARGETS,
  checkIds,
  EC2_ID,
  ECR_IMAGE_URI,
  envSuffix,
  LAMBDA_ALIAS_NAME,
  LAMBDA_ENV_KEY,
  LAMBDA_FUNCTION_NAME,
  LAMBDA_MEMORY_MB,
  LAMBDA_TIMEOUT_S,
} from "./limits";
import { resolveAttributes } from "./instance-attributes";
import { resolveLatticeFunction } from "./lattice-wiring";
import { resolveAppMeshFunction } from "./app-mesh-wiring";
import type { MeshNetworkSettings } from "./mesh-network";
import type { MeshBackendRef, MeshedFunctionArgs } from "./meshed-function";
import { type PolicyStatement, resolveIdentityStatements, resolvePrincipals } from "./policies";
import { AliasLookup, ResolvedRouting, ResolvedRule } from "./routing";
import { awsTags, checkTags } from "./tags";

/**
 * The argument types of MeshedFunction that are not the component itself, and how they resolve
 * (checked, defaults applied). Kept apart so meshed-function.ts reads as the resources it creates.
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
   * Principals granted both URL permissions (`lambda:InvokeFunctionUrl` and
   * `lambda:InvokeFunction` via the URL): 12-digit account IDs or ARNs of account roots, IAM
   * users and roles, or assumed-role sessions (no wildcards; `"*"` is `public`). Not with `NONE`,
   * which lets every caller in. @default this account
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
   */
  invokers?: pulumi.Input<string>[];
  /**
   * Let every AWS principal of every account invoke the URL (principal `"*"`; with `AWS_IAM`
   * each request is still signed). @default false
   */
  public?: boolean;
}

/**
 * A custom domain name of a Lattice service, served by its HTTPS listener with your ACM
 * certificate (same Region). Point the name at the service's generated domain with a CNAME.
 * @see https://docs.aws.amazon.com/vpc-lattice/latest/ug/service-custom-domain-name.html
 */
export interface CustomDomainArgs {
  /** Lowercase DNS name, 3-255 characters, e.g. "orders.example.com". */
  domainName: string;
  /** ARN of an ACM certificate that covers `domainName`; may come from another resource. */
  certificateArn: pulumi.Input<string>;
}

export interface LatticeFunctionOptions {
  /** Lattice service name, 3-40 lowercase characters. @default the function name */
  serviceName?: string;
  /** Service auth type. @default the network's auth type */
  authType?: "AWS_IAM" | "NONE";
  /**
   * Principals allowed by the service auth policy besides this account's own: account IDs or
   * IAM ARNs as for `url.invokers` (no wildcards; `"*"` is `public`). @default []
   */
  allowedPrincipals?: pulumi.Input<string>[];
  /** Let every AWS principal of every account call the service (`Principal: {AWS: "*"}`). @default false */
  public?: boolean;
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

/** An alias with its weight decided. */
export interface ResolvedAlias {
  name: string;
  /** The published version it points at; undefined: the version this deployment publishes. */
  version?: string;
  weight: number;
}

/** A function's VPC Lattice wiring, checked, with every default applied. */
export interface ResolvedLatticeFunction {
  backend: "vpc-lattice";
  serviceName: string;
  authType: "AWS_IAM" | "NONE";
  /** `["*"]` when public. */
  allowedPrincipals: pulumi.Input<string>[];
  accessLogs?: ResolvedAccessLogs;
  customDomain?: CustomDomainArgs;
  idleTimeoutSeconds?: number;
  rules: ResolvedRule[];
}

/** A function's App Mesh wiring, checked, with every default applied. */
export type ResolvedAppMeshFunction = ResolvedRouting["appMesh"] & {
  backend: "app-mesh";
  port: number;
  priority?: number;
  /** `<function>.<namespace>`: the virtual service callers dial. */
  virtualServiceName: string;
};

/** MeshedFunction's args, checked, with every default applied: all the constructor reads. */
export interface ResolvedFunction {
  functionName: string;
  /** The package's tags and the user's. */
  tags: Record<string, string>;
  package:
    | { packageType: "Zip"; code: pulumi.asset.Archive; runtime: string; handler: string }
    | { packageType: "Image"; imageUri: pulumi.Input<string> };
  memorySize: number;
  timeout: number;
  /** What the mesh sets (endpoints of backends, Envoy's log level), then the caller's. */
  variables: Record<string, pulumi.Input<string>>;
  vpc?: {
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    securityGroupIds: pulumi.Input<pulumi.Input<string>[]>;
  };
  policyStatements: PolicyStatement[];
  aliases: ResolvedAlias[];
  /** undefined: no URLs. `invokers` undefined: the function's own account. */
  url?: { authType: "AWS_IAM" | "NONE"; invokers?: pulumi.Input<string>[] };
  backends: MeshBackendRef[];
  /** Cloud Map attributes: the caller's and the known ones of the component's own. */
  attributes: Record<string, string>;
  wiring: ResolvedLatticeFunction | ResolvedAppMeshFunction;
}

/** Why App Mesh cannot reach a function URL with AWS_IAM auth, and what to use instead. */
export const APP_MESH_IAM_URL_RULE =
  'must be "NONE" with backend "app-mesh": callers reach the function URL through Envoy, and App ' +
  "Mesh cannot make Envoy sign requests with SigV4 (its client policy has TLS settings only, " +
  "API_ClientPolicy), so an AWS_IAM URL answers every mesh call with 403. Use backend " +
  '"vpc-lattice" (callers sign with their role), or set url.authType "NONE": the URL\'s ' +
  "resource policy then admits any caller, so the function must authenticate requests itself";

/** What resolveFunctionArgs reads: MeshedFunction's args but the network and the backends. */
export type FunctionArgsToResolve = Omit<MeshedFunctionArgs, "network" | "backends">;

/**
 * Checks what the schema cannot say of every argument MeshedFunction takes but the network and
 * backends (checked by the component, which hands over their refs) and applies every default.
 * `aliasesOf` finds the other functions on the network; this one (`name`) is answered here, with
 * its resolved aliases.
 */
export function resolveFunctionArgs(
  check: ArgChecker,
  name: string,
  args: FunctionArgsToResolve,
  network: MeshNetworkSettings,
  backends: MeshBackendRef[],
  aliasesOf: AliasLookup,
): ResolvedFunction {
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
  const runtime =
    args.code !== undefined
      ? check.require("runtime", args.runtime, "is required with `code`")
      : "";
  check.int("memorySize", args.memorySize, LAMBDA_MEMORY_MB.min, LAMBDA_MEMORY_MB.max);
  check.int("timeout", args.timeout, LAMBDA_TIMEOUT_S.min, LAMBDA_TIMEOUT_S.max);
  const environment: Record<string, pulumi.Input<string>> = {};
  for (const [key, value] of Object.entries(args.environment ?? {})) {
    check.pattern(
      `environment.${key}`,
      key,
      LAMBDA_ENV_KEY,
      "keys must match [a-zA-Z][a-zA-Z0-9_]+",
    );
    // A value from another resource must be a string when it resolves (Lambda takes no other).
    environment[key] = check.input(value, (known) => {
      if (typeof known !== "string") check.fail(`environment.${key}`, known, "must be a string");
    })!;
  }
  const imageUri = check.input(args.imageUri, (uri) =>
    check.pattern(
      "imageUri",
      uri,
      ECR_IMAGE_URI,
      "must be an Amazon ECR image URI, <account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag> or @sha256:<digest>",
    ),
  );
  checkTags(check, "tags", args.tags);
  const aliases = resolveAliases(check, args.aliases);
  const lookup: AliasLookup = (fn) =>
    fn === name ? { aliases: aliases.map((a) => a.name), own: true } : aliasesOf(fn);
  const appMeshOnly = network.backend === "app-mesh";
  if (!appMeshOnly && args.appMesh !== undefined)
    check.fail("appMesh", args.appMesh, 'applies only to a network with backend "app-mesh"');
  if (appMeshOnly && args.lattice !== undefined)
    check.fail("lattice", args.lattice, 'applies only to a network with backend "vpc-lattice"');
  const url = resolveUrl(check, args.url, appMeshOnly);
  const wiring = appMeshOnly
    ? resolveAppMeshFunction(check, args, functionName, network, lookup)
    : resolveLatticeFunction(check, args, functionName, aliases, network, lookup);

  const variables: Record<string, pulumi.Input<string>> = {};
  if (wiring.backend === "app-mesh") {
    // What callers dial: the virtual service on the router's listener port.
    variables.APP_MESH_ENDPOINT = `${wiring.virtualServiceName}:${wiring.port}`;
    variables.ENVOY_LOG_LEVEL = network.envoyLogLevel!;
  }
  for (const b of backends) variables[`MESH_BACKEND_${envSuffix(b.functionName)}`] = b.meshAddress;
  Object.assign(variables, environment);

  return {
    functionName,
    tags: awsTags("MeshedFunction", name, args.tags),
    package:
      args.code !== undefined
        ? { packageType: "Zip", code: args.code, runtime, handler: args.handler ?? "index.handler" }
        : { packageType: "Image", imageUri: imageUri! },
    memorySize: args.memorySize ?? 128,
    timeout: args.timeout ?? 3,
    variables,
    vpc: args.vpc && {
      subnetIds: checkIds(
        check,
        "vpc.subnetIds",
        args.vpc.subnetIds,
        EC2_ID.subnet,
        "must be a subnet ID, subnet-<hex>",
      ),
      securityGroupIds: checkIds(
        check,
        "vpc.securityGroupIds",
        args.vpc.securityGroupIds,
        EC2_ID.sg,
        "must be a security group ID, sg-<hex>",
      ),
    },
    policyStatements: resolveIdentityStatements(
      check,
      "policyStatements",
      args.policyStatements,
      "allowWildcardActions",
      args.allowWildcardActions,
    ),
    aliases,
    url,
    backends,
    attributes: resolveAttributes(check, args.attributes, functionName, aliases, url, wiring),
    wiring,
  };
}

function resolveAliases(check: ArgChecker, given = [{ name: "live" }] as FunctionAlias[]) {
  if (given.length < APP_MESH_WEIGHTED_TARGETS.min || given.length > APP_MESH_WEIGHTED_TARGETS.max)
    check.fail(
      "aliases",
      given.map((a) => a.name),
      "must list 1-10 aliases (App Mesh's limit of weighted targets, held on both backends)",
    );
  const aliases = given.map((a, i): ResolvedAlias => {
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
  return aliases;
}

function resolveUrl(
  check: ArgChecker,
  given: boolean | FunctionUrlOptions | undefined,
  appMeshOnly: boolean,
): ResolvedFunction["url"] {
  if (appMeshOnly && given === false)
    check.fail(
      "url",
      false,
      'must be on with backend "app-mesh": virtual nodes find the function by its URL host',
    );
  const on = given ?? appMeshOnly;
  if (!on) return undefined;
  const options = typeof on === "object" ? on : {};
  const authType = options.authType ?? "AWS_IAM";
  if (appMeshOnly && authType === "AWS_IAM")
    check.fail(
      "url.authType",
      options.authType === undefined ? "AWS_IAM (the default)" : authType,
      APP_MESH_IAM_URL_RULE,
    );
  if (authType === "NONE" && (options.invokers !== undefined || options.public !== undefined))
    check.fail(
      options.invokers !== undefined ? "url.invokers" : "url.public",
      options.invokers ?? options.public,
      'has no effect with url.authType "NONE", which lets every caller in',
    );
  if (options.invokers === undefined && !options.public) return { authType, invokers: undefined };
  return {
    authType,
    invokers: resolvePrincipals(
      check,
      "url.invokers",
      options.invokers,
      "url.public",
      options.public,
    ),
  };
}
