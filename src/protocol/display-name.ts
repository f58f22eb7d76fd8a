/**
 * What a display name may not contain (SPEC NAME-2), shared by the server's
 * check and the pre-join form. Each of these lets a name look like something
 * it is not in a moderator's lobby list: C0/C1 controls, bidi overrides and
 * isolates (U+202E turns "Anna" into a reversed string), zero-width and
 * other default-ignorable characters, Hangul and Braille fillers that render
 * as nothing, line and paragraph separators, and spaces other than U+0020.
 */

const CONTROL = /\p{Cc}/u;
const SEPARATOR = /[\p{Zl}\p{Zp}]|(?! )\p{Zs}/u;
/** Invisible characters, the joiners and emoji variation selectors aside (checked below). */
const INVISIBLE =
  /(?!\u200c|\u200d|\ufe0e|\ufe0f)(?:\p{Cf}|\p{Default_Ignorable_Code_Point}|\u2800)/u;
/** A joiner or variation selector is fine inside an emoji or a word, never on its own. */
const LONE_JOINER =
  /(?:^|[^\p{L}\p{M}\p{Extended_Pictographic}\p{Emoji_Modifier}])(?:\u200c|\u200d|\ufe0e|\ufe0f)|(?:\u200c|\u200d)(?![\p{L}\p{Extended_Pictographic}])/u;
/** More stacked marks than any script needs ("Zalgo" text that spills over other lines). */
const STACKED_MARKS = /\p{M}{5,}/u;
const VISIBLE = /[\p{L}\p{N}\p{S}\p{P}]/u;

export type NameProblem = "control" | "separator" | "invisible" | "marks" | "empty";

/** Why `name` is refused, or undefined when it is fine. */
export function nameProblem(name: string): NameProblem | undefined {
  if (CONTROL.test(name)) return "control";
  if (SEPARATOR.test(name)) return "separator";
  if (INVISIBLE.test(name) || LONE_JOINER.test(name)) return "invisible";
  if (STACKED_MARKS.test(name)) return "marks";
  if (!VISIBLE.test(name)) return "empty";
  return undefined;
}

/** The server's message for each problem (the client shows its own, translated). */
export const NAME_PROBLEMS: Record<NameProblem, string> = {
  control: "control characters are not allowed in a name",
  separator: "only ordinary spaces may separate the parts of a name",
  invisible: "invisible or direction-changing characters are not allowed in a name",
  marks: "too many accents stacked on one letter",
  empty: "a name needs at least one visible letter, digit or symbol",
};
