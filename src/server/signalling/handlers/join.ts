import { type Role, RoomId, type WaiterFlag } from "../../../protocol/messages";
import { verifyPassword } from "../../auth/passwords";
import { joinSeconds, limitRefusals } from "../../observability/metrics";
import type { Entry } from "../../room/directory";
import { ResumeTickets } from "../../room/resume-ticket";
import type { Room } from "../../room/room";
import { ProtocolError } from "../errors";
import type { Session } from "../session";
import type { Handler } from "./index";
import { roomForOne } from "./moderation";

/**
 * Asks to enter a room. Who the person is and what role they get come from
 * the connection (moderator secret, account) and never from anything else in
 * the message (SPEC ROLE-1). Unknown, locked and malformed rooms, and rooms a
 * person was removed from, all answer `room-unavailable` (SPEC ACC-2).
 */
export const join: Handler<"join"> = async (session, message) => {
  const stopTimer = joinSeconds.startTimer();
  const result = await enterOrKnock(session, message);
  stopTimer({ outcome: result.status });
  return result;
};

const enterOrKnock: Handler<"join"> = async (session, message) => {
  if (session.state.state === "joined" || session.state.state === "waiting") {
    throw new ProtocolError("already-joined");
  }
  const { directory, guard, lifecycle } = session.deps;
  const { identity } = session;
  if (lifecycle.draining) throw new ProtocolError("shutting-down");
  // A genuine ticket is cheap to check and must not count against the join limit:
  // after a restart, everyone behind one address comes back at once.
  if (message.resume !== undefined) {
    const resumed = await resumePlace(session, message.roomId, message.resume);
    if (resumed) return resumed;
  }
  if (!guard.allowJoin(identity.address)) throw new ProtocolError("rate-limited");
  // A malformed id still costs a lookup, so that it answers in the same time as an unknown one.
  const roomId = RoomId.safeParse(message.roomId).success ? message.roomId : "-";
  const entry = await directory.enter(roomId, {
    clientId: identity.clientId,
    address: identity.address,
    name: message.name,
    ...(message.moderatorToken !== undefined ? { moderatorToken: message.moderatorToken } : {}),
    ...(identity.account ? { accountId: identity.account.id } : {}),
  });
  if (!entry) throw new ProtocolError("room-unavailable");
  await checkPassword(session, roomId, entry, message.password);
  // The session may have closed or joined elsewhere while we waited.
  if (session.state.state !== "ready") throw new ProtocolError("already-joined");

  const room = entry.open();
  // Someone flagged (looks like a person kicked earlier) always waits for a moderator (SPEC KICK-2).
  if (entry.role !== "moderator" && (room.settings.lobby || entry.flags.length > 0)) {
    return waitInLobby(session, room, { name: message.name, role: entry.role }, entry.flags);
  }
  return { status: "joined", ...enter(session, room, { name: message.name, role: entry.role }) };
};

/** Who enters: the name and role the server settled on, and a participant id when restored. */
interface Place {
  name: string;
  role: Role;
  id?: string;
}

function waitInLobby(session: Session, room: Room, place: Place, flags: WaiterFlag[]) {
  // Each knock is shown to every moderator: the lobby is bounded (SPEC LIMIT-1).
  if (room.lobby.size >= session.deps.limits.lobby) {
    limitRefusals.inc({ limit: "lobby" });
    throw new ProtocolError("lobby-full");
  }
  const knock = room.knock(
    place.name,
    {
      admit: () => {
        if (session.state.state !== "waiting") return;
        // A restored place was taken by its holder on another connection meanwhile: enter anew.
        const free = place.id === undefined || !room.get(place.id);
        const entering = free ? place : { name: place.name, role: place.role };
        // Full meanwhile (the lobby was switched off with more waiting than fit): turned away.
        if (room.size >= session.deps.limits.participants) {
          limitRefusals.inc({ limit: "participants" });
          session.leftRoom();
          session.send({ type: "denied", full: true });
          return;
        }
        session.send({ type: "admitted", ...enter(session, room, entering) });
      },
      deny: (denial) => {
        if (session.state.state !== "waiting") return;
        session.leftRoom();
        session.send({ type: "denied", ...denial });
      },
      tell: (text, at) => {
        if (session.state.state === "waiting") session.send({ type: "lobby-message", text, at });
      },
    },
    flags,
  );
  session.waitInLobby(room, knock.id);
  return { status: "lobby" as const };
}

