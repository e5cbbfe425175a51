// The `mesh-serverless/kubernetes` entry point: the Kubernetes platform and per-service
// components. It never loads `@pulumi/aws` (an optional peer): test/package/consumer.test.ts.
export { meshDefaults } from "./mesh-info";
export type { MeshInfo, OpenFaasInfo, ResolvedMeshInfo } from "./mesh-info";
export * from "./platform";
export * from "./service";
