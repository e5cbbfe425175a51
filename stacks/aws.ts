import * as pulumi from "@pulumi/pulumi";
import { Provider } from "@pulumi/aws/provider";
import { MeshNetwork, MeshNetworkArgs, MESH_BACKENDS } from "../components/aws/mesh-network";
import { MeshedFunction, MeshedFunctionArgs } from "../components/aws/meshed-function";
import { FunctionAlias } from "../components/aws/function-args";
import { RoutingArgs } from "../components/aws/routing";
import { describeValue } from "../components/core/errors";
import { Section, StackConfigError } from "./config";

/**
 * Config key `aws`: Lambda functions on a mesh network (VPC Lattice, or App Mesh for migrations).
 *
 * ```yaml
 * mesh-serverless:aws:
 *   providers: { eu: { region: eu-west-1 } }          # optional: other regions / accounts
 *   networks:
 *     main: { backend: vpc-lattice, namespace: dev.mesh, lattice: { vpcs: [{ vpcId: vpc-1 }] } }
 *   functions:
 *     users: { network: main, runtime: nodejs22.x, inline: "exports.handler = ..." }
 *     orders:
 *       network: main
 *       image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders:7
 *       aliases: [{ name: stable, version: "6", weight: 90 }, { name: canary, weight: 10 }]
 *       backends: [users]
 *       routing:                                        # retries, timeouts, Lattice rules
 *         rules:
 *           - priority: 10
 *             match: { headers: [{ name: user-type, type: exact, value: premium }] }
 *             forward: [{ function: premium-users }]
 * ```
 * The stack only translates config into component args; the components validate them.
 */
export function deployAws(
  config: Section,
  opts: pulumi.ComponentResourceOptions,
): Record<string, pulumi.Input<unknown>> {
  const providers = new Map<string, Provider>();
  for (const [name, p] of config.named("providers")) {
    const roleArn = p.string("assumeRoleArn");
    providers.set(
      name,
      new Provider(name, {
        region: p.requireString("region"),
        ...(roleArn ? { assumeRoles: [{ roleArn }] } : {}),
      }),
    );
    p.done();
  }

  const networks = new Map<string, MeshNetwork>();
  const networkOpts = new Map<string, pulumi.ComponentResourceOptions>();
  for (const [name, n] of config.named("networks")) {
    const provider = n.string("provider");
    if (provider !== undefined && !providers.has(provider))
      fail(n.key("provider"), provider, `must name an entry of ${config.key("providers")}`);
    // Both option blocks are passed as given; MeshNetwork rejects the one of the other backend.
    const args = {
      backend: n.oneOf("backend", MESH_BACKENDS),
      namespaceName: n.string("namespace"),
      lattice: n.raw("lattice"),
      appMesh: n.raw("appMesh"),
      tags: n.stringMap("tags"),
    } as MeshNetworkArgs;
    n.done();
    const withProvider = provider
      ? { ...opts, providers: { aws: providers.get(provider)! } }
      : opts;
    networkOpts.set(name, withProvider);
    networks.set(name, new MeshNetwork(name, args, withProvider));
  }

  const specs = new Map(config.named("functions"));
  const built = new Map<string, MeshedFunction>();
  const building = new Set<string>();
  // Backends are built before their callers, whatever order the file lists them in.
  const build = (name: string, from?: string): MeshedFunction => {
    const done = built.get(name);
    if (done) return done;
    const f = specs.get(name);
    if (!f) return fail(from!, name, `must name an entry of ${config.key("functions")}`);
    if (building.has(name)) fail(f.key("backends"), name, "backends must not form a cycle");
    building.add(name);
    const networkName = f.requireString("network");
    const network = networks.get(networkName);
    if (!network)
      fail(f.key("network"), networkName, `must name an entry of ${config.key("networks")}`);
    const backends = (f.strings("backends") ?? []).map((b) => build(b, f.key("backends")));
    // Functions that rules forward to are built first too (the network resolves them by name).
    const routing = f.raw<RoutingArgs>("routing");
    for (const rule of Array.isArray(routing?.rules) ? routing.rules : [])
      for (const t of Array.isArray(rule?.forward) ? rule.forward : [])
        if (typeof t?.function === "string" && t.function !== name && specs.has(t.function))
          build(t.function, f.key("routing"));
    const inline = f.string("inline");
    const path = f.string("path");
    if (inline !== undefined && path !== undefined)
      fail(f.key("path"), path, "give one of inline, path or image");
    const args: MeshedFunctionArgs = {
      network,
      functionName: f.string("functionName"),
      code:
        inline !== undefined
          ? new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(inline) })
          : path !== undefined
            ? new pulumi.asset.FileArchive(path)
            : undefined,
      imageUri: f.string("image"),
      runtime: f.string("runtime"),
      handler: f.string("handler"),
      memorySize: f.number("memorySize"),
      timeout: f.number("timeout"),
      environment: f.inputMap("environment"),
      vpc: f.raw("vpc"),
      policyStatements: f.raw("policyStatements"),
      aliases: f.raw<FunctionAlias[]>("aliases"),
      url: f.raw("url"),
      backends,
      attributes: f.stringMap("attributes"),
      lattice: f.raw("lattice"),
      appMesh: f.raw("appMesh"),
      routing,
      tags: f.stringMap("tags"),
    };
    f.done();
    // A function lives where its network lives: the same provider.
    const fn = new MeshedFunction(name, args, networkOpts.get(networkName));
    building.delete(name);
    built.set(name, fn);
    return fn;
  };
  for (const name of specs.keys()) build(name);
  config.done();

  const sorted = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => a.localeCompare(b));
  return {
    awsNetworks: Object.fromEntries(
      sorted(networks).map(([name, n]) => [
        name,
        {
          backend: n.settings.backend,
          cloudMapNamespace: n.settings.namespaceName,
          namespaceId: n.namespaceId,
          ...(n.serviceNetwork ? { serviceNetworkName: n.serviceNetwork.name } : {}),
          ...(n.serviceNetworkArn ? { serviceNetworkArn: n.serviceNetworkArn } : {}),
          ...(n.meshName ? { meshName: n.meshName } : {}),
        },
      ]),
    ),
    awsFunctions: Object.fromEntries(
      sorted(built).map(([name, f]) => [
        name,
        {
          functionArn: f.functionArn,
          aliasArn: f.aliasArn,
          cloudMapService: f.cloudMapService.name,
          meshAddress: f.meshAddress,
          ...(f.url ? { url: f.url } : {}),
        },
      ]),
    ),
  };
}

function fail(path: string, value: unknown, allowed: string): never {
  throw new StackConfigError(`config \`${path}\` is ${describeValue(value)}: ${allowed}`);
}