function enter(session: Session, room: Room, place: Place) {
  const { clientId, address } = session.identity;
  roomForOne(session, room);
  const self = room.join(place.name, place.role, clientId, session, place.id, address);
  session.entered(room, self);
  // Fresh TURN credentials per entry: they expire, and being admitted late must not matter.
  return {
    ...room.joinedView(self),
    iceServers: session.deps.iceServers(),
    resume: session.issueTicket(),
  };
}

/**
 * Takes a place back with a resume ticket (docs/PROTOCOL.md, "Resume"). A
 * ticket of this process needs the place still kept: the same participant,
 * role and admission. One of an earlier process or another node restores the
 * place from the store, under the room's current rules (SPEC RES-1). Anything
 * else — forged, expired, another browser's, a place given up — is ignored,
 * and the join goes on as a new one; a kicked person's is refused.
 */
async function resumePlace(session: Session, roomId: string, ticket: string) {
  const { directory, resume } = session.deps;
  const claims = resume.tickets.verify(ticket, session.identity.clientId);
  if (!claims || claims.roomId !== roomId) return undefined;
  if (claims.boot === resume.tickets.boot) {
    const room = directory.find(roomId);
    const taken = room?.resume(
      claims.participantId,
      ResumeTickets.hashToken(claims.token),
      session,
    );
    if (!room || !taken) return undefined;
    session.entered(room, taken.self);
    session.afterReply(taken.release);
    const view = room.joinedView(taken.self);
    return {
      status: "joined" as const,
      ...view,
      iceServers: session.deps.iceServers(),
      resume: session.issueTicket(),
      resumed: "kept" as const,
    };
  }
  // Another process issued it (a restart or a failover): what counts is what the
  // store says now — the role after any demotion, the name, a kick — and the
  // room's rules as for anyone new (SPEC RES-1, RES-2).
  const restored = await directory.restore(roomId, claims.participantId);
  if (restored === "removed") throw new ProtocolError("room-unavailable");
  if (!restored || restored.room.get(claims.participantId)) return undefined;
  if (session.state.state !== "ready") throw new ProtocolError("already-joined");
  const { room, role } = restored;
  const place = { name: restored.name, role, id: claims.participantId };
  if (role !== "moderator" && (room.settings.lobby || room.locked || restored.passwordChanged)) {
    return waitInLobby(session, room, place, ["returning"]);
  }
  return {
    status: "joined" as const,
    ...enter(session, room, place),
    resumed: "restored" as const,
  };
}

/**
 * Checks the room password (SPEC PW-3): an address that guessed wrong too
 * often is refused without a check; guesses at one room from many addresses
 * only slow each attempt down, so the right password always gets in.
 */
async function checkPassword(
  session: Session,
  roomId: string,
  entry: Entry,
  password: string | undefined,
): Promise<void> {
  if (!entry.passwordHash) return;
  if (password === undefined || password === "") throw new ProtocolError("password-required");
  const { guard } = session.deps;
  const address = session.identity.address;
  const wait = guard.addressPasswords.waitMs(address);
  if (wait > 0) {
    throw new ProtocolError(
      "too-many-attempts",
      `Too many wrong passwords; try again in ${Math.ceil(wait / 1000)} s.`,
    );
  }
  const delay = guard.roomPasswords.waitMs(roomId);
  if (delay > 0) await new Promise((r) => setTimeout(r, delay));
  if (await verifyPassword(entry.passwordHash, password)) {
    guard.addressPasswords.succeed(address);
    return;
  }
  guard.roomPasswords.fail(roomId);
  guard.addressPasswords.fail(address);
  throw new ProtocolError("wrong-password");
}
