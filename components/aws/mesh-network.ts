import * as pulumi from "@pulumi/pulumi";
import * as appmesh from "@pulumi/aws/appmesh";
import * as servicediscovery from "@pulumi/aws/servicediscovery";
import * as vpclattice from "@pulumi/aws/vpclattice";
import { ArgChecker } from "../core/validate";
import { childName } from "../core/names";
import {
  APP_MESH_NAME_MAX,
  checkIds,
  checkLatticeName,
  EC2_ID,
  EnvoyLogLevel,
  LATTICE_SERVICE_NETWORK_NAME,
} from "./limits";
import {
  AccessLogDestination,
  AccessLogs,
  createAccessLogs,
  resolveAccessLogs,
  ResolvedAccessLogs,
} from "./access-logs";
import {
  checkResourcePolicy,
  latticeAccountAuthPolicy,
  latticeServicesResource,
  PolicyDocument,
  policyJson,
  resolvePrincipals,
} from "./policies";
import { awsTags, checkTags } from "./tags";
import { checkArgs } from "../core/args-schema";
import schema from "../../schema/MeshNetwork.schema.json";

/** The mesh data planes a function can be wired into. */
export const MESH_BACKENDS = ["vpc-lattice", "app-mesh"] as const;
export type MeshBackend = (typeof MESH_BACKENDS)[number];

/** The day AWS ended support for App Mesh. https://docs.aws.amazon.com/app-mesh/latest/userguide/what-is-app-mesh.html */
export const APP_MESH_END_OF_SUPPORT = "2026-09-30";

/** The warning logged when a network is built on App Mesh. */
export function appMeshWarning(network: string): string {
  return (
    `MeshNetwork ${network}: backend "app-mesh" uses AWS App Mesh, whose support AWS ended on ` +
    `${APP_MESH_END_OF_SUPPORT}. Migrate to Amazon VPC Lattice: set \`backend: "vpc-lattice"\` ` +
    `(the default) and drop the network's \`appMesh\` options. Functions, aliases, roles and ` +
    `Cloud Map registrations stay in place; weighted aliases become a Lattice listener's ` +
    `weighted target groups, backends Lattice invoke grants; App Mesh resources are retained on ` +
    `delete, so the next \`pulumi up\` drops them from the state without calling App Mesh. ` +
    `See the README section "Moving off App Mesh" and ` +
    `https://docs.aws.amazon.com/vpc-lattice/latest/ug/what-is-vpc-lattice.html`
  );
}

export interface LatticeNetworkOptions {
  /**
   * Service network name, 3-63 lowercase letters, digits and '-'.
   * @default the component name
   * @see https://docs.aws.amazon.com/vpc-lattice/latest/APIReference/API_CreateServiceNetwork.html
   */
  name?: string;
  /**
   * `AWS_IAM`: every request is SigV4-signed and checked against the auth policy and the
   * caller's identity policy. @default "AWS_IAM"
   */
  authType?: "AWS_IAM" | "NONE";
  /**
   * VPCs whose clients reach the network; one association each. IDs may come from other
   * resources (checked when known). @default []
   */
  vpcs?: { vpcId: pulumi.Input<string>; securityGroupIds?: pulumi.Input<pulumi.Input<string>[]> }[];
  /**
   * Principals let into the network besides this account's own: 12-digit account IDs or ARNs of
   * account roots, IAM users and roles, or assumed-role sessions (no wildcards; `"*"` is
   * `public`). Not with `authPolicy`. @default []
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
   */
  allowedPrincipals?: pulumi.Input<string>[];
  /**
   * Let every AWS principal of every account into the network (`Principal: {AWS: "*"}`), or
   * allow `"*"` in `authPolicy`. Each caller still needs an identity policy that allows it.
   * @default false
   */
  public?: boolean;
  /**
   * The network's auth policy, replacing the default (this account's principals, each limited
   * by its identity policy). Its principals are checked as `allowedPrincipals` are.
   * @see https://docs.aws.amazon.com/vpc-lattice/latest/ug/auth-policies.html
   */
  authPolicy?: PolicyDocument;
  /**
   * Access logs of every request through the network: CloudWatch Logs (a log group with
   * retention is created), S3 or Firehose. @default none
   * @see https://docs.aws.amazon.com/vpc-lattice/latest/ug/monitoring-access-logs.html
   */
  accessLogs?: AccessLogDestination;
}

