import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runBench } from "../../bench/harness/bench";
import type { RunRecord } from "../../bench/harness/results";
import { merge, newHistogram, quantileMs, record } from "../../bench/loadgen/histogram";

/**
 * The benchmark harness works end to end: a tiny scenario (a, one publisher
 * and two subscribers, a few seconds) against Plenum and Janus, in the
 * harness's own network namespaces. Only that it works is checked — media
 * forwarded by both, simulcast layers chosen by the subscribers' tile sizes
 * (one small tile: q, one medium: h) and counted with the freezes, a result
 * line written, nothing left behind — never how fast (speed is measured by
 * `npm run bench`, not in the test suite).
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
      const v = m.video;
      assert.ok(v, `${kind}: video reported`);
      assert.equal(v.streams, 2, `${kind}: both subscribers decoded the camera`);
      assert.equal(v.missingStreams, 0);
      assert.ok(Number.isInteger(v.freezes) && v.freezeSeconds >= 0, `${kind}: freezes counted`);
      assert.ok(v.layerPercent[0] > 0, `${kind}: the small tile got frames of layer q`);
      assert.ok(v.layerPercent[1] > 0, `${kind}: the medium tile got frames of layer h`);
      const total = v.layerPercent.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(total - 100) < 0.01, `${kind}: layer shares add up (${total})`);
    }
    const lines = readFileSync(file, "utf8").trim().split("\n");
    assert.equal(lines.length, 1, "one result line per run");
    const written = JSON.parse(lines[0] ?? "{}") as RunRecord;
    assert.equal(written.scenario, "a");
    assert.ok(written.machine.cpu && written.machine.node, "the machine is described");
    assert.match(summary, /\| forwarded pkt\/s \|/);
    assert.match(summary, /\| freezes \|/);
    assert.match(summary, /\| frames on layer q % \|/);
    assert.ok(written.steps[0]?.plenum?.video, "the result line holds the video figures");
    assert.deepEqual(ourNamespaces(), [], "the harness's namespaces are gone");
  } finally {
    rmSync(resultsDir, { recursive: true, force: true });
  }
});

test("latency quantiles come back within the histogram's 1% resolution, merged across processes", () => {
  const a = newHistogram();
  const b = newHistogram();
  for (let i = 1; i <= 500; i++) record(a, i / 10); // 0.1 … 50 ms
  for (let i = 501; i <= 1000; i++) record(b, i / 10); // 50.1 … 100 ms
  merge(a, b);
  const p50 = quantileMs(a, 0.5);
  const p99 = quantileMs(a, 0.99);
  assert.ok(Math.abs(p50 - 50) / 50 < 0.02, `p50 ${p50}`);
  assert.ok(Math.abs(p99 - 99) / 99 < 0.02, `p99 ${p99}`);
  assert.ok(Number.isNaN(quantileMs(newHistogram(), 0.5)), "empty: no quantile");
  record(a, 10 * 60_000); // ten minutes still lands somewhere
  assert.ok(quantileMs(a, 1) > 60_000);
});
