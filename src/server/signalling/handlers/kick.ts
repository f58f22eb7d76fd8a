import { kick as kickParticipant } from "../../room/moderation";
import type { Handler } from "./index";
import { moderator, target } from "./moderation";

/** Removes a participant; they cannot rejoin this meeting, or longer if asked (SPEC MOD-1, KICK-1). */
export const kick: Handler<"kick"> = async (session, message) => {
  const { room, actor } = moderator(session, "kick");
  // The moderator's "ok" means stored: a crash right after cannot undo the kick.
  await kickParticipant(room, actor, target(room, actor, message.participantId), message.ban);
  return {};
};
