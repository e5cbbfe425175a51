import type { Policies } from "@pulumi/policy";
import { analyzerErrors, analyzerWarnings } from "./analyzer-policies";
import {
  containersHaveLimits,
  functionUrlIam,
  mtlsStrict,
  noNewAppMesh,
  noOpenAllowOnPublicService,
} from "./guardrails";

/** Every policy of the pack, for the entry point and the tests (which never build the pack). */
export const POLICIES: Policies = [
  analyzerErrors,
  analyzerWarnings,
  mtlsStrict,
  noOpenAllowOnPublicService,
  functionUrlIam,
  containersHaveLimits,
  noNewAppMesh,
];
