import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { deployServices } from "../../stacks/services";
import type { ServicesConfig } from "../../stacks/config-types";
import * as h from "../harness";
import { rejects, run } from "./run";
import { FakeRelease } from "../kubernetes/service/helpers";

const section = (value: Record<string, unknown>) => value as ServicesConfig;

/** The messages `pulumi.log.warn` received while `fn` ran. */
async function warnings(fn: () => unknown): Promise<string[]> {
  return (await h.captureWarnings(fn)).map(([msg]) => msg);
}

describe("stacks/services", () => {
  beforeEach(() => h.reset());

  it("warns about a service nobody may call in a deny-by-default namespace", async () => {
    const seen = await warnings(() =>
      deployServices(
        section({
          namespaces: { shop: { denyByDefault: true }, open: {} },
          workloads: {
            catalog: { namespace: "shop", image: "i:1" },
            worker: { namespace: "open", image: "i:1" },
            api: { namespace: "shop", image: "i:1", access: { allow: [{ namespaces: ["web"] }] } },
          },
          serverless: { fn: { namespace: "shop", image: "i:1" } },
        }),
        {},
        {},
      ),
    );
    assert.deepEqual(seen, [
      "services.serverless.fn: namespace shop denies by default and this service has no `access`: every call to it is refused (403)",
      "services.workloads.catalog: namespace shop denies by default and this service has no `access`: every call to it is refused (403)",
    ]);
  });

  it("an ingress to a Knative service goes through Knative's local gateway unless a host is given", async () => {
    const out = deployServices(
      section({
        serverless: {
          orders: {
            namespace: "shop",
            image: "i:1",
            ingress: { gateway: "shop/public", hosts: ["a.example.com"] },
          },
          direct: {
            namespace: "shop",
            image: "i:1",
            ingress: {
              gateway: "shop/public",
              hosts: ["b.example.com"],
              host: "direct-private.shop.svc.cluster.local",
            },
          },
        },
      }),
      { rootNamespace: "mesh-root" },
      {},
    );
    await h.settled();
    const vs = (name: string) =>
      h.get("kubernetes:networking.istio.io/v1:VirtualService", `shop/${name}`).inputs.spec;
    assert.deepEqual(vs("orders-ingress-route"), {
      hosts: ["a.example.com"],
      gateways: ["shop/public"],
      http: [
        {
          route: [
            {
              destination: {
                host: "knative-local-gateway.mesh-root.svc.cluster.local",
                port: { number: 80 },
              },
            },
          ],
          rewrite: { authority: "orders.shop.svc.cluster.local" },
        },
      ],
    });
    assert.deepEqual(vs("direct-ingress-route"), {
      hosts: ["b.example.com"],
      gateways: ["shop/public"],
      http: [{ route: [{ destination: { host: "direct-private.shop.svc.cluster.local" } }] }],
    });
    assert.deepEqual(await h.resolve(out.serviceUrls as pulumi.Input<Record<string, string>>), {
      direct: "http://direct.shop.svc.cluster.local",
      orders: "http://orders.shop.svc.cluster.local",
    });
  });

  it("builds services.openfaas entries as OpenFaasFunctions in the install's functions namespace, after its release", async () => {
    const release = new FakeRelease("openfaas");
    const out = deployServices(
      section({
        openfaas: { "image-processor": { image: "i:1", scale: { min: 1, max: 20 } } },
      }),
      { openfaas: { functionNamespace: "faas-fn", dependsOn: [release] } },
      {},
    );
    await h.settled();
    const fn = h.get("kubernetes:openfaas.com/v1:Function", "faas-fn/image-processor");
    assert.equal(h.parentOf(fn)?.type, "mesh-serverless:service:OpenFaasFunction");
    assert.deepEqual(h.dependencies(fn), ["kubernetes:helm.sh/v3:Release::openfaas"]);
    assert.deepEqual(await h.resolve(pulumi.output(out.functionHosts)), {
      "image-processor": "image-processor.faas-fn.svc.cluster.local",
    });
  });

  it("rejects functions on an OpenFaaS CE platform before building anything", async () => {
    await rejects(
      {
        environment: "dev",
        platform: { openfaas: { edition: "ce" } },
        services: { openfaas: { resize: { image: "i:1" }, thumbs: { image: "i:1" } } },
      },
      'invalid `mesh-serverless:platform.openfaas.edition` "ce": must be "pro" while services.openfaas has functions (resize, thumbs): Function resources are reconciled only by the OpenFaaS operator, which the openfaas chart installs only with openfaasPro; OpenFaaS CE runs only the legacy controller, and its EULA limits commercial use to 60-day proofs of concept',
    );
  });

  it("rejects OpenFaaS credentials written as plain text in the stack file, without showing them", async () => {
    await rejects(
      { environment: "dev", platform: { openfaas: { credentials: { license: "LICENSE-JWT" } } } },
      'invalid `mesh-serverless:platform.openfaas.credentials` "[secret]": must be secure values (pulumi config set --secret --path platform.openfaas.credentials.license ...), not plain text in the stack file',
    );
  });

  it("GIVEN the credentials as a secure value THEN the licence Secret holds it, secret in state", async () => {
    await run(
      {
        environment: "dev",
        platform: {
          knative: false,
          jaeger: false,
          prometheus: false,
          fluentd: false,
          openfaas: { credentials: { license: "LICENSE-JWT" } },
        },
      },
      ["platform"],
    );
    await h.settled();
    const secret = h.get("kubernetes:core/v1:Secret", "platform-openfaas-license");
    assert.deepEqual(secret.inputs.stringData, { license: "LICENSE-JWT" });
    assert.deepEqual(secret.redacted.stringData, { license: "[secret]" });
  });
});
