import { Files, isAwsResource, isKubernetesObject, label } from "./artifacts";
import { Recording } from "./engine";
import {
  buildTopology,
  EdgeKind,
  NodeKind,
  Topology,
  TopologyEdge,
  TopologyGroup,
  TopologyNode,
} from "./topology";

/**
 * The topology as pictures: Graphviz DOT laid out to `topology.svg` by Graphviz compiled to
 * WebAssembly (@hpcc-js/wasm-graphviz: no binary, no network), and the same graph as a Mermaid
 * flowchart in `topology.md` for a pull request or a wiki.
 *
 * Above LAYOUT_LIMIT nodes a full layout stops being readable (and dot's time grows faster than
 * linearly), so both pictures show namespaces with their counts and the edges between them.
 */

export const LAYOUT_LIMIT = 400;
/** GitHub renders Mermaid up to 500 edges; above that the Markdown shows namespaces only. */
export const MERMAID_EDGE_LIMIT = 500;
/** Above this many edges, ALLOW edges lose their labels (methods, paths) in the SVG: they would
 * stack into unreadable columns; topology.md keeps them. */
export const ALLOW_LABEL_LIMIT = 150;

/** Identifiers safe in DOT, SVG `id` (Graphviz escapes `-`) and Mermaid: letters and digits, others as `_hex`. */
export function safeId(id: string): string {
  return id.replace(/[^A-Za-z0-9]/g, (c) => `_${c.charCodeAt(0).toString(16)}`);
}

const STYLE: Record<NodeKind, string> = {
  host: 'shape=ellipse, style=filled, fillcolor="#fff4d6"',
  gateway: 'shape=box, style="rounded,filled,bold", fillcolor="#ffd59e"',
  route: 'shape=box, style=filled, fillcolor="#e8e8ff"',
  knative: 'shape=box, style="rounded,filled", fillcolor="#d4f4d4"',
  workload: 'shape=box, style="rounded,filled", fillcolor="#d6e8ff"',
  function: 'shape=box, style="rounded,filled", fillcolor="#fde2f3"',
  "aws-function": 'shape=box, style="rounded,filled", fillcolor="#ffe3c4"',
  "service-entry": 'shape=ellipse, style="filled,dashed", fillcolor="#f2f2f2"',
  external: "shape=ellipse, style=dashed",
  principal: 'shape=box, style="filled", fillcolor="#f0f0f0"',
  namespace: 'shape=box, style="dashed"',
};

const EDGE_STYLE: Record<EdgeKind, string> = {
  serves: 'color="#c87800", penwidth=1.5',
  route: 'color="#333333"',
  allow: 'color="#2e8b57", style=dashed, fontcolor="#2e8b57"',
  calls: 'color="#8a2be2", fontcolor="#8a2be2"',
};

