// The mesh-serverless CrossGuard policy pack: `pulumi preview --policy-pack <this folder>`.
// Entry point only: constructing a PolicyPack starts the policy server, so the policies live in
// ./policies.ts, which the tests import.
import { PolicyPack } from "@pulumi/policy";
import { POLICIES } from "./policies";

new PolicyPack("mesh-serverless", { policies: POLICIES });
