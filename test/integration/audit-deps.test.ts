import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { dependencyFindings } from "../../src/server/compliance/probes/dependencies";
import { plenum } from "../support/plenum-cli";

/**
 * `plenum audit-deps` with the real npm, against a registry on loopback that
 * knows one advisory: the job writes the report, and T6 reads it (RUN-3).
 * No request leaves this machine.
 */
describe("plenum audit-deps (RUN-3)", () => {
  const dir = mkdtempSync(join(tmpdir(), "plenum-audit-deps-"));
  const asked: string[] = [];
  let registry: Server;
  let url = "";

  before(async () => {
    registry = createServer((request, response) => {
      asked.push(`${request.method} ${request.url}`);
      request.resume();
      if (request.method === "POST" && request.url === "/-/npm/v1/security/advisories/bulk") {
        response.setHeader("content-type", "application/json");
        response.end(
          JSON.stringify({
            ws: [
              {
                id: 1,
                url: "http://127.0.0.1/advisory/1",
                title: "a test advisory",
                severity: "high",
                vulnerable_versions: "<99.0.0",
                cwe: [],
                cvss: { score: 7.5, vectorString: null },
              },
            ],
          }),
        );
      } else {
        response.statusCode = 404;
        response.end("{}");
      }
    });
    await new Promise<void>((done) => registry.listen(0, "127.0.0.1", done));
    url = `http://127.0.0.1:${(registry.address() as AddressInfo).port}/`;
  });
  after(async () => {
    await new Promise((done) => registry.close(done));
    rmSync(dir, { recursive: true, force: true });
  });

  it("RUN-3: writes a report of the registry's findings, and T6 turns red naming the package", async () => {
    const out = join(dir, "report.json");
    const run = await plenum(["audit-deps", "--out", out], {
      npm_config_registry: url,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(asked.includes("POST /-/npm/v1/security/advisories/bulk"), asked.join("\n"));
    assert.match(run.stdout, /"high":1/);
    const [t6] = await dependencyFindings(out);
    assert.equal(t6?.status, "red", JSON.stringify(t6));
    assert.match(t6?.reason ?? "", /ws; audited 0 days ago/);
  });

  it("RUN-3: without a reachable registry, fails with a clear message and writes nothing", async () => {
    const out = join(dir, "none.json");
    const run = await plenum(["audit-deps", "--out", out], {
      // A closed port on loopback: refused at once, nothing leaves the machine.
      npm_config_registry: "http://127.0.0.1:9/",
      npm_config_fetch_retries: "0",
    });
    assert.equal(run.code, 1, run.stdout);
    assert.match(
      run.stderr,
      /plenum audit-deps failed: npm audit gave no result: .*127\.0\.0\.1:9/,
    );
    assert.equal(existsSync(out), false);
  });
});
