import type { ServerEvent } from "../../../protocol/messages";
import type { Signalling } from "../signalling";
import { RequestError } from "../signalling";
import { E2eeGroup, type EpochInfo } from "./group";
import { safetyNumber } from "./safety";
import { DEFAULT_SUITE, POST_QUANTUM_SUITE } from "./suite";
import { MediaEncryption } from "./transforms";
import { sendCommit } from "./upload";
import type { Counters, Kind } from "./worker-protocol";

/** Where end-to-end encryption stands, as the UI shows it. */
export type E2eeStatus =
  | { state: "off" }
  /** Waiting for the Welcome into the group: media stays dark until then. */
  | { state: "joining" }
  | { state: "on"; safetyNumber: string; epoch: number; since: number; postQuantum: boolean }
  /** A handshake message did not verify: this client is out of the group (fail closed). */
  | { state: "failed"; reason: string };

/** Post-compromise security: every member renews its own keys at least this often. */
const SELF_UPDATE_MS = 15 * 60_000;
/** Failed frames on one tile within a counter interval that make it show a warning. */
const WARN_AFTER_FAILURES = 5;

export type MlsEvent = Extract<ServerEvent, { type: `mls-${string}` }>;

/**
 * End-to-end encryption of one person's meeting: the MLS group (via the
 * server as delivery service), the media transforms and the encrypted chat.
 */
export class E2ee {
  readonly media: MediaEncryption;
  private readonly group: E2eeGroup;
  private current: E2eeStatus = { state: "joining" };
  private readonly ownChat: string[] = [];
  private readonly failing = new Set<string>();
  private lastFailed: Record<string, number> = {};
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    /** The current connection: it changes when the client reconnects and keeps its place. */
    private readonly signalling: () => Signalling,
    selfId: string,
    private readonly postQuantum: boolean,
    private readonly changed: () => void,
    private readonly chat: (message: { from: string; text: string; at: number }) => void,
  ) {
    this.media = new MediaEncryption((counters) => this.counted(counters));
    this.group = new E2eeGroup(
      selfId,
      {
        offerKeyPackage: (keyPackage) => signalling().request("mls-key-package", { keyPackage }),
        commit: async (submission) => {
          try {
            await sendCommit(
              {
                upload: (field, data) => signalling().request("mls-upload", { field, data }),
                commit: (request) => signalling().request("mls-commit", request),
              },
              submission,
            );
            return "ok";
          } catch (error) {
            if (error instanceof RequestError && error.code === "mls-stale") return "stale";
            throw error;
          }
        },
      },
      postQuantum ? POST_QUANTUM_SUITE : DEFAULT_SUITE,
    );
    this.group.events.on("epoch", (info) => this.epoch(info));
    this.group.events.on("failed", (error) => {
      this.current = { state: "failed", reason: error.message };
      this.changed();
    });
    // Jitter keeps members from all renewing in the same second.
    this.timer = setInterval(
      () => void this.group.selfUpdate().catch(() => undefined),
      SELF_UPDATE_MS - Math.random() * 60_000,
    );
  }

  get status(): E2eeStatus {
    return this.current;
  }

  /** Transform ids whose frames keep failing to authenticate. */
  get failingTransforms(): ReadonlySet<string> {
    return this.failing;
  }

  get counters(): Counters | undefined {
    return this.media.counters;
  }

  start(): Promise<void> {
    return this.group.start();
  }

  encryptSender(sender: RTCRtpSender, kind: Kind): void {
    this.media.attachSender(sender, kind);
  }

  decryptReceiver(receiver: RTCRtpReceiver, kind: Kind): string {
    return this.media.attachReceiver(receiver, kind);
  }

  /** The receive transform `id` carries `participantId`'s media (and nobody else's). */
  ownedBy(id: string, participantId: string): void {
    this.media.setOwner(id, participantId);
  }

  handle(event: MlsEvent): void {
    if (event.type === "mls-chat") {
      void this.receiveChat(event);
      return;
    }
    this.group.handle(event).catch(() => undefined);
  }

  /** Encrypts and sends a chat message; the server relays ciphertext only. */
  async sendChat(text: string): Promise<void> {
    const message = await this.group.encryptChat(text);
    this.ownChat.push(text);
    try {
      await this.signalling().request("mls-chat", { message });
    } catch (error) {
      this.ownChat.pop();
      throw error;
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.media.close();
  }

  private async receiveChat(event: Extract<MlsEvent, { type: "mls-chat" }>): Promise<void> {
    // MLS senders cannot decrypt their own messages: the echo confirms ours, in order.
    if (event.from === this.group.selfId) {
      const text = this.ownChat.shift();
      if (text !== undefined) this.chat({ from: event.from, text, at: event.at });
      return;
    }
    const text = await this.group.decryptChat(event.message).catch(() => undefined);
    if (text !== undefined) this.chat({ from: event.from, text, at: event.at });
  }

  private epoch(info: EpochInfo): void {
    this.media.setEpoch(info.epoch, info.sframeSecret, info.selfIndex, info.members);
    const code = safetyNumber(info.authenticator);
    const since =
      this.current.state === "on" && this.current.safetyNumber === code
        ? this.current.since
        : Date.now();
    this.current = {
      state: "on",
      safetyNumber: code,
      epoch: info.epoch,
      since,
      postQuantum: this.postQuantum,
    };
    this.changed();
  }

  private counted(counters: Counters): void {
    const before = this.failing.size;
    const now = new Set<string>();
    for (const [id, failed] of Object.entries(counters.failedById)) {
      if (failed - (this.lastFailed[id] ?? 0) >= WARN_AFTER_FAILURES) now.add(id);
      else if (this.failing.has(id) && failed > (this.lastFailed[id] ?? 0)) now.add(id);
    }
    this.lastFailed = { ...counters.failedById };
    const same = now.size === before && [...now].every((id) => this.failing.has(id));
    this.failing.clear();
    for (const id of now) this.failing.add(id);
    if (!same) this.changed();
  }
}
