import { type PeerConfig, RTCDtlsTransport } from "werift";
import type { MediaEngine, PeerEvents } from "../types";
import { peerConfig, type WeriftOptions } from "./config";
import { installWeriftPatches, type PatchProblem } from "./patches";
import { WeriftPeer } from "./peer";

/** The in-process werift SFU. */
export class WeriftEngine implements MediaEngine {
  private readonly config: {
    upstream: Partial<PeerConfig>;
    downstream: Partial<PeerConfig>;
    lastN: number;
  };
  private readonly peers = new Set<WeriftPeer>();
  private closed = false;
  /** Fixes whose guard failed, left out because PLENUM_FASTPATH=0 (throws otherwise). */
  readonly patchesLeftOut: PatchProblem[];

  constructor(options: WeriftOptions) {
    // Process-wide and permanent: werift's prototypes are patched (patches/manifest.ts).
    this.patchesLeftOut = installWeriftPatches({
      fastPath: options.fastPath !== false,
      native: options.fastPath !== false && options.nativeMedia !== false,
    }).skipped;
    this.config = {
      upstream: peerConfig(options, "upstream"),
      downstream: peerConfig(options, "downstream"),
      lastN: options.lastN ?? 0,
    };
    // werift makes one DTLS certificate per thread, when the first connection needs it: made
    // now, the first meeting (everyone at once after a restart) does not wait for it.
    RTCDtlsTransport.SetupCertificate().catch(() => undefined);
  }

  /** One process, one group: `group` does not matter here. */
  createPeer(label: string, events: PeerEvents, _group?: string): WeriftPeer {
    if (this.closed) throw new Error("media engine is closed");
    const peer = new WeriftPeer(label, this.config, events, (p) => this.peers.delete(p));
    this.peers.add(peer);
    return peer;
  }

  /** How many peers are open; for metrics and leak checks in tests. */
  get peerCount(): number {
    return this.peers.size;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const peer of [...this.peers]) peer.close();
  }
}
