import {
  type CiphersuiteImpl,
  type CiphersuiteName,
  decodeMlsMessage,
  type Proposal,
} from "ts-mls";
import type { ServerEvent } from "../../../protocol/messages";
import { fromBase64 } from "./codec";
import { type Admitted, checkKeyPackage, type Refusal } from "./membership";

type Pending = Extract<ServerEvent, { type: "mls-pending" }>;

/** What the committer needs to decide which of the server's requested changes it makes. */
export interface PendingContext {
  selfId: string;
  /** Participant id -> leaf index of every current member. */
  leaves: Map<string, number>;
  /** Who this client sees in the meeting: nobody else gets a leaf. */
  admitted: Admitted;
  suite: CiphersuiteName;
  cs: CiphersuiteImpl;
  /** Told of every requested change this client will not make. */
  refuse(refusal: Refusal): void;
}

/**
 * The proposals of a commit answering the server's `mls-pending`: removes of
 * members who left (never of someone still present, nor of oneself) and adds
 * of KeyPackages that pass `checkKeyPackage`. What is refused is reported and
 * skipped; it must not hold up everyone else's change.
 */
export async function pendingProposals(
  pending: Pending,
  context: PendingContext,
): Promise<{ proposals: Proposal[]; added: string[]; removed: string[] }> {
  const { leaves, admitted } = context;
  const proposals: Proposal[] = [];
  const removed: string[] = [];
  for (const id of pending.remove) {
    if (!leaves.has(id)) continue;
    // Only people who left are removed: the server announces a departure before asking.
    if (id === context.selfId || admitted(id))
      context.refuse({ what: "remove", reason: "present", participantId: id });
    else removed.push(id);
  }
  for (const id of removed)
    proposals.push({ proposalType: "remove", remove: { removed: leaves.get(id) as number } });
  const taken = new Set([...leaves.keys()].filter((id) => !removed.includes(id)));
  const added: string[] = [];
  for (const { participantId, keyPackage } of pending.add) {
    const kp = decodeKeyPackage(keyPackage);
    const reason = kp
      ? await checkKeyPackage(kp, participantId, {
          suite: context.suite,
          cs: context.cs,
          taken,
          admitted,
        })
      : "malformed";
    if (reason || !kp) {
      context.refuse({ what: "key-package", reason: reason ?? "malformed", participantId });
      continue;
    }
    taken.add(participantId);
    added.push(participantId);
    proposals.push({ proposalType: "add", add: { keyPackage: kp } });
  }
  return { proposals, added, removed };
}

/** A KeyPackage from the wire, or undefined for anything else (bad base64 or MLS included). */
function decodeKeyPackage(text: string) {
  try {
    const message = decodeMlsMessage(fromBase64(text), 0)?.[0];
    return message?.wireformat === "mls_key_package" ? message.keyPackage : undefined;
  } catch {
    return undefined;
  }
}
