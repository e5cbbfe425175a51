import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as h from "../harness";
import * as kubernetes from "../../components";
import * as aws from "../../components/aws";
import { MeshServerlessProvider as Provider } from "../../provider/provider";
import entry from "../../provider/index";
import { getPulumiComponents } from "@pulumi/pulumi/provider/experimental/provider";

/**
 * Every public component constructed through the provider's `construct` registers exactly what
 * direct TypeScript construction with the same args registers: types, names, inputs, parents and
 * dependencies. The provider side gets its inputs as the Node SDK's provider server hands them
 * over (provider/server.ts `deserializeInputs`): a resource reference the SDK cannot rehydrate is
 * its URN; a value with dependencies is an Output.
 */

/** A reference to a component built by an earlier step. */
class Ref {
  constructor(readonly step: string) {}
}
const ref = (step: string) => new Ref(step);

const archive = () =>
  new pulumi.asset.AssetArchive({
    "index.js": new pulumi.asset.StringAsset("exports.handler = async () => ({});"),
  });

/** One program using every public component; later steps refer to earlier ones. */
const STEPS: { type: string; name: string; args: Record<string, unknown> }[] = [
  { type: "platform:IstioMesh", name: "mesh", args: { revision: "1-27" } },
  {
    type: "platform:KnativeServing",
    name: "kn",
    args: { istio: { gatewaySelector: { istio: "ingressgateway" }, dependsOn: [ref("mesh")] } },
  },
  {
    type: "platform:KnativeEventing",
    name: "ev",
    args: { operator: { dependsOn: [ref("kn")] }, istio: { dependsOn: [ref("mesh")] } },
  },
  { type: "platform:Jaeger", name: "traces", args: { samplingPercentage: 5 } },
  { type: "platform:Prometheus", name: "mon", args: { storage: false, grafana: false } },
  { type: "platform:Fluentd", name: "logs", args: {} },
  { type: "platform:OpenFaas", name: "faas", args: { istio: { dependsOn: [ref("mesh")] } } },
  // The add-ons are steps of their own: here only what the composite adds.
  {
    type: "platform:MeshPlatform",
    name: "plat",
    args: { knative: false, jaeger: false, prometheus: false, fluentd: false },
  },
  { type: "service:MeshNamespace", name: "shop", args: { mesh: { dependsOn: [ref("mesh")] } } },
  {
    type: "service:ServerlessService",
    name: "orders",
    args: { namespace: ref("shop"), image: "ghcr.io/example/orders:1", env: { MODE: "live" } },
  },
  {
    type: "service:MeshedWorkload",
    name: "reviews",
    args: { namespace: ref("shop"), image: "reviews:1", ports: [{ containerPort: 9080 }] },
  },
  {
    type: "service:ServiceTraffic",
    name: "reviews-traffic",
    args: {
      namespace: ref("shop"),
      host: "reviews",
      subsets: [{ name: "v1", labels: { version: "v1" } }],
      routes: [{ destinations: [{ subset: "v1" }] }],
    },
  },
  { type: "service:ServiceAccess", name: "orders-access", args: { namespace: "shop", allow: [] } },
  {
    type: "service:ServiceObservability",
    name: "orders-obs",
    args: { namespace: ref("shop"), monitor: { port: "http-metrics" } },
  },
  {
    type: "service:IngressGateway",
    name: "public",
    args: {
      namespace: "istio-ingress",
      servers: [{ port: 443, hosts: ["*.example.com"], tls: { secret: "example-cert" } }],
    },
  },
  {
    type: "service:IngressRoute",
    name: "shop-route",
    args: {
      namespace: ref("shop"),
      mesh: { gateway: "istio-ingress/public" },
      hosts: ["shop.example.com"],
    },
  },
  {
    type: "service:MeshServiceEntry",
    name: "payments-api",
    args: {
      hosts: ["api.payments.example.com"],
      ports: [{ number: 443, name: "https", protocol: "HTTPS" }],
    },
  },
  {
    type: "service:OpenFaasFunction",
    name: "image-processor",
    args: {
      mesh: { dependsOn: [ref("mesh")], openfaas: { dependsOn: [ref("faas")] } },
      image: "ghcr.io/example/image-processor:1",
    },
  },
  { type: "service:EventBroker", name: "default", args: { namespace: "shop" } },
  {
    type: "service:EventTrigger",
    name: "orders-created",
    args: { namespace: "shop", broker: "default", subscriber: { service: "orders" } },
  },
  {
    type: "service:PingSource",
    name: "tick",
    args: { namespace: "shop", schedule: "@hourly", sink: { broker: "default" } },
  },
  { type: "aws:MeshNetwork", name: "net", args: { lattice: { vpcs: [{ vpcId: "vpc-1" }] } } },
  {
    type: "aws:MeshedFunction",
    name: "orders-fn",
    args: { network: ref("net"), code: archive(), runtime: "nodejs22.x" },
  },
];

