/**
 * External authorization servers as Istio `meshConfig.extensionProviders` (`envoyExtAuthzHttp` /
 * `envoyExtAuthzGrpc`), the providers a service's CUSTOM access rule names. Checked as istiod
 * checks mesh config: istio/istio pkg/config/validation/agent/extensionprovider.go
 * (`validateExtensionProvider`: names non-empty and unique; `ValidateExtensionProviderEnvoyExtAuthz
 * HTTP`/`GRPC`: port 1-65535, a service that is an FQDN, an IP or `namespace/host`, a
 * `statusOnError` that is an HTTP status code Envoy knows, an HTTP `pathPrefix` starting with "/").
 * Fields: istio/api mesh/v1alpha1/config.proto `EnvoyExternalAuthorizationHttpProvider` /
 * `EnvoyExternalAuthorizationGrpcProvider`.
 * https://istio.io/latest/docs/tasks/security/authorization/authz-custom/
 */
import type { ArgChecker } from "../../core/validate";
import { isIPv4 } from "net";
import { isDns1123Label, isDns1123Subdomain, PROVIDER_NAME } from "../../core/names";
import type { Values } from "./helm";

/** What the authorization server is sent of the request body (`includeRequestBodyInCheck`). */
export interface ExtAuthzRequestBody {
  /** Most bytes of the body buffered and sent (`maxRequestBytes`). */
  maxRequestBytes?: number;
  /** Send the first `maxRequestBytes` instead of answering 413 for a larger body. @default false */
  allowPartialMessage?: boolean;
  /** Send the body as raw bytes instead of UTF-8 text (gRPC only). @default false */
  packAsBytes?: boolean;
}

/** An ext-authz server, by the protocol Envoy calls it with. */
export interface IstioExtAuthzProvider {
  /** `envoyExtAuthzHttp` or `envoyExtAuthzGrpc`. */
  protocol: "http" | "grpc";
  /**
   * The server: a fully qualified host (`ext-authz.auth.svc.cluster.local`), an IP, or
   * `namespace/host` (`auth/ext-authz.auth.svc.cluster.local`).
   */
  service: string;
  /** Port of the server, 1-65535. */
  port: number;
  /** How long a check may take, at least 1ms. @default Istio's "600s" */
  timeout?: string;
  /** Let requests through when the server cannot be reached or errs. @default false */
  failOpen?: boolean;
  /** HTTP status sent when the server cannot be reached, such as "503". @default Istio's 403 */
  statusOnError?: string;
  /** Prefix of the check request's path (HTTP only), starting with "/". */
  pathPrefix?: string;
  /** Request headers sent to the server (HTTP only; `x-*`-style prefix/suffix `*` allowed). */
  includeRequestHeadersInCheck?: string[];
  /** Server response headers added to the request sent upstream on allow (HTTP only). */
  headersToUpstreamOnAllow?: string[];
  /** Server response headers returned to the caller on deny (HTTP only). */
  headersToDownstreamOnDeny?: string[];
  /** Send the request body too. @default not sent */
  includeRequestBodyInCheck?: ExtAuthzRequestBody;
}

// Envoy's envoy.type.v3.StatusCode values (envoy/type/v3/http_status.proto), which Istio looks
// statusOnError up in; 0 ("Empty") is left out: it is not an HTTP status.
const ENVOY_STATUS_CODES = new Set([
  100, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308,
  400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 421,
  422, 423, 424, 426, 428, 429, 431, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);
const HEADER = /^\*?[A-Za-z0-9!#$%&'+.^_`|~-]+\*?$|^\*$/;
const HTTP_ONLY = [
  "pathPrefix",
  "includeRequestHeadersInCheck",
  "headersToUpstreamOnAllow",
  "headersToDownstreamOnDeny",
] as const;

/** An FQDN (a DNS subdomain with a dot), an IPv4 address, or `namespace/host`. */
function isProviderService(s: string): boolean {
  const slash = s.split("/");
  if (slash.length === 2) return isDns1123Label(slash[0]) && isDns1123Subdomain(slash[1]);
  return slash.length === 1 && (isIPv4(s) || (isDns1123Subdomain(s) && s.includes(".")));
}

/**
 * Checks `providers` (`argument.<name>`) and returns them sorted by name. `taken` are the names
 * of the mesh's other extension providers (its tracing provider): names must be unique.
 */
export function resolveExtAuthz(
  check: ArgChecker,
  argument: string,
  providers: Record<string, IstioExtAuthzProvider> | undefined,
  taken: readonly string[],
): Array<IstioExtAuthzProvider & { name: string }> {
  return Object.keys(providers ?? {})
    .sort()
    .map((name) => {
      const p = (providers as Record<string, IstioExtAuthzProvider>)[name];
      const at = `${argument}.${name}`;
      check.pattern(
        at,
        name,
        PROVIDER_NAME,
        "provider names are letters, digits, '.', '_' and '-'",
      );
      if (taken.includes(name))
        check.fail(at, name, "must differ from the tracing provider's name (names are unique)");
      if (!isProviderService(p.service))
        check.fail(
          `${at}.service`,
          p.service,
          'must be a fully qualified host ("ext-authz.auth.svc.cluster.local"), an IP address, or "namespace/host"',
        );
      check.port(`${at}.port`, p.port);
      const timeoutMs = check.durationMs(`${at}.timeout`, p.timeout, 1);
      const status = p.statusOnError;
      if (status !== undefined && !(/^\d+$/.test(status) && ENVOY_STATUS_CODES.has(+status)))
        check.fail(
          `${at}.statusOnError`,
          p.statusOnError,
          'must be an HTTP status code such as "503"',
        );
      if (p.protocol === "grpc") {
        for (const f of HTTP_ONLY)
          if (p[f] !== undefined) check.fail(`${at}.${f}`, p[f], 'is for protocol "http" only');
      }
      check.pattern(`${at}.pathPrefix`, p.pathPrefix, /^\/\S*$/, 'must start with "/"');
      for (const f of HTTP_ONLY.slice(1))
        (p[f] as string[] | undefined)?.forEach((h, i) =>
          check.pattern(
            `${at}.${f}[${i}]`,
            h,
            HEADER,
            "a header name, optionally with a leading or trailing '*'",
          ),
        );
      const body = p.includeRequestBodyInCheck;
      check.int(
        `${at}.includeRequestBodyInCheck.maxRequestBytes`,
        body?.maxRequestBytes,
        1,
        2 ** 32 - 1,
      );
      if (p.protocol === "http" && body?.packAsBytes !== undefined)
        check.fail(
          `${at}.includeRequestBodyInCheck.packAsBytes`,
          body.packAsBytes,
          'is for protocol "grpc" only',
        );
      // A google.protobuf.Duration in mesh config's JSON form: seconds with an "s" suffix.
      return {
        name,
        ...p,
        ...(timeoutMs !== undefined ? { timeout: `${timeoutMs / 1000}s` } : {}),
      };
    });
}

/** `meshConfig.extensionProviders` entries for checked providers (keys as the proto spells them). */
export function extAuthzProviders(
  providers: Array<IstioExtAuthzProvider & { name: string }>,
): Values[] {
  return providers.map(({ name, protocol, ...p }) => ({
    [protocol === "http" ? "envoyExtAuthzHttp" : "envoyExtAuthzGrpc"]: { ...p },
    name,
  }));
}
