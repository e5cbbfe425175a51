import Ajv2020 from "ajv/dist/2020";
import { deepMerge, isPlainObject, Values } from "../../../components/core/values";

/**
 * Does a chart read the values we give it? Helm accepts any key and silently ignores those no
 * template reads, so a misspelt or outdated key is a setting that does nothing. The chart's own
 * `values.yaml` is the list of keys it reads, with these rules, checked in this order at every
 * key of the rendered values:
 *
 * 1. The key is in values.yaml at that path: go on below it.
 *    - Its default is an empty mapping `{}` or a list: free-form, anything below is accepted
 *      (user maps and lists such as `resources: {}`, `env: {}`, `extraEnv: []`).
 *    - Its name is a Kubernetes string map (`KUBERNETES_MAPS`: annotations, labels, ...): free-form
 *      even where values.yaml ships entries (the gateway's `podAnnotations`).
 *    - Its default is a scalar or null: the value must not be a mapping (a mapping below a scalar
 *      default is a key the chart never documents), unless the chart rule lists the path as a
 *      documented free-form map (`freeForm`, e.g. Jaeger's whole-config `userconfig: null`).
 * 2. The key is not in values.yaml: accepted only where the chart rule names it as read by the
 *    templates (`templateKeys`, each with the template that reads it, e.g. Istio's `profile`),
 *    or, under a subchart's key, where the subchart's own values.yaml has it (kube-prometheus-
 *    stack's `grafana.*` against the grafana chart). Otherwise every leaf below it is reported.
 *
 * Istio's charts keep their defaults under `_internal_defaults_do_not_set` and merge user values
 * over them in templates/zzz_profile.yaml ("Users should NOT set ._internal_defaults_do_not_set
 * explicitly, but rather directly set the fields internally"): that wrapper is unwrapped first.
 */

/** What the generic rule cannot know about one chart; every entry says where it comes from. */
export interface ChartRule {
  /** Dotted paths whose value is a documented free-form map or document -> why. */
  freeForm?: Record<string, string>;
  /** Dotted top-level or nested paths read by templates though absent from values.yaml -> where. */
  templateKeys?: Record<string, string>;
  /** Top-level key -> subchart name whose values.yaml also governs that key. */
  subcharts?: Record<string, string>;
}

/** Keys whose values are Kubernetes string maps (object metadata, node selection). */
export const KUBERNETES_MAPS: ReadonlySet<string> = new Set([
  "annotations",
  "labels",
  "podAnnotations",
  "podLabels",
  "commonAnnotations",
  "commonLabels",
  "nodeSelector",
  "selectorLabels",
]);

const ISTIO_PROFILE_KEYS: Record<string, string> = {
  profile:
    "templates/zzz_profile.yaml: `coalesce .Values.profile .Values.global.profile` selects files/profile-<name>.yaml (istio.io/latest/docs/ambient/install/helm/: `--set profile=ambient`)",
};

/** The rules of the charts the platform installs, by chart name. */
export const CHART_RULES: Readonly<Record<string, ChartRule>> = {
  base: { templateKeys: ISTIO_PROFILE_KEYS },
  istiod: {
    templateKeys: ISTIO_PROFILE_KEYS,
    freeForm: {
      meshConfig:
        "values.yaml: `meshConfig` is a MeshConfig, 'See https://istio.io/docs/reference/config/istio.mesh.v1alpha1/ for all available options'; templates/configmap.yaml renders it whole",
    },
  },
  gateway: { templateKeys: ISTIO_PROFILE_KEYS },
  cni: { templateKeys: ISTIO_PROFILE_KEYS },
  ztunnel: { templateKeys: ISTIO_PROFILE_KEYS },
  jaeger: {
    freeForm: {
      userconfig:
        "values.yaml: 'User provided config to override the config completely'; templates/jaeger/jaeger-user-config.yaml renders it whole (`toYaml .Values.userconfig`)",
      uiconfig: "values.yaml: 'User provided ui config'; templates/jaeger/jaeger-ui-config.yaml",
    },
  },
  "kube-prometheus-stack": { subcharts: { grafana: "grafana" } },
  openfaas: {
    templateKeys: {
      registryPrefix:
        'templates/_helpers.tpl "openfaas.image" (every image); values-pro.yaml documents it commented out',
    },
  },
  fluentd: {
    freeForm: {
      fileConfigs:
        "values.yaml: file name -> fluentd config; templates/fluentd-configurations-cm.yaml ranges over every entry",
    },
  },
};

