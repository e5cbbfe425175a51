import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { Measurement, parseBenchArgs, runMode, table, writeBenchProject } from "../../cli/bench";
import {
  benchNamespace,
  benchServiceName,
  benchServices,
  benchStackYaml,
  namespaceCount,
} from "../../cli/bench-services";
import { render } from "../../cli/render";
import { UsageError } from "../../cli/stack-config";
import * as h from "../harness";

const PROGRAM = path.join(__dirname, "..", "..", "stacks", "index.ts");

type Entry = Record<string, unknown> & { namespace: string };

/** How many of services 1..n satisfy `pred`. */
function count(n: number, pred: (i: number) => boolean): number {
  let c = 0;
  for (let i = 1; i <= n; i++) if (pred(i)) c++;
  return c;
}
const isFn = (i: number): boolean => i % 5 < 3;

describe("cli/bench", () => {
  describe("config generator", () => {
    it("spreads services over about ten namespaces, 60% Knative services and 40% workloads", () => {
      const s = benchServices(30) as Record<string, Record<string, Entry>>;
      assert.deepEqual(Object.keys(s.namespaces), [
        "team-00",
        "team-01",
        "team-02",
        "team-03",
        "team-04",
        "team-05",
        "team-06",
        "team-07",
        "team-08",
        "team-09",
      ]);
      assert.deepEqual(
        Object.keys(s.gateways),
        Object.keys(s.namespaces).map((ns) => `gw-${ns}`),
      );
      assert.equal(Object.keys(s.serverless).length, 18);
      assert.equal(Object.keys(s.workloads).length, 12);
      assert.equal(s.serverless["fn-0001"].namespace, "team-01");
      assert.equal(s.workloads["svc-0004"].namespace, "team-04");
      assert.equal(s.serverless["fn-0010"].namespace, "team-00");
      assert.deepEqual([1, 3, 4, 5, 9999].map(benchServiceName), [
        "fn-0001",
        "svc-0003",
        "svc-0004",
        "fn-0005",
        "svc-9999",
      ]);
      assert.equal(benchNamespace(7), "team-07");
    });

    it("uses fewer namespaces than services only when there are fewer than ten services", () => {
      assert.deepEqual([1, 3, 10, 11, 1000].map(namespaceCount), [1, 3, 10, 10, 10]);
      const s = benchServices(3) as Record<string, Record<string, Entry>>;
      assert.deepEqual(Object.keys(s.namespaces), ["team-00", "team-01", "team-02"]);
      assert.deepEqual(Object.keys(s.serverless), ["fn-0001", "fn-0002"]);
      assert.deepEqual(Object.keys(s.workloads), ["svc-0003"]);
    });

    it("gives services traffic policy, routes, revisions, access, monitors, alerts and ingress", () => {
      const s = benchServices(30) as Record<string, Record<string, Entry>>;
      const fn = s.serverless["fn-0010"];
      assert.deepEqual(Object.keys(fn).sort(), [
        "access",
        "alerts",
        "env",
        "image",
        "livenessProbe",
        "monitor",
        "namespace",
        "ports",
        "readinessProbe",
        "resources",
        "revisionName",
        "scale",
        "timeout",
        "traffic",
      ]);
      assert.deepEqual(fn.traffic, {
        policy: {
          connectionPool: {
            tcp: { maxConnections: 100, connectTimeout: "30ms" },
            http: { http1MaxPendingRequests: 1000, maxRequestsPerConnection: 10 },
          },
          outlierDetection: { consecutive5xxErrors: 5, interval: "30s", baseEjectionTime: "30s" },
          loadBalancer: "LEAST_REQUEST",
        },
        revisions: [
          { revision: "fn-0010-v1", percent: 90 },
          { revision: "fn-0010-v2", percent: 10, tag: "canary" },
        ],
      });
      assert.deepEqual(s.serverless["fn-0025"].ingress, {
        gateway: "team-05/gw-team-05",
        hosts: ["fn-0025.example.com"],
        paths: ["/"],
      });
      assert.deepEqual(Object.keys(s.serverless["fn-0020"].callees as object), [
        "fn-0020-payments",
      ]);
      assert.deepEqual(Object.keys(s.serverless["fn-0016"].access as object), ["allow", "jwt"]);
      assert.deepEqual(Object.keys(s.serverless["fn-0001"].access as object), ["allow"]);
      assert.deepEqual(Object.keys(s.workloads["svc-0024"].access as object), [
        "allow",
        "jwt",
        "deny",
      ]);
      const wl = s.workloads["svc-0004"].traffic as { subsets: unknown[]; routes: unknown[] };
      assert.equal(wl.subsets.length, 2);
      assert.equal(wl.routes.length, 1);
    });

    it("is deterministic and writes the bench stack with environment and clouds", () => {
      assert.equal(benchStackYaml(50), benchStackYaml(50));
      const doc = parse(benchStackYaml(12)) as { config: Record<string, unknown> };
      assert.deepEqual(Object.keys(doc.config), [
        "mesh-serverless:environment",
        "mesh-serverless:clouds",
        "mesh-serverless:services",
      ]);
      assert.equal(doc.config["mesh-serverless:environment"], "dev");
      assert.deepEqual(doc.config["mesh-serverless:clouds"], ["kubernetes"]);
      assert.deepEqual(doc.config["mesh-serverless:services"], benchServices(12));
    });

    it("rejects a service count that is not a positive integer", () => {
      for (const n of [0, -1, 1.5, NaN])
        assert.throws(() => benchServices(n), UsageError, `services ${n}`);
    });
  });

  describe("rendering the bench project", () => {
    const n = 30;
    let dir: string;

    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-test-"));
      writeBenchProject(dir, n);
    });
    after(async () => {
      fs.rmSync(dir, { recursive: true, force: true });
      await h.reset();
    });

    it("writes Pulumi.yaml and stacks/Pulumi.bench.yaml", () => {
      assert.equal(
        fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8"),
        fs.readFileSync(path.join(__dirname, "..", "..", "Pulumi.yaml"), "utf8"),
      );
      assert.equal(
        fs.readFileSync(path.join(dir, "stacks", "Pulumi.bench.yaml"), "utf8"),
        benchStackYaml(n),
      );
    });

    it("renders with the stack program: every object valid, the kinds the generator asks for", async () => {
      const r = await render({
        stack: "bench",
        root: dir,
        out: path.join(dir, "out"),
        program: PROGRAM,
      });
      assert.deepEqual(r.unvalidated, {});
      const fns = count(n, isFn);
      const wls = n - fns;
      const ns = 10;
      const t = r.resourcesByType;
      const k = (type: string): number => t[`kubernetes:${type}`] ?? 0;
      assert.equal(k("core/v1:Namespace"), ns);
      assert.equal(k("security.istio.io/v1:PeerAuthentication"), ns);
      assert.equal(k("networking.istio.io/v1:Sidecar"), 5);
      assert.equal(k("core/v1:ResourceQuota"), 4);
      assert.equal(k("networking.istio.io/v1:Gateway"), ns);
      assert.equal(k("serving.knative.dev/v1:Service"), fns);
      assert.equal(k("apps/v1:Deployment"), wls);
      assert.equal(k("core/v1:Service"), wls);
      assert.equal(k("core/v1:ServiceAccount"), wls);
      assert.equal(
        k("networking.istio.io/v1:DestinationRule"),
        count(n, (i) => isFn(i) && i % 2 === 0) + wls,
      );
      assert.equal(
        k("networking.istio.io/v1:VirtualService"),
        count(n, (i) => isFn(i) && (i % 6 === 0 || i % 25 === 0)) + wls,
      );
      assert.equal(
        k("security.istio.io/v1:AuthorizationPolicy"),
        ns + n + count(n, (i) => i % 12 === 0),
      );
      assert.equal(
        k("security.istio.io/v1:RequestAuthentication"),
        count(n, (i) => i % 8 === 0),
      );
      assert.equal(k("monitoring.coreos.com/v1:ServiceMonitor"), n);
      assert.equal(k("monitoring.coreos.com/v1:PrometheusRule"), fns);
      assert.equal(
        k("telemetry.istio.io/v1:Telemetry"),
        count(n, (i) => isFn(i) && i % 10 === 5),
      );
      assert.equal(
        k("networking.istio.io/v1:ServiceEntry"),
        count(n, (i) => isFn(i) && i % 20 === 0),
      );
      const objects = Object.entries(t)
        .filter(([type]) => type.startsWith("kubernetes:"))
        .reduce((a, [, c]) => a + c, 0);
      assert.equal(r.manifests, objects);
      assert.equal(t["mesh-serverless:service:ServerlessService"], fns);
      assert.equal(t["mesh-serverless:service:MeshedWorkload"], wls);
    });

    it("measures ours, then the floor with the same bodies as plain CustomResources", async () => {
      const ours = await runMode("ours", dir);
      const floor = await runMode("floor", dir);
      assert.equal(ours.mode, "ours");
      assert.equal(floor.mode, "floor");
      assert.equal(floor.objects, ours.objects);
      assert.equal(floor.resources, ours.objects);
      assert.ok(ours.resources > ours.objects, "ours also registers its components");
      for (const m of [ours, floor]) {
        assert.ok(m.wallMs > 0 && m.cpuMs > 0 && m.peakRssMb > 0 && m.liveHeapMb > 0);
        assert.ok(m.liveHeapMb < m.peakRssMb);
        assert.ok(m.artifactsMs >= 0 && m.loadMs >= 0 && m.topologyMs > 0 && m.diffMs > 0);
      }
      const files = (mode: string) =>
        fs.readdirSync(path.join(dir, `out-${mode}`, "manifests")).sort();
      assert.deepEqual(files("floor"), files("ours"));
    });
  });

  describe("command line and report", () => {
    it("parses the options and rejects bad ones", () => {
      assert.deepEqual(parseBenchArgs(["--services", "100"]), { repeat: 1, services: 100 });
      assert.deepEqual(
        parseBenchArgs(["--services", "5", "--out", "/tmp/x", "--repeat", "3", "--only", "floor"]),
        { repeat: 3, services: 5, out: "/tmp/x", only: "floor" },
      );
      assert.deepEqual(parseBenchArgs(["--json", "--services", "7"]), {
        repeat: 1,
        services: 7,
        json: true,
      });
      assert.deepEqual(parseBenchArgs(["--child", "floor", "--dir", "/tmp/b"]), {
        repeat: 1,
        child: "floor",
        dir: "/tmp/b",
      });
      for (const [argv, text] of [
        [[], "missing --services"],
        [["--services", "0"], "positive integer"],
        [["--services", "x"], "positive integer"],
        [["--services", "3", "--repeat", "0"], "--repeat must be"],
        [["--services"], "--services needs a value"],
        [["--services", "3", "--only", "both"], "--only is ours or floor"],
        [["--stack", "dev"], 'unknown argument "--stack"'],
      ] as const) {
        assert.throws(
          () => parseBenchArgs([...argv]),
          (e: unknown) => e instanceof UsageError && e.message.includes(text),
          argv.join(" "),
        );
      }
    });

    it("reports medians per mode, per resource and per object, and the ratios", () => {
      const m = (mode: "ours" | "floor", wallMs: number, peakRssMb: number): Measurement => ({
        mode,
        resources: mode === "ours" ? 120 : 100,
        objects: 100,
        loadMs: 10,
        wallMs,
        cpuMs: wallMs * 2,
        artifactsMs: 5,
        topologyMs: 7,
        diffMs: 9,
        peakRssMb,
        liveHeapMb: peakRssMb / 4,
      });
      const text = table(
        10,
        [m("ours", 300, 200), m("floor", 200, 100), m("ours", 360, 240), m("floor", 100, 100)],
        [1, 2, 3],
      );
      const lines = text.split("\n");
      assert.match(lines[0], /services\s+resources\s+k8s objects\s+load ms\s+wall ms/);
      assert.deepEqual(lines[1].trim().split(/\s{2,}/), [
        "ours",
        "10",
        "120",
        "100",
        "10",
        "330",
        "2.75",
        "3.30",
        "660",
        "6.60",
        "5",
        "7",
        "9",
        "220",
        "1877",
        "55",
        "469",
      ]);
      assert.deepEqual(lines[2].trim().split(/\s{2,}/), [
        "floor (SDK)",
        "10",
        "100",
        "100",
        "10",
        "150",
        "1.50",
        "1.50",
        "300",
        "3.00",
        "5",
        "7",
        "9",
        "100",
        "1024",
        "25",
        "256",
      ]);
      assert.equal(
        lines[4],
        "ours/floor: wall 2.20x, per object 2.20x, cpu 2.20x, peak RSS 2.20x, live heap 2.20x",
      );
      assert.equal(lines[5], "runs per mode: 2 (medians); load average at start: 1.00, 2.00, 3.00");
    });
  });
});
