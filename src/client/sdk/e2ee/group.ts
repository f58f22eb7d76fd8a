import {
  type CiphersuiteImpl,
  type CiphersuiteName,
  type ClientState,
  createApplicationMessage,
  createCommit,
  createGroup,
  decodeMlsMessage,
  defaultCapabilities,
  defaultLifetime,
  emptyPskIndex,
  encodeMlsMessage,
  generateKeyPackage,
  joinGroup,
  type MLSMessage,
  mlsExporter,
  type Proposal,
  processMessage,
} from "ts-mls";
import { decryptSenderData } from "ts-mls/privateMessage.js";
import type { ServerEvent } from "../../../protocol/messages";
import { Emitter } from "../emitter";
import { fromBase64, toBase64 } from "./codec";
import {
  type Admitted,
  checkProposals,
  checkTree,
  fingerprintOf,
  leavesOf,
  type Refusal,
  type RefusalReason,
  removedBy,
  removedPresent,
} from "./membership";
import { pendingProposals } from "./pending";
import { DEFAULT_SUITE, suiteImpl } from "./suite";

/** A commit as the member submits it to the delivery service. */
export interface CommitRequest {
  epoch: number;
  commit: string;
  welcome?: string;
  added: string[];
  removed: string[];
}

/** What the group needs from the delivery service (the signalling server, or a test's). */
export interface GroupTransport {
  offerKeyPackage(keyPackage: string): Promise<{ create: boolean }>;
  /** Resolves "stale" when another commit for the epoch came first. */
  commit(submission: CommitRequest): Promise<"ok" | "stale">;
}

/** One epoch's keys and facts, as media encryption and the UI need them. */
export interface EpochInfo {
  epoch: number;
  /** RFC 9605, section 5.2: `MLS-Exporter("SFrame 1.0 Base Key", "", Nh)`. */
  sframeSecret: Uint8Array;
  selfIndex: number;
  /** The epoch authenticator, from which the safety number comes. */
  authenticator: Uint8Array;
  /** Leaf index -> participant id (the credential's identity). */
  members: Map<number, string>;
  /** Leaf index -> a short hash of the leaf's signature key, to compare per member. */
  fingerprints: Map<number, string>;
}

/** A chat message that authenticated, and the participant of the MLS leaf that sent it. */
export interface ChatPlaintext {
  text: string;
  sender: string;
}

type MlsEvent = Extract<ServerEvent, { type: `mls-${string}` }>;

/** SHA-256's output length: the SFrame suite AES_128_GCM_SHA256_128 has Nh = 32. */
const SFRAME_NH = 32;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * This participant's view of the meeting's MLS group (RFC 9420). All changes
 * to the state run one after another in `queue`, in the order the server
 * delivered them, so a commit is never applied to the wrong epoch.
 */
export class E2eeGroup {
  readonly events = new Emitter<{ epoch: [EpochInfo]; failed: [Error]; refused: [Refusal] }>();
  private state: ClientState | undefined;
  private keyPackage: Awaited<ReturnType<typeof generateKeyPackage>> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private failure: Error | undefined;

  constructor(
    readonly selfId: string,
    private readonly transport: GroupTransport,
    /** Who this client sees in the meeting: nobody else gets a leaf. */
    private readonly admitted: Admitted,
    private readonly suite: CiphersuiteName = DEFAULT_SUITE,
  ) {}

  get epoch(): number | undefined {
    return this.state ? Number(this.state.groupContext.epoch) : undefined;
  }

  get failed(): Error | undefined {
    return this.failure;
  }

  /** Publishes a fresh KeyPackage; creates the group when this member is the first. */
  start(): Promise<void> {
    return this.run(async (cs) => {
      const credential = {
        credentialType: "basic" as const,
        identity: encoder.encode(this.selfId),
      };
      this.keyPackage = await generateKeyPackage(
        credential,
        defaultCapabilities(),
        defaultLifetime,
        [],
        cs,
      );
      const encoded = encodeMlsMessage({
        keyPackage: this.keyPackage.publicPackage,
        wireformat: "mls_key_package",
        version: "mls10",
      });
      const { create } = await this.transport.offerKeyPackage(toBase64(encoded));
      if (create) await this.create(cs);
    });
  }

  /** Applies a delivery-service event in order. */
  handle(event: MlsEvent): Promise<void> {
    return this.run(async (cs) => {
      switch (event.type) {
        case "mls-create":
          return this.create(cs);
        case "mls-welcome":
          return this.join(cs, event.welcome);
        case "mls-commit":
          return this.apply(cs, event.commit);
        case "mls-pending":
          return this.commitPending(cs, event);
        case "mls-chat":
          return;
      }
    });
  }

