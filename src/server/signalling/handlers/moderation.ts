import { limitRefusals } from "../../observability/metrics";
import type { Participant } from "../../room/participant";
import { can, type Permission } from "../../room/permissions";
import type { Room } from "../../room/room";
import { ProtocolError } from "../errors";
import type { Session } from "../session";

/**
 * The actor of a moderation message: a participant of a room whose role has
 * `permission`, as the server knows it (SPEC ROLE-2). Everyone else gets
 * `forbidden`, whatever the message claims.
 */
export function moderator(
  session: Session,
  permission: Permission,
): { room: Room; actor: Participant } {
  const { room, self } = session.joined();
  if (!can(self.role, permission)) throw new ProtocolError("forbidden");
  // Admitting is cheap and the lobby is bounded; everything else counts (SPEC LIMIT-1).
  if (permission !== "admit" && !session.moderationBucket.take()) {
    limitRefusals.inc({ limit: "moderator-actions" });
    throw new ProtocolError("rate-limited");
  }
  return { room, actor: self };
}

/** Another participant of the same room; never the actor themselves. */
export function target(room: Room, actor: Participant, participantId: string): Participant {
  const p = room.get(participantId);
  if (!p || p.id === actor.id) throw new ProtocolError("unknown-participant");
  return p;
}

/** Refuses with `room-full` when the meeting has no place left (SPEC LIMIT-1). */
export function roomForOne(session: Session, room: Room): void {
  if (room.size < session.deps.limits.participants) return;
  limitRefusals.inc({ limit: "participants" });
  throw new ProtocolError("room-full");
}
