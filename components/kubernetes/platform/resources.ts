/** CPU and memory requests/limits of a pod's container, as the platform's charts take them. */
import { ArgChecker } from "../../core/validate";

/** CPU and memory, as Kubernetes quantities (`"500m"`, `"2Gi"`). */
export interface ResourceList {
  cpu?: string;
  memory?: string;
}

export interface ComputeResources {
  requests?: ResourceList;
  limits?: ResourceList;
}

// Kubernetes resource.Quantity (non-negative).
const QUANTITY = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/;

/** Validates `resources` at `path` (cpu and memory of requests and limits). */
export function checkComputeResources(
  check: ArgChecker,
  path: string,
  r: ComputeResources | undefined,
): void {
  for (const kind of ["requests", "limits"] as const) {
    for (const res of ["cpu", "memory"] as const) {
      check.pattern(
        `${path}.${kind}.${res}`,
        r?.[kind]?.[res],
        QUANTITY,
        'must be a Kubernetes quantity such as "500m", "2" or "4Gi"',
      );
    }
  }
}
