import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConnectionCap, sourceOf } from "./connection-cap";

describe("ConnectionCap (SPEC LIMIT-3)", () => {
  it("counts IPv4 addresses one by one and IPv6 hosts by their /64", () => {
    assert.equal(sourceOf("192.0.2.7"), "192.0.2.7");
    assert.equal(sourceOf("::ffff:192.0.2.7"), "192.0.2.7");
    assert.equal(sourceOf("2001:db8:0:1::1"), "2001:db8:0:1::/64");
    assert.equal(sourceOf("2001:0db8:0000:0001:ffff::9"), "2001:db8:0:1::/64");
    assert.equal(sourceOf("2001:db8::1"), "2001:db8:0:0::/64");
    assert.equal(sourceOf("::1"), "0:0:0:0::/64");
  });

  it("refuses past the cap and gives the place back once, on release", () => {
    const cap = new ConnectionCap(2);
    const a = cap.take("2001:db8:0:1::1");
    const b = cap.take("2001:db8:0:1::2");
    assert.ok(a && b);
    assert.equal(cap.take("2001:db8:0:1::3"), undefined, "same /64");
    assert.ok(cap.take("2001:db8:0:2::1"), "another /64 is another source");
    a();
    a();
    assert.equal(cap.count("2001:db8:0:1::9"), 1, "released once");
    assert.ok(cap.take("2001:db8:0:1::3"));
  });
});
