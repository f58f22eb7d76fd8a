import { setLocked } from "../../room/moderation";
import type { Handler } from "./index";
import { moderator } from "./moderation";

/** Locks or unlocks the room: while locked nobody new gets in, not even to the lobby (SPEC LOCK-1). */
export const lock: Handler<"lock"> = (session, message) => {
  const { room, actor } = moderator(session, "lock");
  setLocked(room, actor, message.locked);
  return {};
};
