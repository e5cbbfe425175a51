import { ArgChecker } from "../core/validate";

/**
 * Tags every AWS resource of the package carries. Tags are plain strings by type and checked at
 * run time too, so a secret (an Output) can never end up in one: tags are readable by anyone
 * who can list resources. https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html
 */
const TAG_KEY_MAX = 128;
const TAG_VALUE_MAX = 256;

export function checkTags(
  check: ArgChecker,
  argument: string,
  tags: Record<string, string> | undefined,
): void {
  if (tags === undefined) return;
  for (const [key, value] of Object.entries(tags)) {
    if (key.length === 0 || key.length > TAG_KEY_MAX || key.startsWith("aws:")) {
      check.fail(
        `${argument}.${key}`,
        key,
        `tag keys must be 1-${TAG_KEY_MAX} characters and not start with "aws:"`,
      );
    }
    if (value.length > TAG_VALUE_MAX) {
      check.fail(
        `${argument}.${key}`,
        value,
        `tag values must be at most ${TAG_VALUE_MAX} characters`,
      );
    }
  }
}

/** The package's tags first, the user's last, so the user wins. */
export function awsTags(
  component: string,
  name: string,
  user: Record<string, string> | undefined,
): Record<string, string> {
  return {
    "mesh-serverless:component": component,
    "mesh-serverless:name": name,
    ...user,
  };
}
