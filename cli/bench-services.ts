import { stringify } from "yaml";
import { UsageError } from "./stack-config";

/**
 * The config of `cli/bench.ts`: N realistic services in the format `stacks/services.ts` reads,
 * spread over ~10 mesh namespaces. 60% are Knative services (traffic policy on every other one,
 * retries/timeouts, revision splits, access rules with JWT on some, monitor, alerts, telemetry,
 * ingress, external callees), 40% meshed workloads (subsets with a weighted split, policy,
 * access, monitor). Deterministic: everything follows from the service's index.
 */

export type Json = Record<string, unknown>;

const pad = (n: number, width: number): string => String(n).padStart(width, "0");

/** Namespace `k` of the bench (`team-00` ...). */
export function benchNamespace(k: number): string {
  return `team-${pad(k, 2)}`;
}

/** How many namespaces N services are spread over: ~10, never more than the services. */
export function namespaceCount(services: number): number {
  return Math.max(1, Math.min(10, services));
}

/** Service `i` (1-based): 60% Knative services (`fn-0001`), 40% meshed workloads (`svc-0004`). */
export function benchServiceName(i: number): string {
  return `${i % 5 < 3 ? "fn" : "svc"}-${pad(i, 4)}`;
}

const POLICY = {
  connectionPool: {
    tcp: { maxConnections: 100, connectTimeout: "30ms" },
    http: { http1MaxPendingRequests: 1000, maxRequestsPerConnection: 10 },
  },
  outlierDetection: { consecutive5xxErrors: 5, interval: "30s", baseEjectionTime: "30s" },
  loadBalancer: "LEAST_REQUEST",
};

/** Who may call service `i`: a workload of the next namespace, and its own namespace's health checks. */
function access(i: number, nsCount: number): Json {
  const k = i % nsCount;
  const caller = `${benchNamespace((k + 1) % nsCount)}/${benchServiceName(((i + 7) % 9999) + 1)}`;
  const allow: Json[] = [
    { serviceAccounts: [caller], methods: ["GET", "POST"], paths: ["/api/*"] },
    { namespaces: [benchNamespace(k)], methods: ["GET"], paths: ["/health", "/ready"] },
  ];
  const out: Json = { allow };
  if (i % 8 === 0) {
    out.jwt = [
      {
        issuer: "https://auth.example.com",
        jwksUri: "https://auth.example.com/.well-known/jwks.json",
      },
    ];
    allow.push({
      requestPrincipals: ["https://auth.example.com/*"],
      methods: ["GET"],
      when: [{ key: "request.auth.claims[groups]", values: ["admins", benchNamespace(k)] }],
    });
  }
  if (i % 12 === 0) out.deny = [{ paths: ["/admin/*"], methods: ["DELETE", "PUT"] }];
  return out;
}

function observability(i: number): Json {
  const out: Json = {
    // A Knative service's metrics go through the revision Service's `http` port (queue-proxy to
    // the user container); that Service has no other port of the user's (analyzer rule MS405).
    monitor: { port: "http", path: "/metrics", interval: i % 4 === 0 ? "15s" : "30s" },
    alerts: {
      errorRate: { thresholdPercent: 1 + (i % 5), for: "5m", severity: "warning" },
      ...(i % 3 === 0 ? { latency: { thresholdMs: 250 + (i % 4) * 250, quantile: 0.99 } } : {}),
    },
  };
  if (i % 10 === 5) out.telemetry = { samplingPercentage: 10, accessLogs: true };
  return out;
}

function container(i: number, name: string, k: number, port: Json): Json {
  const out: Json = {
    image: `registry.example.com/${benchNamespace(k)}/${name}:1.${i % 7}.0`,
    ports: [port],
    env: { LOG_LEVEL: i % 3 === 0 ? "debug" : "info", SERVICE_NAME: name },
    resources: {
      requests: { cpu: `${100 + (i % 4) * 50}m`, memory: "128Mi" },
      limits: { cpu: "1", memory: "256Mi" },
    },
    readinessProbe: { httpGet: { path: "/ready" }, periodSeconds: 5 },
  };
  if (i % 4 === 0) out.secretEnv = { DATABASE_URL: { secret: `${name}-db`, key: "url" } };
  if (i % 2 === 0) out.livenessProbe = { httpGet: { path: "/health" }, initialDelaySeconds: 10 };
  return out;
}

