/**
 * The SFU alone in its own process, so that its CPU time can be read from
 * /proc without the load generator's. Driven by the harness over the IPC
 * channel of `fork()`: one publisher peer, subscriber peers on demand.
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import type { MediaPeer } from "../../src/server/media/types";
import { WeriftEngine } from "../../src/server/media/werift/engine";
import type { ToServer } from "./messages";

const send = (m: unknown) => process.send?.(m);
// PLENUM_FASTPATH as for the server: 0 = plain werift, js = no native helpers, 1 = all.
const fastPath = process.env.PLENUM_FASTPATH !== "0";
const nativeMedia = process.env.PLENUM_FASTPATH !== "js";
const engine = new WeriftEngine({
  addresses: ["127.0.0.1"],
  portRange: undefined,
  fastPath,
  nativeMedia,
});
const peers = new Map<string, MediaPeer>();
let publisher: MediaPeer | undefined;
/** Samples the measurement window only (not start-up), on the harness's request. */
let profiler: Session | undefined;

function peer(label: string): MediaPeer {
  let p = peers.get(label);
  if (!p) {
    p = engine.createPeer(
      label,
      {
        offer: (sdp) => send({ type: "offer", label, sdp }),
        failed: (reason) => send({ type: "failed", label, reason }),
        lost: (reason) => send({ type: "failed", label, reason }),
      },
      "bench",
    );
    peers.set(label, p);
  }
  return p;
}

process.on("message", (m: ToServer) => {
  void (async () => {
    switch (m.type) {
      case "publish": {
        publisher = peer(m.label);
        const sdp = await publisher.publish(m.sdp);
        send({ type: "answer", label: m.label, sdp });
        return;
      }
      case "subscribe":
        if (!publisher) throw new Error("no publisher yet");
        peer(m.label).subscribe(publisher);
        return;
      case "answer":
        await peer(m.label).acceptAnswer(m.sdp);
        return;
      case "profile-start":
        profiler = new Session();
        profiler.connect();
        await profiler.post("Profiler.enable");
        await profiler.post("Profiler.setSamplingInterval", { interval: 1000 });
        await profiler.post("Profiler.start");
        return;
      case "profile-stop": {
        if (!profiler) return;
        const { profile } = await profiler.post("Profiler.stop");
        writeFileSync(m.file, JSON.stringify(profile));
        profiler.disconnect();
        send({ type: "profiled" });
        return;
      }
      case "close":
        engine.close();
        process.exit(0);
    }
  })().catch((error: Error) => send({ type: "failed", label: "server", reason: error.message }));
});
send({ type: "ready", fastPath });
