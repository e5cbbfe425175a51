/**
 * Every public component, how to build it, and a valid set of args with nested objects: the seeds
 * the argument-contract test (issue 10) and the fuzz test (issue 11) corrupt one field at a time.
 */
import * as svc from "../../components/kubernetes/service";
import * as plat from "../../components/kubernetes/platform";
import * as aws from "../../components/aws";
import type { COMPONENTS } from "../../cli/schema";

export type Args = Record<string, unknown>;
/** Builds the component named `name` (each has a default) from `args`. */
export type Build = (args: Args, name?: string) => unknown;

/** Every public component, a valid set of args with nested objects, and where unknown keys go. */
export function components(): Record<(typeof COMPONENTS)[number], { build: Build; valid: Args }> {
  let net: aws.MeshNetwork | undefined;
  const network = () => (net ??= new aws.MeshNetwork("net", {}));
  return {
    MeshNamespace: {
      build: (a, n = "shop") => new svc.MeshNamespace(n, a),
      valid: { mtls: { mode: "STRICT" }, priorityClass: { value: 10 } },
    },
    ServerlessService: {
      build: (a, n = "orders") => new svc.ServerlessService(n, a as never),
      valid: {
        image: "i:1",
        scale: { min: 1 },
        access: {
          allow: [{ namespaces: ["web"], when: [{ key: "source.ip", values: ["1.2.3.4"] }] }],
        },
        traffic: { revisions: [{ percent: 100 }] },
      },
    },
    MeshedWorkload: {
      build: (a, n = "catalog") => new svc.MeshedWorkload(n, a as never),
      valid: {
        image: "i:1",
        ports: [{ containerPort: 8080 }],
        readinessProbe: { httpGet: { path: "/ready", port: 8080 } },
      },
    },
    ServiceTraffic: {
      build: (a, n = "reviews") => new svc.ServiceTraffic(n, a as never),
      valid: {
        subsets: [{ name: "v1", labels: { version: "v1" } }],
        routes: [{ destinations: [{ subset: "v1" }], fault: { delay: { fixedDelay: "1s" } } }],
      },
    },
    ServiceAccess: {
      build: (a, n = "api") => new svc.ServiceAccess(n, a as never),
      valid: { allow: [{ methods: ["GET"], when: [{ key: "source.ip", values: ["10.0.0.1"] }] }] },
    },
    ServiceObservability: {
      build: (a, n = "api") => new svc.ServiceObservability(n, a as never),
      valid: { monitor: { port: "http" }, alerts: { errorRate: { thresholdPercent: 5 } } },
    },
    IngressGateway: {
      build: (a, n = "public") => new svc.IngressGateway(n, a as never),
      valid: { servers: [{ port: 443, hosts: ["a.example.com"], tls: { secret: "cert" } }] },
    },
    IngressRoute: {
      build: (a, n = "web") => new svc.IngressRoute(n, a as never),
      valid: {
        gateway: "public",
        hosts: ["a.example.com"],
        routes: [{ match: [{ uri: { prefix: "/" } }], retries: { attempts: 2 } }],
      },
    },
    MeshServiceEntry: {
      build: (a, n = "api") => new svc.MeshServiceEntry(n, a as never),
      valid: { hosts: ["api.example.com"], ports: [{ number: 443, protocol: "TLS" }] },
    },
    EventBroker: {
      build: (a, n = "default") => new svc.EventBroker(n, a as never),
      valid: { delivery: { retry: 3 } },
    },
    EventTrigger: {
      build: (a, n = "orders") => new svc.EventTrigger(n, a as never),
      valid: { broker: "default", subscriber: { service: "orders" }, delivery: { retry: 1 } },
    },
    PingSource: {
      build: (a, n = "tick") => new svc.PingSource(n, a as never),
      valid: { schedule: "*/5 * * * *", sink: { broker: "default" } },
    },
    OpenFaasFunction: {
      build: (a, n = "image-processor") => new svc.OpenFaasFunction(n, a as never),
      valid: { image: "i:1", scale: { min: 1 }, limits: { cpu: "1" } },
    },
    IstioMesh: {
      build: (a, n = "istio") => new plat.IstioMesh(n, a),
      valid: {
        gateway: { serviceType: "NodePort" },
        tracing: { name: "t", service: "j.t", port: 4317 },
      },
    },
    KnativeServing: {
      build: (a, n = "knative") => new plat.KnativeServing(n, a as never),
      valid: {
        istio: { gatewaySelector: { istio: "ingressgateway" }, dependsOn: [] },
        autoscaler: { initialScale: 1 },
      },
    },
    Jaeger: {
      build: (a, n = "jaeger") => new plat.Jaeger(n, a),
      valid: {
        samplingPercentage: 10,
        telemetry: { rootNamespace: "istio-system", dependsOn: [] },
      },
    },
    Prometheus: {
      build: (a, n = "prometheus") => new plat.Prometheus(n, a),
      valid: { resources: { requests: { cpu: "1" } } },
    },
    Fluentd: {
      build: (a, n = "fluentd") => new plat.Fluentd(n, a as never),
      valid: { output: { type: "elasticsearch", host: "es.logging", tls: { enabled: true } } },
    },
    MeshPlatform: {
      build: (a, n = "platform") => new plat.MeshPlatform(n, a),
      valid: { knative: { autoscaler: { initialScale: 1 } }, istio: { gateway: { name: "edge" } } },
    },
    KnativeEventing: {
      build: (a, n = "eventing") => new plat.KnativeEventing(n, a as never),
      valid: {
        operator: { dependsOn: [] },
        istio: { dependsOn: [] },
        broker: { delivery: { retry: 3 } },
      },
    },
    OpenFaas: {
      build: (a, n = "openfaas") => new plat.OpenFaas(n, a),
      valid: { credentials: { adminUser: "admin" }, istio: { dependsOn: [] } },
    },
    MeshNetwork: {
      build: (a, n = "net") => new aws.MeshNetwork(n, a),
      valid: { lattice: { vpcs: [{ vpcId: "vpc-1" }] } },
    },
    MeshedFunction: {
      build: (a, n = "fn") => new aws.MeshedFunction(n, { network: network(), ...a } as never),
      valid: {
        imageUri: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/img:1",
        aliases: [{ name: "live", weight: 100 }],
        lattice: { serviceName: "fn-svc" },
      },
    },
  };
}
