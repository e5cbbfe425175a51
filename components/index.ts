// The public API of mesh-serverless. Each area's index.ts lists its exports by name; this file
// gathers the areas and the core helpers a caller needs for its own components.
export { ArgChecker } from "./core/validate";
export { invalidArgument, invalidMessage } from "./core/errors";
export { declareSecret, keepSecret } from "./core/secrets";
export { childName, isDns1123Label, isDns1123Subdomain } from "./core/names";
export { formatDuration, parseDuration } from "./core/durations";
export { validateManifest } from "./core/schema";
export type { SchemaVerdict } from "./core/schema";
export { meshDefaults } from "./kubernetes/mesh-info";
export type { MeshInfo } from "./kubernetes/mesh-info";
export * from "./kubernetes/platform";
export * from "./kubernetes/service";
export * from "./aws";
