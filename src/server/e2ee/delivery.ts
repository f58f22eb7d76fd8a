import type { CiphersuiteName } from "ts-mls";
import type { ServerEvent } from "../../protocol/messages";
import { checkKeyPackage, checkWelcome, MlsRefusal, parseCommit } from "./mls-parse";
import { Uploads } from "./uploads";

/** How the delivery service reaches a participant of the room. */
export type Deliver = (participantId: string, event: ServerEvent) => void;

/** A commit as a member submits it: the bytes plus who it says it adds and removes. */
export interface CommitSubmission {
  epoch: number;
  commit: string;
  welcome?: string | undefined;
  added: string[];
  removed: string[];
}

export interface DeliveryOptions {
  /** The room's MLS cipher suite: every KeyPackage and Welcome must use it. */
  suite: CiphersuiteName;
  /** Whether the person is in the meeting right now (checks survive an await). */
  inMeeting: (participantId: string) => boolean;
  timeoutMs?: number;
}

/**
 * A committer that does not commit within this time (its tab froze, its
 * connection hangs) is passed over: the next longest-present member gets the work.
 */
const COMMITTER_TIMEOUT_MS = 5000;

/**
 * MLS's delivery service (RFC 9420, section 16.13 and RFC 9750) for one meeting.
 * It orders handshake messages (one commit per epoch wins), relays commits and
 * Welcomes, and keeps KeyPackages only until their owner is added or leaves.
 * It never sees a group secret: everything it holds is public MLS material or
 * bookkeeping (who is at which leaf, which epoch the group is at).
 *
 * It reads the public parts of what it relays and refuses, with a catalogued
 * error, whatever would break honest members (docs/E2EE.md, "Against an active
 * server"): a KeyPackage that does not parse or verify or names someone else,
 * a membership change from anyone but the designated committer, an Add of a
 * KeyPackage it does not hold, a Remove of someone who did not leave.
 *
 * Commits are handled synchronously inside the room's single-threaded handling,
 * which is what orders concurrent commits: the first for an epoch wins.
 */
export class DeliveryService {
  private epochValue = 0;
  /** The MLS group id, learnt from the first commit; every later one must carry it. */
  private groupId: string | undefined;
  /** Group members in the order they were added: the first present one commits. */
  private members: string[] = [];
  /** Who is at each leaf of the ratchet tree (RFC 9420, section 7.7), mirrored from the commits. */
  private leaves: (string | undefined)[] = [];
  /** Members who left the meeting and still need a Remove. */
  private readonly departed = new Set<string>();
  /** KeyPackages of people in the meeting who are not yet in the group, by arrival. */
  private readonly keyPackages = new Map<string, { message: string; encoded: string }>();
  /** Members passed over because they did not commit in time; reset by every commit. */
  private passedOver = new Set<string>();
  /** Members asked to commit in this epoch: only they may add or remove anyone. */
  private designated = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  readonly uploads = new Uploads();

  constructor(
    private readonly deliver: Deliver,
    private readonly options: DeliveryOptions,
  ) {}

  get epoch(): number {
    return this.epochValue;
  }

  /** Present members of the group, longest present first. */
  get present(): string[] {
    return this.members.filter((m) => !this.departed.has(m));
  }

  /**
   * A person in the meeting offers their KeyPackage. The very first creates the
   * group (epoch 0); everyone later waits for the committer to add them.
   * Throws an `MlsRefusal` when the KeyPackage is not fit to be added.
   */
  async offerKeyPackage(participantId: string, keyPackage: string): Promise<{ create: boolean }> {
    const { encoded } = await checkKeyPackage(keyPackage, participantId, this.options.suite);
    // Checked after the await: they may have left, or joined the group, meanwhile.
    if (!this.options.inMeeting(participantId) || this.members.includes(participantId))
      return { create: false };
    if (this.present.length === 0 && this.keyPackages.size === 0) {
      this.restart(participantId);
      return { create: true };
    }
    this.keyPackages.set(participantId, { message: keyPackage, encoded });
    this.schedule();
    return { create: false };
  }

  /**
   * Orders a commit: "accepted" if it is for the current epoch and every change
   * in it is one the server asked for; "stale" if another came first. Throws an
   * `MlsRefusal` otherwise. Parts uploaded before (`uploads`) are prepended.
   */
  commit(from: string, submitted: CommitSubmission): "accepted" | "stale" {
    const submission = this.uploads.complete(from, submitted);
    if (!this.present.includes(from)) throw new MlsRefusal("forbidden", "not in the group");
    const parsed = parseCommit(submission.commit);
    if (submission.epoch !== this.epochValue) return "stale";
    if (parsed.epoch !== submission.epoch)
      throw new MlsRefusal("mls-malformed", "the commit is for another epoch than it says");
    if (this.groupId !== undefined && parsed.groupId !== this.groupId)
      throw new MlsRefusal("mls-malformed", "the commit is for another group");
    if (this.leaves[parsed.senderLeaf] !== from)
      throw new MlsRefusal("mls-identity", "the commit's sender leaf is not the sender's");
    const changes = parsed.adds.length + parsed.removes.length > 0;
    if (changes && !this.designated.has(from))
      throw new MlsRefusal("mls-not-committer", "only the designated committer adds and removes");
    if (!changes && !parsed.hasPath)
      throw new MlsRefusal("mls-malformed", "an empty commit must renew the sender's keys");
    const added = parsed.adds.map((kp) => this.holderOf(kp));
    const removed = parsed.removes.map((leaf) => this.departedAt(leaf, from));
    if (new Set(added).size !== added.length || new Set(removed).size !== removed.length)
      throw new MlsRefusal("mls-unknown-change", "the commit names someone twice");
    if (!sameSet(added, submission.added) || !sameSet(removed, submission.removed))
      throw new MlsRefusal("mls-unknown-change", "the lists do not match the commit");
    if (added.length > 0) {
      if (!submission.welcome) throw new MlsRefusal("mls-malformed", "adds need a Welcome");
      checkWelcome(submission.welcome, this.options.suite);
    } else if (submission.welcome) throw new MlsRefusal("mls-malformed", "a Welcome without adds");
    this.accept(from, parsed.groupId, added, removed, submission);
    return "accepted";
  }

