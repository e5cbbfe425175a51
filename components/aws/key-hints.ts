/**
 * AWS options written where they do not belong, by type: one that moved is told where it went,
 * one of the other backend which backend it belongs to. `npm run schema` attaches these to those object schemas (the same
 * way as the upstream names in kubernetes/upstream-keys.ts).
 */
const ROUTING = "which both backends read";
export const AWS_KEY_HINTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  LatticeFunctionOptions: { idleTimeoutSeconds: `moved to \`routing.timeout.idle\`, ${ROUTING}` },
  AppMeshFunctionOptions: {
    retryPolicy: `moved to \`routing.retries\`, ${ROUTING}`,
    timeout: `moved to \`routing.timeout\`, ${ROUTING}`,
  },
  LatticeMeshNetworkArgs: {
    appMesh:
      'applies only to backend "app-mesh"; when moving to VPC Lattice delete the block (the mesh is retained on delete)',
  },
  AppMeshMeshNetworkArgs: { lattice: 'applies only to backend "vpc-lattice"' },
  AppMeshNetworkOptions: {
    endpoint:
      "is no longer an option: each function's APP_MESH_ENDPOINT is its own virtual service and router port, the address callers dial",
  },
};
