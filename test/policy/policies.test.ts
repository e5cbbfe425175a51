import { strict as assert } from "assert";
import type {
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { POLICIES } from "../../policy/policies";

/**
 * Each policy called the way the Pulumi engine calls it, with hand-built arguments (the pack
 * itself is never constructed: `new PolicyPack()` starts a server).
 */

type Config = Record<string, unknown>;
const urnOf = (type: string, name: string) => `urn:pulumi:test::proj::${type}::${name}`;

function resource(
  type: string,
  name: string,
  props: Record<string, unknown>,
  provider?: string,
): PolicyResource {
  return {
    type,
    name,
    urn: urnOf(type, name),
    props,
    opts: {} as PolicyResource["opts"],
    provider: provider ? ({ urn: provider } as PolicyResource["provider"]) : undefined,
    dependencies: [],
    propertyDependencies: {},
    isType: () => false,
    asType: () => undefined,
  } as PolicyResource;
}

function policy(name: string) {
  const p = POLICIES.find((x) => x.name === name);
  assert.ok(p, `no policy ${name}`);
  return p;
}

async function validateResource(
  name: string,
  r: PolicyResource,
  config: Config = {},
): Promise<[string, string?][]> {
  const p = policy(name) as ResourceValidationPolicy;
  const seen: [string, string?][] = [];
  const args = {
    ...r,
    stackTags: new Map(),
    getConfig: () => config,
    notApplicable: () => {
      throw new Error("not applicable");
    },
  } as unknown as ResourceValidationArgs;
  const fns = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource!];
  for (const fn of fns) await fn(args, (m, urn) => seen.push(urn ? [m, urn] : [m]));
  return seen;
}

async function validateStack(
  name: string,
  resources: PolicyResource[],
  config: Config = {},
): Promise<[string, string?][]> {
  const p = policy(name) as StackValidationPolicy;
  const seen: [string, string?][] = [];
  const args = {
    resources,
    stackTags: new Map(),
    getConfig: () => config,
    notApplicable: () => {
      throw new Error("not applicable");
    },
  } as unknown as StackValidationArgs;
  await p.validateStack(args, (m, urn) => seen.push(urn ? [m, urn] : [m]));
  return seen;
}

const CR = (group: string, kind: string) => `kubernetes:${group}:${kind}`;
const k8s = (
  type: string,
  ns: string,
  name: string,
  body: Record<string, unknown>,
  provider?: string,
) => {
  const [, apiGroup, kind] = /^kubernetes:(.+):(\w+)$/.exec(type)!;
  const apiVersion = apiGroup.startsWith("core/") ? apiGroup.slice(5) : apiGroup;
  return resource(
    type,
    `${ns}/${name}`,
    { apiVersion, kind, metadata: { name, namespace: ns }, ...body },
    provider,
  );
};
const VS = CR("networking.istio.io/v1", "VirtualService");
const AP = CR("security.istio.io/v1", "AuthorizationPolicy");
const PA = CR("security.istio.io/v1", "PeerAuthentication");
const KSVC = CR("serving.knative.dev/v1", "Service");
const DEPLOY = "kubernetes:apps/v1:Deployment";

