/**
 * What each component hands `registerOutputs` (issue 17): the names and addresses a reader of the
 * stack's state wants (host, url, namespace, gateway), never its child resources. Every child is
 * in the state under the component already; serialising a reference to each (awaiting its URN
 * and ID, then a protobuf Struct the engine keeps) was 6,051 references and ~250,000 promises in a
 * 1,000-service render, for nothing a program or a reader used.
 */
import { strict as assert } from "assert";
import * as h from "../harness";
import { COMPONENTS } from "../../cli/schema";
import { components } from "./samples";

describe("component outputs (issue 17)", () => {
  beforeEach(() => h.reset());

  for (const component of COMPONENTS)
    it(`${component} registers its own names and addresses, no resource references`, async () => {
      const sample = components()[component];
      const instance = sample.build(sample.valid) as Record<string, unknown>;
      const rec = await h.settled();
      const own = rec.resources.filter((r) => !r.custom && r.type.endsWith(`:${component}`));
      assert.equal(own.length, 1, `one ${component} recorded`);
      const outputs = own[0].outputs;
      assert.ok(outputs, `${own[0].urn} registered no outputs`);
      for (const [k, v] of Object.entries(outputs)) {
        assert.equal(typeof v, "string", `${component} output ${k} is ${JSON.stringify(v)}`);
        // The same value the component's property of that name gives a program.
        assert.equal(await h.resolve(instance[k] as string), v, `${component}.${k}`);
      }
    });
});
