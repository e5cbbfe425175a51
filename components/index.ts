// The public API of mesh-serverless, re-exported by name.
export { ArgChecker } from "./core/validate";
export { invalidArgument, invalidMessage } from "./core/errors";
export { childName, isDns1123Label, isDns1123Subdomain } from "./core/names";
export { formatDuration, parseDuration } from "./core/durations";
export { validateManifest } from "./core/schema";
export type { SchemaVerdict } from "./core/schema";
export type { MeshInfo } from "./kubernetes/mesh-info";