describe("policy pack", () => {
  it("holds the analyzer (errors mandatory, warnings advisory) and five guardrails, each named once", () => {
    assert.deepEqual(
      POLICIES.map((p) => [p.name, p.enforcementLevel]),
      [
        ["mesh-serverless-analyzer-errors", "mandatory"],
        ["mesh-serverless-analyzer-warnings", "advisory"],
        ["mtls-strict-outside-dev", "mandatory"],
        ["no-open-allow-on-public-service", "mandatory"],
        ["function-url-aws-iam", "mandatory"],
        ["containers-have-limits", "mandatory"],
        ["no-new-app-mesh", "mandatory"],
      ],
    );
  });

  describe("analyzer policies", () => {
    const ksvc = k8s(KSVC, "shop", "orders", {
      spec: { template: { spec: { containers: [{ image: "x" }] } } },
    });
    const route = (name: string, provider?: string) =>
      k8s(
        VS,
        "shop",
        name,
        {
          spec: {
            hosts: ["a.example.com"],
            gateways: ["knative-serving/knative-ingress-gateway"],
            http: [{ route: [{ destination: { host: "x.shop.svc.cluster.local" } }] }],
          },
        },
        provider,
      );

    it("reports the renderer's error findings on the resource they name", async () => {
      assert.deepEqual(
        await validateStack("mesh-serverless-analyzer-errors", [ksvc, route("orders-ingress")]),
        [
          [
            "error MS301 VirtualService shop/orders-ingress: net-istio creates and owns VirtualService orders-ingress for Knative Service orders: it refuses one it does not own, so the Knative Service never becomes Ready; rename this one",
            urnOf(VS, "shop/orders-ingress"),
          ],
        ],
      );
    });

    it("stays quiet on the package's own name, and analyzes each cluster (provider) on its own", async () => {
      assert.deepEqual(
        await validateStack("mesh-serverless-analyzer-errors", [
          ksvc,
          route("orders-ingress-route"),
        ]),
        [],
      );
      assert.deepEqual(
        await validateStack("mesh-serverless-analyzer-errors", [
          ksvc,
          route("orders-ingress", "urn:other-cluster"),
        ]),
        [],
      );
    });

    it("counts the sidecar resources the stack's istiod release sets, as the renderer does", async () => {
      const fn = (kind: string, name: string, body: Record<string, unknown>) =>
        k8s(kind, "fn", name, body);
      const objects = [
        resource("kubernetes:core/v1:Namespace", "fn", {
          apiVersion: "v1",
          kind: "Namespace",
          metadata: { name: "fn", labels: { "istio-injection": "enabled" } },
        }),
        fn("kubernetes:core/v1:ResourceQuota", "quota", { spec: { hard: { "limits.cpu": "25" } } }),
        fn("kubernetes:core/v1:LimitRange", "limits", {
          spec: { limits: [{ type: "Container", default: { cpu: "1", memory: "256Mi" } }] },
        }),
        fn(KSVC, "a", {
          spec: {
            template: {
              metadata: { annotations: { "autoscaling.knative.dev/max-scale": "10" } },
              spec: { containers: [{ image: "x" }] },
            },
          },
        }),
      ];
      const istiod = (cpu: string) =>
        resource("kubernetes:helm.sh/v3:Release", "istiod", {
          chart: "istiod",
          values: { global: { proxy: { resources: { limits: { cpu } } } } },
        });
      // 10 pods x (user 1 + queue-proxy 1 + istio-proxy) CPU against a quota of 25.
      const errors = async (cpu: string) =>
        (await validateStack("mesh-serverless-analyzer-errors", [...objects, istiod(cpu)])).map(
          ([m]) => m.split(";")[0],
        );
      assert.deepEqual(await errors("100m"), []);
      assert.deepEqual(await errors("2"), [
        "error MS601 ResourceQuota fn/quota: limits.cpu: workloads at max scale need 40 (a 10 x 4), quota 25: over by 15",
      ]);
    });

    it("reports warnings in the advisory policy only", async () => {
      const dr = (name: string) =>
        k8s(CR("networking.istio.io/v1", "DestinationRule"), "shop", name, {
          spec: { host: "orders" },
        });
      assert.deepEqual(
        await validateStack("mesh-serverless-analyzer-errors", [dr("a"), dr("b")]),
        [],
      );
      const warnings = await validateStack("mesh-serverless-analyzer-warnings", [dr("a"), dr("b")]);
      assert.deepEqual(
        warnings.map(([m, u]) => [m.split(":")[0], u]),
        [
          [
            "warning MS406 DestinationRule shop/a",
            urnOf(CR("networking.istio.io/v1", "DestinationRule"), "shop/a"),
          ],
        ],
      );
    });
  });

  describe("mtls-strict-outside-dev", () => {
    const pa = (ns: string, mode: string, portLevelMtls?: unknown) =>
      k8s(PA, ns, "default", {
        spec: { mtls: { mode }, ...(portLevelMtls ? { portLevelMtls } : {}) },
      });
    it("rejects PERMISSIVE and a DISABLE port in production", async () => {
      assert.deepEqual(
        await validateResource(
          "mtls-strict-outside-dev",
          pa("shop", "PERMISSIVE", { "8080": { mode: "DISABLE" } }),
        ),
        [
          [
            "spec.mtls.mode is PERMISSIVE in environment production: outside dev mTLS must be STRICT",
          ],
          [
            "spec.portLevelMtls.8080.mode is DISABLE in environment production: outside dev mTLS must be STRICT",
          ],
        ],
      );
    });
    it("accepts STRICT, the exempt knative-serving namespace, and anything in dev", async () => {
      assert.deepEqual(await validateResource("mtls-strict-outside-dev", pa("shop", "STRICT")), []);
      assert.deepEqual(
        await validateResource("mtls-strict-outside-dev", pa("knative-serving", "PERMISSIVE")),
        [],
      );
      assert.deepEqual(
        await validateResource("mtls-strict-outside-dev", pa("shop", "PERMISSIVE"), {
          environment: "dev",
        }),
        [],
      );
      assert.deepEqual(
        await validateResource(
          "mtls-strict-outside-dev",
          k8s(CR("core/v1", "ConfigMap"), "shop", "x", {}),
        ),
        [],
      );
    });
  });

  describe("no-open-allow-on-public-service", () => {
    const ingress = k8s(VS, "shop", "orders-ingress-route", {
      spec: {
        hosts: ["shop.example.com"],
        gateways: ["shop/public"],
        http: [
          {
            rewrite: { authority: "orders.shop.svc.cluster.local" },
            route: [
              { destination: { host: "knative-local-gateway.istio-system.svc.cluster.local" } },
            ],
          },
        ],
      },
    });
    const ksvc = k8s(KSVC, "shop", "orders", {
      spec: {
        template: {
          metadata: { labels: { app: "orders" } },
          spec: { containers: [{ image: "x" }] },
        },
      },
    });
    const ap = (name: string, rules: unknown[]) =>
      k8s(AP, "shop", name, { spec: { selector: { matchLabels: { app: "orders" } }, rules } });

    it("flags an ALLOW rule without `from` and one for principals [*] on a routed service", async () => {
      const open = ap("orders", [
        { to: [{ operation: { methods: ["GET"] } }] },
        { from: [{ source: { principals: ["*"] } }] },
      ]);
      assert.deepEqual(
        (await validateStack("no-open-allow-on-public-service", [ingress, ksvc, open])).map(
          ([m, u]) => [m.split(";")[0], u],
        ),
        [
          [
            "AuthorizationPolicy shop/orders rules[0] allows every principal on public service shop/orders",
            urnOf(AP, "shop/orders"),
          ],
          [
            "AuthorizationPolicy shop/orders rules[1] allows every principal on public service shop/orders",
            urnOf(AP, "shop/orders"),
          ],
        ],
      );
    });
    it("accepts named callers, services no gateway routes to, and exempt policies", async () => {
      const named = ap("orders", [{ from: [{ source: { namespaces: ["istio-system"] } }] }]);
      const open = ap("orders", [{}]);
      assert.deepEqual(
        await validateStack("no-open-allow-on-public-service", [ingress, ksvc, named]),
        [],
      );
      assert.deepEqual(await validateStack("no-open-allow-on-public-service", [ksvc, open]), []);
      assert.deepEqual(
        await validateStack("no-open-allow-on-public-service", [ingress, ksvc, open], {
          exemptPolicies: ["shop/orders"],
        }),
        [],
      );
    });
  });

  describe("function-url-aws-iam", () => {
    const url = (authorizationType: string) =>
      resource("aws:lambda/functionUrl:FunctionUrl", "orders-url", {
        authorizationType,
        functionName: "orders",
      });
    it("rejects NONE and accepts AWS_IAM", async () => {
      assert.deepEqual(await validateResource("function-url-aws-iam", url("NONE")), [
        ['function URL orders-url has authorizationType "NONE"; use AWS_IAM'],
      ]);
      assert.deepEqual(await validateResource("function-url-aws-iam", url("AWS_IAM")), []);
    });
  });

  describe("containers-have-limits", () => {
    const deploy = (resources: unknown) =>
      k8s(DEPLOY, "shop", "catalog", {
        spec: {
          replicas: 1,
          template: {
            metadata: { labels: { app: "catalog" } },
            spec: { containers: [{ name: "app", image: "x", resources }] },
          },
        },
      });
    const limitRange = k8s(CR("core/v1", "LimitRange"), "shop", "limits", {
      spec: { limits: [{ type: "Container", default: { cpu: "1", memory: "256Mi" } }] },
    });

    it("flags a container without limits where no LimitRange defaults them", async () => {
      assert.deepEqual(
        await validateStack("containers-have-limits", [deploy({ limits: { memory: "1Gi" } })]),
        [
          [
            "Deployment shop/catalog container app has no limits.cpu and namespace shop has no LimitRange default",
            urnOf(DEPLOY, "shop/catalog"),
          ],
        ],
      );
    });
    it("accepts own limits, LimitRange defaults, and a narrower configured set", async () => {
      assert.deepEqual(
        await validateStack("containers-have-limits", [
          deploy({ limits: { cpu: "1", memory: "1Gi" } }),
        ]),
        [],
      );
      assert.deepEqual(await validateStack("containers-have-limits", [deploy({}), limitRange]), []);
      assert.deepEqual(
        await validateStack("containers-have-limits", [deploy({ limits: { memory: "1Gi" } })], {
          resources: ["memory"],
        }),
        [],
      );
    });
  });

  describe("no-new-app-mesh", () => {
    const mesh = resource("aws:appmesh/mesh:Mesh", "legacy", { name: "legacy-mesh" });
    it("rejects an App Mesh mesh unless listed in allowedMeshes", async () => {
      assert.deepEqual(await validateResource("no-new-app-mesh", mesh), [
        [
          'App Mesh mesh legacy-mesh: AWS ended App Mesh support on 2026-09-30; use VPC Lattice (backend "vpc-lattice")',
        ],
      ]);
      assert.deepEqual(
        await validateResource("no-new-app-mesh", mesh, { allowedMeshes: ["legacy-mesh"] }),
        [],
      );
      assert.deepEqual(
        await validateResource(
          "no-new-app-mesh",
          resource("aws:vpclattice/serviceNetwork:ServiceNetwork", "n", {}),
        ),
        [],
      );
    });
  });
});
