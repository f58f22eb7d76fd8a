import type { Participant } from "./participant";
import type { Room } from "./room";

/**
 * What moderators do to a meeting. The caller has checked the actor's
 * permission (signalling/handlers/moderation.ts); every function here applies
 * the change, tells the people affected and records it in the audit log.
 */

export function admit(room: Room, actor: Participant, waiterId: string): boolean {
  const knock = room.lobby.take(waiterId);
  if (!knock) return false;
  room.audit(actor.id, "admit", knock.id);
  knock.admit();
  room.lobbyChanged();
  return true;
}

export function admitAll(room: Room, actor: Participant): void {
  const all = room.lobby.takeAll();
  if (all.length === 0) return;
  room.audit(actor.id, "admit-all", null);
  for (const knock of all) knock.admit();
  room.lobbyChanged();
}

export function deny(room: Room, actor: Participant, waiterId: string): boolean {
  const knock = room.lobby.take(waiterId);
  if (!knock) return false;
  room.audit(actor.id, "deny", knock.id);
  knock.deny();
  room.lobbyChanged();
  return true;
}

export function setLocked(room: Room, actor: Participant, locked: boolean): void {
  if (room.locked === locked) return;
  room.locked = locked;
  room.audit(actor.id, locked ? "lock" : "unlock", null);
  room.settingsChanged();
}

export function kick(room: Room, actor: Participant, target: Participant): void {
  room.audit(actor.id, "kick", target.id);
  room.remove(target.id, "kicked");
}

/** Mutes for real: the SFU holds their audio back until they switch the microphone on again. */
export function mute(room: Room, actor: Participant, target: Participant): void {
  target.mutedByModerator = true;
  target.peer.pause("microphone", true);
  room.audit(actor.id, "mute", target.id);
  target.sink.send({ type: "moderated", action: "muted", by: actor.id });
}

/** Mutes everyone who is not a moderator. */
export function muteAll(room: Room, actor: Participant): void {
  room.audit(actor.id, "mute-all", null);
  for (const p of room.others(actor.id)) {
    if (p.role === "moderator") continue;
    p.mutedByModerator = true;
    p.peer.pause("microphone", true);
    p.sink.send({ type: "moderated", action: "muted", by: actor.id });
  }
}

/** There is no remote unmute, by design: the person is asked and decides (SPEC MOD-2). */
export function requestUnmute(room: Room, actor: Participant, target: Participant): void {
  room.audit(actor.id, "request-unmute", target.id);
  target.sink.send({ type: "moderated", action: "unmute-requested", by: actor.id });
}

export function setRole(
  room: Room,
  actor: Participant,
  target: Participant,
  role: "moderator" | "participant",
): void {
  if (target.role === role) return;
  target.role = role;
  room.audit(actor.id, role === "moderator" ? "promote" : "demote", target.id);
  target.sink.send({
    type: "moderated",
    action: role === "moderator" ? "promoted" : "demoted",
    by: actor.id,
  });
  room.broadcast({ type: "participant-updated", participant: target.view() });
  if (role === "moderator" && room.lobby.size > 0) {
    target.sink.send({ type: "lobby-updated", waiting: room.lobby.list() });
  }
}

export function updateSettings(
  room: Room,
  actor: Participant,
  change: { lobby?: boolean; chat?: boolean },
): void {
  room.settings = { ...room.settings, ...definedOnly(change) };
  room.audit(actor.id, "update-settings", null);
  room.settingsChanged();
  // Switching the lobby off lets in everyone who was waiting.
  if (!room.settings.lobby) for (const knock of room.lobby.takeAll()) knock.admit();
  room.lobbyChanged();
}

/** Ends the meeting for everyone, the lobby included. */
export function endMeeting(room: Room, actor: Participant): void {
  room.audit(actor.id, "end-meeting", null);
  for (const p of room.others()) room.remove(p.id, "ended");
  room.close();
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
