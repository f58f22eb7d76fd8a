import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { describe, it } from "node:test";
import { clientAddress, clientProtocol, trustProxies } from "./proxy";

function request(peer: string, headers: Record<string, string> = {}, encrypted = false) {
  return { socket: { remoteAddress: peer, encrypted }, headers } as unknown as IncomingMessage;
}

describe("trusted proxies", () => {
  const trusted = trustProxies(["10.0.0.0/8", "192.0.2.7", "fd00::/8"]);

  it("trusts listed addresses and blocks, IPv4-mapped too, and nobody without a list", () => {
    assert.ok(trusted("10.1.2.3"));
    assert.ok(trusted("::ffff:10.1.2.3"));
    assert.ok(trusted("192.0.2.7"));
    assert.ok(trusted("fd12::1"));
    assert.ok(!trusted("192.0.2.8"));
    assert.ok(!trusted("not an address"));
    assert.ok(!trustProxies([])("127.0.0.1"));
  });

  it("takes the client from X-Forwarded-For only when the peer is trusted, walking from the right", () => {
    const xff = { "x-forwarded-for": "198.51.100.9, 203.0.113.5, 10.0.0.2" };
    assert.equal(clientAddress(request("10.0.0.1", xff), trusted), "203.0.113.5");
    assert.equal(clientAddress(request("203.0.113.80", xff), trusted), "203.0.113.80");
    assert.equal(
      clientAddress(request("10.0.0.1", { "x-forwarded-for": "garbage" }), trusted),
      "10.0.0.1",
    );
  });

  it("believes X-Forwarded-Proto from a trusted proxy only", () => {
    const https = { "x-forwarded-proto": "https" };
    assert.equal(clientProtocol(request("10.0.0.1", https), trusted), "https");
    assert.equal(clientProtocol(request("203.0.113.1", https), trusted), "http");
    assert.equal(clientProtocol(request("203.0.113.1", {}, true), trusted), "https");
  });
});
