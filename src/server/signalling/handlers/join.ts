import { RoomId } from "../../../protocol/messages";
import { verifyPassword } from "../../auth/passwords";
import { joinSeconds } from "../../observability/metrics";
import type { Entry } from "../../room/directory";
import { ResumeTickets } from "../../room/resume-ticket";
import type { Room } from "../../room/room";
import { ProtocolError } from "../errors";
import type { Session } from "../session";
import type { Handler } from "./index";

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
    const resumed = await resumePlace(session, message.roomId, message.name, message.resume);
    if (resumed) return resumed;
  }
  if (!guard.allowJoin(identity.address)) throw new ProtocolError("rate-limited");
  // A malformed id still costs a lookup, so that it answers in the same time as an unknown one.
  const roomId = RoomId.safeParse(message.roomId).success ? message.roomId : "-";
  const entry = await directory.enter(roomId, {
    clientId: identity.clientId,
    ...(message.moderatorToken !== undefined ? { moderatorToken: message.moderatorToken } : {}),
    ...(identity.account ? { accountId: identity.account.id } : {}),
  });
  if (!entry) throw new ProtocolError("room-unavailable");
  await checkPassword(session, roomId, entry, message.password);
  // The session may have closed or joined elsewhere while we waited.
  if (session.state.state !== "ready") throw new ProtocolError("already-joined");

  const room = entry.open();
  if (entry.role !== "moderator" && room.settings.lobby) {
    const knock = room.knock(message.name, {
      admit: () => {
        if (session.state.state !== "waiting") return;
        session.send({ type: "admitted", ...enter(session, room, message.name, entry) });
      },
      deny: () => {
        if (session.state.state !== "waiting") return;
        session.transition({ state: "ready" });
        session.send({ type: "denied" });
      },
    });
    session.transition({ state: "waiting", room, knockId: knock.id });
    return { status: "lobby" };
  }
  return { status: "joined", ...enter(session, room, message.name, entry) };
};

function enter(session: Session, room: Room, name: string, entry: Entry) {
  const self = room.join(name, entry.role, session.identity.clientId, session);
  session.transition({ state: "joined", room, self });
  // Fresh TURN credentials per entry: they expire, and being admitted late must not matter.
  return {
    ...room.joinedView(self),
    iceServers: session.deps.iceServers(),
    resume: session.issueTicket(),
  };
}

/**
 * Takes a place back with a resume ticket (docs/PROTOCOL.md, "Resume"): the
 * same participant id and role, no lobby, no password. A ticket of this
 * process needs the place still kept; one of an earlier process (the server
 * restarted and remembers nothing) restores the place. Anything else —
 * forged, expired, another browser's, a place given up — is ignored, and the
 * join goes on as a new one.
 */
async function resumePlace(session: Session, roomId: string, name: string, ticket: string) {
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
    session.transition({ state: "joined", room, self: taken.self });
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
  const room = await directory.restore(roomId);
  if (!room || room.get(claims.participantId)) return undefined;
  if (session.state.state !== "ready") throw new ProtocolError("already-joined");
  const self = room.join(
    name,
    claims.role,
    session.identity.clientId,
    session,
    claims.participantId,
  );
  session.transition({ state: "joined", room, self });
  const view = room.joinedView(self);
  return {
    status: "joined" as const,
    ...view,
    iceServers: session.deps.iceServers(),
    resume: session.issueTicket(),
    resumed: "restored" as const,
  };
}

/** Checks the room password, with attempt limits per room and per address (SPEC PW-2). */
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
  const wait = Math.max(guard.roomPasswords.waitMs(roomId), guard.addressPasswords.waitMs(address));
  if (wait > 0) {
    throw new ProtocolError(
      "too-many-attempts",
      `Too many wrong passwords; try again in ${Math.ceil(wait / 1000)} s.`,
    );
  }
  if (await verifyPassword(entry.passwordHash, password)) {
    guard.addressPasswords.succeed(address);
    return;
  }
  guard.roomPasswords.fail(roomId);
  guard.addressPasswords.fail(address);
  throw new ProtocolError("wrong-password");
}
