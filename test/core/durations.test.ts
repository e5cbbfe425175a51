import { strict as assert } from "assert";
import fc from "fast-check";
import { formatDuration, parseDuration, toSeconds } from "../../components/core/durations";

describe("core/durations", () => {
  it("parses Go-style durations to milliseconds", () => {
    assert.equal(parseDuration("30ms"), 30);
    assert.equal(parseDuration("10s"), 10_000);
    assert.equal(parseDuration("15m"), 900_000);
    assert.equal(parseDuration("1h30m"), 5_400_000);
    assert.equal(parseDuration("1.5s"), 1_500);
    assert.equal(parseDuration("7200s"), 7_200_000);
  });

  it("rejects text that is not a duration", () => {
    for (const bad of ["", "10", "s", "10 s", "-5s", "1d", "5sec", "1h 30m", "ms10"]) {
      assert.equal(parseDuration(bad), undefined, bad);
    }
  });

  it("formats in the largest exact unit", () => {
    assert.equal(formatDuration(0), "0s");
    assert.equal(formatDuration(30), "30ms");
    assert.equal(formatDuration(90_000), "90s");
    assert.equal(formatDuration(900_000), "15m");
    assert.equal(formatDuration(7_200_000), "2h");
    assert.equal(toSeconds(1_500), 2);
  });

  it("round-trips: parse(format(ms)) === ms for whole milliseconds", () => {
    fc.assert(
      fc.property(fc.nat(10 * 24 * 3_600_000), (ms) => parseDuration(formatDuration(ms)) === ms),
    );
  });

  it("sums parts: parse(a + b) === parse(a) + parse(b) for whole units", () => {
    fc.assert(
      fc.property(
        fc.nat(99),
        fc.nat(59),
        fc.nat(59),
        (h, m, s) => parseDuration(`${h}h${m}m${s}s`) === h * 3_600_000 + m * 60_000 + s * 1000,
      ),
    );
  });
});
