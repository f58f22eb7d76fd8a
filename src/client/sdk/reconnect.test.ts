import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { backoff, ReconnectLoop, reconnectAttempts } from "./reconnect";
import { RequestError } from "./signalling";

const waits = (random: () => number, restarting = false) =>
  Array.from({ length: reconnectAttempts(restarting) }, (_, i) => backoff(i, restarting, random));
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

describe("reconnect backoff", () => {
  it("retries every 250 ms for the first seconds, then backs off to 2 s between attempts", () => {
    const longest = waits(() => 1);
    assert.ok((longest[0] ?? 0) <= 100, "the first attempt goes almost at once");
    assert.ok(
      longest.slice(1, 20).every((w) => w === 250),
      "then every 250 ms",
    );
    assert.ok(sum(longest.slice(0, 20)) <= 5000, "for about 5 s");
    assert.deepEqual([longest[20], longest[40], longest[60], longest[80]], [500, 1000, 2000, 2000]);
    assert.ok(
      longest.every((w) => w <= 2000),
      "never more than 2 s",
    );
  });

  it("keeps trying for one to two minutes, whatever the jitter", () => {
    const shortest = sum(waits(() => 0)) / 1000;
    const longest = sum(waits(() => 1)) / 1000;
    assert.ok(shortest >= 55 && longest <= 130, `${shortest}..${longest} s`);
  });

  it("spreads a crowd's attempts: jitter takes up to half of each wait", () => {
    assert.equal(
      backoff(5, false, () => 0),
      125,
    );
    assert.equal(
      backoff(5, false, () => 1),
      250,
    );
  });

  it("keeps retrying every 250 ms for about half a minute after the server said it restarts", () => {
    const longest = waits(() => 1, true);
    assert.ok(longest.slice(1, 120).every((w) => w === 250));
    assert.ok(sum(longest.slice(0, 120)) >= 29_000, "about 30 s of quick attempts");
    assert.deepEqual([longest[120], longest[140], longest[160]], [500, 1000, 2000]);
    const shortest = sum(waits(() => 0, true)) / 1000;
    assert.ok(shortest >= 60, `still a minute or more of trying in all (${shortest} s)`);
  });
});

describe("the reconnect loop", () => {
  it("retries a refusal worth another try, then stops at the first success", async () => {
    const loop = new ReconnectLoop();
    let attempts = 0;
    let retries = 0;
    const failures: unknown[] = [];
    await loop.run(
      false,
      async () => {
        attempts++;
        if (attempts < 3) throw new RequestError("shutting-down", "not yet");
      },
      () => retries++,
      (error) => failures.push(error),
    );
    assert.equal(attempts, 3);
    assert.equal(retries, 2, "the half-made connection is let go after each refusal");
    assert.deepEqual(failures, []);
  });

  it("fails at once on a refusal not worth repeating (a wrong password)", async () => {
    const loop = new ReconnectLoop();
    let attempts = 0;
    const failures: unknown[] = [];
    await loop.run(
      false,
      async () => {
        attempts++;
        throw new RequestError("wrong-password", "no");
      },
      () => undefined,
      (error) => failures.push(error),
    );
    assert.equal(attempts, 1);
    assert.equal((failures[0] as RequestError).code, "wrong-password");
  });

  it("a cancelled loop (the person left) ends without failing, even mid-attempt", async () => {
    const loop = new ReconnectLoop();
    const failures: unknown[] = [];
    let sawStale = false;
    await loop.run(
      false,
      async (stale) => {
        loop.cancel();
        sawStale = stale();
        throw new RequestError("wrong-password", "too late to matter");
      },
      () => undefined,
      (error) => failures.push(error),
    );
    assert.equal(sawStale, true);
    assert.deepEqual(failures, [], "nobody is told the meeting failed after leaving it");
  });
});
