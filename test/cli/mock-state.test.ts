import { strict as assert } from "assert";
import { MOCK_ACCOUNT, mockState } from "../../cli/mock-state";

describe("cli/mock-state", () => {
  it("makes up deterministic AWS outputs from the inputs, name and region", () => {
    assert.equal(MOCK_ACCOUNT, "123456789012");
    assert.deepEqual(
      mockState(
        "aws:lambda/alias:Alias",
        "orders-live",
        { name: "live", functionName: "orders" },
        "eu-west-1",
      ),
      {
        arn: "arn:aws:lambda:eu-west-1:123456789012:function:orders:live",
        invokeArn:
          "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:orders:live/invocations",
      },
    );
    assert.deepEqual(mockState("aws:iam/role:Role", "orders-role", {}, "us-east-1"), {
      arn: "arn:aws:iam::123456789012:role/orders-role",
      name: "orders-role",
    });
    assert.deepEqual(
      mockState("aws:vpclattice/serviceNetwork:ServiceNetwork", "x", { name: "mesh" }, "us-east-1"),
      {
        arn: "arn:aws:vpc-lattice:us-east-1:123456789012:servicenetwork/sn-mesh",
      },
    );
    assert.deepEqual(
      mockState(
        "aws:vpclattice/targetGroup:TargetGroup",
        "x",
        { name: "orders-live" },
        "us-east-1",
      ),
      {
        arn: "arn:aws:vpc-lattice:us-east-1:123456789012:targetgroup/tg-orders-live",
      },
    );
    assert.deepEqual(mockState("kubernetes:core/v1:Namespace", "ns", {}, "us-east-1"), {});
    const a = mockState("aws:lambda/function:Function", "f", { name: "orders" }, "us-east-1");
    assert.deepEqual(
      a,
      mockState("aws:lambda/function:Function", "f", { name: "orders" }, "us-east-1"),
    );
  });
});
