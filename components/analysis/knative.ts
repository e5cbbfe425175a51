/**
 * Knative Serving's validating webhook for `serving.knative.dev` Services, beyond the CRD schema.
 * Limits come from the KnativeServing CR's `spec.config` when the input has one, else from
 * Knative's defaults.
 */
import { parseDuration } from "../core/durations";
import { knativeAnnotation, knativeConfig } from "./inventory";
import { Inventory, K8sObject, Rule } from "./model";
import { labelsOf, obj, Obj, objs, spec, str } from "./read";

function knativeServices(index: Inventory): K8sObject[] {
  return index.byKind("Service").filter((o) => o.apiVersion.startsWith("serving.knative.dev/"));
}

function template(o: K8sObject): { annotations: Record<string, string>; spec: Obj } {
  const t = obj(spec(o).template);
  return { annotations: labelsOf(obj(t.metadata).annotations), spec: obj(t.spec) };
}

const KPA = "kpa.autoscaling.knative.dev";
const HPA = "hpa.autoscaling.knative.dev";
const AS = "autoscaling.knative.dev/";

const intGE0 = (v: string | undefined) =>
  v === undefined ? undefined : /^\d+$/.test(v) ? Number(v) : NaN;

export const autoscalingAnnotations: Rule = {
  code: "MS201",
  summary:
    "Knative autoscaling annotations: class, scale bounds (min <= max), target, window ranges",
  source: "knative/serving pkg/apis/autoscaling/annotation_validation.go (ValidateAnnotations)",
  check(index, report) {
    const autoscaler = knativeConfig(index, "autoscaler");
    const maxLimit = Number(autoscaler["max-scale-limit"] ?? 0);
    const zeroInitial = autoscaler["allow-zero-initial-scale"] === "true";
    for (const ks of knativeServices(index)) {
      const a = template(ks).annotations;
      const get = (k: string) => knativeAnnotation(a, AS + k);
      const cls = get("class") ?? autoscaler["pod-autoscaler-class"] ?? KPA;
      if (cls.endsWith("autoscaling.knative.dev") && cls !== KPA && cls !== HPA)
        report(ks, "error", `${AS}class "${cls}" is neither ${KPA} nor ${HPA}`);
      const min = intGE0(get("min-scale"));
      const max = intGE0(get("max-scale"));
      for (const [k, v] of [
        ["min-scale", min],
        ["max-scale", max],
      ] as const)
        if (Number.isNaN(v)) report(ks, "error", `${AS}${k} "${get(k)}" must be an integer >= 0`);
      if (min !== undefined && max !== undefined && max !== 0 && max < min)
        report(ks, "error", `${AS}max-scale=${max} is less than min-scale=${min}`);
      if (maxLimit > 0 && max !== undefined && (max === 0 || max > maxLimit))
        report(
          ks,
          "error",
          `${AS}max-scale=${max} exceeds the cluster's max-scale-limit ${maxLimit}`,
        );
      const initial = intGE0(get("initial-scale"));
      if (Number.isNaN(initial))
        report(ks, "error", `${AS}initial-scale "${get("initial-scale")}" must be an integer >= 0`);
      else if (initial === 0 && !zeroInitial)
        report(
          ks,
          "error",
          `${AS}initial-scale=0 needs allow-zero-initial-scale in config-autoscaler`,
        );
      const target = get("target");
      if (target !== undefined && !(Number(target) >= 0.01))
        report(ks, "error", `${AS}target "${target}" must be a number >= 0.01`);
      const util = get("target-utilization-percentage");
      if (util !== undefined && !(Number(util) >= 1 && Number(util) <= 100))
        report(ks, "error", `${AS}target-utilization-percentage "${util}" is outside 1..100`);
      const window = get("window");
      if (window !== undefined) {
        const ms = parseDuration(window);
        if (ms === undefined || ms < 6_000 || ms > 3_600_000 || ms % 1000 !== 0)
          report(ks, "error", `${AS}window "${window}" must be whole seconds from 6s to 1h`);
      }
      const panicWindow = get("panic-window-percentage");
      if (panicWindow !== undefined && !(Number(panicWindow) >= 1 && Number(panicWindow) <= 100))
        report(ks, "error", `${AS}panic-window-percentage "${panicWindow}" is outside 1..100`);
      const panicThreshold = get("panic-threshold-percentage");
      if (
        panicThreshold !== undefined &&
        !(Number(panicThreshold) >= 110 && Number(panicThreshold) <= 1000)
      )
        report(
          ks,
          "error",
          `${AS}panic-threshold-percentage "${panicThreshold}" is outside 110..1000`,
        );
      const metric = get("metric");
      if (metric !== undefined && cls === KPA && !["concurrency", "rps"].includes(metric))
        report(
          ks,
          "error",
          `${AS}metric "${metric}" needs class ${HPA}; KPA scales on concurrency or rps`,
        );
      const misplaced = Object.keys(labelsOf(ks.metadata.annotations)).filter((k) =>
        k.startsWith(AS),
      );
      if (misplaced.length > 0)
        report(
          ks,
          "error",
          `${misplaced.join(", ")} must be under spec.template.metadata.annotations to work`,
        );
    }
  },
};

