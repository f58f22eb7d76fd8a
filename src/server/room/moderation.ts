import type { Denial } from "../../protocol/messages";
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

/** Admits those waiting in order of arrival, at most `max` of them; the rest keep waiting. */
export function admitAll(room: Room, actor: Participant, max = Number.POSITIVE_INFINITY): void {
  const all = room.lobby.takeAll().filter((knock, i) => {
    if (i < max) return true;
    room.lobby.putBack(knock);
    return false;
  });
  if (all.length === 0) return;
  room.audit(actor.id, "admit-all", null);
  for (const knock of all) knock.admit();
  room.lobbyChanged();
}

/** Turns one waiting person away; the reason, if any, reaches them and is kept nowhere (SPEC LOBBY-5). */
export function deny(room: Room, actor: Participant, waiterId: string, denial?: Denial): boolean {
  const knock = room.lobby.take(waiterId);
  if (!knock) return false;
  room.audit(actor.id, "deny", knock.id);
  knock.deny(denial);
  room.lobbyChanged();
  return true;
}

/**
 * A moderator's message to everyone waiting (SPEC LOBBY-4). The audit log
 * records that one was sent, never its text. Returns how many it reached.
 */
export function messageLobby(room: Room, actor: Participant, text: string, now = Date.now()) {
  room.audit(actor.id, "lobby-message", null);
  return room.lobby.tell(text, now);
}

export function setLocked(room: Room, actor: Participant, locked: boolean): void {
  if (room.locked === locked) return;
  room.locked = locked;
  room.record.changed({ locked });
  room.audit(actor.id, locked ? "lock" : "unlock", null);
  room.settingsChanged();
}

/** How long a kick keeps someone out: the meeting (default), or longer if the moderator chooses. */
export const KICK_MS = { meeting: null, day: 24 * 3600_000, week: 7 * 24 * 3600_000 } as const;

/**
 * Removes a participant and records the kick so that it outlives the process
 * (SPEC KICK-1, KICK-2). Clearing the browser's cookies gives a new identity, so the
 * room tightens too: the lobby goes on, and whoever knocks again is judged by
 * a moderator (who sees the knock flagged when it looks like the same person).
 * Resolves once the kick is stored.
 */
export function kick(
  room: Room,
  actor: Participant,
  target: Participant,
  ban: keyof typeof KICK_MS = "meeting",
  now: number = Date.now(),
): Promise<unknown> {
  room.audit(actor.id, "kick", target.id);
  room.remove(target.id, "kicked");
  if (!room.settings.lobby) {
    room.settings = { ...room.settings, lobby: true };
    room.record.changed({ lobby: true });
    room.audit(actor.id, "lobby-on-after-kick", null);
    room.settingsChanged();
  }
  const ms = KICK_MS[ban];
  // Written after everything before it: once this resolves, the kick survives a crash.
  return room.record.kicked(target, ms === null ? null : now + ms);
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
  room.record.role(target);
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
  if (change.lobby !== undefined) room.record.changed({ lobby: change.lobby });
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