const quote = (s: string): string =>
  `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;

export function groupLabel(g: TopologyGroup): string {
  const facts = [g.mtls ? `mTLS ${g.mtls}` : "", g.denyByDefault ? "deny by default" : ""];
  return [g.label, facts.filter(Boolean).join(" · ")].filter(Boolean).join("\n");
}

/** Namespaces with their node counts and the edges between them: the picture of a large render. */
export function summarise(t: Topology): Topology {
  const groupOf = new Map(t.nodes.map((n) => [n.id, n.group ? `group:${n.group}` : "outside"]));
  const counts = new Map<string, Map<NodeKind, number>>();
  for (const n of t.nodes) {
    const id = groupOf.get(n.id)!;
    const c = counts.get(id) ?? new Map<NodeKind, number>();
    c.set(n.kind, (c.get(n.kind) ?? 0) + 1);
    counts.set(id, c);
  }
  const labels = new Map(t.groups.map((g) => [`group:${g.id}`, groupLabel(g)]));
  const nodes: TopologyNode[] = [...counts.entries()].map(([id, c]) => ({
    id,
    kind: id === "outside" ? "external" : "namespace",
    label: [
      id === "outside" ? "outside the mesh" : (labels.get(id) ?? id),
      [...c.entries()]
        .sort()
        .map(([k, n]) => `${n} ${k}`)
        .join(", "),
    ].join("\n"),
  }));
  const edges = new Map<string, TopologyEdge & { n: number }>();
  for (const e of t.edges) {
    const [from, to] = [groupOf.get(e.from)!, groupOf.get(e.to)!];
    const key = `${from} ${to} ${e.kind}`;
    const x = edges.get(key) ?? { from, to, kind: e.kind, n: 0 };
    x.n++;
    edges.set(key, x);
  }
  return {
    nodes: nodes.sort((a, b) => a.id.localeCompare(b.id)),
    edges: [...edges.values()]
      .map(({ n, ...e }) => ({ ...e, label: `${n} ${e.kind}` }))
      .sort((a, b) => `${a.from} ${a.to} ${a.kind}`.localeCompare(`${b.from} ${b.to} ${b.kind}`)),
    groups: [],
  };
}

/** Graphviz DOT: one cluster per namespace / AWS network, outside hosts on the left. */
export function toDot(t: Topology, title: string): string {
  const lines = [
    "digraph mesh {",
    `  graph [rankdir=LR, fontname="Helvetica", fontsize=14, labelloc=t, label=${quote(title)}, nodesep=0.3, ranksep=0.9, newrank=true, bgcolor="white", pad=0.3];`,
    '  node [fontname="Helvetica", fontsize=12, margin="0.3,0.08"];',
    '  edge [fontname="Helvetica", fontsize=10, arrowsize=0.7];',
  ];
  const nodeLine = (n: TopologyNode, indent: string): string =>
    `${indent}${quote(safeId(n.id))} [id=${quote(safeId(n.id))}, label=${quote(n.label)}, ${STYLE[n.kind]}];`;
  for (const g of t.groups) {
    const members = t.nodes.filter((n) => n.group === g.id);
    if (members.length === 0) continue;
    const fill = g.denyByDefault ? "#fbfbf3" : g.id.startsWith("aws:") ? "#fff8f0" : "#f7f9fc";
    lines.push(
      `  subgraph ${quote(`cluster_${safeId(g.id)}`)} {`,
      `    id=${quote(`cluster_${safeId(g.id)}`)}; label=${quote(groupLabel(g))}; style="rounded,filled"; fillcolor="${fill}"; color="#9aa5b1"; fontsize=13;`,
      ...members.map((n) => nodeLine(n, "    ")),
      "  }",
    );
  }
  for (const n of t.nodes.filter((x) => !x.group)) lines.push(nodeLine(n, "  "));
  const bare = t.edges.length > ALLOW_LABEL_LIMIT;
  for (const e of t.edges) {
    const shown = bare && e.kind === "allow" ? undefined : e.label;
    const label = shown ? `, label=${quote(shown)}` : "";
    lines.push(
      `  ${quote(safeId(e.from))} -> ${quote(safeId(e.to))} [${EDGE_STYLE[e.kind]}${label}];`,
    );
  }
  lines.push("}", "");
  return lines.join("\n");
}

const mermaidText = (s: string): string => `"${s.replace(/"/g, "#quot;").replace(/\n/g, "<br/>")}"`;

const MERMAID_SHAPE: Partial<Record<NodeKind, [string, string]>> = {
  host: ["([", "])"],
  "service-entry": ["([", "])"],
  external: ["([", "])"],
  gateway: ["{{", "}}"],
};

/** The same graph as a Mermaid flowchart. */
export function toMermaid(t: Topology): string {
  const lines = ["flowchart LR"];
  const node = (n: TopologyNode, indent: string): string => {
    const [open, close] = MERMAID_SHAPE[n.kind] ?? ["[", "]"];
    return `${indent}${safeId(n.id)}${open}${mermaidText(n.label)}${close}`;
  };
  for (const g of t.groups) {
    const members = t.nodes.filter((n) => n.group === g.id);
    if (members.length === 0) continue;
    lines.push(`  subgraph ${safeId(`g-${g.id}`)}[${mermaidText(groupLabel(g))}]`);
    lines.push(...members.map((n) => node(n, "    ")), "  end");
  }
  for (const n of t.nodes.filter((x) => !x.group)) lines.push(node(n, "  "));
  for (const e of t.edges) {
    const arrow = e.kind === "allow" ? "-.->" : e.kind === "serves" ? "==>" : "-->";
    const label = e.label ? `|${mermaidText(e.label)}|` : "";
    lines.push(`  ${safeId(e.from)} ${arrow}${label} ${safeId(e.to)}`);
  }
  return lines.join("\n");
}

