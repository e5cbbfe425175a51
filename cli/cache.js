"use strict";
/**
 * The command-line tools' cache: text under `<root>/<kind>/<key>.js` (cli/start.js keeps the
 * transpiled TypeScript there as `ts`, components/core/args-validator.ts the argument validators
 * as `validators`). Plain JavaScript: cli/start.js loads it before any TypeScript can run.
 */
const fs = require("fs");
const path = require("path");

function toolsCache(root) {
  const fileOf = (kind, key) => path.join(root, kind, `${key}.js`);
  return {
    dir: root,
    /** The cached text, or undefined. */
    read(kind, key) {
      try {
        return fs.readFileSync(fileOf(kind, key), "utf8");
      } catch {
        return undefined;
      }
    },
    /**
     * Written under a temporary name and renamed: renders running side by side never read half a
     * file. A cache that cannot be written (a read-only install) only costs the next start.
     */
    write(kind, key, text) {
      const file = fileOf(kind, key);
      const tmp = `${file}.${process.pid}.tmp`;
      try {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(tmp, text);
        fs.renameSync(tmp, file);
      } catch {
        try {
          fs.rmSync(tmp, { force: true });
        } catch {
          // not even a temporary file could be made (the cache's place is a file, or read-only)
        }
      }
    },
  };
}

module.exports = { toolsCache };
