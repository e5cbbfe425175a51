/**
 * What each public component exposes, read from its class in the same TypeScript program
 * `npm run schema` builds for the argument schemas: the type token its constructor passes to
 * `super(...)`, and its public readonly properties as JSON Schema nodes the package schema
 * generator (cli/pulumi-schema.ts) turns into the component's Pulumi `properties`.
 *
 * A property is exposed when its type (an `Output<T>` counts as `T`) is data or a resource:
 * strings, numbers, booleans (literal unions of them too), arrays and string-keyed records of
 * those, a type the argument schemas already define (`MeshInfo`), a public component (a resource
 * reference to it) or any other Pulumi resource (a resource reference of type Any). Everything
 * else (`Map`s, wiring objects such as `parts` or `lattice`) stays TypeScript-only and is listed
 * in `skipped`, so the generator can say so.
 */
import * as ts from "typescript";

type Json = Record<string, unknown>;

export interface ComponentShape {
  /** The type token, e.g. `mesh-serverless:platform:IstioMesh`. */
  token: string;
  /** TSDoc of the class. */
  description?: string;
  outputs: Record<string, { schema: Json; optional: boolean; description?: string }>;
  /** Public properties with no cross-language form, with why. */
  skipped: Record<string, string>;
}

/** The type names whose values resolve later: a property of one of them is an output. */
export const OUTPUT_TYPES = new Set(["Output", "OutputInstance", "Promise"]);

function doc(checker: ts.TypeChecker, symbol: ts.Symbol): string | undefined {
  const text = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
  return text === "" ? undefined : text;
}

function isResourceClass(type: ts.Type): boolean {
  for (let t: ts.Type | undefined = type; t;) {
    const name = t.getSymbol()?.getName();
    if (name === "Resource" || name === "CustomResource" || name === "ComponentResource")
      return true;
    const bases: ts.BaseType[] | undefined = t.isClassOrInterface() ? t.getBaseTypes() : undefined;
    t = bases?.[0];
  }
  return false;
}

/** The JSON Schema node for a property type, or why it has none. */
function typeSchema(
  checker: ts.TypeChecker,
  type: ts.Type,
  components: ReadonlySet<string>,
  definitions: ReadonlySet<string>,
): Json | string {
  // `pulumi.Output<T>` is an alias of an intersection; `Promise<T>` a class reference.
  const symbolName = type.aliasSymbol?.getName() ?? type.getSymbol()?.getName();
  if (symbolName && OUTPUT_TYPES.has(symbolName)) {
    const [inner] = type.aliasSymbol
      ? (type.aliasTypeArguments ?? [])
      : checker.getTypeArguments(type as ts.TypeReference);
    return inner
      ? typeSchema(checker, inner, components, definitions)
      : "an Output of unknown type";
  }
  if (type.isUnion()) {
    const parts = type.types.filter((t) => !(t.flags & ts.TypeFlags.Undefined));
    if (parts.every((t) => t.flags & ts.TypeFlags.StringLike)) return { type: "string" };
    if (parts.every((t) => t.flags & ts.TypeFlags.BooleanLike)) return { type: "boolean" };
    if (parts.length === 1) return typeSchema(checker, parts[0], components, definitions);
    return `a union (${checker.typeToString(type)})`;
  }
  if (type.flags & ts.TypeFlags.StringLike) return { type: "string" };
  if (type.flags & ts.TypeFlags.NumberLike) return { type: "number" };
  if (type.flags & ts.TypeFlags.BooleanLike) return { type: "boolean" };
  if (checker.isArrayType(type)) {
    const [item] = checker.getTypeArguments(type as ts.TypeReference);
    const items = typeSchema(checker, item, components, definitions);
    return typeof items === "string" ? `an array of ${items}` : { type: "array", items };
  }
  if (symbolName && components.has(symbolName)) return { "x-instance-of": symbolName };
  if (isResourceClass(type)) return { "x-instance-of": "Resource" };
  if (symbolName && definitions.has(symbolName)) return { $ref: `#/definitions/${symbolName}` };
  const index = type.getStringIndexType();
  if (index && type.getProperties().length === 0) {
    const values = typeSchema(checker, index, components, definitions);
    return typeof values === "string"
      ? `a record of ${values}`
      : { type: "object", additionalProperties: values };
  }
  return `a TypeScript-only type (${checker.typeToString(type)})`;
}

/** The token a component's constructor passes to `super(token, ...)`. */
function superToken(declaration: ts.ClassDeclaration): string | undefined {
  let token: string | undefined;
  const visit = (node: ts.Node): void => {
    if (
      token === undefined &&
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.SuperKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    )
      token = node.arguments[0].text;
    else ts.forEachChild(node, visit);
  };
  visit(declaration);
  return token;
}

/**
 * The shape of each of `components`, exported from `entry` in `program`. `definitions` are the
 * type names the argument schemas define (an output of such a type refers to it).
 */
export function componentShapes(
  program: ts.Program,
  entries: readonly string[],
  components: readonly string[],
  definitions: ReadonlySet<string>,
): Record<string, ComponentShape> {
  const checker = program.getTypeChecker();
  const exported = entries.flatMap((entry) => {
    const source = program.getSourceFile(entry);
    if (!source) throw new Error(`pulumi-outputs: ${entry} is not in the program`);
    return checker.getExportsOfModule(checker.getSymbolAtLocation(source)!);
  });
  const names = new Set(components);
  const shapes: Record<string, ComponentShape> = {};
  for (const component of components) {
    let symbol = exported.find((s) => s.getName() === component);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    const declaration = symbol?.declarations?.find(ts.isClassDeclaration);
    if (!symbol || !declaration)
      throw new Error(`pulumi-outputs: ${component} is not an exported class`);
    const token = superToken(declaration);
    if (!token) throw new Error(`pulumi-outputs: ${component} passes no literal type token`);
    const shape: ComponentShape = {
      token,
      description: doc(checker, symbol),
      outputs: {},
      skipped: {},
    };
    for (const member of declaration.members) {
      if (!ts.isPropertyDeclaration(member) || !ts.isIdentifier(member.name)) continue;
      const modifiers = ts.getCombinedModifierFlags(member);
      if (modifiers & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
      if (!(modifiers & ts.ModifierFlags.Readonly)) continue;
      const property = checker.getSymbolAtLocation(member.name)!;
      const schema = typeSchema(checker, checker.getTypeOfSymbol(property), names, definitions);
      if (typeof schema === "string") shape.skipped[member.name.text] = schema;
      else
        shape.outputs[member.name.text] = {
          schema,
          optional: member.questionToken !== undefined,
          description: doc(checker, property),
        };
    }
    shapes[component] = shape;
  }
  return shapes;
}
