/**
 * `npm test`: installs what the suite needs, checks types and lint, builds
 * the native media helpers and the client the browser tests load, then runs every test file (unit tests next to the code,
 * integration and e2e under test/) with node's test runner in two lanes, each
 * one file at a time: the browser and media tests, whose timing matters, and
 * beside them, at a lower priority, the tests that time nothing (see LIGHT).
 */
import { spawn, spawnSync } from "node:child_process";
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

/**
 * Integration files that start no browser and no media and assert no time
 * (flood tests with round-trip bounds, like limits and hostile-limits, do):
 * they run in a second lane beside the browser and media tests, at a lower
 * CPU priority, so that they use the cores the browsers leave idle without
 * slowing what is timed. A new file runs in the media lane unless listed here.
 */
const LIGHT = new Set(
  [
    "access",
    "audit",
    "audit-deps",
    "auth",
    "built-server",
    "compliance-cli",
    "deployment",
    "e2ee-delivery",
    "e2ee-post-quantum",
    "hostile-protocol",
    "kick-and-names",
    "lifecycle",
    "my-rooms",
    "oidc",
    "proxy",
    "reproducible-build",
    "resume",
    "revocation",
    "room-social",
    "signalling",
    "store-outage",
    "tls",
    "user-cli",
  ].map((name) => `test/integration/${name}.test.ts`),
);

const filter = process.argv.slice(2);
const chosen = (f: string) => filter.length === 0 || filter.some((part) => f.includes(part));
// Units first (they fail fastest), then integration; the browser tests last in their lane.
const light = [
  ...testFiles(join(ROOT, "src")),
  ...testFiles(join(ROOT, "test/integration")).filter((f) => LIGHT.has(f)),
].filter(chosen);
const media = [
  ...testFiles(join(ROOT, "test/integration")).filter((f) => !LIGHT.has(f)),
  ...testFiles(join(ROOT, "test/e2e")),
].filter(chosen);
if (light.length + media.length === 0) {
  console.error("No test files matched.");
  process.exit(1);
}

/** Runs files one at a time in one node test runner; resolves with its exit code. */
function lane(files: string[], niceness: number, output: "inherit" | "pipe") {
  if (files.length === 0) return { code: Promise.resolve(0), text: () => "" };
  const child = spawn(
    "nice",
    [
      "-n",
      String(niceness),
      process.execPath,
      "--import",
      "tsx",
      "--test",
      "--test-concurrency=1",
      "--test-timeout=300000",
      `--test-reporter=${join(ROOT, "scripts/test-reporter.mjs")}`,
      "--test-reporter-destination=stdout",
      ...files,
    ],
    { cwd: ROOT, stdio: ["ignore", output, output] },
  );
  let text = "";
  child.stdout?.on("data", (d) => {
    text += d;
  });
  child.stderr?.on("data", (d) => {
    text += d;
  });
  const code = new Promise<number>((done) => child.on("close", (c) => done(c ?? 1)));
  return { code, text: () => text };
}

// The media lane reports as it goes; the light lane's report follows it.
const started = Date.now();
const lightLane = lane(light, 10, "pipe");
const mediaLane = lane(media, 0, "inherit");
const [mediaCode, lightCode] = await Promise.all([mediaLane.code, lightLane.code]);
if (light.length > 0) {
  console.log(`\n# Light lane (${light.length} files, run beside the media lane):`);
  process.stdout.write(lightLane.text());
}
const minutes = ((Date.now() - started) / 60_000).toFixed(1);
console.log(
  `\n# media lane (${media.length} files): ${mediaCode === 0 ? "passed" : "FAILED"}; ` +
    `light lane (${light.length} files): ${lightCode === 0 ? "passed" : "FAILED"}; ${minutes} min`,
);
process.exit(mediaCode === 0 && lightCode === 0 ? 0 : 1);