export const revisionLimits: Rule = {
  code: "MS202",
  summary: "Knative containerConcurrency and timeoutSeconds within the cluster's limits",
  source:
    "knative/serving pkg/apis/serving/v1/revision_validation.go (validateTimeoutSeconds), metadata_validation.go (ValidateContainerConcurrency)",
  check(index, report) {
    const defaults = knativeConfig(index, "defaults");
    const maxTimeout = Number(defaults["max-revision-timeout-seconds"] ?? 600);
    const maxCc = Number(defaults["container-concurrency-max-limit"] ?? 1000);
    const minCc = defaults["allow-container-concurrency-zero"] === "false" ? 1 : 0;
    for (const ks of knativeServices(index)) {
      const s = template(ks).spec;
      const cc = s.containerConcurrency;
      if (cc !== undefined && !(Number(cc) >= minCc && Number(cc) <= maxCc))
        report(ks, "error", `containerConcurrency ${cc} is outside ${minCc}..${maxCc}`);
      const t = s.timeoutSeconds;
      if (t !== undefined && !(Number(t) >= 0 && Number(t) <= maxTimeout))
        report(
          ks,
          "error",
          `timeoutSeconds ${t} is outside 0..${maxTimeout} (max-revision-timeout-seconds)`,
        );
    }
  },
};

/** Pod-spec fields Knative drops unless a feature flag enables them (fieldmask.go PodSpecMask). */
const FEATURE_FIELDS: Record<string, string> = {
  affinity: "kubernetes.podspec-affinity",
  topologySpreadConstraints: "kubernetes.podspec-topologyspreadconstraints",
  hostAliases: "kubernetes.podspec-hostaliases",
  nodeSelector: "kubernetes.podspec-nodeselector",
  runtimeClassName: "kubernetes.podspec-runtimeclassname",
  tolerations: "kubernetes.podspec-tolerations",
  securityContext: "kubernetes.podspec-securitycontext",
  shareProcessNamespace: "kubernetes.podspec-shareprocessnamespace",
  priorityClassName: "kubernetes.podspec-priorityclassname",
  schedulerName: "kubernetes.podspec-schedulername",
  initContainers: "kubernetes.podspec-init-containers",
  dnsPolicy: "kubernetes.podspec-dnspolicy",
  dnsConfig: "kubernetes.podspec-dnsconfig",
  hostIPC: "kubernetes.podspec-hostipc",
  hostPID: "kubernetes.podspec-hostpid",
  hostNetwork: "kubernetes.podspec-hostnetwork",
};
const DISALLOWED = [
  "restartPolicy",
  "terminationGracePeriodSeconds",
  "activeDeadlineSeconds",
  "nodeName",
  "hostname",
  "subdomain",
];

export const podSpecFeatures: Rule = {
  code: "MS203",
  summary: "Knative pod-spec fields that need a feature flag, and fields Knative never allows",
  source:
    "knative/serving pkg/apis/serving/fieldmask.go (PodSpecMask), config/core/configmaps/features.yaml",
  check(index, report) {
    const features = knativeConfig(index, "features");
    for (const ks of knativeServices(index)) {
      const s = template(ks).spec;
      for (const [field, flag] of Object.entries(FEATURE_FIELDS)) {
        if (s[field] === undefined || features[flag] === "enabled") continue;
        if (index.knativeServing)
          report(
            ks,
            "error",
            `${field} needs feature flag ${flag}: enabled in the KnativeServing config (spec.config.features)`,
          );
        else
          report(
            ks,
            "warning",
            `${field} needs feature flag ${flag}: enabled in config-features; the webhook rejects it otherwise`,
          );
      }
      for (const field of DISALLOWED)
        if (s[field] !== undefined)
          report(ks, "error", `${field} is not allowed in a Knative revision`);
    }
  },
};

