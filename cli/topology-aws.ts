import type { Builder } from "./topology";
import { objectAt } from "./plain";

/**
 * The AWS part of the topology: functions grouped by mesh network (the Cloud Map namespace their
 * registration points at), with their alias weights, URL auth and the backends they call.
 */

type Json = Record<string, unknown>;

/** A resource of the AWS plan, as aws-plan.json lists it. */
export interface AwsPlanResource {
  type: string;
  name: string;
  parent?: string;
  inputs: Json;
}

export function addAws(b: Builder, resources: AwsPlanResource[]): void {
  const parentName = (r: AwsPlanResource): string => (r.parent ?? "").split("::").pop() ?? "";
  const networkOf = new Map<string, string>(); // registry resource id -> network group
  for (const r of resources) {
    if (r.type === "aws:servicediscovery/httpNamespace:HttpNamespace") {
      const network = parentName(r);
      const backend = resources.some(
        (x) => parentName(x) === network && x.type.startsWith("aws:appmesh/"),
      )
        ? "app-mesh"
        : "vpc-lattice";
      const id = `aws:${network}`;
      b.group(id, {
        label: `AWS network ${network} (${backend}, Cloud Map ${String(r.inputs.name)})`,
      });
      networkOf.set(`${r.name}-id`, id);
    }
  }
  const fnOf = (r: AwsPlanResource): string => `fn:${parentName(r)}`;
  for (const r of resources.filter((x) => x.type === "aws:lambda/function:Function")) {
    const registration = resources.find(
      (x) => x.type === "aws:servicediscovery/service:Service" && parentName(x) === parentName(r),
    );
    const instance = resources.find(
      (x) => x.type === "aws:servicediscovery/instance:Instance" && parentName(x) === parentName(r),
    );
    const aliases = String(objectAt(instance?.inputs.attributes).ALIASES ?? "")
      .replace(/=/g, " ")
      .replace(/,/g, " / ");
    const urls = resources
      .filter(
        (x) => x.type === "aws:lambda/functionUrl:FunctionUrl" && parentName(x) === parentName(r),
      )
      .map((x) => String(x.inputs.authorizationType));
    const label = [
      `λ ${parentName(r)}`,
      aliases,
      urls.length ? `URL ${[...new Set(urls)].join(",")}` : "",
    ]
      .filter(Boolean)
      .join("\n");
    b.node({
      id: fnOf(r),
      kind: "aws-function",
      label,
      group: networkOf.get(String(registration?.inputs.namespaceId)) ?? "aws:functions",
    });
  }
  for (const r of resources.filter((x) => x.type === "aws:lambda/function:Function")) {
    const vars = objectAt(objectAt(r.inputs.environment).variables);
    for (const key of Object.keys(vars)
      .filter((k) => k.startsWith("MESH_BACKEND_"))
      .sort()) {
      const target = `fn:${key.slice("MESH_BACKEND_".length).toLowerCase().replace(/_/g, "-")}`;
      if (b.nodes.has(target))
        b.edge({ from: fnOf(r), to: target, kind: "calls", label: "backend" });
    }
  }
}
