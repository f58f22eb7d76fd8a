import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type ClientState,
  createCommit,
  createGroup,
  decodeMlsMessage,
  defaultCapabilities,
  defaultLifetime,
  encodeMlsMessage,
  generateKeyPackage,
  type KeyPackage,
} from "ts-mls";
import { fromBase64, toBase64 } from "./codec";
import { E2eeGroup, type EpochInfo, type GroupTransport } from "./group";
import { checkTree, type Refusal } from "./membership";
import { DEFAULT_SUITE, POST_QUANTUM_SUITE, suiteImpl } from "./suite";

type Submission = Parameters<GroupTransport["commit"]>[0];

/**
 * One client's group with the real ts-mls, wired to nothing: the test plays
 * the delivery service (an honest or a hostile one) by hand.
 */
class Client {
  readonly group: E2eeGroup;
  readonly sent: Submission[] = [];
  readonly refused: Refusal[] = [];
  keyPackage = "";
  last: EpochInfo | undefined;

  constructor(
    readonly id: string,
    readonly sees: Set<string>,
    create: boolean,
    suite?: ConstructorParameters<typeof E2eeGroup>[3],
  ) {
    this.group = new E2eeGroup(
      id,
      {
        offerKeyPackage: async (keyPackage) => {
          this.keyPackage = keyPackage;
          return { create };
        },
        commit: async (submission) => {
          this.sent.push(submission);
          return "ok";
        },
      },
      (other) => this.sees.has(other),
      suite,
    );
    this.group.events.on("refused", (r) => this.refused.push(r));
    this.group.events.on("epoch", (info) => {
      this.last = info;
    });
  }

  get members(): string[] {
    return [...(this.last?.members.values() ?? [])].sort();
  }
}

async function client(
  id: string,
  sees: string[],
  create = false,
  suite?: ConstructorParameters<typeof E2eeGroup>[3],
) {
  const c = new Client(id, new Set([id, ...sees]), create, suite);
  await c.group.start();
  return c;
}

/** Alice creates the group and adds Bob: both at epoch 1. */
async function pair(sees: string[] = []) {
  const everyone = ["alice", "bob", ...sees];
  const alice = await client("alice", everyone, true);
  const bob = await client("bob", everyone);
  await alice.group.handle(pending([["bob", bob.keyPackage]]));
  await bob.group.handle({ type: "mls-welcome", welcome: alice.sent[0]?.welcome ?? "" });
  assert.equal(bob.last?.epoch, 1);
  return { alice, bob };
}

function pending(add: [string, string][], epoch = 0, remove: string[] = []) {
  return {
    type: "mls-pending" as const,
    epoch,
    add: add.map(([participantId, keyPackage]) => ({ participantId, keyPackage })),
    remove,
  };
}

function relay(to: Client, submission: Submission | undefined) {
  assert.ok(submission);
  return to.group.handle({ type: "mls-commit", from: "x", epoch: 0, commit: submission.commit });
}

