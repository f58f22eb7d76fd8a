import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runBench } from "../../bench/harness/bench";
import type { RunRecord } from "../../bench/harness/results";

/**
 * The benchmark harness works end to end: a tiny scenario (a, one publisher
 * and two subscribers, a few seconds) against Plenum and Janus, in the
 * harness's own network namespaces. Only that it works is checked — media
 * forwarded by both, a result line written, nothing left behind — never how
 * fast (speed is measured by `npm run bench`, not in the test suite).
 */
test("npm run bench runs a tiny scenario against Plenum and Janus and cleans up", async () => {
  const resultsDir = mkdtempSync(join(tmpdir(), "plenum-bench-results-"));
  const ourNamespaces = () =>
    execFileSync("ip", ["netns", "list"], { encoding: "utf8" })
      .split("\n")
      .filter((l) => l.startsWith(`pl${process.pid % 100000}x`));
  try {
    const { records, file, summary } = await runBench({
      scenario: "a",
      runs: 1,
      durationS: 3,
      warmupS: 1,
      plenumEnv: {},
      resultsDir,
      seed: 1,
      workers: 1,
      fanOuts: [2],
      log: () => undefined,
    });
    const [step] = records[0]?.steps ?? [];
    for (const kind of ["plenum", "janus"] as const) {
      const m = step?.[kind];
      assert.ok(m, `${kind} was measured`);
      assert.equal(m.failed, 0, `${kind}: every client joined (${m.errors.join("; ")})`);
      assert.ok(m.packetsPerSecond > 0, `${kind} forwarded media to the subscribers`);
      assert.ok(Number.isFinite(m.latencyP50Ms), `${kind}: latency measured`);
    }
    const lines = readFileSync(file, "utf8").trim().split("\n");
    assert.equal(lines.length, 1, "one result line per run");
    const written = JSON.parse(lines[0] ?? "{}") as RunRecord;
    assert.equal(written.scenario, "a");
    assert.ok(written.machine.cpu && written.machine.node, "the machine is described");
    assert.match(summary, /\| forwarded pkt\/s \|/);
    assert.deepEqual(ourNamespaces(), [], "the harness's namespaces are gone");
  } finally {
    rmSync(resultsDir, { recursive: true, force: true });
  }
});
