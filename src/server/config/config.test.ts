import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, loadConfig } from "./config";

describe("loadConfig", () => {
  it("serves a local instance on loopback with no settings at all", () => {
    const c = loadConfig({});
    assert.equal(c.host, "127.0.0.1");
    assert.equal(c.port, 8080);
    assert.equal(c.publicUrl, "http://127.0.0.1:8080");
    assert.deepEqual(c.media.addresses, ["127.0.0.1"]);
    assert.equal(c.retention.roomDays, 30);
  });

  it("names every bad value at once", () => {
    assert.throws(
      () =>
        loadConfig({
          PLENUM_PORT: "eighty",
          PLENUM_MEDIA_ADDRESSES: "not-an-ip",
          PLENUM_MEDIA_PORTS: "5000",
        }),
      (e: unknown) =>
        e instanceof ConfigError &&
        /PLENUM_PORT/.test(e.message) &&
        /PLENUM_MEDIA_ADDRESSES/.test(e.message) &&
        /PLENUM_MEDIA_PORTS/.test(e.message),
    );
  });

  it("asks for media addresses when bound to all interfaces", () => {
    assert.throws(() => loadConfig({ PLENUM_HOST: "0.0.0.0" }), /PLENUM_MEDIA_ADDRESSES/);
    const c = loadConfig({ PLENUM_HOST: "0.0.0.0", PLENUM_MEDIA_ADDRESSES: "198.51.100.7" });
    assert.deepEqual(c.media.addresses, ["198.51.100.7"]);
  });

  it("parses a media port range and refuses an inverted one", () => {
    assert.deepEqual(
      loadConfig({ PLENUM_MEDIA_PORTS: "40000-40100" }).media.portRange,
      [40000, 40100],
    );
    assert.throws(() => loadConfig({ PLENUM_MEDIA_PORTS: "40100-40000" }), ConfigError);
  });

  it("serves the built client unless PLENUM_CLIENT_DIR points elsewhere", () => {
    assert.equal(loadConfig({}).clientDir, undefined);
    assert.equal(
      loadConfig({ PLENUM_CLIENT_DIR: "/srv/plenum-client" }).clientDir,
      "/srv/plenum-client",
    );
  });
});
