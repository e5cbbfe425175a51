// Mocha reporter: the human "spec" output on stdout, plus mocha's JSON report written to the file
// named by MOCHA_JSON (CI reads the pass/fail counts from it).
"use strict";
const fs = require("fs");
const Mocha = require("mocha");

class SpecAndJson extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const file = process.env.MOCHA_JSON;
    if (!file) return;
    const counts = { passes: 0, failures: 0, pending: 0 };
    const failures = [];
    runner.on("pass", () => counts.passes++);
    runner.on("pending", () => counts.pending++);
    runner.on("fail", (test, err) => {
      counts.failures++;
      failures.push({ title: test.fullTitle(), message: String(err && err.message) });
    });
    runner.once("end", () =>
      fs.writeFileSync(file, JSON.stringify({ stats: counts, failures }, null, 2)),
    );
  }
}

module.exports = SpecAndJson;
