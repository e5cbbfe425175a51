import { strict as assert } from "assert";
import fc from "fast-check";
import { API, ksvc, lines, obj, route, runCases, vs } from "./helpers";
import {
  ingressObjects,
  ingressRouteName,
  resolveIngress,
} from "../../components/kubernetes/service/ingress";
import { ArgChecker } from "../../components/core/validate";
import { serviceContext } from "../../components/kubernetes/service/spec";

/** Knative's webhook (knative/serving pkg/apis/...) and the names controllers own. */

const AS = "autoscaling.knative.dev/";
const serving = (config: Record<string, Record<string, string>>) =>
  obj("operator.knative.dev/v1beta1", "KnativeServing", "knative-serving/knative-serving", {
    spec: { config },
  });

runCases("MS201", [
  {
    name: "min 1 <= max 10, KPA, target 50, window 60s",
    objects: [
      ksvc("shop/a", {
        [`${AS}min-scale`]: "1",
        [`${AS}max-scale`]: "10",
        [`${AS}target`]: "50",
        [`${AS}window`]: "60s",
      }),
    ],
    fires: [],
  },
  {
    name: "max < min, window too short, utilization over 100, unknown class",
    objects: [
      ksvc("shop/a", {
        [`${AS}min-scale`]: "5",
        [`${AS}max-scale`]: "2",
        [`${AS}window`]: "5s",
        [`${AS}target-utilization-percentage`]: "120",
        [`${AS}class`]: "xpa.autoscaling.knative.dev",
      }),
    ],
    fires: [
      `error MS201 Service shop/a: ${AS}class "xpa.autoscaling.knative.dev" is neither`,
      `error MS201 Service shop/a: ${AS}max-scale=2 is less than min-scale=5`,
      `error MS201 Service shop/a: ${AS}target-utilization-percentage "120" is outside 1..100`,
      `error MS201 Service shop/a: ${AS}window "5s" must be whole seconds from 6s to 1h`,
    ],
  },
  {
    name: "initial-scale 0 without the cluster allowing it; min-scale not a number; annotation on the Service",
    objects: [
      {
        ...ksvc("shop/a", { [`${AS}initial-scale`]: "0", [`${AS}min-scale`]: "one" }),
        metadata: { name: "a", namespace: "shop", annotations: { [`${AS}max-scale`]: "3" } },
      },
    ],
    fires: [
      `error MS201 Service shop/a: ${AS}initial-scale=0 needs allow-zero-initial-scale`,
      `error MS201 Service shop/a: ${AS}max-scale must be under spec.template.metadata.annotations`,
      `error MS201 Service shop/a: ${AS}min-scale "one" must be an integer >= 0`,
    ],
  },
  {
    name: "initial-scale 0 where the KnativeServing config allows it",
    objects: [
      ksvc("shop/a", { [`${AS}initial-scale`]: "0" }),
      serving({ autoscaler: { "allow-zero-initial-scale": "true" } }),
    ],
    fires: [],
  },
]);

runCases("MS202", [
  {
    name: "concurrency 100, timeout 300",
    objects: [ksvc("shop/a", {}, { containerConcurrency: 100, timeoutSeconds: 300 })],
    fires: [],
  },
  {
    name: "concurrency 2000, timeout over the default 600",
    objects: [ksvc("shop/a", {}, { containerConcurrency: 2000, timeoutSeconds: 900 })],
    fires: [
      "error MS202 Service shop/a: containerConcurrency 2000 is outside 0..1000",
      "error MS202 Service shop/a: timeoutSeconds 900 is outside 0..600",
    ],
  },
  {
    name: "timeout 900 under a raised max-revision-timeout-seconds",
    objects: [
      ksvc("shop/a", {}, { timeoutSeconds: 900 }),
      serving({ defaults: { "max-revision-timeout-seconds": "1200" } }),
    ],
    fires: [],
  },
]);

