import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
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
    assert.equal(c.sessionHours, 12);
    assert.equal(c.oidc, undefined, "OIDC is off unless configured");
  });

  it("turns OIDC on only with issuer, client id and secret, and names what is missing", () => {
    const oidc = {
      PLENUM_OIDC_ISSUER: "https://id.example.org/realms/staff",
      PLENUM_OIDC_CLIENT_ID: "plenum",
      PLENUM_OIDC_CLIENT_SECRET: "s3cret",
    };
    assert.deepEqual(loadConfig(oidc).oidc, {
      issuer: "https://id.example.org/realms/staff",
      clientId: "plenum",
      clientSecret: "s3cret",
    });
    assert.throws(
      () => loadConfig({ PLENUM_OIDC_ISSUER: oidc.PLENUM_OIDC_ISSUER }),
      (e: unknown) =>
        e instanceof ConfigError &&
        /PLENUM_OIDC_CLIENT_ID/.test(e.message) &&
        /PLENUM_OIDC_CLIENT_SECRET/.test(e.message),
    );
    assert.throws(
      () => loadConfig({ ...oidc, PLENUM_OIDC_ISSUER: "http://id.example.org" }),
      /PLENUM_OIDC_ISSUER: must be https/,
    );
    assert.ok(loadConfig({ ...oidc, PLENUM_OIDC_ISSUER: "http://127.0.0.1:9000" }).oidc);
    // SPEC OIDC-1: who may sign in, as claim=value; meaningless without a provider.
    const required = { ...oidc, PLENUM_OIDC_REQUIRED_CLAIM: "groups=plenum-organisers" };
    assert.deepEqual(loadConfig(required).oidc?.requiredClaim, {
      name: "groups",
      value: "plenum-organisers",
    });
    assert.throws(
      () => loadConfig({ ...oidc, PLENUM_OIDC_REQUIRED_CLAIM: "groups" }),
      /PLENUM_OIDC_REQUIRED_CLAIM: must look like claim=value/,
    );
    assert.throws(
      () => loadConfig({ PLENUM_OIDC_REQUIRED_CLAIM: "groups=plenum-organisers" }),
      /PLENUM_OIDC_REQUIRED_CLAIM: needs PLENUM_OIDC_ISSUER/,
    );
  });

  it("reads the session lifetime in hours and refuses nonsense", () => {
    assert.equal(loadConfig({ PLENUM_SESSION_HOURS: "8" }).sessionHours, 8);
    assert.throws(() => loadConfig({ PLENUM_SESSION_HOURS: "0" }), /PLENUM_SESSION_HOURS/);
  });

  it("limits messages per connection to 20 a second, burst 40, unless configured (SPEC ABUSE-1)", () => {
    assert.deepEqual(loadConfig({}).messageLimit, { burst: 40, perSecond: 20 });
    assert.deepEqual(
      loadConfig({ PLENUM_MESSAGE_BURST: "500", PLENUM_MESSAGES_PER_SECOND: "100" }).messageLimit,
      { burst: 500, perSecond: 100 },
    );
    assert.throws(
      () => loadConfig({ PLENUM_MESSAGES_PER_SECOND: "0" }),
      /PLENUM_MESSAGES_PER_SECOND/,
    );
  });

  it("LIMIT-1: bounds rooms, lobbies, creation and argon2 with defaults, each configurable", () => {
    assert.deepEqual(loadConfig({}).limits, {
      participants: 100,
      lobby: 50,
      roomsPerAddressPerHour: 30,
      roomsPerHour: 1000,
      argon2Concurrency: 2,
      argon2Queue: 32,
      moderatorActionsPerMinute: 60,
      connectionsPerAddress: 200,
    });
    const c = loadConfig({ PLENUM_MAX_PARTICIPANTS: "8", PLENUM_JOINS_PER_MINUTE: "5" });
    assert.equal(c.limits.participants, 8);
    assert.deepEqual(c.joinLimit, { burst: 30, perMinute: 5 });
    assert.throws(() => loadConfig({ PLENUM_MAX_PARTICIPANTS: "1" }), /PLENUM_MAX_PARTICIPANTS/);
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

  it("runs one media worker per core unless told otherwise, and gives each one ports", () => {
    assert.equal(loadConfig({}).media.workers, availableParallelism());
    assert.equal(loadConfig({ PLENUM_MEDIA_WORKERS: "3" }).media.workers, 3);
    assert.throws(() => loadConfig({ PLENUM_MEDIA_WORKERS: "0" }), /PLENUM_MEDIA_WORKERS/);
    assert.throws(
      () => loadConfig({ PLENUM_MEDIA_WORKERS: "4", PLENUM_MEDIA_PORTS: "40000-40002" }),
      /PLENUM_MEDIA_PORTS: must hold at least one port per media worker/,
    );
  });

  it("turns the forwarding fast path on unless PLENUM_FASTPATH=0, and refuses another value", () => {
    assert.equal(loadConfig({}).media.fastPath, true);
    assert.equal(loadConfig({ PLENUM_FASTPATH: "0" }).media.fastPath, false);
    assert.throws(() => loadConfig({ PLENUM_FASTPATH: "off" }), /PLENUM_FASTPATH/);
  });

  it("serves the built client unless PLENUM_CLIENT_DIR points elsewhere", () => {
    assert.equal(loadConfig({}).clientDir, undefined);
    assert.equal(
      loadConfig({ PLENUM_CLIENT_DIR: "/srv/plenum-client" }).clientDir,
      "/srv/plenum-client",
    );
  });
});