  /** A commit with only an update path: fresh keys for this member (post-compromise security). */
  selfUpdate(): Promise<void> {
    return this.run((cs) => this.commit(cs, [], [], []));
  }

  /** Encrypts a chat text as an MLS application message. */
  encryptChat(text: string): Promise<string> {
    return this.run(async (cs) => {
      const state = this.require();
      const result = await createApplicationMessage(state, encoder.encode(text), cs);
      this.state = result.newState;
      return toBase64(
        encodeMlsMessage({
          privateMessage: result.privateMessage,
          wireformat: "mls_private_message",
          version: "mls10",
        }),
      );
    });
  }

  /**
   * Decrypts another member's chat message, with the participant whose leaf
   * signed it; throws if it does not authenticate.
   */
  decryptChat(message: string): Promise<ChatPlaintext> {
    return this.run(async (cs) => {
      try {
        const state = this.require();
        const decoded = this.decode(message, "mls_private_message");
        const result = await processMessage(
          decoded,
          state,
          emptyPskIndex,
          // Chat carries no proposals or commits: anything else is refused.
          () => "reject",
          cs,
        );
        if (result.kind !== "applicationMessage") throw new Error("not an application message");
        // The content's signature verified against the leaf named in the sender data, so that
        // leaf's credential is the authenticated sender, whatever the server says.
        const pm = decoded.privateMessage;
        const epochData =
          pm.epoch < state.groupContext.epoch
            ? state.historicalReceiverData.get(pm.epoch)
            : {
                senderDataSecret: state.keySchedule.senderDataSecret,
                ratchetTree: state.ratchetTree,
              };
        if (!epochData) throw new Error("epoch too old");
        const sender = await decryptSenderData(pm, epochData.senderDataSecret, cs);
        const identity =
          sender === undefined ? undefined : leavesOf(epochData.ratchetTree).get(sender.leafIndex);
        if (!identity) throw new Error("no sender leaf");
        this.state = result.newState;
        return { text: decoder.decode(result.message), sender: identity };
      } catch (error) {
        throw new ChatError((error as Error).message);
      }
    });
  }

  private async create(cs: CiphersuiteImpl): Promise<void> {
    // A second group would restart at epoch 0 under keys already used (nonce reuse), or split
    // this member off from the others: never while in a group.
    if (this.state) return this.refuse({ what: "create", reason: "in-group" });
    const kp = this.requireKeyPackage();
    const groupId = crypto.getRandomValues(new Uint8Array(16));
    this.state = await createGroup(groupId, kp.publicPackage, kp.privatePackage, [], cs);
    // Its private keys are in the group now; a kept copy could only be used to join twice.
    this.keyPackage = undefined;
    await this.announce(cs);
  }

  private async join(cs: CiphersuiteImpl, welcome: string): Promise<void> {
    if (this.state) return this.refuse({ what: "welcome", reason: "in-group" });
    const kp = this.requireKeyPackage();
    const message = this.decode(welcome, "mls_welcome");
    this.state = await joinGroup(
      message.welcome,
      kp.publicPackage,
      kp.privatePackage,
      emptyPskIndex,
      cs,
    );
    this.keyPackage = undefined;
    await this.announce(cs);
  }

  private async apply(cs: CiphersuiteImpl, commit: string): Promise<void> {
    const state = this.state;
    // Not in the group yet: commits before our Welcome are not ours to read.
    if (!state) return;
    const message = decodeMlsMessage(fromBase64(commit), 0)?.[0];
    if (
      message?.wireformat !== "mls_private_message" &&
      message?.wireformat !== "mls_public_message"
    )
      throw new Error("a commit must be an MLS handshake message");
    const before = leavesOf(state.ratchetTree);
    let refused: RefusalReason | undefined;
    let removedId: string | undefined;
    let removed = new Set<number>();
    const result = await processMessage(
      message,
      state,
      emptyPskIndex,
      (incoming) => {
        if (incoming.kind === "commit") {
          removed = removedBy(incoming.proposals);
          removedId = removedPresent(removed, before, this.admitted);
          refused = removedId
            ? "present"
            : checkProposals(incoming.proposals, before, this.admitted);
        } else refused = "proposal";
        return refused ? "reject" : "accept";
      },
      cs,
    );
    refused ??= checkTree(before, leavesOf(result.newState.ratchetTree), removed, this.admitted);
    // Refused: this member stays in its epoch (and the group) and says so; it does not fail.
    if (refused)
      return this.refuse({
        what: "commit",
        reason: refused,
        ...(removedId ? { participantId: removedId } : {}),
      });
    this.state = result.newState;
    await this.announce(cs);
  }

