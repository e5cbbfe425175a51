import * as pulumi from "@pulumi/pulumi";
import * as appmesh from "@pulumi/aws/appmesh";
import * as lambda from "@pulumi/aws/lambda";
import type * as inputs from "@pulumi/aws/types/input";
import { childName } from "../core/names";
import { ArgChecker } from "../core/validate";
import type { FunctionArgsToResolve, ResolvedAppMeshFunction } from "./function-args";
import { APP_MESH_NAME_MAX, APP_MESH_ROUTE_PRIORITY } from "./limits";
import type { MeshNetworkSettings } from "./mesh-network";
import { AliasLookup, resolveRouting } from "./routing";

/**
 * The App Mesh side of a MeshedFunction: one virtual node per alias whose DNS service discovery
 * points at that alias's function URL host, a virtual router whose route splits requests over the
 * nodes by weight (with retries and timeouts), and the virtual service callers dial. A caller's
 * node lists the virtual services it calls as backends, each with the client policy that makes
 * the caller's Envoy originate TLS to the function URL (App Mesh applies TLS origination on the
 * client side: https://docs.aws.amazon.com/app-mesh/latest/userguide/virtual_nodes.html,
 * API_Backend / API_VirtualServiceBackend / API_ClientPolicyTls).
 *
 * Every object is retained on delete: AWS ended App Mesh on 2026-09-30, and a stack that moves to
 * VPC Lattice must be able to drop them without calling the retired API.
 */

/** Function URLs answer HTTPS on 443; the caller's Envoy originates TLS to them. */
const FUNCTION_URL_PORT = 443;
/** CA bundle of the Amazon Linux based Envoy image App Mesh ships. */
const ENVOY_CA_BUNDLE = "/etc/ssl/certs/ca-bundle.crt";

/**
 * The client policy that makes a caller's Envoy originate TLS to function URLs: enforced, on the
 * port the target nodes listen on (443), verified against the public CAs of the image.
 * https://docs.aws.amazon.com/app-mesh/latest/APIReference/API_ClientPolicyTls.html
 */
export function urlOriginationTls(): {
  clientPolicy: inputs.appmesh.VirtualNodeSpecBackendVirtualServiceClientPolicy;
} {
  return {
    clientPolicy: {
      tls: {
        enforce: true,
        ports: [FUNCTION_URL_PORT],
        validation: { trust: { file: { certificateChain: ENVOY_CA_BUNDLE } } },
      },
    },
  };
}

/** `https://abc.lambda-url.eu-west-1.on.aws/` -> `abc.lambda-url.eu-west-1.on.aws`. */
export function urlHost(url: string): string {
  return url.replace(/^https?:\/\//, "").replace(/[/:].*$/, "");
}

/** `http://<virtual service>:<port>`: what callers in an App Mesh dial. */
export function appMeshAddress(m: ResolvedAppMeshFunction): string {
  return `http://${m.virtualServiceName}:${m.port}`;
}

export interface AppMeshWiringInputs {
  name: string;
  parent: pulumi.Resource;
  /** The mesh's name as an Output, so every object depends on the mesh. */
  meshName: pulumi.Input<string>;
  functionName: string;
  appMesh: ResolvedAppMeshFunction;
  aliases: { name: string; weight: number; url: lambda.FunctionUrl }[];
  /** Virtual services of the functions this one calls (the nodes depend on them). */
  backends: appmesh.VirtualService[];
  tags: Record<string, string>;
}

export interface AppMeshWiring {
  virtualNodes: appmesh.VirtualNode[];
  virtualRouter: appmesh.VirtualRouter;
  route: appmesh.Route;
  virtualService: appmesh.VirtualService;
  /** `http://<virtual service>:<port>`: what callers in the mesh dial. */
  address: string;
}

export function wireAppMesh(i: AppMeshWiringInputs): AppMeshWiring {
  const opts = { parent: i.parent, retainOnDelete: true };
  const functionName = i.functionName;
  const backends = i.backends.map((vs) => ({
    virtualService: { virtualServiceName: vs.name, ...urlOriginationTls() },
  }));
  const virtualNodes = i.aliases.map(
    (a) =>
      new appmesh.VirtualNode(
        childName(i.name, `${a.name}-node`),
        {
          meshName: i.meshName,
          name: `${functionName}-${a.name}`,
          spec: {
            listeners: [{ portMapping: { port: FUNCTION_URL_PORT, protocol: "http" } }],
            serviceDiscovery: { dns: { hostname: a.url.functionUrl.apply(urlHost) } },
            ...(backends.length ? { backends } : {}),
          },
          tags: i.tags,
        },
        opts,
      ),
  );
  const virtualRouter = new appmesh.VirtualRouter(
    childName(i.name, "router"),
    {
      meshName: i.meshName,
      name: functionName,
      spec: { listeners: [{ portMapping: { port: i.appMesh.port, protocol: "http" } }] },
      tags: i.tags,
    },
    opts,
  );
  const route = new appmesh.Route(
    childName(i.name, "route"),
    {
      meshName: i.meshName,
      virtualRouterName: virtualRouter.name,
      name: functionName,
      spec: {
        ...(i.appMesh.priority !== undefined ? { priority: i.appMesh.priority } : {}),
        httpRoute: {
          match: { prefix: "/", port: i.appMesh.port },
          action: {
            weightedTargets: virtualNodes.map((node, n) => ({
              virtualNode: node.name,
              weight: i.aliases[n].weight,
              port: FUNCTION_URL_PORT,
            })),
          },
          ...(i.appMesh.retryPolicy ? { retryPolicy: i.appMesh.retryPolicy } : {}),
          ...(i.appMesh.timeout ? { timeout: i.appMesh.timeout } : {}),
        },
      },
      tags: i.tags,
    },
    opts,
  );
  const virtualService = new appmesh.VirtualService(
    childName(i.name, "virtual-service"),
    {
      meshName: i.meshName,
      name: i.appMesh.virtualServiceName,
      spec: { provider: { virtualRouter: { virtualRouterName: virtualRouter.name } } },
      tags: i.tags,
    },
    { ...opts, dependsOn: [route] },
  );
  return {
    virtualNodes,
    virtualRouter,
    route,
    virtualService,
    address: appMeshAddress(i.appMesh),
  };
}

/** Checks a function's App Mesh options and routing, and applies their defaults. */
export function resolveAppMeshFunction(
  check: ArgChecker,
  args: FunctionArgsToResolve,
  functionName: string,
  network: MeshNetworkSettings,
  aliasesOf: AliasLookup,
): ResolvedAppMeshFunction {
  const mesh = args.appMesh ?? {};
  check.port("appMesh.port", mesh.port);
  check.int(
    "appMesh.priority",
    mesh.priority,
    APP_MESH_ROUTE_PRIORITY.min,
    APP_MESH_ROUTE_PRIORITY.max,
  );
  const routing = resolveRouting(check, args.routing, "app-mesh", functionName, aliasesOf);
  const virtualServiceName = `${functionName}.${network.namespaceName}`;
  if (virtualServiceName.length > APP_MESH_NAME_MAX)
    check.fail(
      "functionName",
      virtualServiceName,
      `with the namespace, the virtual service name must be at most ${APP_MESH_NAME_MAX} characters`,
    );
  return {
    backend: "app-mesh",
    port: mesh.port ?? 80,
    priority: mesh.priority,
    ...routing.appMesh,
    virtualServiceName,
  };
}
