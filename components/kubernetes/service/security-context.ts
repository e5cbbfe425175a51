/**
 * The container `securityContext` this package emits: the Pod Security Standards "restricted"
 * profile by default (https://kubernetes.io/docs/concepts/security/pod-security-standards/),
 * plus a read-only root filesystem, overridable field by field per service.
 */
import type { IIoK8sApiCoreV1SecurityContext as ISecurityContext } from "kubernetes-models/v1/SecurityContext" with {
  "resolution-mode": "import",
};
import { ArgChecker } from "../../core/validate";

/**
 * Container security settings; each field given replaces the default of that field only. Only
 * fields Knative Serving's webhook accepts on a container (knative/serving
 * pkg/apis/serving/fieldmask.go SecurityContextMask: no `privileged`, `seLinuxOptions`,
 * `procMount`) so the same settings work for a `ServerlessService` and a `MeshedWorkload`.
 * @see https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
 */
export interface SecurityContextArgs {
  /** Refuse to start the container as UID 0. @default true */
  runAsNonRoot?: boolean;
  /** UID to run as (0-2147483647). @default the image's user */
  runAsUser?: number;
  /** GID to run as (0-2147483647). @default the image's group */
  runAsGroup?: number;
  /** Mount the container's root filesystem read-only. @default true */
  readOnlyRootFilesystem?: boolean;
  /** Allow setuid binaries to gain privileges. @default false */
  allowPrivilegeEscalation?: boolean;
  /**
   * Linux capabilities (names such as `NET_BIND_SERVICE`). A Knative service may add only
   * `NET_BIND_SERVICE`, and only where Knative's `secure-pod-defaults` or
   * `kubernetes.containerspec-addcapabilities` flag is enabled (fieldmask.go CapabilitiesMask).
   * @default { drop: ["ALL"] }
   */
  capabilities?: { add?: string[]; drop?: string[] };
  /** @default { type: "RuntimeDefault" } */
  seccompProfile?: {
    type: "RuntimeDefault" | "Localhost" | "Unconfined";
    localhostProfile?: string;
  };
}

/** The "restricted" profile's container fields plus a read-only root filesystem. @internal */
export const RESTRICTED_SECURITY_CONTEXT: Readonly<ISecurityContext> = Object.freeze({
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  seccompProfile: { type: "RuntimeDefault" as const },
});

const MAX_ID = 2147483647;
/** Capability names as the kernel spells them; "all" in lower case silently drops nothing. */
const CAPABILITY = /^[A-Z][A-Z0-9_]*$/;

/** Checks `securityContext`; `knative` applies Knative Serving's stricter container rules. */
export function checkSecurityContext(
  check: ArgChecker,
  sc: SecurityContextArgs | undefined,
  knative: boolean,
): void {
  if (sc === undefined) return;
  const p = "securityContext";
  check.int(`${p}.runAsUser`, sc.runAsUser, 0, MAX_ID);
  check.int(`${p}.runAsGroup`, sc.runAsGroup, 0, MAX_ID);
  if (sc.runAsUser === 0 && (sc.runAsNonRoot ?? true))
    check.fail(
      `${p}.runAsUser`,
      0,
      "UID 0 is root: the kubelet refuses to start it with runAsNonRoot (set runAsNonRoot: false to run as root)",
    );
  for (const part of ["add", "drop"] as const)
    (sc.capabilities?.[part] ?? []).forEach((c, i) =>
      check.pattern(
        `${p}.capabilities.${part}[${i}]`,
        c,
        CAPABILITY,
        'a capability name in upper case, e.g. "NET_BIND_SERVICE" or "ALL"',
      ),
    );
  const add = sc.capabilities?.add ?? [];
  if (knative && add.length > 0 && !(add.length === 1 && add[0] === "NET_BIND_SERVICE"))
    check.fail(
      `${p}.capabilities.add`,
      add,
      'a Knative service may add only ["NET_BIND_SERVICE"] (knative/serving fieldmask.go CapabilitiesMask)',
    );
  const seccomp = sc.seccompProfile;
  if (seccomp === undefined) return;
  if ((seccomp.type === "Localhost") !== (seccomp.localhostProfile !== undefined))
    check.fail(
      `${p}.seccompProfile.localhostProfile`,
      seccomp.localhostProfile,
      'required with type "Localhost" and not allowed with any other type',
    );
  check.pattern(
    `${p}.seccompProfile.localhostProfile`,
    seccomp.localhostProfile,
    /^[^/\s][^\s]*$/,
    "a path relative to the kubelet's seccomp directory, without whitespace",
  );
}

/**
 * The restricted defaults with the fields `sc` sets replaced; keys in a fixed order. Adding a
 * capability keeps the default `drop: ["ALL"]` unless `drop` is given too.
 * @internal
 */
export function securityContext(sc: SecurityContextArgs | undefined): ISecurityContext {
  const caps = sc?.capabilities && {
    ...(sc.capabilities.add ? { add: sc.capabilities.add } : {}),
    drop: sc.capabilities.drop ?? ["ALL"],
  };
  const merged: ISecurityContext = {
    ...RESTRICTED_SECURITY_CONTEXT,
    ...sc,
    ...(caps ? { capabilities: caps } : {}),
  };
  return Object.fromEntries(
    Object.entries(merged)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b)),
  ) as ISecurityContext;
}
