/**
 * `npm ci`'s install step: builds Plenum's native media helpers
 * (src/server/media/native, binding.gyp) where a C toolchain is installed.
 * They are optional: without python3, make and a C compiler this prints one
 * line and succeeds, and the server uses the JavaScript path (it says so once
 * at start). PLENUM_NATIVE=required (npm test, the container build) turns any
 * failure into an error instead. Plain JavaScript: it runs before tsx exists.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
const required = process.env.PLENUM_NATIVE === "required";
const SKIPPED = "Plenum: native media helpers not built";
const FALLBACK =
  "the server will use its JavaScript path (about a third more CPU per forwarded packet)";

/** Whether `name` (a command, or a path) exists on PATH. */
function onPath(name) {
  if (isAbsolute(name)) return existsSync(name);
  return (process.env.PATH ?? "")
    .split(delimiter)
    .some((dir) => dir && existsSync(join(dir, name)));
}

// CC may carry flags ("gcc -m64"); the first word is the compiler.
const compiler = (process.env.CC ?? "cc").trim().split(/\s+/)[0] || "cc";
const missing = ["python3", "make", compiler].filter((tool) => !onPath(tool));
if (missing.length > 0) {
  console.error(`${SKIPPED} (no ${missing.join(", ")}): ${FALLBACK}.`);
  process.exit(required ? 1 : 0);
}

// npm names its own node-gyp when it runs this; run by hand, the one npm ships.
const bundled = join(
  dirname(process.execPath),
  "../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js",
);
const gyp = process.env.npm_config_node_gyp ?? (existsSync(bundled) ? bundled : undefined);
const [command, args] = gyp ? [process.execPath, [gyp, "rebuild"]] : ["node-gyp", ["rebuild"]];
const build = spawnSync(command, args, { cwd: ROOT, encoding: "utf8" });
if (build.status === 0) process.exit(0);
// A toolchain that fails (no Node headers offline, a compile error) is said in full.
process.stderr.write(`${build.stdout ?? ""}${build.stderr ?? ""}${build.error?.message ?? ""}\n`);
console.error(`${SKIPPED} (node-gyp failed, see above): ${FALLBACK}.`);
process.exit(required ? 1 : 0);
