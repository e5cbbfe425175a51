import * as pulumi from "@pulumi/pulumi";
import * as lambda from "@pulumi/aws/lambda";
import { childName } from "../core/names";
import { arnParts } from "./policies";

/**
 * A function URL per alias, and for each invoker the two resource-policy grants a URL caller
 * needs since October 2025: `lambda:InvokeFunctionUrl` (with the URL's auth type) and
 * `lambda:InvokeFunction` restricted to calls made through the URL.
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
 */
export interface FunctionUrlInputs {
  name: string;
  parent: pulumi.Resource;
  fn: lambda.Function;
  aliases: { name: string; alias: lambda.Alias }[];
  authType: "AWS_IAM" | "NONE";
  /** Principals for AWS_IAM; default: the function's own account. `NONE` always grants `*`. */
  invokers?: pulumi.Input<string>[];
}

export function createFunctionUrls(i: FunctionUrlInputs): {
  urls: lambda.FunctionUrl[];
  permissions: lambda.Permission[];
} {
  const opts = { parent: i.parent };
  const invokers: pulumi.Input<string>[] =
    i.authType === "NONE"
      ? ["*"]
      : (i.invokers ?? [i.fn.arn.apply((arn) => arnParts(arn).account)]);
  const urls: lambda.FunctionUrl[] = [];
  const permissions: lambda.Permission[] = [];
  for (const a of i.aliases) {
    urls.push(
      new lambda.FunctionUrl(
        childName(i.name, `${a.name}-url`),
        { functionName: i.fn.name, qualifier: a.alias.name, authorizationType: i.authType },
        opts,
      ),
    );
    invokers.forEach((principal, k) => {
      const common = { function: i.fn.name, qualifier: a.alias.name, principal };
      permissions.push(
        new lambda.Permission(
          childName(i.name, `${a.name}-url-invoke-${k}`),
          {
            ...common,
            action: "lambda:InvokeFunctionUrl",
            functionUrlAuthType: i.authType,
            statementId: `url-invoke-url-${k}`,
          },
          opts,
        ),
        new lambda.Permission(
          childName(i.name, `${a.name}-url-function-${k}`),
          {
            ...common,
            action: "lambda:InvokeFunction",
            invokedViaFunctionUrl: true,
            statementId: `url-invoke-function-${k}`,
          },
          opts,
        ),
      );
    });
  }
  return { urls, permissions };
}
