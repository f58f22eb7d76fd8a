import type { Server as HttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import type { Logger } from "pino";
import { accountServices } from "./account/services";
import { limitPasswordWork } from "./auth/passwords";
import { ClusterNode } from "./cluster/node";
import { EgressMonitor } from "./compliance/egress-monitor";
import type { Config } from "./config/config";
import { buildApp } from "./http/app";
import { ConnectionCap } from "./http/connection-cap";
import { type MetricsListener, startMetricsListener } from "./http/metrics";
import { trustProxies } from "./http/proxy";
import { attachSignalling } from "./http/websocket";
import { startMediaWorkers, type WorkerEngine } from "./media/workers/engine";
import { serverRegistry } from "./observability/metrics";
import { RoomDirectory } from "./room/directory";
import { ResumeTickets } from "./room/resume-ticket";
import { AccessGuard } from "./signalling/guard";
import { Store } from "./store/store";
import { reloadTls } from "./tls/reload";
import { loadTls } from "./tls/tls";
import { iceServersFor } from "./turn/credentials";

const DAY_MS = 24 * 60 * 60 * 1000;
const RETENTION_INTERVAL_MS = 60 * 60 * 1000;

export interface RunningServer {
  /** The address people use, e.g. http://127.0.0.1:8080 */
  url: string;
  media: WorkerEngine;
  directory: RoomDirectory;
  store: Store;
  /** This node's part in a cluster; undefined for a single node. */
  cluster: ClusterNode | undefined;
  /**
   * SIGTERM in a cluster: take no new rooms, wait (at most `drainSeconds`)
   * until the rooms running here have ended. A single node has nothing to wait for.
   */
  drain(): Promise<void>;
  /** Open signalling connections; with `media.peerCount` and `directory.openRooms`, the leak check of the soak test. */
  readonly sessionCount: number;
  /** Where Prometheus scrapes when PLENUM_METRICS_ADDRESS is set. */
  metricsUrl: string | undefined;
  /**
   * SIGHUP: reads the TLS certificate and key again (a no-op without TLS).
   * False when the new pair was refused and the old one is kept.
   */
  reload(): boolean;
  /** Runs the retention jobs now (they also run hourly); for tests and operators. */
  retention(): Promise<void>;
  /**
   * Shuts down in order; idempotent. Joins are refused from the start and
   * everyone is told (`server-shutdown`); after `graceMs` the connections
   * close with 1012 (clients reconnect and resume), then rooms and their media,
   * the media engine, the web server and the store.
   */
  close(graceMs?: number): Promise<void>;
}

/** Where `npm run build` puts the client. */
export const DEFAULT_CLIENT_DIR = resolve(import.meta.dirname, "../../dist/client");

/** Starts everything the embedded default needs, in one process. */
export async function startServer(
  config: Config,
  log: Logger,
  clientDir: string = DEFAULT_CLIENT_DIR,
  /** The clock for sessions and throttles; tests move it forward instead of sleeping. */
  now: () => number = Date.now,
  /** Media threads started before the rest of the server was loaded (`startMediaWorkers`). */
  media: WorkerEngine = startMediaWorkers(config.media, log),
): Promise<RunningServer> {
  try {
    return await start(config, log, clientDir, now, media);
  } catch (error) {
    // Threads left running would keep the process (or a test's) alive after a failed start.
    await media.close();
    throw error;
  }
}

async function start(
  config: Config,
  log: Logger,
  clientDir: string,
  now: () => number,
  media: WorkerEngine,
): Promise<RunningServer> {
  // Before anything opens: a wrong certificate path must not leave a half-started server.
  const tls = config.tls ? loadTls(config.tls) : undefined;
  // First, so that every outgoing connection of this server is seen (COMPLIANCE L1, L3).
  const egress = new EgressMonitor();
  const trustProxy = trustProxies(config.trustedProxies);
  let accepting = true;
  const store = await Store.open(config);
  media.reportEgressTo((host) => egress.record(host));
  const resumeWindowMs = config.resumeSeconds * 1000;
  // A ticket outlives the resume window and a restart; the client gets a fresh one every minute.
  const tickets = ResumeTickets.fromDataDir(config.dataDir, resumeWindowMs + 120_000, now);
  const directory = new RoomDirectory(
    store,
    media,
    log,
    now,
    tickets.pseudonyms(),
    tickets.lifetimeMs,
    resumeWindowMs,
  );
  const registry = serverRegistry(directory, {
    participants: config.limits.participants,
    lobby: config.limits.lobby,
    rooms_per_address_per_hour: config.limits.roomsPerAddressPerHour,
    rooms_per_hour: config.limits.roomsPerHour,
    argon2_concurrency: config.limits.argon2Concurrency,
    argon2_queue: config.limits.argon2Queue,
    moderator_actions_per_minute: config.limits.moderatorActionsPerMinute,
    connections_per_address: config.limits.connectionsPerAddress,
  });
  limitPasswordWork({
    concurrency: config.limits.argon2Concurrency,
    queue: config.limits.argon2Queue,
  });
  let publicUrl = config.publicUrl;
  const accounts = accountServices(store, config, () => publicUrl, now);
  const guard = new AccessGuard(now, {
    perSecond: config.joinLimit.perMinute / 60,
    burst: config.joinLimit.burst,
  });
  const sessionDeps = {
    directory,
    guard,
    log,
    rate: config.messageLimit,
    resume: { tickets, windowMs: resumeWindowMs },
    lifecycle: { draining: false },
    iceServers: () => iceServersFor(config.turn, now()),
    limits: {
      participants: config.limits.participants,
      lobby: config.limits.lobby,
      moderatorActionsPerMinute: config.limits.moderatorActionsPerMinute,
    },
  };
  const cluster = config.cluster
    ? new ClusterNode(config.cluster, {
        directory,
        peerCount: () => media.peerCount,
        log,
        sessionDeps,
      })
    : undefined;
  await cluster?.start();
  const app = await buildApp({
    store,
    directory,
    log,
    clientDir,
    publicUrl: () => publicUrl,
    accounts,
    config,
    egress,
    ready: () => cluster?.ready ?? { ok: true },
    tls,
    trustProxy,
    accepting: () => accepting && !sessionDeps.lifecycle.draining,
    metrics: {
      registry,
      access: { token: config.metrics.token, internal: config.metrics.address !== undefined },
    },
  });
  const signalling = attachSignalling(
    app,
    sessionDeps,
    accounts.authenticate,
    config.publicUrl.startsWith("https:"),
    trustProxy,
    cluster,
    new ConnectionCap(config.limits.connectionsPerAddress),
  );

  const retention = async () => {
    const t = now();
    const removed = await store.rooms.deleteUnused(t - config.retention.roomDays * DAY_MS);
    const events = await store.rooms.deleteEventsBefore(t - config.retention.auditDays * DAY_MS);
    const expired = await accounts.sessions.deleteExpired();
    // A meeting quiet for a day can no longer be resumed: its tickets expired long ago.
    const meetings = await store.meetings.deleteExpired(t - DAY_MS, t);
    accounts.login.prune();
    guard.prune();
    if (removed + events + expired + meetings > 0) {
      log.info({ removed, events, expired, meetings }, "retention: deleted expired rows");
    }
  };
  await retention();
  const timer = setInterval(
    () => retention().catch((err) => log.error({ err }, "retention failed")),
    RETENTION_INTERVAL_MS,
  );
  timer.unref();

  await app.listen({ host: config.host, port: config.port });
  if (config.port === 0) {
    // An ephemeral port (tests) is only known now.
    const { port } = app.server.address() as AddressInfo;
    publicUrl = publicUrl.replace(/:0$/, `:${port}`);
  }

  let metrics: MetricsListener | undefined;
  if (config.metrics.address) {
    try {
      metrics = await startMetricsListener(config.metrics.address, registry, config.metrics.token);
    } catch (error) {
      signalling.close();
      directory.close();
      media.close();
      await app.close();
      await store.close();
      egress.close();
      throw new Error(`PLENUM_METRICS_ADDRESS: cannot listen (${(error as Error).message})`);
    }
  }

  let closing: Promise<void> | undefined;
  return {
    url: publicUrl,
    metricsUrl: metrics?.url,
    reload() {
      if (!config.tls) return true;
      return reloadTls(app.server as unknown as HttpsServer, config.tls, log);
    },
    media,
    directory,
    store,
    cluster,
    async drain() {
      if (!cluster || !config.cluster) return;
      cluster.drain();
      const deadline = Date.now() + config.cluster.drainSeconds * 1000;
      log.info({ rooms: directory.openRooms }, "draining: no new rooms; waiting for rooms to end");
      while (directory.openRooms + cluster.hostedCount > 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 500));
    },
    get sessionCount() {
      return signalling.sessionCount;
    },
    retention,
    close(graceMs = 0) {
      closing ??= (async () => {
        accepting = false;
        clearInterval(timer);
        signalling.announceShutdown();
        // Nobody to tell, nobody to wait for.
        if (graceMs > 0 && signalling.sessionCount > 0)
          await new Promise((done) => setTimeout(done, graceMs));
        await cluster?.close();
        await metrics?.close();
        signalling.close();
        directory.close();
        await directory.flush();
        await media.close();
        await app.close();
        await store.close();
        egress.close();
      })();
      return closing;
    },
  };
}
