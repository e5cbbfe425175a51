import { strict as assert } from "assert";
import { AwsPlanResource, buildTopology, serviceOf, Topology } from "../../cli/topology";
import {
  ALLOW_LABEL_LIMIT,
  LAYOUT_LIMIT,
  safeId,
  summarise,
  toDot,
  toMermaid,
  topologyFiles,
} from "../../cli/topology-render";

type Json = Record<string, unknown>;

const obj = (apiVersion: string, kind: string, namespace: string, name: string, spec: Json) => ({
  apiVersion,
  kind,
  metadata: { name, namespace },
  spec,
});

/** A small mesh with one of everything the picture shows. */
const OBJECTS: Json[] = [
  { apiVersion: "v1", kind: "Namespace", metadata: { name: "sandbox" } },
  obj("serving.knative.dev/v1", "Service", "shop", "orders", {
    template: { spec: { serviceAccountName: "orders" } },
  }),
  obj("apps/v1", "Deployment", "shop", "catalog", {
    template: { spec: { serviceAccountName: "catalog" } },
  }),
  obj("v1", "Service", "shop", "catalog", {}),
  obj("networking.istio.io/v1", "Gateway", "shop", "public", {
    servers: [
      { port: { number: 443, protocol: "HTTPS" }, hosts: ["shop.example.com"] },
      {
        port: { number: 80, protocol: "HTTP" },
        hosts: ["shop.example.com"],
        tls: { httpsRedirect: true },
      },
    ],
  }),
  obj("networking.istio.io/v1", "VirtualService", "shop", "orders-ingress", {
    gateways: ["shop/public"],
    hosts: ["shop.example.com"],
    http: [
      {
        match: [{ uri: { prefix: "/orders" } }],
        rewrite: { authority: "orders.shop.svc.cluster.local" },
        route: [{ destination: { host: "knative-local-gateway.istio-system.svc.cluster.local" } }],
      },
    ],
  }),
  obj("networking.istio.io/v1", "VirtualService", "shop", "catalog", {
    hosts: ["catalog.shop.svc.cluster.local"],
    http: [
      {
        route: [
          { destination: { host: "catalog", subset: "v1" }, weight: 90 },
          { destination: { host: "catalog", subset: "v2" }, weight: 10 },
        ],
      },
      { route: [{ destination: { host: "api.payments.example.com" } }] },
    ],
  }),
  obj("networking.istio.io/v1", "ServiceEntry", "shop", "payments", {
    hosts: ["api.payments.example.com"],
    location: "MESH_EXTERNAL",
  }),
  obj("security.istio.io/v1", "AuthorizationPolicy", "shop", "allow-nothing", {}),
  obj("security.istio.io/v1", "AuthorizationPolicy", "shop", "catalog", {
    action: "ALLOW",
    selector: { matchLabels: { app: "catalog" } },
    rules: [
      {
        from: [{ source: { principals: ["cluster.local/ns/shop/sa/orders"] } }],
        to: [{ operation: { methods: ["GET"], paths: ["/products"] } }],
      },
      { from: [{ source: { namespaces: ["istio-system"] } }] },
    ],
  }),
  obj("security.istio.io/v1", "AuthorizationPolicy", "shop", "deny-admin", {
    action: "DENY",
    rules: [{ to: [{ operation: { paths: ["/admin"] } }] }],
  }),
  obj("security.istio.io/v1", "PeerAuthentication", "istio-system", "default", {
    mtls: { mode: "STRICT" },
  }),
  obj("security.istio.io/v1", "PeerAuthentication", "sandbox", "default", {
    mtls: { mode: "PERMISSIVE" },
  }),
];

const AWS: AwsPlanResource[] = [
  {
    type: "aws:servicediscovery/httpNamespace:HttpNamespace",
    name: "dev-mesh-registry",
    parent: "mesh-serverless:aws:MeshNetwork::dev-mesh",
    inputs: { name: "dev.internal" },
  },
  ...["orders", "users"].flatMap((fn) => [
    {
      type: "aws:lambda/function:Function",
      name: `${fn}-function`,
      parent: `mesh-serverless:aws:MeshedFunction::${fn}`,
      inputs:
        fn === "orders"
          ? { environment: { variables: { MESH_BACKEND_USERS: "https://users", STAGE: "dev" } } }
          : {},
    },
    {
      type: "aws:servicediscovery/service:Service",
      name: `${fn}-registration`,
      parent: `mesh-serverless:aws:MeshedFunction::${fn}`,
      inputs: { namespaceId: "dev-mesh-registry-id" },
    },
    {
      type: "aws:servicediscovery/instance:Instance",
      name: `${fn}-instance`,
      parent: `mesh-serverless:aws:MeshedFunction::${fn}`,
      inputs: { attributes: { ALIASES: fn === "orders" ? "stable=90,canary=10" : "live=100" } },
    },
  ]),
];