type Graphviz = { dot(src: string): string };
let graphviz: Promise<Graphviz> | undefined;

/** Graphviz (WebAssembly), loaded once per process; the package is ESM-only, hence import(). */
function loadGraphviz(): Promise<Graphviz> {
  graphviz ??= import("@hpcc-js/wasm-graphviz").then((m) => m.Graphviz.load());
  return graphviz;
}

/**
 * Starts loading Graphviz now: V8 compiles its WebAssembly on background threads, so a render
 * that calls this first has it ready by the time the program has run (~0.3 s of wall time).
 */
export function prepareGraphviz(): void {
  loadGraphviz().catch(() => undefined); // a failure surfaces where the picture is drawn
}

export interface TopologyFiles {
  "topology.svg": string;
  "topology.md": string;
}

/** `topology.svg` and `topology.md` for a render. */
export async function topologyFiles(t: Topology, title: string): Promise<TopologyFiles> {
  const large = t.nodes.length > LAYOUT_LIMIT;
  const drawn = large ? summarise(t) : t;
  const note = large
    ? `${t.nodes.length} nodes: more than ${LAYOUT_LIMIT}, so the picture shows namespaces and the edges between them`
    : t.edges.length > ALLOW_LABEL_LIMIT
      ? `${t.edges.length} edges: ALLOW edges (dashed) without their methods and paths; topology.md has them`
      : "";
  const svg = (await loadGraphviz()).dot(toDot(drawn, [title, note].filter(Boolean).join("\n")));
  const mermaidGraph = t.edges.length > MERMAID_EDGE_LIMIT ? summarise(t) : t;
  const legend = [
    "Legend: `==>` a host served by a gateway; `-->` a route (match, subset, weight) or an AWS",
    "backend call; `-.->` an AuthorizationPolicy ALLOW rule (who may call, with methods and paths).",
  ];
  const namespaces = t.groups.filter((g) => !g.id.startsWith("aws:"));
  const md = [
    `# ${title}`,
    "",
    `${t.nodes.length} nodes, ${t.edges.length} edges. The same graph is drawn in topology.svg.`,
    ...(mermaidGraph !== t
      ? ["", `More than ${MERMAID_EDGE_LIMIT} edges: the chart below shows namespaces only.`]
      : []),
    "",
    "```mermaid",
    toMermaid(mermaidGraph),
    "```",
    "",
    ...legend,
    ...(namespaces.length
      ? [
          "",
          "| namespace | mTLS | deny by default |",
          "| --- | --- | --- |",
          ...namespaces.map(
            (g) => `| ${g.id} | ${g.mtls ?? ""} | ${g.denyByDefault ? "yes" : "no"} |`,
          ),
        ]
      : []),
    "",
  ];
  return { "topology.svg": svg, "topology.md": md.join("\n") };
}

/** `topology.svg` and `topology.md`: the mesh drawn from the objects and the AWS plan. */
export async function buildTopologyFiles(recording: Recording, stack: string): Promise<Files> {
  const objects = recording.resources.filter(isKubernetesObject).map((r) => r.redacted);
  const aws = recording.resources.filter(isAwsResource).map((r) => ({
    type: r.type,
    name: r.name,
    ...(r.parent ? { parent: label(recording, r.parent) } : {}),
    inputs: r.redacted,
  }));
  if (objects.length === 0 && aws.length === 0) return {};
  return { ...(await topologyFiles(buildTopology(objects, aws), `Mesh topology: stack ${stack}`)) };
}
