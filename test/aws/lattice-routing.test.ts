import { strict as assert } from "assert";
import * as h from "../harness";
import { MeshedFunction } from "../../components/aws/meshed-function";
import { RouteRuleArgs } from "../../components/aws/routing";
import {
  CANARY as canary,
  fnArgs,
  expectLambdaTarget,
  fnTags,
  LATTICE_ARN,
  quietNetwork,
  retainedOnDelete,
  T,
} from "./fixtures";

const { rule: RULE, logGroup: LOG_GROUP, subscription: SUBSCRIPTION } = T;
const CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

const premiumRule: RouteRuleArgs = {
  priority: 10,
  match: { headers: [{ name: "user-type", type: "exact", value: "premium" }] },
  forward: [{ function: "premium" }],
};

describe("aws/MeshedFunction routing on vpc-lattice", () => {
  beforeEach(() => h.reset());

  it("GIVEN the seeds' premium-user rule and a path rule THEN listener rules ahead of the weighted split", async () => {
    const net = quietNetwork("mesh");
    new MeshedFunction("premium", fnArgs(net, { aliases: canary }));
    new MeshedFunction(
      "users",
      fnArgs(net, {
        aliases: canary,
        routing: {
          rules: [
            premiumRule,
            {
              priority: 20,
              name: "beta-api",
              match: {
                path: { type: "prefix", value: "/v2/", caseSensitive: false },
                method: "POST",
                headers: [{ name: "x-beta", type: "contains", value: "yes", caseSensitive: false }],
              },
              forward: [
                { function: "users", alias: "canary", weight: 900 },
                { function: "premium", alias: "stable", weight: 99 },
              ],
            },
          ],
        },
      }),
    );
    await h.settled();
    assert.deepEqual(h.names(RULE), ["users-rule-10", "users-rule-20"]);
    const first = h.get(RULE, "users-rule-10");
    assert.deepEqual(first.inputs, {
      name: "users-rule-10",
      serviceIdentifier: "users-lattice-id",
      listenerIdentifier: "arn:aws:vpclattice:us-east-1:123456789012:listener/users-https",
      priority: 10,
      match: {
        httpMatch: {
          headerMatches: [{ name: "user-type", caseSensitive: true, match: { exact: "premium" } }],
        },
      },
      action: {
        forward: {
          targetGroups: [{ targetGroupIdentifier: "users-rule-premium-stable-tg-id", weight: 1 }],
        },
      },
      tags: fnTags("users"),
    });
    assert.equal(h.parentOf(first)?.name, "users");
    assert.deepEqual(h.dependencies(first), [
      `${T.listener}::users-https`,
      `${T.latticeService}::users-lattice`,
      `${T.targetGroup}::users-rule-premium-stable-tg`,
    ]);
    // A target group serves one service's listeners: users reaches premium's alias through a
    // target group of its own, with its own grant on that alias.
    expectLambdaTarget("users", "rule-premium-stable", {
      fn: "premium",
      alias: "stable",
      tgName: "users-premium-stable",
      statementId: "vpc-lattice-via-users",
    });
    // Both rules reach premium:stable through the one target group; users' own aliases need none.
    assert.deepEqual(h.names(T.targetGroup), [
      "premium-canary-tg",
      "premium-stable-tg",
      "users-canary-tg",
      "users-rule-premium-stable-tg",
      "users-stable-tg",
    ]);
    const second = h.get(RULE, "users-rule-20");
    assert.deepEqual(second.inputs.match, {
      httpMatch: {
        headerMatches: [{ name: "x-beta", caseSensitive: false, match: { contains: "yes" } }],
        pathMatch: { caseSensitive: false, match: { prefix: "/v2/" } },
        method: "POST",
      },
    });
    assert.equal(second.inputs.name, "beta-api");
    assert.deepEqual(second.inputs.action, {
      forward: {
        targetGroups: [
          { targetGroupIdentifier: "users-canary-tg-id", weight: 900 },
          { targetGroupIdentifier: "users-rule-premium-stable-tg-id", weight: 99 },
        ],
      },
    });
    // The default action still splits users 90/10; the service joins the network after its rules.
    assert.deepEqual(h.get(T.listener, "users-https").inputs.defaultAction, {
      forwards: [
        {
          targetGroups: [
            { targetGroupIdentifier: "users-stable-tg-id", weight: 90 },
            { targetGroupIdentifier: "users-canary-tg-id", weight: 10 },
          ],
        },
      ],
    });
    assert.deepEqual(h.dependencies(h.get(T.association, "users-association")), [
      `${T.listener}::users-https`,
      `${RULE}::users-rule-10`,
      `${RULE}::users-rule-20`,
      `${T.latticeService}::users-lattice`,
      `${T.serviceNetwork}::mesh-network`,
    ]);
  });

  it("serves a custom domain with its certificate, logs the service, and hands out the domain", async () => {
    const retained = retainedOnDelete();
    const net = quietNetwork("mesh");
    const orders = new MeshedFunction(
      "orders",
      fnArgs(net, {
        lattice: {
          customDomain: { domainName: "orders.example.com", certificateArn: CERT },
          accessLogs: { type: "cloudwatch", retentionInDays: 7 },
        },
        routing: { timeout: { idle: "5m" } },
      }),
    );
    new MeshedFunction("web", fnArgs(net, { backends: [orders] }));
    await h.settled();
    assert.deepEqual(h.get(T.latticeService, "orders-lattice").inputs, {
      name: "orders",
      authType: "AWS_IAM",
      idleTimeoutSeconds: 300,
      customDomainName: "orders.example.com",
      certificateArn: CERT,
      tags: fnTags("orders"),
    });
    const listener = h.get(T.listener, "orders-https").inputs;
    assert.deepEqual([listener.protocol, listener.port], ["HTTPS", 443]);
    assert.equal(await h.resolve(orders.meshAddress), "https://orders.example.com");
    assert.equal(
      (h.get(T.lambda, "web-function").inputs.environment as { variables: Record<string, string> })
        .variables.MESH_BACKEND_ORDERS,
      "https://orders.example.com",
    );
    assert.equal(
      (h.get(T.instance, "orders-instance").inputs.attributes as Record<string, string>)
        .MESH_ADDRESS,
      "https://orders.example.com",
    );
    assert.deepEqual(h.get(LOG_GROUP, "orders-access-logs").inputs, {
      name: "/aws/vendedlogs/vpc-lattice/orders",
      retentionInDays: 7,
      tags: fnTags("orders"),
    });
    const sub = h.get(SUBSCRIPTION, "orders-access-log-subscription");
    assert.equal(sub.inputs.resourceIdentifier, `${LATTICE_ARN}:service/svc-orders`);
    assert.deepEqual(h.dependencies(sub), [
      `${LOG_GROUP}::orders-access-logs`,
      `${T.latticeService}::orders-lattice`,
    ]);
    assert.deepEqual(
      [...retained],
      [`${T.namespace}::mesh-registry`, `${LOG_GROUP}::orders-access-logs`],
    );
  });

  describe("rejects what Lattice cannot do, and bad rules, before creating anything", () => {
    type Case = [string, Parameters<typeof fnArgs>[1], string, ...string[]];
    // Rules forward to the function's own alias unless a case says otherwise: no prerequisite.
    const rule = (extra: Partial<RouteRuleArgs>): RouteRuleArgs => ({
      ...premiumRule,
      forward: [{ function: "fn-x" }],
      ...extra,
    });
    const header = (i: number) => ({ name: `h${i}`, type: "exact" as const, value: "v" });
    const cases: Case[] = [
      [
        "retries",
        {
          routing: {
            retries: { maxRetries: 2, perRetryTimeout: "1s", httpRetryEvents: ["server-error"] },
          },
        },
        "routing.retries",
        "VPC Lattice does not retry requests",
        "API_RuleAction",
      ],
      [
        "per-request timeout",
        { routing: { timeout: { perRequest: "15s" } } },
        "routing.timeout.perRequest",
        '"15s"',
        "no per-request timeout",
        "function's `timeout`",
      ],
      [
        "eleven rules",
        {
          routing: { rules: Array.from({ length: 11 }, (_, i) => rule({ priority: i + 1 })) },
        },
        "routing.rules",
        "at most 10 rules per listener",
      ],
      [
        "priority low",
        { routing: { rules: [rule({ priority: 0 })] } },
        "routing.rules[0].priority",
        "1 to 100",
      ],
      [
        "priority high",
        { routing: { rules: [rule({ priority: 101 })] } },
        "routing.rules[0].priority",
        "101",
      ],
      [
        "same priority",
        { routing: { rules: [rule({}), rule({ name: "other" })] } },
        "routing.rules",
        '"10"',
        "unique",
      ],
      [
        "rule name",
        { routing: { rules: [rule({ name: "Premium" })] } },
        "routing.rules[0].name",
        '"Premium"',
        "3-63",
      ],
      [
        "no condition",
        { routing: { rules: [rule({ match: {} })] } },
        "routing.rules[0].match",
        "at least one of headers, path or method",
      ],
      [
        "six headers",
        { routing: { rules: [rule({ match: { headers: [0, 1, 2, 3, 4, 5].map(header) } })] } },
        "routing.rules[0].match.headers",
        "at most 5 header matches",
      ],
      [
        "header type",
        {
          routing: {
            rules: [
              rule({ match: { headers: [{ name: "a", type: "regex" as never, value: "v" }] } }),
            ],
          },
        },
        "routing.rules[0].match.headers[0].type",
        '"regex"',
        '"exact", "prefix", "contains"',
      ],
      [
        "header value long",
        {
          routing: {
            rules: [
              rule({ match: { headers: [{ name: "a", type: "exact", value: "v".repeat(129) }] } }),
            ],
          },
        },
        "routing.rules[0].match.headers[0].value",
        "1-128",
      ],
      [
        "path without slash",
        { routing: { rules: [rule({ match: { path: { type: "prefix", value: "v2" } } })] } },
        "routing.rules[0].match.path.value",
        '"v2"',
        "start with '/'",
      ],
      [
        "method",
        { routing: { rules: [rule({ match: { method: "PATCH" as never } })] } },
        "routing.rules[0].match.method",
        '"PATCH"',
        '"GET"',
      ],
      [
        "no targets",
        { routing: { rules: [rule({ forward: [] })] } },
        "routing.rules[0].forward",
        "1-10 targets",
      ],
      [
        "eleven targets",
        {
          routing: {
            rules: [
              rule({
                forward: Array.from({ length: 11 }, () => ({ function: "fn-x", weight: 1 })),
              }),
            ],
          },
        },
        "routing.rules[0].forward",
        "1-10 targets",
      ],
      [
        "weight high",
        { routing: { rules: [rule({ forward: [{ function: "fn-x", weight: 1000 }] })] } },
        "routing.rules[0].forward[0].weight",
        "1000",
        "0 to 999",
      ],
      [
        "weight missing",
        {
          routing: {
            rules: [rule({ forward: [{ function: "fn-x" }, { function: "fn-x", weight: 1 }] })],
          },
        },
        "routing.rules[0].forward[0].weight",
        "more than one target",
      ],
      [
        "unknown function",
        { routing: { rules: [rule({ forward: [{ function: "ghost" }] })] } },
        "routing.rules[0].forward[0].function",
        '"ghost"',
        "built before this one on the same network",
      ],
      [
        "target group name of another function",
        { routing: { rules: [rule({ forward: [{ function: "Premium" }] })] } },
        "routing.rules[0].forward[0].function",
        '"Premium"',
        "must name a MeshedFunction",
      ],
      [
        "unknown alias",
        { routing: { rules: [rule({ forward: [{ function: "fn-x", alias: "beta" }] })] } },
        "routing.rules[0].forward[0].alias",
        '"beta"',
        "(live)",
      ],
      [
        "same target twice",
        {
          routing: {
            rules: [
              rule({
                forward: [
                  { function: "fn-x", weight: 1 },
                  { function: "fn-x", alias: "live", weight: 1 },
                ],
              }),
            ],
          },
        },
        "routing.rules[0].forward",
        '"fn-x:live"',
        "unique",
      ],
      [
        "custom domain name",
        { lattice: { customDomain: { domainName: "Orders", certificateArn: CERT } } },
        "lattice.customDomain.domainName",
        '"Orders"',
        "lowercase DNS name",
      ],
      [
        "custom domain without certificate",
        { lattice: { customDomain: { domainName: "orders.example.com" } as never } },
        "lattice.customDomain.certificateArn",
        "is required",
        "ACM certificate",
      ],
      [
        "custom domain certificate",
        {
          lattice: {
            customDomain: { domainName: "orders.example.com", certificateArn: "arn:aws:iam::1:x" },
          },
        },
        "lattice.customDomain.certificateArn",
        '"arn:aws:iam::1:x"',
        "ACM certificate ARN",
      ],
      [
        "access logs",
        { lattice: { accessLogs: { type: "cloudwatch", retentionInDays: 2 } } },
        "lattice.accessLogs.retentionInDays",
        "2",
      ],
    ];
    for (const [title, extra, argument, ...mentions] of cases) {
      it(title, async () => {
        const net = quietNetwork("mesh");
        await h.settled();
        await h.expectInvalid(
          () => new MeshedFunction("fn-x", fnArgs(net, extra)),
          argument,
          ...mentions,
        );
      });
    }

    it("a rule whose target group name Lattice would refuse", async () => {
      const net = quietNetwork("mesh");
      new MeshedFunction(
        "Premium",
        fnArgs(net, { functionName: "premium", lattice: { serviceName: "premium" } }),
      );
      await h.settled();
      await h.expectInvalid(
        () =>
          new MeshedFunction(
            "fn-x",
            fnArgs(net, {
              routing: { rules: [{ ...premiumRule, forward: [{ function: "Premium" }] }] },
            }),
          ),
        "routing.rules[0].forward[0].function",
        '"fn-x-Premium-live"',
        "3-128 characters of lowercase letters",
      );
    });

    it("rules on app-mesh, with the reason", async () => {
      const net = quietNetwork("legacy", { backend: "app-mesh" });
      await h.settled();
      await h.expectInvalid(
        () =>
          new MeshedFunction(
            "fn-x",
            fnArgs(net, { url: { authType: "NONE" }, routing: { rules: [premiumRule] } }),
          ),
        "routing.rules",
        "[10]",
        'backend "vpc-lattice" only',
        "2026-09-30",
      );
    });
  });
});
