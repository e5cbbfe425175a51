/**
 * Issue 11: every user value the package pastes into generated text (Fluentd's config, Alertmanager
 * matchers, Knative's `external-gateways` YAML, Istio/Envoy strings: retry conditions, attribute
 * keys, regexes, principals, paths) is checked or escaped for that text's grammar. Each place gets
 * the hostile strings of the fuzz test appended to a valid value: rejected naming the argument,
 * nothing registered; and what is accepted keeps the text's structure. (IAM documents are
 * JSON.stringify of objects, never concatenated; service PromQL is covered with the service
 * observability tests.)
 */
import { strict as assert } from "assert";
import { parse } from "yaml";
import * as h from "../harness";
import { HOSTILE } from "../fuzz/corruptions";
import { Fluentd, KnativeServing, Prometheus } from "../../components/kubernetes/platform";
import { ServiceAccess, ServiceTraffic } from "../../components/kubernetes/service";

type Args = Record<string, unknown>;

/**
 * A generated-text place: what it is, a build with `v` appended at the argument, the argument's
 * path, and the strings its grammar must refuse (default: every hostile string of the fuzz test).
 */
type Place = [string, (v: string) => unknown, string, string[]?];

const output = (o: Args) => ({ output: { type: "opensearch", host: "os.logging", ...o } });
const alerting = (a: Args) => ({
  grafanaAdminSecret: "grafana-admin",
  alerting: {
    receivers: { chat: { type: "slack", webhookUrl: { name: "am", key: "url" } } },
    defaultReceiver: "chat",
    ...a,
  },
});
const istio = { gatewaySelector: { istio: "ingressgateway" }, dependsOn: [] };

