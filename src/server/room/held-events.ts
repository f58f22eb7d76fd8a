import type { ServerEvent } from "../../protocol/messages";
import type { EventSink } from "./participant";

/** More MLS messages than a meeting makes in a 30-second gap; beyond it the place is given up. */
const MAX_HELD = 1000;

/**
 * Where a reconnecting participant's events go while their connection is gone.
 * Only MLS messages are kept: the client's encryption group must see every
 * commit in order to stay in it, while everything else (who is here, hands,
 * offers) comes afresh with the resumed join. Overflowing calls `overflow`
 * once, and the room then lets the place go.
 */
export class HeldEvents implements EventSink {
  private readonly held: ServerEvent[] = [];
  private overflowed = false;

  constructor(
    private readonly overflow: () => void,
    /** Keep every event, not only MLS ones (the moment between a resume and its reply). */
    private readonly all = false,
  ) {}

  send(event: ServerEvent): void {
    if (this.overflowed || (!this.all && !event.type.startsWith("mls-"))) return;
    if (this.held.length >= MAX_HELD) {
      this.overflowed = true;
      this.held.length = 0;
      this.overflow();
      return;
    }
    this.held.push(event);
  }

  detached(): void {}

  /** The held events, in order; the buffer is empty afterwards. */
  take(): ServerEvent[] {
    return this.held.splice(0);
  }
}
