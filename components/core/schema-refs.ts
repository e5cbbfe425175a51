/**
 * `$ref`s of the generated argument schemas (`#/definitions/<name>`, the name URI-encoded where
 * it holds `<`, `>` or spaces, as `typescript-json-schema` writes generics). Plain data, no
 * imports: `npm run schema` and the component provider read these without loading the SDK.
 */

type Json = Record<string, unknown>;

/** The definition name a `$ref` points at. */
export function refName(ref: string): string {
  return decodeURIComponent(ref.split("/").pop()!);
}

/** `node` with its `$ref`s followed through `definitions`; an unknown name is `{}`. */
export function followRefs(definitions: Record<string, Json>, node: Json): Json {
  let at = node;
  while (typeof at.$ref === "string") at = definitions[refName(at.$ref)] ?? {};
  return at;
}
