#!/usr/bin/env node
// The `plenum` command (package.json "bin"): the built server, dist/server/main.js.
// In a checkout that was not built yet, say how to build it instead of a stack trace.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const main = new URL("../dist/server/main.js", import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('Plenum is not built yet: run "npm run build" first (needs "npm ci").\n');
  process.exit(2);
}
await import(main.href);
