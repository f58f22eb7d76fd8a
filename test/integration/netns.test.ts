import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { test } from "node:test";
import { createTestNetwork } from "../support/netns";

function pings(ns: string, address: string): boolean {
  const r = spawnSync("ip", ["netns", "exec", ns, "ping", "-c", "1", "-W", "1", address]);
  return r.status === 0;
}

test("the test network joins its two sides and nothing else, shapes them, and leaves nothing behind", () => {
  const net = createTestNetwork();
  try {
    assert.ok(pings(net.clientNamespace, net.serverAddress), "client reaches the server side");
    // No default route: the client side reaches nothing outside the pair.
    const routes = execFileSync("ip", ["netns", "exec", net.clientNamespace, "ip", "route"], {
      encoding: "utf8",
    });
    assert.doesNotMatch(routes, /default/);
    net.impair("client", { lossPercent: 100 });
    net.impair("server", { rateKbit: 300 });
    assert.ok(!pings(net.clientNamespace, net.serverAddress), "100% loss drops the ping");
    net.clear();
    assert.ok(pings(net.clientNamespace, net.serverAddress), "cleared again");
    net.setLinkUp(false);
    assert.ok(!pings(net.clientNamespace, net.serverAddress), "link down drops the ping");
    net.setLinkUp(true);
  } finally {
    net.close();
    net.close();
  }
  const left = execFileSync("ip", ["netns", "list"], { encoding: "utf8" });
  assert.ok(!left.includes(net.clientNamespace), "namespace removed");
});
