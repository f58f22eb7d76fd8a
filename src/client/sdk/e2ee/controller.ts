import type { ServerEvent } from "../../../protocol/messages";
import type { Signalling } from "../signalling";
import { RequestError } from "../signalling";
import { E2eeGroup, type EpochInfo } from "./group";
import type { Admitted, Refusal } from "./membership";
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
  | {
      state: "on";
      safetyNumber: string;
      epoch: number;
      since: number;
      postQuantum: boolean;
      /** The group's members by leaf, as the MLS tree says (not the server). */
      members: GroupMember[];
      /** The person marked this safety number as compared aloud. */
      compared: boolean;
    }
  /** A handshake message did not verify: this client is out of the group (fail closed). */
  | { state: "failed"; reason: string };

/** One leaf of the encryption group. */
export interface GroupMember {
  leaf: number;
  /** The credential's identity: the participant id the leaf belongs to. */
  participantId: string;
  /** A short hash of the leaf's signature key, to compare per member. */
  fingerprint: string;
}

/**
 * Something an active server tried that this client refused, shown as a
 * warning until the meeting ends (newest last, a few kept).
 */
export type E2eeAlert =
  | Refusal
  /** The server tried to switch the meeting's encryption off (or on) after the join. */
  | { what: "downgrade" }
  /** A chat message whose MLS sender is not who the server said; dropped. */
  | { what: "chat-sender"; claimed: string; sender: string }
  /** A plaintext chat message in an encrypted meeting; dropped. */
  | { what: "plain-chat" };

/** The encryption group gained or lost a member. */
export interface MembershipChange {
  kind: "added" | "removed";
  participantId: string;
}

/** The hooks the meeting gives its encryption. */
export interface E2eeHooks {
  changed(): void;
  /** An authenticated chat message; `from` is the MLS sender's participant id. */
  chat(message: { from: string; text: string; at: number }): void;
  membership(change: MembershipChange): void;
}

/** Post-compromise security: every member renews its own keys at least this often. */
const SELF_UPDATE_MS = 15 * 60_000;
/** Failed frames on one tile within WARN_WINDOW counter reports that make it show a warning. */
const WARN_AFTER_FAILURES = 5;
/**
 * Counter reports (one every 250 ms) over which failures are counted: a second, so that a
 * sender of few frames (or a page slowed down) is flagged as surely as a fast one.
 */
const WARN_WINDOW = 4;
/** Warnings kept for the UI. */
const MAX_ALERTS = 5;

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
  /** The last WARN_WINDOW reports of failed frames per transform, oldest first. */
  private failedHistory: Record<string, number>[] = [];
  private readonly timer: ReturnType<typeof setInterval>;
  private alertList: E2eeAlert[] = [];
  /** The safety number the person marked as compared aloud. */
  private comparedNumber: string | undefined;

  constructor(
    /** The current connection: it changes when the client reconnects and keeps its place. */
    private readonly signalling: () => Signalling,
    selfId: string,
    private readonly postQuantum: boolean,
    /** Who this client sees in the meeting: nobody else may join the group. */
    admitted: Admitted,
    private readonly hooks: E2eeHooks,
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
      admitted,
      postQuantum ? POST_QUANTUM_SUITE : DEFAULT_SUITE,
    );
    this.group.events.on("epoch", (info) => this.epoch(info));
    this.group.events.on("refused", (refusal) => this.warn(refusal));
    this.group.events.on("failed", (error) => {
      this.current = { state: "failed", reason: error.message };
      this.hooks.changed();
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

  /** What the server tried and this client refused, newest last. */
  get alerts(): readonly E2eeAlert[] {
    return this.alertList;
  }

  /** Shows a refused attempt to the person. */
  warn(alert: E2eeAlert): void {
    this.alertList = [...this.alertList.slice(1 - MAX_ALERTS), alert];
    this.hooks.changed();
  }

  /** The person compared the current safety number aloud; it stays marked until it changes. */
  markCompared(): void {
    if (this.current.state !== "on") return;
    this.comparedNumber = this.current.safetyNumber;
    this.current = { ...this.current, compared: true };
    this.hooks.changed();
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
      if (text !== undefined) this.hooks.chat({ from: event.from, text, at: event.at });
      return;
    }
    const plain = await this.group.decryptChat(event.message).catch(() => undefined);
    if (plain === undefined) return;
    // The sender shown is the MLS leaf that signed the message; the server's claim must agree.
    if (plain.sender !== event.from) {
      this.warn({ what: "chat-sender", claimed: event.from, sender: plain.sender });
      return;
    }
    this.hooks.chat({ from: plain.sender, text: plain.text, at: event.at });
  }

  private epoch(info: EpochInfo): void {
    this.media.setEpoch(info.epoch, info.sframeSecret, info.selfIndex, info.members);
    const code = safetyNumber(info.authenticator);
    const before = this.current.state === "on" ? this.current : undefined;
    const since = before?.safetyNumber === code ? before.since : Date.now();
    const members = [...info.members].map(([leaf, participantId]) => ({
      leaf,
      participantId,
      fingerprint: info.fingerprints.get(leaf) ?? "",
    }));
    this.current = {
      state: "on",
      safetyNumber: code,
      epoch: info.epoch,
      since,
      postQuantum: this.postQuantum,
      members,
      compared: this.comparedNumber === code,
    };
    // The first epoch is the group as found; after that every change is announced.
    if (before) this.announceChanges(before.members, members);
    this.hooks.changed();
  }

  private announceChanges(before: GroupMember[], after: GroupMember[]): void {
    const was = new Set(before.map((m) => m.participantId));
    const now = new Set(after.map((m) => m.participantId));
    for (const id of now)
      if (!was.has(id)) this.hooks.membership({ kind: "added", participantId: id });
    for (const id of was)
      if (!now.has(id)) this.hooks.membership({ kind: "removed", participantId: id });
  }

  private counted(counters: Counters): void {
    const before = this.failing.size;
    const oldest = this.failedHistory[0] ?? {};
    const last = this.failedHistory.at(-1) ?? {};
    const now = new Set<string>();
    for (const [id, failed] of Object.entries(counters.failedById)) {
      if (failed - (oldest[id] ?? 0) >= WARN_AFTER_FAILURES) now.add(id);
      else if (this.failing.has(id) && failed > (last[id] ?? 0)) now.add(id);
    }
    this.failedHistory = [...this.failedHistory.slice(1 - WARN_WINDOW), { ...counters.failedById }];
    const same = now.size === before && [...now].every((id) => this.failing.has(id));
    this.failing.clear();
    for (const id of now) this.failing.add(id);
    if (!same) this.hooks.changed();
  }
}
