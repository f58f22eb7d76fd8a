/**
 * `npm test`: installs what the suite needs, checks types and lint, builds
 * the native media helpers and the client the browser tests load, then runs every test file (unit tests next to the code,
 * integration and e2e under test/) with node's test runner, one file at a time
 * so that timing-sensitive media tests do not compete for the two cores.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { ensurePackages } from "./prerequisites";

const ROOT = resolve(import.meta.dirname, "..");

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...testFiles(path));
    else if (name.endsWith(".test.ts") || name.endsWith(".test.tsx"))
      out.push(relative(ROOT, path));
  }
  return out.sort();
}

function run(command: string, args: string[]): number {
  return spawnSync(command, args, { cwd: ROOT, stdio: "inherit" }).status ?? 1;
}

ensurePackages();

// The native media helpers, rebuilt from their source every time (a second): a
// developer who changed plenum_media.c tests what they wrote, not an old build.
// Required here: the install step alone lets a machine without a compiler skip them.
const gyp = spawnSync("npm", ["run", "--silent", "install"], {
  cwd: ROOT,
  encoding: "utf8",
  env: { ...process.env, PLENUM_NATIVE: "required" },
});
if (gyp.status !== 0) {
  console.error(`${gyp.stdout}${gyp.stderr}`);
  console.error("Building the native media helpers failed: they need python3, make and g++.");
  process.exit(1);
}

// Types and lint first: they fail fastest and say the most precisely what is wrong.
if (run(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "."]) !== 0) {
  console.error("Type check failed.");
  process.exit(1);
}
if (
  run(process.execPath, [join(ROOT, "node_modules/@biomejs/biome/bin/biome"), "check", "."]) !== 0
) {
  console.error('Lint or format check failed; "npm run format" fixes formatting.');
  process.exit(1);
}

if (
  run(process.execPath, [
    join(ROOT, "node_modules/vite/bin/vite.js"),
    "build",
    "--logLevel",
    "warn",
  ]) !== 0
) {
  console.error("Building the web client failed.");
  process.exit(1);
}

// Units first (they fail fastest), then integration, then the browser.
const filter = process.argv.slice(2);
const files = [
  ...testFiles(join(ROOT, "src")),
  ...testFiles(join(ROOT, "test/integration")),
  ...testFiles(join(ROOT, "test/e2e")),
].filter((f) => filter.length === 0 || filter.some((part) => f.includes(part)));
if (files.length === 0) {
  console.error("No test files matched.");
  process.exit(1);
}
process.exit(
  run(process.execPath, [
    "--import",
    "tsx",
    "--test",
    "--test-concurrency=1",
    "--test-timeout=300000",
    ...files,
  ]),
);
