import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/server/config/config";
import { createLogger, type Logger } from "../../src/server/observability/log";
import { type RunningServer, startServer } from "../../src/server/server";
import { Store } from "../../src/server/store/store";

/** A clock the test moves forward instead of sleeping. */
export class TestClock {
  constructor(public ms = Date.now()) {}
  readonly now = () => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface ClockedServer {
  url: string;
  server: RunningServer;
  clock: TestClock;
  /** A second connection to the server's database, as the CLI would open it. */
  store: Store;
  close(): Promise<void>;
}

/**
 * The real server in this process, serving the built client (`npm test` builds
 * it): a real SQLite file, real HTTP and WebSocket on an ephemeral loopback
 * port, and a clock the test controls (sessions, throttles).
 */
export async function startClockedServer(
  env: Record<string, string> = {},
  log: Logger = createLogger("silent"),
): Promise<ClockedServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "plenum-it-"));
  const config = loadConfig({
    PLENUM_PORT: "0",
    PLENUM_DATA_DIR: dataDir,
    PLENUM_LOG_LEVEL: "silent",
    ...env,
  });
  const clock = new TestClock();
  let server: RunningServer;
  try {
    server = await startServer(config, log, undefined, clock.now);
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const store = await Store.openSqlite(join(dataDir, "plenum.db"));
  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    server,
    clock,
    store,
    close() {
      closing ??= (async () => {
        await store.close();
        await server.close();
        rmSync(dataDir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