describe("E2EE group membership with the real ts-mls", () => {
  it("E2EE-MEMBERS-1: a ghost KeyPackage is skipped and reported; a real joiner in the same batch is added", async () => {
    const { alice, bob } = await pair(["carol"]);
    const ghost = await client("ghost", []);
    const carol = await client("carol", []);
    await alice.group.handle(
      pending(
        [
          ["ghost", ghost.keyPackage],
          ["carol", carol.keyPackage],
        ],
        1,
      ),
    );
    assert.deepEqual(alice.refused, [
      { what: "key-package", reason: "unknown", participantId: "ghost" },
    ]);
    assert.deepEqual(alice.sent[1]?.added, ["carol"]);
    await relay(bob, alice.sent[1]);
    assert.deepEqual(bob.members, ["alice", "bob", "carol"]);
    assert.deepEqual(alice.members, ["alice", "bob", "carol"]);
  });

  it("E2EE-MEMBERS-1: a KeyPackage naming someone who has a leaf, or someone else, or garbage, is refused", async () => {
    const { alice } = await pair(["carol"]);
    const bobAgain = await client("bob", []);
    const impostor = await client("bob", []);
    const wrongSuite = await client("carol", [], false, POST_QUANTUM_SUITE);
    await alice.group.handle(
      pending(
        [
          ["bob", bobAgain.keyPackage],
          ["carol", impostor.keyPackage],
          ["carol", toBase64(new Uint8Array([0, 1, 2, 3]))],
          ["carol", wrongSuite.keyPackage],
        ],
        1,
      ),
    );
    assert.deepEqual(
      alice.refused.map((r) => r.reason),
      ["duplicate", "identity", "malformed", "suite"],
    );
    // Nothing valid to add: no commit, and the group goes on at its epoch.
    assert.equal(alice.sent.length, 1);
    assert.equal(alice.group.failed, undefined);
    assert.equal(alice.group.epoch, 1);
  });

  it("E2EE-MEMBERS-1: a KeyPackage whose signature does not verify is skipped and reported; a valid one in the same batch is added", async () => {
    const { alice, bob } = await pair(["carol", "dave"]);
    const carol = await client("carol", []);
    const dave = await client("dave", []);
    // Dave's KeyPackage with one bit of its signature flipped (a hostile server's doing).
    const forged = keyPackageOf(dave.keyPackage);
    const signature = forged.signature.slice();
    signature[0] = (signature[0] ?? 0) ^ 1;
    const tampered = toBase64(
      encodeMlsMessage({
        keyPackage: { ...forged, signature },
        wireformat: "mls_key_package",
        version: "mls10",
      }),
    );
    await alice.group.handle(
      pending(
        [
          ["dave", tampered],
          ["carol", carol.keyPackage],
        ],
        1,
      ),
    );
    assert.deepEqual(alice.refused, [
      { what: "key-package", reason: "signature", participantId: "dave" },
    ]);
    assert.deepEqual(alice.sent[1]?.added, ["carol"]);
    await relay(bob, alice.sent[1]);
    assert.deepEqual(bob.members, ["alice", "bob", "carol"]);
  });

  it("E2EE-MEMBERS-2: a commit adding someone this client cannot see is rejected without leaving the group", async () => {
    const { alice, bob } = await pair(["carol"]);
    // Alice's client admits anyone (an old or a malicious client); Bob does not see the ghost.
    alice.sees.add("ghost");
    const ghost = await client("ghost", []);
    await alice.group.handle(pending([["ghost", ghost.keyPackage]], 1));
    await relay(bob, alice.sent[1]);
    assert.deepEqual(bob.refused, [{ what: "commit", reason: "unknown" }]);
    assert.equal(bob.group.failed, undefined);
    assert.equal(bob.group.epoch, 1);
    assert.deepEqual(bob.members, ["alice", "bob"]);
    // Bob is still in the group and goes on at his epoch: as committer he adds Carol.
    const carol = await client("carol", []);
    await bob.group.handle(pending([["carol", carol.keyPackage]], 1));
    assert.deepEqual(bob.sent[0]?.added, ["carol"]);
    assert.equal(bob.group.epoch, 2);
  });

  it("E2EE-MEMBERS-2: a commit giving a present member a second leaf is rejected by the receiver", async () => {
    // A committer without Plenum's checks (raw ts-mls) adds a second "bob".
    const cs = await suiteImpl(DEFAULT_SUITE);
    const mallory = await rawKeyPackage("mallory");
    let state: ClientState = await createGroup(
      new Uint8Array(16),
      mallory.publicPackage,
      mallory.privatePackage,
      [],
      cs,
    );
    const bob = await client("bob", ["mallory"]);
    const add = async (keyPackage: KeyPackage) => {
      const result = await createCommit(
        { state, cipherSuite: cs },
        {
          extraProposals: [{ proposalType: "add", add: { keyPackage } }],
          ratchetTreeExtension: true,
        },
      );
      state = result.newState;
      return result;
    };
    const welcome = await add(keyPackageOf(bob.keyPackage));
    assert.ok(welcome.welcome);
    await bob.group.handle({
      type: "mls-welcome",
      welcome: toBase64(
        encodeMlsMessage({ welcome: welcome.welcome, wireformat: "mls_welcome", version: "mls10" }),
      ),
    });
    assert.deepEqual(bob.members, ["bob", "mallory"]);
    const twin = await rawKeyPackage("bob");
    const commit = await add(twin.publicPackage);
    await bob.group.handle({
      type: "mls-commit",
      from: "mallory",
      epoch: 2,
      commit: toBase64(encodeMlsMessage(commit.commit)),
    });
    assert.deepEqual(bob.refused, [{ what: "commit", reason: "duplicate" }]);
    assert.equal(bob.group.epoch, 1);
    assert.equal(bob.group.failed, undefined);
  });

  it("E2EE-MEMBERS-6: a Remove of someone still present is refused by the committer and by every receiver; after the departure it goes through", async () => {
    const { alice, bob } = await pair(["carol"]);
    const carol = await client("carol", ["alice", "bob"]);
    await alice.group.handle(pending([["carol", carol.keyPackage]], 1));
    await relay(bob, alice.sent[1]);
    await carol.group.handle({ type: "mls-welcome", welcome: alice.sent[1]?.welcome ?? "" });
    // The committer is asked to remove Carol, and itself, while all are present: it refuses both.
    await alice.group.handle(pending([], 2, ["carol", "alice"]));
    assert.deepEqual(alice.refused, [
      { what: "remove", reason: "present", participantId: "carol" },
      { what: "remove", reason: "present", participantId: "alice" },
    ]);
    assert.equal(alice.sent.length, 2, "nothing was committed");
    // A committer without the check (Alice no longer sees Carol) removes her: Bob still sees her.
    alice.sees.delete("carol");
    await alice.group.handle(pending([], 2, ["carol"]));
    assert.deepEqual(alice.sent[2]?.removed, ["carol"]);
    await relay(bob, alice.sent[2]);
    assert.deepEqual(bob.refused, [{ what: "commit", reason: "present", participantId: "carol" }]);
    assert.equal(bob.group.epoch, 2);
    assert.equal(bob.group.failed, undefined);
    // Once Carol has left in Bob's view too, the same commit is an ordinary Remove.
    bob.sees.delete("carol");
    await relay(bob, alice.sent[2]);
    assert.equal(bob.group.epoch, 3);
    assert.deepEqual(bob.members, ["alice", "bob"]);
  });

  it("E2EE-MEMBERS-3: a second mls-create or Welcome while in a group is refused; keys and epoch stay", async () => {
    const { alice, bob } = await pair();
    const before = alice.last?.sframeSecret;
    await alice.group.handle({ type: "mls-create" });
    await bob.group.handle({ type: "mls-welcome", welcome: alice.sent[0]?.welcome ?? "" });
    assert.deepEqual(alice.refused, [{ what: "create", reason: "in-group" }]);
    assert.deepEqual(bob.refused, [{ what: "welcome", reason: "in-group" }]);
    assert.equal(alice.group.failed, undefined);
    assert.equal(alice.group.epoch, 1);
    assert.deepEqual(alice.last?.sframeSecret, before);
  });

  it("E2EE-CHAT-1: a chat message names its MLS sender, whatever the server claims", async () => {
    const { alice, bob } = await pair();
    const message = await alice.group.encryptChat("hello");
    assert.deepEqual(await bob.group.decryptChat(message), { text: "hello", sender: "alice" });
  });

  it("E2EE-MEMBERS-4: each leaf has a fingerprint, the same on every member", async () => {
    const { alice, bob } = await pair();
    assert.equal(alice.last?.fingerprints.size, 2);
    assert.deepEqual(alice.last?.fingerprints, bob.last?.fingerprints);
    for (const f of alice.last?.fingerprints.values() ?? [])
      assert.match(f, /^([0-9a-f]{4} ){3}[0-9a-f]{4}$/);
  });

  it("E2EE-MEMBERS-2: after a commit a kept leaf keeps its identity and no identity has two leaves", () => {
    const before = new Map([
      [0, "alice"],
      [1, "bob"],
    ]);
    const sees = (id: string) => ["alice", "bob", "carol"].includes(id);
    const none = new Set<number>();
    assert.equal(checkTree(before, new Map([...before, [2, "carol"]]), none, sees), undefined);
    assert.equal(checkTree(before, new Map([...before, [2, "bob"]]), none, sees), "duplicate");
    assert.equal(checkTree(before, new Map([...before, [2, "ghost"]]), none, sees), "unknown");
    // An update path that renames its sender to someone else.
    assert.equal(
      checkTree(
        before,
        new Map([
          [0, "alice"],
          [1, "carol"],
        ]),
        none,
        sees,
      ),
      "identity",
    );
    // A removed leaf may be taken by a new member.
    assert.equal(
      checkTree(
        before,
        new Map([
          [0, "alice"],
          [1, "carol"],
        ]),
        new Set([1]),
        sees,
      ),
      undefined,
    );
  });
});

async function rawKeyPackage(identity: string) {
  return generateKeyPackage(
    { credentialType: "basic", identity: new TextEncoder().encode(identity) },
    defaultCapabilities(),
    defaultLifetime,
    [],
    await suiteImpl(DEFAULT_SUITE),
  );
}

function keyPackageOf(encoded: string): KeyPackage {
  const message = decodeMlsMessage(fromBase64(encoded), 0)?.[0];
  assert.equal(message?.wireformat, "mls_key_package");
  return (message as { keyPackage: KeyPackage }).keyPackage;
}
