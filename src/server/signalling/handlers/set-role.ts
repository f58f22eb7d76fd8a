import { setRole as changeRole } from "../../room/moderation";
import type { Handler } from "./index";
import { moderator, target } from "./moderation";

/** Promotes a participant to moderator or demotes a moderator (SPEC MOD-5). */
export const setRole: Handler<"set-role"> = (session, message) => {
  const { room, actor } = moderator(session, "set-role");
  changeRole(room, actor, target(room, actor, message.participantId), message.role);
  return {};
};
