import * as fs from "fs";
import * as path from "path";
import { readYamlFile, UsageError } from "./stack-config";

/**
 * What the renderer needs from a Pulumi project's `Pulumi.yaml`, read the way the Pulumi CLI
 * reads it (https://www.pulumi.com/docs/iac/concepts/projects/project-file/): `main` and
 * `stackConfigDir` are relative to the file, `main` defaults to the project directory and
 * `stackConfigDir` to the project directory; `runtime` is `nodejs` or `{ name: nodejs, options }`
 * where `options.typescript: false` makes a JavaScript program.
 */
export interface PulumiProject {
  /** The directory holding Pulumi.yaml. */
  root: string;
  name: string;
  /** `main`, resolved against `root`: a file, or a directory loaded as a Node module. */
  main: string;
  /** Where `Pulumi.<stack>.yaml` files are. */
  stackConfigDir: string;
  /** False for `runtime.options.typescript: false`: `.ts` files are not compiled. */
  typescript: boolean;
}

function projectFile(root: string): string {
  for (const f of ["Pulumi.yaml", "Pulumi.yml"]) {
    const file = path.join(root, f);
    if (fs.existsSync(file)) return file;
  }
  throw new UsageError(`no Pulumi.yaml in ${root}: run it in a Pulumi project (or pass --cwd)`);
}

export function readProject(root: string): PulumiProject {
  const file = projectFile(root);
  const p = (readYamlFile(file, file) ?? {}) as Record<string, unknown>;
  if (typeof p.name !== "string") throw new UsageError(`${file} has no project name`);
  const runtime = p.runtime;
  const runtimeName =
    typeof runtime === "object" && runtime !== null
      ? (runtime as { name?: unknown }).name
      : runtime;
  if (runtimeName !== "nodejs")
    throw new UsageError(
      `${file}: runtime is ${JSON.stringify(runtimeName)}; the renderer runs nodejs programs (TypeScript or JavaScript)`,
    );
  const options = (
    typeof runtime === "object" && runtime !== null
      ? ((runtime as { options?: unknown }).options ?? {})
      : {}
  ) as { typescript?: unknown };
  const relative = (key: "main" | "stackConfigDir"): string => {
    const v = p[key];
    if (v === undefined || v === null) return root;
    if (typeof v !== "string") throw new UsageError(`${file}: \`${key}\` must be a path`);
    return path.resolve(root, v);
  };
  return {
    root,
    name: p.name,
    main: relative("main"),
    stackConfigDir: relative("stackConfigDir"),
    typescript: options.typescript !== false,
  };
}

/**
 * The program module: `main` itself when it is a file, else what Node loads for the directory
 * (its package.json `main`, or `index`), as the Pulumi Node.js host does with `require(main)`.
 * `.ts` files resolve once the TypeScript hook (cli/start.js) is installed.
 */
export function programFile(project: PulumiProject): string {
  let file: string;
  try {
    file = require.resolve(project.main);
  } catch {
    throw new UsageError(
      `cannot find the program: \`main\` is ${path.relative(project.root, project.main) || "."} in ${project.root}` +
        " (a file, or a directory with a package.json `main` or an index file)",
    );
  }
  if (!project.typescript && /\.[cm]?ts$/.test(file))
    throw new UsageError(`${file}: a TypeScript program, but Pulumi.yaml sets typescript: false`);
  return file;
}