export const trafficTargets: Rule = {
  code: "MS204",
  summary:
    "Knative traffic: percents sum to 100, unique DNS-1035 tags, revisionName xor latestRevision",
  source:
    "knative/serving pkg/apis/serving/v1/route_validation.go (validateTrafficList, TrafficTarget.Validate)",
  check(index, report) {
    for (const ks of knativeServices(index)) {
      const traffic = objs(spec(ks).traffic);
      if (traffic.length === 0) continue;
      let sum = 0;
      const tags = new Set<string>();
      traffic.forEach((t, i) => {
        const at = `traffic[${i}]`;
        const pct = t.percent === undefined ? 0 : Number(t.percent);
        if (!(pct >= 0 && pct <= 100))
          report(ks, "error", `${at}.percent ${t.percent} is outside 0..100`);
        sum += pct;
        const tag = str(t.tag);
        if (tag !== undefined) {
          if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(tag) || tag.length > 63)
            report(ks, "error", `${at}.tag "${tag}" must be a DNS-1035 label`);
          if (tags.has(tag)) report(ks, "error", `${at}: tag "${tag}" is defined twice`);
          tags.add(tag);
        }
        // Defaulting sets latestRevision: true where no revisionName is given.
        if (t.latestRevision === true && t.revisionName !== undefined)
          report(ks, "error", `${at} sets revisionName with latestRevision: true`);
        if (t.latestRevision === false && t.revisionName === undefined)
          report(ks, "error", `${at} has latestRevision: false and no revisionName`);
        if (t.configurationName !== undefined)
          report(ks, "error", `${at}.configurationName is not allowed in a Service's traffic`);
      });
      if (sum !== 100) report(ks, "error", `traffic percents sum to ${sum}, want 100`);
    }
  },
};

// knative/serving pkg/apis/serving/k8s_validation.go: reservedPorts (queue-proxy's 8012, 8013,
// 8022, 9090, 9091 and the profiling port 8008), reservedEnvVars, validPortNames,
// reservedContainerNames.
const RESERVED_PORTS = new Set([8008, 8012, 8013, 8022, 9090, 9091]);
const RESERVED_ENV = new Set(["PORT", "K_SERVICE", "K_CONFIGURATION", "K_REVISION"]);
const PORT_NAMES = new Set(["h2c", "http1"]);
// fieldmask.go SecurityContextMask / CapabilitiesMask: the container fields Knative accepts
// (privileged only as false); capabilities.add needs kubernetes.containerspec-addcapabilities, or
// secure-pod-defaults with exactly ["NET_BIND_SERVICE"].
const SC_FIELDS = new Set([
  "allowPrivilegeEscalation",
  "capabilities",
  "privileged",
  "readOnlyRootFilesystem",
  "runAsGroup",
  "runAsNonRoot",
  "runAsUser",
  "seccompProfile",
]);

function securityContextProblems(sc: Record<string, unknown>, features: Record<string, string>) {
  const out = Object.keys(sc)
    .filter((k) => !SC_FIELDS.has(k) || (k === "privileged" && sc[k] !== false))
    .map((k) => `securityContext.${k} is not allowed on a Knative container`);
  const add = ((sc.capabilities as { add?: unknown[] } | undefined)?.add ?? []).map(String);
  const secure = ["enabled", "allow-root-bounded"].includes(features["secure-pod-defaults"] ?? "");
  const netBind = add.length === 1 && add[0] === "NET_BIND_SERVICE";
  if (
    add.length > 0 &&
    features["kubernetes.containerspec-addcapabilities"] !== "enabled" &&
    !(secure && netBind)
  )
    out.push(
      `securityContext.capabilities.add ${JSON.stringify(add)} needs kubernetes.containerspec-addcapabilities (or secure-pod-defaults with only NET_BIND_SERVICE)`,
    );
  return out;
}

export const knativeContainers: Rule = {
  code: "MS205",
  summary:
    "Knative containers: one port in all, named h2c/http1, not a queue-proxy port; no reserved env or names; securityContext fields Knative accepts",
  source:
    "knative/serving pkg/apis/serving/k8s_validation.go (validateContainerPorts, validateEnvVar, reserved*, validateSecurityContext), fieldmask.go (SecurityContextMask, CapabilitiesMask)",
  check(index, report) {
    const features = knativeConfig(index, "features");
    for (const ks of knativeServices(index)) {
      const containers = objs(template(ks).spec.containers);
      const ports = containers.flatMap((c) => objs(c.ports));
      if (ports.length > 1)
        report(
          ks,
          "error",
          `${ports.length} container ports are set; Knative allows a single port across all containers`,
        );
      for (const p of ports) {
        const name = str(p.name);
        if (name !== undefined && name !== "" && !PORT_NAMES.has(name))
          report(
            ks,
            "error",
            `port name "${name}" is not allowed: leave it empty or use h2c or http1`,
          );
        if (RESERVED_PORTS.has(Number(p.containerPort)))
          report(
            ks,
            "error",
            `containerPort ${p.containerPort} is reserved by queue-proxy; use another port`,
          );
      }
      for (const c of containers) {
        if (c.name === "queue-proxy")
          report(ks, "error", '"queue-proxy" is a reserved container name');
        for (const e of objs(c.env))
          if (RESERVED_ENV.has(str(e.name) ?? ""))
            report(ks, "error", `env ${e.name} is reserved: Knative sets it`);
        const sc = c.securityContext;
        if (sc && typeof sc === "object")
          for (const p of securityContextProblems(sc as Record<string, unknown>, features))
            report(ks, "error", p);
      }
    }
  },
};
