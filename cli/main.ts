/**
 * The `mesh-serverless` command (bin/mesh-serverless.js; shipped compiled in the package as
 * dist/cli/main.js): `render`, `analyze` and `diff`, each with the exit codes of its own `main`.
 * This repo's `npm run render|analyze|diff` run the same entry.
 */
import { ANALYZE_USAGE, DIFF_USAGE, RENDER_USAGE } from "./usage";

interface Command {
  summary: string;
  usage: string;
  details: string;
  run: (argv: string[]) => Promise<number> | number;
}

// Each command module is loaded when it runs: `analyze` does not load the Pulumi SDK.
/* eslint-disable @typescript-eslint/no-require-imports */
const COMMANDS: Record<string, Command> = {
  render: {
    summary: "run a Pulumi program offline and write what `pulumi up` would create",
    usage: RENDER_USAGE,
    details: [
      "Runs the program of the Pulumi project in the working directory (or --cwd): Pulumi.yaml's",
      "`main` (default: the project directory, loaded as a Node module; TypeScript is compiled",
      "unless runtime.options.typescript is false), with the config of",
      "<stackConfigDir>/Pulumi.<stack>.yaml, against Pulumi's mock engine. Writes Kubernetes",
      "manifests, a helmfile with values, an AWS plan, the outputs and a topology to --out",
      "(default out/<stack>). Needs no Pulumi CLI, cluster or cloud account.",
      "Exit codes: 0 rendered; 1 an object fails its schema or the analyzer, or the program",
      "failed; 2 bad usage, config or component arguments; with --diff --exit-code, 1 changed.",
    ].join("\n"),
    run: (argv) => (require("./render") as typeof import("./render")).main(argv),
  },
  analyze: {
    summary: "check a folder of Kubernetes YAML against the mesh's admission and reference rules",
    usage: ANALYZE_USAGE,
    details: "Exit codes: 0 no error finding; 1 an error finding; 2 bad usage or unreadable YAML.",
    run: (argv) => (require("./analyze") as typeof import("./analyze")).main(argv),
  },
  diff: {
    summary: "compare two renders object by object",
    usage: DIFF_USAGE,
    details: "Exit codes: 0 compared (with --exit-code: no change); 1 changed; 2 bad usage.",
    run: (argv) => (require("./diff") as typeof import("./diff")).main(argv),
  },
};
/* eslint-enable @typescript-eslint/no-require-imports */

const HELP = [
  "usage: mesh-serverless <command> [options]",
  "",
  "Commands:",
  ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`),
  "",
  "`mesh-serverless <command> --help` shows a command's options and exit codes.",
].join("\n");

const isHelp = (a: string | undefined): boolean => a === "--help" || a === "-h" || a === "help";

/** Runs one command line; returns the exit code (2 for bad usage, as every command does). */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (isHelp(name) && rest.length === 0) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const command = isHelp(name) ? COMMANDS[rest[0]] : COMMANDS[name ?? ""];
  if (!command) {
    const what = name === undefined ? "missing command" : `unknown command "${name}"`;
    process.stderr.write(`mesh-serverless: ${what}\n${HELP}\n`);
    return 2;
  }
  if (isHelp(name) || rest.some((a) => a === "--help" || a === "-h")) {
    process.stdout.write(`${command.usage}\n\n${command.details}\n`);
    return 0;
  }
  return command.run(rest);
}
