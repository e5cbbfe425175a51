import * as pulumi from "@pulumi/pulumi";
import * as appmesh from "@pulumi/aws/appmesh";
import * as servicediscovery from "@pulumi/aws/servicediscovery";
import * as vpclattice from "@pulumi/aws/vpclattice";
import { ArgChecker } from "../core/validate";
import { childName } from "../core/names";
import {
  APP_MESH_NAME_MAX,
  checkLatticeName,
  EnvoyLogLevel,
  LATTICE_SERVICE_NETWORK_NAME,
} from "./limits";
import { arnParts, latticeAccountAuthPolicy, PolicyDocument, policyJson } from "./policies";
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
    `(the default); MeshedFunction keeps the same arguments, its weighted aliases become a ` +
    `Lattice listener's weighted target groups. ` +
    `See https://docs.aws.amazon.com/vpc-lattice/latest/ug/what-is-vpc-lattice.html`
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
  /** VPCs whose clients reach the network; one association each. @default [] */
  vpcs?: { vpcId: pulumi.Input<string>; securityGroupIds?: pulumi.Input<string>[] }[];
  /**
   * Principals (account ids or IAM ARNs) let into the network besides this account's own.
   * Ignored when `authPolicy` is given. @default []
   */
  allowedPrincipals?: string[];
  /**
   * The network's auth policy, replacing the default (this account's principals, each limited
   * by its identity policy). @see https://docs.aws.amazon.com/vpc-lattice/latest/ug/auth-policies.html
   */
  authPolicy?: PolicyDocument;
}

export interface AppMeshNetworkOptions {
  /** Mesh name, 1-255 characters. @default the component name */
  meshName?: string;
  /** `DROP_ALL` lets only mesh-known destinations out. @default "DROP_ALL" */
  egressFilter?: "DROP_ALL" | "ALLOW_ALL";
  /** IP version Envoy prefers. @default unset (App Mesh's default) */
  ipPreference?: "IPv4_ONLY" | "IPv4_PREFERRED" | "IPv6_ONLY" | "IPv6_PREFERRED";
  /** `APP_MESH_ENDPOINT` given to every function, as in the seed. @default "<meshName>.local:8080" */
  endpoint?: string;
  /** `ENVOY_LOG_LEVEL` given to every function. @default "info" */
  envoyLogLevel?: EnvoyLogLevel;
}

export interface MeshNetworkArgs {
  /**
   * The mesh backend. `app-mesh` is kept for the product card and migrations only: AWS ended its
   * support on 2026-09-30, and choosing it logs a warning. @default "vpc-lattice"
   */
  backend?: MeshBackend;
  /**
   * Cloud Map HTTP namespace every function is registered in.
   * @default the component name
   * @see https://docs.aws.amazon.com/cloud-map/latest/api/API_CreateHttpNamespace.html
   */
  namespaceName?: string;
  /** Options of the `vpc-lattice` backend (an error with the other backend). */
  lattice?: LatticeNetworkOptions;
  /** Options of the `app-mesh` backend (an error with the other backend). */
  appMesh?: AppMeshNetworkOptions;
  /** Tags on every resource; plain strings only. @default {} */
  tags?: Record<string, string>;
}

/** What a MeshedFunction reads from its network: plain values known at construction. */
export interface MeshNetworkSettings {
  backend: MeshBackend;
  namespaceName: string;
  latticeAuthType?: "AWS_IAM" | "NONE";
  meshName?: string;
  endpoint?: string;
  envoyLogLevel?: EnvoyLogLevel;
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

  constructor(name: string, args: MeshNetworkArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-serverless:aws:MeshNetwork", name, {}, opts);
    checkArgs(this, schema, args);
    const check = new ArgChecker(this);
    const backend = args.backend ?? "vpc-lattice";
    const namespaceName = args.namespaceName ?? name;
    check.pattern(
      "namespaceName",
      namespaceName,
      /^[!-~]{1,1024}$/,
      "must be 1-1024 printable characters without spaces",
    );
    checkTags(check, "tags", args.tags);
    if (backend === "app-mesh" && args.lattice !== undefined)
      check.fail("lattice", args.lattice, 'applies only to backend "vpc-lattice"');
    if (backend === "vpc-lattice" && args.appMesh !== undefined)
      check.fail("appMesh", args.appMesh, 'applies only to backend "app-mesh"');

    const lattice = args.lattice ?? {};
    const mesh = args.appMesh ?? {};
    const networkName = lattice.name ?? name;
    const meshName = mesh.meshName ?? name;
    if (backend === "vpc-lattice") {
      checkLatticeName(check, "lattice.name", networkName, LATTICE_SERVICE_NETWORK_NAME);
      if (lattice.authType === "NONE" && lattice.authPolicy !== undefined)
        check.fail("lattice.authPolicy", lattice.authPolicy, 'needs lattice.authType "AWS_IAM"');
    } else {
      check.length("appMesh.meshName", meshName, 1, APP_MESH_NAME_MAX);
      check.pattern("appMesh.endpoint", mesh.endpoint, /^[^\s:]+:\d{1,5}$/, "must be host:port");
    }

    const tags = awsTags("MeshNetwork", name, args.tags);
    this.namespace = new servicediscovery.HttpNamespace(
      childName(name, "registry"),
      { name: namespaceName, description: `mesh-serverless registry of ${name}`, tags },
      { parent: this },
    );
    this.namespaceId = this.namespace.id;
    this.namespaceArn = this.namespace.arn;

    if (backend === "vpc-lattice") {
      const authType = lattice.authType ?? "AWS_IAM";
      this.settings = { backend, namespaceName, latticeAuthType: authType };
      this.serviceNetwork = new vpclattice.ServiceNetwork(
        childName(name, "network"),
        { name: networkName, authType, tags },
        { parent: this },
      );
      this.serviceNetworkId = this.serviceNetwork.id;
      this.serviceNetworkArn = this.serviceNetwork.arn;
      (lattice.vpcs ?? []).forEach((vpc, i) => {
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
      if (authType === "AWS_IAM") {
        const policy =
          lattice.authPolicy ??
          this.serviceNetwork.arn.apply((arn) => {
            const { partition, account } = arnParts(arn);
            return latticeAccountAuthPolicy(partition, account, "*", lattice.allowedPrincipals);
          });
        this.authPolicy = new vpclattice.AuthPolicy(
          childName(name, "auth"),
          { resourceIdentifier: this.serviceNetwork.arn, policy: policyJson(policy) },
          { parent: this },
        );
      }
    } else {
      pulumi.log.warn(appMeshWarning(name), this);
      this.settings = {
        backend,
        namespaceName,
        meshName,
        endpoint: mesh.endpoint ?? `${meshName}.local:8080`,
        envoyLogLevel: mesh.envoyLogLevel ?? "info",
      };
      this.mesh = new appmesh.Mesh(
        childName(name, "mesh"),
        {
          name: meshName,
          spec: {
            egressFilter: { type: mesh.egressFilter ?? "DROP_ALL" },
            ...(mesh.ipPreference ? { serviceDiscovery: { ipPreference: mesh.ipPreference } } : {}),
          },
          tags,
        },
        { parent: this },
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
