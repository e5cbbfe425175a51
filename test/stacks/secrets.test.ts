import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { buildAwsPlan, buildHelmfile, buildManifests } from "../../cli/artifacts";
import type { Recording } from "../../cli/engine";
import { clearSecrets } from "../../components/core/secrets";
import {
  declareSecret,
  keepSecret,
  MeshedWorkload,
  MeshPlatform,
  ServerlessService,
  ServiceAccess,
} from "../../components";
import { MeshedFunction, MeshNetwork } from "../../components/aws";
import { COMPONENTS } from "../../cli/schema";
import { components } from "../core/samples";
import { schemaPlaces } from "../core/schema-places";
import { corrupt } from "../fuzz/fuzz";
import { invalidMessage } from "../../components/core/errors";
import * as h from "../harness";
import { run } from "./run";

/** Issue 11: a value from a secret reaches state only as a secret and no message shows it. */
const CANARY = "CANARY-7f3a9c";
const SECRET = ["platform", "services", "aws"];

/** Config where every secret-capable path carries the canary. */
function canaryConfig(): Record<string, unknown> {
  return {
    environment: "dev",
    clouds: ["kubernetes", "aws"],
    platform: {
      jaeger: false,
      knative: { domain: "dev.example.com" },
      prometheus: { values: { grafana: { adminPassword: CANARY } } },
      fluentd: { output: { type: "stdout" }, values: { extra: { token: CANARY } } },
    },
    services: {
      namespaces: { shop: { denyByDefault: true } },
      serverless: {
        orders: {
          namespace: "shop",
          image: "ghcr.io/example/orders:1.0.0",
          env: { TOKEN: CANARY },
          annotations: { "example.com/token": CANARY },
          args: [`--token=${CANARY}`],
          access: {
            jwt: [{ issuer: "https://auth.example.com", jwks: `{"keys":[{"kid":"${CANARY}"}]}` }],
            allow: [{ namespaces: ["istio-system"] }],
          },
        },
      },
      workloads: {
        catalog: {
          namespace: "shop",
          image: "ghcr.io/example/catalog:1.0.0",
          ports: [{ containerPort: 8080 }],
          env: { TOKEN: CANARY },
          args: [`--token=${CANARY}`],
          access: { allow: [{ namespaces: ["istio-system"] }] },
        },
      },
    },
    aws: {
      providers: {
        eu: { region: "eu-west-1", assumeRoleArn: `arn:aws:iam::123456789012:role/${CANARY}` },
      },
      networks: {
        main: {
          provider: "eu",
          namespace: "dev.mesh",
          tags: { t: CANARY },
          lattice: { vpcs: [{ vpcId: "vpc-1" }] },
        },
      },
      functions: {
        users: {
          network: "main",
          runtime: "nodejs22.x",
          inline: `exports.handler = async () => "${CANARY}";`,
          tags: { t: CANARY },
          attributes: { a: CANARY },
          environment: { TOKEN: CANARY },
        },
      },
    },
  };
}

/** `type::name` of every resource whose inputs hold the canary; fails if any shows it in plaintext. */
function secretHolders(): string[] {
  const leaked = h.resources().filter((r) => JSON.stringify(r.redacted).includes(CANARY));
  assert.deepEqual(
    leaked.map((r) => `${r.type}::${r.name}`),
    [],
    "the canary must be registered only as a secret",
  );
  return h
    .resources()
    .filter((r) => JSON.stringify(r.inputs).includes(CANARY))
    .map((r) => `${r.type}::${r.name}`)
    .sort();
}

/** The message of what `build` throws (sync or async), checked to hide the canary. */
async function errorOf(build: () => unknown): Promise<string> {
  let message: string | undefined;
  const { stdout, stderr } = await h.captureOutput(async () => {
    try {
      await build();
    } catch (e) {
      message = e instanceof Error ? `${e.message}\n${e.stack ?? ""}` : String(e);
    }
    return 0;
  });
  if (message === undefined) return assert.fail("expected an error");
  assert.ok(!message.includes(CANARY), `the error shows the secret: ${message}`);
  assert.ok(!(stdout + stderr).includes(CANARY), `printed: ${stdout}${stderr}`);
  return message;
}

