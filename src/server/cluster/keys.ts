import { createHash } from "node:crypto";

/**
 * Everything the cluster keeps in Redis, in one place (docs/OPERATIONS.md,
 * "Cluster"). Nothing stored is personal data: node names, counts, and hashes
 * of room ids (a room id is the secret part of its link, so Redis never holds
 * one at rest). Signalling frames pass through pub/sub and are never stored.
 */
export const KEYS = {
  /** Set of node names; liveness is the node key below, and placement drops names without one. */
  nodes: "plenum:nodes",
  /** A node's load (JSON), alive while this key exists (PX NODE_TTL_MS, refreshed every beat). */
  node: (id: string) => `plenum:node:${id}`,
  /** The node a room lives on (PX ROOM_TTL_MS, refreshed by the owner while the room is open). */
  room: (roomId: string) => `plenum:room:${roomKey(roomId)}`,
  /** Pub/sub: frames and connection events for the rooms a node owns. */
  inbound: (nodeId: string) => `plenum:in:${nodeId}`,
  /** Pub/sub: frames from the owner back to one relayed client connection. */
  outbound: (connId: string) => `plenum:out:${connId}`,
} as const;

/** A room's name in Redis: a hash, so that keys listed in Redis open no meeting. */
export function roomKey(roomId: string): string {
  return createHash("sha256").update(roomId).digest("base64url").slice(0, 22);
}

/** How often a node publishes its load and refreshes its rooms. */
export const BEAT_MS = 1000;
/**
 * A node missing for this long is dead: its rooms are placed anew and its
 * relayed clients told to reconnect. Three beats tolerate a busy event loop.
 */
export const NODE_TTL_MS = 3000;
/**
 * A placement outlives a few missed beats, and covers the moment between
 * placing a room on a node and that node opening it.
 */
export const ROOM_TTL_MS = 30_000;

/** A node's published load; placement picks the smallest. */
export interface NodeLoad {
  /** Media peers (two per participant: up and down), a proxy for forwarded streams. */
  peers: number;
  /** Rooms open on the node. */
  rooms: number;
  /** Share of one core the process used over the last beat, 0..n. */
  cpu: number;
  /** Draining nodes (SIGTERM) take no new rooms. */
  draining: boolean;
}

/**
 * Places a room atomically: the current owner if it is alive, otherwise the
 * candidate, with a TTL. KEYS[1] room key; ARGV: candidate, ttl ms, node key prefix.
 */
export const PLACE_SCRIPT = `
local owner = redis.call('GET', KEYS[1])
if owner and redis.call('EXISTS', ARGV[3] .. owner) == 1 then return owner end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]
`;

/**
 * The owner keeps its rooms placed: refreshes the TTL, or places them again
 * after Redis lost them (restart). Returns the owner after the call.
 * KEYS[1] room key; ARGV: this node, ttl ms.
 */
export const KEEP_SCRIPT = `
local owner = redis.call('GET', KEYS[1])
if owner and owner ~= ARGV[1] then return owner end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]
`;

/** Deletes the room's placement only if it still names this node (when the room closes). */
export const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;
