/**
 * Istio's validating webhook for Gateway, DestinationRule, ServiceEntry and Sidecar.
 * Upstream: istio/istio pkg/config/validation/validation.go and agent/validation.go.
 */
import { isDns1123Label } from "../core/names";
import { Rule } from "./model";
import { checkDurations, istioObjects, wildcardDomainError } from "./istio-routing";
import { arr, obj, Obj, objs, spec, str, strs } from "./read";

const TLS_PROTOCOLS = new Set(["HTTPS", "TLS"]);
const HTTP_PROTOCOLS = new Set(["HTTP", "HTTP2", "GRPC", "GRPC-WEB"]);
const PROTOCOLS = new Set([...TLS_PROTOCOLS, ...HTTP_PROTOCOLS, "TCP", "MONGO", "REDIS", "MYSQL"]);

/** agent.ValidateNamespaceSlashWildcardHostname for gateway and Sidecar hosts. */
function namespacedHostError(host: string, gateway: boolean): string | undefined {
  const i = host.indexOf("/");
  if (i < 0) return gateway ? wildcardDomainError(host) : "must be <namespace>/<host>";
  const ns = host.slice(0, i);
  const name = host.slice(i + 1);
  if (!ns || !name) return "namespace and host cannot be empty";
  const bare = gateway ? ns : ns.replace(/^~/, "");
  if (bare !== "*" && bare !== "." && !isDns1123Label(bare)) return `invalid namespace "${ns}"`;
  return name === "*" ? undefined : wildcardDomainError(name);
}

export const gatewayServers: Rule = {
  code: "MS110",
  summary: "Gateway servers: hosts, named unique ports, protocol, TLS only where it belongs",
  source: "istio/istio pkg/config/validation/validation.go (ValidateGateway, validateServer)",
  check(index, report) {
    for (const gw of istioObjects(index, "Gateway")) {
      if (!isDns1123Label(gw.metadata.name ?? ""))
        report(gw, "error", "a Gateway name must be a DNS-1123 label (no dots)");
      const servers = objs(spec(gw).servers);
      if (servers.length === 0) report(gw, "error", "a Gateway needs at least one server");
      const names = new Set<string>();
      servers.forEach((s, i) => {
        const at = `servers[${i}]`;
        const port = obj(s.port);
        const protocol = String(port.protocol ?? "").toUpperCase();
        const name = str(port.name) ?? "";
        if (!name) report(gw, "error", `${at}.port.name must be set`);
        else if (names.has(name)) report(gw, "error", `${at}: port name "${name}" is not unique`);
        names.add(name);
        if (!PROTOCOLS.has(protocol))
          report(gw, "error", `${at}: protocol "${port.protocol}" is not supported`);
        const hosts = strs(s.hosts);
        if (hosts.length === 0) report(gw, "error", `${at} needs at least one host`);
        for (const h of hosts) {
          const e = namespacedHostError(h, true);
          if (e) report(gw, "error", `${at}: host "${h}": ${e}`);
        }
        const tls = s.tls === undefined ? undefined : obj(s.tls);
        if (TLS_PROTOCOLS.has(protocol) && !tls)
          report(gw, "error", `${at}: ${protocol} needs tls settings (mode and credentialName)`);
        if (tls && !TLS_PROTOCOLS.has(protocol)) {
          const redirectOnly = Object.keys(tls).every((k) => k === "httpsRedirect");
          if (!HTTP_PROTOCOLS.has(protocol) || !redirectOnly)
            report(gw, "error", `${at}: a plain ${protocol} server can only set tls.httpsRedirect`);
        }
        if (tls?.httpsRedirect && !HTTP_PROTOCOLS.has(protocol))
          report(gw, "warning", `${at}: tls.httpsRedirect only works on HTTP servers`);
        const mode = str(tls?.mode) ?? "SIMPLE";
        if (
          tls &&
          TLS_PROTOCOLS.has(protocol) &&
          ["SIMPLE", "MUTUAL", "OPTIONAL_MUTUAL"].includes(mode)
        ) {
          const credential = tls.credentialName !== undefined || arr(tls.credentialNames).length;
          if (!credential && !(tls.serverCertificate && tls.privateKey))
            report(gw, "error", `${at}: TLS ${mode} needs credentialName (or certificate and key)`);
          if (mode !== "SIMPLE" && !credential && !tls.caCertificates)
            report(gw, "error", `${at}: TLS ${mode} needs a client CA bundle`);
        }
      });
    }
  },
};

function trafficPolicies(s: Obj): [string, Obj][] {
  const out: [string, Obj][] = [];
  const add = (at: string, p: unknown) => {
    if (p === undefined) return;
    out.push([at, obj(p)]);
    objs(obj(p).portLevelSettings).forEach((pl, i) =>
      out.push([`${at}.portLevelSettings[${i}]`, pl]),
    );
  };
  add("trafficPolicy", s.trafficPolicy);
  objs(s.subsets).forEach((sub, i) => add(`subsets[${i}].trafficPolicy`, sub.trafficPolicy));
  return out;
}

