import {
  clearBytes,
  decryptFrame,
  deriveSenderKey,
  EPOCH_BITS,
  encryptFrame,
  readHeader,
  type SenderKey,
  splitKeyId,
} from "./sframe";
import type { Kind } from "./worker-protocol";

/** Receivers keep a previous epoch this long, for frames still in flight. */
export const PREVIOUS_EPOCH_MS = 2000;
/**
 * A frame under the next epoch can arrive before this member has processed the
 * commit that starts it (the committer moves first, at the server's reply, while
 * every other member still verifies the commit, which on a loaded machine takes
 * up to seconds). Frames wait for the key, from the first such frame on, at
 * most this long, rather than being dropped: a dropped frame freezes the
 * picture until a key frame has been asked for and has arrived (the SFU sends
 * at most one a second per layer). The same holds for a joiner's frames that
 * arrive before its Welcome is processed.
 */
export const NEXT_EPOCH_WAIT_MS = 2000;
/** Counters a counter may lag behind the highest seen before it counts as a replay. */
export const REPLAY_WINDOW = 512n;
/**
 * Own keys remembered after their epoch is gone, with the next unused counter,
 * so that a secret delivered again (a hostile server re-sending an old
 * Welcome) continues its counter instead of restarting it: one commit a minute
 * for almost three days. Each entry is a short string and a number.
 */
const USED_KEYS_KEPT = 4096;
/** Epochs held at once, however fast commits come: the current one and a few in flight. */
const MAX_HELD = 8;

/** Why a received frame was dropped before the decoder. */
export type Drop = "noKey" | "auth" | "replay" | "malformed";

/** One MLS epoch as this member installed it. */
interface Epoch {
  epoch: number;
  secret: Uint8Array;
  selfIndex: number;
  /** Leaf index -> participant id. */
  members: Map<number, string>;
  /** This member's next frame counter under this epoch's key (RFC 9605, 4.4.3). */
  counter: bigint;
  /** Sender keys of this epoch, by leaf index: they belong to this secret and die with it. */
  keys: Map<number, Promise<SenderKey>>;
  /** Per sender leaf: highest authentic counter and the counters seen near it. */
  windows: Map<number, { max: bigint; recent: Set<bigint> }>;
  /** Set when a newer epoch arrived. */
  expiresAt?: number;
}

/**
 * The media keys of one member, as the encryption worker holds them: which
 * epochs are held, their sender keys, this member's frame counters and the
 * replay windows. Pure logic over `sframe.ts`, so the tests run exactly this.
 *
 * Nonce safety: keys live in their epoch's record, which is made per
 * installed secret, never looked up by epoch number, so a group re-created
 * at epoch 0 gets new keys; and the counter of an own key already used
 * continues where it stopped, whatever the page sends.
 *
 * Replay: one window per held epoch and sender, dropped with the epoch, so
 * memory stays bounded and no number of epochs can make fresh counters look old.
 */
export class Keyring {
  /** Held epochs, oldest first; at most the current one and those within PREVIOUS_EPOCH_MS. */
  private held: Epoch[] = [];
  private currentEpoch: Epoch | undefined;
  /** Own key (secret, epoch bits, leaf) -> next unused counter, for keys no longer held. */
  private readonly used = new Map<string, bigint>();
  private readonly waiters = new Set<() => void>();
  /**
   * Epoch key-id bits being waited for -> when waiting ends. One deadline per
   * awaited epoch, not per frame: frames pass one at a time, so per-frame
   * waits would pile up behind each other for a key that never comes.
   */
  private readonly awaited = new Map<number, number>();

  constructor(private readonly now: () => number = Date.now) {}

  get current(): { epoch: number; selfIndex: number } | undefined {
    return this.currentEpoch;
  }

  /** Epochs held right now (for tests of the memory bound). */
  get heldCount(): number {
    return this.held.length;
  }

  /** Installs a new epoch's `sframe_epoch_secret`; the previous ones expire shortly. */
  setEpoch(epoch: number, secret: Uint8Array, selfIndex: number, members: Map<number, string>) {
    const now = this.now();
    const id = ownKeyId(secret, epoch, selfIndex);
    let next = this.held.find((e) => ownKeyId(e.secret, e.epoch, e.selfIndex) === id);
    if (next) {
      this.held = this.held.filter((e) => e !== next);
      next.members = members;
      delete next.expiresAt;
    } else {
      next = {
        epoch,
        secret: secret.slice(),
        selfIndex,
        members,
        counter: this.used.get(id) ?? 0n,
        keys: new Map(),
        windows: new Map(),
      };
    }
    for (const e of this.held) e.expiresAt ??= now + PREVIOUS_EPOCH_MS;
    this.held.push(next);
    this.currentEpoch = next;
    this.expire(now);
    this.awaited.clear();
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }

