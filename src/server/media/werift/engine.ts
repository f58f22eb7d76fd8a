import type { PeerConfig } from "werift";
import type { MediaEngine, MediaPeer, PeerEvents } from "../types";
import { peerConfig, type WeriftOptions } from "./config";
import { installFastPath } from "./fast/install";
import { WeriftPeer } from "./peer";

/** The in-process werift SFU. */
export class WeriftEngine implements MediaEngine {
  private readonly config: Partial<PeerConfig>;
  private readonly peers = new Set<WeriftPeer>();
  private closed = false;

  constructor(options: WeriftOptions) {
    // Process-wide and permanent: werift's prototypes are patched (fast/install.ts).
    if (options.fastPath !== false) installFastPath();
    this.config = peerConfig(options);
  }

  createPeer(label: string, events: PeerEvents): MediaPeer {
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