  /** Whether `participantId` may send MLS application messages (chat) to the group. */
  isMember(participantId: string): boolean {
    return this.present.includes(participantId);
  }

  /** The person left the meeting (leave, kick, lost connection): forget or remove them. */
  left(participantId: string): void {
    this.keyPackages.delete(participantId);
    this.uploads.forget(participantId);
    if (this.members.includes(participantId)) this.departed.add(participantId);
    if (this.present.length > 0 || this.members.length === 0) {
      this.schedule();
      return;
    }
    // Nobody who holds the group's secrets is left: the first waiting person starts anew.
    const [next] = this.keyPackages.keys();
    this.restart(next);
    if (next === undefined) return;
    this.keyPackages.delete(next);
    this.deliver(next, { type: "mls-create" });
    this.schedule();
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private accept(
    from: string,
    groupId: string,
    added: string[],
    removed: string[],
    submission: CommitSubmission,
  ): void {
    const receivers = this.present.filter((id) => id !== from && !removed.includes(id));
    this.groupId = groupId;
    this.epochValue += 1;
    this.members = [...this.members.filter((id) => !removed.includes(id)), ...added];
    this.mirrorTree(removed, added);
    for (const id of removed) this.departed.delete(id);
    for (const id of added) this.keyPackages.delete(id);
    this.passedOver = new Set();
    this.designated = new Set();
    const event: ServerEvent = {
      type: "mls-commit",
      from,
      epoch: this.epochValue,
      commit: submission.commit,
    };
    for (const id of receivers) this.deliver(id, event);
    if (submission.welcome) {
      for (const id of added)
        this.deliver(id, { type: "mls-welcome", welcome: submission.welcome });
    }
    this.schedule();
  }

  /**
   * RFC 9420, section 12.3: Removes blank their leaves (trailing blanks are
   * truncated), then each Add takes the leftmost blank leaf or extends the tree.
   */
  private mirrorTree(removed: string[], added: string[]): void {
    this.leaves = this.leaves.map((id) =>
      id !== undefined && removed.includes(id) ? undefined : id,
    );
    while (this.leaves.length > 0 && this.leaves.at(-1) === undefined) this.leaves.pop();
    for (const id of added) {
      const blank = this.leaves.indexOf(undefined);
      if (blank === -1) this.leaves.push(id);
      else this.leaves[blank] = id;
    }
  }

  /** The participant whose held KeyPackage a commit adds. */
  private holderOf(encoded: string): string {
    for (const [id, kp] of this.keyPackages) if (kp.encoded === encoded) return id;
    throw new MlsRefusal(
      "mls-unknown-change",
      "the commit adds a KeyPackage the server does not hold",
    );
  }

  /** The member at `leaf`, who must have left the meeting (the server saw it). */
  private departedAt(leaf: number, from: string): string {
    const id = this.leaves[leaf];
    if (id === undefined || id === from || !this.departed.has(id))
      throw new MlsRefusal("mls-unknown-change", "the commit removes someone who did not leave");
    return id;
  }

  private restart(creator: string | undefined): void {
    this.epochValue = 0;
    this.groupId = undefined;
    this.members = creator === undefined ? [] : [creator];
    this.leaves = [...this.members];
    this.departed.clear();
    this.passedOver = new Set();
    this.designated = new Set();
  }

  /**
   * Tells the committer what is due. The committer is the longest-present
   * member not passed over, so every member and the server agree on it; if it
   * stays silent, the next one is asked.
   */
  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const remove = this.members.filter((id) => this.departed.has(id));
    const add = [...this.keyPackages].map(([participantId, kp]) => ({
      participantId,
      keyPackage: kp.message,
    }));
    if (add.length === 0 && remove.length === 0) return;
    const candidates = this.present.filter((id) => !this.passedOver.has(id));
    const committer = candidates[0] ?? this.present[0];
    if (committer === undefined) return;
    if (candidates.length === 0) this.passedOver = new Set();
    this.designated.add(committer);
    this.deliver(committer, { type: "mls-pending", epoch: this.epochValue, add, remove });
    this.timer = setTimeout(() => {
      this.passedOver.add(committer);
      this.schedule();
    }, this.options.timeoutMs ?? COMMITTER_TIMEOUT_MS);
    this.timer.unref?.();
  }
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
