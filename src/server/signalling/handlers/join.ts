import { RoomId } from "../../../protocol/messages";
import { verifyPassword } from "../../auth/passwords";
import { joinSeconds } from "../../observability/metrics";
import type { Entry } from "../../room/directory";
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
  const { directory, guard } = session.deps;
  const { identity } = session;
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
  // Fresh credentials per entry: they expire, and being admitted late must not matter.
  return { ...room.joinedView(self), iceServers: session.deps.iceServers() };
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