export interface AppMeshNetworkOptions {
  /** Mesh name, 1-255 characters. @default the component name */
  meshName?: string;
  /** `DROP_ALL` lets only mesh-known destinations out. @default "DROP_ALL" */
  egressFilter?: "DROP_ALL" | "ALLOW_ALL";
  /** IP version Envoy prefers. @default unset (App Mesh's default) */
  ipPreference?: "IPv4_ONLY" | "IPv4_PREFERRED" | "IPv6_ONLY" | "IPv6_PREFERRED";
  /** `ENVOY_LOG_LEVEL` given to every function. @default "info" */
  envoyLogLevel?: EnvoyLogLevel;
}

interface CommonNetworkArgs {
  /**
   * Cloud Map HTTP namespace every function is registered in.
   * @default the component name
   * @see https://docs.aws.amazon.com/cloud-map/latest/api/API_CreateHttpNamespace.html
   */
  namespaceName?: string;
  /** Tags on every resource; plain strings only. @default {} */
  tags?: Record<string, string>;
  /**
   * Keep the Cloud Map namespace (and the registrations in it, some made outside Pulumi) when the
   * network is deleted or replaced: Pulumi then only drops it from the state. To delete it on
   * purpose, set `false`, run `pulumi up`, then remove the network.
   * @default true
   * @see https://www.pulumi.com/docs/iac/concepts/resources/options/retainondelete/
   */
  retainNamespaceOnDelete?: boolean;
}

/** A network on VPC Lattice (the default). */
export interface LatticeMeshNetworkArgs extends CommonNetworkArgs {
  /** Selects VPC Lattice. @default "vpc-lattice" */
  backend?: "vpc-lattice";
  /** Options of the Lattice service network. @default {} */
  lattice?: LatticeNetworkOptions;
}

/**
 * A network on App Mesh, kept for the product card and migrations only: AWS ended its support on
 * 2026-09-30, and choosing it logs a warning with the way to VPC Lattice.
 */
export interface AppMeshMeshNetworkArgs extends CommonNetworkArgs {
  /** Selects App Mesh. */
  backend: "app-mesh";
  /** Options of the mesh. @default {} */
  appMesh?: AppMeshNetworkOptions;
}

/** The network's backend and its options: options of the other backend cannot be written. */
export type MeshNetworkArgs = LatticeMeshNetworkArgs | AppMeshMeshNetworkArgs;

/** What a MeshedFunction reads from its network: plain values known at construction. */
export interface MeshNetworkSettings {
  backend: MeshBackend;
  namespaceName: string;
  latticeAuthType?: "AWS_IAM" | "NONE";
  meshName?: string;
  envoyLogLevel?: EnvoyLogLevel;
}

/** What a network knows of each function on it (by component name), for routing rules. */
export interface NetworkMember {
  aliases: string[];
  functionName: pulumi.Output<string>;
  /** Name and ARN of each alias (as Outputs of the alias), by alias name. */
  aliasRefs: Record<string, { name: pulumi.Output<string>; arn: pulumi.Output<string> }>;
}

interface ResolvedNetworkCommon {
  namespaceName: string;
  retainNamespaceOnDelete: boolean;
  /** The package's tags and the user's. */
  tags: Record<string, string>;
}

/** A VPC Lattice network's args, checked, with every default applied. */
export interface ResolvedLatticeNetwork extends ResolvedNetworkCommon {
  backend: "vpc-lattice";
  networkName: string;
  authType: "AWS_IAM" | "NONE";
  vpcs: { vpcId: pulumi.Input<string>; securityGroupIds?: pulumi.Input<pulumi.Input<string>[]> }[];
  /**
   * The caller's auth policy, else this account's principals plus `allowedPrincipals` (`["*"]`
   * when public).
   */
  authPolicy: { document: PolicyDocument } | { allowedPrincipals: pulumi.Input<string>[] };
  accessLogs?: ResolvedAccessLogs;
}

/** An App Mesh network's args, checked, with every default applied. */
export interface ResolvedAppMeshNetwork extends ResolvedNetworkCommon {
  backend: "app-mesh";
  meshName: string;
  egressFilter: "DROP_ALL" | "ALLOW_ALL";
  ipPreference?: AppMeshNetworkOptions["ipPreference"];
  envoyLogLevel: EnvoyLogLevel;
}

