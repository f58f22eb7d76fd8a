import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { ServerEvent } from "../../protocol/messages";
import { WeriftEngine } from "../media/werift/engine";
import type { EventSink } from "./participant";
import { ResumeTickets } from "./resume-ticket";
import { Room } from "./room";

/** A participant's connection as the room sees it: it records what it is sent. */
class Inbox implements EventSink {
  readonly events: ServerEvent[] = [];
  replacedCount = 0;
  send(event: ServerEvent): void {
    this.events.push(event);
  }
  detached(): void {}
  replaced(): void {
    this.replacedCount++;
  }
  types(): string[] {
    return this.events.map((e) => e.type);
  }
}

const SETTINGS = {
  lobby: false,
  chat: true,
  e2ee: false,
  postQuantum: false,
  password: false,
  multipleScreenShares: false,
};

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), what);
}

describe("a kept place (park and resume)", () => {
  const media = new WeriftEngine({ addresses: ["127.0.0.1"], portRange: undefined });
  after(() => media.close());
  const newRoom = () =>
    new Room("r".repeat(22), media, { settings: SETTINGS, audit: () => undefined }, () => {});

  it("holds MLS messages in order, drops the rest, and gives the place back for the right token only", () => {
    const room = newRoom();
    const a = new Inbox();
    const b = new Inbox();
    room.join("A", "guest", "ca", a);
    const bob = room.join("B", "guest", "cb", b);
    bob.tokenHashes = [ResumeTickets.hashToken("right")];
    room.park(bob.id, 60_000);
    assert.deepEqual(a.events.at(-1), { type: "participant-reconnecting", participantId: bob.id });
    assert.equal(room.get(bob.id)?.view().reconnecting, true, "everyone's view says so");
    room.broadcast({ type: "mls-commit", from: "x", epoch: 1, commit: "AAAA" });
    room.broadcast({ type: "hands", queue: [] });
    room.broadcast({ type: "mls-commit", from: "x", epoch: 2, commit: "BBBB" });

    const b2 = new Inbox();
    assert.equal(room.resume(bob.id, ResumeTickets.hashToken("wrong"), b2), undefined);
    const taken = room.resume(bob.id, ResumeTickets.hashToken("right"), b2);
    assert.ok(taken);
    assert.equal(taken.self.id, bob.id);
    assert.deepEqual(a.events.at(-1), { type: "participant-reconnected", participantId: bob.id });
    assert.equal(b2.events.length, 0, "nothing before the join reply");
    taken.release();
    const commits = b2.events.filter((e) => e.type === "mls-commit") as { epoch: number }[];
    assert.deepEqual(
      commits.map((c) => c.epoch),
      [1, 2],
    );
    assert.ok(!b2.types().includes("hands"), "not held: the join reply carries the hands");
    room.broadcast({ type: "hands", queue: [] });
    assert.equal(b2.types().at(-1), "hands", "attached after the release");
    assert.ok(!a.types().includes("participant-left"));
    room.close();
  });

  it("takes a place from a connection still open, which is told it was replaced", () => {
    const room = newRoom();
    const b = new Inbox();
    room.join("A", "guest", "ca", new Inbox());
    const bob = room.join("B", "guest", "cb", b);
    bob.tokenHashes = [ResumeTickets.hashToken("t")];
    const taken = room.resume(bob.id, ResumeTickets.hashToken("t"), new Inbox());
    assert.ok(taken);
    assert.equal(b.replacedCount, 1);
    room.close();
  });

  it("gives the place up when the window ends", async () => {
    const room = newRoom();
    const a = new Inbox();
    room.join("A", "guest", "ca", a);
    const bob = room.join("B", "guest", "cb", new Inbox());
    room.park(bob.id, 20);
    await until("Bob leaves", () => a.types().includes("participant-left"));
    assert.equal(room.get(bob.id), undefined);
    room.close();
  });
});
