import { performance } from "node:perf_hooks";
import { parentPort, workerData } from "node:worker_threads";
import { watchEgress } from "../../compliance/egress-monitor";
import { countInTally, takeTally } from "../metrics";
import type { MediaPeer, PeerEvents } from "../types";
import { WeriftEngine } from "../werift/engine";
import { type FromWorker, isPeerRef, type ToWorker, type WorkerInit } from "./protocol";

/**
 * A media worker: a WeriftEngine on its own thread, driven by messages from
 * the main thread's WorkerEngine. Only the main thread talks to it.
 */
const port = parentPort;
if (!port) throw new Error("the media worker runs only as a worker thread");
const post = (message: FromWorker) => port.postMessage(message);

// First, like the main thread's monitor: connections made here are reported there.
watchEgress((host) => post({ type: "egress", host }));

// The counters /metrics serves live in the main thread: count here, report every second.
countInTally();
const METRICS_MS = 1000;
setInterval(() => {
  const busySeconds = performance.eventLoopUtilization().active / 1000;
  post({ type: "metrics", tally: takeTally(), busySeconds });
}, METRICS_MS).unref();

const init = workerData as WorkerInit;
const engine = new WeriftEngine(init.media);
if (engine.patchesLeftOut.length > 0)
  post({
    type: "warning",
    method: "werift patches",
    message: `left out, their guard failed: ${engine.patchesLeftOut.map((p) => `${p.patch} (${p.reason})`).join("; ")}`,
  });
const peers = new Map<number, MediaPeer>();

/** Forwards every `PeerEvents` callback by name, whichever the engine calls. */
function eventsOf(peer: number): PeerEvents {
  return new Proxy({} as PeerEvents, {
    get: (_target, name) =>
      // Not a thenable: nothing may mistake the events object for a promise.
      typeof name !== "string" || name === "then"
        ? undefined
        : (...args: unknown[]) => post({ type: "event", peer, name, args }),
  });
}

function resolveArg(arg: unknown): unknown {
  if (!isPeerRef(arg)) return arg;
  const peer = peers.get(arg.$peer);
  if (!peer) throw new Error(`unknown media peer ${arg.$peer}`);
  return peer;
}

function invoke(message: Extract<ToWorker, { type: "call" }>): unknown {
  const peer = peers.get(message.peer);
  if (!peer) throw new Error(`unknown media peer ${message.peer}`);
  const method = peer[message.method] as unknown;
  if (typeof method !== "function") throw new Error(`no media peer method ${message.method}`);
  const result = (method as (...a: unknown[]) => unknown).apply(peer, message.args.map(resolveArg));
  if (message.method === "close") peers.delete(message.peer);
  return result;
}

async function call(message: Extract<ToWorker, { type: "call" }>): Promise<void> {
  const { call: id } = message;
  try {
    const value = await invoke(message);
    if (id !== undefined) post({ type: "result", call: id, ok: true, value });
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    if (id !== undefined) post({ type: "result", call: id, ok: false, message: text });
    else post({ type: "warning", method: message.method, message: text });
  }
}

port.on("message", (message: ToWorker) => {
  switch (message.type) {
    case "create":
      peers.set(message.peer, engine.createPeer(message.label, eventsOf(message.peer)));
      return;
    case "call":
      void call(message);
      return;
    case "crash":
      setImmediate(() => {
        throw new Error("media worker crash requested by a test");
      });
  }
});
post({ type: "ready" });
