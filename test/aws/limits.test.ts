import { strict as assert } from "assert";
import * as h from "../harness";
import * as pulumi from "@pulumi/pulumi";
import fc from "fast-check";
import { ArgChecker } from "../../components/core/validate";
import {
  appMeshDuration,
  checkCloudMapAttributes,
  checkLatticeName,
  envSuffix,
  LATTICE_SERVICE_NAME,
  LATTICE_TARGET_GROUP_NAME,
  Reserved,
} from "../../components/aws/limits";
import { resolveFunctionArgs } from "../../components/aws/function-args";
import { urlHost } from "../../components/aws/app-mesh-wiring";
import {
  arnParts,
  latticeAccountAuthPolicy,
  latticeInvokeStatement,
  managedPolicyArn,
} from "../../components/aws/policies";
import { checkTags } from "../../components/aws/tags";
import { resolveRouting } from "../../components/aws/routing";

const check = new ArgChecker();

function passes(fn: () => void): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    assert.ok(e instanceof pulumi.ResourceError, String(e));
    return false;
  }
}

const message = h.errorMessage;

const lattice = { backend: "vpc-lattice", namespaceName: "mesh" } as const;
/** No other function on the network. */
const none = () => undefined;
const minimal = { code: {}, runtime: "nodejs22.x" };

