// The Pulumi entry (Pulumi.yaml `main`): `pulumi up` in this folder, with a kubeconfig for the
// cluster. Needs the Pulumi CLI and a cluster, so it is not run here; test/examples runs
// program.ts under Pulumi's mocks instead.
import { shop } from "./program";

const { url } = shop();
export const ordersUrl = url;
