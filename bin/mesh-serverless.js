#!/usr/bin/env node
"use strict";
// The `mesh-serverless` command. In the package it runs the compiled CLI (dist/cli); in a
// checkout of this repo (cli/main.ts present) the sources, through the same TypeScript hook
// (cli/start.js) that compiles the Pulumi project's own TypeScript program.
const fs = require("fs");
const path = require("path");

require("../cli/start.js");
const sources = path.join(__dirname, "..", "cli", "main.ts");
const entry = fs.existsSync(sources)
  ? sources
  : path.join(__dirname, "..", "dist", "cli", "main.js");
require(entry)
  .main(process.argv.slice(2))
  .then((code) => process.exit(code));
