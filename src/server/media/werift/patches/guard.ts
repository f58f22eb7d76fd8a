/**
 * The guards every patch of werift's (and Node's) private code runs before it
 * patches anything: the werift version it was written against, and the shape
 * of each method it replaces or relies on. A guard that fails throws, naming
 * the patch and what changed, so an upgrade fails loudly at start-up instead
 * of corrupting media or silently doing nothing mid-meeting.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export const TARGET_WERIFT_VERSION = "0.24.4";

/** The installed werift's version, from its package.json (not exported, so found beside its entry point). */
export function weriftVersion(): string {
  let dir = dirname(createRequire(import.meta.url).resolve("werift"));
  for (let i = 0; i < 6; i++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "werift" && pkg.version) return pkg.version;
    } catch {
      // not here; one level up
    }
  }
  throw new Error("werift's package.json not found");
}

export type Method = (this: unknown, ...args: never[]) => unknown;

/** A method of werift's that must exist and still use `mustMention` (names in its source): the shape guard. */
export function method(proto: object, name: string, mustMention: string[]): Method {
  const fn = (proto as Record<string, unknown>)[name];
  if (typeof fn !== "function") throw new Error(`werift shape changed: ${name} is not a method`);
  const source = String(fn);
  for (const word of mustMention)
    if (!source.includes(word))
      throw new Error(`werift shape changed: ${name} no longer uses ${word}`);
  return fn as Method;
}
