import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";
import { startTestServer } from "../support/server";

/**
 * The image itself is built and run by `npm run test:image` (podman, slow, not
 * part of npm test; docs/OPERATIONS.md). What is checked here, quickly: every
 * file the Dockerfile, compose.yaml and the systemd unit name exists, the YAML
 * parses, systemd accepts the unit, and the container's health check tells
 * ready from not.
 */
const ROOT = resolve(import.meta.dirname, "../..");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

describe("Dockerfile", () => {
  const dockerfile = read("Dockerfile");

  it("builds on a Node 20 base chosen by ARG, with npm ci, npm ci --omit=dev, Chromium and a non-root user", () => {
    assert.match(dockerfile, /^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    assert.match(dockerfile, /^FROM \$\{NODE_IMAGE\} AS build$/m);
    assert.match(dockerfile, /^RUN PLENUM_NATIVE=required npm ci\b/m);
    assert.match(dockerfile, /^RUN npm run build$/m);
    assert.match(dockerfile, /npm ci --omit=dev/);
    assert.match(dockerfile, /apt-get install -y --no-install-recommends chromium/);
    assert.match(dockerfile, /^COPY --from=build .*package-lock\.json/m);
    assert.match(dockerfile, /^USER plenum$/m);
    assert.match(dockerfile, /^VOLUME \["\/var\/lib\/plenum"\]$/m);
    assert.match(dockerfile, /^HEALTHCHECK .*\n\s+CMD \["node", "deploy\/healthcheck\.mjs"\]$/m);
  });

  it("copies only files that exist, and starts the plenum command", () => {
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) =>
      (m[1] ?? "").split(" "),
    );
    const fromBuild = [...dockerfile.matchAll(/^COPY --from=\w+ (.+) \S+$/gm)].flatMap((m) =>
      (m[1] ?? "").split(" ").map((p) => p.replace(/^\/app\//, "")),
    );
    // Made inside the image: the modules, the native build, the built server and client.
    const made = /^(node_modules|build\/|dist)/;
    for (const path of [...sources, ...fromBuild]) {
      if (path === "." || made.test(path)) continue;
      assert.ok(existsSync(join(ROOT, path)), `${path} is copied but does not exist`);
    }
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    const args = JSON.parse(cmd ?? "[]") as string[];
    assert.deepEqual(args.slice(-2), [JSON.parse(read("package.json")).bin.plenum, "serve"]);
    assert.ok(existsSync(join(ROOT, args.at(-2) ?? "")), `the CMD's script ${args.at(-2)}`);
    assert.ok(JSON.parse(read("package.json")).scripts.build, "npm run build exists");
    const ignored = read(".dockerignore").split("\n");
    for (const path of ["node_modules", "build", "dist"]) assert.ok(ignored.includes(path), path);
  });
});

describe("compose.yaml", () => {
  it("parses, runs Plenum, coturn, Redis and PostgreSQL, and mounts files that exist", () => {
    // Debian's python3-yaml (scripts/prerequisites.ts): a YAML parser without another npm package.
    const json = execFileSync(
      "python3",
      [
        "-c",
        "import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
        "compose.yaml",
      ],
      { cwd: ROOT, encoding: "utf8" },
    );
    const compose = JSON.parse(json) as {
      services: Record<string, { environment?: Record<string, string>; volumes?: string[] }>;
    };
    assert.deepEqual(Object.keys(compose.services).sort(), [
      "coturn",
      "plenum",
      "postgres",
      "redis",
    ]);
    const env = compose.services.plenum?.environment ?? {};
    assert.match(env.PLENUM_REDIS_URL ?? "", /^redis:\/\/redis:6379$/);
    assert.match(env.PLENUM_DATABASE_URL ?? "", /^postgres:\/\/plenum:.*@postgres:5432\/plenum$/);
    assert.ok(env.PLENUM_TURN_SECRET, "Plenum gets the TURN secret");
    for (const volume of Object.values(compose.services).flatMap((s) => s.volumes ?? [])) {
      const source = volume.split(":")[0] ?? "";
      if (source.startsWith("./") && !source.endsWith("/certs"))
        assert.ok(existsSync(join(ROOT, source)), `${source} is mounted but does not exist`);
    }
  });
});

describe("systemd unit", () => {
  const unit = read("deploy/systemd/plenum.service");

  it("is accepted by systemd-analyze, reloads with SIGHUP and is hardened", () => {
    const verify = spawnSync("systemd-analyze", ["verify", "deploy/systemd/plenum.service"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    // Only complaints about this unit count; the host's own units are not ours.
    const ours = `${verify.stdout}${verify.stderr}`
      .split("\n")
      .filter((l) => l.includes("plenum.service") && !/Command .* is not executable/.test(l));
    assert.deepEqual(ours, []);
    assert.match(unit, /^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
    for (const line of [
      "NoNewPrivileges=yes",
      "ProtectSystem=strict",
      "ProtectHome=yes",
      "PrivateTmp=yes",
      "ReadWritePaths=/var/lib/plenum",
      "User=plenum",
    ])
      assert.ok(unit.includes(`\n${line}\n`), line);
    // The built server through the plenum command, with plain node (RUN-1).
    assert.match(unit, /^ExecStart=\/usr\/bin\/node bin\/plenum\.js serve$/m);
    assert.ok(existsSync(join(ROOT, "bin/plenum.js")), "the ExecStart script");
  });
});

describe("the container health check", () => {
  it("exits 0 against a ready server and 1 when nothing answers", async () => {
    const server = await startTestServer();
    const port = new URL(server.url).port;
    // Asynchronous: the server runs in this process and must answer meanwhile.
    const check = (p: string) =>
      new Promise<number | null>((done) => {
        const child = spawn(process.execPath, ["deploy/healthcheck.mjs"], {
          cwd: ROOT,
          env: { ...process.env, PLENUM_PORT: p, PLENUM_TLS_CERT: "" },
          timeout: 20_000,
        });
        child.on("exit", (code) => done(code));
      });
    try {
      assert.equal(await check(port), 0);
    } finally {
      await server.close();
    }
    assert.equal(await check(port), 1);
  });
});
