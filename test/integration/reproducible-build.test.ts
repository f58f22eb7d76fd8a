import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { promisify } from "node:util";
import { clientBuildDigest } from "../../src/server/compliance/client-build";
import { loadConfig } from "../../src/server/config/config";
import { createLogger } from "../../src/server/observability/log";
import { startServer } from "../../src/server/server";

const run = promisify(execFile);

/**
 * "The code you run" (issue 17): two builds of the client from the same
 * source are byte for byte identical, so an authority can rebuild a release
 * and compare its SHA-256 with the one a server reports.
 */
describe("reproducible client build", () => {
  const dirs: string[] = [];
  after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  const build = async () => {
    const out = await mkdtemp(join(tmpdir(), "plenum-build-"));
    dirs.push(out);
    await run("npx", ["vite", "build", "--logLevel", "error", "--outDir", out, "--emptyOutDir"], {
      maxBuffer: 16 * 1024 * 1024,
    });
    return out;
  };

  it("BUILD-1: two vite builds give identical bytes, and the server reports their SHA-256", async () => {
    const first = await build();
    const second = await build();
    const [a, b] = await Promise.all([clientBuildDigest(first), clientBuildDigest(second)]);
    assert.ok(a.files > 3, `${a.files} files built`);
    assert.deepEqual(a, b);
    const data = await mkdtemp(join(tmpdir(), "plenum-data-"));
    dirs.push(data);
    const config = loadConfig({
      PLENUM_PORT: "0",
      PLENUM_DATA_DIR: data,
      PLENUM_LOG_LEVEL: "silent",
    });
    const server = await startServer(config, createLogger(config.logLevel), first);
    try {
      const served = (await (await fetch(`${server.url}/api/client-build`)).json()) as unknown;
      assert.deepEqual(served, a);
      const facts = (await (await fetch(`${server.url}/api/compliance/facts`)).json()) as {
        clientBuild: unknown;
      };
      assert.deepEqual(facts.clientBuild, a);
    } finally {
      await server.close();
    }
  });
});
