/**
 * A minimal client of Janus's HTTP transport (REST plus long polling): one
 * session, plugin handles, requests matched to their events by transaction.
 */
export interface JanusMessage {
  janus: string;
  transaction?: string;
  sender?: number;
  session_id?: number;
  data?: { id: number };
  plugindata?: { plugin: string; data: Record<string, unknown> & { error?: string } };
  jsep?: { type: "offer" | "answer"; sdp: string };
  candidate?: { candidate?: string; sdpMid?: string; sdpMLineIndex?: number; completed?: boolean };
  error?: { code: number; reason: string };
}

const DEADLINE_MS = 30_000;
let transactions = 0;

export class JanusSession {
  private readonly waiters = new Map<string, (m: JanusMessage) => void>();
  private readonly handlers = new Map<number, (m: JanusMessage) => void>();
  private polling = true;

  private constructor(
    private readonly baseUrl: string,
    readonly id: number,
  ) {
    void this.poll();
  }

  static async create(baseUrl: string): Promise<JanusSession> {
    const reply = await post(`${baseUrl}/janus`, { janus: "create", transaction: next() });
    if (reply.janus !== "success" || !reply.data)
      throw new Error(`Janus create: ${describe(reply)}`);
    return new JanusSession(baseUrl, reply.data.id);
  }

  /** Attaches the VideoRoom plugin; `onEvent` sees the handle's events that answer no request. */
  async attach(onEvent: (m: JanusMessage) => void = () => undefined): Promise<number> {
    const reply = await this.send({ janus: "attach", plugin: "janus.plugin.videoroom" });
    if (!reply.data) throw new Error(`Janus attach: ${describe(reply)}`);
    this.handlers.set(reply.data.id, onEvent);
    return reply.data.id;
  }

  /** A plugin request; resolves with its result (synchronous or the event that answers it). */
  async message(
    handle: number,
    body: Record<string, unknown>,
    jsep?: { type: string; sdp: string },
  ): Promise<JanusMessage> {
    const reply = await this.send({ janus: "message", handle_id: handle, body, jsep });
    const error = reply.plugindata?.data.error;
    if (error) throw new Error(`Janus ${String(body.request)}: ${error}`);
    return reply;
  }

  async trickleCompleted(handle: number): Promise<void> {
    // Janus acknowledges a trickle and says no more.
    await this.send({ janus: "trickle", handle_id: handle, candidate: { completed: true } }, true);
  }

  /** Sends a request and waits for its final answer (skipping the "ack" of asynchronous ones). */
  private async send(request: Record<string, unknown>, ackIsFinal = false): Promise<JanusMessage> {
    const transaction = next();
    const answered = new Promise<JanusMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(transaction);
        reject(new Error(`Janus ${String(request.janus)}: no answer within ${DEADLINE_MS} ms`));
      }, DEADLINE_MS);
      this.waiters.set(transaction, (m) => {
        clearTimeout(timer);
        this.waiters.delete(transaction);
        resolve(m);
      });
    });
    const reply = await post(`${this.baseUrl}/janus/${this.id}`, { ...request, transaction });
    if (reply.janus === "error") {
      this.waiters.get(transaction)?.(reply);
      throw new Error(`Janus ${String(request.janus)}: ${describe(reply)}`);
    }
    if (reply.janus !== "ack" || ackIsFinal) this.waiters.get(transaction)?.(reply);
    return answered;
  }

  private async poll(): Promise<void> {
    while (this.polling) {
      let events: JanusMessage[];
      try {
        const response = await fetch(`${this.baseUrl}/janus/${this.id}?maxev=20`);
        const body = (await response.json()) as JanusMessage | JanusMessage[];
        events = Array.isArray(body) ? body : [body];
      } catch {
        if (!this.polling) return;
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      for (const event of events) this.dispatch(event);
    }
  }

  private dispatch(event: JanusMessage): void {
    if (event.janus === "keepalive") return;
    const waiter = event.transaction ? this.waiters.get(event.transaction) : undefined;
    if (waiter && event.janus !== "ack") {
      waiter(event);
      return;
    }
    if (event.sender !== undefined) this.handlers.get(event.sender)?.(event);
  }

  async destroy(): Promise<void> {
    this.polling = false;
    try {
      await post(`${this.baseUrl}/janus/${this.id}`, { janus: "destroy", transaction: next() });
    } catch {
      // Janus is gone already.
    }
  }
}

function next(): string {
  return `t${process.pid}-${transactions++}`;
}

function describe(m: JanusMessage): string {
  return m.error ? `${m.error.code} ${m.error.reason}` : JSON.stringify(m).slice(0, 300);
}

async function post(url: string, body: unknown): Promise<JanusMessage> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return (await response.json()) as JanusMessage;
}
