import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/server/config/config";
import { createLogger } from "../../src/server/observability/log";
import { type RunningServer, startServer } from "../../src/server/server";

export interface TestServer {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  server: RunningServer;
  /** Stops the server and removes its data and client directories; idempotent. */
  close(): Promise<void>;
}

/** The real client may not be built when integration tests run; the server only needs a page. */
export const STUB_INDEX_HTML = "<!doctype html><title>Plenum test client</title>\n";

/** Makes a throwaway client directory with a stub index.html; the caller removes it. */
export async function makeStubClientDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "plenum-client-"));
  await writeFile(join(dir, "index.html"), STUB_INDEX_HTML);
  return dir;
}

/** Starts the real server in this process on an ephemeral loopback port with a fresh database. */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), "plenum-data-"));
  const clientDir = await makeStubClientDir();
  const removeDirs = () =>
    Promise.all([dataDir, clientDir].map((d) => rm(d, { recursive: true, force: true })));
  let server: RunningServer;
  try {
    const config = loadConfig({
      PLENUM_PORT: "0",
      PLENUM_DATA_DIR: dataDir,
      PLENUM_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
      // Every test client comes from 127.0.0.1: the per-address join limit has its own test.
      PLENUM_JOIN_BURST: "10000",
      // Likewise room creation (SPEC LIMIT-1 has its own test).
      PLENUM_ROOMS_PER_ADDRESS_PER_HOUR: "100000",
      // Likewise open connections (SPEC LIMIT-3 has its own test).
      PLENUM_MAX_CONNECTIONS_PER_ADDRESS: "100000",
      ...env,
    });
    server = await startServer(config, createLogger(config.logLevel), clientDir);
  } catch (error) {
    await removeDirs();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    server,
    close() {
      closing ??= server.close().finally(removeDirs);
      return closing;
    },
  };
}

/** Creates a room over the REST API, as a person clicking "new meeting" would. */
export async function createRoom(
  baseUrl: string,
  body?: { password?: string; lobby?: boolean; e2ee?: boolean; postQuantum?: boolean },
): Promise<{ id: string; url: string; moderatorUrl: string; moderatorToken: string }> {
  const response = await fetch(`${baseUrl}/api/rooms`, {
    method: "POST",
    ...(body
      ? { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }
      : {}),
  });
  if (response.status !== 201) throw new Error(`POST /api/rooms answered ${response.status}`);
  const room = (await response.json()) as { id: string; url: string; moderatorUrl: string };
  return { ...room, moderatorToken: room.moderatorUrl.split("#mod=")[1] ?? "" };
}
