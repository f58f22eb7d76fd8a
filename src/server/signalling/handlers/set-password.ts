import type { Handler } from "./index";
import { moderator } from "./moderation";

/** Sets or removes the room password; only its argon2id hash is kept (SPEC PW-1). */
export const setPassword: Handler<"set-password"> = async (session, message) => {
  const { room, actor } = moderator(session, "change-settings");
  await session.deps.directory.setPassword(room, message.password);
  room.audit(actor.id, message.password ? "set-password" : "clear-password", null);
  return {};
};
