/**
 * The shape of a stack's config (`mesh-serverless:<key>` in `stacks/Pulumi.<stack>.yaml`),
 * composed from the components' args types. `npm run schema` turns `StackConfig` into
 * `schema/stack-config.schema.json`; the program validates the whole config against it before
 * building anything, and editors use it for completion. What differs from the components' args
 * is what a YAML file cannot hold: namespaces, networks and backends are referred to by their
 * entry's name, code is inline text or a path.
 */
import type { MeshPlatformArgs } from "../components/kubernetes/platform/platform";
import type {
  EventBrokerArgs,
  EventTriggerArgs,
  PingSourceArgs,
  IngressGatewayArgs,
  IngressRouteArgs,
  MeshedWorkloadArgs,
  MeshNamespaceArgs,
  MeshServiceEntryArgs,
  OpenFaasFunctionArgs,
  ServerlessServiceArgs,
  ServiceAccessArgs,
  ServiceObservabilityArgs,
  ServiceTrafficArgs,
} from "../components/kubernetes/service";
import type { MeshNetworkArgs } from "../components/aws/mesh-network";
import type { MeshedFunctionArgs } from "../components/aws/meshed-function";

/** A service component's args in a stack file: the mesh comes from the platform; `namespace`
 * names a Kubernetes namespace (an entry of `namespaces` when it has one). */
type InStack<T> = Omit<T, "mesh" | "namespace"> & {
  /** The Kubernetes namespace; an entry of `services.namespaces` is created first. */
  namespace?: string;
};

/** Per-service mesh configuration, each kind by entry name. */
export interface ServicesConfig {
  namespaces?: Record<string, Omit<MeshNamespaceArgs, "mesh">>;
  serverless?: Record<string, InStack<ServerlessServiceArgs>>;
  workloads?: Record<string, InStack<MeshedWorkloadArgs>>;
  traffic?: Record<string, InStack<ServiceTrafficArgs>>;
  access?: Record<string, InStack<ServiceAccessArgs>>;
  observability?: Record<string, InStack<ServiceObservabilityArgs>>;
  gateways?: Record<string, InStack<IngressGatewayArgs>>;
  routes?: Record<string, InStack<IngressRouteArgs>>;
  serviceEntries?: Record<string, InStack<MeshServiceEntryArgs>>;
  /** Knative Eventing Brokers (needs `platform.eventing`, or Eventing installed otherwise). */
  brokers?: Record<string, InStack<EventBrokerArgs>>;
  /**
   * Triggers: a `subscriber.service` naming a `serverless` entry of the same namespace gets the
   * broker's delivery rule added to its `access` (it admits the broker filter's identity).
   */
  triggers?: Record<string, InStack<EventTriggerArgs>>;
  /** PingSources sending to a Broker on a cron schedule. */
  pingSources?: Record<string, InStack<PingSourceArgs>>;
  /** OpenFaaS functions (`Function` resources); namespace default: the install's functions namespace. */
  openfaas?: Record<string, InStack<OpenFaasFunctionArgs>>;
}

/** Another AWS region or account. */
export interface AwsProviderConfig {
  region: string;
  /** Role the deployment assumes in the target account. */
  assumeRoleArn?: string;
}

export type AwsNetworkConfig = Omit<MeshNetworkArgs, "namespaceName"> & {
  /** Cloud Map HTTP namespace. Default: `renamedFrom`, else the entry name. */
  namespace?: string;
  /** An entry of `aws.providers`; unset: the default provider. */
  provider?: string;
  /**
   * The entry's previous name, after renaming it: the network keeps its resources (a Pulumi
   * alias) and its physical names (namespace, service network or mesh name default to it).
   */
  renamedFrom?: string;
};

export type AwsFunctionConfig = Omit<
  MeshedFunctionArgs,
  "network" | "code" | "imageUri" | "backends"
> & {
  /** An entry of `aws.networks`. */
  network: string;
  /** Handler source, deployed as `index.js`; one of `inline`, `path` or `image`. */
  inline?: string;
  /** A directory or zip file with the deployment package. */
  path?: string;
  /** Container image URI. */
  image?: string;
  /** Entries of `aws.functions` this one calls. */
  backends?: string[];
  /**
   * The entry's previous name, after renaming it: the function keeps its resources (a Pulumi
   * alias) and its physical name (`functionName` defaults to it).
   */
  renamedFrom?: string;
};

export interface AwsConfig {
  providers?: Record<string, AwsProviderConfig>;
  networks?: Record<string, AwsNetworkConfig>;
  functions?: Record<string, AwsFunctionConfig>;
}

/** Every key of the project's namespace a stack may set. */
export interface StackConfig {
  /** What the program insists on: STRICT mTLS outside dev, explicit cluster and account in prod. */
  environment: "dev" | "staging" | "prod";
  /**
   * Where this stack deploys.
   * @default ["kubernetes"]
   * @minItems 1
   */
  clouds?: ("kubernetes" | "aws")[];
  /** The cluster's kubeconfig; set it as a secret (`pulumi config set --secret kubeconfig`). */
  kubeconfig?: string;
  kubernetes?: {
    /** A kubeconfig context to use instead of the current one. */
    context?: string;
  };
  /** The cluster add-ons, installed by one `MeshPlatform`. */
  platform?: MeshPlatformArgs;
  services?: ServicesConfig;
  aws?: AwsConfig;
}
