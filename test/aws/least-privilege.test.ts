import { strict as assert } from "assert";
import * as h from "../harness";
import { MeshNetwork } from "../../components/aws/mesh-network";
import { MeshedFunction } from "../../components/aws/meshed-function";
import { AWS_PRINCIPAL, PolicyStatement } from "../../components/aws/policies";
import { fnArgs, json, quietNetwork, T } from "./fixtures";

/**
 * Least privilege that a caller cannot silently undo (issue 11): wildcard principals and
 * wildcard actions only through a flag named in the error, principals checked as the IAM
 * reference defines them
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html),
 * and every policy the package writes serialized with JSON.stringify, so no user value can
 * change a policy's structure.
 */

/** Strings that would change a policy's structure if they were pasted into its text. */
const HOSTILE = [
  '"}],"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}],"x":"',
  '\\"',
  "line\nbreak\r\u2028\u2029",
  "</script><!--",
  "${AWS::AccountId}",
  "ünïcødé 🚀",
  "\u0000\u001f",
];

const PRINCIPALS_OK = [
  "210987654321",
  "arn:aws:iam::210987654321:root",
  "arn:aws:iam::210987654321:user/division/team/alice",
  "arn:aws:iam::210987654321:role/caller",
  "arn:aws-cn:iam::210987654321:role/service-role/caller",
  "arn:aws:sts::210987654321:assumed-role/caller/session-1",
];

const PRINCIPALS_BAD = [
  "21098765432", // 11 digits
  "arn:aws:iam::*:root", // a wildcard in the account
  "arn:aws:iam::210987654321:role/*", // a wildcard in the name
  "arn:aws:iam::210987654321:group/devs", // groups are not principals
  "arn:aws:iam::210987654321:instance-profile/web", // nor instance profiles
  " 210987654321",
  'arn:aws:iam::210987654321:role/x"],"Action":"*',
  "",
];

