import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { waitFor } from "../../../../test/support/wait";
import { createLogger } from "../../observability/log";
import { WorkerEngine } from "./engine";

const quiet = createLogger("silent");
const media = { addresses: ["127.0.0.1"], portRange: undefined };
const noEvents = { offer: () => undefined, failed: () => undefined, lost: () => undefined };

describe("WorkerEngine", () => {
  let server: Server;
  before(async () => {
    server = createServer((_request, response) => response.end("ok"));
    // Another loopback address stands for "another host"; nothing leaves the machine.
    await new Promise<void>((done) => server.listen(0, "127.0.0.2", done));
  });
  after(() => new Promise((done) => server.close(done)));

  it("reports connections a worker opens to the server's egress monitor (COMPLIANCE L1, L3)", async () => {
    const { port } = server.address() as AddressInfo;
    process.env.PLENUM_TEST_EGRESS_URL = `http://127.0.0.2:${port}/`;
    const seen: string[] = [];
    const engine = new WorkerEngine(
      { ...media, workers: 1 },
      {
        log: quiet,
        egress: (host) => seen.push(host),
        workerEntry: new URL("../../../../test/support/egress-worker.ts", import.meta.url),
      },
    );
    try {
      engine.createPeer("a", noEvents, "room").close();
      const deadline = Date.now() + 30_000;
      while (!seen.includes("127.0.0.2") && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(seen, ["127.0.0.2"]);
    } finally {
      delete process.env.PLENUM_TEST_EGRESS_URL;
      await engine.close();
    }
  });

  it("keeps a room's peers on one worker and puts a new room on the least-loaded one", async () => {
    const engine = new WorkerEngine({ ...media, workers: 2 }, { log: quiet });
    try {
      const a1 = engine.createPeer("a1", noEvents, "A");
      engine.createPeer("a2", noEvents, "A");
      engine.createPeer("b1", noEvents, "B");
      assert.equal(engine.testing.workerOf("A"), 0);
      assert.equal(engine.testing.workerOf("B"), 1);
      engine.createPeer("c1", noEvents, "C");
      assert.equal(engine.testing.workerOf("C"), 1, "worker 1 held fewer peers");
      assert.throws(() => engine.createPeer("x", noEvents, "B").subscribe(a1), /cannot be mixed/);
      assert.equal(engine.peerCount, 5);
      a1.close();
      a1.close();
      assert.equal(engine.peerCount, 4);
    } finally {
      await engine.close();
      await engine.close();
    }
    assert.equal(engine.workerCount, 0);
    assert.throws(() => engine.createPeer("late", noEvents, "A"), /closed/);
  });

  it("reports a crashed worker's peers lost, logs it and starts a replacement", async () => {
    const lines: string[] = [];
    const log = createLogger("info", { write: (line: string) => void lines.push(line) });
    const engine = new WorkerEngine({ ...media, workers: 2 }, { log });
    try {
      const lost: string[] = [];
      const events = (label: string) => ({ ...noEvents, lost: () => void lost.push(label) });
      engine.createPeer("a1", events("a1"), "A");
      engine.createPeer("b1", events("b1"), "B");
      const survivor = engine.testing.threadIds()[1];
      await waitFor("both workers ready", () => engine.testing.ready().every(Boolean));
      engine.testing.crash("A");
      await waitFor("the loss to be reported", () => lost.length > 0);
      assert.deepEqual(lost, ["a1"], "only the crashed worker's peer is lost");
      const entry = JSON.parse(lines.find((l) => l.includes("media worker died")) ?? "{}");
      assert.equal(entry.worker, 0);
      assert.equal(entry.replaced, true);
      assert.match(entry.reason, /crash requested by a test/);
      assert.equal(engine.workerCount, 2, "a replacement started");
      assert.equal(engine.testing.threadIds()[1], survivor, "the other worker kept running");
    } finally {
      await engine.close();
    }
  });

  it("refuses a port range too small to share among the workers", () => {
    assert.throws(
      () => new WorkerEngine({ ...media, portRange: [40000, 40000], workers: 2 }, { log: quiet }),
      /1 media ports cannot be shared among 2/,
    );
  });
});
