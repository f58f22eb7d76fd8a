/**
 * Spreads video packets out in time so that a key frame (tens of packets
 * at once) does not overflow a small router buffer on a slow downlink; audio
 * is never held back but uses up the allowance too. The rate follows the
 * downlink estimate, never falls below a quarter more than what arrives
 * to be sent, and rises so that nothing waits more than half a second.
 */
export class Pacer {
  private readonly queue: {
    bits: number;
    at: number;
    send: (item: never) => void;
    item: unknown;
  }[] = [];
  private queuedBits = 0;
  /** Allowance in bits; may go below zero after audio. */
  private tokens = 0;
  private rate = 1_000_000;
  private lastRefill: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  /** Bits handed to the pacer in the current measuring window, for the floor. */
  private windowBits = 0;
  private windowStart: number;
  private inputRate = 0;

  constructor(private readonly now: () => number = Date.now) {
    this.lastRefill = now();
    this.windowStart = this.lastRefill;
  }

  /** Sets the downlink estimate (bits per second). */
  setEstimate(bitsPerSecond: number): void {
    this.rate = Math.max(bitsPerSecond, this.inputRate * FLOOR_OVER_INPUT, MIN_RATE);
  }

  /**
   * Calls `send(item)` now (audio always) or when the allowance permits.
   * The item travels apart from the function so that a forwarder can pass
   * one function for all its packets: no closure per packet.
   */
  send<T>(bytes: number, audio: boolean, send: (item: T) => void, item?: T): void {
    if (this.closed) return;
    const bits = bytes * 8;
    this.measure(bits);
    this.refill();
    if (audio || (this.queue.length === 0 && this.tokens >= 0)) {
      this.tokens -= bits;
      send(item as T);
      return;
    }
    this.queue.push({ bits, at: this.now(), send: send as (item: never) => void, item });
    this.queuedBits += bits;
    this.schedule();
  }

  /** Bits waiting to be sent. */
  get backlog(): number {
    return this.queuedBits;
  }

  private measure(bits: number): void {
    const t = this.now();
    this.windowBits += bits;
    if (t - this.windowStart >= 500) {
      this.inputRate = (this.windowBits * 1000) / (t - this.windowStart);
      this.windowBits = 0;
      this.windowStart = t;
      this.rate = Math.max(this.rate, this.inputRate * FLOOR_OVER_INPUT);
    }
  }

  /**
   * The rate now: never so slow that what waits would wait longer than
   * MAX_DELAY_SECONDS. The pacer smooths; it never drops a packet (a key
   * frame dropped here could not be resent, and the next one would be
   * dropped alike). Sending less is the layer choice's job.
   */
  private currentRate(): number {
    const oldest = this.queue[0];
    if (!oldest) return this.rate;
    const left = Math.max(MIN_LEFT_SECONDS, MAX_DELAY_SECONDS - (this.now() - oldest.at) / 1000);
    return Math.max(this.rate, this.queuedBits / left);
  }

  private refill(): void {
    const t = this.now();
    const rate = this.currentRate();
    const burst = Math.max(rate * BURST_SECONDS, MIN_BURST_BITS);
    this.tokens = Math.min(burst, this.tokens + ((t - this.lastRefill) * rate) / 1000);
    this.lastRefill = t;
  }

  private drain(): void {
    this.timer = undefined;
    this.refill();
    while (this.queue.length > 0 && this.tokens >= 0) {
      const next = this.queue.shift();
      if (!next) break;
      this.queuedBits -= next.bits;
      this.tokens -= next.bits;
      next.send(next.item as never);
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== undefined || this.queue.length === 0 || this.closed) return;
    const wait = Math.max(1, Math.ceil((-this.tokens * 1000) / this.currentRate()));
    this.timer = setTimeout(() => this.drain(), wait);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.queue.length = 0;
    this.queuedBits = 0;
  }
}

/** Never pace slower than this much over what arrives, or the queue would only grow. */
const FLOOR_OVER_INPUT = 1.25;
const MIN_RATE = 100_000;
/** Packets may leave back to back up to this much of a second's allowance. */
const BURST_SECONDS = 0.02;
const MIN_BURST_BITS = 2 * 1200 * 8;
/** The longest a packet waits here. */
const MAX_DELAY_SECONDS = 0.5;
/** Past its deadline, the backlog goes out within this. */
const MIN_LEFT_SECONDS = 0.02;
