import type { E2eeAlert, E2eeStatus } from "./controller";

/**
 * How long a participant this client sees may be without a leaf before it
 * warns: joining the group takes a KeyPackage, a commit and a Welcome, which
 * on a loaded machine can take seconds.
 */
export const JOIN_GRACE_MS = 20_000;

/** The encryption group as this person sees it, and what does not add up. */
export interface EncryptionGroupView {
  /** Every leaf of the group, named by the participant it belongs to. */
  members: { participantId: string; name: string; fingerprint: string; self: boolean }[];
  /** Leaves whose participant this client does not see: someone invisible could decrypt. */
  unseen: string[];
  /** Participants seen here (past the grace period) without a leaf: the group is not theirs. */
  missing: { participantId: string; name: string }[];
  /** What the server tried and this client refused, with the names of whom it concerns. */
  alerts: NamedAlert[];
  /** When a grace period ends and the view must be computed again (ms since epoch). */
  recheckAt?: number;
}

/** A refused attempt, with the names of the participants it names ("" for nobody seen). */
export type NamedAlert = E2eeAlert & { name?: string; senderName?: string };

/** What the view needs to know about the people in the meeting. */
export interface VisibleParticipants {
  ids: readonly string[];
  nameOf(id: string): string;
  seenSince(id: string): number | undefined;
}

/**
 * Compares the MLS tree with the participant list: every leaf must be a
 * participant this client sees, and everyone it sees must have a leaf.
 */
export function groupView(
  status: E2eeStatus,
  alerts: readonly E2eeAlert[],
  selfId: string,
  visible: VisibleParticipants,
  now: number,
): EncryptionGroupView {
  const named = alerts.map((alert) => nameAlert(alert, visible.nameOf));
  if (status.state !== "on") return { members: [], unseen: [], missing: [], alerts: named };
  const present = new Set([selfId, ...visible.ids]);
  const members = status.members.map((m) => ({
    participantId: m.participantId,
    name: visible.nameOf(m.participantId),
    fingerprint: m.fingerprint,
    self: m.participantId === selfId,
  }));
  const unseen = status.members
    .filter((m) => !present.has(m.participantId))
    .map((m) => m.participantId);
  const inGroup = new Set(status.members.map((m) => m.participantId));
  const missing: EncryptionGroupView["missing"] = [];
  let recheckAt: number | undefined;
  for (const id of visible.ids) {
    if (inGroup.has(id)) continue;
    const due = (visible.seenSince(id) ?? now) + JOIN_GRACE_MS;
    if (due <= now) missing.push({ participantId: id, name: visible.nameOf(id) });
    else recheckAt = Math.min(recheckAt ?? due, due);
  }
  return { members, unseen, missing, alerts: named, ...(recheckAt ? { recheckAt } : {}) };
}

function nameAlert(alert: E2eeAlert, nameOf: (id: string) => string): NamedAlert {
  if (alert.what === "chat-sender")
    return { ...alert, name: nameOf(alert.claimed), senderName: nameOf(alert.sender) };
  if ("participantId" in alert && alert.participantId)
    return { ...alert, name: nameOf(alert.participantId) };
  return alert;
}
