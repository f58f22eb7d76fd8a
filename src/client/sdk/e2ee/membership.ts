import type {
  CiphersuiteImpl,
  CiphersuiteName,
  Credential,
  KeyPackage,
  ProposalWithSender,
  RatchetTree,
} from "ts-mls";
import { verifyKeyPackage } from "ts-mls/keyPackage.js";

/**
 * Who may be in the encryption group: the participants this client itself
 * sees as admitted and present (the roster, and itself). The server's word
 * that someone should be added is not enough (docs/E2EE.md, "Against an
 * active server").
 */
export type Admitted = (participantId: string) => boolean;

/** Why something the delivery service sent was refused. */
export type RefusalReason =
  /** Not an MLS message of the expected kind. */
  | "malformed"
  /** Another cipher suite than the group's. */
  | "suite"
  /** The credential is not a basic one naming the participant it claims to be. */
  | "identity"
  /** The identity is no participant this client sees in the meeting. */
  | "unknown"
  /** The identity already has a leaf: one leaf per participant. */
  | "duplicate"
  /** The KeyPackage's signature does not verify. */
  | "signature"
  /** A proposal kind Plenum never uses (re-init, external init, extensions, PSK). */
  | "proposal"
  /** A second group creation or Welcome while already in a group (nonce reuse, group split). */
  | "in-group"
  /** A Remove of someone this client still sees in the meeting (not left, not kicked). */
  | "present";

/** Something the delivery service sent that this client refused; the UI warns about it. */
export interface Refusal {
  /** `remove`: the server asked this client, as committer, to remove someone. */
  what: "key-package" | "commit" | "remove" | "create" | "welcome";
  reason: RefusalReason;
  /** The participant the refused message was about, where it names one. */
  participantId?: string;
}

const decoder = new TextDecoder();

/** The participant id a credential names; undefined for anything but a basic credential. */
export function identityOf(credential: Credential): string | undefined {
  return credential.credentialType === "basic" ? decoder.decode(credential.identity) : undefined;
}

/** Leaf index -> identity of every occupied leaf, duplicates included ("" for a foreign kind). */
export function leavesOf(tree: RatchetTree): Map<number, string> {
  const leaves = new Map<number, string>();
  for (let i = 0; i < tree.length; i += 2) {
    const node = tree[i];
    if (node?.nodeType === "leaf") leaves.set(i / 2, identityOf(node.leaf.credential) ?? "");
  }
  return leaves;
}

/**
 * Fingerprints by signature key (hex). Keys outlive epochs, so each epoch
 * hashes only its new leaves: the epoch's keys reach the media sooner.
 */
const fingerprints = new Map<string, string>();
/** Enough for any meeting's members; the oldest go first. */
const FINGERPRINTS_KEPT = 1024;

/** A short hash of a leaf's signature key, for people to compare per member. */
export async function fingerprintOf(tree: RatchetTree, leaf: number): Promise<string> {
  const node = tree[leaf * 2];
  if (node?.nodeType !== "leaf") return "";
  const key = node.leaf.signaturePublicKey;
  const id = toHex(key);
  const known = fingerprints.get(id);
  if (known !== undefined) return known;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", key as BufferSource));
  const hex = toHex(digest.subarray(0, 8));
  const fingerprint = hex.match(/.{4}/g)?.join(" ") ?? hex;
  fingerprints.set(id, fingerprint);
  if (fingerprints.size > FINGERPRINTS_KEPT) {
    const [oldest] = fingerprints.keys();
    if (oldest !== undefined) fingerprints.delete(oldest);
  }
  return fingerprint;
}

function toHex(bytes: Uint8Array): string {
  let hex = "";
  for (const b of bytes) hex += b.toString(16).padStart(2, "0");
  return hex;
}

/**
 * Whether a pending KeyPackage may be added by this client: the group's
 * suite, a valid signature, and a credential naming exactly the participant
 * the server says it belongs to, who is visible here and has no leaf yet.
 */
export async function checkKeyPackage(
  kp: KeyPackage,
  claimed: string,
  context: { suite: CiphersuiteName; cs: CiphersuiteImpl; taken: Set<string>; admitted: Admitted },
): Promise<RefusalReason | undefined> {
  if (kp.cipherSuite !== context.suite) return "suite";
  const identity = identityOf(kp.leafNode.credential);
  if (identity === undefined || identity !== claimed) return "identity";
  if (!context.admitted(identity)) return "unknown";
  if (context.taken.has(identity)) return "duplicate";
  if (!(await verifyKeyPackage(kp, context.cs.signature))) return "signature";
  return undefined;
}

/** The leaves a commit's proposals remove. */
export function removedBy(proposals: ProposalWithSender[]): Set<number> {
  const removed = new Set<number>();
  for (const { proposal } of proposals)
    if (proposal.proposalType === "remove") removed.add(proposal.remove.removed);
  return removed;
}

/**
 * The first participant a commit removes who is still in the meeting as this
 * client sees it. A legitimate Remove always follows the person's departure,
 * which the server announces first (`participant-left` precedes the commit on
 * every connection), so a Remove of someone still present is the server or a
 * member evicting them behind everyone's back.
 */
export function removedPresent(
  removed: ReadonlySet<number>,
  before: Map<number, string>,
  admitted: Admitted,
): string | undefined {
  for (const leaf of removed) {
    const identity = before.get(leaf);
    if (identity !== undefined && admitted(identity)) return identity;
  }
  return undefined;
}

/**
 * A received commit's proposals, checked inside ts-mls's callback before the
 * commit is applied: only adds of visible participants without a leaf,
 * removes, and updates that keep the sender's identity.
 */
export function checkProposals(
  proposals: ProposalWithSender[],
  before: Map<number, string>,
  admitted: Admitted,
): RefusalReason | undefined {
  const removed = removedBy(proposals);
  const taken = new Set([...before].filter(([leaf]) => !removed.has(leaf)).map(([, id]) => id));
  for (const { proposal, senderLeafIndex } of proposals) {
    switch (proposal.proposalType) {
      case "remove":
        continue;
      case "add": {
        const identity = identityOf(proposal.add.keyPackage.leafNode.credential);
        if (identity === undefined) return "identity";
        if (!admitted(identity)) return "unknown";
        if (taken.has(identity)) return "duplicate";
        taken.add(identity);
        continue;
      }
      case "update": {
        const identity = identityOf(proposal.update.leafNode.credential);
        const own = senderLeafIndex === undefined ? undefined : before.get(senderLeafIndex);
        if (identity === undefined || identity !== own) return "identity";
        continue;
      }
      default:
        return "proposal";
    }
  }
  return undefined;
}

/**
 * The tree after a commit: one leaf per identity; a leaf that stays keeps its
 * identity (an update path cannot rename its sender); a new one is a visible
 * participant's.
 */
export function checkTree(
  before: Map<number, string>,
  after: Map<number, string>,
  removed: ReadonlySet<number>,
  admitted: Admitted,
): RefusalReason | undefined {
  const seen = new Set<string>();
  for (const [leaf, identity] of after) {
    if (seen.has(identity)) return "duplicate";
    seen.add(identity);
    const was = before.get(leaf);
    if (was === identity) continue;
    if (was !== undefined && !removed.has(leaf)) return "identity";
    if (identity === "") return "identity";
    if (!admitted(identity)) return "unknown";
  }
  return undefined;
}
