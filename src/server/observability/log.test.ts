import assert from "node:assert/strict";
import { it } from "node:test";
import { createLogger, roomTag, scrubAddresses, truncateIp } from "./log";

it("truncateIp keeps the network, drops the host (T7)", () => {
  assert.equal(truncateIp("203.0.113.77"), "203.0.113.0");
  assert.equal(truncateIp("::ffff:203.0.113.77"), "203.0.113.0");
  assert.equal(truncateIp("2001:db8:abcd:12:1:2:3:4"), "2001:db8:abcd::");
  assert.equal(truncateIp("2001:db8::1"), "2001:db8:0::");
  assert.equal(truncateIp("not an address"), "unknown");
  assert.equal(truncateIp(undefined), "unknown");
});

it("scrubAddresses truncates every address inside a message (T7)", () => {
  assert.equal(
    scrubAddresses("connect ECONNREFUSED 198.51.100.23:3478 via 2001:db8:1:2::7, code 12:30"),
    "connect ECONNREFUSED 198.51.100.0:3478 via 2001:db8:1::, code 12:30",
  );
});

it("roomTag is too short to join with", () => {
  assert.equal(roomTag("AbCdEfGhIjKlMnOpQrStUv"), "AbCdEf");
});

it("writes one JSON object a line, with names, chat text and tokens removed (T7)", () => {
  const lines: string[] = [];
  const log = createLogger("info", { write: (line: string) => lines.push(line) });
  log.info(
    { net: truncateIp("203.0.113.77"), name: "Alice", text: "hello", token: "secret-token" },
    "signalling: connected",
  );
  assert.equal(lines.length, 1);
  const entry = JSON.parse(lines[0] ?? "");
  assert.equal(entry.msg, "signalling: connected");
  assert.equal(entry.net, "203.0.113.0");
  assert.equal(entry.level, 30);
  assert.ok(!("name" in entry) && !("text" in entry) && !("token" in entry));
  assert.ok(!(lines[0] ?? "").includes("203.0.113.77"));
});
