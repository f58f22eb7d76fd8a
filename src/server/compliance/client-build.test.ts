import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { clientBuildDigest } from "./client-build";

describe("the client build's SHA-256", () => {
  it("BUILD-1: equals what coreutils compute with the documented command, and changes with any byte", async () => {
    const dir = mkdtempSync(join(tmpdir(), "plenum-build-"));
    try {
      mkdirSync(join(dir, "assets", "deep"), { recursive: true });
      writeFileSync(join(dir, "index.html"), "<!doctype html>");
      // Upper case sorts before lower case in byte order (not in most locales).
      writeFileSync(join(dir, "assets", "B.js"), "b");
      writeFileSync(join(dir, "assets", "a.js"), "a");
      writeFileSync(join(dir, "assets", "deep", "x.wasm"), new Uint8Array([0, 1, 2]));
      const ours = await clientBuildDigest(dir);
      const coreutils = execFileSync(
        "sh",
        ["-c", "find . -type f -printf '%P\\n' | LC_ALL=C sort | xargs sha256sum | sha256sum"],
        { cwd: dir, encoding: "utf8" },
      ).split(" ")[0];
      assert.equal(ours.sha256, coreutils);
      assert.equal(ours.files, 4);
      writeFileSync(join(dir, "assets", "a.js"), "A");
      assert.notEqual((await clientBuildDigest(dir)).sha256, ours.sha256);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