export const destinationRules: Rule = {
  code: "MS120",
  summary: "DestinationRule host, unique DNS-label subsets, durations and outlier percentages",
  source:
    "istio/istio pkg/config/validation/validation.go (ValidateDestinationRule, validateTrafficPolicy)",
  check(index, report) {
    for (const dr of istioObjects(index, "DestinationRule")) {
      const s = spec(dr);
      const e = wildcardDomainError(str(s.host) ?? "");
      if (e) report(dr, "error", `host: ${e}`);
      const seen = new Set<string>();
      for (const sub of objs(s.subsets)) {
        const name = str(sub.name) ?? "";
        if (!isDns1123Label(name)) report(dr, "error", `subset "${name}" must be a DNS-1123 label`);
        if (seen.has(name)) report(dr, "error", `duplicate subset "${name}"`);
        seen.add(name);
      }
      for (const [at, p] of trafficPolicies(s)) {
        const pool = obj(p.connectionPool);
        const tcp = obj(pool.tcp);
        const od = obj(p.outlierDetection);
        checkDurations(dr, report, [
          [`${at}.connectionPool.tcp.connectTimeout`, tcp.connectTimeout],
          [`${at}.connectionPool.tcp.tcpKeepalive.time`, obj(tcp.tcpKeepalive).time],
          [`${at}.connectionPool.tcp.tcpKeepalive.interval`, obj(tcp.tcpKeepalive).interval],
          [`${at}.connectionPool.http.idleTimeout`, obj(pool.http).idleTimeout],
          [`${at}.outlierDetection.interval`, od.interval],
          [`${at}.outlierDetection.baseEjectionTime`, od.baseEjectionTime],
        ]);
        const pct = od.maxEjectionPercent;
        if (pct !== undefined && (Number(pct) < 0 || Number(pct) > 100))
          report(dr, "error", `${at}.outlierDetection.maxEjectionPercent ${pct} is outside 0..100`);
      }
    }
  },
};

export const serviceEntries: Rule = {
  code: "MS130",
  summary: "ServiceEntry hosts, ports and resolution agree (DNS needs FQDNs or endpoints)",
  source: "istio/istio pkg/config/validation/validation.go (ValidateServiceEntry)",
  check(index, report) {
    for (const se of istioObjects(index, "ServiceEntry")) {
      const s = spec(se);
      const hosts = strs(s.hosts);
      const resolution = str(s.resolution) ?? "NONE";
      const endpoints = arr(s.endpoints);
      if (hosts.length === 0) report(se, "error", "a ServiceEntry needs at least one host");
      for (const h of hosts) {
        const e = h === "*" ? 'the full wildcard "*" is not allowed' : wildcardDomainError(h);
        if (e) report(se, "error", `host "${h}": ${e}`);
      }
      if (s.workloadSelector !== undefined && s.endpoints !== undefined)
        report(se, "error", "set workloadSelector or endpoints, not both");
      if (
        strs(s.addresses).some((a) => a.includes("/")) &&
        !["NONE", "STATIC"].includes(resolution)
      )
        report(se, "error", "CIDR addresses are allowed only with resolution NONE or STATIC");
      const names = new Set<string>();
      const numbers = new Set<number>();
      for (const p of objs(s.ports)) {
        const name = str(p.name) ?? "";
        if (names.has(name)) report(se, "error", `port name "${name}" is defined twice`);
        if (numbers.has(Number(p.number))) report(se, "error", `port ${p.number} is defined twice`);
        names.add(name);
        numbers.add(Number(p.number));
      }
      if (resolution === "NONE" && endpoints.length > 0)
        report(se, "error", "resolution NONE takes no endpoints; use STATIC or DNS");
      if (["DNS", "DNS_ROUND_ROBIN"].includes(resolution) && endpoints.length === 0) {
        const wild = hosts.find((h) => h.includes("*"));
        if (wild)
          report(
            se,
            "error",
            `resolution ${resolution} without endpoints needs FQDN hosts, not "${wild}"; use resolution NONE or give endpoints`,
          );
      }
    }
  },
};

export const sidecars: Rule = {
  code: "MS160",
  summary:
    "Sidecar egress hosts are `<namespace>/<host>`, one catch-all listener last, unique ports",
  source: "istio/istio pkg/config/validation/validation.go (ValidateSidecar)",
  check(index, report) {
    for (const sc of istioObjects(index, "Sidecar")) {
      const s = spec(sc);
      const egress = objs(s.egress);
      if (
        egress.length === 0 &&
        arr(s.ingress).length === 0 &&
        !s.outboundTrafficPolicy &&
        !s.inboundConnectionPool
      )
        report(sc, "error", "an empty Sidecar configures nothing");
      if (
        s.workloadSelector !== undefined &&
        Object.keys(obj(obj(s.workloadSelector).labels)).length === 0
      )
        report(sc, "warning", "workloadSelector without labels applies to the whole namespace");
      const ports = new Set<number>();
      egress.forEach((e, i) => {
        const at = `egress[${i}]`;
        if (e.port === undefined && i !== egress.length - 1)
          report(sc, "error", `${at}: the listener without a port must be the last one`);
        if (e.port !== undefined) {
          const n = Number(obj(e.port).number);
          if (ports.has(n)) report(sc, "error", `${at}: port ${n} is used by two listeners`);
          ports.add(n);
        }
        const hosts = strs(e.hosts);
        if (hosts.length === 0) report(sc, "error", `${at} needs at least one host`);
        for (const h of hosts) {
          const err = namespacedHostError(h, false);
          if (err) report(sc, "error", `${at}: host "${h}": ${err}`);
        }
      });
    }
  },
};
