// The commands' usage lines: shown by `mesh-serverless <command> --help` (cli/main.ts) and in
// each command's usage errors, without loading the command.
export const RENDER_USAGE =
  "usage: mesh-serverless render --stack <name> [--out <dir>] [--cwd <project dir>] " +
  "[--gitops <tool>] [--diff <dir> [--exit-code] [--markdown <file>]]";
export const ANALYZE_USAGE = "usage: mesh-serverless analyze <dir> [--json]";
export const DIFF_USAGE =
  "usage: mesh-serverless diff <old-dir> <new-dir> [--exit-code] [--markdown <file>]";