export type ResolvedMeshNetwork = ResolvedLatticeNetwork | ResolvedAppMeshNetwork;

/** The flag that lets every principal into a network. */
const PUBLIC_NETWORK = "lattice.public";

/** Checks what the schema cannot say of a network's args and applies every default. */
export function resolveMeshNetwork(
  check: ArgChecker,
  name: string,
  args: MeshNetworkArgs,
): ResolvedMeshNetwork {
  // Config reaches here untyped; options of the other backend are rejected by the schema
  // (aws/key-hints.ts).
  const given = args as CommonNetworkArgs & {
    backend?: MeshBackend;
    lattice?: LatticeNetworkOptions;
    appMesh?: AppMeshNetworkOptions;
  };
  const namespaceName = args.namespaceName ?? name;
  check.pattern(
    "namespaceName",
    namespaceName,
    /^[!-~]{1,1024}$/,
    "must be 1-1024 printable characters without spaces",
  );
  checkTags(check, "tags", args.tags);
  const common = {
    namespaceName,
    retainNamespaceOnDelete: args.retainNamespaceOnDelete ?? true,
    tags: awsTags("MeshNetwork", name, args.tags),
  };
  if ((given.backend ?? "vpc-lattice") === "vpc-lattice") {
    const lattice = given.lattice ?? {};
    const networkName = lattice.name ?? name;
    checkLatticeName(check, "lattice.name", networkName, LATTICE_SERVICE_NETWORK_NAME);
    if (lattice.authType === "NONE" && lattice.authPolicy !== undefined)
      check.fail("lattice.authPolicy", lattice.authPolicy, 'needs lattice.authType "AWS_IAM"');
    if (lattice.authPolicy !== undefined && lattice.allowedPrincipals !== undefined)
      check.fail(
        "lattice.allowedPrincipals",
        lattice.allowedPrincipals,
        "cannot be given with `lattice.authPolicy`, which replaces the policy they would go in",
      );
    if (lattice.authPolicy !== undefined)
      checkResourcePolicy(
        check,
        "lattice.authPolicy",
        lattice.authPolicy,
        PUBLIC_NETWORK,
        lattice.public,
      );
    return {
      ...common,
      backend: "vpc-lattice",
      networkName,
      authType: lattice.authType ?? "AWS_IAM",
      vpcs: (lattice.vpcs ?? []).map((vpc, i) => ({
        vpcId: check.input(vpc.vpcId, (id) =>
          check.pattern(`lattice.vpcs[${i}].vpcId`, id, EC2_ID.vpc, "must be a VPC ID, vpc-<hex>"),
        )!,
        ...(vpc.securityGroupIds !== undefined
          ? {
              securityGroupIds: checkIds(
                check,
                `lattice.vpcs[${i}].securityGroupIds`,
                vpc.securityGroupIds,
                EC2_ID.sg,
                "must be a security group ID, sg-<hex>",
              ),
            }
          : {}),
      })),
      authPolicy: lattice.authPolicy
        ? { document: lattice.authPolicy }
        : {
            allowedPrincipals: resolvePrincipals(
              check,
              "lattice.allowedPrincipals",
              lattice.allowedPrincipals,
              PUBLIC_NETWORK,
              lattice.public,
            ),
          },
      accessLogs: resolveAccessLogs(check, "lattice.accessLogs", lattice.accessLogs, networkName),
    };
  }
  const mesh = given.appMesh ?? {};
  const meshName = mesh.meshName ?? name;
  check.length("appMesh.meshName", meshName, 1, APP_MESH_NAME_MAX);
  return {
    ...common,
    backend: "app-mesh",
    meshName,
    egressFilter: mesh.egressFilter ?? "DROP_ALL",
    ipPreference: mesh.ipPreference,
    envoyLogLevel: mesh.envoyLogLevel ?? "info",
  };
}

/**
 * The mesh network: a Cloud Map HTTP namespace every function is listed in, plus either a VPC
 * Lattice service network (VPC associations, auth policy) or an App Mesh mesh.
 */