describe("aws/limits", () => {
  it("Lattice names: 3-max of [a-z0-9-], no edge or double '-', no reserved prefix", () => {
    const chars = fc.constantFrom(..."ab0-".split(""));
    for (const limit of [LATTICE_SERVICE_NAME, LATTICE_TARGET_GROUP_NAME]) {
      fc.assert(
        fc.property(fc.string({ unit: chars, maxLength: 12 }), fc.nat(140), (s, pad) => {
          const name = s + "a".repeat(pad);
          const ok =
            name.length >= limit.min &&
            name.length <= limit.max &&
            !name.startsWith("-") &&
            !name.endsWith("-") &&
            !name.includes("--") &&
            !name.startsWith(limit.prefix);
          return passes(() => checkLatticeName(check, "n", name, limit)) === ok;
        }),
      );
    }
    assert.equal(
      message(() => checkLatticeName(check, "lattice.serviceName", "svc-a", LATTICE_SERVICE_NAME)),
      "invalid `lattice.serviceName` \"svc-a\": must be 3-40 characters of lowercase letters, digits and '-', not starting or ending with '-' and without '--', not starting with \"svc-\"",
    );
    assert.ok(passes(() => checkLatticeName(check, "n", "tg", { min: 2, max: 3 })));
  });

  it("Cloud Map: at most 30 attributes, keys <= 255, values <= 1024, total <= 5000 with reserved lengths", () => {
    const attribute = fc.tuple(
      fc.integer({ min: 1, max: 300 }),
      fc.integer({ min: 0, max: 1100 }),
      fc.boolean(),
    );
    fc.assert(
      fc.property(fc.array(attribute, { maxLength: 34 }), (list) => {
        const attrs: Record<string, string | Reserved> = {};
        list.forEach(([k, v, reserved], i) => {
          const key = `${i}`.padEnd(k, "k");
          attrs[key] = reserved ? { maxLength: v } : "v".repeat(v);
        });
        const entries = Object.entries(attrs);
        const len = (v: string | Reserved) => (typeof v === "string" ? v.length : v.maxLength);
        const ok =
          entries.length <= 30 &&
          entries.every(([k, v]) => k.length <= 255 && len(v) <= 1024) &&
          entries.reduce((t, [k, v]) => t + k.length + len(v), 0) <= 5000;
        return passes(() => checkCloudMapAttributes(check, "attributes", attrs)) === ok;
      }),
    );
    assert.equal(
      message(() => checkCloudMapAttributes(check, "attributes", { URL: { maxLength: 2000 } })),
      'invalid `attributes.URL` "(up to 2000 characters)": values must be at most 1024 characters long',
    );
  });

  it("App Mesh durations: whole seconds when exact, else milliseconds", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), (ms) => {
        const d = appMeshDuration(ms);
        return (
          d.value * (d.unit === "s" ? 1000 : 1) === ms && (d.unit === "s") === (ms % 1000 === 0)
        );
      }),
    );
    assert.deepEqual(appMeshDuration(1500), { unit: "ms", value: 1500 });
    assert.deepEqual(appMeshDuration(300_000), { unit: "s", value: 300 });
  });

  it("Lambda memory 128-10240 MB and timeout 1-900 s", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -10, max: 11_000 }),
        fc.integer({ min: -10, max: 1000 }),
        (memorySize, timeout) => {
          const ok = memorySize >= 128 && memorySize <= 10240 && timeout >= 1 && timeout <= 900;
          return (
            passes(() =>
              resolveFunctionArgs(
                check,
                "func",
                { ...minimal, memorySize, timeout },
                lattice,
                [],
                none,
              ),
            ) === ok
          );
        },
      ),
    );
  });

  it("alias weights: 1-10 aliases, integers 0-100 summing to 100", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 105 }), { maxLength: 12 }), (weights) => {
        const aliases = weights.map((weight, i) => ({ name: `a${i}`, weight }));
        const ok =
          weights.length >= 1 &&
          weights.length <= 10 &&
          weights.every((w) => w >= 0 && w <= 100) &&
          weights.reduce((a, b) => a + b, 0) === 100;
        return (
          passes(() =>
            resolveFunctionArgs(check, "func", { ...minimal, aliases }, lattice, [], none),
          ) === ok
        );
      }),
    );
  });

  it("Lattice rules: at most 10, priorities 1-100 and unique, target weights 0-999", () => {
    const self = () => ({ aliases: ["live", "canary"], own: true });
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -2, max: 103 }), { maxLength: 12 }),
        fc.array(fc.integer({ min: -2, max: 1002 }), { minLength: 2, maxLength: 2 }),
        (priorities, weights) => {
          const rules = priorities.map((priority) => ({
            priority,
            match: { method: "GET" as const },
            forward: [
              { function: "func", alias: "live", weight: weights[0] },
              { function: "func", alias: "canary", weight: weights[1] },
            ],
          }));
          const ok =
            priorities.length <= 10 &&
            new Set(priorities).size === priorities.length &&
            priorities.every((p) => p >= 1 && p <= 100) &&
            (priorities.length === 0 || weights.every((w) => w >= 0 && w <= 999));
          const routing = () => resolveRouting(check, { rules }, "vpc-lattice", "func", self);
          return passes(routing) === ok;
        },
      ),
    );
  });

  it("resolves every default once", () => {
    const { package: pkg, ...resolved } = resolveFunctionArgs(
      check,
      "func",
      minimal,
      lattice,
      [],
      none,
    );
    assert.equal(pkg.packageType, "Zip");
    assert.deepEqual(resolved, {
      functionName: "func",
      tags: { "mesh-serverless:component": "MeshedFunction", "mesh-serverless:name": "func" },
      memorySize: 128,
      timeout: 3,
      variables: {},
      vpc: undefined,
      policyStatements: [],
      aliases: [{ name: "live", version: undefined, weight: 100 }],
      url: undefined,
      backends: [],
      attributes: { ALIASES: "live=100", MESH_BACKEND: "vpc-lattice" },
      wiring: {
        backend: "vpc-lattice",
        serviceName: "func",
        authType: "AWS_IAM",
        allowedPrincipals: [],
        accessLogs: undefined,
        customDomain: undefined,
        idleTimeoutSeconds: undefined,
        rules: [],
      },
    });
    assert.deepEqual(pkg, {
      packageType: "Zip",
      code: minimal.code,
      runtime: "nodejs22.x",
      handler: "index.handler",
    });
    const appMesh = { backend: "app-mesh", namespaceName: "ns", envoyLogLevel: "info" } as const;
    const url = { authType: "NONE" } as const;
    const mesh = resolveFunctionArgs(check, "func", { ...minimal, url }, appMesh, [], none);
    assert.deepEqual(mesh.url, { authType: "NONE", invokers: undefined });
    assert.deepEqual(mesh.wiring, {
      backend: "app-mesh",
      port: 80,
      priority: undefined,
      retryPolicy: undefined,
      timeout: undefined,
      virtualServiceName: "func.ns",
    });
    assert.deepEqual(mesh.variables, {
      APP_MESH_ENDPOINT: "func.ns:80",
      ENVOY_LOG_LEVEL: "info",
    });
    assert.deepEqual(mesh.attributes, {
      ALIASES: "live=100",
      MESH_BACKEND: "app-mesh",
      MESH_ADDRESS: "http://func.ns:80",
    });
  });

  it("tags, env suffixes and URL hosts", () => {
    assert.ok(passes(() => checkTags(check, "tags", { team: "a", empty: "" })));
    assert.equal(
      message(() => checkTags(check, "tags", { ["k".repeat(129)]: "v" })),
      `invalid \`tags.${"k".repeat(129)}\` "${"k".repeat(129)}": tag keys must be 1-128 characters and not start with "aws:"`,
    );
    assert.ok(!passes(() => checkTags(check, "tags", { team: "v".repeat(257) })));
    assert.equal(envSuffix("users-api.v2"), "USERS_API_V2");
    assert.equal(
      urlHost("https://abc.lambda-url.eu-west-1.on.aws/"),
      "abc.lambda-url.eu-west-1.on.aws",
    );
    assert.equal(
      urlHost("https://abc.lambda-url.eu-west-1.on.aws:443/x"),
      "abc.lambda-url.eu-west-1.on.aws",
    );
  });
});

describe("aws/policies", () => {
  it("reads partition, region and account from ARNs", () => {
    assert.deepEqual(arnParts("arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f"), {
      partition: "aws-us-gov",
      region: "us-gov-west-1",
      account: "123456789012",
    });
    assert.equal(
      managedPolicyArn("aws-cn", "service-role/AWSLambdaBasicExecutionRole"),
      "arn:aws-cn:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    );
  });

  it("builds the Lattice statements exactly", async () => {
    assert.deepEqual(
      await h.resolve(
        latticeAccountAuthPolicy(
          "arn:aws:vpc-lattice:us-east-1:123456789012:servicenetwork/sn-1",
          "*",
        ),
      ),
      {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { AWS: "arn:aws:iam::123456789012:root" },
            Action: "vpc-lattice-svcs:Invoke",
            Resource: "*",
          },
        ],
      },
    );
    assert.deepEqual(latticeInvokeStatement(["arn:s1", "arn:s2"]), {
      Sid: "InvokeMeshBackends",
      Effect: "Allow",
      Action: "vpc-lattice-svcs:Invoke",
      Resource: ["arn:s1/*", "arn:s2/*"],
    });
  });
});