runCases("MS203", [
  {
    name: "priorityClassName with the flag enabled",
    objects: [
      ksvc("shop/a", {}, { priorityClassName: "p" }),
      serving({ features: { "kubernetes.podspec-priorityclassname": "enabled" } }),
    ],
    fires: [],
  },
  {
    name: "priorityClassName with the KnativeServing config in the input, flag off; nodeName",
    objects: [ksvc("shop/a", {}, { priorityClassName: "p", nodeName: "n" }), serving({})],
    fires: [
      "error MS203 Service shop/a: nodeName is not allowed in a Knative revision",
      "error MS203 Service shop/a: priorityClassName needs feature flag kubernetes.podspec-priorityclassname",
    ],
  },
  {
    name: "priorityClassName, cluster config unknown (a warning)",
    objects: [ksvc("shop/a", {}, { priorityClassName: "p" })],
    fires: [
      "warning MS203 Service shop/a: priorityClassName needs feature flag kubernetes.podspec-priorityclassname",
    ],
  },
]);

const withTraffic = (traffic: unknown[]) => ({
  ...ksvc("shop/a"),
  spec: { ...ksvc("shop/a").spec, traffic },
});
runCases("MS204", [
  {
    name: "90/10 with a tagged revision",
    objects: [
      withTraffic([
        { latestRevision: true, percent: 90 },
        { revisionName: "a-00001", percent: 10, tag: "old" },
      ]),
    ],
    fires: [],
  },
  {
    name: "sum 110, duplicate tag, revisionName with latestRevision",
    objects: [
      withTraffic([
        { latestRevision: true, revisionName: "a-00002", percent: 60, tag: "x" },
        { revisionName: "a-00001", percent: 50, tag: "x" },
      ]),
    ],
    fires: [
      "error MS204 Service shop/a: traffic percents sum to 110, want 100",
      "error MS204 Service shop/a: traffic[0] sets revisionName with latestRevision: true",
      'error MS204 Service shop/a: traffic[1]: tag "x" is defined twice',
    ],
  },
]);

const containers = (list: unknown[]) => ({
  ...ksvc("shop/a"),
  spec: { template: { spec: { containers: list } } },
});
runCases("MS205", [
  {
    name: "one unnamed port, user env",
    objects: [
      containers([
        { image: "x", ports: [{ containerPort: 8080 }], env: [{ name: "TARGET", value: "w" }] },
      ]),
    ],
    fires: [],
  },
  {
    name: "two ports, a queue-proxy port, a free-form port name, PORT set, a container named queue-proxy",
    objects: [
      containers([
        {
          image: "x",
          ports: [{ containerPort: 8012, name: "web" }],
          env: [{ name: "PORT", value: "1" }],
        },
        { name: "queue-proxy", image: "y", ports: [{ containerPort: 9000, name: "h2c" }] },
      ]),
    ],
    fires: [
      "error MS205 Service shop/a: 2 container ports are set; Knative allows a single port across all containers",
      "error MS205 Service shop/a: containerPort 8012 is reserved by queue-proxy",
      'error MS205 Service shop/a: port name "web" is not allowed',
      "error MS205 Service shop/a: env PORT is reserved",
      'error MS205 Service shop/a: "queue-proxy" is a reserved container name',
    ],
  },
  {
    name: "the package's restricted securityContext, NET_BIND_SERVICE with secure-pod-defaults",
    objects: [
      serving({ features: { "secure-pod-defaults": "enabled" } }),
      containers([
        {
          image: "x",
          securityContext: {
            allowPrivilegeEscalation: false,
            capabilities: { add: ["NET_BIND_SERVICE"], drop: ["ALL"] },
            privileged: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            seccompProfile: { type: "RuntimeDefault" },
          },
        },
      ]),
    ],
    fires: [],
  },
  {
    name: "privileged, SELinux options and an added capability without the flag",
    objects: [
      containers([
        {
          image: "x",
          securityContext: {
            privileged: true,
            seLinuxOptions: { level: "s0" },
            capabilities: { add: ["NET_BIND_SERVICE"] },
          },
        },
      ]),
    ],
    fires: [
      "error MS205 Service shop/a: securityContext.privileged is not allowed on a Knative container",
      "error MS205 Service shop/a: securityContext.seLinuxOptions is not allowed on a Knative container",
      'error MS205 Service shop/a: securityContext.capabilities.add ["NET_BIND_SERVICE"] needs kubernetes.containerspec-addcapabilities',
    ],
  },
]);