describe("cli/topology", () => {
  let t: Topology;
  before(() => {
    t = buildTopology(OBJECTS, AWS);
  });

  it("resolves service hosts the way Istio does: short names in the route's namespace", () => {
    assert.equal(serviceOf("reviews", "shop"), "shop/reviews");
    assert.equal(serviceOf("reviews.other", "shop"), "other/reviews");
    assert.equal(serviceOf("reviews.other.svc.cluster.local", "shop"), "other/reviews");
    assert.equal(serviceOf("api.example.com", "shop"), undefined);
    assert.equal(serviceOf("*.shop.svc.cluster.local", "shop"), undefined);
  });

  it("has a node per host, gateway, route, service, caller and function, with its group", () => {
    assert.deepEqual(
      t.nodes.map(
        (n) => `${n.id} | ${n.kind} | ${n.label.replace(/\n/g, " / ")} | ${n.group ?? ""}`,
      ),
      [
        "fn:orders | aws-function | λ orders / stable 90 / canary 10 | aws:dev-mesh",
        "fn:users | aws-function | λ users / live 100 | aws:dev-mesh",
        "gw:shop/public | gateway | gateway public | shop",
        "host:api.payments.example.com | service-entry | api.payments.example.com (MESH_EXTERNAL) | shop",
        "host:shop.example.com | host | shop.example.com | ",
        "ns:istio-system | namespace | every workload in istio-system | istio-system",
        "ns:sandbox | namespace | every workload in sandbox | sandbox",
        "svc:shop/catalog | workload | catalog | shop",
        "svc:shop/orders | knative | orders (Knative) | shop",
        "vs:shop/catalog | route | route catalog / for catalog | shop",
        "vs:shop/orders-ingress | route | route orders-ingress | shop",
      ],
    );
  });

  it("has edges for hosts, routes with subsets and weights, ALLOW rules and AWS backends", () => {
    assert.deepEqual(
      t.edges.map((e) => `${e.from} -${e.kind}-> ${e.to} ${e.label ?? ""}`.trim()),
      [
        "fn:orders -calls-> fn:users backend",
        "gw:shop/public -route-> vs:shop/orders-ingress shop.example.com",
        "host:shop.example.com -serves-> gw:shop/public HTTPS 443",
        "host:shop.example.com -serves-> gw:shop/public redirect to HTTPS",
        "ns:istio-system -allow-> svc:shop/catalog any request",
        // The principal is the Knative service's account: the edge starts at the service.
        "svc:shop/orders -allow-> svc:shop/catalog GET /products",
        "vs:shop/catalog -route-> host:api.payments.example.com",
        "vs:shop/catalog -route-> svc:shop/catalog subset v1 · 90%",
        "vs:shop/catalog -route-> svc:shop/catalog subset v2 · 10%",
        // Through the Knative local gateway to the service its rewrite names.
        "vs:shop/orders-ingress -route-> svc:shop/orders /orders",
      ],
    );
  });

  it("labels namespaces with their mTLS mode and deny-by-default, AWS networks with backend", () => {
    assert.deepEqual(t.groups, [
      { id: "aws:dev-mesh", label: "AWS network dev-mesh (vpc-lattice, Cloud Map dev.internal)" },
      { id: "istio-system", label: "namespace istio-system", mtls: "STRICT" },
      { id: "sandbox", label: "namespace sandbox", mtls: "PERMISSIVE" },
      { id: "shop", label: "namespace shop", mtls: "STRICT", denyByDefault: true },
    ]);
  });

  it("says Istio's default when no mesh-wide PeerAuthentication is rendered", () => {
    const g = buildTopology([obj("v1", "Service", "a", "s", {})]).groups;
    assert.deepEqual(g, [{ id: "a", label: "namespace a", mtls: "PERMISSIVE (Istio default)" }]);
  });

  it("writes the graph as Mermaid: a subgraph per group, arrows per edge kind", () => {
    const m = toMermaid(t).split("\n");
    assert.equal(m[0], "flowchart LR");
    assert.ok(
      m.includes(
        `  subgraph ${safeId("g-shop")}["namespace shop<br/>mTLS STRICT · deny by default"]`,
      ),
    );
    assert.ok(m.includes(`    ${safeId("svc:shop/orders")}["orders (Knative)"]`));
    assert.ok(m.includes(`  ${safeId("host:shop.example.com")}(["shop.example.com"])`));
    assert.ok(
      m.includes(
        `  ${safeId("svc:shop/orders")} -.->|"GET /products"| ${safeId("svc:shop/catalog")}`,
      ),
    );
    assert.ok(
      m.includes(
        `  ${safeId("vs:shop/catalog")} -->|"subset v1 · 90%"| ${safeId("svc:shop/catalog")}`,
      ),
    );
    assert.ok(
      m.includes(
        `  ${safeId("host:shop.example.com")} ==>|"HTTPS 443"| ${safeId("gw:shop/public")}`,
      ),
    );
  });

  it("writes an SVG laid out by Graphviz with an element per node and a cluster per group", async () => {
    const files = await topologyFiles(t, "Mesh topology: stack test");
    const svg = files["topology.svg"];
    assert.match(svg, /^<\?xml version="1\.0" encoding="UTF-8" standalone="no"\?>/);
    assert.match(svg, /<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.ok(svg.trimEnd().endsWith("</svg>"));
    assertBalanced(svg);
    for (const n of t.nodes)
      assert.match(svg, new RegExp(`<g id="${safeId(n.id)}" class="node"`), n.id);
    for (const g of ["shop", "sandbox", "istio-system", "aws:dev-mesh"])
      assert.match(svg, new RegExp(`<g id="cluster_${safeId(g)}" class="cluster"`), g);
    assert.match(svg, />subset v1 · 90%</);
    assert.match(files["topology.md"], /^# Mesh topology: stack test\n\n11 nodes, 10 edges\./);
    assert.match(files["topology.md"], /^\| shop \| STRICT \| yes \|$/m);
    // Layout is deterministic: the same graph gives the same bytes.
    assert.equal((await topologyFiles(t, "Mesh topology: stack test"))["topology.svg"], svg);
  });

  it("above the layout limit draws namespaces with counts and the edges between them", async () => {
    const objects = Array.from({ length: LAYOUT_LIMIT + 1 }, (_, i) =>
      obj("v1", "Service", `ns-${i % 3}`, `s-${i}`, {}),
    );
    const big = buildTopology(objects);
    const small = summarise(big);
    assert.deepEqual(
      small.nodes.map((n) => n.label.replace(/\n/g, " / ")),
      [0, 1, 2].map(
        (k) =>
          `namespace ns-${k} / mTLS PERMISSIVE (Istio default) / ${k < 2 ? 134 : 133} workload`,
      ),
    );
    const svg = (await topologyFiles(big, "big"))["topology.svg"];
    assert.match(svg, /401 nodes: more than 400, so the picture shows namespaces/);
    assert.doesNotMatch(svg, new RegExp(safeId("svc:ns-0/s-0")));
  });

  it("drops ALLOW labels (not route labels) from the DOT of a graph with many edges", () => {
    const edges = Array.from({ length: ALLOW_LABEL_LIMIT + 1 }, (_, i) => ({
      from: "a",
      to: `b${i}`,
      kind: i === 0 ? ("route" as const) : ("allow" as const),
      label: i === 0 ? "50%" : "GET /x",
    }));
    const dot = toDot({ nodes: [], edges, groups: [] }, "t");
    assert.match(dot, /label="50%"/);
    assert.doesNotMatch(dot, /GET \/x/);
  });
});

/** Every opened element is closed, in order (the SVG is well-formed XML as far as tags go). */
function assertBalanced(xml: string): void {
  const stack: string[] = [];
  const body = xml.replace(/<!--[\s\S]*?-->/g, "").replace(/<[?!][^>]*>/g, "");
  for (const [, close, name, selfClosing] of body.matchAll(
    /<(\/?)([A-Za-z][\w:-]*)[^>]*?(\/?)>/g,
  )) {
    if (selfClosing) continue;
    if (!close) stack.push(name);
    else assert.equal(stack.pop(), name, `</${name}> closes <${stack[stack.length] ?? "?"}>`);
  }
  assert.deepEqual(stack, []);
}
