import { isNewer } from "./rewriter";

/**
 * Packets of a layer being switched to that arrive before the first packet
 * of its key frame. On a path that reorders (jitter), most of a key frame's
 * packets can overtake its first one; a forwarder that ignored them would
 * send the key frame with holes the subscriber can never have repaired (we
 * never sent those packets, so its NACKs find nothing to resend).
 */
export class EarlyPackets<T> {
  private items: { seq: number; item: T }[] = [];

  /** @param max how many of the latest packets are kept. */
  constructor(private readonly max = 128) {}

  add(seq: number, item: T): void {
    this.items.push({ seq, item });
    if (this.items.length > this.max) this.items.shift();
  }

  /** The kept packets that come after `first` (16-bit serial order), in arrival order; empties the buffer. */
  takeAfter(first: number): T[] {
    const after = this.items.filter((i) => isNewer(i.seq, first)).map((i) => i.item);
    this.items = [];
    return after;
  }

  clear(): void {
    this.items = [];
  }
}

/**
 * Sequence numbers from a switch on: a packet of the new input stream that
 * comes from before the switch point (late, reordered) belongs to frames the
 * subscriber never gets, and mapped with the new offset it would reuse an
 * output number already sent for the old stream. Once the stream is well
 * past the switch point the check ends, so the wrap of sequence numbers
 * cannot make new packets look old.
 */
export class SwitchPoint {
  private first: number | undefined;

  set(first: number): void {
    this.first = first;
  }

  /** Whether `seq` comes from before the switch point. */
  before(seq: number): boolean {
    if (this.first === undefined) return false;
    if (isNewer(this.first, seq)) return true;
    if (((seq - this.first) & 0xffff) > 1000) this.first = undefined;
    return false;
  }
}
