import * as pulumi from "@pulumi/pulumi";
import * as appmesh from "@pulumi/aws/appmesh";
import * as iam from "@pulumi/aws/iam";
import * as lambda from "@pulumi/aws/lambda";
import * as servicediscovery from "@pulumi/aws/servicediscovery";
import { ArgChecker } from "../core/validate";
import { childName } from "../core/names";
import { AppMeshWiring, wireAppMesh } from "./app-mesh-wiring";
import {
  AppMeshFunctionOptions,
  FunctionAlias,
  FunctionUrlOptions,
  LatticeFunctionOptions,
  resolveFunctionArgs,
  ResolvedFunction,
} from "./function-args";
import { createFunctionUrls } from "./function-urls";
import { LatticeWiring, wireLattice } from "./lattice-wiring";
import { MeshNetwork } from "./mesh-network";
import { RoutingArgs } from "./routing";
import {
  arnParts,
  BASIC_EXECUTION_POLICY,
  lambdaAssumeRolePolicy,
  latticeInvokeStatement,
  managedPolicyArn,
  policyDocument,
  policyJson,
  PolicyStatement,
  VPC_ACCESS_EXECUTION_POLICY,
} from "./policies";
import { checkArgs } from "../core/args-schema";
import schema from "../../schema/MeshedFunction.schema.json";

/** What a caller needs of a function it lists as a backend. */
export interface MeshBackendRef {
  network: MeshNetwork;
  functionName: string;
  meshAddress: pulumi.Output<string>;
  aliasArns: pulumi.Output<string>[];
  latticeServiceArn?: pulumi.Output<string>;
  virtualServiceName?: string;
  virtualService?: appmesh.VirtualService;
}

export interface MeshedFunctionArgs {
  /** The network the function joins; its backend decides the wiring. */
  network: MeshNetwork;
  /**
   * Lambda function name, 1-64 of [a-zA-Z0-9-_]: the physical name, which also names its Lattice
   * service, Cloud Map service and instance by default. Set it to keep the function when the
   * component is renamed: renaming the component without it (and without a Pulumi `aliases`
   * option naming the old component) replaces the function, its aliases and URLs.
   * @default the component name
   */
  functionName?: string;
  /** Deployment package (zip) as a Pulumi archive; exactly one of `code` and `imageUri`. */
  code?: pulumi.asset.Archive;
  /**
   * Container image URI (package type `Image`): an Amazon ECR image with a tag or digest; may
   * come from another resource (checked when known).
   */
  imageUri?: pulumi.Input<string>;
  /** Runtime, required with `code`, e.g. "nodejs22.x". @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html */
  runtime?: string;
  /** Handler, with `code`. @default "index.handler" */
  handler?: string;
  /** Memory, 128-10240 MB. @default 128 */
  memorySize?: number;
  /** Timeout, 1-900 s. @default 3 */
  timeout?: number;
  /** Environment variables; values may be Pulumi secrets (they go nowhere else). @default {} */
  environment?: Record<string, pulumi.Input<string>>;
  /**
   * Runs the function in a VPC and grants the VPC access managed policy. The lists, or their
   * items, may come from other resources (e.g. a VPC's `privateSubnetIds`). @default none
   */
  vpc?: {
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    securityGroupIds: pulumi.Input<pulumi.Input<string>[]>;
  };
  /**
   * Extra statements of the execution role (an identity policy: `Action` and `Resource`, no
   * `Principal`). An Allow of every action (`"*"`), or of every action of a service (`"s3:*"`) on
   * `Resource: "*"`, needs `allowWildcardActions`. @default none
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
   */
  policyStatements?: PolicyStatement[];
  /** Allow `policyStatements` to grant every action, or a whole service on every resource. @default false */
  allowWildcardActions?: boolean;
  /** Aliases and their weights; two make a canary. @default [{ name: "live", weight: 100 }] */
  aliases?: FunctionAlias[];
  /** A function URL per alias. @default true with backend "app-mesh" (required), else false */
  url?: boolean | FunctionUrlOptions;
  /** Functions of the same network this one calls; access is granted and wired. @default [] */
  backends?: MeshedFunction[];
  /** More Cloud Map attributes (plain strings). @default {} */
  attributes?: Record<string, string>;
  /** VPC Lattice options (network backend "vpc-lattice"). */
  lattice?: LatticeFunctionOptions;
  /** App Mesh options (network backend "app-mesh"). */
  appMesh?: AppMeshFunctionOptions;
  /**
   * Retries, timeouts and header/path/method rules, mapped to the network's backend; what the
   * backend cannot do is rejected with the reason. @default none
   */
  routing?: RoutingArgs;
  /** Tags; plain strings only. @default {} */
  tags?: Record<string, string>;
}

