import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { buildInventory } from "../components/analysis/inventory";
import {
  labelsMatch,
  labelsOf,
  nsOf,
  obj,
  objs,
  serviceOfHost,
  spec,
  str,
  strs,
} from "../components/analysis/read";
import { selectedWorkloads } from "../components/analysis/references";
import { kubernetesObjects } from "./resources";

/**
 * Guardrails a platform team sets on every program, beyond upstream's admission rules. Each
 * policy's config (enforcementLevel and the keys in its configSchema) comes from
 * `pulumi preview --policy-pack-config <file>`; defaults are the secure choice.
 */

/** Config with the schema's defaults under what the user set (the engine fills them too). */
function config<T extends object>(args: { getConfig<C extends object>(): C }, defaults: T): T {
  return { ...defaults, ...args.getConfig<Partial<T>>() };
}

const PEER_AUTH = /^kubernetes:security\.istio\.io\/v1(beta1)?:PeerAuthentication$/;

export const mtlsStrict: ResourceValidationPolicy = {
  name: "mtls-strict-outside-dev",
  description: "Istio PeerAuthentication is STRICT (or inherits) outside development environments.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      environment: {
        type: "string",
        default: "production",
        description: "This stack's environment.",
      },
      devEnvironments: { type: "array", items: { type: "string" }, default: ["dev"] },
      exemptNamespaces: {
        type: "array",
        items: { type: "string" },
        // Knative's webhooks are called by the API server, outside the mesh (knative.dev docs,
        // "Istio: mTLS"); the platform keeps knative-serving PERMISSIVE for them.
        default: ["knative-serving"],
      },
    },
  },
  validateResource: (args, report) => {
    if (!PEER_AUTH.test(args.type)) return;
    const c = config(args, {
      environment: "production",
      devEnvironments: ["dev"],
      exemptNamespaces: ["knative-serving"],
    });
    if (c.devEnvironments.includes(c.environment)) return;
    const props = args.props as {
      metadata?: { namespace?: string };
      spec?: Record<string, unknown>;
    };
    if (c.exemptNamespaces.includes(props.metadata?.namespace ?? "")) return;
    const s = props.spec ?? {};
    const modes: [string, unknown][] = [
      ["spec.mtls.mode", obj(s.mtls).mode],
      ...Object.entries(obj(s.portLevelMtls)).map(([port, m]): [string, unknown] => [
        `spec.portLevelMtls.${port}.mode`,
        obj(m).mode,
      ]),
    ];
    for (const [at, mode] of modes)
      if (mode !== undefined && mode !== "STRICT" && mode !== "UNSET")
        report(
          `${at} is ${mode} in environment ${c.environment}: outside ${c.devEnvironments.join(", ")} mTLS must be STRICT`,
        );
  },
};

/** Services reached from an ingress gateway: a route's destination, or the Host it rewrites to. */
function publicServices(objects: ReturnType<typeof buildInventory>): Set<string> {
  const out = new Set<string>();
  for (const vs of objects.byKind("VirtualService")) {
    const gateways = strs(spec(vs).gateways);
    if (gateways.length === 0 || gateways.every((g) => g === "mesh")) continue;
    for (const r of objs(spec(vs).http)) {
      const hosts = [
        str(obj(r.rewrite).authority),
        ...objs(r.route).map((d) => str(obj(d.destination).host)),
      ];
      for (const h of hosts) {
        const svc = h ? serviceOfHost(h, nsOf(vs)) : undefined;
        if (svc && !h!.startsWith("knative-local-gateway."))
          out.add(`${svc.namespace}/${svc.name}`);
      }
    }
  }
  return out;
}

