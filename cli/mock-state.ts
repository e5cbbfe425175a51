/**
 * The outputs a cloud provider would compute for a resource, made up deterministically so a
 * program that reads them (ARNs, URLs, DNS names) runs under the recording engine and renders
 * the same bytes every time. Account 123456789012 is AWS's documented example account.
 */
export const MOCK_ACCOUNT = "123456789012";

type State = Record<string, unknown>;

function awsArn(service: string, region: string, resource: string): string {
  return `arn:aws:${service}:${region}:${MOCK_ACCOUNT}:${resource}`;
}

/** Computed outputs of `type`, given its inputs, logical name and the provider's region. */
export function mockState(type: string, name: string, inputs: State, region: string): State {
  const physical = typeof inputs.name === "string" ? inputs.name : name;
  if (!type.startsWith("aws:")) return {};
  const service = type.slice(4, type.indexOf("/"));
  switch (type) {
    case "aws:lambda/function:Function": {
      const arn = awsArn("lambda", region, `function:${physical}`);
      return {
        arn,
        qualifiedArn: `${arn}:1`,
        invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations`,
        version: "1",
      };
    }
    case "aws:lambda/alias:Alias": {
      const fn = String(inputs.functionName ?? inputs.function ?? "");
      const arn = `${awsArn("lambda", region, `function:${fn}`)}:${physical}`;
      return {
        arn,
        invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations`,
      };
    }
    case "aws:lambda/functionUrl:FunctionUrl":
      return {
        functionUrl: `https://${name}.lambda-url.${region}.on.aws/`,
        urlId: `${name}-url-id`,
      };
    case "aws:vpclattice/service:Service":
      return {
        arn: awsArn("vpc-lattice", region, `service/svc-${physical}`),
        dnsEntries: [
          {
            domainName: `${physical}.${region}.vpc-lattice-svcs.on.aws`,
            hostedZoneId: "Z0MOCKLATTICE",
          },
        ],
      };
    case "aws:servicediscovery/httpNamespace:HttpNamespace":
      return {
        arn: awsArn("servicediscovery", region, `namespace/ns-${physical}`),
        httpName: physical,
      };
    case "aws:iam/role:Role":
      // Roles are auto-named by the engine; the mock names them after the logical name.
      return { arn: `arn:aws:iam::${MOCK_ACCOUNT}:role/${physical}`, name: physical };
    case "aws:vpclattice/serviceNetwork:ServiceNetwork":
      return { arn: awsArn("vpc-lattice", region, `servicenetwork/sn-${physical}`) };
    case "aws:vpclattice/targetGroup:TargetGroup":
      return { arn: awsArn("vpc-lattice", region, `targetgroup/tg-${physical}`) };
    case "aws:iam/policy:Policy":
      return { arn: `arn:aws:iam::${MOCK_ACCOUNT}:policy/${physical}` };
    default:
      return {
        arn: awsArn(
          service,
          region,
          `${type.slice(type.lastIndexOf(":") + 1).toLowerCase()}/${physical}`,
        ),
      };
  }
}