function serverless(i: number, name: string, k: number, nsCount: number): Json {
  const out: Json = {
    namespace: benchNamespace(k),
    ...container(i, name, k, { containerPort: 8080 }),
    scale: { min: i % 3 === 0 ? 1 : 0, max: 10 + (i % 20), target: 100 },
    timeout: "30s",
    access: access(i, nsCount),
    ...observability(i),
  };
  const traffic: Json = {};
  if (i % 2 === 0) traffic.policy = POLICY;
  if (i % 6 === 0)
    traffic.routes = [
      {
        timeout: "10s",
        retries: { attempts: 3, perTryTimeout: "2s", retryOn: "5xx,reset,connect-failure" },
      },
    ];
  if (i % 10 === 0) {
    out.revisionName = `${name}-v2`;
    traffic.revisions = [
      { revision: `${name}-v1`, percent: 90 },
      { revision: `${name}-v2`, percent: 10, tag: "canary" },
    ];
  }
  if (Object.keys(traffic).length > 0) out.traffic = traffic;
  if (i % 25 === 0)
    out.ingress = {
      gateway: `${benchNamespace(k)}/gw-${benchNamespace(k)}`,
      hosts: [`${name}.example.com`],
      paths: ["/"],
    };
  if (i % 20 === 0)
    out.callees = {
      [`${name}-payments`]: {
        hosts: ["payments.example.com"],
        ports: [{ number: 443, name: "tls", protocol: "TLS" }],
        location: "MESH_EXTERNAL",
        resolution: "DNS",
      },
    };
  return out;
}

function workload(i: number, name: string, k: number, nsCount: number): Json {
  return {
    namespace: benchNamespace(k),
    ...container(i, name, k, { containerPort: 8080, name: "http" }),
    replicas: 2 + (i % 3),
    version: "v1",
    traffic: {
      subsets: [
        { name: "v1", labels: { version: "v1" } },
        { name: "v2", labels: { version: "v2" } },
      ],
      routes: [
        {
          destinations: [
            { subset: "v1", weight: 90 },
            { subset: "v2", weight: 10 },
          ],
        },
      ],
      policy: POLICY,
    },
    access: access(i, nsCount),
    monitor: { port: "http", path: "/metrics", interval: "30s" },
  };
}

/**
 * The `mesh-serverless:services` config of the bench: `services` services over
 * `namespaceCount(services)` mesh namespaces, each namespace with its ingress gateway.
 */
export function benchServices(services: number): Json {
  if (!Number.isInteger(services) || services < 1)
    throw new UsageError(`--services must be a positive integer, not ${services}`);
  const nsCount = namespaceCount(services);
  const namespaces: Json = {};
  const gateways: Json = {};
  for (let k = 0; k < nsCount; k++) {
    const ns = benchNamespace(k);
    const entry: Json = { mtls: { mode: "STRICT" }, denyByDefault: true };
    // Namespace k's workloads call the services of namespace k-1 (see `access`): its Sidecar
    // egress must show them (analyzer rule MS407).
    if (k % 2 === 0) entry.egressHosts = [`${benchNamespace((k + nsCount - 1) % nsCount)}/*`];
    // Sized for every service of the namespace at max scale (<= 29 pods of <= 375m requested CPU
    // and 1.5Gi memory limit with queue-proxy and istio-proxy), so it fits (analyzer rule MS601).
    const inNamespace = Math.floor((services - k) / nsCount) + (k === 0 ? 0 : 1);
    if (k % 3 === 0)
      entry.quota = {
        hard: { "requests.cpu": `${11 * inNamespace}`, "limits.memory": `${44 * inNamespace}Gi` },
      };
    namespaces[ns] = entry;
    gateways[`gw-${ns}`] = {
      namespace: ns,
      servers: [{ port: 80, name: "http", protocol: "HTTP", hosts: [`${ns}.example.com`] }],
    };
  }
  const serverlessEntries: Json = {};
  const workloads: Json = {};
  for (let i = 1; i <= services; i++) {
    const name = benchServiceName(i);
    const k = i % nsCount;
    if (i % 5 < 3) serverlessEntries[name] = serverless(i, name, k, nsCount);
    else workloads[name] = workload(i, name, k, nsCount);
  }
  return { namespaces, gateways, serverless: serverlessEntries, workloads };
}

/** The stack file of the bench. */
export function benchStackYaml(services: number): string {
  const config = {
    "mesh-serverless:environment": "dev",
    "mesh-serverless:clouds": ["kubernetes"],
    "mesh-serverless:services": benchServices(services),
  };
  // JSON round trip drops keys whose value is undefined, as YAML would not.
  const doc = { config: JSON.parse(JSON.stringify(config)) as Json };
  return `# Generated by cli/bench.ts for ${services} services.\n${stringify(doc, { lineWidth: 0 })}`;
}