/** MeshedFunction's args, checked, with every default applied. */
export interface ResolvedMeshedFunction extends ResolvedFunction {
  network: MeshNetwork;
}

/** Checks the network and backends, then every other argument (function-args.ts). */
export function resolveMeshedFunction(
  check: ArgChecker,
  name: string,
  args: MeshedFunctionArgs,
): ResolvedMeshedFunction {
  const { network, backends: given = [], ...rest } = args;
  // That `network` is a MeshNetwork and each backend a MeshedFunction the schema checked
  // (x-instance-of); what it cannot say is that they share the network.
  given.forEach((b, i) => {
    if (b.backendRef.network !== network)
      check.fail(
        `backends[${i}]`,
        b.backendRef.functionName,
        "must be a MeshedFunction on the same MeshNetwork",
      );
  });
  const backends = given.map((b) => b.backendRef);
  check.unique(
    "backends",
    backends.map((b) => b.functionName),
  );
  // Rules may forward to functions built before it (and to its own other aliases).
  const resolved = resolveFunctionArgs(check, name, rest, network.settings, backends, (fn) => {
    const member = network.members.get(fn);
    return member && { aliases: member.aliases, own: false };
  });
  return { ...resolved, network };
}

/**
 * A Lambda function in the mesh: least-privilege role, a published version and weighted aliases,
 * optional function URLs, a Cloud Map service + instance, and the backend's routing.
 */
export class MeshedFunction extends pulumi.ComponentResource {
  readonly backendRef: MeshBackendRef;
  readonly role: iam.Role;
  readonly function: lambda.Function;
  readonly aliases: lambda.Alias[];
  readonly urls: lambda.FunctionUrl[] = [];
  readonly urlPermissions: lambda.Permission[] = [];
  readonly rolePolicies: iam.RolePolicy[] = [];
  readonly cloudMapService: servicediscovery.Service;
  readonly instance: servicediscovery.Instance;
  readonly lattice?: LatticeWiring;
  readonly appMesh?: AppMeshWiring;
  readonly functionArn: pulumi.Output<string>;
  readonly functionName: pulumi.Output<string>;
  readonly roleArn: pulumi.Output<string>;
  /** ARN of the first alias (the stable one of a canary). */
  readonly aliasArn: pulumi.Output<string>;
  readonly url?: pulumi.Output<string>;
  readonly meshAddress: pulumi.Output<string>;

