import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CLOSE } from "../../protocol/errors";
import { PROTOCOL_VERSION, type ServerMessage } from "../../protocol/messages";
import { createLogger } from "../observability/log";
import { Session, type SessionDeps, type Socket } from "./session";

/** The server's end of an in-memory connection: what the session sends, and how it closed. */
class MemorySocket implements Socket {
  readonly received: ServerMessage[] = [];
  closed: { code: number; reason: string } | undefined;
  send(text: string): void {
    this.received.push(JSON.parse(text) as ServerMessage);
  }
  close(code: number, reason: string): void {
    this.closed ??= { code, reason };
  }
  /** The next message, waited for: the session handles frames in order, asynchronously. */
  async next(): Promise<ServerMessage> {
    for (let i = 0; i < 500 && this.received.length === 0; i++)
      await new Promise((r) => setTimeout(r, 2));
    const message = this.received.shift();
    assert.ok(message, "a message from the session");
    return message;
  }
}

/** What greeting and the state table need; no room is reached in these cases. */
const DEPS = {
  log: createLogger("silent"),
  rate: { perSecond: 100, burst: 100 },
  limits: { participants: 10, lobby: 10, moderatorActionsPerMinute: 60 },
} as SessionDeps;

function session() {
  const socket = new MemorySocket();
  const s = new Session(socket, DEPS, { account: undefined, clientId: "c", address: "::1" });
  return { socket, s };
}

describe("Session states (explicit, changed only by its own verbs)", () => {
  it("SESSION-1: greets first, then is ready; a second greeting is refused", async () => {
    const { socket, s } = session();
    s.receive(JSON.stringify({ type: "hello", id: 1, protocolVersion: PROTOCOL_VERSION }));
    assert.deepEqual(await socket.next(), {
      type: "ok",
      id: 1,
      result: { protocolVersion: PROTOCOL_VERSION },
    });
    assert.equal(s.state.state, "ready");
    s.receive(JSON.stringify({ type: "hello", id: 2, protocolVersion: PROTOCOL_VERSION }));
    const again = await socket.next();
    assert.equal(again.type === "error" && again.code, "already-greeted");
  });

  it("SESSION-1: anything before the greeting closes the connection (1008)", async () => {
    const { socket, s } = session();
    s.receive(JSON.stringify({ type: "leave", id: 1 }));
    const reply = await socket.next();
    assert.equal(reply.type === "error" && reply.code, "hello-first");
    assert.equal(socket.closed?.code, CLOSE.policyViolation);
    assert.equal(s.state.state, "closed");
  });

  it("SESSION-1: refuses a move its table does not allow, and a closed session stays closed", () => {
    const { s } = session();
    assert.throws(() => s.leftRoom(), /cannot leftRoom from awaiting-hello/);
    s.greeted();
    assert.throws(() => s.leftRoom(), /cannot leftRoom from ready/, "not in a room");
    assert.throws(() => s.greeted(), /cannot greeted from ready/);
    s.close();
    assert.throws(() => s.greeted(), /cannot greeted from closed/);
    assert.equal(s.state.state, "closed");
  });
});
