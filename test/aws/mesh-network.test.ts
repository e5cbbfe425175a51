import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { Provider } from "@pulumi/aws/provider";
import * as h from "../harness";
import {
  APP_MESH_END_OF_SUPPORT,
  appMeshWarning,
  MeshNetwork,
} from "../../components/aws/mesh-network";
import { retainedOnDelete, T } from "./fixtures";

const { namespace: NS, serviceNetwork: SN, authPolicy: AUTH, mesh: MESH, network: COMPONENT } = T;
const { logGroup: LOG_GROUP, subscription: SUBSCRIPTION } = T;
const VPC = "aws:vpclattice/serviceNetworkVpcAssociation:ServiceNetworkVpcAssociation";

const captureWarnings = h.captureWarnings;

describe("aws/MeshNetwork", () => {
  beforeEach(() => h.reset());

  it("GIVEN defaults THEN a namespace, an AWS_IAM service network and an account-scoped auth policy", async () => {
    const warnings = await captureWarnings(async () => {
      new MeshNetwork("mesh", {
        lattice: { vpcs: [{ vpcId: "vpc-1" }, { vpcId: "vpc-2", securityGroupIds: ["sg-1"] }] },
      });
      await h.settled();
    });
    assert.deepEqual(warnings, []);
    assert.deepEqual(h.countByType(), {
      [COMPONENT]: 1,
      [NS]: 1,
      [SN]: 1,
      [VPC]: 2,
      [AUTH]: 1,
    });
    const tags = { "mesh-serverless:component": "MeshNetwork", "mesh-serverless:name": "mesh" };
    const ns = h.get(NS, "mesh-registry");
    assert.deepEqual(ns.inputs, {
      name: "mesh",
      description: "mesh-serverless registry of mesh",
      tags,
    });
    assert.equal(h.parentOf(ns)?.type, COMPONENT);
    const sn = h.get(SN, "mesh-network");
    assert.deepEqual(sn.inputs, { name: "mesh", authType: "AWS_IAM", tags });
    const vpc1 = h.get(VPC, "mesh-vpc-1");
    assert.deepEqual(vpc1.inputs, {
      serviceNetworkIdentifier: "mesh-network-id",
      vpcIdentifier: "vpc-2",
      securityGroupIds: ["sg-1"],
      tags,
    });
    assert.deepEqual(h.dependencies(vpc1), [`${SN}::mesh-network`]);
    assert.equal(h.get(VPC, "mesh-vpc-0").inputs.vpcIdentifier, "vpc-1");
    const auth = h.get(AUTH, "mesh-auth");
    assert.equal(
      auth.inputs.resourceIdentifier,
      "arn:aws:vpc-lattice:us-east-1:123456789012:servicenetwork/sn-mesh",
    );
    assert.deepEqual(JSON.parse(auth.inputs.policy as string), {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::123456789012:root" },
          Action: "vpc-lattice-svcs:Invoke",
          // This account's services in this Region, not "*".
          Resource: "arn:aws:vpc-lattice:us-east-1:123456789012:service/*",
        },
      ],
    });
    assert.deepEqual(h.dependencies(auth), [`${SN}::mesh-network`]);
  });

  it("takes extra principals, a custom policy, or no auth at all", async () => {
    new MeshNetwork("net-a", { lattice: { allowedPrincipals: ["210987654321"] } });
    new MeshNetwork("net-b", {
      lattice: {
        authPolicy: {
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: "*", Action: "*", Resource: "*" }],
        },
        public: true,
      },
    });
    const c = new MeshNetwork("net-c", { lattice: { authType: "NONE" } });
    await h.settled();
    assert.deepEqual(
      JSON.parse(h.get(AUTH, "net-a-auth").inputs.policy as string).Statement[0].Principal,
      {
        AWS: ["arn:aws:iam::123456789012:root", "210987654321"],
      },
    );
    assert.deepEqual(JSON.parse(h.get(AUTH, "net-b-auth").inputs.policy as string).Statement, [
      { Effect: "Allow", Principal: "*", Action: "*", Resource: "*" },
    ]);
    assert.deepEqual(h.names(AUTH), ["net-a-auth", "net-b-auth"]);
    assert.equal(h.get(SN, "net-c-network").inputs.authType, "NONE");
    assert.equal(c.authPolicy, undefined);
    assert.deepEqual(c.settings, {
      backend: "vpc-lattice",
      namespaceName: "net-c",
      latticeAuthType: "NONE",
    });
  });

  it("GIVEN app-mesh THEN a mesh with egress filter and IP preference, and the end-of-support warning", async () => {
    let network: MeshNetwork | undefined;
    const retained = retainedOnDelete();
    const warnings = await captureWarnings(async () => {
      network = new MeshNetwork("legacy", {
        backend: "app-mesh",
        namespaceName: "serverless.local",
        appMesh: { meshName: "serverless-mesh", ipPreference: "IPv4_PREFERRED" },
      });
      await h.settled();
    });
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0][0], appMeshWarning("legacy"));
    assert.equal(warnings[0][1], network);
    assert.ok(warnings[0][0].includes(APP_MESH_END_OF_SUPPORT));
    assert.equal(
      appMeshWarning("legacy"),
      'MeshNetwork legacy: backend "app-mesh" uses AWS App Mesh, whose support AWS ended on 2026-09-30. ' +
        'Migrate to Amazon VPC Lattice: set `backend: "vpc-lattice"` (the default) and drop the ' +
        "network's `appMesh` options. Functions, aliases, roles and Cloud Map registrations stay in " +
        "place; weighted aliases become a Lattice listener's weighted target groups, backends Lattice " +
        "invoke grants; App Mesh resources are retained on delete, so the next `pulumi up` drops them " +
        'from the state without calling App Mesh. See the README section "Moving off App Mesh" and ' +
        "https://docs.aws.amazon.com/vpc-lattice/latest/ug/what-is-vpc-lattice.html",
    );
    // Removing the mesh must not call the retired API; the registry holds no App Mesh state.
    assert.deepEqual([...retained], [`${NS}::legacy-registry`, `${MESH}::legacy-mesh`]);
    assert.deepEqual(h.countByType(), { [COMPONENT]: 1, [NS]: 1, [MESH]: 1 });
    assert.deepEqual(h.get(MESH, "legacy-mesh").inputs, {
      name: "serverless-mesh",
      spec: {
        egressFilter: { type: "DROP_ALL" },
        serviceDiscovery: { ipPreference: "IPv4_PREFERRED" },
      },
      tags: { "mesh-serverless:component": "MeshNetwork", "mesh-serverless:name": "legacy" },
    });
    assert.equal(h.get(NS, "legacy-registry").inputs.name, "serverless.local");
    assert.deepEqual(network!.settings, {
      backend: "app-mesh",
      namespaceName: "serverless.local",
      meshName: "serverless-mesh",
      envoyLogLevel: "info",
    });
  });

  it("app-mesh: ALLOW_ALL egress, no IP preference, own log level", async () => {
    await captureWarnings(async () => {
      const n = new MeshNetwork("m", {
        backend: "app-mesh",
        appMesh: { egressFilter: "ALLOW_ALL", envoyLogLevel: "debug" },
      });
      await h.settled();
      assert.equal(n.settings.envoyLogLevel, "debug");
    });
    assert.deepEqual(h.get(MESH, "m-mesh").inputs.spec, { egressFilter: { type: "ALLOW_ALL" } });
  });

  it("GIVEN access logs THEN a retained log group with retention and a subscription of the network", async () => {
    const retained = retainedOnDelete();
    new MeshNetwork("mesh", { lattice: { accessLogs: { type: "cloudwatch" } } });
    new MeshNetwork("net-s3", {
      lattice: {
        name: "archive",
        accessLogs: { type: "s3", bucketArn: "arn:aws:s3:::mesh-logs/lattice" },
      },
    });
    new MeshNetwork("net-fh", {
      lattice: {
        accessLogs: {
          type: "firehose",
          deliveryStreamArn: "arn:aws:firehose:us-east-1:123456789012:deliverystream/mesh",
        },
      },
    });
    await h.settled();
    const tags = (name: string) => ({
      "mesh-serverless:component": "MeshNetwork",
      "mesh-serverless:name": name,
    });
    const group = h.get(LOG_GROUP, "mesh-access-logs");
    assert.deepEqual(group.inputs, {
      name: "/aws/vendedlogs/vpc-lattice/mesh",
      retentionInDays: 30,
      tags: tags("mesh"),
    });
    assert.equal(h.parentOf(group)?.name, "mesh");
    const sub = h.get(SUBSCRIPTION, "mesh-access-log-subscription");
    assert.deepEqual(sub.inputs, {
      resourceIdentifier: "arn:aws:vpc-lattice:us-east-1:123456789012:servicenetwork/sn-mesh",
      destinationArn:
        "arn:aws:cloudwatch:us-east-1:123456789012:loggroup//aws/vendedlogs/vpc-lattice/mesh",
      tags: tags("mesh"),
    });
    assert.deepEqual(h.dependencies(sub), [
      `${LOG_GROUP}::mesh-access-logs`,
      `${SN}::mesh-network`,
    ]);
    assert.deepEqual(h.get(SUBSCRIPTION, "net-s3-access-log-subscription").inputs, {
      resourceIdentifier: "arn:aws:vpc-lattice:us-east-1:123456789012:servicenetwork/sn-archive",
      destinationArn: "arn:aws:s3:::mesh-logs/lattice",
      tags: tags("net-s3"),
    });
    assert.equal(
      h.get(SUBSCRIPTION, "net-fh-access-log-subscription").inputs.destinationArn,
      "arn:aws:firehose:us-east-1:123456789012:deliverystream/mesh",
    );
    assert.deepEqual(h.names(LOG_GROUP), ["mesh-access-logs"]);
    assert.deepEqual(
      [...retained].filter((k) => !k.startsWith(`${NS}::`)),
      [`${LOG_GROUP}::mesh-access-logs`],
    );
  });

  it("takes its provider from the caller", async () => {
    const provider = new Provider("eu", { region: "eu-west-1" });
    new MeshNetwork("mesh-eu", {}, { providers: { aws: provider } });
    await h.settled();
    for (const type of [NS, SN, AUTH]) {
      assert.equal(h.providerOf(h.resources(type)[0]), "pulumi:providers:aws::eu", type);
    }
    assert.equal(h.get(SN, "mesh-eu-network").inputs.name, "mesh-eu");
    assert.match(
      String(h.get(AUTH, "mesh-eu-auth").inputs.resourceIdentifier),
      /^arn:aws:vpc-lattice:eu-west-1:/,
    );
  });

  describe("rejects bad input before creating anything", () => {
    const cases: [string, () => unknown, string, ...string[]][] = [
      [
        "backend",
        () => new MeshNetwork("x", { backend: "istio" as never }),
        "backend",
        '"istio"',
        '"vpc-lattice", "app-mesh"',
      ],
      [
        "namespace",
        () => new MeshNetwork("x", { namespaceName: "has space" }),
        "namespaceName",
        '"has space"',
        "1-1024",
      ],
      [
        "network name too short",
        () => new MeshNetwork("x", { lattice: { name: "ab" } }),
        "lattice.name",
        '"ab"',
        "3-63",
      ],
      [
        "network name uppercase",
        () => new MeshNetwork("x", { lattice: { name: "Mesh" } }),
        "lattice.name",
        '"Mesh"',
        "lowercase",
      ],
      [
        "network name double dash",
        () => new MeshNetwork("x", { lattice: { name: "a--b" } }),
        "lattice.name",
        "without '--'",
      ],
      [
        "auth type",
        () => new MeshNetwork("xyz", { lattice: { authType: "OPEN" as never } }),
        "lattice.authType",
        '"OPEN"',
        '"AWS_IAM", "NONE"',
      ],
      [
        "policy without auth",
        () =>
          new MeshNetwork("xyz", {
            lattice: { authType: "NONE", authPolicy: { Version: "2012-10-17", Statement: [] } },
          }),
        "lattice.authPolicy",
        'needs lattice.authType "AWS_IAM"',
      ],
      [
        "lattice on app-mesh",
        () => new MeshNetwork("x", { backend: "app-mesh", lattice: {} } as never),
        "lattice",
        'backend "vpc-lattice"',
      ],
      [
        "appMesh on lattice",
        () => new MeshNetwork("x", { appMesh: {} } as never),
        "appMesh",
        'backend "app-mesh"',
        "delete the block",
      ],
      [
        "mesh name",
        () => new MeshNetwork("x", { backend: "app-mesh", appMesh: { meshName: "m".repeat(256) } }),
        "appMesh.meshName",
        "1-255",
      ],
      [
        "egress",
        () =>
          new MeshNetwork("x", { backend: "app-mesh", appMesh: { egressFilter: "DENY" as never } }),
        "appMesh.egressFilter",
        '"DENY"',
        '"DROP_ALL", "ALLOW_ALL"',
      ],
      [
        "ip preference",
        () =>
          new MeshNetwork("x", { backend: "app-mesh", appMesh: { ipPreference: "IPv5" as never } }),
        "appMesh.ipPreference",
        '"IPv5"',
      ],
      [
        "log level",
        () =>
          new MeshNetwork("x", {
            backend: "app-mesh",
            appMesh: { envoyLogLevel: "loud" as never },
          }),
        "appMesh.envoyLogLevel",
        '"loud"',
        '"trace"',
      ],
      [
        "endpoint",
        () =>
          new MeshNetwork("x", {
            backend: "app-mesh",
            appMesh: { endpoint: "serverless-mesh.local:8080" } as never,
          }),
        "appMesh.endpoint",
        '"serverless-mesh.local:8080"',
        "its own virtual service and router port",
      ],
      [
        "access log type",
        () => new MeshNetwork("xyz", { lattice: { accessLogs: { type: "kinesis" } as never } }),
        "lattice.accessLogs.type",
        '"kinesis"',
        '"cloudwatch", "s3", "firehose"',
      ],
      [
        "access log retention",
        () =>
          new MeshNetwork("xyz", {
            lattice: { accessLogs: { type: "cloudwatch", retentionInDays: 10 } },
          }),
        "lattice.accessLogs.retentionInDays",
        "10",
        "must be one of 1, 3, 5, 7, 14, 30",
      ],
      [
        "access log group name",
        () =>
          new MeshNetwork("xyz", {
            lattice: { accessLogs: { type: "cloudwatch", logGroupName: "has space" } },
          }),
        "lattice.accessLogs.logGroupName",
        '"has space"',
      ],
      [
        "access log bucket",
        () =>
          new MeshNetwork("xyz", {
            lattice: { accessLogs: { type: "s3", bucketArn: "mesh-logs" } },
          }),
        "lattice.accessLogs.bucketArn",
        '"mesh-logs"',
        "S3 bucket ARN",
      ],
      [
        "access log bucket missing",
        () => new MeshNetwork("xyz", { lattice: { accessLogs: { type: "s3" } as never } }),
        "lattice.accessLogs.bucketArn",
        "is required",
      ],
      [
        "access log stream",
        () =>
          new MeshNetwork("xyz", {
            lattice: {
              accessLogs: { type: "firehose", deliveryStreamArn: "arn:aws:s3:::not-a-stream" },
            },
          }),
        "lattice.accessLogs.deliveryStreamArn",
        "Firehose delivery stream ARN",
      ],
      [
        "tag key",
        () => new MeshNetwork("x", { tags: { "aws:owner": "me" } }),
        "tags.aws:owner",
        "aws:",
      ],
      [
        "tag secret",
        () => new MeshNetwork("x", { tags: { owner: pulumi.secret("me") as never } }),
        "tags.owner",
        "[Output]",
        "not an Output or a secret",
      ],
    ];
    for (const [title, build, argument, ...mentions] of cases) {
      it(title, async () => {
        const warnings = await captureWarnings(() =>
          h.expectInvalid(build, argument, ...mentions).then(() => undefined),
        );
        assert.deepEqual(warnings, [], "no warning before validation passes");
      });
    }
  });
});
