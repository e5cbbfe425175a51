/**
 * Persistent volumes of the telemetry add-ons: one `ReadWriteOnce` claim per pod, on a storage
 * class and with a size per environment.
 * https://kubernetes.io/docs/concepts/storage/persistent-volumes/#persistentvolumeclaims
 */
import { ArgChecker } from "../../core/validate";

/** A volume that outlives its pod. */
export interface PersistentStorageArgs {
  /** Requested size, a Kubernetes quantity such as `"200Gi"`. */
  size: string;
  /** StorageClass of the claim. @default the cluster's default StorageClass */
  storageClass?: string;
}

// A positive Kubernetes quantity in bytes (binary or decimal suffix).
const SIZE = /^([1-9]\d*|\d+\.\d*[1-9]\d*)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

/** Validates `storage` at `path`. */
export function checkStorage(
  check: ArgChecker,
  path: string,
  s: PersistentStorageArgs | false | undefined,
): void {
  if (s === undefined || s === false) return;
  check.pattern(
    `${path}.size`,
    s.size,
    SIZE,
    'must be a positive Kubernetes quantity such as "50Gi" or "500M"',
  );
  check.dnsSubdomain(`${path}.storageClass`, s.storageClass);
}

/** The PersistentVolumeClaim spec for `s`. */
export function claimSpec(s: PersistentStorageArgs): {
  accessModes: string[];
  resources: { requests: { storage: string } };
  storageClassName?: string;
} {
  return {
    accessModes: ["ReadWriteOnce"],
    resources: { requests: { storage: s.size } },
    ...(s.storageClass !== undefined ? { storageClassName: s.storageClass } : {}),
  };
}