const INGRESS = {
  gateways: ["shop/public"],
  hosts: ["a.example.com"],
  http: [route("x.shop.svc.cluster.local")],
};
runCases("MS301", [
  {
    name: "the package's ingress route name next to its Knative Service",
    objects: [ksvc("shop/orders"), vs("shop/orders-ingress-route", INGRESS)],
    fires: [],
  },
  {
    name: "net-istio's own VirtualService (labelled with its Ingress)",
    objects: [
      ksvc("shop/orders"),
      vs("shop/orders-ingress", INGRESS, { "networking.internal.knative.dev/ingress": "orders" }),
    ],
    fires: [],
  },
  {
    name: "<ksvc>-ingress next to the Knative Service (the bug issue 9 found)",
    objects: [
      ksvc("shop/orders"),
      vs("shop/orders-ingress", INGRESS),
      vs("shop/orders-mesh", INGRESS),
    ],
    fires: [
      "error MS301 VirtualService shop/orders-ingress: net-istio creates and owns VirtualService orders-ingress for Knative Service orders",
      "error MS301 VirtualService shop/orders-mesh: net-istio creates and owns VirtualService orders-mesh",
    ],
  },
  {
    name: "<x>-ingress with no Knative Service x in the input (a warning)",
    objects: [vs("shop/web-ingress", INGRESS)],
    fires: [
      "warning MS301 VirtualService shop/web-ingress: the name collides with net-istio's VirtualService",
    ],
  },
]);

runCases("MS302", [
  {
    name: "a plain Service beside a Knative Service of another name",
    objects: [ksvc("shop/orders"), obj(API.v1, "Service", "shop/catalog", { spec: { ports: [] } })],
    fires: [],
  },
  {
    name: "a plain Service named like the Knative Service and a revision's private Service",
    objects: [
      ksvc("shop/orders"),
      obj(API.v1, "Service", "shop/orders", { spec: {} }),
      obj(API.v1, "Service", "shop/orders-00001-private", { spec: {} }),
    ],
    fires: [
      "error MS302 Service shop/orders: Knative's route reconciler creates and owns Service orders",
      "error MS302 Service shop/orders-00001-private: orders-00001-private is the name of a revision child",
    ],
  },
]);

runCases("MS303", [
  {
    name: "a ConfigMap of our own",
    objects: [obj(API.v1, "ConfigMap", "shop/settings", { data: {} })],
    fires: [],
  },
  {
    name: "istio-ca-root-cert",
    objects: [obj(API.v1, "ConfigMap", "shop/istio-ca-root-cert", { data: {} })],
    fires: [
      "error MS303 ConfigMap shop/istio-ca-root-cert: istiod owns ConfigMap istio-ca-root-cert",
    ],
  },
]);

describe("the ingress route name (issue 9, section 1)", () => {
  it("never ends in -ingress or -mesh, so no Knative Service's net-istio name can collide", () => {
    const dnsLabel = fc.stringMatching(/^[a-z]([-a-z0-9]{0,20}[a-z0-9])?$/);
    fc.assert(
      fc.property(dnsLabel, (name) => {
        const ctx = serviceContext(name, "shop", { gateway: "shop/public" });
        const ingress = resolveIngress(
          new ArgChecker(),
          "",
          ctx,
          { hosts: ["a.example.com"] },
          ingressRouteName(name),
        );
        const route = ingressObjects(ctx, ingress).virtualService!;
        assert.equal(route.metadata.name, `${name}-ingress-route`);
        const found = lines("MS301", [ksvc(`shop/${name}`), route as never]);
        assert.deepEqual(found, []);
      }),
    );
  });
});