export class MeshNetwork extends pulumi.ComponentResource {
  readonly settings: MeshNetworkSettings;
  readonly namespace: servicediscovery.HttpNamespace;
  readonly namespaceId: pulumi.Output<string>;
  readonly namespaceArn: pulumi.Output<string>;
  readonly serviceNetwork?: vpclattice.ServiceNetwork;
  readonly serviceNetworkId?: pulumi.Output<string>;
  readonly serviceNetworkArn?: pulumi.Output<string>;
  readonly vpcAssociations: vpclattice.ServiceNetworkVpcAssociation[] = [];
  readonly authPolicy?: vpclattice.AuthPolicy;
  readonly mesh?: appmesh.Mesh;
  readonly meshName?: pulumi.Output<string>;
  readonly accessLogs?: AccessLogs;
  /** The functions on this network, by component name (MeshedFunction registers itself). */
  readonly members = new Map<string, NetworkMember>();

  constructor(name: string, args: MeshNetworkArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-serverless:aws:MeshNetwork", name, {}, opts);
    checkArgs(this, schema, args);
    const r = resolveMeshNetwork(new ArgChecker(this), name, args);
    const { tags } = r;
    this.namespace = new servicediscovery.HttpNamespace(
      childName(name, "registry"),
      { name: r.namespaceName, description: `mesh-serverless registry of ${name}`, tags },
      // Registrations are data (some made outside Pulumi): a rename or removal keeps them.
      { parent: this, ...(r.retainNamespaceOnDelete ? { retainOnDelete: true } : {}) },
    );
    this.namespaceId = this.namespace.id;
    this.namespaceArn = this.namespace.arn;

    if (r.backend === "vpc-lattice") {
      this.settings = {
        backend: r.backend,
        namespaceName: r.namespaceName,
        latticeAuthType: r.authType,
      };
      this.serviceNetwork = new vpclattice.ServiceNetwork(
        childName(name, "network"),
        { name: r.networkName, authType: r.authType, tags },
        { parent: this },
      );
      if (r.accessLogs)
        this.accessLogs = createAccessLogs(name, this, r.accessLogs, this.serviceNetwork.arn, tags);
      this.serviceNetworkId = this.serviceNetwork.id;
      this.serviceNetworkArn = this.serviceNetwork.arn;
      r.vpcs.forEach((vpc, i) => {
        this.vpcAssociations.push(
          new vpclattice.ServiceNetworkVpcAssociation(
            childName(name, `vpc-${i}`),
            {
              serviceNetworkIdentifier: this.serviceNetwork!.id,
              vpcIdentifier: vpc.vpcId,
              securityGroupIds: vpc.securityGroupIds,
              tags,
            },
            { parent: this },
          ),
        );
      });
      if (r.authType === "AWS_IAM") {
        const auth = r.authPolicy;
        const policy =
          "document" in auth
            ? auth.document
            : this.serviceNetwork.arn.apply((arn) =>
                latticeAccountAuthPolicy(arn, latticeServicesResource(arn), auth.allowedPrincipals),
              );
        this.authPolicy = new vpclattice.AuthPolicy(
          childName(name, "auth"),
          { resourceIdentifier: this.serviceNetwork.arn, policy: policyJson(policy) },
          { parent: this },
        );
      }
    } else {
      pulumi.log.warn(appMeshWarning(name), this);
      this.settings = {
        backend: r.backend,
        namespaceName: r.namespaceName,
        meshName: r.meshName,
        envoyLogLevel: r.envoyLogLevel,
      };
      this.mesh = new appmesh.Mesh(
        childName(name, "mesh"),
        {
          name: r.meshName,
          spec: {
            egressFilter: { type: r.egressFilter },
            ...(r.ipPreference ? { serviceDiscovery: { ipPreference: r.ipPreference } } : {}),
          },
          tags,
        },
        // AWS retired the App Mesh API: removing the mesh must not call it (see appMeshWarning).
        { parent: this, retainOnDelete: true },
      );
      this.meshName = this.mesh.name;
    }

    this.registerOutputs({
      namespaceId: this.namespaceId,
      namespaceArn: this.namespaceArn,
      serviceNetworkId: this.serviceNetworkId,
      serviceNetworkArn: this.serviceNetworkArn,
      meshName: this.meshName,
    });
  }
}
