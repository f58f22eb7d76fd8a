import { admitAll as admitEveryone } from "../../room/moderation";
import type { Handler } from "./index";
import { moderator, roomForOne } from "./moderation";

/** Lets everyone waiting in (SPEC LOBBY-3), as far as the meeting has room (SPEC LIMIT-1). */
export const admitAll: Handler<"admit-all"> = (session) => {
  const { room, actor } = moderator(session, "admit");
  roomForOne(session, room);
  admitEveryone(room, actor, session.deps.limits.participants - room.size);
  return {};
};
