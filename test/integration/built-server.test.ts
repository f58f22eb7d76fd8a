import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { stopChild } from "../support/process";

/**
 * The server as production runs it: compiled by `npm run build`'s server half
 * (scripts/build-server.mjs), copied into a folder with no sources, no tsx
 * loader and no native build, and started with plain node through the
 * `plenum` command.
 */
const ROOT = resolve(import.meta.dirname, "../..");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  bin: Record<string, string>;
  dependencies: Record<string, string>;
};

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? jsFiles(join(dir, e.name))
      : e.name.endsWith(".js")
        ? [join(dir, e.name)]
        : [],
  );
}

/** The package a bare specifier names ("@scope/name/sub" -> "@scope/name"). */
const packageOf = (spec: string) =>
  spec
    .split("/")
    .slice(0, spec.startsWith("@") ? 2 : 1)
    .join("/");

let install = "";
let dataDir = "";

before(() => {
  const build = spawnSync(process.execPath, ["scripts/build-server.mjs"], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 300_000,
  });
  assert.equal(build.status, 0, `${build.stdout}${build.stderr}`);
  assert.ok(existsSync(join(ROOT, "dist/client/index.html")), "the client is built (vite build)");
  // An installation: the built JavaScript, package.json and the modules; no src/, no build/.
  install = mkdtempSync(join(tmpdir(), "plenum-install-"));
  dataDir = mkdtempSync(join(tmpdir(), "plenum-data-"));
  mkdirSync(join(install, "dist"));
  for (const part of ["server", "protocol"])
    cpSync(join(ROOT, "dist", part), join(install, "dist", part), { recursive: true });
  symlinkSync(join(ROOT, "dist/client"), join(install, "dist/client"));
  symlinkSync(join(ROOT, "node_modules"), join(install, "node_modules"));
  cpSync(join(ROOT, "bin"), join(install, "bin"), { recursive: true });
  cpSync(join(ROOT, "package.json"), join(install, "package.json"));
});

after(() => {
  rmSync(install, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

describe("the built server (RUN-1, RUN-2)", () => {
  it("RUN-1: imports only Node's modules and packages listed in dependencies", () => {
    const allowed = new Set([...builtinModules, ...Object.keys(pkg.dependencies)]);
    const files = jsFiles(join(ROOT, "dist/server"));
    assert.ok(files.length > 50, `${files.length} files built`);
    const outside: string[] = [];
    for (const file of files) {
      const code = readFileSync(file, "utf8");
      for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s*)"([^"]+)"/gm)) {
        const spec = m[1] ?? "";
        if (spec.startsWith(".")) {
          // Node's loader needs the exact file: the build wrote it out.
          assert.match(spec, /\.js$/, `${file}: ${spec}`);
          continue;
        }
        const name = spec.replace(/^node:/, "");
        if (!allowed.has(name) && !allowed.has(packageOf(name))) outside.push(`${file}: ${spec}`);
      }
    }
    assert.deepEqual(outside, [], "imports of packages that npm ci --omit=dev would not install");
  });

  it("RUN-1, RUN-2: `plenum serve` runs with plain node, answers /healthz, serves the client and says once that it uses the JavaScript path", async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PLENUM_PORT: "0",
      PLENUM_DATA_DIR: dataDir,
      PLENUM_LOG_LEVEL: "info",
    };
    delete env.NODE_OPTIONS; // nothing may sneak a TypeScript loader in
    const bin = join(install, pkg.bin.plenum ?? "");
    const child = spawn(process.execPath, [bin, "serve"], {
      cwd: install,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      out += d;
    });
    try {
      const url = await new Promise<string>((done, fail) => {
        const timer = setTimeout(() => fail(new Error(`no start within 90 s:\n${out}`)), 90_000);
        child.stdout.on("data", () => {
          const m = /Plenum is running at (\S+)/.exec(out);
          if (m?.[1]) {
            clearTimeout(timer);
            done(m[1]);
          }
        });
        child.once("exit", (code) => {
          clearTimeout(timer);
          fail(new Error(`exited with ${code}:\n${out}`));
        });
      });
      const health = await fetch(`${url}/healthz`);
      assert.equal(health.status, 200);
      const page = await fetch(`${url}/`);
      assert.equal(page.status, 200);
      const html = await page.text();
      const script = /<script type="module"[^>]*src="([^"]+)"/.exec(html)?.[1];
      assert.ok(script, html);
      const asset = await fetch(new URL(script, url));
      assert.equal(asset.status, 200);
      assert.ok((await asset.text()).length > 10_000, "the client bundle is served");
      const notices = out.match(/native media helpers not built[^"]*JavaScript path/g) ?? [];
      assert.equal(notices.length, 1, out);
    } finally {
      await stopChild(child);
    }
  });

  it("RUN-1: `plenum` in an installation that was never built says how to build it", () => {
    const empty = mkdtempSync(join(tmpdir(), "plenum-unbuilt-"));
    try {
      cpSync(join(ROOT, "bin"), join(empty, "bin"), { recursive: true });
      const run = spawnSync(process.execPath, [join(empty, pkg.bin.plenum ?? "")], {
        encoding: "utf8",
      });
      assert.equal(run.status, 2);
      assert.match(run.stderr, /npm run build/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
