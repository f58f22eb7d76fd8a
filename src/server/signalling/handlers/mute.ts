import { mute as muteParticipant } from "../../room/moderation";
import type { Handler } from "./index";
import { moderator, target } from "./moderation";

/** Mutes one participant; only they can switch their microphone on again (SPEC MOD-3). */
export const mute: Handler<"mute"> = (session, message) => {
  const { room, actor } = moderator(session, "mute-others");
  muteParticipant(room, actor, target(room, actor, message.participantId));
  return {};
};
