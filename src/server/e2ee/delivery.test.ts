import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { E2eeGroup, type EpochInfo } from "../../client/sdk/e2ee/group";
import { safetyNumber } from "../../client/sdk/e2ee/safety";
import { DEFAULT_SUITE } from "../../client/sdk/e2ee/suite";
import type { ServerEvent } from "../../protocol/messages";
import { type Deliver, DeliveryService } from "./delivery";
import { checkKeyPackage, checkWelcome, MlsRefusal, parseCommit } from "./mls-parse";
import { MAX_UPLOAD_CHARS, Uploads } from "./uploads";

/** A member as the client SDK runs it, talking to the real delivery service in memory. */
interface Member {
  id: string;
  group: E2eeGroup;
  last?: EpochInfo;
}

/** A meeting of simulated members around one delivery service; `tamper` is the man in the middle. */
function meeting(options: { timeoutMs?: number; tamper?: Deliver; silent?: Set<string> } = {}) {
  const members = new Map<string, Member>();
  const deliver: Deliver = (id, event) => {
    if (options.silent?.has(id)) return;
    const member = members.get(id);
    if (member && event.type.startsWith("mls-"))
      void member.group
        .handle(event as Extract<ServerEvent, { type: `mls-${string}` }>)
        .catch(() => undefined);
  };
  const ds = new DeliveryService((id, event) => (options.tamper ?? deliver)(id, event), {
    suite: DEFAULT_SUITE,
    inMeeting: (id) => members.has(id),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  const join = async (id: string): Promise<Member> => {
    const group = new E2eeGroup(
      id,
      {
        offerKeyPackage: async (keyPackage) => ds.offerKeyPackage(id, keyPackage),
        commit: async (submission) => {
          return ds.commit(id, submission) === "stale" ? "stale" : "ok";
        },
      },
      (other) => members.has(other),
    );
    const member: Member = { id, group };
    group.events.on("epoch", (info) => {
      member.last = info;
    });
    members.set(id, member);
    await group.start();
    return member;
  };
  const leave = (id: string) => {
    members.delete(id);
    ds.left(id);
  };
  /** Resolves once every honest member is at the server's epoch (polling, no fixed sleep). */
  const settled = async (who = [...members.values()], deadline = Date.now() + 20_000) => {
    while (
      !who.every((m) => m.last?.epoch === ds.epoch && m.last.members.size === ds.present.length)
    ) {
      if (Date.now() > deadline) throw new Error(`not settled at epoch ${ds.epoch}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return { ds, members, join, leave, settled, deliver };
}

function sameKeys(members: Member[]): void {
  const [first, ...rest] = members;
  assert.ok(first?.last);
  for (const m of rest) {
    assert.deepEqual(m.last?.sframeSecret, first.last.sframeSecret);
    assert.equal(
      safetyNumber(m.last?.authenticator ?? new Uint8Array()),
      safetyNumber(first.last.authenticator),
    );
  }
}

describe("MLS group through the delivery service", () => {
  it("adds members one by one: all end in the same epoch with the same keys and safety number", async () => {
    const m = meeting();
    const a = await m.join("alice");
    const b = await m.join("bob");
    const c = await m.join("carol");
    await m.settled();
    assert.equal(m.ds.epoch, 2);
    assert.deepEqual(m.ds.present, ["alice", "bob", "carol"]);
    sameKeys([a, b, c]);
    assert.equal(c.last?.members.get(c.last.selfIndex), "carol");
    m.ds.close();
  });

  it("removes a member who left: the others move on, the leaver's last keys are not the new ones", async () => {
    const m = meeting();
    const a = await m.join("alice");
    const b = await m.join("bob");
    const c = await m.join("carol");
    await m.settled();
    const carolsLast = c.last?.sframeSecret;
    m.leave("carol");
    await m.settled([a, b]);
    assert.equal(m.ds.epoch, 3);
    sameKeys([a, b]);
    assert.notDeepEqual(a.last?.sframeSecret, carolsLast);
    assert.equal([...(a.last?.members.values() ?? [])].includes("carol"), false);
    m.ds.close();
  });

  it("resolves concurrent commits: one per epoch wins, the other is told it is stale", async () => {
    const m = meeting();
    const a = await m.join("alice");
    const b = await m.join("bob");
    await m.settled();
    const before = m.ds.epoch;
    await Promise.all([a.group.selfUpdate(), b.group.selfUpdate()]);
    await m.settled();
    assert.equal(m.ds.epoch, before + 1);
    sameKeys([a, b]);
    m.ds.close();
  });

  it("self-update gives a new epoch and new media keys", async () => {
    const m = meeting();
    const a = await m.join("alice");
    const b = await m.join("bob");
    await m.settled();
    const old = a.last?.sframeSecret;
    await b.group.selfUpdate();
    await m.settled();
    sameKeys([a, b]);
    assert.notDeepEqual(a.last?.sframeSecret, old);
    m.ds.close();
  });

  it("passes over a committer who stays silent: the next longest-present member commits", async () => {
    const silent = new Set<string>();
    const m = meeting({ timeoutMs: 200, silent });
    const a = await m.join("alice");
    const b = await m.join("bob");
    await m.settled();
    silent.add("alice");
    const c = await m.join("carol");
    await m.settled([b, c]);
    assert.deepEqual(m.ds.present, ["alice", "bob", "carol"]);
    sameKeys([b, c]);
    assert.ok(a.last && a.last.epoch < m.ds.epoch);
    m.ds.close();
  });

  it("detects a handshake message tampered with in transit: MLS rejects it", async () => {
    let victim: Member | undefined;
    let tampered = 0;
    const m = meeting({
      tamper: (id, event) => {
        if (id === victim?.id && event.type === "mls-commit") {
          const bytes = Buffer.from(event.commit, "base64");
          bytes[bytes.length - 20] = (bytes[bytes.length - 20] ?? 0) ^ 0x01;
          tampered++;
          return m.deliver(id, { ...event, commit: bytes.toString("base64") });
        }
        m.deliver(id, event);
      },
    });
    const a = await m.join("alice");
    const b = await m.join("bob");
    await m.settled();
    victim = b;
    const failed = new Promise<Error>((resolve) => b.group.events.on("failed", resolve));
    const c = await m.join("carol");
    await m.settled([a, c]);
    assert.equal(tampered, 1);
    assert.ok(await failed, "bob's client must reject the tampered commit");
    // Bob stays at the old epoch: he can derive none of the new keys.
    assert.notEqual(b.last?.epoch, m.ds.epoch);
    sameKeys([a, c]);
    m.ds.close();
  });
});

describe("Uploads of large commits and Welcomes", () => {
  it("DS-5: parts are prepended to the commit's last part, bounded per member, and used up", () => {
    const uploads = new Uploads();
    uploads.add("alice", "commit", "AAAA");
    uploads.add("alice", "welcome", "BBBB");
    uploads.add("alice", "welcome", "CCCC");
    const whole = uploads.complete("alice", { commit: "DDDD", welcome: "EEEE", epoch: 1 });
    assert.deepEqual(whole, { commit: "AAAADDDD", welcome: "BBBBCCCCEEEE", epoch: 1 });
    assert.deepEqual(uploads.complete("alice", { commit: "DDDD" }), { commit: "DDDD" });
    const part = "A".repeat(60_000);
    assert.throws(
      () => {
        for (let i = 0; i * part.length <= MAX_UPLOAD_CHARS; i++)
          uploads.add("bob", "welcome", part);
      },
      (e: unknown) => e instanceof MlsRefusal && e.code === "mls-too-large",
    );
    // Everything Bob uploaded is gone: his next commit starts from nothing.
    assert.deepEqual(uploads.complete("bob", { commit: "DDDD" }), { commit: "DDDD" });
  });
});

describe("MLS parsing against hostile bytes", () => {
  it("DS-1, DS-2: any bytes as KeyPackage, commit or Welcome end in a catalogued refusal, never another exception", async () => {
    const refusedOnly = (e: unknown) => {
      if (!(e instanceof MlsRefusal)) throw e;
    };
    // Real messages with bytes flipped reach deep into the decoders, random bytes do not.
    const real = await new Promise<string>((resolve) => {
      const g = new E2eeGroup(
        "bob",
        {
          offerKeyPackage: async (kp) => {
            resolve(kp);
            return { create: false };
          },
          commit: async () => "ok",
        },
        () => false,
      );
      void g.start();
    });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ minLength: 1, maxLength: 400 }),
          fc
            .tuple(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.nat({ max: 4 }))
            .map(([at, flip, cut]) => {
              const bytes = Buffer.from(real, "base64");
              bytes[at % bytes.length] = (bytes[at % bytes.length] ?? 0) ^ flip;
              return bytes.subarray(0, bytes.length - cut);
            }),
        ),
        async (bytes) => {
          const text = Buffer.from(bytes).toString("base64");
          await checkKeyPackage(text, "bob", DEFAULT_SUITE).then(() => undefined, refusedOnly);
          try {
            parseCommit(text);
          } catch (e) {
            refusedOnly(e);
          }
          try {
            checkWelcome(text, DEFAULT_SUITE);
          } catch (e) {
            refusedOnly(e);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
