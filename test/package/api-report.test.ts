import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

/**
 * The API report: every name each package entry point exports, with its kind, is committed in
 * test/fixtures/api/<entry>.txt. A change to the public surface (a new component, a helper made
 * public by accident, a removed type) fails here until the report is updated in the same change,
 * so it is reviewed as one. Update with `UPDATE_API=1 npx mocha test/package/api-report.test.ts`.
 *
 * Read from the TypeScript sources by syntax alone (an entry re-exports by name or with
 * `export *`): milliseconds, no type-check.
 */

const ROOT = path.resolve(__dirname, "..", "..");
const REPORTS = path.join(ROOT, "test", "fixtures", "api");

/** `external`: a name imported from another package and re-exported (never public). */
type Kind = "class" | "function" | "const" | "interface" | "type" | "enum" | "external";

function sourceOf(file: string): ts.SourceFile {
  return ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
}

function moduleFile(from: string, spec: string): string {
  const base = path.resolve(path.dirname(from), spec);
  for (const f of [`${base}.ts`, path.join(base, "index.ts")]) if (fs.existsSync(f)) return f;
  throw new Error(`${path.relative(ROOT, from)}: cannot find module "${spec}"`);
}

const isExported = (n: ts.Node): boolean =>
  ts.canHaveModifiers(n) &&
  (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

const memo = new Map<string, Map<string, Kind>>();

/** Every name `file` exports, with the kind of its declaration (followed through re-exports). */
function exportsOf(file: string): Map<string, Kind> {
  let out = memo.get(file);
  if (out) return out; // also the partial map of a module on an import cycle
  out = new Map<string, Kind>();
  memo.set(file, out);
  const sf = sourceOf(file);
  const local = localDeclarations(sf);
  for (const st of sf.statements) {
    // `import { X } from "./y"; export { X };`: X's kind is its declaration's in ./y.
    const clause = ts.isImportDeclaration(st) ? st.importClause : undefined;
    const spec = clause && (st as ts.ImportDeclaration).moduleSpecifier;
    if (!clause?.namedBindings || !ts.isNamedImports(clause.namedBindings) || !spec) continue;
    const text = (spec as ts.StringLiteral).text;
    const target = text.startsWith(".") ? exportsOf(moduleFile(file, text)) : null;
    for (const el of clause.namedBindings.elements) {
      const kind = target ? target.get((el.propertyName ?? el.name).text) : "external";
      if (kind) local.set(el.name.text, kind);
    }
  }
  for (const st of sf.statements) {
    if (ts.isExportDeclaration(st)) {
      const spec = st.moduleSpecifier && (st.moduleSpecifier as ts.StringLiteral).text;
      const target = spec ? exportsOf(moduleFile(file, spec)) : local;
      if (!st.exportClause) {
        for (const [n, k] of target) out.set(n, k);
        continue;
      }
      if (!ts.isNamedExports(st.exportClause)) throw new Error(`${file}: export * as is not used`);
      for (const el of st.exportClause.elements) {
        const original = (el.propertyName ?? el.name).text;
        const kind = target.get(original);
        if (!kind) throw new Error(`${path.relative(ROOT, file)}: ${original} is not declared`);
        out.set(el.name.text, kind);
      }
    } else if (isExported(st)) {
      for (const [n, k] of localDeclarations({ statements: [st] })) out.set(n, k);
    }
  }
  return out;
}

/** Declarations at the top of a module (exported or not), and what its imports bring in. */
function localDeclarations(sf: { statements: readonly ts.Statement[] }): Map<string, Kind> {
  const out = new Map<string, Kind>();
  for (const st of sf.statements) {
    if (ts.isClassDeclaration(st) && st.name) out.set(st.name.text, "class");
    else if (ts.isFunctionDeclaration(st) && st.name) out.set(st.name.text, "function");
    else if (ts.isInterfaceDeclaration(st)) out.set(st.name.text, "interface");
    else if (ts.isTypeAliasDeclaration(st)) out.set(st.name.text, "type");
    else if (ts.isEnumDeclaration(st)) out.set(st.name.text, "enum");
    else if (ts.isVariableStatement(st))
      for (const d of st.declarationList.declarations)
        if (ts.isIdentifier(d.name)) out.set(d.name.text, "const");
  }
  return out;
}

/** The package's entry points from package.json `exports`: report name -> source file. */
function entryPoints(): Record<string, string> {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    exports: Record<string, string | { default: string }>;
  };
  const out: Record<string, string> = {};
  for (const [key, target] of Object.entries(pkg.exports)) {
    if (typeof target === "string") continue; // package.json, schema files: no code
    const m = /^\.\/dist\/(components\/.*)\.js$/.exec(target.default);
    assert.ok(m, `exports["${key}"] is not a compiled component module: ${target.default}`);
    out[key === "." ? "index" : key.slice(2)] = path.join(ROOT, `${m[1]}.ts`);
  }
  return out;
}

function report(file: string): string {
  const lines = [...exportsOf(file)].map(([n, k]) => `${k} ${n}`);
  return `${lines.sort((a, b) => (a.split(" ")[1] < b.split(" ")[1] ? -1 : 1)).join("\n")}\n`;
}

describe("package: API report", () => {
  const entries = entryPoints();

  it("has the three entry points: the root, kubernetes and aws", () => {
    assert.deepEqual(Object.keys(entries).sort(), ["aws", "index", "kubernetes"]);
  });

  for (const [name, file] of Object.entries(entries)) {
    it(`mesh-serverless${name === "index" ? "" : `/${name}`} exports exactly what test/fixtures/api/${name}.txt lists`, () => {
      const actual = report(file);
      const committed = path.join(REPORTS, `${name}.txt`);
      if (process.env.UPDATE_API) {
        fs.mkdirSync(REPORTS, { recursive: true });
        fs.writeFileSync(committed, actual);
      }
      assert.equal(
        actual,
        fs.readFileSync(committed, "utf8"),
        `the public API of "${name}" changed: review it, then UPDATE_API=1 npx mocha ${path.relative(ROOT, __filename)}`,
      );
    });
  }

  it("keeps internals internal: no checker, values builder, merge helper or registry", () => {
    const names = Object.values(entries).flatMap((f) => [...exportsOf(f).keys()]);
    const internal = names.filter((n) =>
      /^(check[A-Z]|deepMerge$|sortKeys$|registerObject$|ArgChecker$|invalid[A-Z])|Values$|Objects$/.test(
        n,
      ),
    );
    const external = Object.values(entries).flatMap((f) =>
      [...exportsOf(f)].filter(([, k]) => k === "external").map(([n]) => n),
    );
    assert.deepEqual(external, [], "third-party types re-exported");
    // `Values` and `IstioValues` are argument types (Helm value overrides), not builders.
    assert.deepEqual(
      internal.filter((n) => n !== "Values" && n !== "IstioValues"),
      [],
    );
  });

  it("keeps AWS out of the root and kubernetes entries, and Kubernetes out of the aws entry", () => {
    const aws = new Set(exportsOf(entries.aws).keys());
    for (const e of ["index", "kubernetes"])
      assert.deepEqual(
        [...exportsOf(entries[e]).keys()].filter((n) => aws.has(n)),
        [],
        `${e} re-exports AWS names`,
      );
    assert.ok(aws.has("MeshedFunction") && !aws.has("IstioMesh"));
  });
});