  private async commitPending(
    cs: CiphersuiteImpl,
    pending: Extract<MlsEvent, { type: "mls-pending" }>,
  ): Promise<void> {
    // An old request: the commit that answered it already moved us on.
    if (!this.state || this.epoch !== pending.epoch) return;
    const { proposals, added, removed } = await pendingProposals(pending, {
      selfId: this.selfId,
      leaves: this.leaves(),
      admitted: this.admitted,
      suite: this.suite,
      cs,
      refuse: (refusal) => this.refuse(refusal),
    });
    if (proposals.length === 0) return;
    try {
      await this.commit(cs, proposals, added, removed);
    } catch (error) {
      // ts-mls checks more than `checkKeyPackage` (lifetimes, key reuse): if it still refuses
      // the adds, they are reported and the removes go ahead without them.
      if (!(error instanceof BuildError) || added.length === 0) throw error;
      for (const participantId of added)
        this.refuse({ what: "key-package", reason: "malformed", participantId });
      const removes = proposals.filter((p) => p.proposalType === "remove");
      if (removes.length > 0) await this.commit(cs, removes, [], removed);
    }
  }

  private async commit(
    cs: CiphersuiteImpl,
    proposals: Proposal[],
    added: string[],
    removed: string[],
  ): Promise<void> {
    const state = this.require();
    const result = await createCommit(
      { state, cipherSuite: cs },
      // The Welcome carries the ratchet tree, so that joiners need nothing from the server.
      // A PublicMessage lets the delivery service check who commits what (docs/E2EE.md).
      { extraProposals: proposals, ratchetTreeExtension: true, wireAsPublicMessage: true },
    ).catch((error: Error) => {
      throw new BuildError(error.message);
    });
    const welcome = result.welcome
      ? toBase64(
          encodeMlsMessage({
            welcome: result.welcome,
            wireformat: "mls_welcome",
            version: "mls10",
          }),
        )
      : undefined;
    const outcome = await this.transport.commit({
      epoch: Number(state.groupContext.epoch),
      commit: toBase64(encodeMlsMessage(result.commit)),
      ...(welcome ? { welcome } : {}),
      added,
      removed,
    });
    // Lost the race: the winning commit is on its way to us; the server asks again if needed.
    if (outcome === "stale") return;
    this.state = result.newState;
    await this.announce(cs);
  }

  /** Participant id -> leaf index of every current member. */
  leaves(): Map<string, number> {
    const map = new Map<string, number>();
    for (const [leaf, id] of leavesOf(this.state?.ratchetTree ?? [])) map.set(id, leaf);
    return map;
  }

  private async announce(cs: CiphersuiteImpl): Promise<void> {
    const state = this.require();
    const sframeSecret = await mlsExporter(
      state.keySchedule.exporterSecret,
      "SFrame 1.0 Base Key",
      new Uint8Array(0),
      SFRAME_NH,
      cs,
    );
    // By leaf, so that no leaf can hide behind another's identity.
    const members = leavesOf(state.ratchetTree);
    const fingerprints = new Map<number, string>();
    for (const leaf of members.keys())
      fingerprints.set(leaf, await fingerprintOf(state.ratchetTree, leaf));
    this.events.emit("epoch", {
      epoch: Number(state.groupContext.epoch),
      sframeSecret,
      selfIndex: state.privatePath.leafIndex,
      authenticator: state.keySchedule.epochAuthenticator,
      members,
      fingerprints,
    });
  }

  private refuse(refusal: Refusal): void {
    console.warn(`e2ee: refused a ${refusal.what}: ${refusal.reason}`);
    this.events.emit("refused", refusal);
  }

  private run<T>(step: (cs: CiphersuiteImpl) => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => {
      if (this.failure) throw this.failure;
      try {
        return await step(await suiteImpl(this.suite));
      } catch (error) {
        // A handshake message that does not verify leaves us out of the group: fail closed.
        if (!(error instanceof ChatError)) this.fail(error as Error);
        throw error;
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.events.emit("failed", error);
  }

  private decode<W extends MLSMessage["wireformat"]>(
    text: string,
    wireformat: W,
  ): Extract<MLSMessage, { wireformat: W }> {
    const message = decodeMlsMessage(fromBase64(text), 0)?.[0];
    if (message?.wireformat !== wireformat) throw new Error(`expected ${wireformat}`);
    return message as Extract<MLSMessage, { wireformat: W }>;
  }

  private require(): ClientState {
    if (!this.state) throw new Error("not in the group yet");
    return this.state;
  }

  private requireKeyPackage() {
    if (!this.keyPackage) throw new Error("no KeyPackage");
    return this.keyPackage;
  }
}

/** A chat message that cannot be read is dropped; it does not break the group. */
class ChatError extends Error {}

/** ts-mls refused to build a commit from these proposals; nothing was sent. */
class BuildError extends Error {}
