import { type PeerConfig, RTCDtlsTransport } from "werift";
import type { MediaEngine, PeerEvents } from "../types";
import { peerConfig, type WeriftOptions } from "./config";
import { installFastPath } from "./fast/install";
import { installIceRestart } from "./ice-restart";
import { WeriftPeer } from "./peer";
import { installSdpInterop } from "./sdp-interop";

/** The in-process werift SFU. */
export class WeriftEngine implements MediaEngine {
  private readonly config: {
    upstream: Partial<PeerConfig>;
    downstream: Partial<PeerConfig>;
    lastN: number;
  };
  private readonly peers = new Set<WeriftPeer>();
  private closed = false;

  constructor(options: WeriftOptions) {
    // Process-wide and permanent: werift's prototypes are patched (fast/install.ts).
    if (options.fastPath !== false) installFastPath({ native: options.nativeMedia !== false });
    // Also process-wide: without it an ICE restart leaves the connection without media.
    installIceRestart();
    // Also process-wide: without it Firefox neither connects nor publishes its camera.
    installSdpInterop();
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
