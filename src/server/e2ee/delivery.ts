import type { ServerEvent } from "../../protocol/messages";

/** How the delivery service reaches a participant of the room. */
export type Deliver = (participantId: string, event: ServerEvent) => void;

/** A commit as the server sees it: opaque bytes plus who it adds and removes. */
export interface CommitSubmission {
  epoch: number;
  commit: string;
  welcome?: string | undefined;
  added: string[];
  removed: string[];
}

export type CommitOutcome = "accepted" | "stale" | "not-member" | "invalid";

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
 * bookkeeping (who is in the group, which epoch it is at).
 *
 * Every method runs synchronously inside the room's single-threaded handling,
 * which is what orders concurrent commits: the first for an epoch wins.
 */
export class DeliveryService {
  private epochValue = 0;
  /** Group members in the order they were added: the first present one commits. */
  private members: string[] = [];
  /** Members who left the meeting and still need a Remove. */
  private readonly departed = new Set<string>();
  /** KeyPackages of people in the meeting who are not yet in the group, by arrival. */
  private readonly keyPackages = new Map<string, string>();
  /** Members passed over because they did not commit in time; reset by every commit. */
  private passedOver = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly deliver: Deliver,
    private readonly timeoutMs = COMMITTER_TIMEOUT_MS,
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
   */
  offerKeyPackage(participantId: string, keyPackage: string): { create: boolean } {
    if (this.members.includes(participantId)) return { create: false };
    if (this.present.length === 0 && this.keyPackages.size === 0) {
      this.restart(participantId);
      return { create: true };
    }
    this.keyPackages.set(participantId, keyPackage);
    this.schedule();
    return { create: false };
  }

  /** Orders a commit: accepted if it is for the current epoch and its changes are known. */
  commit(from: string, submission: CommitSubmission): CommitOutcome {
    if (!this.present.includes(from)) return "not-member";
    if (submission.epoch !== this.epochValue) return "stale";
    const addable = submission.added.every((id) => this.keyPackages.has(id));
    const removable = submission.removed.every((id) => this.members.includes(id) && id !== from);
    if (!addable || !removable || (submission.added.length > 0 && !submission.welcome))
      return "invalid";
    const receivers = this.present.filter((id) => id !== from && !submission.removed.includes(id));
    this.epochValue += 1;
    this.members = [
      ...this.members.filter((id) => !submission.removed.includes(id)),
      ...submission.added,
    ];
    for (const id of submission.removed) this.departed.delete(id);
    for (const id of submission.added) this.keyPackages.delete(id);
    this.passedOver = new Set();
    const event = { type: "mls-commit", from, epoch: this.epochValue, commit: submission.commit };
    for (const id of receivers) this.deliver(id, event as ServerEvent);
    if (submission.welcome) {
      for (const id of submission.added)
        this.deliver(id, { type: "mls-welcome", welcome: submission.welcome });
    }
    this.schedule();
    return "accepted";
  }

  /** Whether `participantId` may send MLS application messages (chat) to the group. */
  isMember(participantId: string): boolean {
    return this.present.includes(participantId);
  }

  /** The person left the meeting (leave, kick, lost connection): forget or remove them. */
  left(participantId: string): void {
    this.keyPackages.delete(participantId);
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

  private restart(creator: string | undefined): void {
    this.epochValue = 0;
    this.members = creator === undefined ? [] : [creator];
    this.departed.clear();
    this.passedOver = new Set();
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
    const add = [...this.keyPackages].map(([participantId, keyPackage]) => ({
      participantId,
      keyPackage,
    }));
    if (add.length === 0 && remove.length === 0) return;
    const candidates = this.present.filter((id) => !this.passedOver.has(id));
    const committer = candidates[0] ?? this.present[0];
    if (committer === undefined) return;
    if (candidates.length === 0) this.passedOver = new Set();
    this.deliver(committer, { type: "mls-pending", epoch: this.epochValue, add, remove });
    this.timer = setTimeout(() => {
      this.passedOver.add(committer);
      this.schedule();
    }, this.timeoutMs);
    this.timer.unref?.();
  }
}
