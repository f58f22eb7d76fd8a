import { MAX_CHAT_LENGTH, type Reaction } from "../../protocol/messages";
import type { E2ee } from "./e2ee/controller";
import type { LocalMedia } from "./local-media";
import type { MediaConnections } from "./media-connections";
import type { ActionResult } from "./meeting-types";
import { type Body, RequestError, type Signalling } from "./signalling";

/** What the actions need of the meeting, read at the moment of each action. */
export interface ActionContext {
  signalling(): Signalling | undefined;
  localMedia: LocalMedia;
  media: MediaConnections;
  /** The room encrypts end to end: chat goes through the encryption group. */
  encrypted(): boolean;
  e2ee(): E2ee | undefined;
}

/**
 * What a participant does that the others see: chat, a raised hand, a
 * reaction, a shared screen. Every refusal (a room setting, a moderator's
 * lock, no connection) comes back as a result for the UI to show, never as
 * a throw.
 */
export class Actions {
  constructor(private readonly meeting: ActionContext) {}

  /** Sends a chat message to everyone; it is relayed and never stored. */
  async sendChat(text: string): Promise<ActionResult> {
    const trimmed = text.trim();
    if (!trimmed) return { ok: false, code: "chat-empty" };
    if ([...trimmed].length > MAX_CHAT_LENGTH) return { ok: false, code: "chat-too-long" };
    if (!this.meeting.encrypted()) return this.act("chat", { text: trimmed });
    const e2ee = this.meeting.e2ee();
    if (e2ee?.status.state !== "on") return { ok: false, code: "e2ee-not-ready" };
    return resultOf(e2ee.sendChat(trimmed));
  }

  setHand(raised: boolean): Promise<ActionResult> {
    return this.act("hand", { raised });
  }

  react(emoji: Reaction): Promise<ActionResult> {
    return this.act("reaction", { emoji });
  }

  /** Asks for a screen and shares it; refused while someone else shares (room setting). */
  async startScreenShare(): Promise<ActionResult> {
    const { localMedia, media } = this.meeting;
    if (!this.meeting.signalling() || localMedia.tracks.screen) return { ok: true };
    const track = await localMedia.openScreen();
    if (!track) return { ok: true };
    // The browser's own "stop sharing" bar ends the track.
    track.addEventListener("ended", () => void this.stopScreenShare());
    localMedia.setScreen(track);
    await media.send("screen", track);
    const result = await this.act("screen-share", { on: true });
    if (!result.ok) {
      localMedia.setScreen(undefined);
      await media.send("screen", null);
    }
    return result;
  }

  async stopScreenShare(): Promise<void> {
    const { localMedia, media } = this.meeting;
    if (!localMedia.tracks.screen) return;
    localMedia.setScreen(undefined);
    await media.send("screen", null);
    await this.act("screen-share", { on: false });
  }

  /** Sends a request whose refusal the person should see, as a result instead of a throw. */
  private async act<T extends "chat" | "hand" | "reaction" | "screen-share">(
    type: T,
    body: Body<T>,
  ): Promise<ActionResult> {
    const signalling = this.meeting.signalling();
    if (!signalling) return { ok: false, code: "disconnected" };
    return resultOf(signalling.request(type, body));
  }
}

/** Done, or the refusal's code. */
async function resultOf(work: Promise<unknown>): Promise<ActionResult> {
  try {
    await work;
    return { ok: true };
  } catch (error) {
    return { ok: false, code: error instanceof RequestError ? error.code : "internal" };
  }
}