export const noOpenAllowOnPublicService: StackValidationPolicy = {
  name: "no-open-allow-on-public-service",
  description:
    'No AuthorizationPolicy ALLOW rule open to every principal (no `from`, or principals ["*"]) on a service an ingress gateway routes to.',
  enforcementLevel: "mandatory",
  configSchema: {
    properties: { exemptPolicies: { type: "array", items: { type: "string" }, default: [] } },
  },
  validateStack: (args, report) => {
    const { exemptPolicies } = config(args, { exemptPolicies: [] as string[] });
    const objects = kubernetesObjects(args.resources);
    const index = buildInventory(objects.map((o) => o.object));
    const exposed = publicServices(index);
    for (const o of objects.filter((x) => x.object.kind === "AuthorizationPolicy")) {
      const ap = o.object;
      const ref = `${nsOf(ap)}/${ap.metadata.name}`;
      if ((str(spec(ap).action) ?? "ALLOW") !== "ALLOW" || exemptPolicies.includes(ref)) continue;
      const workloads = selectedWorkloads(
        index,
        nsOf(ap),
        labelsOf(obj(spec(ap).selector).matchLabels),
      );
      const services = index
        .byKind("Service")
        .filter((s) => nsOf(s) === nsOf(ap))
        .filter(
          (s) =>
            workloads.some((w) => w.owner === s) ||
            (s.apiVersion === "v1" &&
              workloads.some(
                (w) =>
                  labelsMatch(labelsOf(spec(s).selector), w.podLabels) &&
                  Object.keys(labelsOf(spec(s).selector)).length > 0,
              )),
        )
        .map((s) => `${nsOf(s)}/${s.metadata.name}`)
        .filter((s) => exposed.has(s));
      if (services.length === 0) continue;
      objs(spec(ap).rules).forEach((r, i) => {
        const open =
          r.from === undefined ||
          objs(r.from).some((f) => strs(obj(f.source).principals).includes("*"));
        if (open)
          report(
            `AuthorizationPolicy ${ref} rules[${i}] allows every principal on public service ${services.join(", ")}; name the callers (principals or namespaces, e.g. the ingress gateway's)`,
            o.urn,
          );
      });
    }
  },
};

export const functionUrlIam: ResourceValidationPolicy = {
  name: "function-url-aws-iam",
  description: "Lambda function URLs use AWS_IAM authorization (NONE makes the function public).",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type !== "aws:lambda/functionUrl:FunctionUrl") return;
    const auth = args.props.authorizationType;
    if (auth !== "AWS_IAM")
      report(
        `function URL ${args.name} has authorizationType ${JSON.stringify(auth)}; use AWS_IAM`,
      );
  },
};

export const containersHaveLimits: StackValidationPolicy = {
  name: "containers-have-limits",
  description:
    "Every container of a Deployment, StatefulSet, DaemonSet, Pod or Knative Service has resource limits (its own or its namespace's LimitRange default).",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      resources: { type: "array", items: { type: "string" }, default: ["cpu", "memory"] },
    },
  },
  validateStack: (args, report) => {
    const { resources } = config(args, { resources: ["cpu", "memory"] });
    const objects = kubernetesObjects(args.resources);
    const index = buildInventory(objects.map((o) => o.object));
    const defaulted = (ns: string, r: string) =>
      index
        .byKind("LimitRange")
        .filter((l) => nsOf(l) === ns)
        .some((l) =>
          objs(spec(l).limits).some(
            (x) => x.type === "Container" && obj(x.default)[r] !== undefined,
          ),
        );
    for (const w of index.workloads)
      for (const c of objs(w.podSpec.containers)) {
        const limits = obj(obj(c.resources).limits);
        const missing = resources.filter(
          (r) => limits[r] === undefined && !defaulted(w.namespace, r),
        );
        if (missing.length > 0)
          report(
            `${w.owner.kind} ${w.namespace}/${w.owner.metadata.name} container ${str(c.name) ?? "(unnamed)"} has no ${missing.map((r) => `limits.${r}`).join(", ")} and namespace ${w.namespace} has no LimitRange default`,
            objects.find((o) => o.object === w.owner)?.urn,
          );
      }
  },
};

export const noNewAppMesh: ResourceValidationPolicy = {
  name: "no-new-app-mesh",
  description:
    "No AWS App Mesh meshes: AWS ended App Mesh support on 2026-09-30; use VPC Lattice. Existing meshes being migrated can be listed in allowedMeshes.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: { allowedMeshes: { type: "array", items: { type: "string" }, default: [] } },
  },
  validateResource: (args, report) => {
    if (args.type !== "aws:appmesh/mesh:Mesh") return;
    const { allowedMeshes } = config(args, { allowedMeshes: [] as string[] });
    const name = String(args.props.name ?? args.name);
    if (!allowedMeshes.includes(name) && !allowedMeshes.includes(args.name))
      report(
        `App Mesh mesh ${name}: AWS ended App Mesh support on 2026-09-30; use VPC Lattice (backend "vpc-lattice")`,
      );
  },
};