const cleanUp = async () => {
  clearSecrets();
  await h.reset();
};

describe("secrets flow (issue 11)", () => {
  describe("from stack config keys marked secret", () => {
    after(cleanUp);
    let recording: Recording;
    let holders: string[];
    let warnings: string[];
    let outputs: unknown;

    let printed: string;

    before(async () => {
      let calls: [string, unknown][] = [];
      const { stdout, stderr } = await h.captureOutput(async () => {
        calls = await h.captureWarnings(async () => {
          outputs = await run(canaryConfig(), SECRET);
          await h.settled();
        });
        return 0;
      });
      printed = stdout + stderr;
      warnings = calls.map(([m]) => m);
      holders = secretHolders();
      recording = h.recording();
    });
    const get = (type: string, name: string) =>
      recording.resources.find((r) => r.type === type && r.name === name)!;

    it("reaches every secret-capable input, as a secret only", () => {
      assert.deepEqual(holders, [
        "aws:iam/role:Role::users-role",
        "aws:lambda/function:Function::users-function",
        "aws:servicediscovery/httpNamespace:HttpNamespace::main-registry",
        "aws:servicediscovery/instance:Instance::users-instance",
        "aws:servicediscovery/service:Service::users-registration",
        "aws:vpclattice/listener:Listener::users-https",
        "aws:vpclattice/service:Service::users-lattice",
        "aws:vpclattice/serviceNetwork:ServiceNetwork::main-network",
        "aws:vpclattice/serviceNetworkServiceAssociation:ServiceNetworkServiceAssociation::users-association",
        "aws:vpclattice/serviceNetworkVpcAssociation:ServiceNetworkVpcAssociation::main-vpc-0",
        "aws:vpclattice/targetGroup:TargetGroup::users-live-tg",
        "kubernetes:apps/v1:Deployment::shop/catalog",
        "kubernetes:helm.sh/v3:Release::platform-fluentd-release",
        "kubernetes:helm.sh/v3:Release::platform-prometheus-release",
        "kubernetes:security.istio.io/v1:RequestAuthentication::shop/orders",
        "kubernetes:serving.knative.dev/v1:Service::shop/orders",
        "pulumi:providers:aws::eu",
      ]);
    });

    it("keeps the shape around the secret leaves: only they become [secret]", () => {
      const ksvc = get("kubernetes:serving.knative.dev/v1:Service", "shop/orders").redacted;
      const spec = (ksvc.spec as { template: { spec: { containers: Record<string, unknown>[] } } })
        .template.spec.containers[0];
      assert.deepEqual(spec.env, [{ name: "TOKEN", value: "[secret]" }]);
      assert.deepEqual(spec.args, ["[secret]"]);
      assert.equal(spec.image, "ghcr.io/example/orders:1.0.0");
      const fn = get("aws:lambda/function:Function", "users-function").redacted;
      const code = fn.code as { archive: { assets: Record<string, { asset: { text: string } }> } };
      assert.equal(code.archive.assets["index.js"].asset.text, "[secret]");
      assert.deepEqual(fn.tags, {
        "mesh-serverless:component": "MeshedFunction",
        "mesh-serverless:name": "users",
        t: "[secret]",
      });
      const release = get("kubernetes:helm.sh/v3:Release", "platform-prometheus-release");
      const values = release.redacted.values as { grafana: Record<string, unknown> };
      assert.equal(values.grafana.adminPassword, "[secret]");
    });

    it("writes it to no rendered file, output or warning", async () => {
      const files = {
        ...(await buildManifests(recording, {})).files,
        ...buildHelmfile(recording, {}).files,
        ...buildAwsPlan(recording, "test").files,
      };
      assert.ok(Object.keys(files).length > 10);
      for (const [name, text] of Object.entries(files))
        assert.ok(!text.includes(CANARY), `${name} shows the secret`);
      assert.ok(!JSON.stringify(await h.resolve(pulumi.output(outputs))).includes(CANARY));
      assert.ok(warnings.length > 0);
      for (const w of warnings) assert.ok(!w.includes(CANARY), w);
      assert.ok(!printed.includes(CANARY), `stdout/stderr show the secret: ${printed}`);
    });

    it("leaves a stack without secret keys plain", async () => {
      await h.captureWarnings(async () => {
        await run(canaryConfig());
        await h.settled();
      });
      const plain = h.resources().filter((r) => JSON.stringify(r.redacted).includes(CANARY));
      assert.equal(plain.length, holders.length);
    });
  });

  describe("error messages and warnings show [secret]", () => {
    afterEach(cleanUp);
    const bad = (config: Record<string, unknown>, keys: string[]) => () =>
      run({ environment: "dev", ...config }, keys);
    const cases: [string, Record<string, unknown>, string[], string][] = [
      [
        "istio.revision",
        { platform: { istio: { revision: `${CANARY}!` } } },
        ["platform"],
        'invalid `istio.revision` "[secret]": must be a DNS-1123 label',
      ],
      [
        "knative.domain",
        { platform: { knative: { domain: `${CANARY}!` } } },
        ["platform"],
        'invalid `knative.domain` "[secret]": must be a DNS-1123 subdomain',
      ],
      [
        "a misspelt top-level key's whole map",
        { servcies: { serverless: { o: { env: { T: CANARY } } } } },
        ["servcies"],
        'invalid `mesh-serverless:servcies` "[secret]": unknown key; did you mean `services`?',
      ],
      [
        "a misspelt nested key's map",
        { services: { serverless: { o: { image: "x", evn: { T: CANARY } } } } },
        ["services"],
        'invalid `mesh-serverless:services.serverless.o.evn` "[secret]": unknown key; did you mean `env`?',
      ],
      [
        "a service's image",
        { services: { serverless: { o: { image: `${CANARY} x` } } } },
        ["services"],
        'invalid `image` "[secret]": a container image reference',
      ],
      [
        "a namespace reference",
        { services: { serverless: { o: { image: "x:1", namespace: CANARY } } } },
        ["services"],
        'invalid `namespace` "[secret]": must be a DNS-1123 label',
      ],
      [
        "an AWS network's provider",
        { clouds: ["aws"], aws: { networks: { n: { provider: CANARY, namespace: "a.b" } } } },
        ["aws"],
        'invalid `mesh-serverless:aws.networks.n.provider` "[secret]": must name an entry',
      ],
      [
        "istio.mtls outside dev",
        { environment: "staging", platform: { istio: { mtls: CANARY } } },
        ["platform"],
        'invalid `mesh-serverless:platform.istio.mtls` "[secret]": must be one of "STRICT"',
      ],
    ];
    for (const [what, config, keys, start] of cases)
      it(`${what} from a secret key`, async () => {
        const message = await errorOf(bad(config, keys));
        assert.ok(message.startsWith(start), message);
      });

    it("the same values from plain keys are shown", async () => {
      const message = await errorOf(() =>
        run({ environment: "dev", platform: { istio: { revision: "A!" } } }),
      );
      assert.ok(message.startsWith('invalid `istio.revision` "A!"'), message);
    });

    it("a warning naming a value of a secret key shows [secret]", async () => {
      const calls = await h.captureWarnings(async () => {
        await run(
          {
            environment: "dev",
            services: {
              namespaces: { [CANARY.toLowerCase()]: { denyByDefault: true } },
              workloads: { w: { image: "x:1", namespace: CANARY.toLowerCase() } },
            },
          },
          ["services"],
        );
        await h.settled();
      });
      const warning = calls.map(([m]) => m).find((m) => m.includes("denies by default"));
      assert.equal(
        warning,
        "services.workloads.w: namespace [secret] denies by default and this service has no `access`: every call to it is refused (403)",
      );
    });

    it("hides names and versions only as whole words, secret-capable values anywhere", () => {
      declareSecret("default", true);
      declareSecret(CANARY);
      assert.equal(
        invalidMessage("a.default", "defaults", `not default, not x${CANARY}y`),
        'invalid `a.default` "defaults": not [secret], not x[secret]y',
      );
    });
  });

  describe("from the TypeScript API", () => {
    afterEach(cleanUp);

    // A canary each Input argument accepts as a valid value (ids, ARNs, an image reference).
    const HEX = "c0ffee7f3a9c";
    const validFor: Record<string, string> = {
      vpcId: `vpc-${HEX}`,
      securityGroupIds: `sg-${HEX}`,
      subnetIds: `subnet-${HEX}`,
      imageUri: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:${HEX}`,
      "*": HEX,
      invokers: `arn:aws:iam::123456789012:role/r${HEX}`,
      image: `registry.example.com/app:${HEX}`,
      hosts: `a${HEX}.example.com`,
      secret: `s${HEX}`,
      jwks: JSON.stringify({ keys: [{ kty: "oct", kid: HEX }] }),
      license: `licence-${HEX}`,
      adminPassword: `pw-${HEX}`,
      grafanaAdminSecret: `g${HEX}`,
      host: `es${HEX}.example.com`,
      secretName: `s${HEX}`,
      allowedPrincipals: `arn:aws:iam::123456789012:role/r${HEX}`,
      Resource: `arn:aws:vpc-lattice:eu-west-1:123456789012:service/svc-${HEX}`,
      bucketArn: `arn:aws:s3:::b${HEX}`,
      deliveryStreamArn: `arn:aws:firehose:eu-west-1:123456789012:deliverystream/d${HEX}`,
      certificateArn: `arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-4000-8000-${HEX}`,
    };
    // Arguments that take a list either item by item or as one Output of the whole list.
    const LISTS = new Set(["subnetIds", "securityGroupIds", "allowedPrincipals", "invokers"]);
    // Sub-objects a place needs valid around it, by the path that holds them.
    const aroundAt: Record<string, Record<string, unknown> | unknown[]> = {
      "lattice.authPolicy": {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { AWS: "arn:aws:iam::123456789012:root" },
            Action: "vpc-lattice-svcs:Invoke",
            Resource: ["arn:aws:vpc-lattice:eu-west-1:123456789012:service/svc-0"],
          },
        ],
      },
      "lattice.accessLogs": { type: "s3" },
      policyStatements: [
        {
          Effect: "Allow",
          Action: "s3:GetObject",
          Resource: ["arn:aws:s3:::bucket/key"],
        },
      ],
      "lattice.customDomain": { domainName: "orders.example.com" },
    };
    // Where an argument needs its siblings (a VPC config takes subnets and security groups).
    const around: Record<string, Record<string, unknown> | unknown[]> = {
      vpc: { subnetIds: ["subnet-0123456789abcdef0"], securityGroupIds: ["sg-0123456789abcdef0"] },
      access: { jwt: [{ issuer: "https://auth.example.com" }] },
      jwt: [{ issuer: "https://auth.example.com" }],
      ingress: { gateway: "istio-ingress/public" },
      secretEnv: { TOKEN: { key: "token" } },
      output: { type: "elasticsearch", host: "es.example.com" },
      fluentd: { output: { type: "elasticsearch", host: "es.example.com" } },
    };
    for (const component of COMPONENTS)
      for (const place of schemaPlaces(component).filter((p) => p.kind === "Output")) {
        const name = String(place.at.filter((s) => typeof s === "string" && s !== "*").at(-1));
        const leaf = place.at.at(-1) === "*" ? "*" : name;
        it(`pulumi.secret at ${component} \`${place.at.join(".")}\` stays secret`, async () => {
          await h.reset();
          const all = components();
          let args = all[component].valid;
          const siblings = around[String(place.at[0])];
          if (siblings)
            args = {
              ...args,
              [place.at[0]]: Array.isArray(siblings) ? [...siblings] : { ...siblings },
            };
          const path = place.at.join(".");
          for (const [holder, value] of Object.entries(aroundAt))
            if (path.startsWith(`${holder}.`))
              args = corrupt(args, holder.split("."), structuredClone(value));
          if (path.startsWith("lattice.accessLogs.deliveryStreamArn"))
            args = corrupt(args, ["lattice", "accessLogs", "type"], "firehose");
          const at = place.at.map((s) => (s === "*" ? "TOKEN" : s));
          const whole = LISTS.has(leaf) && typeof place.at.at(-1) === "string";
          const value = whole ? [validFor[leaf]] : validFor[leaf];
          all[component].build(corrupt(args, at, pulumi.secret(value)));
          await h.settled();
          const plain = h.resources().filter((r) => JSON.stringify(r.redacted).includes(HEX));
          assert.deepEqual(
            plain.map((r) => `${r.type}::${r.name}`),
            [],
            "plaintext",
          );
          const held = h.resources().filter((r) => JSON.stringify(r.inputs).includes(HEX));
          assert.ok(held.length > 0, "the value reaches no input at all");
        });
      }

    // Free text the Kubernetes components take as plain data: declared, and kept secret by the
    // transformation the caller passes (as the stack program does).
    type Opts = { transformations: pulumi.ResourceTransformation[] };
    const FREE_TEXT: [string, (o: Opts) => unknown, string[]][] = [
      [
        "a workload's env and args",
        (o) =>
          new MeshedWorkload(
            "w",
            {
              image: "i:1",
              ports: [{ containerPort: 8080 }],
              env: { T: CANARY },
              args: [`--t=${CANARY}`],
            },
            o,
          ),
        ["kubernetes:apps/v1:Deployment::default/w"],
      ],
      [
        "a Knative service's annotations",
        (o) => new ServerlessService("s", { image: "i:1", annotations: { "a.io/t": CANARY } }, o),
        ["kubernetes:serving.knative.dev/v1:Service::default/s"],
      ],
      [
        "inline JWKS",
        (o) =>
          new ServiceAccess(
            "a",
            {
              jwt: [{ issuer: "https://auth.example.com", jwks: `{"keys":[{"kid":"${CANARY}"}]}` }],
              allow: [{ namespaces: ["web"] }],
            },
            o,
          ),
        ["kubernetes:security.istio.io/v1:RequestAuthentication::default/a"],
      ],
      [
        "Helm values of every add-on",
        (o) =>
          new MeshPlatform(
            "p",
            {
              istio: { values: { istiod: { pilot: { env: { T: CANARY } } } } },
              knative: { values: { t: CANARY } },
              jaeger: { values: { t: CANARY } },
              prometheus: { grafanaAdminSecret: "g", values: { t: CANARY } },
              fluentd: { values: { t: CANARY } },
            } as never,
            o,
          ),
        [
          "kubernetes:helm.sh/v3:Release::p-fluentd-release",
          "kubernetes:helm.sh/v3:Release::p-istio-istiod",
          "kubernetes:helm.sh/v3:Release::p-jaeger-release",
          "kubernetes:helm.sh/v3:Release::p-knative-operator",
          "kubernetes:helm.sh/v3:Release::p-prometheus-release",
        ],
      ],
    ];
    for (const [what, build, expected] of FREE_TEXT)
      it(`declareSecret + keepSecret: ${what}`, async () => {
        await h.reset();
        declareSecret(CANARY);
        const printed = await h.captureOutput(async () => {
          build({ transformations: [keepSecret] });
          await h.settled();
          return 0;
        });
        assert.deepEqual(secretHolders(), expected);
        assert.ok(!(printed.stdout + printed.stderr).includes(CANARY));
      });
    it("pulumi.secret in a function's environment stays secret", async () => {
      await h.reset();
      const network = new MeshNetwork("net", { namespaceName: "dev.mesh" });
      new MeshedFunction("users", {
        network,
        runtime: "nodejs22.x",
        code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset("x") }),
        environment: { TOKEN: pulumi.secret(CANARY) },
      });
      await h.settled();
      assert.deepEqual(secretHolders(), ["aws:lambda/function:Function::users-function"]);
    });

    it("declareSecret + keepSecret: plain values a component validates, registered as secrets", async () => {
      await h.reset();
      declareSecret(CANARY);
      new ServerlessService(
        "orders",
        { namespace: "shop", image: "ghcr.io/example/orders:1", env: { TOKEN: CANARY } },
        { transformations: [keepSecret] },
      );
      await h.settled();
      assert.deepEqual(secretHolders(), ["kubernetes:serving.knative.dev/v1:Service::shop/orders"]);
      const message = await errorOf(
        () => new ServerlessService("bad", { namespace: "shop", image: `${CANARY} x` }),
      );
      assert.ok(message.startsWith('invalid `image` "[secret]"'), message);
    });
  });
});
