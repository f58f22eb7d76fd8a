import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ResumeTickets } from "./resume-ticket";

const CLAIMS = { roomId: "r".repeat(22), participantId: "p-1", role: "guest" as const, token: "t" };

describe("resume tickets", () => {
  it("vouch for the place to the same browser, until they expire", () => {
    let now = 1_000_000;
    const tickets = new ResumeTickets(Buffer.alloc(32, 7), 60_000, () => now);
    const ticket = tickets.issue(CLAIMS, "client-a");
    assert.deepEqual(tickets.verify(ticket, "client-a"), {
      ...CLAIMS,
      boot: tickets.boot,
      expires: 1_060_000,
    });
    assert.equal(tickets.verify(ticket, "client-b"), undefined, "another browser");
    now += 60_001;
    assert.equal(tickets.verify(ticket, "client-a"), undefined, "expired");
  });

  it("refuse anything altered or signed with another key", () => {
    const tickets = new ResumeTickets(Buffer.alloc(32, 7), 60_000);
    const ticket = tickets.issue(CLAIMS, "c");
    const [payload, mac] = ticket.split(".") as [string, string];
    const body = JSON.parse(Buffer.from(payload, "base64url").toString());
    const promoted = Buffer.from(JSON.stringify({ ...body, role: "moderator" })).toString(
      "base64url",
    );
    for (const bad of [`${promoted}.${mac}`, `${payload}.${mac.slice(1)}`, payload, "", "a.b.c"])
      assert.equal(tickets.verify(bad, "c"), undefined, bad);
    const other = new ResumeTickets(Buffer.alloc(32, 8), 60_000);
    assert.equal(other.verify(ticket, "c"), undefined);
  });

  it("keep their key in the data folder, readable by the owner only, across restarts", async () => {
    const dir = await mkdtemp(join(tmpdir(), "plenum-key-"));
    try {
      const first = ResumeTickets.fromDataDir(dir, 60_000);
      const ticket = first.issue(CLAIMS, "c");
      assert.equal((await stat(join(dir, "resume.key"))).mode & 0o777, 0o600);
      const key = await readFile(join(dir, "resume.key"), "utf8");
      const second = ResumeTickets.fromDataDir(dir, 60_000);
      assert.equal(await readFile(join(dir, "resume.key"), "utf8"), key, "the same key");
      assert.notEqual(second.boot, first.boot, "a new process");
      assert.equal(second.verify(ticket, "c")?.boot, first.boot);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
