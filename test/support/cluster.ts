import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPostgres, type TestPostgres } from "./postgres";
import { type ServerProcess, startServerProcess } from "./process";
import { startRedis, type TestRedis } from "./redis";

export interface TestNode {
  id: string;
  /** Media ports of this node, so that a test can tell whose media a client uses. */
  mediaPorts: [number, number];
  process: ServerProcess;
}

export interface TestCluster {
  redis: TestRedis;
  postgres: TestPostgres;
  databaseUrl: string;
  nodes: TestNode[];
  /** Environment of a node (or of `plenum user …`) on this cluster. */
  env(node?: number): Record<string, string>;
  /** Starts node `i` (again, after it was killed). */
  startNode(i: number): Promise<TestNode>;
  close(): Promise<void>;
}

/**
 * Three Plenum processes on loopback (own HTTP ports, own media port ranges)
 * sharing one real PostgreSQL and one real redis-server, all started here and
 * removed by close().
 */
export async function startCluster(
  size = 3,
  /** More settings for every node (e.g. a shared data folder with one `resume.key`). */
  extra: Record<string, string> = {},
): Promise<TestCluster> {
  const clientDir = mkdtempSync(join(tmpdir(), "plenum-cluster-client-"));
  writeFileSync(join(clientDir, "index.html"), "<!doctype html><title>Plenum</title>");
  const postgres = await startPostgres();
  let redis: TestRedis | undefined;
  const nodes: TestNode[] = [];
  // Each node has its own media ports (a node is addressed by them); the block is drawn at
  // random so that two clusters on one machine (two checkouts testing) do not collide.
  const mediaBase = 20_000 + 600 * Math.floor(Math.random() * 60);
  const cluster: TestCluster = {
    redis: undefined as unknown as TestRedis,
    postgres,
    databaseUrl: await postgres.createDatabase(),
    nodes,
    env(i = 0) {
      const first = mediaBase + i * 200;
      return {
        PLENUM_DATABASE_URL: cluster.databaseUrl,
        PLENUM_REDIS_URL: cluster.redis.url,
        PLENUM_NODE_ID: `node-${i + 1}`,
        PLENUM_MEDIA_PORTS: `${first}-${first + 199}`,
        PLENUM_CLIENT_DIR: clientDir,
        PLENUM_LOG_LEVEL: "info",
        // Every client of the test comes from 127.0.0.1.
        PLENUM_JOIN_BURST: "1000",
        PLENUM_ROOMS_PER_ADDRESS_PER_HOUR: "100000",
        // Likewise open connections (SPEC LIMIT-3 has its own test).
        PLENUM_MAX_CONNECTIONS_PER_ADDRESS: "100000",
        PLENUM_JOINS_PER_MINUTE: "1000",
        PLENUM_DRAIN_SECONDS: "60",
        // Half the default: a failover takes a few seconds, and a test that waits for the
        // meetings of the earlier ones to end waits for their dropped members' places.
        PLENUM_RESUME_SECONDS: "15",
        ...extra,
      };
    },
    async startNode(i) {
      // A killed node's process is gone; this removes its data folder.
      await nodes[i]?.process.close();
      const env = cluster.env(i);
      const [first = 0, last = 0] = (env.PLENUM_MEDIA_PORTS ?? "").split("-").map(Number);
      const node: TestNode = {
        id: env.PLENUM_NODE_ID ?? "",
        mediaPorts: [first, last],
        process: await startServerProcess(env),
      };
      nodes[i] = node;
      return node;
    },
    async close() {
      await Promise.allSettled(nodes.map((n) => n.process.close()));
      await Promise.allSettled([redis?.close(), postgres.close()]);
      rmSync(clientDir, { recursive: true, force: true });
    },
  };
  try {
    redis = await startRedis();
    cluster.redis = redis;
    // One after another: the first migrates the database, the others find it done.
    for (let i = 0; i < size; i++) await cluster.startNode(i);
  } catch (error) {
    await cluster.close();
    throw error;
  }
  return cluster;
}
