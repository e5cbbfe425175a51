import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import {
  DEFAULT_REPEAT,
  DEFAULT_SERVICES,
  parseBenchArgs,
  runMode,
  writeBenchProject,
} from "../../cli/bench";
import { registrations, replay, replayCounts } from "../../cli/bench-replay";
import { growth, Measurement, median, report, spread } from "../../cli/bench-report";
import { installRecordingEngine, settle } from "../../cli/engine";
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

    const renderBench = () =>
      render({ stack: "bench", root: dir, out: path.join(dir, "out"), program: PROGRAM });

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
      const r = await renderBench();
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

    it("replays exactly the render's registrations on the bare SDK", async () => {
      const r = await renderBench();
      const regs = registrations(r.recording);
      const again = await installRecordingEngine({ project: "mesh-serverless", stack: "bench" });
      assert.equal(replay(regs), regs.length);
      await settle();
      // The same registrations; the order they reach the engine in depends on when each one's
      // inputs resolve.
      const byUrn = (xs: ReturnType<typeof registrations>) =>
        [...xs].sort((a, b) => a.urn.localeCompare(b.urn));
      assert.deepEqual(byUrn(registrations(again)), byUrn(regs));
      // Lifecycle options are part of a registration (the typed Deployment's three aliases, the
      // retained namespaces and releases): the replay sends them too.
      assert.ok(regs.some((x) => x.options?.aliases?.length === 3));
      assert.ok(regs.some((x) => x.options?.retainOnDelete));
      const counts = replayCounts(regs);
      assert.equal(counts.resources, r.recording.resources.length);
      assert.equal(counts.components, r.recording.resources.filter((x) => !x.custom).length);
      assert.ok(counts.components > 0 && counts.dependencies > counts.resources);
    });

    it("measures the render with its steps and fixed costs, then the replay", async () => {
      const ours = await runMode("render", dir, n);
      const sdk = await runMode("sdk", dir, n);
      assert.equal(ours.warm, undefined);
      assert.equal(sdk.warm, undefined);
      assert.deepEqual([ours.mode, sdk.mode, ours.services, sdk.services], ["render", "sdk", n, n]);
      for (const k of ["resources", "objects", "components", "dependencies"] as const)
        assert.equal(sdk[k], ours[k], k);
      assert.deepEqual(Object.keys(ours.phases ?? {}), [
        "config",
        "program",
        "manifests",
        "analyzer",
        "files",
        "write",
      ]);
      assert.deepEqual(Object.keys(ours.fixed ?? {}), [
        "stack-file parse",
        "schema validation",
        "manifests YAML",
        "analyzer",
        "topology",
        "diff (not in render)",
      ]);
      assert.equal(sdk.phases, undefined);
      for (const m of [ours, sdk]) {
        assert.ok(m.total.wallMs > 0 && m.total.cpuMs > 0 && m.peakRssMb > 0 && m.liveHeapMb > 0);
        assert.ok(m.liveHeapMb < m.peakRssMb);
      }
    });

    it("with warm runs, runs each mode again in the process and times the last run", async () => {
      const out = path.join(dir, "out");
      const read = () =>
        ["outputs.json", "topology.md"].map((f) => fs.readFileSync(path.join(out, f), "utf8"));
      const before = read();
      const ours = await runMode("render", dir, n, 2);
      const sdk = await runMode("sdk", dir, n, 1);
      assert.equal(ours.warm?.runs, 2);
      assert.equal(sdk.warm?.runs, 1);
      for (const m of [ours, sdk]) assert.ok(m.warm!.wallMs > 0 && m.warm!.cpuMs > 0);
      // The warm renders write the same render again.
      assert.deepEqual(read(), before);
    });
  });

  describe("command line and report", () => {
    it("parses the options and rejects bad ones", () => {
      assert.deepEqual(parseBenchArgs([]), {
        services: DEFAULT_SERVICES,
        repeat: DEFAULT_REPEAT,
        warm: 0,
      });
      assert.deepEqual(DEFAULT_SERVICES, [1000, 2000]);
      assert.deepEqual(
        parseBenchArgs([
          "--services",
          "2000,5,2000",
          "--out",
          "/tmp/x",
          "--repeat",
          "3",
          "--warm",
          "2",
          "--json",
        ]),
        { services: [5, 2000], repeat: 3, warm: 2, out: "/tmp/x", json: true },
      );
      assert.deepEqual(
        parseBenchArgs(["--child", "sdk", "--dir", "/tmp/b", "--services", "7", "--warm", "0"]),
        {
          services: [7],
          repeat: DEFAULT_REPEAT,
          warm: 0,
          child: "sdk",
          dir: "/tmp/b",
        },
      );
      for (const [argv, text] of [
        [["--services", "0"], "positive integers"],
        [["--services", "10,x"], "positive integers"],
        [["--services", "3", "--repeat", "0"], "--repeat must be"],
        [["--warm", "-1"], "--warm must be 0 or a positive integer"],
        [["--warm", "1.5"], "--warm must be 0 or a positive integer"],
        [["--warm"], "--warm needs a value"],
        [["--services"], "--services needs a value"],
        [["--child", "floor"], "--child is render or sdk"],
        [["--stack", "dev"], 'unknown argument "--stack"'],
      ] as const) {
        assert.throws(
          () => parseBenchArgs([...argv]),
          (e: unknown) => e instanceof UsageError && e.message.includes(text),
          argv.join(" "),
        );
      }
    });

    it("computes medians, spread and the growth exponent", () => {
      assert.equal(median([3, 1, 2]), 2);
      assert.equal(median([4, 1, 3, 2]), 2.5);
      assert.equal(spread([90, 100, 110]), 20);
      assert.equal(growth(1000, 10, 2000, 20), 1);
      assert.equal(growth(1000, 10, 2000, 40), 2);
    });

    /** A measurement of `services` whose times derive from `wall` (cpu is twice the wall). */
    const t = (wallMs: number) => ({ wallMs, cpuMs: wallMs * 2 });
    const m = (mode: "render" | "sdk", services: number, wall: number, rss: number) =>
      ({
        mode,
        services,
        resources: services * 6,
        objects: services * 5,
        components: services,
        dependencies: services * 20,
        loadMs: 10,
        total: t(wall),
        peakRssMb: rss,
        liveHeapMb: rss / 4,
        ...(mode === "render"
          ? { phases: { config: t(wall / 10), program: t(wall / 2) }, fixed: { analyzer: t(5) } }
          : {}),
      }) as Measurement;

    it("reports medians per mode, per object and per service, the ratios, steps and growth", () => {
      const runs = [
        m("render", 100, 300, 200),
        m("sdk", 100, 200, 100),
        m("render", 200, 660, 400),
        m("sdk", 200, 400, 200),
        m("render", 100, 360, 240),
        m("sdk", 100, 100, 100),
        m("render", 200, 540, 400),
        m("sdk", 200, 400, 200),
      ];
      const lines = report(runs, ["HEAD"]).split("\n");
      assert.equal(lines[0], "HEAD");
      assert.match(lines[2], /^services\s+mode\s+resources\s+objects\s+components\s+dependsOn/);
      const cells = (i: number) => lines[i].trim().split(/\s{2,}/);
      assert.deepEqual(cells(3), [
        "100",
        "render",
        "600",
        "500",
        "100",
        "2000",
        "330",
        "±18%",
        "660",
        "±18%",
        "1.32",
        "6.60",
        "220",
        "±18%",
        "55",
      ]);
      assert.deepEqual(cells(4).slice(0, 2), ["100", "bare SDK"]);
      assert.deepEqual(cells(4).slice(6, 9), ["150", "±67%", "300"]);
      assert.equal(
        lines[8],
        "100 services, render / bare SDK: cpu 2.20x, wall 2.20x, peak RSS 2.20x; " +
          "its program step alone: cpu 1.10x, wall 1.10x",
      );
      assert.equal(
        lines[10],
        "time(200)/time(100): render: cpu 1.82 (N^0.86), wall 1.82 (N^0.86); " +
          "bare SDK: cpu 2.67 (N^1.42), wall 2.67 (N^1.42)",
      );
      assert.deepEqual(lines.slice(11, 16), [
        "",
        "The render's steps (median):",
        "services  config wall/cpu ms  program wall/cpu ms",
        "100                    33/66              165/330",
        "200                   60/120              300/600",
      ]);
      assert.equal(lines[lines.length - 1].trim().split(/\s+/).join(" "), "200 5/10");
      assert.ok(!lines.some((l) => l.includes("warm")), "no warm lines without --warm");
    });

    it("reports the warm runs side by side with their ratio when there are any", () => {
      // [mode, services, warm cpu ms] of each run; the warm run's wall is a quarter of its cpu.
      const warm: ["render" | "sdk", number, number][] = [
        ["render", 100, 300],
        ["sdk", 100, 200],
        ["render", 100, 330],
        ["sdk", 100, 220],
        ["render", 200, 600],
      ];
      const runs = warm.map(([mode, n, cpuMs]) => ({
        ...m(mode, n, cpuMs * 3, 100),
        warm: { runs: 2, wallMs: cpuMs / 4, cpuMs },
      }));
      const lines = report(runs, ["HEAD"]).split("\n");
      // 200 has no warm bare SDK run to compare with: no line for it.
      assert.deepEqual(
        lines.filter((l) => l.includes("warm")),
        [
          "100 services, warm (run 3 in one process): render cpu 315 ms ±10%, bare SDK cpu 210 ms " +
            "±10%; render / bare SDK: cpu 1.50x, wall 1.50x",
        ],
      );
    });
  });
});
