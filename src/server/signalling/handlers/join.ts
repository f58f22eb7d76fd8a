import { ProtocolError } from "../errors";
import type { Handler } from "./index";

/**
 * Enters a room. The role comes from the moderator secret checked here, never
 * from anything else in the message.
 */
export const join: Handler<"join"> = async (session, message) => {
  if (session.state.state === "joined") throw new ProtocolError("already-joined");
  if (session.state.state !== "ready") throw new ProtocolError("not-joined");
  const entry = await session.deps.directory.enter(message.roomId, message.moderatorToken);
  // The session may have closed while the store answered.
  if (session.state.state !== "ready") throw new ProtocolError("already-joined");
  if (!entry) throw new ProtocolError("room-unavailable");
  const role = entry.isModerator ? "moderator" : "participant";
  const { self, others } = entry.room.join(message.name, role, session);
  session.transition({ state: "joined", room: entry.room, self });
  return {
    self: self.view(),
    participants: others.map((p) => p.view()),
    role,
    hands: entry.room.handQueue,
    settings: { ...entry.room.settings },
  };
};
