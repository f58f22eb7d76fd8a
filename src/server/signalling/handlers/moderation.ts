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
  return { room, actor: self };
}

/** Another participant of the same room; never the actor themselves. */
export function target(room: Room, actor: Participant, participantId: string): Participant {
  const p = room.get(participantId);
  if (!p || p.id === actor.id) throw new ProtocolError("unknown-participant");
  return p;
}