describe("loadConfig: compliance settings", () => {
  it("refuses to switch retention off: every stored item has a period (T10)", () => {
    for (const [name, value] of [
      ["PLENUM_ROOM_RETENTION_DAYS", "0"],
      ["PLENUM_AUDIT_RETENTION_DAYS", "0"],
      ["PLENUM_LOG_RETENTION_DAYS", "0"],
      ["PLENUM_ROOM_RETENTION_DAYS", "never"],
    ] as const) {
      assert.throws(
        () => loadConfig({ [name]: value }),
        (e: unknown) => e instanceof ConfigError && e.message.includes(name),
      );
    }
  });

  it("takes the lobby default, allowed origins, administrators and the operator's facts", () => {
    const c = loadConfig({
      PLENUM_DEFAULT_LOBBY: "false",
      PLENUM_CSP_ALLOW: "https://id.example.org, http://127.0.0.1:9000",
      PLENUM_ADMINS: "alice, bob",
      PLENUM_DPO_CONTACT: "dsb@example.org",
    });
    assert.equal(c.defaultLobby, false);
    assert.deepEqual(c.cspAllow, ["https://id.example.org", "http://127.0.0.1:9000"]);
    assert.deepEqual(c.admins, ["alice", "bob"]);
    assert.equal(c.operator.dpoContact, "dsb@example.org");
    assert.equal(c.operator.controllerName, undefined);
    assert.equal(loadConfig({}).defaultLobby, true);
  });

  it("allows only origins, over https or on loopback, in the CSP", () => {
    for (const bad of ["http://cdn.example.org", "https://cdn.example.org/lib", "'unsafe-inline'"])
      assert.throws(() => loadConfig({ PLENUM_CSP_ALLOW: bad }), /PLENUM_CSP_ALLOW/);
  });

  it("takes PostgreSQL and Redis for a cluster, and refuses Redis without a shared store", () => {
    const c = loadConfig({
      PLENUM_DATABASE_URL: "postgres://plenum@db.internal:5432/plenum",
      PLENUM_REDIS_URL: "redis://redis.internal:6379",
      PLENUM_NODE_ID: "node-1",
    });
    assert.equal(c.databaseUrl, "postgres://plenum@db.internal:5432/plenum");
    assert.deepEqual(c.cluster, {
      redisUrl: "redis://redis.internal:6379",
      nodeId: "node-1",
      drainSeconds: 3600,
    });
    assert.equal(loadConfig({}).cluster, undefined);
    assert.equal(loadConfig({}).databaseUrl, undefined);
    assert.throws(
      () => loadConfig({ PLENUM_REDIS_URL: "redis://127.0.0.1:6379" }),
      /PLENUM_DATABASE_URL: required when PLENUM_REDIS_URL is set/,
    );
    assert.throws(() => loadConfig({ PLENUM_DATABASE_URL: "mysql://x/y" }), /PLENUM_DATABASE_URL/);
    assert.throws(
      () =>
        loadConfig({
          PLENUM_DATABASE_URL: "postgres://x/y",
          PLENUM_REDIS_URL: "redis://127.0.0.1:6379",
          PLENUM_NODE_ID: "a b",
        }),
      /PLENUM_NODE_ID/,
    );
  });

  it("reads the production settings: TLS, trusted proxies, TURN and metrics", () => {
    const c = loadConfig({
      PLENUM_TLS_CERT: "/etc/plenum/tls/cert.pem",
      PLENUM_TLS_KEY: "/etc/plenum/tls/key.pem",
      PLENUM_TRUSTED_PROXIES: "127.0.0.1, 10.0.0.0/8, fd00::/8",
      PLENUM_TURN_URLS:
        "turn:turn.example.org:3478?transport=udp,turns:turn.example.org:443?transport=tcp",
      PLENUM_TURN_SECRET: "0123456789abcdef0123",
      PLENUM_METRICS_TOKEN: "m".repeat(32),
      PLENUM_METRICS_ADDRESS: "[::1]:9100",
    });
    assert.equal(
      c.publicUrl,
      "https://127.0.0.1:8080",
      "with a certificate the default URL is https",
    );
    assert.deepEqual(c.tls, {
      certFile: "/etc/plenum/tls/cert.pem",
      keyFile: "/etc/plenum/tls/key.pem",
    });
    assert.deepEqual(c.trustedProxies, ["127.0.0.1", "10.0.0.0/8", "fd00::/8"]);
    assert.equal(c.turn?.urls.length, 2);
    assert.equal(c.turn?.ttlSeconds, 43_200);
    assert.deepEqual(c.metrics.address, { host: "::1", port: 9100 });
    const none = loadConfig({});
    assert.deepEqual([none.tls, none.turn, none.trustedProxies], [undefined, undefined, []]);
  });

  it("names every bad production setting at once", () => {
    assert.throws(
      () =>
        loadConfig({
          PLENUM_TRUSTED_PROXIES: "10.0.0.0/33",
          PLENUM_TURN_URLS: "stun:stun.example.org",
          PLENUM_TURN_SECRET: "short",
          PLENUM_METRICS_TOKEN: "too-short",
          PLENUM_METRICS_ADDRESS: "metrics.internal:9100",
        }),
      (e: unknown) =>
        e instanceof ConfigError &&
        [
          "PLENUM_TRUSTED_PROXIES",
          "PLENUM_TURN_URLS",
          "PLENUM_TURN_SECRET",
          "PLENUM_METRICS_TOKEN",
          "PLENUM_METRICS_ADDRESS",
        ].every((name) => e.message.includes(name)),
    );
    assert.throws(
      () => loadConfig({ PLENUM_TLS_KEY: "/k.pem" }),
      /PLENUM_TLS_CERT: required when PLENUM_TLS_KEY is set/,
    );
    assert.throws(
      () => loadConfig({ PLENUM_TURN_URLS: "turn:turn.example.org" }),
      /PLENUM_TURN_SECRET: required when PLENUM_TURN_URLS is set/,
    );
    assert.throws(
      () => loadConfig({ PLENUM_TURN_SECRET: "0123456789abcdef0123" }),
      /PLENUM_TURN_URLS: required when PLENUM_TURN_SECRET is set/,
    );
  });
});