  /** Encrypts an outgoing frame; undefined while there is no key (the frame is withheld). */
  async encrypt(kind: Kind, data: Uint8Array): Promise<Uint8Array | undefined> {
    const epoch = this.currentEpoch;
    if (!epoch) return undefined;
    // Taken before any await, from the epoch it belongs to: no counter is used twice with a key.
    const counter = epoch.counter++;
    const key = await keyFor(epoch, epoch.selfIndex);
    return encryptFrame(key, counter, data, clearBytes(kind, data));
  }

  /**
   * Decrypts an incoming frame, or says why it is dropped. `owner`, when
   * known, is the participant whose track this is: frames of anyone else are refused.
   */
  async decrypt(
    kind: Kind,
    data: Uint8Array,
    owner?: string,
  ): Promise<{ plain: Uint8Array } | { drop: Drop }> {
    const clear = clearBytes(kind, data);
    const header = readHeader(data, clear);
    if (!header) return { drop: "malformed" };
    const { epochBits, senderIndex } = splitKeyId(header.kid);
    const current = this.currentEpoch;
    // The next epoch, or (joining) the first one, may be on its way: its key is worth waiting for.
    const coming = current === undefined || epochBits === (current.epoch + 1) % (1 << EPOCH_BITS);
    if (coming && !this.candidates(epochBits).length) await this.nextEpoch(epochBits);
    const candidates = this.candidates(epochBits);
    if (candidates.length === 0) return { drop: "noKey" };
    let drop: Drop = "auth";
    // Two held epochs share the 8 key-id bits only across a group re-creation; try the newest first.
    for (const epoch of candidates) {
      // A frame of another member than the one whose track this is: re-sent by someone else.
      if (owner !== undefined && epoch.members.get(senderIndex) !== owner) continue;
      // The SFU never sends our own frames back: one that comes is a reflection.
      const window = epoch.windows.get(senderIndex);
      if (
        senderIndex === epoch.selfIndex ||
        (window &&
          (header.counter + REPLAY_WINDOW < window.max || window.recent.has(header.counter)))
      ) {
        drop = "replay";
        continue;
      }
      try {
        const plain = await decryptFrame(await keyFor(epoch, senderIndex), data, clear, header);
        // Only an authentic frame may move the replay window.
        remember(epoch, senderIndex, header.counter);
        return { plain };
      } catch {
        drop = "auth";
      }
    }
    return { drop };
  }

  private candidates(epochBits: number): Epoch[] {
    const now = this.now();
    return this.held
      .filter(
        (e) =>
          e.epoch % (1 << EPOCH_BITS) === epochBits &&
          (e.expiresAt === undefined || e.expiresAt >= now),
      )
      .reverse();
  }

  /**
   * Forgets expired epochs (keys, windows) and, past MAX_HELD, the oldest,
   * remembering where their own counters stopped.
   */
  private expire(now: number): void {
    const gone = this.held.filter(
      (e, i) => (e.expiresAt !== undefined && e.expiresAt < now) || i < this.held.length - MAX_HELD,
    );
    for (const e of gone) {
      const id = ownKeyId(e.secret, e.epoch, e.selfIndex);
      this.used.delete(id);
      this.used.set(id, e.counter);
      if (this.used.size > USED_KEYS_KEPT) {
        const [oldest] = this.used.keys();
        if (oldest !== undefined) this.used.delete(oldest);
      }
    }
    this.held = this.held.filter((e) => !gone.includes(e));
  }

  /** Resolves when an epoch is installed, or when waiting for `epochBits` is over. */
  private nextEpoch(epochBits: number): Promise<void> {
    const now = this.now();
    let until = this.awaited.get(epochBits);
    if (until === undefined) {
      until = now + NEXT_EPOCH_WAIT_MS;
      this.awaited.set(epochBits, until);
    }
    if (until <= now) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, until - now);
      this.waiters.add(done);
    });
  }
}

function keyFor(epoch: Epoch, senderIndex: number): Promise<SenderKey> {
  let key = epoch.keys.get(senderIndex);
  if (!key) {
    key = deriveSenderKey(epoch.secret, epoch.epoch, senderIndex);
    epoch.keys.set(senderIndex, key);
  }
  return key;
}

function remember(epoch: Epoch, senderIndex: number, counter: bigint): void {
  let window = epoch.windows.get(senderIndex);
  if (!window) {
    window = { max: counter, recent: new Set() };
    epoch.windows.set(senderIndex, window);
  }
  window.recent.add(counter);
  if (counter > window.max) window.max = counter;
  if (window.recent.size > Number(REPLAY_WINDOW) * 2) {
    for (const c of window.recent) if (c + REPLAY_WINDOW < window.max) window.recent.delete(c);
  }
}

/** What determines an own sender key (RFC 9605, 5.2: the secret, KID's epoch bits, the leaf). */
function ownKeyId(secret: Uint8Array, epoch: number, selfIndex: number): string {
  let hex = "";
  for (const b of secret) hex += b.toString(16).padStart(2, "0");
  return `${hex}:${epoch % (1 << EPOCH_BITS)}:${selfIndex}`;
}