  constructor(name: string, args: MeshedFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-serverless:aws:MeshedFunction", name, {}, opts);
    checkArgs(this, schema, args);
    const r = resolveMeshedFunction(new ArgChecker(this), name, args);
    const { network, tags, wiring } = r;
    const parent = { parent: this };
    this.role = new iam.Role(
      childName(name, "role"),
      { assumeRolePolicy: JSON.stringify(lambdaAssumeRolePolicy()), tags },
      parent,
    );
    const partition = this.role.arn.apply((arn) => arnParts(arn).partition);
    const grants: pulumi.Resource[] = [
      new iam.RolePolicyAttachment(
        childName(name, "logs"),
        {
          role: this.role.name,
          policyArn: partition.apply((p) => managedPolicyArn(p, BASIC_EXECUTION_POLICY)),
        },
        parent,
      ),
    ];
    if (r.vpc)
      grants.push(
        new iam.RolePolicyAttachment(
          childName(name, "vpc-access"),
          {
            role: this.role.name,
            policyArn: partition.apply((p) => managedPolicyArn(p, VPC_ACCESS_EXECUTION_POLICY)),
          },
          parent,
        ),
      );
    if (r.policyStatements.length) {
      const extra = new iam.RolePolicy(
        childName(name, "extra"),
        { role: this.role.name, policy: policyJson(policyDocument(r.policyStatements)) },
        parent,
      );
      this.rolePolicies.push(extra);
      grants.push(extra);
    }
    // App Mesh callers reach URLs with auth NONE (Envoy cannot sign): no identity grant applies.
    if (r.backends.length && wiring.backend === "vpc-lattice") {
      const statements = pulumi
        .all(r.backends.map((b) => b.latticeServiceArn!))
        .apply((arns) => [latticeInvokeStatement(arns)]);
      const calls = new iam.RolePolicy(
        childName(name, "backends"),
        { role: this.role.name, policy: policyJson(statements.apply(policyDocument)) },
        parent,
      );
      this.rolePolicies.push(calls);
      grants.push(calls);
    }

    const variables = r.variables;
    this.function = new lambda.Function(
      childName(name, "function"),
      {
        name: r.functionName,
        role: this.role.arn,
        publish: true,
        ...r.package,
        memorySize: r.memorySize,
        timeout: r.timeout,
        ...(Object.keys(variables).length ? { environment: { variables } } : {}),
        ...(r.vpc
          ? {
              vpcConfig: {
                subnetIds: r.vpc.subnetIds,
                securityGroupIds: r.vpc.securityGroupIds,
              },
            }
          : {}),
        tags,
      },
      { parent: this, dependsOn: grants },
    );
    this.aliases = r.aliases.map(
      (a) =>
        new lambda.Alias(
          childName(name, a.name),
          {
            name: a.name,
            functionName: this.function.name,
            functionVersion: a.version ?? this.function.version,
          },
          parent,
        ),
    );

    if (r.url) {
      const urls = createFunctionUrls({
        name,
        parent: this,
        fn: this.function,
        aliases: r.aliases.map((a, i) => ({ name: a.name, alias: this.aliases[i] })),
        ...r.url,
      });
      this.urls.push(...urls.urls);
      this.urlPermissions.push(...urls.permissions);
    }

    if (wiring.backend === "vpc-lattice") {
      this.lattice = wireLattice({
        name,
        parent: this,
        serviceNetworkId: network.serviceNetworkId!,
        lattice: wiring,
        fn: this.function,
        aliases: r.aliases.map((a, i) => ({
          alias: this.aliases[i],
          name: a.name,
          weight: a.weight,
        })),
        otherFunction: (fn, alias) => {
          const member = network.members.get(fn);
          return fn === name || !member
            ? undefined
            : {
                functionName: member.functionName,
                aliasName: member.aliasRefs[alias].name,
                aliasArn: member.aliasRefs[alias].arn,
              };
        },
        tags,
      });
      this.meshAddress = this.lattice.address;
    } else {
      this.appMesh = wireAppMesh({
        name,
        parent: this,
        meshName: network.meshName!,
        functionName: r.functionName,
        appMesh: wiring,
        aliases: r.aliases.map((a, i) => ({ name: a.name, weight: a.weight, url: this.urls[i] })),
        backends: r.backends.map((b) => b.virtualService!),
        tags,
      });
      this.meshAddress = pulumi.output(this.appMesh.address);
    }

    this.cloudMapService = new servicediscovery.Service(
      childName(name, "registration"),
      {
        name: r.functionName,
        namespaceId: network.namespaceId,
        type: "HTTP",
        // No forceDestroy: instances registered outside Pulumi block deleting the service rather
        // than being deleted with it.
        description: `mesh-serverless function ${r.functionName}`,
        tags,
      },
      parent,
    );
    this.functionArn = this.function.arn;
    this.functionName = this.function.name;
    this.roleArn = this.role.arn;
    this.aliasArn = this.aliases[0].arn;
    this.url = this.urls[0]?.functionUrl;
    this.instance = new servicediscovery.Instance(
      childName(name, "instance"),
      {
        serviceId: this.cloudMapService.id,
        instanceId: r.functionName,
        attributes: {
          ...r.attributes,
          FUNCTION_ARN: this.functionArn,
          ALIAS_ARN: this.aliasArn,
          ...(this.url ? { URL: this.url } : {}),
          MESH_ADDRESS: this.meshAddress,
        },
      },
      parent,
    );
    network.members.set(name, {
      aliases: r.aliases.map((a) => a.name),
      functionName: this.function.name,
      aliasRefs: Object.fromEntries(
        this.aliases.map((a, i) => [r.aliases[i].name, { name: a.name, arn: a.arn }]),
      ),
    });
    this.backendRef = {
      network,
      functionName: r.functionName,
      meshAddress: this.meshAddress,
      aliasArns: this.aliases.map((a) => a.arn),
      latticeServiceArn: this.lattice?.service.arn,
      virtualServiceName: wiring.backend === "app-mesh" ? wiring.virtualServiceName : undefined,
      virtualService: this.appMesh?.virtualService,
    };
    this.registerOutputs({
      functionArn: this.functionArn,
      functionName: this.functionName,
      roleArn: this.roleArn,
      aliasArn: this.aliasArn,
      url: this.url,
      meshAddress: this.meshAddress,
    });
  }
}
