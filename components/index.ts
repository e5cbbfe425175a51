// The public API of mesh-serverless (the `mesh-serverless` entry point): the Kubernetes
// components and the secret helpers. The AWS components are the `mesh-serverless/aws` entry, so
// that a Kubernetes-only program neither installs nor loads `@pulumi/aws` (an optional peer).
// Every name exported here and from the other entries is listed in test/fixtures/api/<entry>.txt,
// checked by test/package/api-report.test.ts: a change to the surface is a reviewed change.
export { declareSecret, keepSecret } from "./core/secrets";
export * from "./kubernetes";
