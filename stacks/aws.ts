import * as pulumi from "@pulumi/pulumi";
import { Provider } from "@pulumi/aws/provider";
import { MeshNetwork } from "../components/aws/mesh-network";
import { MeshedFunction } from "../components/aws/meshed-function";
import { fail, protect } from "./config";
import { declareSecret, holdsSecret } from "../components/core/secrets";
import type { AwsConfig, AwsNetworkConfig } from "./config-types";

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
  config: AwsConfig,
  opts: pulumi.ComponentResourceOptions,
  key = "mesh-serverless:aws",
): Record<string, pulumi.Input<unknown>> {
  const providers = new Map<string, Provider>();
  for (const [name, p] of Object.entries(config.providers ?? {})) {
    // The provider turns `assumeRoles` into JSON text before a transformation sees it.
    const roleArn = holdsSecret(p.assumeRoleArn)
      ? pulumi.secret(p.assumeRoleArn!)
      : p.assumeRoleArn;
    providers.set(
      name,
      new Provider(name, {
        region: p.region,
        ...(roleArn ? { assumeRoles: [{ roleArn }] } : {}),
      }),
    );
  }

  const networks = new Map<string, MeshNetwork>();
  const networkOpts = new Map<string, pulumi.ComponentResourceOptions>();
  for (const [name, n] of Object.entries(config.networks ?? {})) {
    const { provider, namespace, renamedFrom, ...args } = n;
    if (provider !== undefined && !providers.has(provider))
      fail(`${key}.networks.${name}.provider`, provider, `must name an entry of ${key}.providers`);
    const withProvider = provider
      ? { ...opts, providers: { aws: providers.get(provider)! } }
      : opts;
    networkOpts.set(name, withProvider);
    const renamed = renamedNetwork(`${key}.networks`, name, renamedFrom, config.networks ?? {});
    networks.set(
      name,
      new MeshNetwork(
        name,
        { ...renamed.args(args), namespaceName: namespace ?? renamedFrom },
        { ...withProvider, ...renamed.opts },
      ),
    );
  }

  const specs = new Map(Object.entries(config.functions ?? {}));
  const built = new Map<string, MeshedFunction>();
  const building = new Set<string>();
  // Backends are built before their callers, whatever order the file lists them in.
  const build = (name: string, from?: string): MeshedFunction => {
    const done = built.get(name);
    if (done) return done;
    const f = specs.get(name);
    const at = `${key}.functions.${name}`;
    if (!f) return fail(from!, name, `must name an entry of ${key}.functions`);
    if (building.has(name)) fail(`${at}.backends`, name, "backends must not form a cycle");
    building.add(name);
    const {
      network: networkName,
      inline,
      path,
      image,
      backends,
      environment,
      renamedFrom,
      ...rest
    } = f;
    const renamed = renamedEntry(`${key}.functions`, name, renamedFrom, config.functions ?? {});
    const network = networks.get(networkName);
    if (!network) fail(`${at}.network`, networkName, `must name an entry of ${key}.networks`);
    if (inline !== undefined && path !== undefined)
      fail(`${at}.path`, path, "give one of inline, path or image");
    // Functions that rules forward to are built first too (the network resolves them by name).
    for (const rule of rest.routing?.rules ?? [])
      for (const t of rule.forward ?? [])
        if (t.function !== undefined && t.function !== name && specs.has(t.function))
          build(t.function, `${at}.routing`);
    const code =
      inline !== undefined
        ? new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(inline) })
        : path !== undefined
          ? new pulumi.asset.FileArchive(path)
          : undefined;
    // Inline code from a secret key is registered as a secret archive (core/secrets.ts).
    if (code && holdsSecret(inline)) declareSecret(code);
    const fn = new MeshedFunction(
      name,
      {
        ...rest,
        ...(renamedFrom !== undefined ? { functionName: rest.functionName ?? renamedFrom } : {}),
        network,
        code,
        imageUri: image,
        // A `secure:` value anywhere under `aws` makes the key secret: keep env values so.
        environment:
          environment &&
          Object.fromEntries(
            Object.entries(environment).map(([k, v]) => [k, protect(key, v as string)]),
          ),
        backends: (backends ?? []).map((b) => build(b, `${at}.backends`)),
      },
      // A function lives where its network lives: the same provider.
      { ...networkOpts.get(networkName), ...renamed },
    );
    building.delete(name);
    built.set(name, fn);
    return fn;
  };
  for (const name of specs.keys()) build(name);

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

/**
 * The options that keep a renamed entry's resources: a Pulumi alias to its old component name
 * (children follow, their names starting with it). The old name must be free.
 */
function renamedEntry(
  at: string,
  name: string,
  renamedFrom: string | undefined,
  entries: Record<string, unknown>,
): pulumi.ComponentResourceOptions {
  if (renamedFrom === undefined) return {};
  if (renamedFrom === name || renamedFrom in entries)
    fail(`${at}.${name}.renamedFrom`, renamedFrom, "must be a name no entry has now");
  return { aliases: [{ name: renamedFrom }] };
}

/** renamedEntry for a network, whose physical names default to the old name too. */
function renamedNetwork(
  at: string,
  name: string,
  renamedFrom: string | undefined,
  entries: Record<string, unknown>,
) {
  const opts = renamedEntry(at, name, renamedFrom, entries);
  const args = (a: Omit<AwsNetworkConfig, "namespace" | "provider" | "renamedFrom">) => {
    if (renamedFrom === undefined) return a;
    const given = a as { backend?: string; lattice?: { name?: string }; appMesh?: object };
    return (given.backend === "app-mesh"
      ? { ...a, appMesh: { meshName: renamedFrom, ...given.appMesh } }
      : { ...a, lattice: { name: renamedFrom, ...given.lattice } }) as unknown as typeof a;
  };
  return { opts, args };
}
