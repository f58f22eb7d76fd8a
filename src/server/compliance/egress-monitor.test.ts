import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { loadConfig } from "../config/config";
import { EgressMonitor } from "./egress-monitor";
import { complianceFacts } from "./facts";
import { settingsFindings } from "./probes/settings";

describe("EgressMonitor", () => {
  let server: Server;
  let port = 0;
  before(async () => {
    server = createServer((_request, response) => response.end("ok"));
    // Another loopback address stands for "another host"; nothing leaves the machine.
    await new Promise<void>((done) => server.listen(0, "127.0.0.2", done));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise((done) => server.close(done)));

  it("records every outgoing connection by name or address, and the audit turns it red", async () => {
    const monitor = new EgressMonitor();
    try {
      await (await fetch(`http://127.0.0.2:${port}/`)).text();
      assert.deepEqual(monitor.hosts(), { "127.0.0.2": 1 });
      const facts = complianceFacts(loadConfig({}), "http://127.0.0.1:8080", monitor.hosts());
      const l1 = settingsFindings(facts).find((f) => f.id === "L1");
      assert.equal(l1?.status, "red");
      assert.match(l1?.reason ?? "", /unconfigured hosts: 127\.0\.0\.2/);
    } finally {
      monitor.close();
    }
  });

  it("accepts the configured identity provider", () => {
    const config = loadConfig({
      PLENUM_OIDC_ISSUER: "http://127.0.0.1:9000/realm",
      PLENUM_OIDC_CLIENT_ID: "plenum",
      PLENUM_OIDC_CLIENT_SECRET: "s",
    });
    const facts = complianceFacts(config, "http://127.0.0.1:8080", { "127.0.0.1": 3 });
    assert.equal(settingsFindings(facts).find((f) => f.id === "L1")?.status, "green");
  });
});
