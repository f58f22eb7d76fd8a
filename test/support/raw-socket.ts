import WebSocket from "ws";
import { ERRORS } from "../../src/protocol/errors";

/**
 * A lean signalling connection for floods and fuzzing: it keeps no inbox (a
 * million replies would distort the memory figures), only counts replies,
 * checks that every error carries a documented code, and collects the
 * participant and waiter ids that events reveal.
 */
export class RawSocket {
  replies = 0;
  readonly codes = new Map<string, number>();
  /** Replies that are neither `ok` nor an `error` with a catalogued code. */
  readonly undocumented: string[] = [];
  readonly seenIds = new Set<string>();
  private wake: (() => void) | undefined;
  readonly closed: Promise<number>;

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => ws.on("close", (code) => resolve(code)));
    ws.on("error", () => undefined);
    ws.on("message", (data) => this.receive(data.toString()));
  }

  static open(baseUrl: string, localAddress?: string): Promise<RawSocket> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}/ws`, {
      ...(localAddress ? { localAddress } : {}),
    });
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(new RawSocket(ws)));
      ws.once("error", reject);
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(text: string): void {
    this.ws.send(text);
  }

  /** Resolves once `count` replies have arrived in all; rejects after `timeoutMs` or on close. */
  async repliesReach(count: number, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.replies < count) {
      if (!this.isOpen) throw new Error(`socket closed with ${this.replies}/${count} replies`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`only ${this.replies}/${count} replies in ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1000));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  close(): Promise<number> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.terminate();
    }
    return this.closed;
  }

  private receive(text: string): void {
    const message = JSON.parse(text) as Record<string, unknown>;
    if (message.type === "ok" || message.type === "error") {
      this.replies++;
      if (message.type === "error") {
        const code = String(message.code);
        this.codes.set(code, (this.codes.get(code) ?? 0) + 1);
        if (!(code in ERRORS) || typeof message.message !== "string") {
          this.undocumented.push(text.slice(0, 200));
        }
      }
      this.collectIds(message.result);
      const wake = this.wake;
      this.wake = undefined;
      wake?.();
      return;
    }
    this.collectIds(message);
  }

  /** Ids of people and waiters, wherever a message mentions them. */
  private collectIds(value: unknown): void {
    if (typeof value !== "object" || value === null) return;
    for (const [key, v] of Object.entries(value)) {
      if (typeof v === "string" && (key === "id" || key === "participantId" || key === "from")) {
        this.seenIds.add(v);
      } else if (typeof v === "object") this.collectIds(v);
    }
  }
}
