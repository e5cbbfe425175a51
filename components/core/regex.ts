/**
 * Regexes as Istio hands them to Envoy, which compiles them with RE2 (safe_regex): non-empty, at
 * most 1024 characters (Envoy's default program size guard is on size, this is the analyzer's
 * long-standing bound), no lookaround or backreference, and otherwise valid syntax.
 * https://github.com/google/re2/wiki/Syntax
 */
export function re2Error(re: string): string | undefined {
  if (re === "") return "regex must not be empty";
  if (re.length > 1024) return "regex is longer than 1024 characters";
  if (/\(\?<?[=!]|\\[1-9]/.test(re))
    return `regex ${re} uses lookaround or a backreference, which RE2 does not support`;
  try {
    new RegExp(re);
  } catch (e) {
    return `regex ${re} does not compile: ${(e as Error).message}`;
  }
  return undefined;
}

/** `text` as a regex that matches only itself (in RE2 and JavaScript alike). */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