const PLACES: Place[] = [
  [
    "Fluentd output.host",
    (v) => new Fluentd("f", output({ host: `os${v}` }) as never),
    "output.host",
  ],
  [
    "Fluentd output.index",
    (v) => new Fluentd("f", output({ index: `i${v}` }) as never),
    "output.index",
  ],
  [
    "Fluentd output.tls.ca.key",
    (v) => new Fluentd("f", output({ tls: { ca: { name: "ca", key: `k${v}` } } }) as never),
    "output.tls.ca.key",
  ],
  // An in_tail path is a glob: `*`, `${x}`, `\\`, `,` (a list) and `%Y` are its own; a space, a
  // quote, '<', '>', '#' or a control character would end it.
  [
    "Fluentd path",
    (v) => new Fluentd("f", { path: `/var/log/x${v}` }),
    "path",
    HOSTILE.filter((s) => /[\s<>"'#\x00]/.test(s)),
  ],
  ["Fluentd namespace", (v) => new Fluentd("f", { namespace: `logging${v}` }), "namespace"],
  ["Fluentd registry", (v) => new Fluentd("f", { registry: `r.io${v}` }), "registry"],
  [
    "Alertmanager route severity",
    (v) =>
      new Prometheus(
        "p",
        alerting({ routes: [{ severities: [`crit${v}`], receiver: "chat" }] }) as never,
      ),
    "alerting.routes[0].severities[0]",
  ],
  [
    "Alertmanager groupBy",
    (v) => new Prometheus("p", alerting({ groupBy: [`alertname${v}`] }) as never),
    "alerting.groupBy[0]",
  ],
  [
    "Alertmanager secret file path",
    (v) =>
      new Prometheus(
        "p",
        alerting({
          receivers: { chat: { type: "slack", webhookUrl: { name: "am", key: `url${v}` } } },
        }) as never,
      ),
    "alerting.receivers.chat.webhookUrl.key",
  ],
  [
    "Knative external-gateways service",
    (v) => new KnativeServing("k", { istio: { ...istio, gatewayService: `gw.ns${v}` } }),
    "istio.gatewayService",
  ],
  [
    "Knative registry (the operator's ${NAME} template)",
    (v) => new KnativeServing("k", { istio, registry: `r.io${v}` }),
    "registry",
  ],
  [
    "Envoy retry conditions",
    (v) =>
      new ServiceTraffic("t", {
        routes: [{ retries: { attempts: 2, retryOn: `5xx${v}` } }],
      } as never),
    "routes[0].retries.retryOn",
  ],
  // Istio's strings are structured fields, not text: only what their own grammar gives meaning
  // (a condition key's `]`, whitespace anywhere) must be refused. RE2 regexes: service-traffic.test.ts.
  [
    "Istio condition key",
    (v) =>
      new ServiceAccess("a", {
        allow: [{ when: [{ key: `request.headers[x${v}]`, values: ["1"] }] }],
      } as never),
    "allow[0].when[0].key",
    ["]", " ", "\n", "\t", "a\nb"],
  ],
  [
    "Istio path",
    (v) => new ServiceAccess("a", { allow: [{ paths: [`/api${v}`] }] } as never),
    "allow[0].paths[0]",
    [" ", "\n", "a\nb", "a b", "/{*}x", "a*b"],
  ],
  [
    "Istio principal",
    (v) =>
      new ServiceAccess("a", { allow: [{ principals: [`cluster.local/ns/a/sa/b${v}`] }] } as never),
    "allow[0].principals[0]",
    [" ", "\n", "a\nb", "a b"],
  ],
  // A Secret key is a file name where it is mounted (Alertmanager's *_file, Fluentd's ca_file).
  [
    "a mounted Secret key",
    (v) => new Fluentd("f", output({ tls: { ca: { name: "ca", key: v.slice(1) } } }) as never),
    "output.tls.ca.key",
    ["x..", "x.", "x../x", "x..x/y"],
  ],
];

/** Hostile strings every place must refuse: those that can end a token in any of the grammars. */
const REFUSED = HOSTILE.filter((s) => s !== "..");

/** Fluentd's config as sections (`source`, `label @OUTPUT>match **`), each parameter line checked. */
function fluentdSections(text: string): string[] {
  const stack: string[] = [];
  const sections: string[] = [];
  for (const line of text.split("\n").map((l) => l.trim())) {
    const open = /^<([a-z]+)( [^<>]+)?>$/.exec(line);
    const close = /^<\/([a-z]+)>$/.exec(line);
    if (open) {
      stack.push(`${open[1]}${open[2] ?? ""}`);
      sections.push(stack.join(">"));
    } else if (close) assert.equal(stack.pop()?.split(" ")[0], close[1], text);
    else assert.match(line, /^@?[a-z_]+ [^\s#]\S*( \S+)*$/, `not one parameter: ${line}`);
  }
  assert.deepEqual(stack, [], "unclosed section");
  return sections;
}

describe("user values in generated text (issue 11)", () => {
  beforeEach(() => h.reset());

  for (const [what, build, argument, refused = REFUSED] of PLACES)
    it(`${what}: hostile strings are rejected naming \`${argument}\``, async () => {
      for (const hostile of refused) {
        await h.reset();
        await h.expectInvalid(() => build(hostile), argument);
      }
    });

  it("Fluentd: what is accepted keeps the config's sections and one output", async () => {
    const fileConfigs = async (args: Args) => {
      await h.reset();
      new Fluentd("f", args as never);
      await h.settled();
      const release = h.get("kubernetes:helm.sh/v3:Release", "f-release");
      return (release.inputs.values as { fileConfigs: Record<string, string> }).fileConfigs;
    };
    const plain = await fileConfigs(output({}));
    const odd = await fileConfigs({
      ...output({ host: "10.0.0.1", index: "a.b_c-d", tls: { ca: { name: "ca", key: "ca.crt" } } }),
      path: "/var/log/${x}/%Y/a,b/*.log",
    });
    for (const file of Object.keys(plain))
      assert.deepEqual(fluentdSections(odd[file]), fluentdSections(plain[file]), file);
    const outputs = odd["04_outputs.conf"];
    assert.equal(outputs.match(/<match /g)?.length, 1);
    assert.match(outputs, /^ {4}host 10\.0\.0\.1$/m);
    assert.match(outputs, /^ {4}index_name a\.b_c-d$/m);
    assert.match(odd["01_sources.conf"], /^ {2}path \/var\/log\/\$\{x\}\/%Y\/a,b\/\*\.log$/m);
  });

  it("Alertmanager: several values become a regex matching each of them only", async () => {
    new Prometheus(
      "p",
      alerting({ routes: [{ severities: ["crit.v1", "warning"], receiver: "chat" }] }) as never,
    );
    await h.settled();
    const values = h.get("kubernetes:helm.sh/v3:Release", "p-release").inputs.values as {
      alertmanager: { config: { route: { routes: { matchers: string[] }[] } } };
    };
    const [m] = values.alertmanager.config.route.routes[1].matchers;
    assert.equal(m, 'severity=~"crit\\\\.v1|warning"');
    // As Alertmanager reads it: OpenMetrics unescaping, then an anchored regex.
    const quoted = /^severity=~"(.*)"$/.exec(m)![1].replace(/\\(["\\])/g, "$1");
    const re = new RegExp(`^(?:${quoted})$`);
    assert.ok(re.test("crit.v1") && re.test("warning"));
    assert.ok(!re.test("critXv1"), "a '.' in a value matches only a '.'");
  });

  it("Knative: a custom gateway service keeps external-gateways one entry", async () => {
    new KnativeServing("k", {
      istio: { ...istio, gatewayService: "edge.gw-ns.svc.cluster.local" },
    });
    await h.settled();
    const cr = h.get("kubernetes:operator.knative.dev/v1beta1:KnativeServing", "k-serving");
    const config = (cr.inputs.spec as { config: Record<string, Record<string, string>> }).config;
    assert.deepEqual(parse(config.istio["external-gateways"]), [
      {
        name: "knative-ingress-gateway",
        namespace: "knative-serving",
        service: "edge.gw-ns.svc.cluster.local",
      },
    ]);
  });
});
