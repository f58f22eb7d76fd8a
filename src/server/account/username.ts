import { z } from "zod";

/**
 * A login name: lower case letters, digits and `.`, `_`, `-`, `@` (so an
 * e-mail address from an identity provider fits), 1–64 characters, starting
 * and ending with a letter or digit. Lower case only, so "Alice" and "alice"
 * cannot be two people.
 */
export const Username = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^[a-z0-9](?:[a-z0-9._@-]{0,62}[a-z0-9])?$/,
    "use 1-64 letters, digits, '.', '_', '-' or '@', starting and ending with a letter or digit",
  );

/**
 * The closest valid username to what an identity provider suggests
 * (preferred_username, or the subject): invalid characters become `-`.
 */
export function usernameFrom(suggestion: string): string {
  const cleaned = suggestion
    .toLowerCase()
    .replace(/[^a-z0-9._@-]+/g, "-")
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "")
    .slice(0, 56);
  return cleaned || "user";
}
