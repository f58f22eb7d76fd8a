import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, it } from "node:test";
import { iceServersFor, turnCredentials } from "./credentials";

const config = {
  urls: ["turn:turn.example.org:3478?transport=udp"],
  secret: "s".repeat(32),
  ttlSeconds: 600,
};

describe("TURN REST API credentials", () => {
  it("expire after the TTL and are the HMAC-SHA1 of the username under the secret", () => {
    const now = Date.UTC(2026, 0, 1);
    const { username, credential } = turnCredentials(config, now);
    const [expiry, id] = username.split(":");
    assert.equal(Number(expiry), now / 1000 + 600);
    assert.match(id ?? "", /^[A-Za-z0-9_-]{12}$/);
    assert.equal(credential, createHmac("sha1", config.secret).update(username).digest("base64"));
  });

  it("are fresh for every person, and none exist without TURN configured", () => {
    const a = iceServersFor(config);
    const b = iceServersFor(config);
    assert.deepEqual(a[0]?.urls, config.urls);
    assert.notEqual(a[0]?.username, b[0]?.username);
    assert.deepEqual(iceServersFor(undefined), []);
  });
});
