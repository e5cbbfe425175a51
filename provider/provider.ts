/**
 * The component provider: serves every public component to the other Pulumi languages (Python,
 * Go, .NET, Java, YAML) through the Node SDK's provider API
 * (pulumi/pulumi sdk/nodejs/provider/provider.ts `Provider`, served by server.ts `main`).
 *
 * Pulumi's own component host (`componentProviderHost`) would derive the schema with its analyzer,
 * which rejects our argument types (literal unions, `string | NamespaceRef`, component classes as
 * args); this provider serves the schema `npm run schema` generates (schema/pulumi-package.json)
 * instead, and constructs the very same classes a TypeScript program does: it adds no logic of
 * its own beyond turning the request's inputs into args (provider/args.ts).
 *
 * The list of components is the package schema's `resources`: a component added to
 * cli/schema.ts's COMPONENTS appears here after `npm run schema`, with no edit in this folder.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import type * as provider from "@pulumi/pulumi/provider";
import * as components from "../components";
import { toArgs } from "./args";

type Json = Record<string, unknown>;
type ComponentClass = new (
  name: string,
  args: never,
  opts?: pulumi.ComponentResourceOptions,
) => pulumi.ComponentResource;

/** The package root: the nearest folder above this file with a package.json (source or dist). */
function packageRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, "package.json"))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`mesh-serverless provider: no package.json above ${__dirname}`);
    dir = up;
  }
  return dir;
}

interface Served {
  cls: ComponentClass;
  /** The component's argument schema: how its inputs become args. */
  args: Json;
  /** What construct returns as state: the schema's `properties`. */
  outputs: string[];
}

export class MeshServerlessProvider implements provider.Provider {
  readonly version: string;
  readonly schema: string;
  private readonly served = new Map<string, Served>();
  /** Components this process constructed, by URN: what a resource reference to one resolves to. */
  private readonly constructed = new Map<string, pulumi.Resource>();

  constructor(root = packageRoot()) {
    const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8");
    this.version = (JSON.parse(read("package.json")) as { version: string }).version;
    this.schema = read("schema/pulumi-package.json");
    const resources = (JSON.parse(this.schema) as { resources: Record<string, Json> }).resources;
    const exported = components as unknown as Record<string, unknown>;
    for (const [token, spec] of Object.entries(resources)) {
      const name = token.split(":")[2];
      const cls = exported[name];
      if (typeof cls !== "function")
        throw new Error(`mesh-serverless provider: ${token} has no exported class ${name}`);
      this.served.set(token, {
        cls: cls as ComponentClass,
        args: JSON.parse(read(`schema/${name}.schema.json`)) as Json,
        outputs: Object.keys((spec.properties ?? {}) as Json),
      });
    }
  }

  /** The type tokens served, in schema order. */
  get types(): string[] {
    return [...this.served.keys()];
  }

  async construct(
    name: string,
    type: string,
    inputs: pulumi.Inputs,
    options: pulumi.ComponentResourceOptions,
  ): Promise<provider.ConstructResult> {
    const served = this.served.get(type);
    if (!served)
      throw new Error(
        `mesh-serverless provider: unknown component type ${type}; it serves ${this.types.join(", ")}`,
      );
    const ctx = {
      component: type,
      definitions: served.args.definitions as Record<string, Json>,
      constructed: this.constructed,
      dependencies: [] as pulumi.Resource[],
    };
    const args = await toArgs(inputs, served.args, "", ctx);
    const dependsOn = [...((options.dependsOn as pulumi.Resource[] | undefined) ?? [])];
    const opts = { ...options, dependsOn: [...dependsOn, ...ctx.dependencies] };
    const component = new served.cls(name, args as never, opts);
    const urn = await new Promise<string>((ok) => component.urn.apply(ok));
    this.constructed.set(urn, component);
    const fields = component as unknown as Record<string, unknown>;
    const state: pulumi.Inputs = {};
    for (const key of served.outputs) if (fields[key] !== undefined) state[key] = fields[key];
    return { urn: component.urn, state };
  }
}
