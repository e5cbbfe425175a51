// Mocha root hooks: Pulumi's mocks are one global per process, so they are installed here, once,
// before any test file builds resources. Tests call harness.reset() for a fresh recording.
import { reset } from "./harness";

export const mochaHooks = {
  async beforeAll(): Promise<void> {
    await reset();
  },
};