const ROOT = path.join(__dirname, "..", "..");
const token = (type: string) => `mesh-serverless:${type}`;

/** `value` with each Ref replaced by `resolve(step)`. */
function substitute(value: unknown, resolve: (step: string) => unknown): unknown {
  if (value instanceof Ref) return resolve(value.step);
  if (Array.isArray(value)) return value.map((v) => substitute(v, resolve));
  if (value && typeof value === "object" && !pulumi.asset.Archive.isInstance(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, resolve)]));
  return value;
}

/** The recording as comparable rows: type, name, parent, dependencies, inputs. */
function rows(): string[] {
  const label = (urn: string | undefined) => {
    const r = urn ? h.recording().byUrn(urn) : undefined;
    return r ? `${r.type}::${r.name}` : String(urn);
  };
  return h
    .resources()
    .map((r) =>
      JSON.stringify({
        resource: `${r.type}::${r.name}`,
        parent: label(r.parent),
        dependencies: h.dependencies(r),
        inputs: r.inputs,
      }),
    )
    .sort();
}

const urnOf = (r: pulumi.Resource) => h.resolve(r.urn);

describe("provider: construct through the component provider", () => {
  const components = { ...kubernetes, ...aws } as unknown as Record<
    string,
    new (...a: never[]) => pulumi.ComponentResource
  >;

  it("has an entry Pulumi's plugin runner calls, exporting no component for its analyzer", () => {
    // cmd/run-plugin/run.ts requires PulumiPlugin.yaml's `main`: exported components would start
    // the analyzer-based host; an exported function is called (ours starts provider.main).
    assert.equal(typeof entry, "function");
    assert.deepEqual(getPulumiComponents(entry), []);
    assert.match(
      fs.readFileSync(path.join(ROOT, "PulumiPlugin.yaml"), "utf8"),
      /^runtime: nodejs\nmain: provider\/index\.ts$/m,
    );
  });

  it("serves every component of the package schema, and nothing else", () => {
    const served = new Provider().types;
    assert.deepEqual(
      [...served].sort(),
      STEPS.map((s) => token(s.type)).sort(),
      "a component lacks a step",
    );
  });

  it("registers the same children as direct construction, for every public component", async () => {
    await h.reset();
    const direct = new Map<string, pulumi.ComponentResource>();
    for (const s of STEPS) {
      const cls = components[s.type.split(":")[1]];
      direct.set(
        s.name,
        new cls(s.name as never, substitute(s.args, (n) => direct.get(n)) as never),
      );
    }
    await h.settled();
    const expected = rows();

    await h.reset();
    const provider = new Provider();
    const urns = new Map<string, string>();
    for (const s of STEPS) {
      const inputs = substitute(s.args, (n) => urns.get(n)) as pulumi.Inputs;
      const result = await provider.construct(s.name, token(s.type), inputs, {});
      urns.set(s.name, (await h.resolve(result.urn)) as string);
    }
    await h.settled();
    const actual = rows();
    assert.equal(actual.length, expected.length);
    assert.deepEqual(actual, expected);
  });

  it("returns the schema's properties as state: flat values, child and component resources", async () => {
    await h.reset();
    const provider = new Provider();
    // Only Istio: the add-ons' outputs are resources like istio, and each costs a render.
    const args = { knative: false, jaeger: false, prometheus: false, fluentd: false };
    const result = await provider.construct("plat", token("platform:MeshPlatform"), args, {});
    const state = result.state as Record<string, unknown>;
    assert.deepEqual(Object.keys(state).sort(), ["dashboards", "gatewayService", "istio", "mesh"]);
    assert.equal(
      await urnOf(state.istio as pulumi.Resource),
      "urn:pulumi:test::mesh-serverless::mesh-serverless:platform:MeshPlatform$mesh-serverless:platform:IstioMesh::plat-istio",
    );
    assert.equal(state.gatewayService, "istio-ingressgateway.istio-system.svc.cluster.local");
  });

  it("awaits an Output where the component needs a plain value; its resources become dependencies", async () => {
    await h.reset();
    const provider = new Provider();
    const ns = await provider.construct("shop", token("service:MeshNamespace"), {}, {});
    const shop = h.get("mesh-serverless:service:MeshNamespace", "shop");
    const nsResource = new pulumi.DependencyResource((await h.resolve(ns.urn)) as string);
    const namespace = pulumi.output(nsResource.urn).apply(() => "shop");
    await provider.construct(
      "orders",
      token("service:ServerlessService"),
      { namespace, image: "orders:1" },
      {},
    );
    await h.settled();
    const svc = h.get("mesh-serverless:service:ServerlessService", "orders");
    assert.deepEqual(svc.dependencies, [shop.urn]);
    const ksvc = h.get("kubernetes:serving.knative.dev/v1:Service", "shop/orders");
    assert.equal((ksvc.inputs.metadata as { namespace: string }).namespace, "shop");
  });

  it("takes a reference to a resource of another package as its URN: children depend on it", async () => {
    await h.reset();
    const release = "urn:pulumi:test::mesh-serverless::kubernetes:helm.sh/v3:Release::istiod";
    await new Provider().construct(
      "shop",
      token("service:MeshNamespace"),
      { mesh: { dependsOn: [release] } },
      {},
    );
    await h.settled();
    const ns = h.get("kubernetes:core/v1:Namespace", "shop");
    const pa = h.get("kubernetes:security.istio.io/v1:PeerAuthentication", "shop/default");
    assert.deepEqual(ns.dependencies, [release]);
    assert.deepEqual(pa.dependencies, [release, ns.urn]);
  });

  it("fails, naming the argument, for a value unknown in a preview or a secret where plain text goes", async () => {
    await h.reset();
    const provider = new Provider();
    const unknown = pulumi.output(pulumi.unknown) as pulumi.Output<string>;
    await assert.rejects(
      provider.construct("a", token("service:MeshNamespace"), { podSecurity: unknown }, {}),
      {
        message:
          "mesh-serverless:service:MeshNamespace: argument `podSecurity` is not known yet; it must be a plain value (it may name resources)",
      },
    );
    await assert.rejects(
      provider.construct(
        "b",
        token("service:MeshServiceEntry"),
        { hosts: [pulumi.secret("a.com")] },
        {},
      ),
      {
        message:
          "mesh-serverless:service:MeshServiceEntry: argument `hosts[0]` is a secret, but the component takes it as plain text here",
      },
    );
  });

  it("fails for an unknown type and for a component another process constructed", async () => {
    await h.reset();
    const provider = new Provider();
    await assert.rejects(provider.construct("x", "mesh-serverless:aws:Nope", {}, {}), (e: Error) =>
      e.message.startsWith(
        "mesh-serverless provider: unknown component type mesh-serverless:aws:Nope; it serves mesh-serverless:service:MeshNamespace, ",
      ),
    );
    const foreign = "urn:pulumi:test::mesh-serverless::mesh-serverless:aws:MeshNetwork::elsewhere";
    await assert.rejects(
      provider.construct(
        "f",
        token("aws:MeshedFunction"),
        { network: foreign, code: archive(), runtime: "nodejs22.x" },
        {},
      ),
      {
        message: `mesh-serverless:aws:MeshedFunction: argument \`network\` refers to ${foreign}, which this provider process did not construct`,
      },
    );
  });
});
