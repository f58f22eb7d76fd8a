import type { Tally } from "../metrics";
import type { MediaPeer } from "../types";
import type { WeriftOptions } from "../werift/config";

/**
 * The one message protocol between the main thread and a media worker. Peer
 * methods travel by name with their arguments as plain data (structured
 * clone), so a method added to `MediaPeer` needs one line in the proxy
 * (peer.ts) and nothing here; a peer given as an argument travels as its id.
 */

/** Every `MediaPeer` method; `label` is data, not a method. */
export type PeerMethod = Exclude<keyof MediaPeer, "label">;

/** How a `MediaPeer` argument crosses the thread boundary. */
export interface PeerRef {
  $peer: number;
}

export function isPeerRef(value: unknown): value is PeerRef {
  return (
    typeof value === "object" && value !== null && typeof (value as PeerRef).$peer === "number"
  );
}

export interface WorkerInit {
  media: WeriftOptions;
}

export type ToWorker =
  | { type: "create"; peer: number; label: string }
  /** With `call`, the worker answers with a `result` of the same number; without, fire and forget. */
  | { type: "call"; peer: number; method: PeerMethod; args: unknown[]; call?: number }
  /** Test-only (WorkerEngine.testing): throw an uncaught exception, as a bug would. */
  | { type: "crash" };

export type FromWorker =
  /** The worker has loaded and listens; a worker that dies before this is not restarted at once. */
  | { type: "ready" }
  | { type: "result"; call: number; ok: true; value: unknown }
  | { type: "result"; call: number; ok: false; message: string }
  /** A `PeerEvents` callback, by name. */
  | { type: "event"; peer: number; name: string; args: unknown[] }
  /** An outgoing TCP connection seen in the worker (COMPLIANCE L1, L3). */
  | { type: "egress"; host: string }
  /** Media counters since the last report, and the thread's busy time so far (for /metrics). */
  | { type: "metrics"; tally: Tally | undefined; busySeconds: number }
  /** A fire-and-forget call failed; the main thread logs it. */
  | { type: "warning"; method: string; message: string };