describe("aws: least privilege the caller cannot silently undo", () => {
  beforeEach(() => h.reset());

  describe("wildcard principals need the flag the error names", () => {
    it("network lattice.allowedPrincipals", async () => {
      await h.expectInvalid(
        () => new MeshNetwork("net", { lattice: { allowedPrincipals: ["*"] } }),
        "lattice.allowedPrincipals[0]",
        "grants every AWS principal of every account",
        "`lattice.public: true`",
      );
    });

    it("network lattice.authPolicy", async () => {
      const statement = (Principal: PolicyStatement["Principal"]): PolicyStatement => ({
        Effect: "Allow",
        Principal,
        Action: "vpc-lattice-svcs:Invoke",
        Resource: "*",
      });
      const doc = (s: PolicyStatement) => ({ Version: "2012-10-17" as const, Statement: [s] });
      await h.expectInvalid(
        () => new MeshNetwork("net", { lattice: { authPolicy: doc(statement("*")) } }),
        "lattice.authPolicy.Statement[0].Principal",
        "`lattice.public: true`",
      );
      await h.expectInvalid(
        () =>
          new MeshNetwork("net", {
            lattice: { authPolicy: doc(statement({ AWS: ["210987654321", "*"] })) },
          }),
        "lattice.authPolicy.Statement[0].Principal.AWS[1]",
        "`lattice.public: true`",
      );
      await h.expectInvalid(
        () =>
          new MeshNetwork("net", {
            lattice: { authPolicy: doc(statement({ AWS: "arn:aws:iam::1:root" })) },
          }),
        "lattice.authPolicy.Statement[0].Principal.AWS",
        "12-digit AWS account ID",
      );
      await h.expectInvalid(
        () =>
          new MeshNetwork("net", {
            lattice: {
              authPolicy: doc({ Effect: "Allow", Action: "vpc-lattice-svcs:Invoke" }),
            },
          }),
        "lattice.authPolicy.Statement[0].Principal",
        "is required in a resource policy",
      );
      await h.expectInvalid(
        () =>
          new MeshNetwork("net", {
            lattice: { authPolicy: doc(statement("*")), allowedPrincipals: ["210987654321"] },
          }),
        "lattice.allowedPrincipals",
        "cannot be given with `lattice.authPolicy`",
      );
    });

    it("function lattice.allowedPrincipals and url.invokers", async () => {
      const net = quietNetwork("mesh");
      await h.expectInvalidBelow(
        () => new MeshedFunction("func", fnArgs(net, { lattice: { allowedPrincipals: ["*"] } })),
        "lattice.allowedPrincipals[0]",
        "`lattice.public: true`",
      );
      await h.expectInvalidBelow(
        () => new MeshedFunction("func", fnArgs(net, { url: { invokers: ["210987654321", "*"] } })),
        "url.invokers[1]",
        "`url.public: true`",
      );
      await h.expectInvalidBelow(
        () =>
          new MeshedFunction(
            "func",
            fnArgs(net, { url: { public: true, invokers: ["210987654321"] } }),
          ),
        "url.invokers",
        "has no effect with `url.public: true`",
      );
      await h.expectInvalidBelow(
        () =>
          new MeshedFunction(
            "func",
            fnArgs(net, { url: { authType: "NONE", invokers: ["210987654321"] } }),
          ),
        "url.invokers",
        'has no effect with url.authType "NONE"',
      );
    });

    it("principals: account IDs and IAM ARNs pass, anything else fails naming the rule", async () => {
      for (const p of PRINCIPALS_OK) assert.ok(AWS_PRINCIPAL.test(p), p);
      const net = quietNetwork("mesh");
      for (const p of [...PRINCIPALS_BAD, ...HOSTILE])
        await h.expectInvalidBelow(
          () => new MeshedFunction("func", fnArgs(net, { url: { invokers: ["210987654321", p] } })),
          "url.invokers[1]",
          "must be a 12-digit AWS account ID or the ARN of an account root",
        );
    });

    it("GIVEN public: true THEN everyone is granted, as asked", async () => {
      new MeshNetwork("net", { lattice: { public: true } });
      const net = quietNetwork("mesh");
      new MeshedFunction("func", fnArgs(net, { url: { public: true }, lattice: { public: true } }));
      await h.settled();
      const [network, service] = ["net-auth", "func-lattice-auth"].map(
        (n) => json(h.get(T.authPolicy, n).inputs.policy).Statement,
      );
      assert.deepEqual(network, [
        {
          Effect: "Allow",
          Principal: { AWS: "*" },
          Action: "vpc-lattice-svcs:Invoke",
          Resource: "arn:aws:vpc-lattice:us-east-1:123456789012:service/*",
        },
      ]);
      assert.deepEqual(service[0].Principal, { AWS: "*" });
      for (const n of ["func-live-url-invoke-0", "func-live-url-function-0"])
        assert.equal(h.get(T.permission, n).inputs.principal, "*");
      assert.deepEqual(h.names(T.permission).filter((n) => n.includes("url")).length, 2);
    });

    it("GIVEN valid principals THEN each is granted exactly", async () => {
      const net = quietNetwork("mesh");
      new MeshedFunction(
        "func",
        fnArgs(net, {
          url: { invokers: [PRINCIPALS_OK[2]] },
          lattice: { allowedPrincipals: PRINCIPALS_OK.slice(3) },
        }),
      );
      await h.settled();
      assert.deepEqual(json(h.get(T.authPolicy, "func-lattice-auth").inputs.policy).Statement, [
        {
          Effect: "Allow",
          Principal: { AWS: ["arn:aws:iam::123456789012:root", ...PRINCIPALS_OK.slice(3)] },
          Action: "vpc-lattice-svcs:Invoke",
          Resource: "arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-func/*",
        },
      ]);
      assert.equal(
        h.get(T.permission, "func-live-url-invoke-0").inputs.principal,
        PRINCIPALS_OK[2],
      );
    });
  });

  describe("policyStatements: an identity policy, least privilege unless the caller says so", () => {
    const net = () => quietNetwork("mesh");
    const withStatements = (policyStatements: PolicyStatement[], allowWildcardActions?: boolean) =>
      new MeshedFunction("func", fnArgs(net(), { policyStatements, allowWildcardActions }));
    const allow = (Action: string | string[], Resource: string | string[]): PolicyStatement => ({
      Effect: "Allow",
      Action,
      Resource,
    });
    type Case = [string, PolicyStatement[], string, ...string[]];
    const cases: Case[] = [
      [
        "every action",
        [allow("*", "arn:aws:s3:::b")],
        "policyStatements[0].Action",
        "every action of every service",
        "`allowWildcardActions: true`",
      ],
      [
        "every action in a list",
        [allow(["s3:GetObject", "*"], "arn:aws:s3:::b/*")],
        "policyStatements[0].Action",
        "`allowWildcardActions: true`",
      ],
      [
        "a whole service on everything",
        [allow("s3:*", "*")],
        "policyStatements[0].Action",
        "every action of s3 on every resource",
        "`allowWildcardActions: true`",
      ],
      [
        "a whole service on a list with *",
        [allow("dynamodb:*", ["arn:aws:dynamodb:us-east-1:1:table/t", "*"])],
        "policyStatements[0].Action",
        "every action of dynamodb",
      ],
      [
        "a principal",
        [{ ...allow("s3:GetObject", "*"), Principal: { AWS: "210987654321" } }],
        "policyStatements[0].Principal",
        "not allowed in an identity-based policy",
      ],
      [
        "no resource",
        [{ Effect: "Allow", Action: "s3:GetObject" }],
        "policyStatements[0].Resource",
        "is required in an identity-based policy",
      ],
      [
        "a malformed action",
        [allow("s3 GetObject", "*")],
        "policyStatements[0].Action",
        '"service:Action"',
      ],
      [
        "a malformed resource",
        [allow("s3:GetObject", "bucket")],
        "policyStatements[0].Resource",
        'must be "*" or an ARN',
      ],
      [
        "a Sid with punctuation",
        [{ ...allow("s3:GetObject", "*"), Sid: 'a"b' }],
        "policyStatements[0].Sid",
        "ASCII letters and digits",
      ],
    ];
    for (const [title, statements, argument, ...mentions] of cases)
      it(`rejects ${title}`, () =>
        h.expectInvalidBelow(() => withStatements(statements), argument, ...mentions));

    it("accepts narrow grants, Deny wildcards, and wildcards the caller asked for", async () => {
      const narrow = [
        allow("s3:*", "arn:aws:s3:::orders/*"),
        allow(["s3:Get*", "xray:PutTraceSegments"], "*"),
        { Effect: "Deny" as const, Action: "*", Resource: "*" },
      ];
      withStatements(narrow);
      await h.settled();
      assert.deepEqual(json(h.get(T.rolePolicy, "func-extra").inputs.policy).Statement, narrow);
      await h.reset();
      withStatements([allow("*", "*")], true);
      await h.settled();
      assert.deepEqual(json(h.get(T.rolePolicy, "func-extra").inputs.policy).Statement, [
        allow("*", "*"),
      ]);
    });
  });

  describe("generated IAM JSON holds user values as JSON strings only", () => {
    it("hostile condition values round-trip through the role policy and the auth policy", async () => {
      const condition = { StringEquals: Object.fromEntries(HOSTILE.map((v, i) => [`k${i}`, v])) };
      const statements: PolicyStatement[] = [
        { Effect: "Allow", Action: "s3:GetObject", Resource: "*", Condition: condition },
      ];
      const authPolicy = {
        Version: "2012-10-17" as const,
        Statement: [
          {
            Effect: "Allow" as const,
            Principal: { AWS: "210987654321" },
            Action: "vpc-lattice-svcs:Invoke",
            Resource: "*",
            Condition: condition,
          },
        ],
      };
      new MeshNetwork("net", { lattice: { authPolicy } });
      new MeshedFunction("func", fnArgs(quietNetwork("mesh"), { policyStatements: statements }));
      await h.settled();
      const role = json(h.get(T.rolePolicy, "func-extra").inputs.policy);
      assert.deepEqual(role, { Version: "2012-10-17", Statement: statements });
      assert.deepEqual(json(h.get(T.authPolicy, "net-auth").inputs.policy), authPolicy);
    });
  });
});