/** The defaults a chart's templates see: Istio's `_internal_defaults_do_not_set` unwrapped. */
export function chartDefaults(valuesYaml: unknown): Values {
  const raw = isPlainObject(valuesYaml) ? valuesYaml : {};
  const { _internal_defaults_do_not_set: wrapped, ...rest } = raw;
  return isPlainObject(wrapped) ? deepMerge(rest, wrapped) : rest;
}

function leaves(value: unknown, at: string): string[] {
  if (!isPlainObject(value) || Object.keys(value).length === 0) return [at];
  return Object.entries(value).flatMap(([k, v]) => leaves(v, `${at}.${k}`));
}

const isFreeFormDefault = (d: unknown) =>
  Array.isArray(d) || (isPlainObject(d) && Object.keys(d).length === 0);

function walk(values: Values, defaults: Values, rule: ChartRule, prefix: string): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const at = prefix === "" ? key : `${prefix}.${key}`;
    if (!(key in defaults)) {
      if (rule.templateKeys?.[at] === undefined) out.push(...leaves(value, at));
      continue;
    }
    const d = defaults[key];
    if (rule.freeForm?.[at] !== undefined || KUBERNETES_MAPS.has(key) || isFreeFormDefault(d))
      continue;
    if (isPlainObject(d)) {
      if (isPlainObject(value)) out.push(...walk(value, d, rule, at));
      else out.push(`${at} (the chart's default is a mapping)`);
    } else if (isPlainObject(value)) {
      out.push(...leaves(value, at).map((p) => `${p} (below a scalar default)`));
    }
  }
  return out;
}

/**
 * Paths of `values` that the chart does not read, sorted; [] when every key is one it reads.
 * `subchartDefaults` holds the unwrapped values.yaml of each subchart the rule names.
 */
export function unknownValuePaths(
  values: Values,
  defaults: Values,
  rule: ChartRule = {},
  subchartDefaults: Record<string, Values> = {},
): string[] {
  const found = new Set(walk(values, defaults, rule, ""));
  for (const [key, chart] of Object.entries(rule.subcharts ?? {})) {
    const sub = values[key];
    if (!isPlainObject(sub)) continue;
    const subDefaults = subchartDefaults[chart];
    if (subDefaults === undefined) throw new Error(`no values.yaml for subchart ${chart}`);
    // A path under the subchart's key is read when either chart has it.
    const bySubchart = new Set(
      walk(sub, subDefaults, CHART_RULES[chart] ?? {}, "").map((p) => `${key}.${p}`),
    );
    for (const p of [...found]) if (p.startsWith(`${key}.`) && !bySubchart.has(p)) found.delete(p);
  }
  return [...found].sort();
}

/**
 * Errors of `values` merged over the chart's values.yaml (what Helm validates) against its
 * `values.schema.json`. The Istio gateway schema declares `"$schema":
 * "http://json-schema.org/schema#"`, which names no draft ("the latest"), and is written with
 * `$defs` and a root `$ref` beside other keywords, which are 2019-09/2020-12 semantics: it is
 * compiled as draft 2020-12, with the unresolvable meta-schema URI left out.
 */
export function schemaErrors(schema: object, valuesYaml: unknown, values: Values): string[] {
  const { $schema: _draft, ...body } = schema as Values;
  // strict off: the schema carries a `defaults` keyword JSON Schema does not define (validators,
  // Helm's included, ignore unknown keywords).
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const validate = ajv.compile(body);
  const merged = deepMerge(isPlainObject(valuesYaml) ? valuesYaml : {}, values);
  if (validate(merged)) return [];
  return (validate.errors ?? []).map(
    (e) =>
      `${e.instancePath || "/"} ${e.message ?? ""}${e.params ? ` ${JSON.stringify(e.params)}` : ""}`,
  );
}
