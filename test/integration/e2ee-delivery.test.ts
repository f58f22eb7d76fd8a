import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  type CiphersuiteName,
  decodeMlsMessage,
  defaultCapabilities,
  defaultLifetime,
  encodeMlsMessage,
  generateKeyPackage,
} from "ts-mls";
import { DEFAULT_SUITE, POST_QUANTUM_SUITE, suiteImpl } from "../../src/client/sdk/e2ee/suite";
import type { ServerEvent } from "../../src/protocol/messages";
import { type MlsEvent, MlsMember, type MlsMemberOptions } from "../support/mls-member";
import { createRoom, startTestServer, type TestServer } from "../support/server";
import { RequestError } from "../support/signalling-client";
import { waitFor } from "../support/wait";

/**
 * The delivery service against hostile members (issue 17, attack 3): real
 * ts-mls members through the real server. Each bad message is refused with a
 * catalogued code, and the honest members keep one group with one key.
 */
describe("E2EE delivery service refuses what would break the group", () => {
  let server: TestServer;
  const open = new Set<MlsMember>();
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await Promise.all([...open].map((m) => m.close()));
    await server.close();
  });

  const join = async (room: string, name: string, options: MlsMemberOptions = {}) => {
    const member = await MlsMember.join(server.url, room, name, options);
    open.add(member);
    return member;
  };
  const room = async () => (await createRoom(server.url, { lobby: false, e2ee: true })).id;

  /** Every honest member is at one epoch with one media secret and sees all of them. */
  const agreed = (members: MlsMember[]) =>
    waitFor(
      "the honest members to agree on one epoch and key",
      () => {
        const [first, ...rest] = members;
        if (!first?.last || first.last.members.size < members.length) return false;
        return rest.every(
          (m) =>
            m.last !== undefined &&
            m.last.epoch === first.last?.epoch &&
            Buffer.from(m.last.sframeSecret).equals(Buffer.from(first.last?.sframeSecret ?? [])),
        );
      },
      { timeoutMs: 30_000, intervalMs: 20 },
    );

  const refusal = async (request: Promise<unknown>) => {
    const error = await request.then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof RequestError, `expected a refusal, got ${String(error)}`);
    return error.code;
  };

  const keyPackage = async (identity: string, suite: CiphersuiteName = DEFAULT_SUITE) => {
    const kp = await generateKeyPackage(
      { credentialType: "basic", identity: new TextEncoder().encode(identity) },
      defaultCapabilities(),
      defaultLifetime,
      [],
      await suiteImpl(suite),
    );
    return encodeMlsMessage({
      keyPackage: kp.publicPackage,
      wireformat: "mls_key_package",
      version: "mls10",
    });
  };
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

  it("DS-1: a malformed, foreign, wrongly signed or wrong-suite KeyPackage is refused; the next person is added", async () => {
    const id = await room();
    const alice = await join(id, "Alice");
    const mallory = await join(id, "Mallory");
    await agreed([alice, mallory]);
    const send = (keyPackage: string) =>
      refusal(mallory.signalling.request({ type: "mls-key-package", keyPackage }));
    assert.equal(await send(b64(new Uint8Array(300).fill(0x41))), "mls-malformed");
    assert.equal(await send(b64(await keyPackage(alice.id))), "mls-identity");
    const forged = await keyPackage(mallory.id);
    forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 1;
    assert.equal(await send(b64(forged)), "mls-malformed");
    assert.equal(
      await send(b64(await keyPackage(mallory.id, POST_QUANTUM_SUITE))),
      "mls-malformed",
    );
    const carol = await join(id, "Carol");
    await agreed([alice, mallory, carol]);
    assert.equal(alice.group.failed, undefined);
  });

  it("DS-2: a commit that is not a PublicMessage commit, or names another sender leaf, is refused", async () => {
    const id = await room();
    const alice = await join(id, "Alice");
    const bob = await join(id, "Bob");
    await agreed([alice, bob]);
    const relayed: Extract<ServerEvent, { type: "mls-commit" }>[] = [];
    alice.signalling.onMessage((m) => {
      if (m.type === "mls-commit") relayed.push(m);
    });
    await bob.group.selfUpdate();
    await agreed([alice, bob]);
    const epoch = alice.group.epoch ?? -1;
    const commit = (bytes: string) =>
      refusal(
        bob.signalling.request({
          type: "mls-commit",
          epoch,
          commit: bytes,
          added: [],
          removed: [],
        }),
      );
    assert.equal(await commit(b64(await keyPackage(bob.id))), "mls-malformed");
    assert.equal(await commit(b64(new Uint8Array(64).fill(7))), "mls-malformed");
    // Bob's own accepted commit, replayed for the current epoch as if Alice had sent it.
    const [message] = decodeMlsMessage(Buffer.from(relayed[0]?.commit ?? "", "base64"), 0) ?? [];
    assert.equal(message?.wireformat, "mls_public_message");
    if (message?.wireformat !== "mls_public_message") return;
    const { content } = message.publicMessage;
    const aliceLeaf = [...(alice.last?.members ?? [])].find(([, who]) => who === alice.id)?.[0];
    const spoofed = encodeMlsMessage({
      ...message,
      publicMessage: {
        ...message.publicMessage,
        content: {
          ...content,
          epoch: BigInt(epoch),
          sender: { senderType: "member", leafIndex: aliceLeaf ?? 0 },
        },
      },
    });
    assert.equal(await commit(b64(spoofed)), "mls-identity");
    const carol = await join(id, "Carol");
    await agreed([alice, bob, carol]);
  });

  it("DS-3: a member who is not the designated committer cannot add anyone; the committer's commit wins", async () => {
    const id = await room();
    let held: Extract<MlsEvent, { type: "mls-pending" }> | undefined;
    const alice = await join(id, "Alice", {
      intercept: (event) => {
        if (event.type !== "mls-pending" || event.add.length === 0) return false;
        held = event;
        return true;
      },
    });
    const bob = await join(id, "Bob");
    // Alice holds her first pending (Bob's add) back for a moment: release it.
    await waitFor("Bob's pending add", () => held);
    await alice.group.handle(held as MlsEvent);
    held = undefined;
    await agreed([alice, bob]);
    const carol = await join(id, "Carol");
    const pending = await waitFor("Carol's pending add at Alice", () => held);
    // A hostile server (or Bob himself) hands Bob the work: his commit is refused.
    await bob.group.handle(pending).catch(() => undefined);
    assert.deepEqual(bob.refused, ["mls-not-committer"]);
    await alice.group.handle(pending);
    await agreed([alice, carol]);
  });

  it("DS-4: removing a present member is refused, from the committer or in a member's lists", async () => {
    const id = await room();
    let hold = false;
    let held: Extract<MlsEvent, { type: "mls-pending" }> | undefined;
    const mallory = await join(id, "Mallory", {
      intercept: (event) => {
        if (!hold || event.type !== "mls-pending") return false;
        held = event;
        return true;
      },
    });
    const alice = await join(id, "Alice");
    const bob = await join(id, "Bob", {
      tamper: (submission) => ({ ...submission, removed: [alice.id] }),
    });
    await agreed([mallory, alice, bob]);
    // Bob renews his keys but claims the commit removes Alice.
    await bob.group.selfUpdate().catch(() => undefined);
    assert.deepEqual(bob.refused, ["mls-unknown-change"]);
    // Mallory, the designated committer, adds Carol and removes Alice, who never left.
    hold = true;
    const carol = await join(id, "Carol");
    const pending = await waitFor("Carol's pending add at Mallory", () => held);
    // Her client would refuse that itself (E2EE-MEMBERS-6): it is told Alice left.
    mallory.present.delete(alice.id);
    await mallory.group.handle({ ...pending, remove: [alice.id] }).catch(() => undefined);
    assert.deepEqual(mallory.refused, ["mls-unknown-change"]);
    // Mallory is passed over after 5 s; Alice, next in line, adds Carol.
    await agreed([alice, carol]);
    assert.ok(carol.last?.members.size === 4, "Alice is still in the group, and so are the others");
  });
});
