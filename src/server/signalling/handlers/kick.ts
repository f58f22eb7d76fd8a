import { kick as kickParticipant } from "../../room/moderation";
import type { Handler } from "./index";
import { moderator, target } from "./moderation";

/** Removes a participant; their browser session cannot rejoin this meeting (SPEC MOD-1). */
export const kick: Handler<"kick"> = (session, message) => {
  const { room, actor } = moderator(session, "kick");
  kickParticipant(room, actor, target(room, actor, message.participantId));
  return {};
};
