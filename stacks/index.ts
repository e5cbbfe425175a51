// The Pulumi program (Pulumi.yaml `main`). Exported as a function so `pulumi up` and the offline
// renderer both call it and take its result as the stack outputs.
import { main } from "./program";

export = main;
